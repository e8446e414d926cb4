import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import type { Db } from '../../../electron/core/db/connection'
import { writeTransaction } from '../../../electron/core/db/connection'
import { listEventsForPayout } from '../../../electron/core/db/repositories/events.repository'
import {
  buildHistoryQuery,
  createIntent,
  dueForWork,
  dueForWorkSql,
  getPayout,
  getPayoutByClientRequestId,
  getPayoutByTransactionNumber,
  listActivePayouts,
  payoutTotals,
  queryPayouts,
  reportByDay,
  reportByHour,
  transition
} from '../../../electron/core/db/repositories/payouts.repository'
import { pauseTerminal, resumeTerminal } from '../../../electron/core/db/repositories/terminals.repository'
import type {
  Payout,
  PayoutFilter,
  PayoutPageRequest,
  PayoutService,
  PayoutSortColumn,
  PayoutState,
  Terminal
} from '../../../electron/core/db/types'
import { PAYOUT_SERVICES, PAYOUT_SORT_COLUMNS, PAYOUT_STATES } from '../../../electron/core/db/types'
import { T0, TempDirs, payoutInput, seedTerminal } from './helpers'

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

describe('createIntent', () => {
  let db: Db
  let t: Terminal
  beforeAll(() => {
    db = tmp.fresh().db
    t = seedTerminal(db)
  })

  it('persists number, details and a journal entry; queued, unsent, due now', () => {
    const r = createIntent(
      db,
      payoutInput(t.id, { comment: 'Привет', extras: { b: '2', a: '1' } }),
      'c-1',
      T0
    )
    expect(r.created).toBe(true)
    const p = r.payout
    expect(p).toMatchObject({
      clientRequestId: 'c-1',
      terminalRef: t.id,
      terminalId: '123456',
      service: 'wallet',
      serviceId: 99,
      amountKopecks: 150_000,
      currency: 'RUB',
      comment: 'Привет',
      extras: { a: '1', b: '2' },
      precheck: true,
      state: 'queued',
      nextAction: 'precheck',
      paySent: false,
      attempts: 0,
      nextCheckAt: T0,
      entrySeq: 1,
      createdAt: T0,
      finalAt: null
    })
    expect(p.transactionNumber).toMatch(/^10\d{16}$/)
    const events = listEventsForPayout(db, p.id)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ kind: 'state', fromState: null, toState: 'queued', at: T0 })
    expect(getPayoutByTransactionNumber(db, '123456', p.transactionNumber)?.id).toBe(p.id)
  })

  it('the same client request id twice gives one row (double click, IPC replay, restart mid-submit)', () => {
    const a = createIntent(db, payoutInput(t.id), 'dbl-1', T0)
    const b = createIntent(db, payoutInput(t.id), 'dbl-1', T0 + 5_000)
    expect(a.created).toBe(true)
    expect(b.created).toBe(false)
    expect(b.payout).toEqual(a.payout)
    const n = db.prepare("SELECT count(*) AS n FROM payouts WHERE client_request_id = 'dbl-1'").get() as {
      n: number
    }
    expect(n.n).toBe(1)
    expect(listEventsForPayout(db, a.payout.id)).toHaveLength(1)
  })

  it('the same client request id with different details is refused and creates nothing', () => {
    createIntent(db, payoutInput(t.id), 'dbl-2', T0)
    const before = db.prepare('SELECT count(*) AS n FROM payouts').get() as { n: number }
    expect(codeOf(() => createIntent(db, payoutInput(t.id, { amountKopecks: 1 }), 'dbl-2', T0))).toBe(
      'payout-exists'
    )
    const after = db.prepare('SELECT count(*) AS n FROM payouts').get() as { n: number }
    expect(after.n).toBe(before.n)
  })

  it('extras in another key order are the same details', () => {
    createIntent(db, payoutInput(t.id, { extras: { x: '1', y: '2' } }), 'ord-1', T0)
    expect(createIntent(db, payoutInput(t.id, { extras: { y: '2', x: '1' } }), 'ord-1', T0).created).toBe(
      false
    )
  })

  it('re-running a batch line (same batch key, new request id) returns the existing intent', () => {
    const a = createIntent(db, payoutInput(t.id, { batchKey: 'sha256:abc#17' }), 'batch-run-1-17', T0)
    const b = createIntent(db, payoutInput(t.id, { batchKey: 'sha256:abc#17' }), 'batch-run-2-17', T0)
    expect(b.created).toBe(false)
    expect(b.payout.id).toBe(a.payout.id)
    expect(getPayoutByClientRequestId(db, 'batch-run-2-17')).toBeNull()
  })

  it('validates input and the terminal before writing', () => {
    expect(codeOf(() => createIntent(db, payoutInput(t.id, { amountKopecks: 0 }), 'v-1', T0))).toBe(
      'invalid-input'
    )
    expect(codeOf(() => createIntent(db, payoutInput(t.id, { amountKopecks: 1.5 }), 'v-2', T0))).toBe(
      'invalid-input'
    )
    expect(codeOf(() => createIntent(db, payoutInput(t.id, { account: '7 918' }), 'v-3', T0))).toBe(
      'invalid-input'
    )
    expect(codeOf(() => createIntent(db, payoutInput(t.id), 'has space', T0))).toBe('invalid-input')
    expect(
      codeOf(() => createIntent(db, payoutInput('00000000-0000-4000-8000-000000000000'), 'v-4', T0))
    ).toBe('unknown-terminal')
    expect(codeOf(() => createIntent(db, payoutInput(t.id, { service: 'card-foreign' }), 'v-5', T0))).toBe(
      'service-not-allowed'
    )
    expect(getPayoutByClientRequestId(db, 'v-5')).toBeNull()
  })

  it('numbers entries per terminal', () => {
    const other = seedTerminal(db, { terminalId: '555' })
    const a = createIntent(db, payoutInput(other.id), 'seq-a', T0).payout
    const b = createIntent(db, payoutInput(other.id), 'seq-b', T0).payout
    expect([a.entrySeq, b.entrySeq]).toEqual([1, 2])
  })
})

