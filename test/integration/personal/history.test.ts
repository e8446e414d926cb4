import { afterEach, describe, expect, it } from 'vitest'
import {
  MAX_HISTORY_SPAN_MS,
  PersonalApiError,
  SlidingWindowLimiter,
  describeTxnError,
  parseQiwiDate
} from '../../../electron/core/personal'
import type { PaymentHistoryItem } from '../../../electron/core/personal'
import type { EmuHistoryItem } from '../../../electron/core/sandbox/personal'
import { WALLET, makeClient, startEmulator } from './support'
import type { Harness } from './support'

const DAY = 86_400_000
let h: Harness | null = null

afterEach(async () => {
  await h?.close()
  h = null
})

const key = (x: { txnId: string; type: string }): string => `${x.txnId}:${x.type}`

async function walletWithHistory(
  count: number,
  opts: { rateLimitPerMinute?: number } = {}
): Promise<{ h: Harness; token: string; all: EmuHistoryItem[] }> {
  const harness = await startEmulator({ rateLimitPerMinute: opts.rateLimitPerMinute ?? 100_000 })
  harness.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: 100_000 } })
  harness.emu.admin.generateHistory(WALLET, {
    count,
    seed: 99,
    endMs: harness.clock.now() - 1000,
    spanDays: 400,
    conversionShare: 0.1
  })
  const token = harness.emu.admin.createToken({ wallet: WALLET })
  return { h: harness, token, all: harness.emu.admin.history(WALLET) }
}

