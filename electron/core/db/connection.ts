/**
 * The one SQLite connection of the payout engine (better-sqlite3, main process).
 *
 * Durability rules (RELIABILITY.md §2.2, S1): WAL + synchronous=FULL (this build
 * defaults WAL to NORMAL, which may lose a committed intent on power loss),
 * foreign keys on, a busy timeout; each is set AND read back on every open, and a
 * connection whose settings did not take is closed and refused. Every write goes
 * through `writeTransaction` (BEGIN IMMEDIATE): a deferred transaction that upgrades
 * from read to write can get SQLITE_BUSY without waiting (better-sqlite3 #1275).
 */
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../../shared/errors'
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import { mapSqliteError } from './errors'
import { loadMigrations, migrate, verifySchemaVersion } from './migrate'
import type { Migration } from './migrate'
import { statementCache } from './statement-cache'
import type { StatementOptions } from './statement-cache'

export { mapSqliteError } from './errors'

declare const dbBrand: unique symbol

/**
 * A connection opened by `openDatabase`: pragmas verified, schema current. The brand
 * keeps a raw `new Database()` (unverified settings) out of the repositories.
 */
export type Db = Database.Database & { readonly [dbBrand]: true }

export const DEFAULT_BUSY_TIMEOUT_MS = 5000

export interface OpenOptions {
  /** Open read-only (no migrations; the schema must already be current). */
  readonly?: boolean
  /** Folder with NNNN_name.sql files. Default: `findMigrationsDir()`. */
  migrationsDir?: string
  /** Pre-loaded migrations (wins over migrationsDir). */
  migrations?: readonly Migration[]
  /** busy_timeout in ms, default 5000. Tests lower it to keep SQLITE_BUSY cases fast. */
  busyTimeoutMs?: number
  logger?: Logger
  /** Clock for schema_migrations.applied_at. */
  now?: () => number
}

export interface PragmaReadback {
  journalMode: string
  synchronous: number
  foreignKeys: number
  busyTimeout: number
}

/**
 * Finds `resources/migrations` by walking up from `start` (default: this module's
 * folder). The code runs from electron/core/db in tests and from a bundle under
 * out/… in the app, so no fixed depth is assumed. Packaged apps pass
 * `migrationsDir` explicitly (e.g. under process.resourcesPath).
 */
export function findMigrationsDir(start: string = __dirname): string {
  let dir = resolve(start)
  for (;;) {
    const candidate = join(dir, 'resources', 'migrations')
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate
    const parent = dirname(dir)
    if (parent === dir) {
      throw new AppError('storage', `resources/migrations not found in ${start} or any parent folder`)
    }
    dir = parent
  }
}

/** Reads the connection settings that S1 requires. */
export function readPragmas(db: Database.Database): PragmaReadback {
  return {
    journalMode: String(db.pragma('journal_mode', { simple: true })).toLowerCase(),
    synchronous: Number(db.pragma('synchronous', { simple: true })),
    foreignKeys: Number(db.pragma('foreign_keys', { simple: true })),
    busyTimeout: Number(db.pragma('busy_timeout', { simple: true }))
  }
}

function configure(raw: Database.Database, readonly: boolean, busyTimeoutMs: number): void {
  if (!readonly) raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = FULL')
  raw.pragma('foreign_keys = ON')
  raw.pragma(`busy_timeout = ${busyTimeoutMs}`)
  const got = readPragmas(raw)
  const want: PragmaReadback = {
    journalMode: 'wal',
    synchronous: 2,
    foreignKeys: 1,
    busyTimeout: busyTimeoutMs
  }
  for (const key of Object.keys(want) as (keyof PragmaReadback)[]) {
    if (got[key] !== want[key]) {
      throw new AppError(
        'storage',
        `SQLite setting ${key} is ${String(got[key])}, expected ${String(want[key])}`,
        {
          pragma: key,
          expected: want[key],
          actual: got[key]
        }
      )
    }
  }
}

/**
 * Opens (creating if needed) the database file, verifies the pragmas, applies pending
 * migrations (or, read-only, checks the schema is current) and checks the file is
 * writable. Throws AppError: 'storage' (settings/migrations/file), 'storage-readonly',
 * 'storage-busy', 'db-from-future'.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const readonly = opts.readonly === true
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new AppError('config', 'busyTimeoutMs must be a non-negative integer')
  }
  const logger = opts.logger ?? nullLogger
  let raw: Database.Database
  try {
    raw = new Database(file, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs })
  } catch (e) {
    throw mapSqliteError(e)
  }
  try {
    configure(raw, readonly, busyTimeoutMs)
    const db = raw as Db
    const migrations = opts.migrations ?? loadMigrations(opts.migrationsDir ?? findMigrationsDir())
    if (readonly) {
      verifySchemaVersion(db, migrations)
    } else {
      migrate(db, migrations, { logger, now: opts.now ?? Date.now })
      // A file the process cannot write (permissions, read-only mount) still opens
      // "read-write" in SQLite; find out now rather than at the first payout.
      const version = Number(db.pragma('user_version', { simple: true }))
      writeTransaction(db, () => {
        db.pragma(`user_version = ${version}`)
      })
    }
    logger.debug({ file, readonly }, 'database opened')
    return db
  } catch (e) {
    try {
      raw.close()
    } catch {
      // the original error is the one worth reporting
    }
    throw mapSqliteError(e)
  }
}

/**
 * Runs `fn` in a BEGIN IMMEDIATE transaction (a savepoint when nested) and maps any
 * failure to an AppError. `fn` must be synchronous: an async function would commit
 * before its awaits run.
 */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  try {
    return db.transaction(fn).immediate()
  } catch (e) {
    throw mapSqliteError(e)
  }
}