describe('transition', () => {
  let db: Db
  let t: Terminal
  beforeAll(() => {
    db = tmp.fresh().db
    t = seedTerminal(db)
  })

  it('walks a wallet payout to success with a journal entry per step', () => {
    const p = createIntent(db, payoutInput(t.id), 'tr-1', T0).payout
    const a = transition(
      db,
      p.id,
      'queued',
      'queued',
      { nextAction: 'pay' },
      { kind: 'reply', requestType: 'check-deposit-possible', httpStatus: 200, body: '<response/>' },
      T0 + 1
    )
    expect(a).toMatchObject({ state: 'queued', nextAction: 'pay', paySent: false, updatedAt: T0 + 1 })
    const b = transition(
      db,
      p.id,
      'queued',
      'sending',
      { nextAction: 'pay', attempts: 1 },
      { kind: 'state', message: 'pay' },
      T0 + 2
    )
    expect(b).toMatchObject({ state: 'sending', paySent: true, attempts: 1 })
    const c = transition(
      db,
      p.id,
      'sending',
      'waiting',
      { nextAction: 'status', nextCheckAt: T0 + 600_000, qiwiStatus: '50', txnId: '' },
      { kind: 'reply', requestType: 'pay', httpStatus: 200, classification: 'pending' },
      T0 + 3
    )
    expect(c).toMatchObject({ state: 'waiting', qiwiStatus: '50', txnId: null, nextCheckAt: T0 + 600_000 })
    const d = transition(
      db,
      p.id,
      'waiting',
      'succeeded',
      {
        qiwiStatus: '60',
        txnId: '6060',
        txnDate: '02.03.2011 14:35:46',
        nextCheckAt: T0 + 999,
        nextAction: 'status'
      },
      { kind: 'reply', requestType: 'status', classification: 'success' },
      T0 + 4
    )
    expect(d).toMatchObject({
      state: 'succeeded',
      finalAt: T0 + 4,
      nextAction: null,
      nextCheckAt: null,
      txnId: '6060'
    })
    const journal = listEventsForPayout(db, p.id).map(
      (e) => `${e.kind}:${e.fromState ?? '-'}>${e.toState ?? '-'}`
    )
    expect(journal).toEqual([
      'state:->queued',
      'reply:queued>queued',
      'state:queued>sending',
      'reply:sending>waiting',
      'reply:waiting>succeeded'
    ])
    expect(codeOf(() => transition(db, p.id, 'succeeded', 'succeeded', {}, { kind: 'note' }, T0 + 5))).toBe(
      'payout-final'
    )
  })

  it('is optimistic: a stale expected state is a conflict and writes nothing', () => {
    const p = createIntent(db, payoutInput(t.id, { precheck: false }), 'tr-2', T0).payout
    transition(db, p.id, 'queued', 'sending', {}, { kind: 'state' }, T0)
    expect(codeOf(() => transition(db, p.id, 'queued', 'declined', {}, { kind: 'state' }, T0))).toBe(
      'conflict'
    )
    expect(getPayout(db, p.id)?.state).toBe('sending')
    expect(listEventsForPayout(db, p.id)).toHaveLength(2)
    expect(codeOf(() => transition(db, 999_999, 'queued', 'sending', {}, { kind: 'state' }, T0))).toBe(
      'not-found'
    )
  })

  it('a sent payout can never be declined locally', () => {
    const p = createIntent(db, payoutInput(t.id, { precheck: false }), 'tr-3', T0).payout
    transition(db, p.id, 'queued', 'sending', {}, { kind: 'state' }, T0)
    transition(db, p.id, 'sending', 'waiting', { nextAction: 'status' }, { kind: 'state' }, T0)
    expect(codeOf(() => transition(db, p.id, 'waiting', 'declined', {}, { kind: 'state' }, T0))).toBe(
      'conflict'
    )
    expect(
      codeOf(() => transition(db, p.id, 'waiting', 'queued', { paySent: false }, { kind: 'state' }, T0))
    ).toBe('conflict')
    expect(getPayout(db, p.id)).toMatchObject({ state: 'waiting', paySent: true })
  })

  it('redacts a password in a request body and refuses key material', () => {
    const p = createIntent(db, payoutInput(t.id), 'tr-4', T0).payout
    const xml = `<request><terminal-id>1</terminal-id><extra name="password">hunter2</extra><extra name='password'>x&lt;y</extra></request>`
    transition(
      db,
      p.id,
      'queued',
      'queued',
      {},
      { kind: 'request', requestType: 'check-deposit-possible', body: xml },
      T0
    )
    const body = listEventsForPayout(db, p.id)[1]?.body ?? ''
    expect(body).not.toContain('hunter2')
    expect(body).not.toContain('x&lt;y')
    expect(body).toContain('<extra name="password">***</extra>')
    // the CHECK backs the redaction up even for a write that bypasses the repository
    expect(() =>
      db
        .prepare("INSERT INTO payout_events (payout_id, at, kind, body) VALUES (?, 0, 'request', ?)")
        .run(p.id, '<extra name="password">hunter2</extra>')
    ).toThrow(/CHECK/)
  })
})

