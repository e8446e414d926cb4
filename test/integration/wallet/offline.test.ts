/**
 * The cache works with the API gone: history with every filter, search (Cyrillic,
 * digits, short strings), paging and counts, CSV export content, and exact monthly
 * totals — all after the emulator has been stopped. Totals are checked against exact
 * BigInt sums of the emulator's own ledger and against QIWI's totals endpoint.
 */
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { formatAmount } from '../../../shared/money'
import { PersonalClient } from '../../../electron/core/personal/client'
import { bearerAuth } from '../../../electron/core/personal/auth'
import { DAY_MS } from '../../../electron/core/personal/dates'
import type { EmuHistoryItem } from '../../../electron/core/sandbox/personal'
import { HISTORY_CSV_FIELDS } from '../../../electron/core/wallet/csv'
import { WALLET, makeRig } from './support'
import type { Rig } from './support'

let r: Rig
let id: string
let items: EmuHistoryItem[]
let qiwiTotals: { incoming: Map<string, number>; outgoing: Map<string, number> }
const MONTH = { from: Date.UTC(2024, 4, 1) - 3 * 3_600_000, to: Date.UTC(2024, 5, 1) - 3 * 3_600_000 - 1 }

beforeAll(async () => {
  r = await makeRig()
  r.h.emu.admin.createWallet({ wallet: WALLET })
  const now = r.clock.now()
  r.h.emu.admin.generateHistory(WALLET, {
    count: 900,
    seed: 77,
    endMs: now - 3_600_000,
    spanDays: 85,
    conversionShare: 0.1
  })
  r.h.emu.admin.addHistoryItem(WALLET, {
    type: 'OUT',
    amountKopecks: 123_45,
    date: now - 1_800_000,
    comment: 'Оплата ЗА Квартиру, май',
    account: '+79995554433',
    trmTxnId: '1718442000000'
  })
  r.h.emu.admin.addHistoryItem(WALLET, {
    type: 'IN',
    amountKopecks: 1_00,
    date: now - 1_700_000,
    comment: '=HYPERLINK("http://evil")',
    account: '@cmd'
  })
  const token = r.h.emu.admin.createToken({ wallet: WALLET })
  id = (await r.service.addWithToken({ name: 'Offline', api: r.h.url, token })).id
  await r.service.sync(id)
  items = r.h.emu.admin.history(WALLET).filter((i) => i.dateMs >= now - 90 * DAY_MS)
  // QIWI's own totals for one month, asked before going offline.
  const client = new PersonalClient({
    auth: bearerAuth(token),
    baseUrl: r.h.url,
    now: r.clock.now,
    sleep: r.clock.sleep
  })
  const t = await client.totals(WALLET, { startDate: new Date(MONTH.from), endDate: new Date(MONTH.to) })
  client.close()
  qiwiTotals = {
    incoming: new Map(t.incomingTotal.map((m) => [m.currency, m.kopecks])),
    outgoing: new Map(t.outgoingTotal.map((m) => [m.currency, m.kopecks]))
  }
  await r.h.stop()
})

afterAll(async () => {
  await r.close()
})

const ALL = { limit: 1000, offset: 0 }

