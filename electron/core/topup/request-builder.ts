/**
 * Request builders for every Top-Up request type (spec §5).
 *
 * Hand-written serializer: element names are constants of this file, every value
 * is validated (XML 1.0 characters, length, format where the protocol fixes one)
 * and escaped. Element order follows the pay examples (spec §2.2): request-type,
 * terminal-id, extra…, then auth/status; get-provider keeps its own example's order.
 */
import { MAX_KOPECKS, formatAmount } from '../../../shared/money'
import { err, ok } from '../../../shared/result'
import type { Result } from '../../../shared/result'
import type { ErrorCode } from '../../../shared/errors'
import { codePointLength, escapeXmlAttr, escapeXmlText, findInvalidXmlChar } from './xml-text'
import { SERVICE_IDS } from './types'
import type {
  CheckDepositQuery,
  CheckUserQuery,
  GetProviderQuery,
  MobileTransit,
  PayDetails,
  RequestType,
  StatusQuery
} from './types'

export const TOPUP_PATH = '/xml/topup.jsp'
export const XMLCP_PATH = '/xml/xmlcp.jsp'

/** Replaces the password in the journal copy of a request. */
export const REDACTED_PASSWORD = '***'

export const MAX_COMMENT_CHARS = 1000

/** Who is asking: terminal-id, and the password unless the auth mode omits it (decision D2). */
export interface RequestIdentity {
  terminalId: string
  /** Undefined → no `<extra name="password">` (signature mode). */
  password?: string | undefined
}

export interface BuildPayOptions {
  /** Foreign-card payouts (36655) are suspended per the docs; refused unless true. */
  allowForeignCard?: boolean | undefined
}

export interface BuiltRequest {
  requestType: RequestType
  /** `/xml/topup.jsp` or `/xml/xmlcp.jsp`. */
  path: string
  /** The document as a string. */
  xml: string
  /** Exactly the bytes to sign and send (UTF-8 of `xml`). */
  body: Buffer
  /** Same document with the password replaced by `***`; safe to journal. */
  redactedXml: string
  /** The transaction-number of pay/status requests. */
  transactionNumber?: string | undefined
}

export type BuildErrorReason =
  | 'invalid-xml-char'
  | 'too-long'
  | 'empty'
  | 'format'
  | 'whitespace'
  | 'foreign-card-disabled'
  | 'unsupported-service'

// ---------------------------------------------------------------------------
// Tiny element tree + serializer
// ---------------------------------------------------------------------------

interface XNode {
  name: string
  attrs?: ReadonlyArray<readonly [string, string]>
  text?: string
  /** The password: written as `***` in the redacted copy. */
  secret?: boolean
  children?: XNode[]
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9._-]*$/

function serialize(root: XNode, redact: boolean): string {
  const lines: string[] = ['<?xml version="1.0" encoding="utf-8"?>']
  const walk = (n: XNode, depth: number): void => {
    if (!NAME_RE.test(n.name)) throw new Error(`internal: bad element name ${n.name}`)
    const indent = '  '.repeat(depth)
    let open = `<${n.name}`
    for (const [k, v] of n.attrs ?? []) {
      if (!NAME_RE.test(k)) throw new Error(`internal: bad attribute name ${k}`)
      open += ` ${k}="${escapeXmlAttr(v)}"`
    }
    open += '>'
    if (n.children && n.children.length > 0) {
      lines.push(indent + open)
      for (const c of n.children) walk(c, depth + 1)
      lines.push(`${indent}</${n.name}>`)
    } else {
      const text = n.secret && redact ? REDACTED_PASSWORD : (n.text ?? '')
      lines.push(`${indent}${open}${escapeXmlText(text)}</${n.name}>`)
    }
  }
  walk(root, 0)
  return lines.join('\n') + '\n'
}

function el(name: string, text: string): XNode {
  return { name, text }
}

function extra(name: string, text: string): XNode {
  return { name: 'extra', attrs: [['name', name]], text }
}

