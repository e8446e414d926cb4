import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { closeDatabase, openDatabase } from '../../../electron/core/db/connection'
import { loadMigrations, migrate, migrationChecksum, schemaVersion } from '../../../electron/core/db/migrate'
import type { Migration } from '../../../electron/core/db/migrate'
import { REPO_ROOT } from '../../support/paths'
import { MIGRATIONS_DIR, TempDirs } from './helpers'

const tmp = new TempDirs()
afterAll(() => tmp.cleanup())

const SNAPSHOT_FILE = join(REPO_ROOT, 'test', 'fixtures', 'schema-snapshot.sql')

function appError(fn: () => unknown): { code: string; message: string } {
  try {
    fn()
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error('expected an AppError, nothing was thrown')
}

/** A migrations folder: the real 0001 plus the given extra files. */
function migrationsDir(extra: Record<string, string>): string {
  const dir = tmp.make('qiwi-desk-migrations-')
  copyFileSync(join(MIGRATIONS_DIR, '0001_init.sql'), join(dir, '0001_init.sql'))
  for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql)
  return dir
}

function objects(file: string): string[] {
  const raw = new Database(file, { readonly: true })
  try {
    return (
      raw.prepare("SELECT type || ':' || name AS o FROM sqlite_master ORDER BY o").all() as { o: string }[]
    ).map((r) => r.o)
  } finally {
    raw.close()
  }
}

function userVersion(file: string): number {
  const raw = new Database(file, { readonly: true })
  try {
    return schemaVersion(raw)
  } finally {
    raw.close()
  }
}

describe('loadMigrations', () => {
  it('loads the shipped migrations, numbered from 1 without gaps', () => {
    const ms = loadMigrations(MIGRATIONS_DIR)
    expect(ms.length).toBeGreaterThanOrEqual(1)
    ms.forEach((m, i) => expect(m.version).toBe(i + 1))
    expect(ms[0]?.name).toBe('init')
  })

  it('sorts numerically and ignores files that are not .sql', () => {
    const dir = migrationsDir({
      '0003_c.sql': 'ALTER TABLE t2 ADD COLUMN c TEXT;',
      '0002_b.sql': 'CREATE TABLE t2 (a);',
      'README.md': 'not a migration'
    })
    const ms = loadMigrations(dir)
    expect(ms.map((m) => m.file)).toEqual(['0001_init.sql', '0002_b.sql', '0003_c.sql'])
  })

  it('detects a gap in the numbering', () => {
    const dir = migrationsDir({ '0003_c.sql': 'CREATE TABLE c (a);' })
    const e = appError(() => loadMigrations(dir))
    expect(e.code).toBe('storage')
    expect(e.message).toMatch(/gap before 0003_c\.sql/)
  })

  it('detects a duplicate number', () => {
    const dir = migrationsDir({ '0002_a.sql': 'CREATE TABLE a (a);', '0002_b.sql': 'CREATE TABLE b (a);' })
    expect(appError(() => loadMigrations(dir)).message).toMatch(/duplicate/)
  })

  it('rejects a badly named .sql file instead of skipping it', () => {
    const dir = migrationsDir({ '2_oops.sql': 'CREATE TABLE a (a);' })
    expect(appError(() => loadMigrations(dir)).message).toMatch(/NNNN_name\.sql/)
  })

  it('rejects an empty folder', () => {
    expect(appError(() => loadMigrations(tmp.make())).code).toBe('storage')
  })

  it('checksums ignore line endings and trailing blanks only', () => {
    expect(migrationChecksum('CREATE TABLE a (x);\r\n')).toBe(migrationChecksum('CREATE TABLE a (x);\n'))
    expect(migrationChecksum('CREATE TABLE a (x);')).not.toBe(migrationChecksum('CREATE TABLE a (y);'))
  })
})

