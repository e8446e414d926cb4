/**
 * What one classified exchange means for a payout (spec §8, docs/ENGINE.md "decision
 * table"). Pure: the engine turns a Decision into one journaled transition.
 *
 * The money rule: only a valid final reply decides (status 60 → succeeded, status
 * > 100 → failed). Everything else keeps the payout alive: transport/HTTP/XML
 * trouble and request-level errors poll the status (never fail), "not registered"
 * re-sends the identical pay, fatal errors and 215 pause the terminal without
 * touching the payout's fate.
 */
import type { CheckDepositOutcome, ExchangeRecord, PayOutcome, TransportErrorKind } from '../topup/types'

export type PayDecision =
  /** A valid final reply: the only way out of sending/waiting. */
  | { kind: 'final'; state: 'succeeded' | 'failed' }
  /** Outcome unknown or not final yet: status request after the pacing interval. */
  | { kind: 'poll' }
  /** Not registered (-1 / empty txn_id), never seen registered: re-send the identical pay later. */
  | { kind: 'repay' }
  /** Status reply without our payment (D6 counts these). */
  | { kind: 'not-found' }
  /** Nothing left this machine (connection refused, DNS, TLS refused before the body): same action again once reachable. */
  | { kind: 'not-sent'; cause: 'offline' | 'tls' | 'config' }

export interface DecisionFlags {
  /** Pause the terminal's queue and alert (fatal flag or code, 215). Never changes the payout's fate. */
  pause: { code: string; duplicateMismatch: boolean } | null
  /** A final-looking reply the protocol does not define (undocumented status): alert, keep polling. */
  manualReview: boolean
}

export interface DecisionContext {
  mode: 'pay' | 'status'
  /** Some earlier reply for this payout carried a status other than -1 (spec §8.1 rule 9). */
  seenRegistered: boolean
}

const OFFLINE_KINDS: ReadonlySet<TransportErrorKind> = new Set(['network', 'connect-timeout', 'timeout'])
const TLS_KINDS: ReadonlySet<TransportErrorKind> = new Set(['tls', 'pin-mismatch'])

/**
 * Whether the exchange provably sent nothing: the transport failed before the body
 * was written (the body waits for a verified connection). Only then may an action
 * be repeated as if it never happened.
 */
export function notSentCause(exchange: ExchangeRecord): 'offline' | 'tls' | 'config' | null {
  const e = exchange.error
  if (!e || !e.beforeSend || exchange.httpStatus !== undefined) return null
  if (OFFLINE_KINDS.has(e.kind)) return 'offline'
  if (TLS_KINDS.has(e.kind)) return 'tls'
  return 'config'
}

/** The decision for a pay or status exchange. */
export function decidePayExchange(
  outcome: PayOutcome,
  exchange: ExchangeRecord,
  ctx: DecisionContext
): PayDecision {
  const cause = notSentCause(exchange)
  if (cause !== null) return { kind: 'not-sent', cause }
  switch (outcome.kind) {
    case 'final-success':
      return { kind: 'final', state: 'succeeded' }
    case 'final-failure':
      return { kind: 'final', state: 'failed' }
    case 'not-final':
      return { kind: 'poll' }
    case 'not-registered':
      return ctx.seenRegistered ? { kind: 'poll' } : { kind: 'repay' }
    case 'not-found':
      return ctx.mode === 'status' ? { kind: 'not-found' } : { kind: 'poll' }
    case 'unknown':
      return { kind: 'poll' }
  }
}

/**
 * Payment result codes that describe the agent, not the payment: every later payout
 * of the terminal would meet them too (316: blocked agent).
 */
export const TERMINAL_LEVEL_PAYMENT_CODES: ReadonlySet<number> = new Set([316])

export function decisionFlags(outcome: PayOutcome): DecisionFlags {
  let pause: DecisionFlags['pause'] = null
  const final = outcome.kind === 'final-success' || outcome.kind === 'final-failure'
  if (outcome.duplicateMismatch) {
    pause = { code: '215', duplicateMismatch: true }
  } else if (final) {
    // A decided payment's fatal-error flag only says "do not repeat it" (we will not);
    // it pauses the queue only when the code is about the agent.
    if (outcome.resultCode !== undefined && TERMINAL_LEVEL_PAYMENT_CODES.has(outcome.resultCode)) {
      pause = { code: String(outcome.resultCode), duplicateMismatch: false }
    }
  } else if (outcome.fatal) {
    const code =
      outcome.requestResultCode !== undefined && outcome.requestResultCode !== 0
        ? outcome.requestResultCode
        : outcome.resultCode
    pause = { code: code === undefined ? 'fatal' : String(code), duplicateMismatch: false }
  }
  return { pause, manualReview: outcome.kind === 'unknown' && outcome.reason === 'final-unexpected-status' }
}

/**
 * Request-level codes that describe the terminal, not the recipient: a check that
 * fails with them must pause the queue, never decline the customer's payout.
 */
export const TERMINAL_LEVEL_CODES: ReadonlySet<number> = new Set([150, 316, 339])

export type PrecheckDecision =
  | { kind: 'pay' }
  | { kind: 'decline'; reason: 'deposit-impossible' | 'wallet-absent' | 'refused'; code: number | null }
  | { kind: 'retry'; notSent: 'offline' | 'tls' | 'config' | null }
  | { kind: 'pause'; code: string }

/** check-deposit-possible before a wallet pay (spec §8.3 PRECHECK row; nothing was sent yet). */
export function decidePrecheck(
  outcome: CheckDepositOutcome,
  exchange: ExchangeRecord,
  absentPolicy: 'pay' | 'decline'
): PrecheckDecision {
  const cause = notSentCause(exchange)
  if (cause !== null) return { kind: 'retry', notSent: cause }
  const code = outcome.requestResultCode ?? null
  if (code !== null && TERMINAL_LEVEL_CODES.has(code)) return { kind: 'pause', code: String(code) }
  switch (outcome.kind) {
    case 'possible':
      if (outcome.exist === false && absentPolicy === 'decline') {
        return { kind: 'decline', reason: 'wallet-absent', code }
      }
      return { kind: 'pay' }
    case 'impossible':
      return {
        kind: 'decline',
        reason: outcome.reason === 'fatal-code' ? 'refused' : 'deposit-impossible',
        code
      }
    case 'retry':
      // A fatal flag on a code we do not know to be about the recipient: pause rather than loop.
      if (outcome.fatal && code !== null && code !== 0) return { kind: 'pause', code: String(code) }
      return { kind: 'retry', notSent: null }
  }
}