function finish(
  requestType: RequestType,
  path: string,
  root: XNode,
  transactionNumber?: string
): BuiltRequest {
  const xml = serialize(root, false)
  return {
    requestType,
    path,
    xml,
    body: Buffer.from(xml, 'utf8'),
    redactedXml: serialize(root, true),
    transactionNumber
  }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

class BuildFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly field: string,
    readonly reason: BuildErrorReason,
    message: string
  ) {
    super(message)
  }
}

function fail(code: ErrorCode, field: string, reason: BuildErrorReason, message: string): never {
  throw new BuildFailure(code, field, reason, message)
}

interface TextRule {
  max: number
  allowEmpty?: boolean
  /** Refuse any whitespace (ids, logins). */
  noWhitespace?: boolean
  pattern?: RegExp
  code?: ErrorCode
}

function text(field: string, value: unknown, rule: TextRule): string {
  const code = rule.code ?? 'invalid-input'
  if (typeof value !== 'string') fail(code, field, 'format', `${field}: must be a string`)
  const bad = findInvalidXmlChar(value)
  if (bad !== -1) {
    fail(code, field, 'invalid-xml-char', `${field}: character at index ${bad} is not allowed in XML 1.0`)
  }
  if (value.length === 0 && !rule.allowEmpty) fail(code, field, 'empty', `${field}: must not be empty`)
  if (codePointLength(value) > rule.max) {
    fail(code, field, 'too-long', `${field}: longer than ${rule.max} characters`)
  }
  if (rule.noWhitespace && /\s/u.test(value)) {
    fail(code, field, 'whitespace', `${field}: must not contain whitespace`)
  }
  if (rule.pattern && !rule.pattern.test(value)) fail(code, field, 'format', `${field}: invalid format`)
  return value
}

const TXN_RE = /^[1-9][0-9]{0,19}$/
const CCY_RE = /^(?:[A-Z]{3}|[0-9]{3})$/
const POS_INT_RE = /^[1-9][0-9]{0,9}$/

function amount(field: string, kopecks: unknown): string {
  if (
    typeof kopecks !== 'number' ||
    !Number.isSafeInteger(kopecks) ||
    kopecks <= 0 ||
    kopecks > MAX_KOPECKS
  ) {
    fail(
      'invalid-amount',
      field,
      'format',
      `${field}: must be an integer number of kopecks in 1..${MAX_KOPECKS}`
    )
  }
  return formatAmount(kopecks)
}

function identityNodes(id: RequestIdentity): { terminal: XNode; password: XNode | undefined } {
  const terminalId = text('terminalId', id.terminalId, { max: 64, noWhitespace: true, code: 'config' })
  let password: XNode | undefined
  if (id.password !== undefined) {
    const pw = text('password', id.password, { max: 256, code: 'credential-invalid' })
    password = { ...extra('password', pw), secret: true }
  }
  return { terminal: el('terminal-id', terminalId), password }
}

function guard(build: () => BuiltRequest): Result<BuiltRequest> {
  try {
    return ok(build())
  } catch (e) {
    if (e instanceof BuildFailure) return err(e.code, e.message, { field: e.field, reason: e.reason })
    throw e
  }
}

// ---------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------

function transitString(t: MobileTransit): string {
  const id = text('transit.providerId', t.providerId, { max: 10, pattern: /^[0-9]{1,10}$/ })
  // `;` and `:` separate key/value pairs of account0, so they cannot appear inside a value.
  const acc = text('transit.account', t.account, { max: 32, noWhitespace: true, pattern: /^[^;:]+$/ })
  const sum = amount('transit.sumKopecks', t.sumKopecks)
  return `id:${id};acc:${acc};sum:${sum}`
}

/**
 * Builds a `pay` request for any product (spec §5.1–5.6).
 * Refuses foreign cards unless `opts.allowForeignCard` is true.
 */
