/**
 * Hardened reading of untrusted Top-Up replies (RELIABILITY §2.1, rows X2/X3).
 *
 * Pipeline: byte cap → strict UTF-8 decode → one pass of our own reader, which checks
 * every character (XML 1.0 `Char`), the markup (ASCII names, no DOCTYPE/CDATA, matching
 * end tags, well-formed references, depth/attribute/element caps, one root) and builds
 * the document tree in the same pass. docs/CLASSIFIER.md ("The reader") says why.
 *
 * The tree has exactly the shape `new XMLParser(TOPUP_PARSER_OPTIONS).parse()` gives for
 * the same text (attributes as `@_name`, text as `#text`, `payment`/`balance` always
 * arrays, other repeated elements as arrays, text-only elements as strings, values raw:
 * no entity decoded, nothing trimmed, CR/CRLF read as LF; comments, PIs and the
 * declaration dropped), and it accepts a strict subset of what `XMLValidator.validate`
 * accepts. test/unit/topup/reader-differential.test.ts holds it to both, against
 * fast-xml-parser itself, over mutated replies, dictionary tokens and generated documents.
 *
 * Why ASCII names: fast-xml-parser splits attribute names on JavaScript `\s`, which
 * matches U+FEFF and U+1680 although XML treats them as name characters.
 * `<payment status="160" status\uFEFF="60"/>` passes its validator and parses as status
 * 60. QIWI markup is ASCII, so every tag and attribute name must be ASCII; the one
 * exception is the documented typo `result-сode` (Cyrillic U+0441, spec §9 #8), which is
 * accepted by exact spelling only.
 */
import { findInvalidXmlChar } from './xml-text'

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024
export const MAX_XML_DEPTH = 20
export const MAX_ATTRIBUTES_PER_ELEMENT = 32
export const MAX_ELEMENTS = 4096

/** The misspelt attribute of the status examples: "result-" + U+0441 + "ode". */
export const CYRILLIC_RESULT_CODE_ATTR = 'result-\u0441ode'

/**
 * The fast-xml-parser options whose output the reader reproduces, locked
 * (snapshot-tested). The reply path no longer runs fast-xml-parser; these options
 * define the tree shape, and the differential test parses with them as its oracle.
 * Values stay strings; no entity is ever expanded; `payment` and `balance` always
 * come back as arrays.
 */
export const TOPUP_PARSER_OPTIONS = Object.freeze({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  // Free text (comments) must round-trip exactly; structured values are trimmed by the reader.
  trimValues: false,
  allowBooleanAttributes: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
  alwaysCreateTextNode: false,
  cdataPropName: false as const,
  commentPropName: false as const,
  maxNestedTags: MAX_XML_DEPTH,
  strictReservedNames: true,
  isArray: (tagName: string): boolean => tagName === 'payment' || tagName === 'balance'
})

export type XmlRejectReason =
  | 'empty'
  | 'too-large'
  | 'invalid-utf8'
  | 'invalid-char'
  | 'non-ascii-markup'
  | 'doctype'
  | 'cdata'
  | 'too-deep'
  | 'too-many-attributes'
  | 'too-many-elements'
  | 'duplicate-attribute'
  | 'dangerous-name'
  | 'not-well-formed'

/** A parsed node: string (text-only element) or an object of children/attributes. */
export type XmlValue = string | XmlObject | XmlValue[]
export interface XmlObject {
  [key: string]: XmlValue
}

export type SafeParseResult =
  | { ok: true; root: string; doc: XmlObject; text: string }
  | { ok: false; reason: XmlRejectReason; detail: string }

/**
 * What the reader gives: the root element's name and the value fast-xml-parser would give
 * under that name (so `[value]` for a `payment` or `balance` root).
 */
export type MarkupResult =
  { ok: true; root: string; value: XmlValue } | { ok: false; reason: XmlRejectReason; detail: string }

type Reject = Extract<MarkupResult, { ok: false }>

function reject(reason: XmlRejectReason, detail: string): Reject {
  return { ok: false, reason, detail }
}

/** `<?xml version="1.x" encoding="utf-8" standalone="…"?>`; QIWI replies are UTF-8. */
const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])utf-8\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>$/i

/** The declaration nearly every reply starts with (XML_DECL accepts it; checked without the regex). */
const COMMON_DECL = '<?xml version="1.0" encoding="utf-8"?>'

