/**
 * The history hot path (issue 9): statements cached per connection in a bounded LRU,
 * the page limit written into the SQL, raw rows mapped positionally, and the filter
 * checked by a fast path in front of the zod schema. Results, errors and cursors must
 * be exactly what the plain path gave.
 */
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppError } from '../../../shared/errors'
import { isAppError } from '../../../shared/errors'
import type { Db } from '../../../electron/core/db/connection'
import { closeDatabase, prepared, writeTransaction } from '../../../electron/core/db/connection'
import {
  buildHistoryQuery,
  createIntent,
  getPayout,
  PAYOUT_COLUMNS,
  payoutTotals,
  queryPayouts,
  reportByDay,
  reportByHour,
  rowFromValues,
  transition
} from '../../../electron/core/db/repositories/payouts.repository'
import type { DbPayoutRow } from '../../../electron/core/db/rows'
import {
  DEFAULT_STATEMENT_CACHE_SIZE,
  StatementCache,
  statementCache
} from '../../../electron/core/db/statement-cache'
import type { Payout, PayoutFilter, PayoutPageRequest, Terminal } from '../../../electron/core/db/types'
import { PAYOUT_SERVICES } from '../../../electron/core/db/types'
import { parseInput, payoutFilterSchema } from '../../../electron/core/db/validate'
import { T0, TempDirs, payoutInput, seedTerminal } from './helpers'

const tmp = new TempDirs()
afterAll(() => tmp.cleanup())

function errorOf(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    if (isAppError(e)) return e
    throw e
  }
  throw new Error('expected an AppError, nothing was thrown')
}

describe('StatementCache', () => {
  let db: Db
  beforeAll(() => {
    db = tmp.fresh().db
  })

  it('returns the same statement for the same SQL and mode, a different one per mode', () => {
    const cache = new StatementCache(db, 8)
    const sql = 'SELECT 1 AS one, 9007199254740993 AS big'
    const a = cache.get(sql)
    expect(cache.get(sql)).toBe(a)
    expect(cache.stats()).toMatchObject({ size: 1, hits: 1, misses: 1 })
    const raw = cache.get(sql, { raw: true })
    const safe = cache.get(sql, { safeIntegers: true })
    const both = cache.get(sql, { raw: true, safeIntegers: true })
    expect(new Set([a, raw, safe, both]).size).toBe(4)
    expect(a.get()).toEqual({ one: 1, big: 9007199254740992 })
    expect(raw.get()).toEqual([1, 9007199254740992])
    expect(safe.get()).toEqual({ one: 1n, big: 9007199254740993n })
    expect(both.get()).toEqual([1n, 9007199254740993n])
    expect(cache.stats()).toMatchObject({ size: 4, hits: 1, misses: 4 })
  })

  it('drops the least recently used statement when full', () => {
    const cache = new StatementCache(db, 3)
    const [a, b, c, d] = ['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 4']
    const sa = cache.get(a as string)
    cache.get(b as string)
    cache.get(c as string, { raw: true })
    expect(cache.get(a as string)).toBe(sa) // a is now the most recent; b is the oldest
    cache.get(d as string)
    expect(cache.stats()).toMatchObject({ size: 3, hits: 1, misses: 4 })
    expect(cache.get(a as string)).toBe(sa)
    cache.get(c as string, { raw: true })
    expect(cache.stats()).toMatchObject({ size: 3, hits: 3, misses: 4 })
    cache.get(b as string) // evicted above: prepared again, evicting d (the oldest now)
    expect(cache.stats()).toMatchObject({ size: 3, misses: 5 })
    cache.get(d as string)
    expect(cache.stats()).toMatchObject({ size: 3, misses: 6 })
  })

  it('never holds more than its capacity, and evicted statements still work', () => {
    const cache = new StatementCache(db, 16)
    const kept = cache.get('SELECT 0 AS v')
    for (let i = 1; i <= 200; i++) {
      expect(cache.get(`SELECT ${i} AS v`).get()).toEqual({ v: i })
      expect(cache.stats().size).toBeLessThanOrEqual(16)
    }
    expect(kept.get()).toEqual({ v: 0 })
  })

  it('maps SQL that does not compile to an AppError and caches nothing', () => {
    const cache = new StatementCache(db, 4)
    const e = errorOf(() => cache.get('SELEC nonsense'))
    expect(e.code).toBe('internal')
    expect(cache.stats().size).toBe(0)
  })

  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new StatementCache(db, bad)).toThrow(RangeError)
  })

  it('keeps one cache per connection', () => {
    const other = tmp.fresh().db
    const sql = 'SELECT 42 AS v'
    expect(prepared(db, sql)).not.toBe(prepared(other, sql))
    expect(statementCache(db)).toBe(statementCache(db))
    expect(statementCache(db).capacity).toBe(DEFAULT_STATEMENT_CACHE_SIZE)
  })
})

