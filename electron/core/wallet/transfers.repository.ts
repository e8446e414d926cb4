/**
 * wallet_transfers: transfers to a QIWI wallet (provider 99) made from this desk.
 *
 * The money rule (RELIABILITY.md §3.1, P3): the row and its client id are committed
 * before anything is sent; `attempts` is incremented and committed (compare-and-swap)
 * before every send, so `pending` with attempts = 0 proves nothing left the machine,
 * and the id is never regenerated. The state machine is enforced by triggers in
 * 0002_wallet.sql: pending → accepted | waiting | failed; waiting → accepted | failed;
 * accepted and failed are immutable.
 */
import { formatAmount } from '../../../shared/money'
import type { TransferView } from '../../../shared/wallet'
import type { Db } from '../db/connection'
import { prepared, readQuery, writeTransaction } from '../db/connection'
import { allocateClientId } from './client-id'

export type TransferState = 'pending' | 'accepted' | 'waiting' | 'failed'

export interface TransferRecord {
  walletId: string
  clientId: string
  clientRequestId: string
  /** Recipient wallet, digits without '+'. */
  to: string
  amountKopecks: number
  currency: string
  comment: string | null
  state: TransferState
  txnId: string | null
  attempts: number
  firstAttemptAt: number | null
  lastAttemptAt: number | null
  nextCheckAt: number | null
  errorCode: string | null
  errorMessage: string | null
  createdAt: number
  updatedAt: number
  finalAt: number | null
}

interface DbTransferRow {
  wallet_id: string
  client_id: string
  client_request_id: string
  to_account: string
  amount_kopecks: number
  currency: string
  comment: string | null
  state: TransferState
  txn_id: string | null
  attempts: number
  first_attempt_at: number | null
  last_attempt_at: number | null
  next_check_at: number | null
  error_code: string | null
  error_message: string | null
  created_at: number
  updated_at: number
  final_at: number | null
}

function fromRow(r: DbTransferRow): TransferRecord {
  return {
    walletId: r.wallet_id,
    clientId: r.client_id,
    clientRequestId: r.client_request_id,
    to: r.to_account,
    amountKopecks: r.amount_kopecks,
    currency: r.currency,
    comment: r.comment,
    state: r.state,
    txnId: r.txn_id,
    attempts: r.attempts,
    firstAttemptAt: r.first_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    nextCheckAt: r.next_check_at,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finalAt: r.final_at
  }
}

export function toTransferView(t: TransferRecord): TransferView {
  return {
    id: t.clientId,
    walletId: t.walletId,
    to: t.to,
    amount: formatAmount(t.amountKopecks),
    comment: t.comment,
    state: t.state,
    txnId: t.txnId,
    error: t.errorCode !== null ? { code: t.errorCode, message: t.errorMessage ?? t.errorCode } : null,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt
  }
}

export interface NewTransfer {
  walletId: string
  /** The wallet number: client ids are allocated per number. */
  walletNumber: string
  clientRequestId: string
  to: string
  amountKopecks: number
  comment: string | null
}

/**
 * Allocates the client id and inserts the pending row in ONE immediate transaction.
 * Returns the committed row. A second call with the same clientRequestId returns the
 * existing row instead (`created: false`): one user action, one transfer.
 */
