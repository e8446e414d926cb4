/**
 * The emulator's own request parser. Deliberately independent of the client's
 * XML module (electron/core/topup) so that a bug there is not mirrored here and
 * hidden by the tests. Hardened: byte cap before decoding, strict UTF-8, no
 * DOCTYPE, entities left unexpanded by the library (the five predefined ones and
 * character references are decoded here, after parsing), values kept as
 * strings, validator first because the parser accepts unclosed documents.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'

export const MAX_REQUEST_BYTES = 64 * 1024

export interface ParsedPayment {
  transactionNumber: string | null
  from: {
    amount: string | null
    ccy: string | null
    serviceId: string | null
    extras: Record<string, string>
  } | null
  to: {
    amount: string | null
    ccy: string | null
    serviceId: string | null
    account: string | null
    extras: Record<string, string>
  } | null
}

export interface ParsedRequest {
  requestType: string
  terminalId: string
  /** `<extra name=…>` directly under `<request>` (password, phone, ccy, income_wire_transfer…). */
  extras: Record<string, string>
  /** Payments under `<auth>`; null when there is no `<auth>`. */
  auth: ParsedPayment[] | null
  /** Payments under `<status>`; null when there is no `<status>`. */
  status: ParsedPayment[] | null
  phonenumber: string | null
}

export type RequestParse = { ok: true; request: ParsedRequest } | { ok: false; reason: string }

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  allowBooleanAttributes: false,
  maxNestedTags: 20,
  isArray: (name: string) => name === 'payment' || name === 'extra'
})

const ENTITY_RE = /&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(ENTITY_RE, (_m, e: string) => {
    switch (e) {
      case 'lt':
        return '<'
      case 'gt':
        return '>'
      case 'amp':
        return '&'
      case 'quot':
        return '"'
      case 'apos':
        return "'"
      default: {
        const cp = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
        if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd'
        return String.fromCodePoint(cp)
      }
    }
  })
}

class ShapeError extends Error {}

type Node = unknown

function isRecord(x: Node): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined
}

/** Text of a leaf element; '' for empty; throws when repeated or structured. */
function text(node: Node, what: string): string {
  if (node === undefined) return ''
  if (typeof node === 'string') return decodeEntities(node)
  if (Array.isArray(node)) throw new ShapeError(`<${what}> appears more than once`)
  if (isRecord(node)) {
    const t = own(node, '#text')
    if (t === undefined) return ''
    if (typeof t === 'string') return decodeEntities(t)
  }
  throw new ShapeError(`<${what}> has unexpected content`)
}

function optText(parent: Record<string, unknown>, key: string): string | null {
  const v = own(parent, key)
  return v === undefined ? null : text(v, key)
}

function extras(parent: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  const list = own(parent, 'extra')
  if (list === undefined) return out
  if (!Array.isArray(list)) throw new ShapeError('<extra> malformed')
  for (const e of list) {
    if (!isRecord(e)) throw new ShapeError('<extra> without name attribute')
    const name = own(e, '@_name')
    if (typeof name !== 'string' || name.length === 0) throw new ShapeError('<extra> without name attribute')
    const key = decodeEntities(name)
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      throw new ShapeError(`duplicate <extra name="${key}">`)
    }
    out[key] = text(e, 'extra')
  }
  return out
}

function child(parent: Record<string, unknown>, key: string): Record<string, unknown> | null {
  const v = own(parent, key)
  if (v === undefined) return null
  if (v === '') return {}
  if (Array.isArray(v)) throw new ShapeError(`<${key}> appears more than once`)
  if (!isRecord(v)) throw new ShapeError(`<${key}> must contain elements`)
  return v
}

function payments(container: Record<string, unknown>): ParsedPayment[] {
  const list = own(container, 'payment')
  if (list === undefined) return []
  if (!Array.isArray(list)) throw new ShapeError('<payment> malformed')
  return list.map((p: unknown) => {
    const node = p === '' ? {} : p
    if (!isRecord(node)) throw new ShapeError('<payment> must contain elements')
    const from = child(node, 'from')
    const to = child(node, 'to')
    return {
      transactionNumber: optText(node, 'transaction-number'),
      from: from && {
        amount: optText(from, 'amount'),
        ccy: optText(from, 'ccy'),
        serviceId: optText(from, 'service-id'),
        extras: extras(from)
      },
      to: to && {
        amount: optText(to, 'amount'),
        ccy: optText(to, 'ccy'),
        serviceId: optText(to, 'service-id'),
        account: optText(to, 'account-number'),
        extras: extras(to)
      }
    }
  })
}

/** Parses one request body. Never throws. */
export function parseTopupRequest(body: Buffer): RequestParse {
  if (body.length === 0) return { ok: false, reason: 'empty body' }
  if (body.length > MAX_REQUEST_BYTES) return { ok: false, reason: 'body too large' }
  let xml: string
  try {
    xml = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body)
  } catch {
    return { ok: false, reason: 'body is not valid UTF-8' }
  }
  // U+FEFF/U+1680 are XML name characters but JS `\s`, which lets the library
  // read `status\uFEFF=` as `status` (RELIABILITY §2.1). QIWI markup is ASCII.
  if (/[\u1680\ufeff]/.test(xml) || xml.includes('\u0000')) {
    return { ok: false, reason: 'forbidden character in body' }
  }
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) return { ok: false, reason: 'DTD not allowed' }
  const v = XMLValidator.validate(xml, { allowBooleanAttributes: false })
  if (v !== true) return { ok: false, reason: `malformed XML: ${v.err.msg} (line ${v.err.line})` }
  let doc: unknown
  try {
    doc = parser.parse(xml)
  } catch (e) {
    return { ok: false, reason: `malformed XML: ${e instanceof Error ? e.message : 'parse error'}` }
  }
  try {
    if (!isRecord(doc)) throw new ShapeError('no document element')
    const roots = Object.keys(doc).filter((k) => !k.startsWith('?'))
    if (roots.length !== 1 || roots[0] !== 'request') throw new ShapeError('root element must be <request>')
    const req = child(doc, 'request')
    if (!req) throw new ShapeError('root element must be <request>')
    const requestType = optText(req, 'request-type')
    if (!requestType) throw new ShapeError('<request-type> missing')
    const terminalId = optText(req, 'terminal-id')
    if (!terminalId) throw new ShapeError('<terminal-id> missing')
    const auth = child(req, 'auth')
    const status = child(req, 'status')
    return {
      ok: true,
      request: {
        requestType,
        terminalId,
        extras: extras(req),
        auth: auth ? payments(auth) : null,
        status: status ? payments(status) : null,
        phonenumber: optText(req, 'phonenumber')
      }
    }
  } catch (e) {
    if (e instanceof ShapeError) return { ok: false, reason: e.message }
    return { ok: false, reason: 'unexpected request shape' }
  }
}