describe('dueForWork', () => {
  it('returns due non-final payouts in due order and skips paused terminals', () => {
    const { db } = tmp.fresh()
    const a = seedTerminal(db, { terminalId: '1' })
    const b = seedTerminal(db, { terminalId: '2' })
    const p1 = createIntent(db, payoutInput(a.id), 'd-1', T0 + 30).payout
    const p2 = createIntent(db, payoutInput(b.id), 'd-2', T0 + 10).payout
    const p3 = createIntent(db, payoutInput(a.id), 'd-3', T0 + 20).payout
    const later = createIntent(db, payoutInput(a.id, { precheck: false }), 'd-4', T0).payout
    transition(db, later.id, 'queued', 'sending', {}, { kind: 'state' }, T0)
    transition(
      db,
      later.id,
      'sending',
      'waiting',
      { nextAction: 'status', nextCheckAt: T0 + 600_000 },
      { kind: 'state' },
      T0
    )
    const done = createIntent(db, payoutInput(a.id), 'd-5', T0).payout
    transition(db, done.id, 'queued', 'declined', {}, { kind: 'state' }, T0)

    expect(dueForWork(db, T0 + 100, 10).map((p) => p.id)).toEqual([p2.id, p3.id, p1.id])
    expect(dueForWork(db, T0 + 100, 2).map((p) => p.id)).toEqual([p2.id, p3.id])
    expect(dueForWork(db, T0 + 600_000, 10).map((p) => p.id)).toEqual([p2.id, p3.id, p1.id, later.id])
    pauseTerminal(db, b.id, 'fatal 150', '150', T0)
    expect(dueForWork(db, T0 + 100, 10).map((p) => p.id)).toEqual([p3.id, p1.id])
    expect(dueForWork(db, T0 + 100, 10, { includePaused: true }).map((p) => p.id)).toEqual([
      p2.id,
      p3.id,
      p1.id
    ])
    resumeTerminal(db, b.id, T0)
    expect(listActivePayouts(db).map((p) => p.id)).toEqual([p1.id, p2.id, p3.id, later.id])
  })
})