/** A processing instruction: `<?Target` + (whitespace + data)?, without the closing `?>`. */
const PI_HEAD = /^<\?([A-Za-z_][A-Za-z0-9._-]*)(?:[ \t\r\n][^]*)?$/

/**
 * Names of Object.prototype members. QIWI never uses them; a reply that does is
 * refused outright instead of relying on the library's renaming (defence in depth
 * against prototype pollution and shadowing). It also lets the reader build plain
 * objects with `obj[name]`: no name it accepts can reach an inherited property.
 */
const DANGEROUS_NAMES = new Set(
  [
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toString',
    'toLocaleString',
    'valueOf',
    '__defineGetter__',
    '__defineSetter__',
    '__lookupGetter__',
    '__lookupSetter__'
  ].map((n) => n.toLowerCase())
)
/** Every dangerous name has one of these lengths: most names skip the lower-casing. */
const DANGEROUS_LENGTHS = new Set([...DANGEROUS_NAMES].map((n) => n.length))

function isDangerousName(name: string): boolean {
  return DANGEROUS_LENGTHS.has(name.length) && DANGEROUS_NAMES.has(name.toLowerCase())
}

// Character classes of ASCII, by code: name start [A-Za-z_], name [A-Za-z0-9._-].
const NAME_START = 1
const NAME_CHAR = 2
/** Ends a name as the old tokenizer did: XML whitespace, `>`, `/`, `=`, `<`. */
const NAME_END = 4
const ASCII_CLASS = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if (/[A-Za-z_]/.test(ch)) ASCII_CLASS[c] = NAME_START | NAME_CHAR
  else if (/[0-9.-]/.test(ch)) ASCII_CLASS[c] = NAME_CHAR
  else if (' \t\n\r>/=<'.includes(ch)) ASCII_CLASS[c] = NAME_END
}

function isXmlWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}

/** True at the end of the text or on a character that ends a name. */
function endsName(s: string, i: number): boolean {
  if (i >= s.length) return true
  const c = s.charCodeAt(i)
  return c < 128 && ((ASCII_CLASS[c] as number) & NAME_END) !== 0
}

/** Hash of the last name asciiNameEnd read (see knownName). */
let nameHash = 0

/** Index after the ASCII name characters from `i` (== i when none starts there); sets nameHash. */
function asciiNameEnd(s: string, i: number): number {
  const n = s.length
  if (i >= n) return i
  const c0 = s.charCodeAt(i)
  if (c0 >= 128 || ((ASCII_CLASS[c0] as number) & NAME_START) === 0) return i
  let h = c0
  let k = i + 1
  while (k < n) {
    const c = s.charCodeAt(k)
    if (c >= 128 || ((ASCII_CLASS[c] as number) & NAME_CHAR) === 0) break
    h = (Math.imul(h, 31) + c) | 0
    k++
  }
  nameHash = h
  return k
}

function hashName(name: string): number {
  let h = name.charCodeAt(0)
  for (let k = 1; k < name.length; k++) h = (Math.imul(h, 31) + name.charCodeAt(k)) | 0
  return h
}

/**
 * The names of QIWI's replies and requests. A name found here is reused instead of sliced
 * from the text and checked again (dangerous-name check, `@_` prefix), and the objects are
 * keyed with the same strings every time. Any other name takes the general path.
 * `bit` lets a start tag notice a repeated known attribute without a property lookup.
 */
interface KnownName {
  name: string
  attrKey: string
  bit: number
}
/** An open-addressing table by name hash (a Map lookup costs more than the rest of a name). */
const KNOWN_SLOTS = 256
const KNOWN_MASK = KNOWN_SLOTS - 1
const KNOWN_HASHES = new Int32Array(KNOWN_SLOTS)
const KNOWN_ENTRIES = new Array<KnownName | undefined>(KNOWN_SLOTS).fill(undefined)

function knownSlot(h: number): number {
  return (h ^ (h >>> 8) ^ (h >>> 16)) & KNOWN_MASK
}

