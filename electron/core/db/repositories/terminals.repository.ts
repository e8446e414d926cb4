/**
 * terminals: configured QIWI agent connections. Secret values never come here;
 * only the keychain account names that hold them (`*Ref`).
 */
import { randomUUID } from 'node:crypto'
import { AppError } from '../../../../shared/errors'
import type { Db } from '../connection'
import { prepared, readQuery, writeTransaction } from '../connection'
import type { DbTerminalRow } from '../rows'
import { terminalFromRow, toBit } from '../rows'
import type { NewTerminal, Terminal, TerminalPatch } from '../types'
import { newTerminalSchema, parseInput, terminalPatchSchema } from '../validate'

/** Domain field → column, for inserts and patches (values already validated). */
const COLUMNS: Record<keyof TerminalPatch, string> = {
  name: 'name',
  terminalId: 'terminal_id',
  endpoint: 'endpoint',
  authMode: 'auth_mode',
  signatureAlg: 'signature_alg',
  passwordRef: 'password_ref',
  signingKeyRef: 'signing_key_ref',
  signingPassphraseRef: 'signing_passphrase_ref',
  clientCertRef: 'client_cert_ref',
  clientCertPassphraseRef: 'client_cert_passphrase_ref',
  caCertRef: 'ca_cert_ref',
  certSubject: 'cert_subject',
  certIssuer: 'cert_issuer',
  certFingerprintSha256: 'cert_fingerprint_sha256',
  certNotAfter: 'cert_not_after',
  serverSpkiPins: 'server_spki_pins',
  servicesAllowed: 'services_allowed',
  precheckAbsentWalletPolicy: 'precheck_absent_wallet_policy',
  lowBalanceKopecks: 'low_balance_kopecks',
  minPollSeconds: 'min_poll_seconds',
  deskPrefix: 'desk_prefix'
}

type SqlValue = string | number | null

function toSql(key: keyof TerminalPatch, value: unknown): SqlValue {
  if (key === 'serverSpkiPins' || key === 'servicesAllowed') return JSON.stringify(value ?? [])
  if (value === undefined) return null
  return value as SqlValue
}

function mustGet(db: Db, id: string): Terminal {
  const t = getTerminal(db, id)
  if (!t) throw new AppError('unknown-terminal', `no terminal with id ${id}`, { terminalRef: id })
  return t
}

function nameTaken(db: Db, name: string, exceptId: string | null): boolean {
  const row = prepared(db, 'SELECT id FROM terminals WHERE name = ?').get(name) as { id: string } | undefined
  return row !== undefined && row.id !== exceptId
}

export function getTerminal(db: Db, id: string): Terminal | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM terminals WHERE id = ?').get(id) as DbTerminalRow | undefined
    return row ? terminalFromRow(row) : null
  })
}

export function getTerminalByName(db: Db, name: string): Terminal | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM terminals WHERE name = ?').get(name) as DbTerminalRow | undefined
    return row ? terminalFromRow(row) : null
  })
}

/** All terminals, by name. */
export function listTerminals(db: Db): Terminal[] {
  return readQuery(db, () =>
    (prepared(db, 'SELECT * FROM terminals ORDER BY name').all() as DbTerminalRow[]).map(terminalFromRow)
  )
}

/** Creates a terminal. Throws 'invalid-input' (bad field) or 'conflict' (name taken). */
export function createTerminal(db: Db, input: NewTerminal, now: number = Date.now()): Terminal {
  const t = parseInput(newTerminalSchema, input, 'terminal')
  const id = t.id ?? randomUUID()
  return writeTransaction(db, () => {
    if (nameTaken(db, t.name, null)) {
      throw new AppError('conflict', `a terminal named "${t.name}" already exists`, { field: 'name' })
    }
    const cols: string[] = ['id', 'created_at', 'updated_at']
    const vals: SqlValue[] = [id, now, now]
    for (const key of Object.keys(COLUMNS) as (keyof TerminalPatch)[]) {
      const v = t[key]
      if (v === undefined && key !== 'serverSpkiPins' && key !== 'servicesAllowed') continue
      cols.push(COLUMNS[key])
      vals.push(toSql(key, v))
    }
    const sql = `INSERT INTO terminals (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`
    prepared(db, sql).run(...vals)
    return mustGet(db, id)
  })
}

/**
 * Updates the given fields. Changing `terminalId` is refused (trigger) once the
 * terminal has payouts; switching to signature mode needs a signatureAlg.
 */
export function updateTerminal(db: Db, id: string, patch: TerminalPatch, now: number = Date.now()): Terminal {
  const p = parseInput(terminalPatchSchema, patch, 'terminal patch')
  return writeTransaction(db, () => {
    const current = mustGet(db, id)
    if (p.name !== undefined && nameTaken(db, p.name, id)) {
      throw new AppError('conflict', `a terminal named "${p.name}" already exists`, { field: 'name' })
    }
    const authMode = p.authMode ?? current.authMode
    const alg = p.signatureAlg !== undefined ? p.signatureAlg : current.signatureAlg
    if (authMode === 'signature' && alg === null) {
      throw new AppError('invalid-input', 'signature mode needs signatureAlg', { field: 'signatureAlg' })
    }
    const sets: string[] = ['updated_at = ?']
    const vals: SqlValue[] = [now]
    for (const key of Object.keys(p) as (keyof TerminalPatch)[]) {
      if (p[key] === undefined) continue
      sets.push(`${COLUMNS[key]} = ?`)
      vals.push(toSql(key, p[key]))
    }
    prepared(db, `UPDATE terminals SET ${sets.join(', ')} WHERE id = ?`).run(...vals, id)
    return mustGet(db, id)
  })
}

/** Deletes a terminal that has no payouts ('conflict' otherwise: history is kept). */
export function deleteTerminal(db: Db, id: string): void {
  writeTransaction(db, () => {
    mustGet(db, id)
    const used = prepared(db, 'SELECT 1 FROM payouts WHERE terminal_ref = ? LIMIT 1').get(id)
    if (used !== undefined) {
      throw new AppError('conflict', 'a terminal with payouts cannot be deleted', { terminalRef: id })
    }
    prepared(db, 'DELETE FROM terminals WHERE id = ?').run(id)
  })
}

/** Pauses the terminal's queue (fatal QIWI errors, operator action). Idempotent; keeps the first pause time. */
export function pauseTerminal(
  db: Db,
  id: string,
  reason: string,
  code: string | null,
  now: number = Date.now()
): Terminal {
  if (reason.length > 2000 || (code !== null && code.length > 64)) {
    throw new AppError('invalid-input', 'pause reason or code too long')
  }
  return writeTransaction(db, () => {
    mustGet(db, id)
    prepared(
      db,
      `UPDATE terminals SET paused = 1, paused_reason = ?, paused_code = ?,
         paused_at = coalesce(paused_at, ?), updated_at = ? WHERE id = ?`
    ).run(reason, code, now, now, id)
    return mustGet(db, id)
  })
}

export function resumeTerminal(db: Db, id: string, now: number = Date.now()): Terminal {
  return writeTransaction(db, () => {
    mustGet(db, id)
    prepared(
      db,
      `UPDATE terminals SET paused = ?, paused_reason = NULL, paused_code = NULL, paused_at = NULL, updated_at = ?
       WHERE id = ?`
    ).run(toBit(false), now, id)
    return mustGet(db, id)
  })
}