/** Runs read-only code and maps SQLite failures to AppErrors. */
export function readQuery<T>(db: Db, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    throw mapSqliteError(e)
  }
}

/**
 * A prepared statement from the connection's statement cache (statement-cache.ts), for
 * the repositories' fixed SQL and for SQL generated from filters alike. `safeIntegers`:
 * INTEGER columns come back as BigInt (values that may exceed 2^53, e.g. the txn
 * counter); `raw`: rows come back as arrays.
 */
export function prepared(db: Db, sql: string, opts: StatementOptions = {}): Database.Statement {
  return statementCache(db).get(sql, opts)
}

/** Closes the connection (checkpointing the WAL). Safe to call twice. */
export function closeDatabase(db: Db): void {
  if (!db.open) return
  try {
    db.pragma('optimize')
  } catch {
    // optimize is advisory; a failure must not keep the file open
  }
  db.close()
}

export interface IntegrityReport {
  ok: boolean
  /** integrity_check messages other than 'ok', then foreign-key violations. */
  problems: string[]
}

/** PRAGMA integrity_check + foreign_key_check. */
export function integrityCheck(db: Db): IntegrityReport {
  return readQuery(db, () => {
    const problems: string[] = []
    const rows = db.pragma('integrity_check') as { integrity_check: string }[]
    for (const r of rows) if (r.integrity_check !== 'ok') problems.push(r.integrity_check)
    const fk = db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[]
    for (const r of fk) problems.push(`foreign key: ${r.table} row ${String(r.rowid)} → ${r.parent}`)
    return { ok: problems.length === 0, problems }
  })
}

function fsyncPath(path: string): void {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    fsyncSync(fd)
  } catch {
    // directories cannot be fsynced on every platform (Windows); best effort
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function removeDbFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true })
}

export interface BackupOptions {
  /** Pages copied per step; other work on the connection runs between steps. Default 256. */
  pagesPerStep?: number
  /** Replace an existing file at destFile. Default false. */
  overwrite?: boolean
}

export interface BackupResult {
  file: string
  totalPages: number
  schemaVersion: number
}

/**
 * Copies the live database to `destFile` with SQLite's online backup API (never a
 * file copy: a live WAL database copied byte-wise can be torn). Writes made on this
 * connection while the backup runs are carried into the copy. The copy is written
 * to a temporary name, switched to rollback-journal mode (one self-contained file),
 * checked with quick_check, fsynced and renamed into place, so `destFile` is either
 * absent or a complete, verified backup.
 */
export async function backupDatabase(
  db: Db,
  destFile: string,
  opts: BackupOptions = {}
): Promise<BackupResult> {
  const dest = resolve(destFile)
  if (existsSync(dest) && opts.overwrite !== true) {
    throw new AppError('conflict', `backup target already exists: ${dest}`)
  }
  if (existsSync(`${dest}-wal`)) {
    throw new AppError('storage', `backup target has a -wal file beside it; refusing to replace it: ${dest}`)
  }
  const pagesPerStep = opts.pagesPerStep ?? 256
  const tmp = `${dest}.partial-${randomBytes(6).toString('hex')}`
  try {
    const res = await db.backup(tmp, { progress: () => pagesPerStep })
    const copy = new Database(tmp, { fileMustExist: true })
    let schemaVersion: number
    try {
      copy.pragma('journal_mode = DELETE')
      const check = copy.pragma('quick_check', { simple: true })
      if (check !== 'ok') throw new AppError('storage', `backup copy failed quick_check: ${String(check)}`)
      schemaVersion = Number(copy.pragma('user_version', { simple: true }))
    } finally {
      copy.close()
    }
    fsyncPath(tmp)
    renameSync(tmp, dest)
    fsyncPath(dirname(dest))
    return { file: dest, totalPages: res.totalPages, schemaVersion }
  } catch (e) {
    removeDbFiles(tmp)
    throw mapSqliteError(e)
  }
}

/**
 * Replaces the database at `destFile` with the backup at `backupFile`, through the
 * backup API (which handles a -wal beside the target correctly). No connection to
 * `destFile` may be open. Open the result with `openDatabase` afterwards: it
 * re-applies WAL and migrations, or refuses a backup from a newer app version.
 *
 * Transaction numbers stay unique after a restore because the allocator never goes
 * below the wall clock (see txn-allocator.ts).
 */
export async function restoreBackup(backupFile: string, destFile: string): Promise<void> {
  let src: Database.Database
  try {
    src = new Database(backupFile, { readonly: true, fileMustExist: true })
  } catch (e) {
    throw mapSqliteError(e)
  }
  try {
    const check = src.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new AppError('storage', `backup file failed quick_check: ${String(check)}`)
    await src.backup(resolve(destFile))
  } catch (e) {
    throw mapSqliteError(e)
  } finally {
    src.close()
  }
}