describe('history paging to the end', () => {
  it('follows the cursor across ≥ 1,000 items and 400 days, keeping both halves of conversion pairs', async () => {
    const w = await walletWithHistory(1200)
    h = w.h
    const { client, transport } = makeClient(h, w.token)
    const items = await client.historyAll(WALLET, {
      startDate: new Date(h.clock.now() - 401 * DAY),
      endDate: new Date(h.clock.now())
    })

    expect(items.length).toBe(1200)
    expect(new Set(items.map(key)).size).toBe(1200)
    expect(new Set(items.map(key))).toEqual(new Set(w.all.map(key)))
    // newest first
    for (let i = 1; i < items.length; i++) {
      expect(Date.parse(items[i - 1]?.date ?? '')).toBeGreaterThanOrEqual(Date.parse(items[i]?.date ?? ''))
    }
    // conversion pairs: one txnId, an OUT in RUB and an IN in another currency, both kept
    const byTxn = new Map<string, PaymentHistoryItem[]>()
    for (const it of items) byTxn.set(it.txnId, [...(byTxn.get(it.txnId) ?? []), it])
    const pairs = [...byTxn.values()].filter((v) => v.length === 2)
    expect(pairs.length).toBeGreaterThan(20)
    for (const p of pairs) {
      expect(p.map((x) => x.type).sort()).toEqual(['IN', 'OUT'])
      expect(p.find((x) => x.type === 'OUT')?.sum.currency).toBe('643')
      expect(p.find((x) => x.type === 'IN')?.sum.currency).not.toBe('643')
    }
    expect(new Set(items.map((i) => i.sum.currency))).toEqual(new Set(['643', '840', '398']))
    // amounts exact against the server's own ledger
    const ledger = new Map(w.all.map((x) => [key(x), x]))
    for (const it of items) expect(it.sum.kopecks).toBe(ledger.get(key(it))?.sumKopecks)

    // 90-day splitting: every request carried a window of at most 90 days, in one zone
    const historyReqs = transport.sent.filter((r) => r.url.includes('/payments?'))
    expect(historyReqs.length).toBeGreaterThanOrEqual(1200 / 50)
    const windows = new Set<string>()
    for (const r of historyReqs) {
      const u = new URL(r.url)
      const s = parseQiwiDate(u.searchParams.get('startDate') ?? '')
      const e = parseQiwiDate(u.searchParams.get('endDate') ?? '')
      if (!s || !e) throw new Error(`request without window: ${r.url}`)
      expect(e.ms - s.ms).toBeLessThanOrEqual(MAX_HISTORY_SPAN_MS)
      expect(s.offsetMinutes).toBe(e.offsetMinutes)
      expect(u.searchParams.get('rows')).toBe('50')
      windows.add(`${s.ms}-${e.ms}`)
      expect(r.url).toMatch(/startDate=\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d%2B03%3A00/)
    }
    expect(windows.size).toBe(5) // 401 days → 5 windows of ≤ 90 days
    client.close()
  })

  it('stops on the last page (nextTxnDate: null) and on a 404 "no payments" window', async () => {
    const w = await walletWithHistory(120)
    h = w.h
    const { client, transport } = makeClient(h, w.token)
    const first = await client.historyPage(WALLET, {
      rows: 10,
      startDate: new Date(h.clock.now() - 90 * DAY),
      endDate: new Date(h.clock.now())
    })
    expect(first.data).toHaveLength(10)
    expect(first.nextTxnId).not.toBeNull()
    const before = transport.sent.length
    const all = await client.historyAll(WALLET, {
      rows: 10,
      startDate: new Date(h.clock.now() - 90 * DAY),
      endDate: new Date(h.clock.now())
    })
    const expected = w.all.filter((x) => x.dateMs >= h!.clock.now() - 90 * DAY - 1000)
    expect(all.length).toBe(expected.length)
    expect(expected.length).toBeGreaterThan(20)
    // the last page is short or carries nextTxnDate: null; no extra request after it
    expect(transport.sent.length - before).toBe(Math.ceil(expected.length / 10))
    const pagesAfter = transport.sent.length
    // A range with nothing in it: 404 from the server, an empty result for the caller.
    const none = await client.historyAll(WALLET, {
      startDate: new Date(h.clock.now() + DAY),
      endDate: new Date(h.clock.now() + 2 * DAY)
    })
    expect(none).toEqual([])
    expect(transport.sent.length).toBe(pagesAfter + 1)
    client.close()
  })

  it('applies operation and sources filters on the server', async () => {
    const w = await walletWithHistory(600)
    h = w.h
    const { client } = makeClient(h, w.token)
    const range = { startDate: new Date(h.clock.now() - 401 * DAY), endDate: new Date(h.clock.now()) }
    const outs = await client.historyAll(WALLET, { ...range, operation: 'OUT', sources: ['QW_RUB', 'CARD'] })
    const exp = w.all.filter((x) => x.type === 'OUT' && (x.source === 'QW_RUB' || x.source === 'CARD'))
    expect(outs.length).toBe(exp.length)
    expect(outs.every((x) => x.type === 'OUT')).toBe(true)
    const cards = await client.historyAll(WALLET, { ...range, operation: 'QIWI_CARD' })
    expect(cards.length).toBe(w.all.filter((x) => x.type === 'QIWI_CARD').length)
    expect(cards.length).toBeGreaterThan(0)
    client.close()
  })

  it('carries WAITING/ERROR items with documented error codes and long Cyrillic comments intact', async () => {
    const w = await walletWithHistory(800)
    h = w.h
    const { client } = makeClient(h, w.token)
    const items = await client.historyAll(WALLET, {
      startDate: new Date(h.clock.now() - 401 * DAY),
      endDate: new Date(h.clock.now())
    })
    const errors = items.filter((i) => i.status === 'ERROR')
    expect(errors.length).toBeGreaterThan(0)
    for (const e of errors) {
      expect(e.errorCode).not.toBe(0)
      expect(describeTxnError(e.errorCode).known).toBe(true)
      expect(e.error).toBe(describeTxnError(e.errorCode, 'ru').message)
    }
    expect(items.some((i) => i.status === 'WAITING')).toBe(true)
    const long = items.filter((i) => (i.comment ?? '').length > 200)
    expect(long.length).toBeGreaterThan(0)
    const ledger = new Map(w.all.map((x) => [key(x), x]))
    for (const i of long) expect(i.comment).toBe(ledger.get(key(i))?.comment)
    client.close()
  })

  it('looks up one transaction, both halves of a pair by type', async () => {
    const w = await walletWithHistory(300)
    h = w.h
    const pairTxn = w.all.find((x, i) => w.all.findIndex((y) => y.txnId === x.txnId) !== i)?.txnId
    if (!pairTxn) throw new Error('no pair generated')
    const { client } = makeClient(h, w.token)
    const out = await client.transaction(pairTxn, 'OUT')
    const inn = await client.transaction(pairTxn, 'IN')
    expect(out.type).toBe('OUT')
    expect(inn.type).toBe('IN')
    expect(out.txnId).toBe(inn.txnId)
    expect(out.sum.currency).toBe('643')
    expect(inn.currencyRate).not.toBe('1')
    expect(out.features).not.toBeNull()
    await expect(client.transaction('1')).rejects.toMatchObject({ kind: 'not-found' })
    client.close()
  })

  it('totals: exact per-currency sums, a 200-day range split and summed', async () => {
    const w = await walletWithHistory(900)
    h = w.h
    const { client, transport } = makeClient(h, w.token)
    const start = h.clock.now() - 200 * DAY
    const t = await client.totals(WALLET, { startDate: new Date(start), endDate: new Date(h.clock.now()) })
    const want = (type: 'IN' | 'OUT'): Map<string, number> => {
      const m = new Map<string, number>()
      for (const x of w.all) {
        if (x.status !== 'SUCCESS' || x.dateMs < Math.floor(start / 1000) * 1000) continue
        if ((type === 'IN') !== (x.type === 'IN')) continue
        m.set(x.currency, (m.get(x.currency) ?? 0) + x.sumKopecks)
      }
      return m
    }
    expect(new Map(t.incomingTotal.map((m) => [m.currency, m.kopecks]))).toEqual(want('IN'))
    expect(new Map(t.outgoingTotal.map((m) => [m.currency, m.kopecks]))).toEqual(want('OUT'))
    expect(transport.sent.filter((r) => r.url.includes('/payments/total')).length).toBe(3)
    client.close()
  })
})