;[
  'status',
  'txn_id',
  'transaction-number',
  'result-code',
  'message',
  'msg',
  'final-status',
  'fatal-error',
  'txn-date',
  'fatal',
  'code',
  'name',
  'id',
  'version',
  'response',
  'request',
  'payment',
  'payments',
  'from',
  'to',
  'amount',
  'ccy',
  'service-id',
  'account-number',
  'extra',
  'balances',
  'balance',
  'balances-ovd',
  'balance-ovd',
  'lk-status',
  'exist',
  'deposit-possible',
  'provider',
  'request-type',
  'terminal-id',
  'auth',
  'phonenumber'
].forEach((name, index) => {
  const h = hashName(name)
  let slot = knownSlot(h)
  while (KNOWN_ENTRIES[slot] !== undefined) slot = (slot + 1) & KNOWN_MASK
  KNOWN_HASHES[slot] = h
  KNOWN_ENTRIES[slot] = { name, attrKey: `@_${name}`, bit: index < 31 ? 1 << index : 0 }
})
const CYRILLIC_RESULT_CODE_KEY = `@_${CYRILLIC_RESULT_CODE_ATTR}`

/** The known name at s[start, end) (asciiNameEnd just read it), or undefined. */
function knownName(s: string, start: number, end: number): KnownName | undefined {
  for (let slot = knownSlot(nameHash); ; slot = (slot + 1) & KNOWN_MASK) {
    const k = KNOWN_ENTRIES[slot]
    if (k === undefined) return undefined
    if (KNOWN_HASHES[slot] === nameHash && k.name.length === end - start && sameAt(s, start, k.name)) return k
  }
}

/** s[at, at + name.length) === name, without a builtin call (names are short). */
function sameAt(s: string, at: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) {
    if (s.charCodeAt(at + k) !== name.charCodeAt(k)) return false
  }
  return true
}

function skipWs(s: string, i: number): number {
  const n = s.length
  while (i < n && isXmlWs(s.charCodeAt(i))) i++
  return i
}

/** A code point the XML 1.0 `Char` production allows. */
function isXmlCharCode(v: number): boolean {
  return (
    v === 0x09 ||
    v === 0x0a ||
    v === 0x0d ||
    (v >= 0x20 && v <= 0xd7ff) ||
    (v >= 0xe000 && v <= 0xfffd) ||
    (v >= 0x10000 && v <= 0x10ffff)
  )
}

/**
 * The reference starting at `s[k] === '&'`: one of the five predefined entities or a
 * character reference (`&#N;`, `&#xH;`) to a character XML allows. Returns the index of
 * its `;`, or -1. Nothing is expanded: the value keeps the reference as written.
 */
function referenceEnd(s: string, k: number, to: number): number {
  let j = k + 1
  if (s.charCodeAt(j) === 0x23 /* # */) {
    j++
    const hex = s.charCodeAt(j) === 0x78 /* x */
    if (hex) j++
    const start = j
    let v = 0
    for (; j < to; j++) {
      const c = s.charCodeAt(j)
      let d: number
      if (c >= 0x30 && c <= 0x39) d = c - 0x30
      else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57
      else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37
      else break
      v = v * (hex ? 16 : 10) + d
      if (v > 0x10ffff) return -1
    }
    if (j === start || j >= to || s.charCodeAt(j) !== 0x3b /* ; */ || !isXmlCharCode(v)) return -1
    return j
  }
  switch (s.charCodeAt(j)) {
    case 0x61 /* a */:
      if (s.startsWith('amp;', j)) return j + 3
      if (s.startsWith('apos;', j)) return j + 4
      return -1
    case 0x6c /* l */:
      return s.startsWith('lt;', j) ? j + 2 : -1
    case 0x67 /* g */:
      return s.startsWith('gt;', j) ? j + 2 : -1
    case 0x71 /* q */:
      return s.startsWith('quot;', j) ? j + 4 : -1
    default:
      return -1
  }
}

// Why checkCharData failed (set only when it returns an index; read right after).
let charDataReason: XmlRejectReason = 'not-well-formed'
let charDataError = ''

function charFault(reason: XmlRejectReason, what: string): void {
  charDataReason = reason
  charDataError = what
}

/**
 * Checks character data (element text or an attribute value) in s[from, to): XML 1.0
 * characters only, `&` only as a reference, no `<`, and in text no `]]>`.
 * Returns -1, or the index of the fault with its description in `charDataError`.
 */
