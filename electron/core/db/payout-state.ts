/**
 * The payout state machine as a pure function. The database enforces the same rules
 * with triggers and CHECKs (resources/migrations/0001_init.sql); this copy lets the
 * engine ask before it tries, and lets tests compare the two.
 *
 *   queued  → queued | sending | declined
 *   sending → sending | waiting | succeeded | failed
 *   waiting → waiting | sending | succeeded | failed
 *   succeeded, failed, declined: final, immutable
 *
 * plus: pay_sent is 1 exactly in sending/waiting/succeeded/failed, so it never goes
 * back to 0 and `declined` is only reachable while no pay request was sent.
 */
import type { FinalPayoutState, PayoutState } from './types'
import { FINAL_STATES } from './types'

const NEXT: Readonly<Record<PayoutState, readonly PayoutState[]>> = {
  queued: ['queued', 'sending', 'declined'],
  sending: ['sending', 'waiting', 'succeeded', 'failed'],
  waiting: ['waiting', 'sending', 'succeeded', 'failed'],
  succeeded: [],
  failed: [],
  declined: []
}

export function isFinalState(s: PayoutState): s is FinalPayoutState {
  return (FINAL_STATES as readonly string[]).includes(s)
}

/** States that may follow `from` (including itself for non-final states). */
export function allowedNextStates(from: PayoutState): readonly PayoutState[] {
  return NEXT[from]
}

/** pay_sent value a row in `state` must have. */
export function paySentFor(state: PayoutState): boolean {
  return state !== 'queued' && state !== 'declined'
}

/**
 * True when the database accepts an update from (fromState, fromPaySent) to
 * (toState, toPaySent). Mirrors the triggers and the pay_sent CHECK.
 */
export function isLegalTransition(
  fromState: PayoutState,
  fromPaySent: boolean,
  toState: PayoutState,
  toPaySent: boolean
): boolean {
  if (isFinalState(fromState)) return false
  if (!NEXT[fromState].includes(toState)) return false
  if (fromPaySent && !toPaySent) return false
  if (toState === 'declined' && (fromPaySent || toPaySent)) return false
  return paySentFor(toState) === toPaySent
}
