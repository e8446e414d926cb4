/**
 * Classifier for pay and status exchanges (spec §8, RELIABILITY P4/N2/X4).
 *
 * Every exchange maps to exactly one PayOutcomeKind. The only way to a final
 * verdict is a complete, well-formed `<response>` whose single `<payment>` carries
 * our transaction-number, a txn_id and `final-status="true"`. Everything
 * incomplete, contradictory or unexpected is `unknown` (keep polling), never a
 * failure. Decision table: docs/CLASSIFIER.md.
 */
import { DUPLICATE_MISMATCH_CODE } from './codes'
import {
  CODE_RE,
  WIRE_AMOUNT_RE,
  childText,
  freeText,
  loadReply,
  readBalances,
  readRequestLevel,
  transportReason
} from './reply-common'
import { CYRILLIC_RESULT_CODE_ATTR, attr, findAll, isXmlObject, ownGet, textOf, trimXmlWs } from './safe-xml'
import type { XmlObject, XmlValue } from './safe-xml'
import type { Balances, OutcomeReason, PayOutcome, TransportError } from './types'

export interface PayReplyContext {
  /** `pay` replies may say "not registered"; `status` replies may say "not found". */
  mode: 'pay' | 'status'
  /** Our transaction-number; a reply about any other number is `unknown`. */
  transactionNumber: string
  maxBytes?: number | undefined
}

function unknown(reason: OutcomeReason, balances: Balances = {}): PayOutcome {
  return { kind: 'unknown', reason, fatal: false, duplicateMismatch: false, balances }
}

/** A transport failure (connect, TLS, timeout, cap, refused URL …): always unknown. */
export function classifyPayTransportFailure(error: TransportError): PayOutcome {
  return unknown(transportReason(error))
}

/** Any HTTP status other than 200 (including 3xx, never followed): unknown. */
export function classifyPayHttpStatus(status: number): PayOutcome {
  return {
    kind: 'unknown',
    reason: 'http-status',
    fatal: false,
    duplicateMismatch: false,
    balances: {},
    requestMessage: `HTTP ${status}`
  }
}

/** The payment attributes the decision depends on, checked (docs/CLASSIFIER.md row 10). */
interface PaymentAttrs {
  status: string
  'transaction-number': string
  txn_id: string | undefined
  'final-status': 'true' | 'false' | undefined
  'fatal-error': 'true' | 'false' | undefined
  'result-code': string | undefined
  'txn-date': string | undefined
}

const STATUS_RE = /^(?:0|-?[1-9][0-9]{0,3})$/
const TXN_ID_RE = /^[0-9]{0,20}$/
const MAX_TXN_DATE_LENGTH = 64

function isBoolText(v: string | undefined): v is 'true' | 'false' | undefined {
  return v === undefined || v === 'true' || v === 'false'
}

/**
 * Reads the attributes the decision depends on; null when malformed. Attribute values
 * are taken exactly: `final-status="true "` is not `true`.
 */
function readPaymentAttrs(p: XmlValue): PaymentAttrs | 'contradictory' | null {
  if (!isXmlObject(p)) return null
  // Cyrillic `result-сode` (doc typo, spec §9 #8) is a fallback; both spellings must agree.
  const rc = attr(p, 'result-code')
  const rcCyr = attr(p, CYRILLIC_RESULT_CODE_ATTR)
  if (rc !== undefined && rcCyr !== undefined && rc !== rcCyr) return 'contradictory'
  const code = rc ?? rcCyr
  const status = attr(p, 'status')
  const num = attr(p, 'transaction-number')
  const txnId = attr(p, 'txn_id')
  const final = attr(p, 'final-status')
  const fatal = attr(p, 'fatal-error')
  const txnDate = attr(p, 'txn-date')
  if (status === undefined || !STATUS_RE.test(status) || num === undefined) return null
  if (txnId !== undefined && !TXN_ID_RE.test(txnId)) return null
  if (!isBoolText(final) || !isBoolText(fatal)) return null
  if (code !== undefined && !CODE_RE.test(code)) return null
  if (txnDate !== undefined && txnDate.length > MAX_TXN_DATE_LENGTH) return null
  return {
    status,
    'transaction-number': num,
    txn_id: txnId,
    'final-status': final,
    'fatal-error': fatal,
    'result-code': code,
    'txn-date': txnDate
  }
}

function amountOf(obj: XmlObject | undefined, name: string): string | undefined {
  if (!obj) return undefined
  const t = childText(obj, name)
  return t !== undefined && WIRE_AMOUNT_RE.test(t) ? t : undefined
}

function sideOf(p: XmlObject, name: 'from' | 'to'): XmlObject | undefined {
  const v = ownGet(p, name)
  return isXmlObject(v) ? v : undefined
}

/** `payment/extra name="rrn"` etc.; undefined when absent or repeated. */
function paymentExtra(extras: XmlValue | undefined, name: string): string | undefined {
  if (extras === undefined) return undefined
  let found: XmlValue | undefined
  if (Array.isArray(extras)) {
    for (const e of extras) {
      if (attr(e, 'name') !== name) continue
      if (found !== undefined) return undefined
      found = e
    }
  } else if (attr(extras, 'name') === name) {
    found = extras
  }
  if (found === undefined) return undefined
  const t = textOf(found)
  return t === undefined ? undefined : trimXmlWs(t)
}