function checkCharData(s: string, from: number, to: number, inAttribute: boolean): number {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k)
    if (c >= 0x3f) {
      if (c < 0xd800) continue
      if (c <= 0xdbff) {
        const lo = s.charCodeAt(k + 1)
        if (k + 1 < to && lo >= 0xdc00 && lo <= 0xdfff) {
          k++
          continue
        }
        charFault('invalid-char', 'lone surrogate')
        return k
      }
      if (c >= 0xe000 && c <= 0xfffd) continue
      charFault('invalid-char', 'character not allowed in XML 1.0')
      return k
    }
    if (c >= 0x20) {
      if (c === 0x26 /* & */) {
        const e = referenceEnd(s, k, to)
        if (e === -1) {
          charFault('not-well-formed', "'&' that is not a predefined entity or character reference")
          return k
        }
        k = e
      } else if (c === 0x3c /* < */) {
        charFault('not-well-formed', "'<' in character data")
        return k
      } else if (c === 0x3e /* > */ && !inAttribute) {
        // The text run starts right after a '>', so k - 2 never reads a ']' of markup.
        if (s.charCodeAt(k - 1) === 0x5d && s.charCodeAt(k - 2) === 0x5d) {
          charFault('not-well-formed', "']]>' in text")
          return k
        }
      }
      continue
    }
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue
    charFault('invalid-char', 'character not allowed in XML 1.0')
    return k
  }
  return -1
}

/** Any character XML 1.0 forbids in s[from, to) (comments and PIs: no other rule applies). */
function hasInvalidChar(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k)
    if (c >= 0x20 && c < 0xd800) continue
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue
    if (c <= 0xdbff && c >= 0xd800) {
      const lo = s.charCodeAt(k + 1)
      if (k + 1 < to && lo >= 0xdc00 && lo <= 0xdfff) {
        k++
        continue
      }
      return true
    }
    if (c >= 0xe000 && c <= 0xfffd) continue
    return true
  }
  return false
}

/** TOPUP_PARSER_OPTIONS.isArray: these are arrays even when single (the root too). */
function isArrayElement(name: string): boolean {
  return name === 'payment' || name === 'balance'
}

/**
 * Adds one element's value to its parent the way fast-xml-parser's `compress` does:
 * the first occurrence is the value itself (an array of one for `payment`/`balance`),
 * a repeated name turns into an array in document order.
 */
function attach(parent: XmlObject, name: string, value: XmlValue): void {
  const prev = parent[name]
  if (prev === undefined) {
    parent[name] = isArrayElement(name) ? [value] : value
  } else if (Array.isArray(prev)) {
    prev.push(value)
  } else {
    parent[name] = [prev, value]
  }
}

/**
 * Reads a reply in one pass: checks it and builds its tree (see the file comment).
 * Rules beyond XML's own well-formedness, each refused: non-ASCII or namespaced names
 * (but `result-сode`), DOCTYPE, CDATA, `Object.prototype` member names, more than
 * MAX_XML_DEPTH levels, MAX_ATTRIBUTES_PER_ELEMENT attributes or MAX_ELEMENTS elements,
 * entity references other than the five predefined ones, and whitespace at the top level
 * before a processing instruction (fast-xml-parser would keep it as text beside the root).
 * Names, whitespace and quoting follow XML's own rules (space, tab, CR, LF only).
 */