// ---------------------------------------------------------------------------
// History screen: compare every query with a reference computed in JS

describe('history queries', () => {
  let db: Db
  let all: Payout[] = []
  const terminals: Terminal[] = []
  const DAY = 86_400_000
  const ACCOUNTS = [
    '79181234567',
    '79181230000',
    '79990001122',
    '4276123412341234',
    '4276999911112222',
    '+79161112233'
  ]

  beforeAll(() => {
    db = tmp.fresh().db
    for (const id of ['100', '200', '300']) {
      terminals.push(seedTerminal(db, { terminalId: id, servicesAllowed: [...PAYOUT_SERVICES] }))
    }
    let s = 12345
    const rand = (n: number): number => {
      s = (s * 1103515245 + 12345) % 2 ** 31
      return s % n
    }
    writeTransaction(db, () => {
      for (let i = 0; i < 1500; i++) {
        const service = PAYOUT_SERVICES[rand(PAYOUT_SERVICES.length)] as PayoutService
        const term = terminals[rand(3)] as Terminal
        const created = T0 - 10 * DAY + rand(10 * DAY)
        const p = createIntent(
          db,
          payoutInput(term.id, {
            service,
            account: ACCOUNTS[rand(ACCOUNTS.length)] as string,
            amountKopecks: 1 + rand(5_000_000),
            precheck: false
          }),
          `h-${i}`,
          created
        ).payout
        const fate = rand(6)
        if (fate === 0) continue
        if (fate === 1) {
          transition(db, p.id, 'queued', 'declined', {}, { kind: 'state' }, created + 1)
          continue
        }
        transition(db, p.id, 'queued', 'sending', {}, { kind: 'state' }, created + 1)
        if (fate === 2) continue
        transition(
          db,
          p.id,
          'sending',
          'waiting',
          { nextAction: 'status', txnId: String(1000 + i) },
          { kind: 'state' },
          created + 2
        )
        if (fate === 3) continue
        transition(
          db,
          p.id,
          'waiting',
          fate === 4 ? 'succeeded' : 'failed',
          {},
          { kind: 'state' },
          created + 3
        )
      }
    })
    all = queryAll()
  })

  function queryAll(): Payout[] {
    const out: Payout[] = []
    let cursor: string | null = null
    do {
      const page = queryPayouts(db, {}, { limit: 1000, cursor })
      out.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    return out
  }

  function matches(p: Payout, f: PayoutFilter): boolean {
    if (f.from !== undefined && p.createdAt < f.from) return false
    if (f.to !== undefined && p.createdAt >= f.to) return false
    if (f.states && !f.states.includes(p.state)) return false
    if (f.services && !f.services.includes(p.service)) return false
    if (f.terminalRefs && !f.terminalRefs.includes(p.terminalRef)) return false
    if (f.amountMinKopecks !== undefined && p.amountKopecks < f.amountMinKopecks) return false
    if (f.amountMaxKopecks !== undefined && p.amountKopecks > f.amountMaxKopecks) return false
    const q = f.search?.trim() ?? ''
    if (q !== '') {
      const byId = /^\+?\d{1,20}$/.test(q) && (p.transactionNumber === q || p.txnId === q)
      if (!byId && !p.account.startsWith(q)) return false
    }
    return true
  }

  const KEYS: Record<PayoutSortColumn, (p: Payout) => (string | number)[]> = {
    createdAt: (p) => [p.createdAt, p.id],
    amountKopecks: (p) => [p.amountKopecks, p.id],
    state: (p) => [p.state, p.createdAt, p.id],
    service: (p) => [p.service, p.createdAt, p.id]
  }

  function reference(f: PayoutFilter, column: PayoutSortColumn, dir: 'asc' | 'desc'): number[] {
    const key = KEYS[column]
    return all
      .filter((p) => matches(p, f))
      .sort((a, b) => {
        const ka = key(a)
        const kb = key(b)
        for (let i = 0; i < ka.length; i++) {
          const x = ka[i] as string | number
          const y = kb[i] as string | number
          if (x !== y) return (x < y ? -1 : 1) * (dir === 'asc' ? 1 : -1)
        }
        return 0
      })
      .map((p) => p.id)
  }

  const filterArb: fc.Arbitrary<PayoutFilter> = fc.record(
    {
      from: fc.integer({ min: T0 - 11 * DAY, max: T0 }),
      to: fc.integer({ min: T0 - 9 * DAY, max: T0 + DAY }),
      states: fc.subarray([...PAYOUT_STATES]),
      services: fc.subarray([...PAYOUT_SERVICES], { minLength: 1 }),
      terminalRefs: fc.constant(null).map(() => [terminals[0]?.id ?? '', terminals[2]?.id ?? '']),
      amountMinKopecks: fc.integer({ min: 0, max: 2_000_000 }),
      amountMaxKopecks: fc.integer({ min: 1_000_000, max: 6_000_000 }),
      search: fc.constantFrom('7918', '4276', '+7916', '79990001122', '1010', '42', 'zzz')
    },
    { requiredKeys: [] }
  )

  it('filtered, searched, sorted and keyset-paged pages equal the reference, and offset paging agrees', () => {
    expect(all).toHaveLength(1500)
    const seed = 4242
    process.stdout.write(`[history] fast-check seed=${seed}\n`)
    fc.assert(
      fc.property(
        filterArb,
        fc.constantFrom(...PAYOUT_SORT_COLUMNS),
        fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
        fc.integer({ min: 1, max: 400 }),
        (f, column, dir, limit) => {
          const expected = reference(f, column, dir)
          const got: number[] = []
          let cursor: string | null = null
          let pages = 0
          do {
            const req: PayoutPageRequest = { sort: { column, dir }, limit, cursor }
            const page = queryPayouts(db, f, req)
            expect(page.items.length).toBeLessThanOrEqual(limit)
            got.push(...page.items.map((p) => p.id))
            cursor = page.nextCursor
            pages++
          } while (cursor && pages < 2000)
          expect(got).toEqual(expected)
          const offsetPage = queryPayouts(db, f, { sort: { column, dir }, limit, offset: limit })
          expect(offsetPage.items.map((p) => p.id)).toEqual(expected.slice(limit, 2 * limit))
          const totals = payoutTotals(db, f)
          const rows = all.filter((p) => matches(p, f))
          expect(totals.count).toBe(rows.length)
          expect(totals.amountKopecks).toBe(rows.reduce((s, p) => s + p.amountKopecks, 0))
          for (const st of PAYOUT_STATES) {
            expect(totals.byState[st].count).toBe(rows.filter((p) => p.state === st).length)
          }
        }
      ),
      { seed, numRuns: 60 }
    )
  })

  it('search finds a payout by transaction number and by txn_id', () => {
    const withTxn = all.find((p) => p.txnId !== null) as Payout
    expect(
      queryPayouts(db, { search: withTxn.transactionNumber }, { limit: 10 }).items.map((p) => p.id)
    ).toEqual([withTxn.id])
    expect(queryPayouts(db, { search: withTxn.txnId ?? '' }, { limit: 10 }).items.map((p) => p.id)).toContain(
      withTxn.id
    )
  })

  it('reports per day and per hour add up to the totals', () => {
    const f: PayoutFilter = { from: T0 - 7 * DAY, to: T0 }
    const totals = payoutTotals(db, f)
    const days = reportByDay(db, f, 180)
    expect(days.reduce((s, r) => s + r.count, 0)).toBe(totals.count)
    expect(days.reduce((s, r) => s + r.amountKopecks, 0)).toBe(totals.amountKopecks)
    const msk = (ms: number): string => new Date(ms + 180 * 60_000).toISOString().slice(0, 10)
    for (const r of days) {
      const ref = all.filter(
        (p) => matches(p, f) && msk(p.createdAt) === r.day && p.state === r.state && p.service === r.service
      )
      expect(r.count).toBe(ref.length)
    }
    const hours = reportByHour(db, f, 180)
    expect(hours.reduce((s, r) => s + r.count, 0)).toBe(totals.count)
    for (const r of hours) {
      const ref = all.filter(
        (p) =>
          matches(p, f) &&
          p.state === r.state &&
          p.createdAt >= r.hourStart &&
          p.createdAt < r.hourStart + 3_600_000
      )
      expect(r.count).toBe(ref.length)
    }
    expect(codeOf(() => reportByDay(db, f, 10_000))).toBe('invalid-input')
  })

  it('rejects a forged or mismatched cursor', () => {
    const page = queryPayouts(db, {}, { limit: 5 })
    expect(codeOf(() => queryPayouts(db, {}, { limit: 5, cursor: 'not-base64-json' }))).toBe('invalid-input')
    expect(
      codeOf(() =>
        queryPayouts(
          db,
          {},
          { limit: 5, cursor: page.nextCursor, sort: { column: 'amountKopecks', dir: 'desc' } }
        )
      )
    ).toBe('invalid-input')
    const forged = Buffer.from(
      JSON.stringify({ s: 'createdAt', d: 'desc', k: ['1; DROP TABLE payouts', 1] })
    ).toString('base64url')
    expect(queryPayouts(db, {}, { limit: 5, cursor: forged }).items).toHaveLength(5)
    expect(codeOf(() => queryPayouts(db, {}, { limit: 0 }))).toBe('invalid-input')
    expect(
      codeOf(() =>
        queryPayouts(
          db,
          {},
          { limit: 5, sort: { column: 'id; DROP TABLE x' as PayoutSortColumn, dir: 'asc' } }
        )
      )
    ).toBe('invalid-input')
  })

  function plan(sql: string, params: (string | number)[]): string[] {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
      (r) => r.detail
    )
  }

  it.each<[string, PayoutFilter, PayoutPageRequest, boolean]>([
    ['newest first', {}, { limit: 50 }, true],
    ['date range', { from: T0 - 86_400_000, to: T0 }, { limit: 50 }, true],
    [
      'one state',
      { states: ['waiting'] as PayoutState[] },
      { limit: 50, sort: { column: 'state', dir: 'asc' } },
      true
    ],
    ['by amount', {}, { limit: 50, sort: { column: 'amountKopecks', dir: 'desc' } }, true],
    ['by service', {}, { limit: 50, sort: { column: 'service', dir: 'asc' } }, true],
    [
      'next page',
      {},
      {
        limit: 50,
        cursor: Buffer.from(JSON.stringify({ s: 'createdAt', d: 'desc', k: [T0, 5] })).toString('base64url')
      },
      true
    ],
    ['terminal', { terminalRefs: ['x'] }, { limit: 50 }, false],
    ['transaction number', { search: '101234567890123456' }, { limit: 50 }, false],
    ['account prefix', { search: 'abc' }, { limit: 50 }, false]
  ])('%s uses an index, never a full scan', (_name, f, page, ordered) => {
    const { sql, params } = buildHistoryQuery(f, page)
    const lines = plan(sql, params)
    for (const l of lines) {
      if (/\bpayouts\b/.test(l)) {
        expect(l, lines.join(' | ')).toMatch(
          /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|MULTI-INDEX OR|INDEX \d+/
        )
      }
    }
    expect(
      lines.some((l) => /^SCAN payouts$/.test(l)),
      lines.join(' | ')
    ).toBe(false)
    if (ordered) {
      expect(
        lines.some((l) => l.includes('TEMP B-TREE')),
        lines.join(' | ')
      ).toBe(false)
    }
  })

  it('the work queue query uses the partial due index', () => {
    for (const includePaused of [false, true]) {
      const lines = plan(dueForWorkSql(includePaused), [T0, 10])
      expect(lines.join(' | ')).toMatch(/payouts_due/)
      expect(
        lines.some((l) => l.includes('TEMP B-TREE')),
        lines.join(' | ')
      ).toBe(false)
    }
  })
})
