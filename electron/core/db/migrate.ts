/**
 * Migration runner, modelled on Signal's (ts/sql/migrations/index.node.ts):
 *
 * 1. reads `NNNN_name.sql` from the migrations folder and checks the numbering is
 *    1, 2, 3, … without gaps or duplicates;
 * 2. refuses a database whose `user_version` is newer than the newest file
 *    ('db-from-future': an older app must not write a schema it does not know);
 * 3. refuses a database whose applied migrations no longer match the files
 *    (an edited migration means two installs can have different schemas under one
 *    version number);
 * 4. applies all pending migrations and sets `PRAGMA user_version` in ONE
 *    immediate transaction, so a crash leaves the old version or the new one.
 *
 * Migrations are append-only and must not contain BEGIN/COMMIT of their own.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { AppError } from '../../../shared/errors'
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import { mapSqliteError } from './errors'

export interface Migration {
  version: number
  name: string
  file: string
  sql: string
  /** sha256 of the text with line endings normalized (a CRLF checkout is not an edit). */
  sha256: string
}

export interface MigrateResult {
  from: number
  to: number
  applied: number[]
}

const FILE_RE = /^(\d{4})_([a-z0-9][a-z0-9_-]*)\.sql$/

export function migrationChecksum(sql: string): string {
  const normalized = sql
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .trimEnd()
  return createHash('sha256').update(normalized, 'utf8').digest('hex')
}

/** Loads and validates the migration files of `dir`, sorted by number. */
export function loadMigrations(dir: string): Migration[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (e) {
    throw new AppError(
      'storage',
      `cannot read migrations folder ${dir}: ${e instanceof Error ? e.message : String(e)}`
    )
  }
  const migrations: Migration[] = []
  for (const name of names) {
    if (!name.toLowerCase().endsWith('.sql')) continue
    const m = FILE_RE.exec(name)
    if (!m) throw new AppError('storage', `migration file name must be NNNN_name.sql: ${name}`)
    const sql = readFileSync(join(dir, name), 'utf8')
    migrations.push({
      version: Number(m[1]),
      name: m[2] ?? '',
      file: name,
      sql,
      sha256: migrationChecksum(sql)
    })
  }
  return validateMigrations(migrations)
}

/** Sorts and checks that versions run 1..N with no gap or duplicate. */
export function validateMigrations(list: readonly Migration[]): Migration[] {
  const sorted = [...list].sort((a, b) => a.version - b.version)
  if (sorted.length === 0) throw new AppError('storage', 'no migrations found')
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) {
      const prev = sorted[i - 1]
      const what = prev && prev.version === m.version ? 'duplicate' : 'gap before'
      throw new AppError('storage', `migration numbering is not contiguous: ${what} ${m.file}`, {
        expected: i + 1,
        found: m.version
      })
    }
  })
  return sorted
}

export function schemaVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }))
}

function refuseFuture(current: number, latest: number): void {
  if (current > latest) {
    throw new AppError(
      'db-from-future',
      `the database has schema version ${current}; this app knows up to ${latest}. Use a newer version of the app.`,
      { dbVersion: current, appVersion: latest }
    )
  }
}

function verifyApplied(db: Database.Database, migrations: readonly Migration[], current: number): void {
  if (current === 0) return
  const rows = db.prepare('SELECT version, name, sha256 FROM schema_migrations ORDER BY version').all() as {
    version: number
    name: string
    sha256: string
  }[]
  if (rows.length !== current) {
    throw new AppError('storage', `schema_migrations has ${rows.length} rows for schema version ${current}`)
  }
  for (const row of rows) {
    const m = migrations[row.version - 1]
    if (!m || m.version !== row.version || m.sha256 !== row.sha256 || m.name !== row.name) {
      throw new AppError(
        'storage',
        `applied migration ${row.version} (${row.name}) differs from the migration file`,
        {
          version: row.version
        }
      )
    }
  }
}

/** Read-only check: the schema must be exactly the newest one. */
export function verifySchemaVersion(db: Database.Database, migrations: readonly Migration[]): void {
  const latest = migrations.length
  const current = schemaVersion(db)
  refuseFuture(current, latest)
  if (current < latest) {
    throw new AppError(
      'storage',
      `the database has schema version ${current}; open it read-write once to migrate to ${latest}`
    )
  }
  verifyApplied(db, migrations, current)
}

/** Applies pending migrations in one immediate transaction. */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  opts: { logger?: Logger; now?: () => number } = {}
): MigrateResult {
  const logger = opts.logger ?? nullLogger
  const now = opts.now ?? Date.now
  const sorted = validateMigrations(migrations)
  const latest = sorted.length
  try {
    return db
      .transaction((): MigrateResult => {
        const current = schemaVersion(db)
        refuseFuture(current, latest)
        verifyApplied(db, sorted, current)
        const pending = sorted.slice(current)
        for (const m of pending) {
          try {
            db.exec(m.sql)
          } catch (e) {
            // SQL errors in a migration are a storage failure for the caller; busy/full/readonly keep their code
            const mapped = mapSqliteError(e)
            const code = mapped.code === 'internal' ? 'storage' : mapped.code
            throw new AppError(code, `migration ${m.file} failed: ${mapped.message}`, { version: m.version })
          }
          db.prepare(
            'INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)'
          ).run(m.version, m.name, m.sha256, now())
        }
        if (pending.length > 0) {
          const violations = db.pragma('foreign_key_check') as unknown[]
          if (violations.length > 0) {
            throw new AppError('storage', `migrations left ${violations.length} foreign-key violations`)
          }
          db.pragma(`user_version = ${latest}`)
          logger.info({ from: current, to: latest }, 'database migrated')
        }
        return { from: current, to: latest, applied: pending.map((m) => m.version) }
      })
      .immediate()
  } catch (e) {
    throw mapSqliteError(e)
  }
}
