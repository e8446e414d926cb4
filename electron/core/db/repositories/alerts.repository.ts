/**
 * alerts: things an operator must see (fatal QIWI errors, 215 duplicate mismatch,
 * low balance, storage trouble). Raising the same open alert again bumps its count
 * instead of flooding the list (a fatal error repeats on every poll cycle).
 */
import { z } from 'zod'
import { AppError } from '../../../../shared/errors'
import type { Db } from '../connection'
import { prepared, readQuery, writeTransaction } from '../connection'
import type { DbAlertRow } from '../rows'
import { alertFromRow } from '../rows'
import type { Alert, NewAlert } from '../types'
import { parseInput } from '../validate'

const newAlertSchema = z.strictObject({
  terminalRef: z.string().min(1).max(64).nullable().optional(),
  payoutId: z.number().int().min(1).nullable().optional(),
  kind: z.string().regex(/^[a-z][a-z-]{0,39}$/, 'must be a lower-case dashed word'),
  code: z.string().min(1).max(64).nullable().optional(),
  message: z.string()
})

const MAX_MESSAGE = 4000

/**
 * Raises an alert, or bumps count/last_at/message of the open alert with the same
 * terminal, payout, kind and code.
 */
export function raiseAlert(db: Db, alert: NewAlert, now: number = Date.now()): Alert {
  const a = parseInput(newAlertSchema, alert, 'alert')
  const message = a.message.length > MAX_MESSAGE ? `${a.message.slice(0, MAX_MESSAGE - 1)}…` : a.message
  const terminalRef = a.terminalRef ?? null
  const payoutId = a.payoutId ?? null
  const code = a.code ?? null
  return writeTransaction(db, () => {
    const open = prepared(
      db,
      `SELECT id FROM alerts
       WHERE acknowledged_at IS NULL AND kind = ? AND code IS ? AND terminal_ref IS ? AND payout_id IS ?
       LIMIT 1`
    ).get(a.kind, code, terminalRef, payoutId) as { id: number } | undefined
    const row = open
      ? (prepared(
          db,
          'UPDATE alerts SET count = count + 1, last_at = ?, message = ? WHERE id = ? RETURNING *'
        ).get(now, message, open.id) as DbAlertRow)
      : (prepared(
          db,
          `INSERT INTO alerts (terminal_ref, payout_id, kind, code, message, count, created_at, last_at)
           VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING *`
        ).get(terminalRef, payoutId, a.kind, code, message, now, now) as DbAlertRow)
    return alertFromRow(row)
  })
}

/** Alerts, newest first. */
export function listAlerts(db: Db, opts: { openOnly?: boolean; limit?: number } = {}): Alert[] {
  const limit = opts.limit ?? 200
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new AppError('invalid-input', 'limit must be 1..10000')
  }
  return readQuery(db, () => {
    const sql = opts.openOnly
      ? 'SELECT * FROM alerts WHERE acknowledged_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ?'
      : 'SELECT * FROM alerts ORDER BY created_at DESC, id DESC LIMIT ?'
    return (prepared(db, sql).all(limit) as DbAlertRow[]).map(alertFromRow)
  })
}

export function countOpenAlerts(db: Db): number {
  return readQuery(db, () => {
    const r = prepared(db, 'SELECT count(*) AS n FROM alerts WHERE acknowledged_at IS NULL').get() as {
      n: number
    }
    return r.n
  })
}

/** Marks an alert acknowledged (idempotent: the first acknowledgement time is kept). */
export function acknowledgeAlert(db: Db, id: number, now: number = Date.now()): Alert {
  return writeTransaction(db, () => {
    const row = prepared(
      db,
      'UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, ?) WHERE id = ? RETURNING *'
    ).get(now, id) as DbAlertRow | undefined
    if (!row) throw new AppError('not-found', `no alert with id ${id}`)
    return alertFromRow(row)
  })
}

/** Acknowledges every open alert; returns how many. */
export function acknowledgeAllAlerts(db: Db, now: number = Date.now()): number {
  return writeTransaction(
    db,
    () => prepared(db, 'UPDATE alerts SET acknowledged_at = ? WHERE acknowledged_at IS NULL').run(now).changes
  )
}
