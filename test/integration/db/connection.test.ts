import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  backupDatabase,
  closeDatabase,
  findMigrationsDir,
  integrityCheck,
  openDatabase,
  readPragmas,
  writeTransaction
} from '../../../electron/core/db/connection'
import { loadMigrations } from '../../../electron/core/db/migrate'
import { createIntent } from '../../../electron/core/db/repositories/payouts.repository'
import { MIGRATIONS_DIR, T0, TempDirs, payoutInput, seedTerminal } from './helpers'

const tmp = new TempDirs()
afterAll(() => tmp.cleanup())

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (isAppError(e)) return e.code
    throw e
  }
  throw new Error('expected an AppError, nothing was thrown')
}

async function codeOfAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    if (isAppError(e)) return e.code
    throw e
  }
  throw new Error('expected an AppError, nothing was thrown')
}

function counts(file: string): { payouts: number; events: number; counters: number } {
  const raw = new Database(file, { readonly: true })
  try {
    const n = (sql: string): number => (raw.prepare(sql).get() as { n: number }).n
    return {
      payouts: n('SELECT count(*) AS n FROM payouts'),
      events: n('SELECT count(*) AS n FROM payout_events'),
      counters: n('SELECT count(*) AS n FROM txn_counters')
    }
  } finally {
    raw.close()
  }
}

describe('openDatabase pragmas (S1)', () => {
  it('reads back WAL, synchronous=FULL, foreign_keys=ON and busy_timeout on every open', () => {
    const dir = tmp.make()
    const file = join(dir, 'desk.db')
    const seen: ReturnType<typeof readPragmas>[] = []
    for (let i = 0; i < 25; i++) {
      const db = openDatabase(file, { migrationsDir: MIGRATIONS_DIR })
      seen.push(readPragmas(db))
      closeDatabase(db)
    }
    const ro = openDatabase(file, { readonly: true, migrationsDir: MIGRATIONS_DIR })
    seen.push(readPragmas(ro))
    closeDatabase(ro)
    expect(seen).toHaveLength(26)
    for (const p of seen) {
      expect(p).toEqual({
        journalMode: 'wal',
        synchronous: 2,
        foreignKeys: 1,
        busyTimeout: DEFAULT_BUSY_TIMEOUT_MS
      })
    }
  })

  it('refuses a connection whose journal mode cannot be WAL (in-memory database)', () => {
    // SQLite keeps an in-memory database in journal_mode=memory whatever is asked.
    expect(codeOf(() => openDatabase(':memory:', { migrationsDir: MIGRATIONS_DIR }))).toBe('storage')
  })

  it('refuses a read-only open of a rollback-journal file (readback says "delete")', () => {
    const dir = tmp.make()
    const file = join(dir, 'legacy.db')
    const raw = new Database(file)
    raw.pragma('journal_mode = DELETE')
    raw.exec('CREATE TABLE x (a)')
    raw.close()
    expect(codeOf(() => openDatabase(file, { readonly: true, migrationsDir: MIGRATIONS_DIR }))).toBe(
      'storage'
    )
  })

  it('a read-only connection beside the open writer sees committed intents (P3 style check)', () => {
    const { db, file } = tmp.fresh()
    const t = seedTerminal(db)
    const p = createIntent(db, payoutInput(t.id), 'p3-1', T0).payout
    const reader = tmp.open(file, { readonly: true })
    expect(readPragmas(reader).journalMode).toBe('wal')
    const row = reader
      .prepare('SELECT transaction_number FROM payouts WHERE terminal_id = ? AND transaction_number = ?')
      .get(p.terminalId, p.transactionNumber)
    expect(row).toEqual({ transaction_number: p.transactionNumber })
  })

  it('applies a custom busy timeout and reads it back', () => {
    const { db } = tmp.fresh({ busyTimeoutMs: 250 })
    expect(readPragmas(db).busyTimeout).toBe(250)
  })
})

describe('findMigrationsDir', () => {
  it('walks up from any depth (bundled code lives under out/…)', () => {
    expect(findMigrationsDir(join(MIGRATIONS_DIR, '..', '..', 'out', 'main', 'chunks'))).toBe(MIGRATIONS_DIR)
    expect(findMigrationsDir()).toBe(MIGRATIONS_DIR)
  })

  it('throws a storage error when there is none', () => {
    const dir = tmp.make()
    mkdirSync(join(dir, 'a', 'b'), { recursive: true })
    // tmpdir has no resources/migrations above it
    expect(codeOf(() => findMigrationsDir(join(dir, 'a', 'b')))).toBe('storage')
  })
})