describe('migrate', () => {
  it('applies pending migrations in order and sets user_version; re-opening applies nothing', () => {
    const dir = migrationsDir({
      '0002_b.sql': 'CREATE TABLE t2 (a);',
      '0003_c.sql': 'ALTER TABLE t2 ADD COLUMN c TEXT;'
    })
    const file = join(tmp.make(), 'm.db')
    const db = openDatabase(file, { migrationsDir: dir, now: () => 42 })
    expect(schemaVersion(db)).toBe(3)
    expect(
      db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all()
    ).toEqual([
      { version: 1, name: 'init', applied_at: 42 },
      { version: 2, name: 'b', applied_at: 42 },
      { version: 3, name: 'c', applied_at: 42 }
    ])
    const cols = (db.prepare('PRAGMA table_info(t2)').all() as { name: string }[]).map((c) => c.name)
    expect(cols).toEqual(['a', 'c'])
    const again = migrate(db, loadMigrations(dir))
    expect(again).toEqual({ from: 3, to: 3, applied: [] })
    closeDatabase(db)
  })

  it('upgrades an older database with only the missing migrations', () => {
    const file = join(tmp.make(), 'm.db')
    closeDatabase(openDatabase(file, { migrationsDir: migrationsDir({}) }))
    expect(userVersion(file)).toBe(1)
    const dir2 = migrationsDir({ '0002_b.sql': 'CREATE TABLE t2 (a);' })
    const db = openDatabase(file, { migrationsDir: dir2 })
    expect(schemaVersion(db)).toBe(2)
    closeDatabase(db)
  })

  it('applies all pending migrations in one transaction: a failing one leaves the old version and no trace', () => {
    const dir = migrationsDir({
      '0002_b.sql': 'CREATE TABLE t2 (a);',
      '0003_bad.sql': 'CREATE TABLE t3 (a); INSERT INTO no_such_table VALUES (1);'
    })
    const file = join(tmp.make(), 'm.db')
    const e = appError(() => openDatabase(file, { migrationsDir: dir }))
    expect(e.code).toBe('storage')
    expect(e.message).toMatch(/migration 0003_bad\.sql failed: no such table: no_such_table/)
    expect(userVersion(file)).toBe(0)
    expect(objects(file)).toEqual([])
  })

  it('refuses a database from the future and leaves it untouched', () => {
    const file = join(tmp.make(), 'm.db')
    closeDatabase(openDatabase(file, { migrationsDir: MIGRATIONS_DIR }))
    const raw = new Database(file)
    raw.pragma('user_version = 99')
    raw.close()
    const before = readFileSync(file)
    const e = appError(() => openDatabase(file, { migrationsDir: MIGRATIONS_DIR }))
    expect(e.code).toBe('db-from-future')
    expect(appError(() => openDatabase(file, { migrationsDir: MIGRATIONS_DIR, readonly: true })).code).toBe(
      'db-from-future'
    )
    expect(userVersion(file)).toBe(99)
    expect(readFileSync(file).equals(before)).toBe(true)
  })

  it('refuses a database whose applied migration was edited afterwards', () => {
    const dir = migrationsDir({ '0002_b.sql': 'CREATE TABLE t2 (a);' })
    const file = join(tmp.make(), 'm.db')
    closeDatabase(openDatabase(file, { migrationsDir: dir }))
    writeFileSync(join(dir, '0002_b.sql'), 'CREATE TABLE t2 (a, b);')
    const e = appError(() => openDatabase(file, { migrationsDir: dir }))
    expect(e.code).toBe('storage')
    expect(e.message).toMatch(/differs/)
  })

  it('read-only opens do not migrate: an outdated schema is refused', () => {
    const file = join(tmp.make(), 'm.db')
    closeDatabase(openDatabase(file, { migrationsDir: migrationsDir({}) }))
    const dir2 = migrationsDir({ '0002_b.sql': 'CREATE TABLE t2 (a);' })
    expect(appError(() => openDatabase(file, { migrationsDir: dir2, readonly: true })).message).toMatch(
      /open it read-write once/
    )
    expect(userVersion(file)).toBe(1)
  })

  it('validates a shuffled migration list before applying', () => {
    const ms = loadMigrations(migrationsDir({ '0002_b.sql': 'CREATE TABLE t2 (a);' }))
    const shuffled: Migration[] = [ms[1] as Migration, ms[0] as Migration]
    const raw = new Database(join(tmp.make(), 'm.db'))
    expect(migrate(raw, shuffled)).toEqual({ from: 0, to: 2, applied: [1, 2] })
    raw.close()
  })
})

describe('migration 0001_init', () => {
  it('creates the documented tables, indexes and triggers', () => {
    const file = join(tmp.make(), 'm.db')
    closeDatabase(openDatabase(file, { migrations: loadMigrations(MIGRATIONS_DIR).slice(0, 1) }))
    const o = objects(file)
    for (const t of [
      'schema_migrations',
      'terminals',
      'txn_counters',
      'payouts',
      'payout_events',
      'alerts',
      'agent_balances',
      'settings'
    ]) {
      expect(o).toContain(`table:${t}`)
    }
    for (const i of [
      'payouts_created_at',
      'payouts_state_created_at',
      'payouts_service_created_at',
      'payouts_terminal_created_at',
      'payouts_account',
      'payouts_transaction_number',
      'payouts_txn_id',
      'payouts_due'
    ]) {
      expect(o).toContain(`index:${i}`)
    }
    for (const tr of [
      'payouts_final_immutable',
      'payouts_identity_immutable',
      'payouts_legal_transition',
      'payouts_declined_unsent',
      'payouts_pay_sent_sticky',
      'payouts_no_delete',
      'payout_events_no_update',
      'payout_events_no_delete',
      'txn_counters_monotonic'
    ]) {
      expect(o).toContain(`trigger:${tr}`)
    }
    const raw = new Database(file, { readonly: true })
    const partial = raw.prepare("SELECT sql FROM sqlite_master WHERE name = 'payouts_due'").get() as {
      sql: string
    }
    raw.close()
    expect(partial.sql).toMatch(/WHERE state IN \('queued', 'sending', 'waiting'\)/)
  })
})

function schemaSnapshot(file: string): string {
  const raw = new Database(file, { readonly: true })
  try {
    const version = schemaVersion(raw)
    const order = "CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END"
    const rows = raw
      .prepare(
        `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT GLOB 'sqlite_*' ORDER BY ${order}, name`
      )
      .all() as { type: string; name: string; sql: string }[]
    const parts = [
      `-- sqlite_master after all migrations (user_version ${version}). Generated; do not edit.`,
      '-- After adding a migration: UPDATE_SCHEMA_SNAPSHOT=1 npx vitest run --project integration test/integration/db/migrate.test.ts',
      ''
    ]
    for (const r of rows) parts.push(`-- ${r.type}: ${r.name}`, `${r.sql};`, '')
    return parts.join('\n')
  } finally {
    raw.close()
  }
}

describe('schema snapshot (schema guard)', () => {
  it('the migrated schema equals test/fixtures/schema-snapshot.sql', () => {
    const file = join(tmp.make(), 'm.db')
    closeDatabase(openDatabase(file, { migrationsDir: MIGRATIONS_DIR }))
    const actual = schemaSnapshot(file)
    if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1') writeFileSync(SNAPSHOT_FILE, actual)
    expect(existsSync(SNAPSHOT_FILE)).toBe(true)
    expect(actual).toBe(readFileSync(SNAPSHOT_FILE, 'utf8'))
  })
})
