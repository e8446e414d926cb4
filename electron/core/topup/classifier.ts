/**
 * Classifier for pay and status exchanges (spec §8, RELIABILITY P4/N2/X4).
 *
 * Every exchange maps to exactly one PayOutcomeKind. The only way to a final
 * verdict is a complete, well-formed `<response>` whose single `<payment>` carries
 * our transaction-number, a txn_id and `final-status="true"`. Everything
 * incomplete, contradictory or unexpected is `unknown` (keep polling), never a
 * failure. Decision table: docs/CLASSIFIER.md.
 */
import { z } from 'zod'
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
import {
  CYRILLIC_RESULT_CODE_ATTR,
  attr,
  children,
  findAll,
  isXmlObject,
  textOf,
  trimXmlWs
} from './safe-xml'
import type { XmlObject, XmlValue } from './safe-xml'
import type { Balances, OutcomeReason, PayOutcome, TransportError } from './types'

export interface PayReplyContext {
  /** `pay` replies may say "not registered"; `status` replies may say "not found". */
  mode: 'pay' | 'status'
  /** Our transaction-number; a reply about any other number is `unknown`. */
  transactionNumber: string
  maxBytes?: number | undefined
}

function unknown(reason: OutcomeReason, extra: Partial<PayOutcome> = {}): PayOutcome {
  return { kind: 'unknown', reason, fatal: false, duplicateMismatch: false, balances: {}, ...extra }
}

/** A transport failure (connect, TLS, timeout, cap, refused URL …): always unknown. */
export function classifyPayTransportFailure(error: TransportError): PayOutcome {
  return unknown(transportReason(error))
}

/** Any HTTP status other than 200 (including 3xx, never followed): unknown. */
export function classifyPayHttpStatus(status: number): PayOutcome {
  return unknown('http-status', { requestMessage: `HTTP ${status}` })
}

const PaymentAttrs = z.object({
  status: z.string().regex(/^(?:0|-?[1-9][0-9]{0,3})$/),
  'transaction-number': z.string(),
  txn_id: z
    .string()
    .regex(/^[0-9]{0,20}$/)
    .optional(),
  'final-status': z.enum(['true', 'false']).optional(),
  'fatal-error': z.enum(['true', 'false']).optional(),
  'result-code': z.string().regex(CODE_RE).optional(),
  'txn-date': z.string().max(64).optional()
})

const ATTRS = ['status', 'transaction-number', 'txn_id', 'final-status', 'fatal-error', 'txn-date'] as const

/** Reads the attributes the decision depends on; null when malformed. */
function readPaymentAttrs(p: XmlValue): z.infer<typeof PaymentAttrs> | 'contradictory' | null {
  const raw: Record<string, string> = {}
  for (const name of ATTRS) {
    const v = attr(p, name)
    // Attribute values are taken exactly: `final-status="true "` is not `true`.
    if (v !== undefined) raw[name] = v
  }
  // Cyrillic `result-сode` (doc typo, spec §9 #8) is a fallback; both spellings must agree.
  const rc = attr(p, 'result-code')
  const rcCyr = attr(p, CYRILLIC_RESULT_CODE_ATTR)
  if (rc !== undefined && rcCyr !== undefined && rc !== rcCyr) return 'contradictory'
  const code = rc ?? rcCyr
  if (code !== undefined) raw['result-code'] = code
  const parsed = PaymentAttrs.safeParse(raw)
  return parsed.success ? parsed.data : null
}

function amountOf(obj: XmlObject | undefined, name: string): string | undefined {
  if (!obj) return undefined
  const t = childText(obj, name)
  return t !== undefined && WIRE_AMOUNT_RE.test(t) ? t : undefined
}

function sideOf(p: XmlObject, name: 'from' | 'to'): XmlObject | undefined {
  const all = children(p, name)
  return all.length === 1 && isXmlObject(all[0]) ? all[0] : undefined
}

/** `payment/extra name="rrn"` etc.; undefined when absent or repeated. */
function paymentExtra(p: XmlObject, name: string): string | undefined {
  const found = children(p, 'extra').filter((e) => attr(e, 'name') === name)
  if (found.length !== 1) return undefined
  const t = textOf(found[0] as XmlValue)
  return t === undefined ? undefined : trimXmlWs(t)
}