describe('SQLITE_BUSY (S5)', () => {
  it('another connection holding BEGIN EXCLUSIVE gives storage-busy and nothing half-written', () => {
    const { db, file } = tmp.fresh({ busyTimeoutMs: 150 })
    const t = seedTerminal(db)
    const before = counts(file)
    const other = new Database(file)
    other.exec('BEGIN EXCLUSIVE')
    other.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('lock', '1', 0)").run()
    try {
      const started = Date.now()
      expect(codeOf(() => createIntent(db, payoutInput(t.id), 'busy-1', T0))).toBe('storage-busy')
      expect(Date.now() - started).toBeGreaterThanOrEqual(100) // the busy handler waited
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect(counts(file)).toEqual(before)
    // the same action succeeds once the lock is gone, with one row
    const r = createIntent(db, payoutInput(t.id), 'busy-1', T0)
    expect(r.created).toBe(true)
    expect(counts(file).payouts).toBe(before.payouts + 1)
  })

  it('openDatabase itself reports storage-busy when the file is locked for writing', () => {
    const { db, file } = tmp.fresh()
    closeDatabase(db)
    const other = new Database(file)
    other.exec('BEGIN EXCLUSIVE')
    other.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('lock', '1', 0)").run()
    try {
      expect(codeOf(() => openDatabase(file, { migrationsDir: MIGRATIONS_DIR, busyTimeoutMs: 50 }))).toBe(
        'storage-busy'
      )
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
  })
})

describe('read-only storage', () => {
  it('a write on a connection opened read-only gives storage-readonly', () => {
    const { db, file } = tmp.fresh()
    const t = seedTerminal(db)
    closeDatabase(db)
    const ro = tmp.open(file, { readonly: true })
    expect(codeOf(() => createIntent(ro, payoutInput(t.id), 'ro-1', T0))).toBe('storage-readonly')
    expect(counts(file).payouts).toBe(0)
  })

  const canDropPrivileges = process.platform !== 'win32' && typeof process.seteuid === 'function'

  it.runIf(canDropPrivileges)(
    'a database file the process may not write gives storage-readonly at open',
    () => {
      const dir = tmp.make()
      chmodSync(dir, 0o777)
      const file = join(dir, 'desk.db')
      const db = openDatabase(file, { migrationsDir: MIGRATIONS_DIR })
      closeDatabase(db)
      chmodSync(file, 0o444)
      // read the migrations now: the checkout itself may not be readable by 'nobody'
      const migrations = loadMigrations(MIGRATIONS_DIR)
      // root ignores file modes, so drop to 'nobody' for the attempt (effective uid only, restored below)
      const seteuid = process.seteuid?.bind(process)
      const root = process.geteuid?.() === 0
      if (root && seteuid) seteuid(65534)
      let code: string
      try {
        code = codeOf(() => openDatabase(file, { migrations }))
      } finally {
        if (root && seteuid) seteuid(0)
      }
      expect(code).toBe('storage-readonly')
    }
  )
})

describe('integrityCheck and backupDatabase (S2, S6)', () => {
  it('a fresh database passes integrity_check and foreign_key_check', () => {
    const { db } = tmp.fresh()
    expect(integrityCheck(db)).toEqual({ ok: true, problems: [] })
  })

  it('backs up under write load to a consistent, verified copy', async () => {
    const { db, dir } = tmp.fresh()
    const t = seedTerminal(db)
    writeTransaction(db, () => {
      for (let i = 0; i < 4000; i++) {
        createIntent(
          db,
          payoutInput(t.id, { amountKopecks: 100 + i, comment: 'x'.repeat(200) }),
          `seed-${i}`,
          T0 + i
        )
      }
    })
    let writes = 0
    let stop = false
    const pump = (): void => {
      if (stop) return
      createIntent(
        db,
        payoutInput(t.id, { amountKopecks: 7 + writes }),
        `load-${writes}`,
        T0 + 10_000 + writes
      )
      writes++
      setImmediate(pump)
    }
    setImmediate(pump)
    const dest = join(dir, 'backup', 'desk-backup.db')
    mkdirSync(join(dir, 'backup'))
    const res = await backupDatabase(db, dest, { pagesPerStep: 8 })
    stop = true
    const writesDuringBackup = writes
    expect(writesDuringBackup).toBeGreaterThan(10)
    expect(res.totalPages).toBeGreaterThan(100)
    expect(res.schemaVersion).toBe(loadMigrations(MIGRATIONS_DIR).length)
    // no temporary or sidecar files left next to the backup
    expect(readdirSync(join(dir, 'backup'))).toEqual(['desk-backup.db'])

    const copy = tmp.open(dest)
    expect(integrityCheck(copy)).toEqual({ ok: true, problems: [] })
    const n = (copy.prepare('SELECT count(*) AS n FROM payouts').get() as { n: number }).n
    expect(n).toBeGreaterThanOrEqual(4000)
    expect(n).toBeLessThanOrEqual(4000 + writes)
    // every intent in the copy came with its journal entry (one transaction each)
    const orphans = copy
      .prepare(
        'SELECT count(*) AS n FROM payouts p WHERE NOT EXISTS (SELECT 1 FROM payout_events e WHERE e.payout_id = p.id)'
      )
      .get() as { n: number }
    expect(orphans.n).toBe(0)
  })

  it('refuses to overwrite an existing backup unless asked', async () => {
    const { db, dir } = tmp.fresh()
    const dest = join(dir, 'b.db')
    await backupDatabase(db, dest)
    expect(await codeOfAsync(backupDatabase(db, dest))).toBe('conflict')
    await backupDatabase(db, dest, { overwrite: true })
    expect(existsSync(dest)).toBe(true)
  })
})