export function scanMarkup(input: string): MarkupResult {
  // As XML (and fast-xml-parser) do: every CRLF or lone CR is read as LF.
  const s = input.indexOf('\r') === -1 ? input : input.replace(/\r\n?/g, '\n')
  const n = s.length
  let i = 0
  let depth = 0
  let elements = 0
  let seenRoot = false
  let rootClosed = false
  let rootName = ''
  let rootValue: XmlValue = ''
  /** Whitespace read at the top level since the last tag or PI. */
  let topText = false
  // Open elements: name, object (attributes and children; null while it has neither), text.
  const names: string[] = []
  const objects: (XmlObject | null)[] = []
  const texts: string[] = []

  while (i < n) {
    const lt = s.indexOf('<', i)
    const textEnd = lt === -1 ? n : lt
    if (textEnd > i) {
      if (depth === 0) {
        // Only whitespace may stand outside the root element (this also refuses a BOM).
        for (let k = i; k < textEnd; k++) {
          const c = s.charCodeAt(k)
          if (!isXmlWs(c)) {
            return reject(c > 0x7e ? 'non-ascii-markup' : 'not-well-formed', `text outside root at ${k}`)
          }
        }
        topText = true
      } else {
        const bad = checkCharData(s, i, textEnd, false)
        if (bad !== -1) {
          return reject(charDataReason, `${charDataError} at ${bad}`)
        }
        texts[depth - 1] += s.slice(i, textEnd)
      }
    }
    if (lt === -1) break
    i = lt
    const c1 = s.charCodeAt(i + 1)

    if (c1 === 0x21 /* ! */) {
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i + 4)
        if (end === -1) return reject('not-well-formed', 'unterminated comment')
        if (s.indexOf('--', i + 4) !== end) return reject('not-well-formed', `'--' inside a comment at ${i}`)
        if (hasInvalidChar(s, i + 4, end)) {
          return reject('invalid-char', `character not allowed in a comment at ${i}`)
        }
        i = end + 3
        continue
      }
      if (s.startsWith('<![CDATA[', i)) return reject('cdata', `CDATA at ${i}`)
      return reject('doctype', `markup declaration at ${i}`)
    }

    if (c1 === 0x3f /* ? */) {
      const end = s.indexOf('?>', i + 2)
      if (end === -1) return reject('not-well-formed', 'unterminated processing instruction')
      for (let k = i; k < end; k++) {
        const c = s.charCodeAt(k)
        if (c > 0x7e) return reject('non-ascii-markup', `non-ASCII in processing instruction at ${k}`)
        if (c < 0x20 && !isXmlWs(c)) return reject('invalid-char', `character not allowed in XML 1.0 at ${k}`)
      }
      if (i === 0 && end === COMMON_DECL.length - 2 && s.startsWith(COMMON_DECL)) {
        i = end + 2
        continue
      }
      // A PI is `<?Target` + (whitespace + data)? + `?>`; the target `xml` only as the declaration at offset 0.
      const m = PI_HEAD.exec(s.slice(i, end))
      if (!m) return reject('not-well-formed', `bad processing instruction at ${i}`)
      if ((m[1] ?? '').toLowerCase() === 'xml') {
        if (i !== 0) return reject('not-well-formed', `misplaced XML declaration at ${i}`)
        if (!XML_DECL.test(s.slice(0, end + 2))) {
          return reject('not-well-formed', 'malformed XML declaration (or not UTF-8)')
        }
      }
      // fast-xml-parser ends a PI at the first `?>` outside quotes: a quote left open at the
      // first `?>` would make it read further than XML does.
      for (let k = i + 2; k < end; k++) {
        const c = s.charCodeAt(k)
        if (c === 0x22 || c === 0x27) {
          const close = s.indexOf(c === 0x22 ? '"' : "'", k + 1)
          if (close === -1 || close > end) {
            return reject('not-well-formed', `open quote in processing instruction at ${k}`)
          }
          k = close
        }
      }
      if (depth === 0 && topText) {
        return reject('not-well-formed', `text before a processing instruction outside the root at ${i}`)
      }
      topText = false
      i = end + 2
      continue
    }

    if (c1 === 0x2f /* / */) {
      const nameStart = i + 2
      i = asciiNameEnd(s, nameStart)
      if (i === nameStart || !endsName(s, i)) {
        return reject('non-ascii-markup', `bad closing tag name at ${nameStart}`)
      }
      const nameEnd = i
      i = skipWs(s, i)
      if (s.charCodeAt(i) !== 0x3e) return reject('not-well-formed', `bad closing tag at ${i}`)
      i++
      if (depth === 0) return reject('not-well-formed', 'unbalanced closing tag')
      const d = depth - 1
      const name = names[d] as string
      if (nameEnd - nameStart !== name.length || !sameAt(s, nameStart, name)) {
        return reject('not-well-formed', `closing tag at ${nameStart} does not match <${name}>`)
      }
      const obj = objects[d] as XmlObject | null
      const text = texts[d] as string
      let value: XmlValue
      if (obj === null) {
        value = text
      } else {
        if (text.length > 0) obj['#text'] = text
        value = obj
      }
      depth = d
      if (d === 0) {
        rootName = name
        rootValue = isArrayElement(name) ? [value] : value
        rootClosed = true
      } else {
        attach((objects[d - 1] ??= {}), name, value)
      }
      topText = false
      continue
    }

    // Start tag.
    if (rootClosed) return reject('not-well-formed', 'content after the root element')
    const tagStart = i + 1
    i = asciiNameEnd(s, tagStart)
    if (i === tagStart || !endsName(s, i)) return reject('non-ascii-markup', `bad tag name at ${tagStart}`)
    const knownTag = knownName(s, tagStart, i)
    let tag: string
    if (knownTag !== undefined) {
      tag = knownTag.name
    } else {
      tag = s.slice(tagStart, i)
      if (isDangerousName(tag)) return reject('dangerous-name', `reserved tag name at ${tagStart}`)
    }
    elements++
    if (elements > MAX_ELEMENTS) return reject('too-many-elements', `more than ${MAX_ELEMENTS} elements`)
    seenRoot = true
    topText = false
    let obj: XmlObject | null = null
    let attrCount = 0
    let seenAttrs = 0
    for (;;) {
      const before = i
      i = skipWs(s, i)
      if (i >= n) return reject('not-well-formed', 'unterminated start tag')
      const c = s.charCodeAt(i)
      if (c === 0x3e /* > */) {
        i++
        if (depth >= MAX_XML_DEPTH) return reject('too-deep', `nesting deeper than ${MAX_XML_DEPTH}`)
        names[depth] = tag
        objects[depth] = obj
        texts[depth] = ''
        depth++
        break
      }
      if (c === 0x2f /* / */) {
        if (s.charCodeAt(i + 1) !== 0x3e) return reject('not-well-formed', `bad empty-element tag at ${i}`)
        i += 2
        const value: XmlValue = obj ?? ''
        if (depth === 0) {
          rootName = tag
          rootValue = isArrayElement(tag) ? [value] : value
          rootClosed = true
        } else {
          attach((objects[depth - 1] ??= {}), tag, value)
        }
        break
      }
      if (i === before) return reject('not-well-formed', `missing whitespace before attribute at ${i}`)
      const attrStart = i
      i = asciiNameEnd(s, attrStart)
      let attr: string
      let key: string
      let bit = 0
      if (endsName(s, i)) {
        if (i === attrStart) return reject('not-well-formed', `bad attribute at ${i}`)
        const known = knownName(s, attrStart, i)
        if (known !== undefined) {
          attr = known.name
          key = known.attrKey
          bit = known.bit
        } else {
          attr = s.slice(attrStart, i)
          if (isDangerousName(attr)) {
            return reject('dangerous-name', `reserved attribute name at ${attrStart}`)
          }
          key = `@_${attr}`
        }
      } else if (s.startsWith(CYRILLIC_RESULT_CODE_ATTR, attrStart) && endsName(s, attrStart + 11)) {
        attr = CYRILLIC_RESULT_CODE_ATTR
        key = CYRILLIC_RESULT_CODE_KEY
        i = attrStart + 11
      } else {
        return reject('non-ascii-markup', `bad attribute name at ${attrStart}`)
      }
      if (bit !== 0 ? (seenAttrs & bit) !== 0 : obj !== null && obj[key] !== undefined) {
        return reject('duplicate-attribute', `attribute ${attr} repeated`)
      }
      seenAttrs |= bit
      if (++attrCount > MAX_ATTRIBUTES_PER_ELEMENT) {
        return reject('too-many-attributes', `more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes`)
      }
      i = skipWs(s, i)
      if (s.charCodeAt(i) !== 0x3d) return reject('not-well-formed', `attribute without value at ${i}`)
      i = skipWs(s, i + 1)
      const q = s.charCodeAt(i)
      if (q !== 0x22 && q !== 0x27) return reject('not-well-formed', `unquoted attribute value at ${i}`)
      const close = s.indexOf(q === 0x22 ? '"' : "'", i + 1)
      if (close === -1) return reject('not-well-formed', 'unterminated attribute value')
      const bad = checkCharData(s, i + 1, close, true)
      if (bad !== -1) {
        return reject(charDataReason, `${charDataError} at ${bad}`)
      }
      ;(obj ??= {})[key] = s.slice(i + 1, close)
      i = close + 1
    }
  }
  if (!seenRoot) return reject('empty', 'no root element')
  if (depth !== 0 || !rootClosed) return reject('not-well-formed', 'unclosed element')
  return { ok: true, root: rootName, value: rootValue }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Parses a reply body. Never throws; every rejection is a reason. */