export function createTransfer(
  db: Db,
  t: NewTransfer,
  now: number
): { transfer: TransferRecord; created: boolean } {
  return writeTransaction(db, () => {
    const existing = getTransferByRequest(db, t.walletId, t.clientRequestId)
    if (existing) return { transfer: existing, created: false }
    const clientId = allocateClientId(db, t.walletNumber, now)
    prepared(
      db,
      `INSERT INTO wallet_transfers (wallet_id, client_id, client_request_id, to_account, amount_kopecks, comment,
         created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(t.walletId, clientId, t.clientRequestId, t.to, t.amountKopecks, t.comment, now, now)
    const created = getTransfer(db, t.walletId, clientId)
    if (!created) throw new Error('transfer row vanished after insert')
    return { transfer: created, created: true }
  })
}

export function getTransfer(db: Db, walletId: string, clientId: string): TransferRecord | null {
  return readQuery(db, () => {
    const r = prepared(db, 'SELECT * FROM wallet_transfers WHERE wallet_id = ? AND client_id = ?').get(
      walletId,
      clientId
    ) as DbTransferRow | undefined
    return r ? fromRow(r) : null
  })
}

export function getTransferByRequest(
  db: Db,
  walletId: string,
  clientRequestId: string
): TransferRecord | null {
  return readQuery(db, () => {
    const r = prepared(
      db,
      'SELECT * FROM wallet_transfers WHERE wallet_id = ? AND client_request_id = ?'
    ).get(walletId, clientRequestId) as DbTransferRow | undefined
    return r ? fromRow(r) : null
  })
}

/** A wallet's transfers, newest first. */
export function listTransfers(db: Db, walletId: string): TransferRecord[] {
  return readQuery(db, () =>
    (
      prepared(
        db,
        'SELECT * FROM wallet_transfers WHERE wallet_id = ? ORDER BY created_at DESC, client_id DESC'
      ).all(walletId) as DbTransferRow[]
    ).map(fromRow)
  )
}

/** Transfers not final yet (any wallet), the due ones first. */
export function listOpenTransfers(db: Db, walletId?: string): TransferRecord[] {
  return readQuery(db, () => {
    const sql =
      "SELECT * FROM wallet_transfers WHERE state IN ('pending', 'waiting')" +
      (walletId !== undefined ? ' AND wallet_id = ?' : '') +
      ' ORDER BY coalesce(next_check_at, 0), created_at'
    const stmt = prepared(db, sql)
    const rows = (walletId !== undefined ? stmt.all(walletId) : stmt.all()) as DbTransferRow[]
    return rows.map(fromRow)
  })
}

export function countOpenTransfers(db: Db, walletId: string): number {
  return readQuery(
    db,
    () =>
      (
        prepared(
          db,
          "SELECT count(*) AS n FROM wallet_transfers WHERE wallet_id = ? AND state IN ('pending', 'waiting')"
        ).get(walletId) as { n: number }
      ).n
  )
}

/**
 * Claims the next send of a transfer: attempts + 1, committed, only if nobody else did
 * since `expectedAttempts` was read (another process, a concurrent reconcile).
 * Returns the claimed row, or null when the claim was lost or the row is final.
 */
export function claimAttempt(
  db: Db,
  walletId: string,
  clientId: string,
  expectedAttempts: number,
  now: number
): TransferRecord | null {
  return writeTransaction(db, () => {
    const r = prepared(
      db,
      `UPDATE wallet_transfers SET attempts = attempts + 1, last_attempt_at = ?,
         first_attempt_at = coalesce(first_attempt_at, ?), updated_at = ?
       WHERE wallet_id = ? AND client_id = ? AND attempts = ? AND state IN ('pending', 'waiting')`
    ).run(now, now, now, walletId, clientId, expectedAttempts)
    return r.changes > 0 ? getTransfer(db, walletId, clientId) : null
  })
}

export interface TransferOutcome {
  state: Exclude<TransferState, 'pending'>
  txnId?: string | null | undefined
  nextCheckAt?: number | null | undefined
  error?: { code: string; message: string } | null | undefined
}

/** Moves a transfer to its next state (the triggers refuse illegal moves). */
export function recordOutcome(
  db: Db,
  walletId: string,
  clientId: string,
  o: TransferOutcome,
  now: number
): TransferRecord {
  return writeTransaction(db, () => {
    const final = o.state === 'accepted' || o.state === 'failed'
    prepared(
      db,
      `UPDATE wallet_transfers SET state = ?, txn_id = coalesce(?, txn_id), next_check_at = ?,
         error_code = ?, error_message = ?, final_at = ?, updated_at = ?
       WHERE wallet_id = ? AND client_id = ?`
    ).run(
      o.state,
      o.txnId ?? null,
      final ? null : (o.nextCheckAt ?? null),
      o.error ? o.error.code.slice(0, 64) : null,
      o.error ? o.error.message.slice(0, 2000) : null,
      final ? now : null,
      now,
      walletId,
      clientId
    )
    const t = getTransfer(db, walletId, clientId)
    if (!t) throw new Error('transfer row vanished after update')
    return t
  })
}

/** Reschedules the next check of an open transfer (no state change). */
export function scheduleCheck(db: Db, walletId: string, clientId: string, at: number, now: number): void {
  writeTransaction(db, () => {
    prepared(
      db,
      "UPDATE wallet_transfers SET next_check_at = ?, updated_at = ? WHERE wallet_id = ? AND client_id = ? AND state IN ('pending', 'waiting')"
    ).run(at, now, walletId, clientId)
  })
}
