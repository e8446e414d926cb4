/**
 * transaction-number allocator (spec §8.4, RELIABILITY P5).
 *
 * A number is 18 digits: <desk prefix 10..99><Unix ms, 13 digits><sequence, 3 digits>
 *
 *   next = max(last + 1, floor(now)),  floor(now) = prefix·10^16 + nowMs·10^3
 *
 * - Unique per QIWI terminal-id and never reused: the counter is persisted in
 *   txn_counters, a trigger forbids it from moving backwards, and the allocation
 *   commits in the same immediate transaction as the payout intent that uses it.
 * - Survives the restore of an older backup: the restored counter is stale, but the
 *   wall-clock floor is above every number issued before now (as long as the clock
 *   moved forward and fewer than 1000 numbers per ms were taken — beyond that the
 *   sequence borrows from the next milliseconds, still strictly increasing).
 * - Several desks (installations) may share one terminal-id: each has its own
 *   prefix, so their ranges [prefix·10^16, (prefix+1)·10^16) are disjoint.
 * - 18 digits stays under both QIWI's 20-digit limit and 2^63 (9.22·10^18), so a
 *   server or tool that stores the id as a signed 64-bit integer cannot overflow;
 *   the layout holds until Unix ms reaches 10^13 (year 2286).
 *
 * BigInt inside, strings out: the values exceed Number.MAX_SAFE_INTEGER.
 */
import { AppError } from '../../../shared/errors'
import type { Db } from './connection'
import { prepared } from './connection'

export const DESK_PREFIX_MIN = 10
export const DESK_PREFIX_MAX = 99
/** Digits of every number this layout produces. */
export const TXN_NUMBER_DIGITS = 18

const PREFIX_SCALE = 10n ** 16n
const MS_SCALE = 1000n
const MS_LIMIT = 10_000_000_000_000 // 10^13

export function assertDeskPrefix(prefix: number): void {
  if (!Number.isInteger(prefix) || prefix < DESK_PREFIX_MIN || prefix > DESK_PREFIX_MAX) {
    throw new AppError(
      'invalid-input',
      `desk prefix must be an integer ${DESK_PREFIX_MIN}..${DESK_PREFIX_MAX}`,
      {
        deskPrefix: prefix
      }
    )
  }
}

/** Lowest number a desk may issue at `nowMs`. */
export function clockFloor(deskPrefix: number, nowMs: number): bigint {
  assertDeskPrefix(deskPrefix)
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs >= MS_LIMIT) {
    throw new AppError('internal', `clock value out of range for the transaction-number layout: ${nowMs}`)
  }
  return BigInt(deskPrefix) * PREFIX_SCALE + BigInt(nowMs) * MS_SCALE
}

/** [first, last] of a desk's range. */
export function deskRange(deskPrefix: number): { first: bigint; last: bigint } {
  assertDeskPrefix(deskPrefix)
  const first = BigInt(deskPrefix) * PREFIX_SCALE
  return { first, last: first + PREFIX_SCALE - 1n }
}

/**
 * The pure allocation step. `last` is the previous number of this desk for this
 * terminal-id (null for none). Throws if the desk's range is exhausted.
 */
export function nextTransactionNumber(last: bigint | null, nowMs: number, deskPrefix: number): bigint {
  const floor = clockFloor(deskPrefix, nowMs)
  const { first, last: max } = deskRange(deskPrefix)
  if (last !== null && (last < first || last > max)) {
    throw new AppError('internal', `counter value ${last} is outside desk ${deskPrefix}'s range`)
  }
  const next = last !== null && last + 1n > floor ? last + 1n : floor
  if (next > max) {
    throw new AppError('internal', `transaction-number range of desk ${deskPrefix} is exhausted`)
  }
  return next
}

/** Decodes a number of this layout (for support/diagnostics). */
export function decodeTransactionNumber(
  n: string
): { deskPrefix: number; ms: number; sequence: number } | null {
  if (!/^[1-9]\d{17}$/.test(n)) return null
  const v = BigInt(n)
  return {
    deskPrefix: Number(v / PREFIX_SCALE),
    ms: Number((v % PREFIX_SCALE) / MS_SCALE),
    sequence: Number(v % MS_SCALE)
  }
}

interface CounterRow {
  last_number: bigint
}

/**
 * Allocates the next number for (terminalId, deskPrefix) and persists it. Must run
 * inside a write transaction (`writeTransaction`), the same one that inserts the
 * payout that will carry the number: if that transaction rolls back, the number
 * was never visible to anything and may be issued again; once it commits, it is
 * burned for good.
 */
export function allocateTransactionNumber(
  db: Db,
  terminalId: string,
  deskPrefix: number,
  nowMs: number
): string {
  if (!db.inTransaction) {
    throw new AppError('internal', 'allocateTransactionNumber must run inside writeTransaction')
  }
  if (!/^[1-9]\d{0,19}$/.test(terminalId)) {
    throw new AppError('invalid-input', 'terminal-id must be 1..20 digits', { terminalId })
  }
  const row = prepared(db, 'SELECT last_number FROM txn_counters WHERE terminal_id = ? AND desk_prefix = ?', {
    safeIntegers: true
  }).get(terminalId, deskPrefix) as CounterRow | undefined
  const next = nextTransactionNumber(row ? row.last_number : null, nowMs, deskPrefix)
  prepared(
    db,
    `INSERT INTO txn_counters (terminal_id, desk_prefix, last_number, issued, updated_at)
     VALUES (?, ?, ?, 1, ?)
     ON CONFLICT (terminal_id, desk_prefix) DO UPDATE SET
       last_number = excluded.last_number, issued = issued + 1, updated_at = excluded.updated_at`
  ).run(terminalId, deskPrefix, next, nowMs)
  return next.toString()
}

/** The last number issued for (terminalId, deskPrefix), or null. */
export function lastTransactionNumber(db: Db, terminalId: string, deskPrefix: number): string | null {
  const row = prepared(db, 'SELECT last_number FROM txn_counters WHERE terminal_id = ? AND desk_prefix = ?', {
    safeIntegers: true
  }).get(terminalId, deskPrefix) as CounterRow | undefined
  return row ? row.last_number.toString() : null
}
