/**
 * History sync against the emulator: to the end of the cursor across > 1,000 items with
 * conversion pairs (both halves kept), incremental syncs that fetch only what is new
 * (requests counted), the 90-day split, WAITING items refreshed, the rate limit kept
 * with backoff on 423, and an interrupted sync that leaves no gap.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { prepared } from '../../../electron/core/db/connection'
import { DAY_MS, parseQiwiDate } from '../../../electron/core/personal/dates'
import { TransportError } from '../../../electron/core/personal/transport'
import type { HttpTransport } from '../../../electron/core/personal/transport'
import { WALLET, RECIPIENT, historyRequests, makeRig } from './support'
import type { Rig } from './support'

let rig: Rig | null = null
afterEach(async () => {
  await rig?.close()
  rig = null
})

function cached(r: Rig): { txn_id: string; type: string; status: string }[] {
  return prepared(r.db, 'SELECT txn_id, type, status FROM wallet_history ORDER BY txn_id, type').all() as {
    txn_id: string
    type: string
    status: string
  }[]
}

async function addWallet(r: Rig): Promise<string> {
  const token = r.h.emu.admin.createToken({ wallet: WALLET })
  return (await r.service.addWithToken({ name: 'W', api: r.h.url, token })).id
}

describe('history sync', () => {
  it('first sync: the last 90 days, every page to the end of the cursor, conversion pairs both kept', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    const now = r.clock.now()
    r.h.emu.admin.generateHistory(WALLET, {
      count: 1400,
      seed: 42,
      endMs: now - 60_000,
      spanDays: 120,
      conversionShare: 0.12
    })
    const id = await addWallet(r)
    const probes = historyRequests(r.transport).length
    const s = await r.service.sync(id)
    const from = now - 90 * DAY_MS
    const expected = r.h.emu.admin
      .history(WALLET)
      .filter((i) => i.dateMs >= Math.floor(from / 1000) * 1000 && i.dateMs <= now)
    expect(expected.length).toBeGreaterThan(1000)
    expect(s).toMatchObject({
      added: expected.length,
      total: expected.length,
      lastSyncAt: now,
      from,
      to: now
    })
    const got = cached(r).map((x) => `${x.txn_id}:${x.type}`)
    expect(new Set(got)).toEqual(new Set(expected.map((i) => `${i.txnId}:${i.type}`)))
    // Conversion pairs: one txnId with an OUT and an IN.
    const byTxn = new Map<string, string[]>()
    for (const i of expected) byTxn.set(i.txnId, [...(byTxn.get(i.txnId) ?? []), i.type])
    const pairs = [...byTxn.entries()].filter(([, t]) => t.length === 2)
    expect(pairs.length).toBeGreaterThan(20)
    for (const [txn] of pairs) {
      expect(
        cached(r)
          .filter((x) => x.txn_id === txn)
          .map((x) => x.type)
          .sort()
      ).toEqual(['IN', 'OUT'])
    }
    // Every page after the first continued the cursor inside the same window.
    const reqs = historyRequests(r.transport).slice(probes)
    expect(reqs.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 50))
    expect(reqs.filter((u) => u.searchParams.has('nextTxnId')).length).toBe(reqs.length - 1)
    expect(r.service.get(id)).toMatchObject({ itemCount: expected.length, lastSyncAt: now })
  })

  it('incremental sync fetches only what is new (counted at the emulator and the transport)', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    r.h.emu.admin.createWallet({ wallet: RECIPIENT })
    // Old history only (nothing WAITING in the last week, so nothing else needs a refresh).
    r.h.emu.admin.generateHistory(WALLET, {
      count: 600,
      seed: 7,
      endMs: r.clock.now() - 10 * DAY_MS,
      spanDays: 60
    })
    const id = await addWallet(r)
    const first = await r.service.sync(id)
    expect(first.added).toBe(600)
    r.clock.advance(3 * 3_600_000)
    for (let k = 0; k < 3; k++) {
      r.clock.advance(60_000)
      r.h.emu.admin.addHistoryItem(WALLET, {
        type: 'IN',
        amountKopecks: 1000 + k,
        date: r.clock.now(),
        comment: `zz-new-${k}`
      })
    }
    r.clock.advance(60_000)
    r.h.emu.admin.clearRequestLog()
    const before = historyRequests(r.transport).length
    const second = await r.service.sync(id)
    expect(second).toMatchObject({ added: 3, updated: 0, total: 603 })
    // One page: the new items and the overlap, not the 600 already cached.
    expect(r.h.emu.admin.requestLog({ route: 'history' }).length).toBe(1)
    const reqs = historyRequests(r.transport).slice(before)
    expect(reqs.length).toBe(1)
    const start = parseQiwiDate(reqs[0]?.searchParams.get('startDate') ?? '')
    const newest = r.h.emu.admin.history(WALLET).find((i) => !i.comment.startsWith('zz-new'))
    expect(start?.ms).toBe(Math.floor(((newest?.dateMs ?? 0) - 10 * 60_000) / 1000) * 1000)
    // Nothing new: still one request, nothing added.
    r.clock.advance(60_000)
    const third = await r.service.sync(id)
    expect(third).toMatchObject({ added: 0, total: 603 })
    expect(historyRequests(r.transport).length).toBe(before + 2)
  })

  it('a range longer than 90 days is split into ≤ 90-day windows', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    r.h.emu.admin.generateHistory(WALLET, {
      count: 500,
      seed: 9,
      endMs: r.clock.now() - 60_000,
      spanDays: 250
    })
    const id = await addWallet(r)
    const s = await r.service.sync(id, { days: 240 })
    const windows = new Map<string, { s: number; e: number }>()
    for (const u of historyRequests(r.transport)) {
      const sd = u.searchParams.get('startDate')
      const ed = u.searchParams.get('endDate')
      if (!sd || !ed) continue
      const a = parseQiwiDate(sd)
      const b = parseQiwiDate(ed)
      if (a && b) windows.set(`${sd}|${ed}`, { s: a.ms, e: b.ms })
    }
    const list = [...windows.values()].sort((x, y) => y.e - x.e)
    expect(list.length).toBe(3)
    for (const w of list) expect(w.e - w.s).toBeLessThanOrEqual(90 * DAY_MS)
    // Consecutive windows touch (1 s apart) and cover the whole range.
    for (let i = 1; i < list.length; i++) expect((list[i - 1]?.s ?? 0) - (list[i]?.e ?? 0)).toBe(1000)
    const expected = r.h.emu.admin
      .history(WALLET)
      .filter((i) => i.dateMs >= Math.floor(s.from / 1000) * 1000).length
    expect(s.total).toBe(expected)
  })

  it('WAITING items are fetched again until they settle', async () => {
    rig = await makeRig({ emu: { paymentProcessingMs: 20 * 60_000 } })
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: 10_000_00 } })
    r.h.emu.admin.createWallet({ wallet: RECIPIENT })
    const id = await addWallet(r)
    const t = await r.service.transfer({
      walletId: id,
      clientRequestId: 'req-waiting-1',
      to: RECIPIENT,
      amount: '10'
    })
    expect(t.state).toBe('accepted')
    r.clock.advance(60_000)
    await r.service.sync(id)
    expect(cached(r).find((x) => x.type === 'OUT')?.status).toBe('WAITING')
    r.clock.advance(3 * 3_600_000)
    r.h.emu.admin.addHistoryItem(WALLET, { type: 'IN', amountKopecks: 500, date: r.clock.now() - 1000 })
    const s = await r.service.sync(id)
    expect(s).toMatchObject({ added: 1, updated: 1 })
    expect(cached(r).find((x) => x.type === 'OUT')?.status).toBe('SUCCESS')
  })

  it('keeps the rate limit (100/min by default) and backs off on 423 without breaching it', async () => {
    rig = await makeRig({ emu: { rateLimitPerMinute: 100 } })
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    r.h.emu.admin.generateHistory(WALLET, {
      count: 5300,
      seed: 21,
      endMs: r.clock.now() - 60_000,
      spanDays: 85,
      conversionShare: 0.05
    })
    const id = await addWallet(r)
    // A 423 out of the blue (e.g. another app on the same wallet): back off, then carry on.
    r.h.emu.admin.injectFault({ match: 'history', kind: 'blocked', times: 1 })
    const start = r.clock.now()
    const s = await r.service.sync(id)
    expect(s.total).toBe(r.h.emu.admin.history(WALLET).filter((i) => i.dateMs >= s.from).length)
    const log = r.h.emu.admin.requestLog({ route: 'history' })
    expect(log.length).toBeGreaterThan(100)
    expect(log.filter((e) => e.status === 423 && e.fault === null)).toHaveLength(0)
    expect(
      r.h.emu.admin.maxRequestsInWindow({ routes: ['history', 'totals', 'transaction'], wallet: WALLET })
    ).toBeLessThanOrEqual(100)
    // The limiter made it wait (virtual time), and the blocked reply cost at least the 30 s backoff floor.
    expect(r.clock.now() - start).toBeGreaterThan(60_000)
    expect(r.clock.sleeps.some((ms) => ms >= 30_000)).toBe(true)
  })

  it('an interrupted sync keeps what arrived and leaves no gap: the next sync fetches the same window again', async () => {
    let historyCalls = 0
    let failFrom = Infinity
    const failing = (inner: HttpTransport): HttpTransport => ({
      request(req) {
        if (/\/payments$/.test(new URL(req.url).pathname)) {
          historyCalls++
          if (historyCalls >= failFrom) {
            return Promise.reject(new TransportError('network', 'connection refused', false, 'ECONNREFUSED'))
          }
        }
        return inner.request(req)
      }
    })
    rig = await makeRig()
    const r = rig
    const svc = r.restart({ transportFactory: () => failing({ request: (q) => r.transport.request(q) }) })
    r.h.emu.admin.createWallet({ wallet: WALLET })
    r.h.emu.admin.generateHistory(WALLET, {
      count: 400,
      seed: 4,
      endMs: r.clock.now() - 60_000,
      spanDays: 40
    })
    const token = r.h.emu.admin.createToken({ wallet: WALLET })
    const id = (await svc.addWithToken({ name: 'I', api: r.h.url, token })).id
    historyCalls = 0
    failFrom = 4
    await expect(svc.sync(id)).rejects.toMatchObject({ code: 'network-failure' })
    const partial = cached(r).length
    expect(partial).toBe(150)
    expect(svc.get(id).lastSyncAt).toBeNull()
    // New items arrive meanwhile; the next sync must still fetch the older part it missed.
    r.clock.advance(60_000)
    r.h.emu.admin.addHistoryItem(WALLET, { type: 'IN', amountKopecks: 12_34, date: r.clock.now() })
    failFrom = Infinity
    const s = await svc.sync(id)
    expect(s.total).toBe(401)
    expect(s.added).toBe(251)
  })
})
