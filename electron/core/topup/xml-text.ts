/**
 * XML 1.0 character rules shared by the serializer and the parser.
 *
 * The serializer escapes every value itself instead of using XMLBuilder: the QIWI
 * comment is user text, and XMLBuilder had comment/CDATA injection bugs
 * (GHSA-gh4j-gqv2-49f6). Characters XML 1.0 cannot carry at all (NUL, most C0
 * controls, lone surrogates, U+FFFE/U+FFFF) are refused before building.
 */

/**
 * Matches one character that is NOT allowed by the XML 1.0 `Char` production:
 * #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
 * The `u` flag makes a well-formed surrogate pair one code point, so only lone
 * surrogates match the surrogate range.
 */
const INVALID_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

/** Index of the first character XML 1.0 forbids, or -1. */
export function findInvalidXmlChar(s: string): number {
  const m = INVALID_XML_CHAR.exec(s)
  return m ? m.index : -1
}

export function isValidXmlText(s: string): boolean {
  return findInvalidXmlChar(s) === -1
}

/**
 * Escapes text for element content. `>` is escaped too (`]]>` is forbidden in
 * content) and CR is written as a character reference so that a conforming
 * parser does not normalize it away.
 */
export function escapeXmlText(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i)
    switch (ch) {
      case 0x26:
        out += '&amp;'
        break
      case 0x3c:
        out += '&lt;'
        break
      case 0x3e:
        out += '&gt;'
        break
      case 0x22:
        out += '&quot;'
        break
      case 0x27:
        out += '&apos;'
        break
      case 0x0d:
        out += '&#13;'
        break
      default:
        out += s[i]
    }
  }
  return out
}

/** Attribute values additionally keep TAB and LF (attribute-value normalization would turn them into spaces). */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;')
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * Decodes the five predefined entities and numeric character references in a
 * free-text value (message, msg, comment). The parser runs with
 * `processEntities: false`, so nothing else is ever expanded; an unknown or
 * invalid reference is left as written. Linear, no recursion, no expansion limit
 * needed (a reference never produces more characters than it consumes).
 */
export function decodeXmlText(s: string): string {
  if (s.indexOf('&') === -1) return s
  return s.replace(/&(#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6}|amp|lt|gt|quot|apos);/g, (whole, ref: string) => {
    if (ref.charCodeAt(0) === 0x23) {
      const cp =
        ref.charCodeAt(1) === 0x78 ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10)
      if (!Number.isInteger(cp) || cp > 0x10ffff) return whole
      const ch = String.fromCodePoint(cp)
      return isValidXmlText(ch) ? ch : whole
    }
    return Object.prototype.hasOwnProperty.call(PREDEFINED, ref) ? (PREDEFINED[ref] ?? whole) : whole
  })
}

/** Length in Unicode code points (what "up to 1000 characters" counts). */
export function codePointLength(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}