/** The request-level part of every outcome that got that far. */
interface Base {
  balances: Balances
  requestResultCode: number | undefined
  requestMessage: string | undefined
  fatal: boolean
  duplicateMismatch: boolean
}

function fromBase(base: Base, kind: PayOutcome['kind'], reason: OutcomeReason): PayOutcome {
  return {
    kind,
    reason,
    fatal: base.fatal,
    duplicateMismatch: base.duplicateMismatch,
    balances: base.balances,
    requestResultCode: base.requestResultCode,
    requestMessage: base.requestMessage
  }
}

/** Classifies an HTTP-200 body of a pay or status request. Never throws. */
export function classifyPayReply(body: string | Uint8Array, ctx: PayReplyContext): PayOutcome {
  const loaded = loadReply(body, ctx.maxBytes)
  if (!loaded.ok) return unknown(loaded.reason)
  const doc = loaded.doc
  const balances: Balances = readBalances(doc)
  const rl = readRequestLevel(doc)
  if (rl === null) return unknown('incomplete', balances)
  const base: Base = {
    balances,
    requestResultCode: rl.code,
    requestMessage: rl.message,
    fatal: rl.fatal,
    duplicateMismatch: rl.code === DUPLICATE_MISMATCH_CODE
  }
  if (rl.code !== undefined && rl.code !== 0) return fromBase(base, 'unknown', 'request-error')

  const payments = findAll(doc, 'payment', 2)
  if (payments.length === 0) {
    // Rule 7: a status reply without our payment → not found. Only when the reply says
    // explicitly that the request itself succeeded (result-code 0); otherwise incomplete.
    if (ctx.mode === 'status' && rl.code === 0) return fromBase(base, 'not-found', 'no-payment')
    return fromBase(base, 'unknown', rl.code === 0 ? 'no-payment' : 'incomplete')
  }
  // We always ask about exactly one payment; more than one in the reply is ambiguous.
  if (payments.length > 1) return fromBase(base, 'unknown', 'ambiguous')
  const p = payments[0] as XmlValue
  const a = readPaymentAttrs(p)
  if (a === 'contradictory') return fromBase(base, 'unknown', 'contradictory')
  if (a === null) {
    const num = attr(p, 'transaction-number')
    const mismatch = num !== undefined && num !== ctx.transactionNumber
    return fromBase(base, 'unknown', mismatch ? 'txn-mismatch' : 'incomplete')
  }
  const status = Number(a.status)
  const resultCode = a['result-code'] === undefined ? undefined : Number(a['result-code'])
  const paymentFatal = a['fatal-error'] === 'true'
  const msg = attr(p, 'message') ?? attr(p, 'msg')
  // readPaymentAttrs accepted p, so it is an element with attributes.
  const pObj = p as XmlObject
  const from = sideOf(pObj, 'from')
  const to = sideOf(pObj, 'to')
  const extras = ownGet(pObj, 'extra')
  // One object, built once with every field; each rule below only sets kind/reason/fatal.
  const info: PayOutcome = {
    kind: 'unknown',
    reason: 'incomplete',
    fatal: base.fatal || paymentFatal,
    duplicateMismatch: base.duplicateMismatch || resultCode === DUPLICATE_MISMATCH_CODE,
    balances,
    requestResultCode: base.requestResultCode,
    requestMessage: base.requestMessage,
    fromAmount: amountOf(from, 'amount'),
    fromCcy: from ? childText(from, 'ccy') : undefined,
    toAmount: amountOf(to, 'amount'),
    toCcy: to ? childText(to, 'ccy') : undefined,
    toServiceId: to ? childText(to, 'service-id') : undefined,
    toAccountNumber: to ? childText(to, 'account-number') : undefined,
    rrn: paymentExtra(extras, 'rrn'),
    billRegId: paymentExtra(extras, 'billRegId'),
    transactionNumber: a['transaction-number'],
    txnId: a.txn_id,
    txnDate: a['txn-date'],
    status,
    resultCode,
    finalStatus: a['final-status'] === undefined ? undefined : a['final-status'] === 'true',
    message: freeText(msg)
  }
  const verdict = (kind: PayOutcome['kind'], reason: OutcomeReason): PayOutcome => {
    info.kind = kind
    info.reason = reason
    return info
  }
  if (a['transaction-number'] !== ctx.transactionNumber) return verdict('unknown', 'txn-mismatch')
  if (info.duplicateMismatch) {
    info.fatal = true
    return verdict('unknown', 'duplicate-mismatch')
  }

  const hasTxnId = a.txn_id !== undefined && a.txn_id !== ''
  const final = a['final-status']
  if (status === -1) {
    if (final === 'true') return verdict('unknown', 'contradictory')
    return verdict('not-registered', 'ok')
  }
  if (final === undefined) return info
  if (final === 'true') {
    // Empty txn_id means "not registered": it cannot be final at the same time.
    if (!hasTxnId) return verdict('unknown', 'contradictory')
    if (status === 60) {
      if (resultCode !== undefined && resultCode !== 0) return verdict('unknown', 'contradictory')
      return verdict('final-success', 'ok')
    }
    if (status > 100) {
      // The reason code is part of a complete failure reply (we must know it is not 215).
      if (resultCode === undefined) return info
      return verdict('final-failure', 'ok')
    }
    return verdict('unknown', 'final-unexpected-status')
  }
  if (!hasTxnId) {
    return ctx.mode === 'pay' ? verdict('not-registered', 'ok') : verdict('not-found', 'no-payment')
  }
  return verdict('not-final', 'ok')
}
