/**
 * Queries the payout engine needs beyond the per-table repositories. Kept in a file
 * of its own so the store's repositories stay as their owner wrote them; every write
 * here still goes through `transition` (journal + triggers), never a bare UPDATE.
 */
import type { Db } from '../connection'
import { prepared, readQuery, writeTransaction } from '../connection'
import type { DbPayoutRow } from '../rows'
import { payoutFromRow } from '../rows'
import type { NewPayoutEvent, NextAction, Payout, PayoutPatch, PayoutState } from '../types'
import { getPayout, transition } from './payouts.repository'

/** What the caller saw when it decided to act; the claim succeeds only if the row still matches. */
export interface ClaimExpectation {
  state: PayoutState
  nextAction: NextAction | null
  nextCheckAt: number | null
  /** Checked only when given (status claims pin the pacing slot they read). */
  lastStatusRequestAt?: number | null
}

/**
 * A compare-and-set transition: in one immediate transaction, re-reads the payout and
 * applies `transition` only if state, next action and due time are still what the
 * caller read. Returns null (nothing written) when another writer (another process:
 * the app and the CLI may share a database) got there first.
 *
 * This is how the engine reserves a request slot before the first byte goes out:
 * the reservation is committed, so a crash right after it can neither send twice
 * nor poll faster than the reserved time.
 */
export function claimPayout(
  db: Db,
  id: number,
  expect: ClaimExpectation,
  to: PayoutState,
  patch: PayoutPatch,
  events: NewPayoutEvent | readonly NewPayoutEvent[],
  now: number
): Payout | null {
  return writeTransaction(db, () => {
    const cur = getPayout(db, id)
    if (!cur) return null
    if (
      cur.state !== expect.state ||
      cur.nextAction !== expect.nextAction ||
      cur.nextCheckAt !== expect.nextCheckAt
    ) {
      return null
    }
    if (expect.lastStatusRequestAt !== undefined && cur.lastStatusRequestAt !== expect.lastStatusRequestAt) {
      return null
    }
    return transition(db, id, cur.state, to, patch, events, now)
  })
}

/**
 * Work that may send a `precheck` or a `pay` for one terminal, due at `now`, in entry
 * order (the offline queue drains in the order the cashier entered payouts), up to
 * and including `maxEntrySeq` when given. Served by UNIQUE (terminal_ref, entry_seq).
 */
export function dueSendWork(
  db: Db,
  terminalRef: string,
  now: number,
  limit: number,
  maxEntrySeq?: number
): Payout[] {
  return readQuery(db, () =>
    (
      prepared(
        db,
        `SELECT * FROM payouts
         WHERE terminal_ref = ? AND entry_seq <= ?
           AND state IN ('queued', 'waiting') AND next_action IN ('precheck', 'pay') AND next_check_at <= ?
         ORDER BY entry_seq LIMIT ?`
      ).all(terminalRef, maxEntrySeq ?? Number.MAX_SAFE_INTEGER, now, limit) as DbPayoutRow[]
    ).map(payoutFromRow)
  )
}

/** Every payout with this transaction-number (one per QIWI terminal-id at most). */
export function payoutsByTransactionNumber(db: Db, transactionNumber: string): Payout[] {
  return readQuery(db, () =>
    (
      prepared(db, 'SELECT * FROM payouts WHERE transaction_number = ? ORDER BY id').all(
        transactionNumber
      ) as DbPayoutRow[]
    ).map(payoutFromRow)
  )
}

/** Earliest next_check_at among non-final payouts of unpaused terminals (the poller's next wake-up). */
export function nextDueAt(db: Db): number | null {
  return readQuery(db, () => {
    const r = prepared(
      db,
      `SELECT min(p.next_check_at) AS t FROM payouts p JOIN terminals t ON t.id = p.terminal_ref
       WHERE p.state IN ('queued', 'sending', 'waiting') AND t.paused = 0`
    ).get() as { t: number | null }
    return r.t
  })
}

export interface ReplyBody {
  at: number
  terminalRef: string
  body: string
}

/** Reply bodies journaled in [from, to), oldest first (balance movement of the day report). */
export function replyBodiesBetween(db: Db, from: number, to: number): ReplyBody[] {
  return readQuery(db, () =>
    (
      prepared(
        db,
        `SELECT e.at AS at, p.terminal_ref AS terminal_ref, e.body AS body
         FROM payout_events e JOIN payouts p ON p.id = e.payout_id
         WHERE e.kind = 'reply' AND e.body IS NOT NULL AND e.at >= ? AND e.at < ?
         ORDER BY e.at, e.id`
      ).all(from, to) as { at: number; terminal_ref: string; body: string }[]
    ).map((r) => ({ at: r.at, terminalRef: r.terminal_ref, body: r.body }))
  )
}

/** Non-final payouts created before `before` (the day report's open items), oldest first. */
export function activePayoutsCreatedBefore(db: Db, before: number): Payout[] {
  return readQuery(db, () =>
    (
      prepared(
        db,
        `SELECT * FROM payouts WHERE state IN ('queued', 'sending', 'waiting') AND created_at < ? ORDER BY created_at, id`
      ).all(before) as DbPayoutRow[]
    ).map(payoutFromRow)
  )
}

/** The oldest `limit` non-final payouts (the desk's queue view; a backlog never ships whole). */
export function activePayoutsPage(db: Db, limit: number): Payout[] {
  return readQuery(db, () =>
    (
      prepared(
        db,
        `SELECT * FROM payouts WHERE state IN ('queued', 'sending', 'waiting') ORDER BY id LIMIT ?`
      ).all(limit) as DbPayoutRow[]
    ).map(payoutFromRow)
  )
}

export interface ActiveCount {
  state: PayoutState
  paused: boolean
  count: number
}

/** Non-final payouts by state and by whether their terminal is paused (counts only). */
export function activeCounts(db: Db): ActiveCount[] {
  return readQuery(db, () =>
    (
      prepared(
        db,
        `SELECT p.state AS state, t.paused AS paused, count(*) AS n
         FROM payouts p JOIN terminals t ON t.id = p.terminal_ref
         WHERE p.state IN ('queued', 'sending', 'waiting')
         GROUP BY p.state, t.paused`
      ).all() as { state: PayoutState; paused: number; n: number }[]
    ).map((r) => ({ state: r.state, paused: r.paused === 1, count: r.n }))
  )
}
