/**
 * Hardened parsing of untrusted Top-Up replies (RELIABILITY §2.1, rows X2/X3).
 *
 * Pipeline: byte cap → strict UTF-8 decode → XML 1.0 character check → markup
 * scanner (ASCII names, no DOCTYPE/CDATA, depth/attribute caps, one root) →
 * XMLValidator.validate → XMLParser.parse with locked options.
 *
 * Why a scanner of our own: fast-xml-parser splits attribute names on JavaScript
 * `\s`, which matches U+FEFF and U+1680 although XML treats them as name
 * characters. `<payment status="160" status\uFEFF="60"/>` passes the validator and
 * parses as status 60. QIWI markup is ASCII, so every tag and attribute name must
 * be ASCII; the one exception is the documented typo `result-сode` (Cyrillic U+0441,
 * spec §9 #8), which is accepted by exact spelling only.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { findInvalidXmlChar } from './xml-text'

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024
export const MAX_XML_DEPTH = 20
export const MAX_ATTRIBUTES_PER_ELEMENT = 32
export const MAX_ELEMENTS = 4096

/** The misspelt attribute of the status examples: "result-" + U+0441 + "ode". */
export const CYRILLIC_RESULT_CODE_ATTR = 'result-\u0441ode'

/**
 * Parser options, locked (snapshot-tested). Values stay strings; no entity is
 * ever expanded; `payment` and `balance` always come back as arrays.
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

/**
 * One parser for every reply: XMLParser.parse() builds a fresh OrderedObjParser per document
 * and keeps no state between calls (no addEntity is ever used), so reusing the instance only
 * saves its construction (bench: classify/parse ratio 1.95 → 1.7).
 */
let parserInstance: XMLParser | null = null
function sharedParser(): XMLParser {
  parserInstance ??= new XMLParser(TOPUP_PARSER_OPTIONS)
  return parserInstance
}

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
  | 'parser-error'

/** A parsed node: string (text-only element) or an object of children/attributes. */
export type XmlValue = string | XmlObject | XmlValue[]
export interface XmlObject {
  [key: string]: XmlValue
}

export type SafeParseResult =
  | { ok: true; root: string; doc: XmlObject; text: string }
  | { ok: false; reason: XmlRejectReason; detail: string }

// No `:`: QIWI uses no namespaces, and a prefixed name (`p:result-code`) would hide a known one.
const ASCII_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/

/** `<?xml version="1.x" encoding="utf-8" standalone="…"?>`; QIWI replies are UTF-8. */
const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])utf-8\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>$/i

/**
 * Names of Object.prototype members. QIWI never uses them; a reply that does is
 * refused outright instead of relying on the library's renaming (defence in depth
 * against prototype pollution and shadowing).
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

function isDangerousName(name: string): boolean {
  return DANGEROUS_NAMES.has(name.toLowerCase())
}

function isXmlWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}

type ScanResult = { ok: true } | { ok: false; reason: XmlRejectReason; detail: string }

function reject(reason: XmlRejectReason, detail: string): ScanResult {
  return { ok: false, reason, detail }
}

/**
 * Tokenizes markup with XML's own whitespace rules (space, tab, CR, LF only).
 * It does not replace the validator; it rejects what the validator lets through
 * and what QIWI never sends.
 */