describe('offline (emulator stopped)', () => {
  it('the API is really gone', async () => {
    await expect(r.service.balances(id)).rejects.toSatisfy(
      (e: unknown) => isAppError(e) && e.code === 'network-failure'
    )
  })

  it('lists everything newest first, pages and counts', () => {
    const all = r.service.history(id, {}, { limit: 10_000, offset: 0 })
    expect(all.count).toBe(items.length)
    expect(all.rows.length).toBe(items.length)
    for (let i = 1; i < all.rows.length; i++) {
      expect((all.rows[i - 1]?.at ?? 0) >= (all.rows[i]?.at ?? 0)).toBe(true)
    }
    const p1 = r.service.history(id, {}, { limit: 25, offset: 0 })
    const p2 = r.service.history(id, {}, { limit: 25, offset: 25 })
    expect(p1.count).toBe(items.length)
    expect(p1.rows.map((x) => `${x.txnId}${x.type}`)).toEqual(
      all.rows.slice(0, 25).map((x) => `${x.txnId}${x.type}`)
    )
    expect(p2.rows.map((x) => `${x.txnId}${x.type}`)).toEqual(
      all.rows.slice(25, 50).map((x) => `${x.txnId}${x.type}`)
    )
  })

  it('filters by date range, operation, currency and status exactly like the source data', () => {
    const from = r.clock.now() - 30 * DAY_MS
    const to = r.clock.now() - 10 * DAY_MS
    const cases: [Parameters<typeof r.service.history>[1], (i: EmuHistoryItem) => boolean][] = [
      [{ from, to }, (i) => i.dateMs >= from && i.dateMs <= to],
      [{ operation: 'IN' }, (i) => i.type === 'IN'],
      [{ operation: 'OUT' }, (i) => i.type === 'OUT'],
      [{ operation: 'QIWI_CARD' }, (i) => i.type === 'QIWI_CARD'],
      [{ currencies: ['USD', '398'] }, (i) => i.currency === '840' || i.currency === '398'],
      [{ statuses: ['ERROR', 'WAITING'] }, (i) => i.status !== 'SUCCESS'],
      [
        { from, operation: 'OUT', currencies: ['643'], statuses: ['SUCCESS'] },
        (i) => i.dateMs >= from && i.type === 'OUT' && i.currency === '643' && i.status === 'SUCCESS'
      ]
    ]
    for (const [filter, pred] of cases) {
      const want = items.filter(pred)
      const got = r.service.history(id, filter, { limit: 10_000, offset: 0 })
      expect(got.count).toBe(want.length)
      expect(new Set(got.rows.map((x) => `${x.txnId}:${x.type}`))).toEqual(
        new Set(want.map((i) => `${i.txnId}:${i.type}`))
      )
    }
    expect(items.filter((i) => i.type === 'QIWI_CARD').length).toBeGreaterThan(0)
    expect(items.filter((i) => i.status === 'ERROR').length).toBeGreaterThan(0)
  })

  it('searches account, comment, provider, txnId and trmTxnId, case-insensitively (Cyrillic too)', () => {
    const one = (search: string) => r.service.history(id, { search }, ALL)
    expect(one('за квартиру').rows.map((x) => x.comment)).toEqual(['Оплата ЗА Квартиру, май'])
    const naive = (q: string) =>
      items.filter((i) =>
        [i.providerShortName, i.comment, i.account, i.txnId, i.trmTxnId ?? ''].some((f) =>
          f.toLowerCase().includes(q.toLowerCase())
        )
      ).length
    for (const q of ['ОПЛАТА за', 'оплата', 'qiwi', '555']) {
      expect(one(q).count).toBe(naive(q))
    }
    expect(naive('оплата')).toBeGreaterThan(1)
    expect(one('5554433').rows[0]?.account).toBe('+79995554433')
    expect(one('1718442000000').rows[0]?.trmTxnId).toBe('1718442000000')
    const some = items[100] as EmuHistoryItem
    const byTxn = one(some.txnId)
    expect(byTxn.rows.some((x) => x.txnId === some.txnId)).toBe(true)
    // Provider names.
    const provider = items.find((i) => i.providerShortName.length >= 4)?.providerShortName ?? ''
    expect(one(provider.slice(0, 4)).count).toBe(naive(provider.slice(0, 4)))
    // Short strings (1–2 characters) still work (a scan instead of the trigram index).
    expect(one('@c').rows.map((x) => x.account)).toEqual(['@cmd'])
    // Nothing matches: zero, not an error; quotes and FTS syntax are plain text.
    expect(one('"no such" OR *').count).toBe(0)
    expect(one('zzzzqqq').count).toBe(0)
  })

  it('exports CSV with the documented field names, decimal amounts and formula cells neutralized', () => {
    const out = r.service.exportCsv(id, { operation: 'OUT' })
    const want = items.filter((i) => i.type === 'OUT')
    expect(out.rows).toBe(want.length)
    expect(out.fileName).toMatch(/^qiwi-wallet-Offline-\d{8}\.csv$/)
    const parsed = Papa.parse<Record<string, string>>(out.csv, { header: true, skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    expect(parsed.meta.fields).toEqual([...HISTORY_CSV_FIELDS])
    expect(parsed.data.length).toBe(want.length)
    const byKey = new Map(want.map((i) => [i.txnId, i]))
    for (const row of parsed.data) {
      const src = byKey.get(row['txnId'] ?? '')
      expect(src).toBeDefined()
      if (!src) continue
      expect(row['sum']).toBe(formatAmount(src.sumKopecks))
      expect(row['sumCurrency']).toBe(src.currency)
      expect(row['commission']).toBe(formatAmount(src.commissionKopecks))
      expect(row['total']).toBe(formatAmount(src.sumKopecks + src.commissionKopecks))
      expect(row['status']).toBe(src.status)
      expect(row['comment']).toBe(src.comment)
    }
    const mine = parsed.data.find((x) => x['trmTxnId'] === '1718442000000')
    expect(mine).toMatchObject({ sum: '123.45', account: '+79995554433', comment: 'Оплата ЗА Квартиру, май' })
    const evil = Papa.parse<Record<string, string>>(r.service.exportCsv(id, { search: 'HYPERLINK' }).csv, {
      header: true
    }).data[0]
    expect(evil?.['comment']).toBe(`'=HYPERLINK("http://evil")`)
    expect(evil?.['account']).toBe(`'@cmd`)
  })

  it('totals per month and currency are exact and match QIWI’s own totals', () => {
    const from = r.clock.now() - 90 * DAY_MS
    const to = r.clock.now()
    const rows = r.service.totals(id, from, to)
    // Exact BigInt sums of the source, grouped by Moscow month.
    const want = new Map<string, { inc: bigint; out: bigint }>()
    for (const i of items) {
      if (i.status !== 'SUCCESS' || i.dateMs < from || i.dateMs > to) continue
      const month = new Date(i.dateMs + 3 * 3_600_000).toISOString().slice(0, 7)
      const k = `${month}|${i.currency}`
      const cur = want.get(k) ?? { inc: 0n, out: 0n }
      if (i.type === 'IN') cur.inc += BigInt(i.sumKopecks)
      else cur.out += BigInt(i.sumKopecks)
      want.set(k, cur)
    }
    const fmt = (k: bigint) => `${k / 100n}.${(k % 100n).toString().padStart(2, '0')}`
    expect(rows.length).toBe(want.size)
    for (const row of rows) {
      const w = want.get(`${row.month}|${row.currency}`)
      expect(w).toBeDefined()
      expect(row.incoming).toBe(fmt(w?.inc ?? -1n))
      expect(row.outgoing).toBe(fmt(w?.out ?? -1n))
    }
    // One full month equals QIWI's totals endpoint (asked while online).
    const may = r.service.totals(id, MONTH.from, MONTH.to)
    expect(may.every((x) => x.month === '2024-05')).toBe(true)
    for (const m of may) {
      expect(m.incoming).toBe(formatAmount(qiwiTotals.incoming.get(m.currency) ?? 0))
      expect(m.outgoing).toBe(formatAmount(qiwiTotals.outgoing.get(m.currency) ?? 0))
    }
    expect(may.length).toBeGreaterThan(0)
  })

  it('the wallet list still shows the cached item count; an unknown wallet is an error', () => {
    expect(r.service.list()[0]?.itemCount).toBe(items.length)
    expect(() => r.service.history('00000000-0000-0000-0000-000000000000', {}, ALL)).toThrow(/No such wallet/)
  })
})