export function buildPayRequest(
  id: RequestIdentity,
  p: PayDetails,
  opts: BuildPayOptions = {}
): Result<BuiltRequest> {
  return guard(() => {
    const { terminal, password } = identityNodes(id)
    const txn = text('transactionNumber', p.transactionNumber, { max: 20, pattern: TXN_RE })
    const toAmount = amount('amountKopecks', p.amountKopecks)
    const account = text('accountNumber', p.accountNumber, { max: 128, code: 'invalid-account' })
    const fromCcy = text('fromCcy', p.fromCcy ?? 'RUB', { max: 3, pattern: CCY_RE })

    const root: XNode[] = [el('request-type', 'pay'), terminal]
    if (password) root.push(password)

    const from: XNode[] = [el('ccy', fromCcy)]
    if (p.fromServiceId !== undefined) {
      from.push(el('service-id', text('fromServiceId', p.fromServiceId, { max: 10, pattern: POS_INT_RE })))
    }
    const to: XNode[] = [el('amount', toAmount)]
    const toCcyNode = (v: string | undefined): XNode =>
      el('ccy', text('toCcy', v ?? 'RUB', { max: 3, pattern: CCY_RE }))

    switch (p.service) {
      case 'wallet': {
        if (p.incomeWireTransfer !== null) {
          if (typeof p.incomeWireTransfer !== 'boolean') {
            fail(
              'invalid-input',
              'incomeWireTransfer',
              'format',
              'incomeWireTransfer: must be a boolean or null'
            )
          }
          root.push(extra('income_wire_transfer', p.incomeWireTransfer ? '1' : '0'))
        }
        to.push(toCcyNode(p.toCcy), el('service-id', SERVICE_IDS.wallet), el('account-number', account))
        if (p.comment !== undefined && p.comment !== '') {
          to.push(extra('comment', text('comment', p.comment, { max: MAX_COMMENT_CHARS })))
        }
        break
      }
      case 'card':
        to.push(toCcyNode(p.toCcy), el('service-id', SERVICE_IDS.card), el('account-number', account))
        break
      case 'card-spec':
        to.push(
          toCcyNode(p.toCcy),
          el('service-id', SERVICE_IDS['card-spec']),
          el('account-number', account),
          extra(
            'account1',
            text('cardNumber', p.cardNumber, { max: 32, noWhitespace: true, code: 'invalid-card' })
          )
        )
        break
      case 'card-foreign': {
        if (opts.allowForeignCard !== true) {
          fail(
            'service-not-allowed',
            'service',
            'foreign-card-disabled',
            'Foreign-card payouts (36655) are suspended per the QIWI docs; enable allowForeignCard explicitly'
          )
        }
        const s = p.sender
        const name = { max: 128 }
        from.push(
          extra('source_first_name', text('sender.firstName', s.firstName, name)),
          extra('source_last_name', text('sender.lastName', s.lastName, name)),
          extra('source_address', text('sender.address', s.address, { max: 256 })),
          extra('source_city', text('sender.city', s.city, name)),
          extra(
            'source_country_code',
            text('sender.countryCode', s.countryCode, { max: 2, pattern: /^[A-Za-z]{2}$/ })
          ),
          extra('source_zip_code', text('sender.zipCode', s.zipCode, { max: 10, pattern: /^[0-9]{1,10}$/ })),
          extra('source_resident', s.resident ? '1' : '0'),
          extra(
            'source_birthday',
            text('sender.birthday', s.birthday, { max: 10, pattern: /^[0-9]{2}\.[0-9]{2}\.[0-9]{4}$/ })
          )
        )
        to.push(
          toCcyNode(p.toCcy),
          el('service-id', SERVICE_IDS['card-foreign']),
          el('account-number', account),
          extra('comment', text('comment', p.comment, { max: MAX_COMMENT_CHARS })),
          extra('target_card_holder', text('cardHolder', p.cardHolder, { max: 128 }))
        )
        break
      }
      case 'sbp':
        to.push(
          toCcyNode(p.toCcy),
          el('service-id', SERVICE_IDS.sbp),
          el('account-number', account),
          extra('bankId', text('bankId', p.bankId, { max: 32, pattern: /^[0-9A-Za-z]{1,32}$/ }))
        )
        break
      case 'mobile': {
        // to/ccy is optional for mobile: when given, QIWI checks the customer has such an account.
        if (p.toCcy !== undefined) to.push(toCcyNode(p.toCcy))
        to.push(
          el('service-id', SERVICE_IDS.mobile),
          el('account-number', account),
          extra('account0', transitString(p.transit))
        )
        break
      }
      default: {
        const never: never = p
        fail(
          'invalid-input',
          'service',
          'unsupported-service',
          `unsupported service ${JSON.stringify(never)}`
        )
      }
    }

    root.push({
      name: 'auth',
      children: [
        {
          name: 'payment',
          children: [
            el('transaction-number', txn),
            { name: 'from', children: from },
            { name: 'to', children: to }
          ]
        }
      ]
    })
    return finish('pay', TOPUP_PATH, { name: 'request', children: root }, txn)
  })
}