export function scanMarkup(s: string): ScanResult {
  const n = s.length
  let i = 0
  let depth = 0
  let elements = 0
  let rootClosed = false
  let seenRoot = false

  const readName = (): string => {
    const start = i
    while (i < n) {
      const c = s.charCodeAt(i)
      if (
        isXmlWs(c) ||
        c === 0x3e /* > */ ||
        c === 0x2f /* / */ ||
        c === 0x3d /* = */ ||
        c === 0x3c /* < */
      ) {
        break
      }
      i++
    }
    return s.slice(start, i)
  }
  const skipWs = (): void => {
    while (i < n && isXmlWs(s.charCodeAt(i))) i++
  }

  while (i < n) {
    const lt = s.indexOf('<', i)
    const textEnd = lt === -1 ? n : lt
    if (depth === 0) {
      // Only whitespace may stand outside the root element (this also refuses a BOM).
      for (let k = i; k < textEnd; k++) {
        const c = s.charCodeAt(k)
        if (!isXmlWs(c)) {
          return reject(c > 0x7e ? 'non-ascii-markup' : 'not-well-formed', `text outside root at ${k}`)
        }
      }
    }
    if (lt === -1) break
    i = lt
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4)
      if (end === -1) return reject('not-well-formed', 'unterminated comment')
      i = end + 3
      continue
    }
    if (s.startsWith('<![CDATA[', i)) return reject('cdata', `CDATA at ${i}`)
    if (s.startsWith('<!', i)) return reject('doctype', `markup declaration at ${i}`)
    if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i + 2)
      if (end === -1) return reject('not-well-formed', 'unterminated processing instruction')
      for (let k = i; k < end; k++) {
        if (s.charCodeAt(k) > 0x7e) {
          return reject('non-ascii-markup', `non-ASCII in processing instruction at ${k}`)
        }
      }
      // A PI is `<?Target` + (whitespace + data)? + `?>`; the target `xml` only as the declaration at offset 0.
      const m = /^<\?([A-Za-z_][A-Za-z0-9._-]*)(?:[ \t\r\n][^]*)?$/.exec(s.slice(i, end))
      if (!m) return reject('not-well-formed', `bad processing instruction at ${i}`)
      if ((m[1] ?? '').toLowerCase() === 'xml') {
        if (i !== 0) return reject('not-well-formed', `misplaced XML declaration at ${i}`)
        if (!XML_DECL.test(s.slice(0, end + 2))) {
          return reject('not-well-formed', 'malformed XML declaration (or not UTF-8)')
        }
      }
      i = end + 2
      continue
    }
    if (s.startsWith('</', i)) {
      i += 2
      const name = readName()
      if (!ASCII_NAME.test(name)) return reject('non-ascii-markup', `bad closing tag name at ${i}`)
      skipWs()
      if (s.charCodeAt(i) !== 0x3e) return reject('not-well-formed', `bad closing tag at ${i}`)
      i++
      depth--
      if (depth < 0) return reject('not-well-formed', 'unbalanced closing tag')
      if (depth === 0) rootClosed = true
      continue
    }
    // Start tag.
    if (rootClosed) return reject('not-well-formed', 'content after the root element')
    i++
    const tag = readName()
    if (!ASCII_NAME.test(tag)) return reject('non-ascii-markup', `bad tag name at ${i - tag.length}`)
    if (isDangerousName(tag)) return reject('dangerous-name', `reserved tag name at ${i - tag.length}`)
    elements++
    if (elements > MAX_ELEMENTS) return reject('too-many-elements', `more than ${MAX_ELEMENTS} elements`)
    seenRoot = true
    const attrs = new Set<string>()
    for (;;) {
      const before = i
      skipWs()
      if (i >= n) return reject('not-well-formed', 'unterminated start tag')
      const c = s.charCodeAt(i)
      if (c === 0x3e) {
        i++
        depth++
        if (depth > MAX_XML_DEPTH) return reject('too-deep', `nesting deeper than ${MAX_XML_DEPTH}`)
        break
      }
      if (c === 0x2f) {
        if (s.charCodeAt(i + 1) !== 0x3e) return reject('not-well-formed', `bad empty-element tag at ${i}`)
        i += 2
        if (depth === 0) rootClosed = true
        break
      }
      if (i === before) return reject('not-well-formed', `missing whitespace before attribute at ${i}`)
      const attr = readName()
      if (attr.length === 0) return reject('not-well-formed', `bad attribute at ${i}`)
      if (!ASCII_NAME.test(attr) && attr !== CYRILLIC_RESULT_CODE_ATTR) {
        return reject('non-ascii-markup', `bad attribute name at ${i - attr.length}`)
      }
      if (isDangerousName(attr)) {
        return reject('dangerous-name', `reserved attribute name at ${i - attr.length}`)
      }
      if (attrs.has(attr)) return reject('duplicate-attribute', `attribute ${attr} repeated`)
      attrs.add(attr)
      if (attrs.size > MAX_ATTRIBUTES_PER_ELEMENT) {
        return reject('too-many-attributes', `more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes`)
      }
      skipWs()
      if (s.charCodeAt(i) !== 0x3d) return reject('not-well-formed', `attribute without value at ${i}`)
      i++
      skipWs()
      const q = s.charCodeAt(i)
      if (q !== 0x22 && q !== 0x27) return reject('not-well-formed', `unquoted attribute value at ${i}`)
      const close = s.indexOf(q === 0x22 ? '"' : "'", i + 1)
      if (close === -1) return reject('not-well-formed', 'unterminated attribute value')
      if (s.slice(i + 1, close).includes('<')) {
        return reject('not-well-formed', `'<' in attribute value at ${i}`)
      }
      i = close + 1
    }
  }
  if (!seenRoot) return reject('empty', 'no root element')
  if (depth !== 0 || !rootClosed) return reject('not-well-formed', 'unclosed element')
  return { ok: true }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Parses a reply body. Never throws; every rejection is a reason. */