export function parseTopupXml(
  input: string | Uint8Array,
  maxBytes: number = DEFAULT_MAX_RESPONSE_BYTES
): SafeParseResult {
  let text: string
  if (typeof input === 'string') {
    // UTF-8 is at most 3 bytes per UTF-16 unit: most strings need no byte count.
    if (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes) {
      return { ok: false, reason: 'too-large', detail: `over ${maxBytes} bytes` }
    }
    text = input
  } else {
    if (input.byteLength > maxBytes) {
      return { ok: false, reason: 'too-large', detail: `over ${maxBytes} bytes` }
    }
    try {
      text = decoder.decode(input)
    } catch {
      return { ok: false, reason: 'invalid-utf8', detail: 'body is not valid UTF-8' }
    }
  }
  const read = scanMarkup(text)
  if (!read.ok) {
    // Same precedence as the checks had when they were separate passes.
    if (text.trim().length === 0) return { ok: false, reason: 'empty', detail: 'empty body' }
    const bad = findInvalidXmlChar(text)
    if (bad !== -1) {
      return { ok: false, reason: 'invalid-char', detail: `character not allowed in XML 1.0 at ${bad}` }
    }
    return read
  }
  const v = read.value
  // A root with text only (e.g. `<response>x</response>`) is kept as an object with #text.
  // (A `payment` or `balance` root is an array, so an empty document, as it always was.)
  const doc: XmlObject = isXmlObject(v) ? v : typeof v === 'string' ? { '#text': v } : {}
  return { ok: true, root: read.root, doc, text }
}