describe('rate limit', () => {
  it('pages 1,000+ items without ever exceeding N requests per 60 s at the server (N = 10)', async () => {
    const w = await walletWithHistory(1100, { rateLimitPerMinute: 10 })
    h = w.h
    const limiter = new SlidingWindowLimiter({ limit: 10, now: h.clock.now, sleep: h.clock.sleep })
    const { client } = makeClient(h, w.token, { limiter })
    const started = h.clock.now()
    const items = await client.historyAll(WALLET, {
      startDate: new Date(started - 401 * DAY),
      endDate: new Date(started)
    })
    expect(items.length).toBe(1100)
    const log = h.emu.admin.requestLog({ route: 'history' })
    expect(log.length).toBeGreaterThanOrEqual(22)
    expect(log.filter((e) => e.status === 423)).toEqual([])
    expect(h.emu.admin.maxRequestsInWindow({ routes: ['history'], windowMs: 60_000 })).toBeLessThanOrEqual(10)
    // and it did have to wait: ≥ 22 requests at 10/min take more than 2 minutes of (virtual) time
    expect(h.clock.now() - started).toBeGreaterThan(2 * 60_000)
    client.close()
  })

  it('backs off exponentially with jitter on request.blocked and recovers after the 5-minute block', async () => {
    const w = await walletWithHistory(1000, { rateLimitPerMinute: 10 })
    h = w.h
    // A client paced for 100/min against a server that allows 10: the server blocks it.
    const { client } = makeClient(h, w.token, {
      blockedRetry: { maxRetries: 8, baseMs: 30_000, maxMs: 300_000 }
    })
    const items = await client.historyAll(WALLET, {
      startDate: new Date(h.clock.now() - 401 * DAY),
      endDate: new Date(h.clock.now())
    })
    expect(items.length).toBe(1000)
    const blocked = h.emu.admin.requestLog({ route: 'history' }).filter((e) => e.status === 423)
    expect(blocked.length).toBeGreaterThan(0)
    const d = h.clock.sleeps
    expect(d.length).toBeGreaterThan(0)
    expect(d[0]).toBeGreaterThanOrEqual(30_000)
    expect(d[0]).toBeLessThanOrEqual(30_000)
    if (d.length > 1) {
      expect(d[1]).toBeGreaterThanOrEqual(30_000)
      expect(d[1]).toBeLessThanOrEqual(60_000)
    }
    for (const x of d) expect(x).toBeLessThanOrEqual(300_000)
    client.close()
  })

  it('gives up after the capped number of retries with a typed request.blocked error', async () => {
    const w = await walletWithHistory(10)
    h = w.h
    h.emu.admin.injectFault({ match: 'history', kind: 'blocked', times: 10 })
    const { client } = makeClient(h, w.token, { blockedRetry: { maxRetries: 3, baseMs: 1000, maxMs: 8000 } })
    const err = await client.historyPage(WALLET, { rows: 10 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PersonalApiError)
    const e = err as PersonalApiError
    expect(e.kind).toBe('blocked')
    expect(e.isRequestBlocked).toBe(true)
    expect(e.attempts).toBe(4)
    expect(e.envelope).toMatchObject({
      shape: 'long',
      errorCode: 'request.blocked',
      serviceName: 'payment-history'
    })
    expect(h.emu.admin.requestLog({ route: 'history' })).toHaveLength(4)
    expect(h.clock.sleeps).toHaveLength(3)
    client.close()
  })
})
