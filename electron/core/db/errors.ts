/**
 * SQLite failures become typed AppErrors at the storage boundary, so callers can
 * match on `code`. The money rule behind it (RELIABILITY.md S5): any storage error
 * means "not committed", and an uncommitted intent is never sent.
 */
import { AppError, isAppError } from '../../../shared/errors'
import type { ErrorCode } from '../../../shared/errors'

/** The SQLite extended result code carried by a better-sqlite3 SqliteError, if any. */
export function sqliteCode(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return null
  const code = (e as { code?: unknown }).code
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null
}

/**
 * Trigger messages in the migrations start with a word and a colon; the word picks
 * the error code. Unknown prefixes are conflicts (a rule of the data was broken).
 */
function triggerCode(message: string): ErrorCode {
  const prefix = /^([a-z-]+):/.exec(message)?.[1]
  switch (prefix) {
    case 'payout-final':
      return 'payout-final'
    case 'immutable':
    case 'forbidden':
      return 'forbidden'
    case 'illegal-transition':
    default:
      return 'conflict'
  }
}

function codeFor(sqlite: string, message: string): ErrorCode {
  const base = sqlite.replace(/^(SQLITE_[A-Z]+)(_.*)?$/, '$1')
  switch (base) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return 'storage-busy'
    case 'SQLITE_READONLY':
      return 'storage-readonly'
    case 'SQLITE_FULL':
      return 'storage-full'
    case 'SQLITE_CONSTRAINT':
      if (sqlite === 'SQLITE_CONSTRAINT_TRIGGER') return triggerCode(message)
      if (sqlite === 'SQLITE_CONSTRAINT_CHECK' || sqlite === 'SQLITE_CONSTRAINT_NOTNULL') {
        return 'invalid-input'
      }
      return 'conflict'
    case 'SQLITE_MISUSE':
    case 'SQLITE_RANGE':
    case 'SQLITE_ERROR':
      // SQL the code wrote itself was wrong: a bug, not a storage condition.
      return 'internal'
    default:
      // IOERR*, CORRUPT, NOTADB, CANTOPEN, PERM, NOMEM, PROTOCOL, ...
      return 'storage'
  }
}

/**
 * Maps anything thrown by better-sqlite3 (or by code inside a transaction) to an
 * AppError. AppErrors pass through unchanged; non-SQLite errors become 'internal'.
 *
 * @example
 *   try { writeTransaction(db, () => ...) } catch (e) { const ae = mapSqliteError(e); if (ae.code === 'storage-busy') ... }
 */
export function mapSqliteError(e: unknown): AppError {
  if (isAppError(e)) return e
  const message = e instanceof Error ? e.message : String(e)
  const sqlite = sqliteCode(e)
  if (sqlite === null) return new AppError('internal', message)
  return new AppError(codeFor(sqlite, message), message, { sqliteCode: sqlite })
}