// ---------------------------------------------------------------------------
// Safe accessors: parsed objects may carry any own key (e.g. `constructor`, `__toString`),
// so nothing here calls a method on them or reads inherited properties.
// ---------------------------------------------------------------------------

export function isXmlObject(v: unknown): v is XmlObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function ownGet(obj: XmlObject, key: string): XmlValue | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined
}

/** All values of a child element (0, 1 or many). */
export function children(obj: XmlObject, name: string): XmlValue[] {
  const v = ownGet(obj, name)
  if (v === undefined) return []
  return Array.isArray(v) ? v : [v]
}

export type Single<T> = { kind: 'absent' } | { kind: 'one'; value: T } | { kind: 'many' }

/** The single child element `name`; `many` when repeated (ambiguous). */
export function single(obj: XmlObject, name: string): Single<XmlValue> {
  const all = children(obj, name)
  if (all.length === 0) return { kind: 'absent' }
  if (all.length > 1) return { kind: 'many' }
  return { kind: 'one', value: all[0] as XmlValue }
}

/** Text content of an element value (string, or the #text of an element with attributes). */
export function textOf(v: XmlValue): string | undefined {
  if (typeof v === 'string') return v
  if (isXmlObject(v)) {
    const t = ownGet(v, '#text')
    if (t === undefined) return ''
    return typeof t === 'string' ? t : undefined
  }
  return undefined
}

/** An attribute value (raw, entities not decoded). */
export function attr(v: XmlValue, name: string): string | undefined {
  if (!isXmlObject(v)) return undefined
  const a = ownGet(v, `@_${name}`)
  return typeof a === 'string' ? a : undefined
}

/** Trim XML whitespace only (not JS `\s`, which includes U+FEFF etc.). */
export function trimXmlWs(s: string): string {
  let a = 0
  let b = s.length
  while (a < b && isXmlWs(s.charCodeAt(a))) a++
  while (b > a && isXmlWs(s.charCodeAt(b - 1))) b--
  return a === 0 && b === s.length ? s : s.slice(a, b)
}

/**
 * Depth-first search for elements named `name` at any depth (bounded by the reader's depth
 * cap), stopping once `limit` were found (the classifier only needs to know 0, 1 or more).
 */
export function findAll(obj: XmlObject, name: string, limit: number = Infinity): XmlValue[] {
  const out: XmlValue[] = []
  findInto(obj, name, limit, 0, out)
  return out
}

function findInto(o: XmlObject, name: string, limit: number, depth: number, out: XmlValue[]): void {
  if (depth > MAX_XML_DEPTH + 1) return
  for (const key of Object.keys(o)) {
    if (key === '#text' || key.startsWith('@_')) continue
    const v = o[key]
    if (v === undefined) continue
    if (Array.isArray(v)) {
      if (key === name) {
        for (const item of v) {
          if (out.length >= limit) return
          out.push(item)
        }
      }
      for (const item of v) {
        if (isXmlObject(item)) findInto(item, name, limit, depth + 1, out)
        if (out.length >= limit) return
      }
    } else {
      if (key === name) {
        if (out.length >= limit) return
        out.push(v)
      }
      if (isXmlObject(v)) findInto(v, name, limit, depth + 1, out)
    }
    if (out.length >= limit) return
  }
}
