/**
 * P5 on real files: the persisted allocator never re-issues a transaction-number,
 * not across failures, restarts, other desks, or the restore of an older backup.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import {
  backupDatabase,
  closeDatabase,
  restoreBackup,
  writeTransaction
} from '../../../electron/core/db/connection'
import type { Db } from '../../../electron/core/db/connection'
import { createIntent, transition } from '../../../electron/core/db/repositories/payouts.repository'
import {
  allocateTransactionNumber,
  decodeTransactionNumber,
  lastTransactionNumber,
  nextTransactionNumber
} from '../../../electron/core/db/txn-allocator'
import { T0, TempDirs, payoutInput, seedTerminal } from './helpers'

const tmp = new TempDirs()
afterAll(() => tmp.cleanup())

function allocateMany(
  db: Db,
  count: number,
  clock: (i: number) => number,
  prefix = 10,
  terminalId = '123456'
): string[] {
  const out: string[] = []
  const batch = 50_000
  for (let start = 0; start < count; start += batch) {
    writeTransaction(db, () => {
      for (let i = start; i < Math.min(count, start + batch); i++) {
        out.push(allocateTransactionNumber(db, terminalId, prefix, clock(i)))
      }
    })
  }
  return out
}

function assertStrictlyIncreasing(nums: readonly string[]): void {
  let prev = -1n
  let bad = 0
  for (const s of nums) {
    const v = BigInt(s)
    if (v <= prev) bad++
    prev = v
  }
  expect(bad).toBe(0)
}

describe('persisted allocator', () => {
  it('10^6 numbers from the database: strictly increasing, 0 collisions, 0 longer than 20 digits', () => {
    const { db } = tmp.fresh()
    // 300 numbers per ms, and a one-hour clock step back half way through
    const clock = (i: number): number => T0 + Math.floor(i / 300) - (i > 500_000 ? 3_600_000 : 0)
    const nums = allocateMany(db, 1_000_000, clock)
    expect(nums).toHaveLength(1_000_000)
    assertStrictlyIncreasing(nums)
    expect(new Set(nums).size).toBe(1_000_000)
    expect(nums.filter((s) => s.length > 20)).toEqual([])
    expect(nums.filter((s) => !/^[1-9]\d{17}$/.test(s))).toEqual([])
    expect(lastTransactionNumber(db, '123456', 10)).toBe(nums[nums.length - 1])
    const counter = db.prepare('SELECT issued FROM txn_counters').get() as { issued: number }
    expect(counter.issued).toBe(1_000_000)
  }, 120_000)

  it('refuses to allocate outside a write transaction', () => {
    const { db } = tmp.fresh()
    let code = ''
    try {
      allocateTransactionNumber(db, '1', 10, T0)
    } catch (e) {
      code = isAppError(e) ? e.code : 'not-app-error'
    }
    expect(code).toBe('internal')
  })

  it('keeps increasing across restarts even when the clock went back', () => {
    const { db, file } = tmp.fresh()
    const t = seedTerminal(db)
    const a = createIntent(db, payoutInput(t.id), 'r-1', T0 + 60_000).payout.transactionNumber
    closeDatabase(db)
    const db2 = tmp.open(file)
    const b = createIntent(db2, payoutInput(t.id), 'r-2', T0).payout.transactionNumber // clock one minute earlier
    expect(BigInt(b)).toBeGreaterThan(BigInt(a))
  })

  it('a failed payout keeps its number; a rolled-back intent never exposed one', () => {
    const { db } = tmp.fresh()
    const t = seedTerminal(db)
    const p = createIntent(db, payoutInput(t.id, { precheck: false }), 'f-1', T0).payout
    transition(db, p.id, 'queued', 'sending', { nextAction: 'pay' }, { kind: 'state' }, T0)
    transition(db, p.id, 'sending', 'failed', { qiwiStatus: '160', resultCode: '241' }, { kind: 'state' }, T0)
    // an intent whose transaction rolls back (crash before commit) leaves no row and no counter change
    const before = lastTransactionNumber(db, t.terminalId, t.deskPrefix)
    expect(() =>
      writeTransaction(db, () => {
        createIntent(db, payoutInput(t.id), 'f-2', T0)
        throw new Error('crash before commit')
      })
    ).toThrow()
    expect(lastTransactionNumber(db, t.terminalId, t.deskPrefix)).toBe(before)
    const q = createIntent(db, payoutInput(t.id), 'f-2', T0).payout
    expect(BigInt(q.transactionNumber)).toBeGreaterThan(BigInt(p.transactionNumber))
    const dup = db
      .prepare(
        'SELECT transaction_number, count(*) AS n FROM payouts GROUP BY terminal_id, transaction_number HAVING n > 1'
      )
      .all()
    expect(dup).toEqual([])
  })

  it('after restoring an older backup every new number is above every number ever issued', async () => {
    const { db, file, dir } = tmp.fresh()
    const t = seedTerminal(db)
    const issued: string[] = []
    let clock = T0
    // before the backup
    for (let i = 0; i < 50; i++) {
      issued.push(createIntent(db, payoutInput(t.id), `b-${i}`, clock++).payout.transactionNumber)
    }
    const backupFile = join(dir, 'backup.db')
    await backupDatabase(db, backupFile)
    const counterInBackup = lastTransactionNumber(db, t.terminalId, t.deskPrefix)
    // after the backup: these numbers reach QIWI, then the machine dies and the backup is restored
    writeTransaction(db, () => {
      for (let i = 0; i < 2_000; i++) {
        issued.push(createIntent(db, payoutInput(t.id), `a-${i}`, clock).payout.transactionNumber)
        if (i % 400 === 0) clock++ // 400 per ms: the counter never runs ahead of the clock
      }
    })
    const maxIssued = issued.reduce((m, s) => (BigInt(s) > m ? BigInt(s) : m), 0n)
    closeDatabase(db)
    await restoreBackup(backupFile, file)

    const restored = tmp.open(file)
    const stale = lastTransactionNumber(restored, t.terminalId, t.deskPrefix)
    expect(stale).toBe(counterInBackup)
    expect(BigInt(stale ?? '0')).toBeLessThan(maxIssued) // the restored counter alone would re-issue numbers
    // control: with the clock of the backup time, the allocator WOULD collide
    expect(nextTransactionNumber(BigInt(stale ?? '0'), T0 + 50, t.deskPrefix)).toBeLessThanOrEqual(maxIssued)

    // the wall clock moved on (1 ms is enough)
    clock += 1
    const fresh: string[] = []
    for (let i = 0; i < 200; i++) {
      fresh.push(createIntent(restored, payoutInput(t.id), `n-${i}`, clock).payout.transactionNumber)
    }
    for (const s of fresh) expect(BigInt(s)).toBeGreaterThan(maxIssued)
    assertStrictlyIncreasing(fresh)
    const all = new Set([...issued, ...fresh])
    expect(all.size).toBe(issued.length + fresh.length)
    // the restored database is the backup's state (2000 later intents are gone) plus the new ones
    const n = (restored.prepare('SELECT count(*) AS n FROM payouts').get() as { n: number }).n
    expect(n).toBe(50 + 200)
  })

  it('several desks sharing one terminal-id draw from disjoint ranges', () => {
    const desks = [10, 11, 57, 99].map((prefix) => ({ prefix, db: tmp.fresh().db }))
    const perDesk = new Map<number, string[]>()
    // the same clock on every desk, interleaved
    for (let round = 0; round < 10; round++) {
      for (const d of desks) {
        const nums = allocateMany(d.db, 1_000, (i) => T0 + round * 10 + Math.floor(i / 250), d.prefix, '777')
        const list = perDesk.get(d.prefix) ?? []
        list.push(...nums)
        perDesk.set(d.prefix, list)
      }
    }
    const all = new Set<string>()
    let total = 0
    for (const [prefix, nums] of perDesk) {
      assertStrictlyIncreasing(nums)
      for (const s of nums) {
        expect(decodeTransactionNumber(s)?.deskPrefix).toBe(prefix)
        all.add(s)
      }
      total += nums.length
    }
    expect(total).toBe(4 * 10 * 1_000)
    expect(all.size).toBe(total)
  })
})
