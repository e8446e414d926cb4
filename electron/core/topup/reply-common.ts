/**
 * Pieces shared by all reply classifiers: document loading, the request-level
 * `<result-code>`, balances, and the mapping of parse/transport failures to reasons.
 */
import { formatAmount, parseWireAmount } from '../../../shared/money'
import { isFatalRequestCode } from './codes'
import { attr, isXmlObject, ownGet, parseTopupXml, single, textOf, trimXmlWs } from './safe-xml'
import type { XmlObject, XmlRejectReason, XmlValue } from './safe-xml'
import { decodeXmlText } from './xml-text'
import type { Balances, OutcomeReason, TransportError } from './types'

/** Canonical integers only: `060` or `-0` are not `60` / `0` (a mutated reply must not pass). */
export const CODE_RE = /^(?:0|-?[1-9][0-9]{0,5})$/
export const WIRE_AMOUNT_RE = /^-?[0-9]{1,15}(?:\.[0-9]{1,2})?$/

export function xmlReason(r: XmlRejectReason): OutcomeReason {
  switch (r) {
    case 'empty':
      return 'empty-body'
    case 'too-large':
      return 'too-large'
    case 'not-well-formed':
    case 'invalid-utf8':
      return 'xml-invalid'
    default:
      return 'xml-rejected'
  }
}

export function transportReason(e: TransportError): OutcomeReason {
  switch (e.kind) {
    case 'timeout':
    case 'connect-timeout':
      return 'timeout'
    case 'tls':
    case 'pin-mismatch':
      return 'tls'
    case 'too-large':
      return 'too-large'
    default:
      return 'transport'
  }
}

export type LoadedReply = { ok: true; doc: XmlObject } | { ok: false; reason: OutcomeReason }

/** Parses a reply and checks the root is `<response>`. */
export function loadReply(body: string | Uint8Array, maxBytes?: number): LoadedReply {
  const parsed = parseTopupXml(body, maxBytes)
  if (!parsed.ok) return { ok: false, reason: xmlReason(parsed.reason) }
  if (parsed.root !== 'response') return { ok: false, reason: 'xml-invalid' }
  return { ok: true, doc: parsed.doc }
}

export interface RequestLevel {
  /** undefined when the reply has no top-level `<result-code>`. */
  code: number | undefined
  /** `fatal="true"` or a code the docs mark fatal. */
  fatal: boolean
  message: string | undefined
}

/** The top-level result code; null when it is malformed or repeated (reply unusable). */
export function readRequestLevel(doc: XmlObject): RequestLevel | null {
  const rc = single(doc, 'result-code')
  if (rc.kind === 'many') return null
  if (rc.kind === 'absent') return { code: undefined, fatal: false, message: undefined }
  const raw = textOf(rc.value)
  if (raw === undefined) return null
  const t = trimXmlWs(raw)
  if (!CODE_RE.test(t)) return null
  const code = Number(t)
  const fatalAttr = attr(rc.value, 'fatal')
  const fatal = (fatalAttr !== undefined && trimXmlWs(fatalAttr) === 'true') || isFatalRequestCode(code)
  return { code, fatal, message: freeText(attr(rc.value, 'message') ?? attr(rc.value, 'msg')) }
}

/** Free text (message/msg/comment): decode the predefined entities, nothing else. */
export function freeText(v: string | undefined): string | undefined {
  return v === undefined ? undefined : decodeXmlText(v)
}

const BALANCE_CODE_RE = /^(?:[0-9]{3}|[A-Z]{3})$/
/** Already in the normalized form (≤ 13 integer digits: always a safe number of kopecks). */
const CANONICAL_AMOUNT_RE = /^(?:0|[1-9][0-9]{0,12})\.[0-9]{2}$/

/** One `<balance>`: its currency code and normalized amount, or null when malformed. */
function readBalance(item: XmlValue): [string, string] | null {
  const code = attr(item, 'code')
  const raw = textOf(item)
  if (code === undefined || raw === undefined || !BALANCE_CODE_RE.test(code)) return null
  const v = trimXmlWs(raw)
  if (!WIRE_AMOUNT_RE.test(v)) return null
  if (CANONICAL_AMOUNT_RE.test(v)) return [code, v]
  const kopecks = parseWireAmount(v)
  return kopecks === null ? null : [code, formatAmount(kopecks)]
}

/**
 * `<balances><balance code="643">200.00</balance>…` → { '643': '200.00' }.
 * Lenient (seed 001 shows `200`): normalized to two decimals; malformed or repeated
 * entries are dropped (balances are for display, never for a payment decision).
 */
export function readBalances(doc: XmlObject): Balances {
  const out: Balances = {}
  const lists = ownGet(doc, 'balances')
  if (lists === undefined) return out
  let seen: Set<string> | null = null
  for (const b of Array.isArray(lists) ? lists : [lists]) {
    if (!isXmlObject(b)) continue
    const items = ownGet(b, 'balance')
    if (items === undefined) continue
    for (const item of Array.isArray(items) ? items : [items]) {
      const entry = readBalance(item)
      if (entry === null) continue
      const [code, amount] = entry
      seen ??= new Set<string>()
      if (seen.has(code)) {
        // A repeated currency is ambiguous: show neither value.
        Reflect.deleteProperty(out, code)
        continue
      }
      seen.add(code)
      // A code is 3 digits or 3 capital letters (BALANCE_CODE_RE): never an Object.prototype member.
      out[code] = amount
    }
  }
  return out
}

/** Trimmed text of a single child element, or undefined when absent/repeated/not text. */
export function childText(obj: XmlObject, name: string): string | undefined {
  const v = ownGet(obj, name)
  // Absent, or repeated (an array of two or more; only payment/balance are arrays when single).
  if (v === undefined || (Array.isArray(v) && v.length !== 1)) return undefined
  const t = textOf(Array.isArray(v) ? (v[0] as XmlValue) : v)
  return t === undefined ? undefined : trimXmlWs(t)
}

/** A 0/1 flag element: 'absent', 'invalid' (malformed or repeated) or the boolean. */
export function readFlag(doc: XmlObject, name: string): boolean | 'absent' | 'invalid' {
  const s = single(doc, name)
  if (s.kind === 'absent') return 'absent'
  if (s.kind === 'many') return 'invalid'
  const t = textOf(s.value)
  if (t === undefined) return 'invalid'
  const v = trimXmlWs(t)
  if (v === '1') return true
  if (v === '0') return false
  return 'invalid'
}
