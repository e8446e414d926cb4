/**
 * Client ids for transfers (spec personal-api §7.1: "max 20 digits, unique for each
 * transaction and increasing"; the docs suggest 1000 × Unix seconds).
 *
 *   next = max(last + 1, now in Unix ms)
 *
 * Unix ms is 13 digits (until 2286), a safe integer, and never below the documented
 * 1000 × Unix seconds. The counter is persisted per wallet NUMBER (wallet_client_ids,
 * never deleted, a trigger forbids it from moving back) and advanced in the same
 * immediate transaction that inserts the transfer row, so an id is committed before
 * anything is sent and can never be issued twice, even across a remove + re-add of the
 * wallet or many transfers in one millisecond (they borrow from the next ms). After a
 * restore of an old backup the wall clock keeps new ids above every id issued before
 * (unless the clock went back).
 */
import { AppError } from '../../../shared/errors'
import type { Db } from '../db/connection'
import { prepared } from '../db/connection'

/** The pure step: `last` is the previous id of this wallet (null for none). */
export function nextClientId(last: number | null, nowMs: number): number {
  if (!Number.isSafeInteger(nowMs) || nowMs <= 0) {
    throw new AppError('internal', `clock value out of range for client ids: ${nowMs}`)
  }
  const next = last !== null && last + 1 > nowMs ? last + 1 : nowMs
  if (!Number.isSafeInteger(next) || String(next).length > 20) {
    throw new AppError('internal', 'client id range exhausted')
  }
  return next
}

/**
 * Allocates and persists the next client id of `wallet`. Must run inside
 * `writeTransaction`, the same one that inserts the transfer using the id.
 */
export function allocateClientId(db: Db, wallet: string, nowMs: number): string {
  if (!db.inTransaction) throw new AppError('internal', 'allocateClientId must run inside writeTransaction')
  if (!/^\d{5,15}$/.test(wallet)) throw new AppError('invalid-input', 'wallet number must be 5..15 digits')
  const row = prepared(db, 'SELECT last_id FROM wallet_client_ids WHERE wallet = ?').get(wallet) as
    { last_id: number } | undefined
  const next = nextClientId(row ? row.last_id : null, nowMs)
  prepared(
    db,
    `INSERT INTO wallet_client_ids (wallet, last_id, issued, updated_at) VALUES (?, ?, 1, ?)
     ON CONFLICT (wallet) DO UPDATE SET last_id = excluded.last_id, issued = issued + 1, updated_at = excluded.updated_at`
  ).run(wallet, next, nowMs)
  return String(next)
}