describe('history hot path', () => {
  let db: Db
  let terminal: Terminal
  const ids: number[] = []

  beforeAll(() => {
    db = tmp.fresh().db
    terminal = seedTerminal(db, { terminalId: '700', servicesAllowed: [...PAYOUT_SERVICES] })
    writeTransaction(db, () => {
      for (let i = 0; i < 240; i++) {
        const created = T0 - 240_000 + i * 1000
        const p = createIntent(
          db,
          payoutInput(terminal.id, {
            service: PAYOUT_SERVICES[i % PAYOUT_SERVICES.length],
            account: `7918${String(1_000_000 + (i % 60)).padStart(7, '0')}`,
            amountKopecks: 100 + ((i * 7919) % 100_000),
            comment: i % 3 === 0 ? `Комментарий ${i}` : null,
            extras: i % 2 === 0 ? { income_wire_transfer: '0', to_name: `N${i}` } : {},
            batchKey: i % 5 === 0 ? `batch-${i}` : null,
            precheck: i % 4 === 0
          }),
          `hot-${i}`,
          created
        ).payout
        ids.push(p.id)
        if (i % 4 === 1) continue
        if (i % 4 === 2) {
          transition(
            db,
            p.id,
            'queued',
            'declined',
            { errorCode: 'qiwi-error', errorMessage: 'Отказ', resultCode: '319' },
            { kind: 'state' },
            created + 1
          )
          continue
        }
        transition(db, p.id, 'queued', 'sending', { nextAction: 'pay' }, { kind: 'state' }, created + 1)
        transition(
          db,
          p.id,
          'sending',
          'succeeded',
          {
            txnId: String(50_000 + i),
            txnDate: '2026-11-22T12:00:00+03:00',
            qiwiStatus: '60',
            resultCode: '0'
          },
          { kind: 'state' },
          created + 2
        )
      }
    })
  })

  function pages(f: PayoutFilter, req: PayoutPageRequest): Payout[] {
    const out: Payout[] = []
    let cursor: string | null = null
    do {
      const page = queryPayouts(db, f, { ...req, cursor })
      out.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    return out
  }

  it('maps every column of every row exactly as the object-row path (getPayout) does', () => {
    const got = pages({}, { limit: 37, sort: { column: 'createdAt', dir: 'asc' } })
    expect(got.map((p) => p.id)).toEqual(ids)
    for (const p of got) {
      const one = getPayout(db, p.id) as Payout
      expect(p).toStrictEqual(one)
      expect(Object.keys(p)).toEqual(Object.keys(one))
    }
    // the data exercises nulls and non-nulls in the optional columns
    expect(got.some((p) => p.txnId !== null) && got.some((p) => p.txnId === null)).toBe(true)
    expect(got.some((p) => Object.keys(p.extras).length > 0)).toBe(true)
    expect(got.some((p) => p.finalAt !== null) && got.some((p) => p.nextCheckAt !== null)).toBe(true)
  })

  it('reads every position of a raw row into the column of that name', () => {
    const row = rowFromValues(PAYOUT_COLUMNS)
    expect(Object.keys(row)).toEqual([...PAYOUT_COLUMNS])
    for (const c of PAYOUT_COLUMNS) expect(row[c as keyof DbPayoutRow]).toBe(c)
    const table = (
      db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all('payouts') as {
        name: string
      }[]
    ).map((r) => r.name)
    expect(table.slice(0, PAYOUT_COLUMNS.length)).toEqual([...PAYOUT_COLUMNS])
  })

  it('answers a repeated query from the cache with equal, independent results', () => {
    const f: PayoutFilter = { states: ['succeeded'], search: '7918' }
    const req: PayoutPageRequest = { limit: 25, sort: { column: 'amountKopecks', dir: 'desc' } }
    const first = queryPayouts(db, f, req)
    const before = statementCache(db).stats()
    const second = queryPayouts(db, f, req)
    const after = statementCache(db).stats()
    expect(after.misses).toBe(before.misses)
    expect(after.hits).toBe(before.hits + 1)
    expect(second).toEqual(first)
    const item = second.items[0] as Payout
    ;(item.extras as Record<string, string>).x = 'mutated'
    expect(queryPayouts(db, f, req).items[0]?.extras).not.toHaveProperty('x')
  })

  it('keeps the cache bounded while page sizes and filters vary, with correct pages', () => {
    const reference = pages({}, { limit: 1000 })
    for (let limit = 1; limit <= 150; limit++) {
      const page = queryPayouts(db, { from: T0 - 1_000_000, to: T0 }, { limit })
      expect(page.items.map((p) => p.id)).toEqual(reference.slice(0, limit).map((p) => p.id))
      expect(statementCache(db).stats().size).toBeLessThanOrEqual(DEFAULT_STATEMENT_CACHE_SIZE)
    }
    for (let n = 1; n <= 100; n++) {
      const refs = Array.from({ length: n }, (_, i) => (i === 0 ? terminal.id : `missing-${i}`))
      expect(queryPayouts(db, { terminalRefs: refs }, { limit: 5 }).items).toHaveLength(5)
    }
    expect(statementCache(db).stats().size).toBeLessThanOrEqual(DEFAULT_STATEMENT_CACHE_SIZE)
  })

  it('writes the checked limit into the SQL and binds everything else', () => {
    const { sql, params } = buildHistoryQuery(
      { search: '79181000001', states: ['succeeded'] },
      { limit: 50, offset: 10 }
    )
    expect(sql).toMatch(/ LIMIT 51 OFFSET \?$/)
    expect(sql).not.toContain('79181000001')
    expect(params).toEqual([
      'succeeded',
      '79181000001',
      '79181000001',
      '79181000001',
      '79181000001\uffff',
      10
    ])
    for (const limit of [0, 1001, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10' as unknown as number]) {
      const e = errorOf(() => queryPayouts(db, {}, { limit }))
      expect([e.code, e.details?.field]).toEqual(['invalid-input', 'limit'])
    }
  })

  it('keeps the cursor format: base64url JSON of sort, direction and the last row key', () => {
    const page = queryPayouts(db, {}, { limit: 10 })
    const last = page.items[9] as Payout
    expect(page.nextCursor).toBe(
      Buffer.from(
        JSON.stringify({ s: 'createdAt', d: 'desc', k: [last.createdAt, last.id] }),
        'utf8'
      ).toString('base64url')
    )
    const byState = queryPayouts(db, {}, { limit: 3, sort: { column: 'state', dir: 'asc' } })
    const l = byState.items[2] as Payout
    expect(JSON.parse(Buffer.from(byState.nextCursor ?? '', 'base64url').toString('utf8'))).toEqual({
      s: 'state',
      d: 'asc',
      k: [l.state, l.createdAt, l.id]
    })
    const next = queryPayouts(db, {}, { limit: 10, cursor: page.nextCursor })
    expect(next.items[0]?.id).toBe(pages({}, { limit: 1000 })[10]?.id)
    expect(queryPayouts(db, { search: 'no-such-account' }, { limit: 10 })).toEqual({
      items: [],
      nextCursor: null
    })
  })

  const BAD_FILTERS: unknown[] = [
    { states: ['nope'] },
    { states: 'succeeded' },
    { services: ['wallet', 'fax'] },
    { from: -1 },
    { to: 1.5 },
    { from: '2026-01-01' },
    { amountMinKopecks: Number.NaN },
    { amountMaxKopecks: 2 ** 53 },
    { terminalRefs: [''] },
    { terminalRefs: Array.from({ length: 101 }, () => 'x') },
    { search: 'x'.repeat(65) },
    { search: 42 },
    { colour: 'red' },
    { states: ['queued', 'queued', 'queued', 'queued', 'queued', 'queued', 'queued'] },
    null,
    [],
    'succeeded'
  ]

  it.each(BAD_FILTERS.map((f) => [JSON.stringify(f) ?? String(f), f]))(
    'refuses the bad filter %s everywhere with the schema error',
    (_name, f) => {
      const expected = errorOf(() => parseInput(payoutFilterSchema, f, 'filter'))
      const filter = f as PayoutFilter
      for (const call of [
        () => queryPayouts(db, filter, { limit: 10 }),
        () => buildHistoryQuery(filter, { limit: 10 }),
        () => payoutTotals(db, filter),
        () => reportByDay(db, filter, 180),
        () => reportByHour(db, filter, 180)
      ]) {
        const e = errorOf(call)
        expect({ code: e.code, message: e.message, details: e.details }).toEqual({
          code: expected.code,
          message: expected.message,
          details: expected.details
        })
        expect(e.code).toBe('invalid-input')
      }
    }
  )

  it('accepts what the schema accepts past the fast path (code points, not UTF-16 units)', () => {
    // 40 emoji are 80 UTF-16 units but 40 code points: within the schema's 64
    const search = '😀'.repeat(40)
    expect(queryPayouts(db, { search }, { limit: 5 })).toEqual({ items: [], nextCursor: null })
    expect(payoutTotals(db, { search }).count).toBe(0)
  })

  it('totals and reports reuse cached statements', () => {
    const f: PayoutFilter = { from: T0 - 100_000, to: T0, services: ['wallet', 'card'] }
    const t1 = payoutTotals(db, f)
    const before = statementCache(db).stats()
    expect(payoutTotals(db, f)).toEqual(t1)
    expect(reportByDay(db, f, 180)).toEqual(reportByDay(db, f, 180))
    expect(reportByHour(db, f, 180)).toEqual(reportByHour(db, f, 180))
    const after = statementCache(db).stats()
    expect(after.misses - before.misses).toBe(2) // one per report shape, none for the repeated totals
    expect(t1.count).toBe(pages(f, { limit: 1000 }).length)
  })
})

describe('history column guard', () => {
  it('refuses a payouts table whose columns are in another order instead of mixing fields up', () => {
    const { db, file } = tmp.fresh()
    const t = seedTerminal(db)
    createIntent(db, payoutInput(t.id), 'guard-1', T0)
    closeDatabase(db)
    const raw = new Database(file)
    try {
      // same columns, rebuilt with created_at moved to the front (what a careless table
      // rebuild in a migration would do)
      const cols = PAYOUT_COLUMNS.filter((c) => c !== 'created_at')
      raw.exec(`PRAGMA foreign_keys = OFF;
        PRAGMA legacy_alter_table = ON;
        CREATE TABLE payouts_rebuilt AS SELECT created_at, ${cols.join(', ')} FROM payouts;
        DROP TABLE payouts;
        ALTER TABLE payouts_rebuilt RENAME TO payouts;`)
    } finally {
      raw.close()
    }
    const reopened = tmp.open(file)
    const e = errorOf(() => queryPayouts(reopened, {}, { limit: 5 }))
    expect(e.code).toBe('internal')
    expect(e.message).toMatch(/not in the order/)
  })
})
