/**
 * Storage failures never turn into a payment (RELIABILITY P10, S5): when the intent
 * or the "pay about to be sent" reservation cannot be committed — the database is
 * locked by another connection (SQLITE_BUSY), read-only, or the disk is full — nothing
 * is sent, the caller gets a storage error and the operator an alert. Once the
 * database recovers, the same payout goes out exactly once.
 *
 * Disk full is produced two ways: SQLite's own page limit (max_page_count, portable)
 * and, where the test runs as root and may mount, a real 1 MiB tmpfs that fills up.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { closeDatabase, openDatabase } from '../../../electron/core/db/connection'
import type { Db } from '../../../electron/core/db/connection'
import { createTerminal } from '../../../electron/core/db/repositories/terminals.repository'
import { MemoryCredentialProvider } from '../../../electron/core/engine/credentials'
import { createEndpointResolver } from '../../../electron/core/engine/endpoint'
import { createPayoutEngine } from '../../../electron/core/engine/engine'
import type { PayoutEngine } from '../../../electron/core/engine/types'
import { startSandbox } from '../../../electron/core/sandbox/sandbox'
import type { Sandbox } from '../../../electron/core/sandbox/sandbox'
import type { AlertView } from '../../../shared/payouts'
import { cardFor } from './harness/plan'
import { crid, FAST_CONFIG, MIGRATIONS_DIR } from './support'

let sandbox: Sandbox
const dirs: string[] = []

beforeAll(async () => {
  sandbox = await startSandbox({ tls: false, personal: false, processingMs: 0 })
})
afterAll(async () => {
  await sandbox.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

interface Desk {
  file: string
  db: Db
  engine: PayoutEngine
  terminalRef: string
  alerts: AlertView[]
}

function desk(dir: string, busyTimeoutMs = 5000): Desk {
  const file = join(dir, 'desk.db')
  const db = openDatabase(file, { migrationsDir: MIGRATIONS_DIR, busyTimeoutMs })
  const t = createTerminal(db, {
    name: `Desk ${dir.slice(-6)}`,
    terminalId: sandbox.demo.topup.password.terminalId,
    endpoint: sandbox.topupOrigin,
    authMode: 'password',
    passwordRef: 'terminal:storage:password:0000000000000000',
    servicesAllowed: ['card', 'wallet'],
    minPollSeconds: 1
  })
  const creds = new MemoryCredentialProvider()
  creds.set(t.id, {
    auth: { mode: 'password', terminalId: t.terminalId, password: sandbox.demo.topup.password.password }
  })
  const alerts: AlertView[] = []
  const engine = createPayoutEngine({
    db,
    credentials: creds,
    resolveEndpoint: createEndpointResolver({ totalTimeoutMs: 2000 }),
    onAlert: (a) => alerts.push(a),
    config: FAST_CONFIG
  })
  return { file, db, engine, terminalRef: t.id, alerts }
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'qiwi-storage-'))
  dirs.push(d)
  return d
}

/** Pay requests the sandbox received, by transaction-number. */
function paysReceived(): string[] {
  return sandbox.admin.topup
    .requests()
    .filter((r) => r.request === 'pay')
    .flatMap((r) => r.transactionNumbers)
}

/** Every pay the sandbox saw must belong to a committed row with pay_sent = 1 (read by another connection). */
function assertEveryPayWasCommitted(file: string, numbers: string[]): void {
  const ro = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const q = ro.prepare('SELECT pay_sent FROM payouts WHERE transaction_number = ?')
    for (const n of numbers) {
      const row = q.get(n) as { pay_sent: number } | undefined
      expect(row, `pay ${n} has a committed row`).toBeDefined()
      expect(row?.pay_sent).toBe(1)
    }
  } finally {
    ro.close()
  }
}

async function errorCodeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return isAppError(e) ? e.code : 'not-an-app-error'
  }
  return 'no-error'
}

describe('SQLITE_BUSY (S5)', () => {
  it('a locked database while recording the intent: storage-busy, nothing sent, alert raised', async () => {
    const d = desk(tempDir(), 150)
    const other = new Database(d.file)
    other.exec('BEGIN EXCLUSIVE')
    const before = paysReceived().length
    const code = await errorCodeOf(
      d.engine.createPayout(
        {
          clientRequestId: crid('busy'),
          terminalRef: d.terminalRef,
          service: 'card',
          account: cardFor(1),
          amount: '5.00'
        },
        { awaitSend: true }
      )
    )
    expect(code).toBe('storage-busy')
    expect(paysReceived().length).toBe(before)
    expect(d.alerts.some((a) => a.kind === 'storage' && a.code === 'storage-busy')).toBe(true)
    other.exec('ROLLBACK')
    other.close()
    const v = await d.engine.createPayout(
      {
        clientRequestId: crid('busy'),
        terminalRef: d.terminalRef,
        service: 'card',
        account: cardFor(2),
        amount: '5.00'
      },
      { awaitSend: true }
    )
    expect(v.state).toBe('succeeded')
    closeDatabase(d.db)
  })

  it('a locked database at the pay reservation: nothing sent until it commits, then exactly once', async () => {
    const d = desk(tempDir(), 150)
    const v0 = await d.engine.createPayout({
      clientRequestId: crid('busy2'),
      terminalRef: d.terminalRef,
      service: 'card',
      account: cardFor(3),
      amount: '6.00'
    })
    expect(v0.state).toBe('queued')
    const other = new Database(d.file)
    other.exec('BEGIN EXCLUSIVE')
    await d.engine.runOnce()
    await d.engine.runOnce()
    expect(paysReceived()).not.toContain(v0.transactionNumber)
    expect(d.alerts.some((a) => a.kind === 'storage' && a.code === 'storage-busy')).toBe(true)
    other.exec('ROLLBACK')
    other.close()
    await d.engine.runOnce()
    expect(d.engine.get(v0.id)?.state).toBe('succeeded')
    expect(paysReceived().filter((n) => n === v0.transactionNumber)).toHaveLength(1)
    closeDatabase(d.db)
  })
})