/** Status request: `pay` with `<status>` (spec §5.7); account = the original pay's (decision D5). */
export function buildStatusRequest(id: RequestIdentity, q: StatusQuery): Result<BuiltRequest> {
  return guard(() => {
    const { terminal, password } = identityNodes(id)
    const txn = text('transactionNumber', q.transactionNumber, { max: 20, pattern: TXN_RE })
    const account = text('accountNumber', q.accountNumber, { max: 128, code: 'invalid-account' })
    const root: XNode[] = [el('request-type', 'pay'), terminal]
    if (password) root.push(password)
    root.push({
      name: 'status',
      children: [
        {
          name: 'payment',
          children: [el('transaction-number', txn), { name: 'to', children: [el('account-number', account)] }]
        }
      ]
    })
    return finish('status', TOPUP_PATH, { name: 'request', children: root }, txn)
  })
}

const PHONE_RULE: TextRule = { max: 32, noWhitespace: true, code: 'invalid-phone' }

/** check-deposit-possible (spec §5.9). */
export function buildCheckDepositRequest(id: RequestIdentity, q: CheckDepositQuery): Result<BuiltRequest> {
  return guard(() => {
    const { terminal, password } = identityNodes(id)
    const root: XNode[] = [el('request-type', 'check-deposit-possible'), terminal]
    if (password) root.push(password)
    root.push(extra('phone', text('phone', q.phone, PHONE_RULE)))
    if (typeof q.incomeWireTransfer !== 'boolean') {
      fail('invalid-input', 'incomeWireTransfer', 'format', 'incomeWireTransfer: must be a boolean')
    }
    root.push(extra('income_wire_transfer', q.incomeWireTransfer ? '1' : '0'))
    if (q.ccy !== undefined) root.push(extra('ccy', text('ccy', q.ccy, { max: 3, pattern: CCY_RE })))
    return finish('check-deposit-possible', TOPUP_PATH, { name: 'request', children: root })
  })
}

/** check-user (spec §5.10). */
export function buildCheckUserRequest(id: RequestIdentity, q: CheckUserQuery): Result<BuiltRequest> {
  return guard(() => {
    const { terminal, password } = identityNodes(id)
    const root: XNode[] = [el('request-type', 'check-user'), terminal]
    if (password) root.push(password)
    root.push(extra('phone', text('phone', q.phone, PHONE_RULE)))
    if (q.ccy !== undefined) root.push(extra('ccy', text('ccy', q.ccy, { max: 3, pattern: CCY_RE })))
    return finish('check-user', TOPUP_PATH, { name: 'request', children: root })
  })
}

/** ping: agent balances (spec §5.11). */
export function buildPingRequest(id: RequestIdentity): Result<BuiltRequest> {
  return guard(() => {
    const { terminal, password } = identityNodes(id)
    const root: XNode[] = [el('request-type', 'ping'), terminal]
    if (password) root.push(password)
    return finish('ping', TOPUP_PATH, { name: 'request', children: root })
  })
}

/** get-provider-by-phone-number (spec §5.6.1), sent to /xml/xmlcp.jsp; element order as in its example. */
export function buildGetProviderRequest(id: RequestIdentity, q: GetProviderQuery): Result<BuiltRequest> {
  return guard(() => {
    const { terminal, password } = identityNodes(id)
    const root: XNode[] = [
      el('request-type', 'get-provider-by-phone-number'),
      terminal,
      el('phonenumber', text('phoneNumber', q.phoneNumber, PHONE_RULE))
    ]
    if (password) root.push(password)
    return finish('get-provider-by-phone-number', XMLCP_PATH, { name: 'request', children: root })
  })
}