export function parseTopupXml(
  input: string | Uint8Array,
  maxBytes: number = DEFAULT_MAX_RESPONSE_BYTES
): SafeParseResult {
  let text: string
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > maxBytes) {
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
  if (text.trim().length === 0) return { ok: false, reason: 'empty', detail: 'empty body' }
  const bad = findInvalidXmlChar(text)
  if (bad !== -1) {
    return { ok: false, reason: 'invalid-char', detail: `character not allowed in XML 1.0 at ${bad}` }
  }
  const scan = scanMarkup(text)
  if (!scan.ok) return scan
  let validation: true | { err: { code: string; msg: string } }
  try {
    validation = XMLValidator.validate(text, { allowBooleanAttributes: false })
  } catch (e) {
    return {
      ok: false,
      reason: 'not-well-formed',
      detail: e instanceof Error ? e.message : 'validator failure'
    }
  }
  if (validation !== true) {
    return { ok: false, reason: 'not-well-formed', detail: `${validation.err.code}: ${validation.err.msg}` }
  }
  let parsed: unknown
  try {
    parsed = sharedParser().parse(text)
  } catch (e) {
    return { ok: false, reason: 'parser-error', detail: e instanceof Error ? e.message : 'parser failure' }
  }
  if (!isXmlObject(parsed)) return { ok: false, reason: 'parser-error', detail: 'no document' }
  const roots = Object.keys(parsed)
  if (roots.length !== 1) {
    return { ok: false, reason: 'not-well-formed', detail: 'expected exactly one root element' }
  }
  const root = roots[0] as string
  const doc = ownGet(parsed, root)
  // A root with text only (e.g. `<response>x</response>`) is kept as an object with #text.
  const rootObj: XmlObject = isXmlObject(doc) ? doc : typeof doc === 'string' ? { '#text': doc } : {}
  return { ok: true, root, doc: rootObj, text }
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
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')
}

/** Depth-first search for elements named `name` at any depth (bounded by the parser's depth cap). */
export function findAll(obj: XmlObject, name: string): XmlValue[] {
  const out: XmlValue[] = []
  const visit = (o: XmlObject, depth: number): void => {
    if (depth > MAX_XML_DEPTH + 1) return
    for (const key of Object.keys(o)) {
      if (key.startsWith('@_') || key === '#text') continue
      const v = o[key]
      if (v === undefined) continue
      const list = Array.isArray(v) ? v : [v]
      if (key === name) out.push(...list)
      for (const item of list) if (isXmlObject(item)) visit(item, depth + 1)
    }
  }
  visit(obj, 0)
  return out
}