describe('read-only database (P10)', () => {
  it('nothing is sent while the connection cannot write', async () => {
    const d = desk(tempDir())
    const v0 = await d.engine.createPayout({
      clientRequestId: crid('ro'),
      terminalRef: d.terminalRef,
      service: 'card',
      account: cardFor(4),
      amount: '7.00'
    })
    d.db.pragma('query_only = ON')
    const code = await errorCodeOf(
      d.engine.createPayout(
        {
          clientRequestId: crid('ro'),
          terminalRef: d.terminalRef,
          service: 'card',
          account: cardFor(5),
          amount: '7.00'
        },
        { awaitSend: true }
      )
    )
    expect(code).toBe('storage-readonly')
    await d.engine.runOnce()
    expect(paysReceived()).not.toContain(v0.transactionNumber)
    expect(d.alerts.some((a) => a.kind === 'storage' && a.code === 'storage-readonly')).toBe(true)
    d.db.pragma('query_only = OFF')
    await d.engine.runOnce()
    expect(d.engine.get(v0.id)?.state).toBe('succeeded')
    closeDatabase(d.db)
  })
})

/** Records payouts until the disk is full; checks no pay left without its committed row. */
async function fillUntilFull(d: Desk, limit: number): Promise<{ recorded: number; fullErrors: number }> {
  let recorded = 0
  let fullErrors = 0
  for (let i = 0; i < limit && fullErrors < 3; i++) {
    try {
      await d.engine.createPayout(
        {
          clientRequestId: crid('full'),
          terminalRef: d.terminalRef,
          service: 'card',
          account: cardFor(20_000 + i),
          amount: '1.00',
          comment: 'x'.repeat(900)
        },
        { awaitSend: true }
      )
      recorded += 1
    } catch (e) {
      if (!isAppError(e)) throw e
      expect(['storage-full', 'storage']).toContain(e.code)
      fullErrors += 1
    }
    await d.engine.runOnce()
  }
  return { recorded, fullErrors }
}

describe('disk full (P10)', () => {
  it('SQLite page limit reached: storage-full, and no pay without its committed intent', async () => {
    const d = desk(tempDir())
    const pages = Number(d.db.pragma('page_count', { simple: true }))
    d.db.pragma(`max_page_count = ${pages + 6}`)
    const before = new Set(paysReceived())
    const r = await fillUntilFull(d, 200)
    expect(r.fullErrors).toBeGreaterThan(0)
    const sent = paysReceived().filter((n) => !before.has(n))
    assertEveryPayWasCommitted(d.file, sent)
    expect(d.alerts.some((a) => a.kind === 'storage')).toBe(true)
    closeDatabase(d.db)
  })

  const canMount = process.getuid?.() === 0 && process.platform === 'linux'
  it.skipIf(!canMount)(
    'a real 1 MiB tmpfs fills up: storage-full, and no pay without its committed intent',
    async (t) => {
      const mnt = join(tempDir(), 'tmpfs')
      mkdirSync(mnt)
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'ignore' })
      } catch {
        // No CAP_SYS_ADMIN here: the page-limit test above covers SQLITE_FULL.
        t.skip()
        return
      }
      try {
        const d = desk(mnt)
        // Leave ~600 KiB free: a few payouts fit, then the WAL hits the wall.
        const fs = statfsSync(mnt)
        const free = fs.bavail * fs.bsize
        if (free > 600 * 1024) writeFileSync(join(mnt, 'filler'), Buffer.alloc(free - 600 * 1024))
        const before = new Set(paysReceived())
        const r = await fillUntilFull(d, 400)
        expect(r.recorded).toBeGreaterThan(0)
        expect(r.fullErrors).toBeGreaterThan(0)
        const sent = paysReceived().filter((n) => !before.has(n))
        assertEveryPayWasCommitted(d.file, sent)
        try {
          closeDatabase(d.db)
        } catch {
          // closing may fail on a full disk (checkpoint); irrelevant here
        }
      } finally {
        execFileSync('umount', ['-l', mnt], { stdio: 'ignore' })
      }
    }
  )
})