function details(p: XmlValue): Partial<PayOutcome> {
  if (!isXmlObject(p)) return {}
  const from = sideOf(p, 'from')
  const to = sideOf(p, 'to')
  return {
    fromAmount: amountOf(from, 'amount'),
    fromCcy: from ? childText(from, 'ccy') : undefined,
    toAmount: amountOf(to, 'amount'),
    toCcy: to ? childText(to, 'ccy') : undefined,
    toServiceId: to ? childText(to, 'service-id') : undefined,
    toAccountNumber: to ? childText(to, 'account-number') : undefined,
    rrn: paymentExtra(p, 'rrn'),
    billRegId: paymentExtra(p, 'billRegId')
  }
}

/** Classifies an HTTP-200 body of a pay or status request. Never throws. */
export function classifyPayReply(body: string | Uint8Array, ctx: PayReplyContext): PayOutcome {
  const loaded = loadReply(body, ctx.maxBytes)
  if (!loaded.ok) return unknown(loaded.reason)
  const doc = loaded.doc
  const balances: Balances = readBalances(doc)
  const rl = readRequestLevel(doc)
  if (rl === null) return unknown('incomplete', { balances })
  const base = {
    balances,
    requestResultCode: rl.code,
    requestMessage: rl.message,
    fatal: rl.fatal,
    duplicateMismatch: rl.code === DUPLICATE_MISMATCH_CODE
  }
  if (rl.code !== undefined && rl.code !== 0) return { ...unknown('request-error'), ...base }

  const payments = findAll(doc, 'payment')
  if (payments.length === 0) {
    // Rule 7: a status reply without our payment → not found. Only when the reply says
    // explicitly that the request itself succeeded (result-code 0); otherwise incomplete.
    if (ctx.mode === 'status' && rl.code === 0) return { ...base, kind: 'not-found', reason: 'no-payment' }
    return { ...unknown(rl.code === 0 ? 'no-payment' : 'incomplete'), ...base }
  }
  // We always ask about exactly one payment; more than one in the reply is ambiguous.
  if (payments.length > 1) return { ...unknown('ambiguous'), ...base }
  const p = payments[0] as XmlValue
  const a = readPaymentAttrs(p)
  if (a === 'contradictory') return { ...unknown('contradictory'), ...base }
  if (a === null) {
    const num = attr(p, 'transaction-number')
    const mismatch = num !== undefined && num !== ctx.transactionNumber
    return { ...unknown(mismatch ? 'txn-mismatch' : 'incomplete'), ...base }
  }
  const status = Number(a.status)
  const resultCode = a['result-code'] === undefined ? undefined : Number(a['result-code'])
  const paymentFatal = a['fatal-error'] === 'true'
  const msg = attr(p, 'message') ?? attr(p, 'msg')
  const info: PayOutcome = {
    ...base,
    ...details(p),
    kind: 'unknown',
    reason: 'incomplete',
    fatal: base.fatal || paymentFatal,
    duplicateMismatch: base.duplicateMismatch || resultCode === DUPLICATE_MISMATCH_CODE,
    transactionNumber: a['transaction-number'],
    txnId: a.txn_id,
    txnDate: a['txn-date'],
    status,
    resultCode,
    finalStatus: a['final-status'] === undefined ? undefined : a['final-status'] === 'true',
    message: freeText(msg)
  }
  if (a['transaction-number'] !== ctx.transactionNumber) return { ...info, reason: 'txn-mismatch' }
  if (info.duplicateMismatch) return { ...info, reason: 'duplicate-mismatch', fatal: true }

  const hasTxnId = a.txn_id !== undefined && a.txn_id !== ''
  const final = a['final-status']
  if (status === -1) {
    if (final === 'true') return { ...info, reason: 'contradictory' }
    return { ...info, kind: 'not-registered', reason: 'ok' }
  }
  if (final === undefined) return info
  if (final === 'true') {
    // Empty txn_id means "not registered": it cannot be final at the same time.
    if (!hasTxnId) return { ...info, reason: 'contradictory' }
    if (status === 60) {
      if (resultCode !== undefined && resultCode !== 0) return { ...info, reason: 'contradictory' }
      return { ...info, kind: 'final-success', reason: 'ok' }
    }
    if (status > 100) {
      // The reason code is part of a complete failure reply (we must know it is not 215).
      if (resultCode === undefined) return info
      return { ...info, kind: 'final-failure', reason: 'ok' }
    }
    return { ...info, reason: 'final-unexpected-status' }
  }
  if (!hasTxnId) {
    return ctx.mode === 'pay'
      ? { ...info, kind: 'not-registered', reason: 'ok' }
      : { ...info, kind: 'not-found', reason: 'no-payment' }
  }
  return { ...info, kind: 'not-final', reason: 'ok' }
}
