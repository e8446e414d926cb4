/**
 * The personal-API emulator on its own, over raw HTTP: documented behaviour,
 * error bodies, rate limiting, cursor semantics, demo data and persistence.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createPersonalEmulator } from '../../../electron/core/sandbox/personal'
import { historyPageSchema, parseErrorEnvelope, parseWith } from '../../../electron/core/personal'
import { VirtualClock, startEmulator } from '../personal/support'
import type { Harness } from '../personal/support'

const W = '79161112233'
const DAY = 86_400_000
let h: Harness | null = null
const dirs: string[] = []

afterEach(async () => {
  await h?.close()
  h = null
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'personal-emu-'))
  dirs.push(d)
  return d
}

async function get(
  url: string,
  token: string | null,
  headers: Record<string, string> = {}
): Promise<{ status: number; text: string }> {
  const r = await fetch(url, {
    headers: {
      Accept: 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers
    }
  })
  return { status: r.status, text: await r.text() }
}

const enc = (ms: number): string => {
  const d = new Date(ms + 3 * 3_600_000).toISOString().slice(0, 19)
  return encodeURIComponent(`${d}+03:00`)
}

describe('personal emulator: auth and error bodies', () => {
  it('401 without or with a bad token, 403 for a missing scope, both with the long envelope', async () => {
    h = await startEmulator()
    h.emu.admin.createWallet({ wallet: W })
    const limited = h.emu.admin.createToken({ wallet: W, scopes: ['profile'] })
    const r1 = await get(`${h.url}/person-profile/v1/profile/current`, null)
    expect(r1.status).toBe(401)
    expect(parseErrorEnvelope(r1.text)).toMatchObject({
      shape: 'long',
      serviceName: 'person-profile',
      errorCode: 'auth.unauthorized'
    })
    expect((await get(`${h.url}/person-profile/v1/profile/current`, 'nope-nope-nope')).status).toBe(401)
    expect((await get(`${h.url}/person-profile/v1/profile/current`, limited)).status).toBe(200)
    const r2 = await get(`${h.url}/funding-sources/v2/persons/${W}/accounts`, limited)
    expect(r2.status).toBe(403)
    expect(parseErrorEnvelope(r2.text)).toMatchObject({
      errorCode: 'auth.forbidden',
      serviceName: 'funding-sources'
    })
    expect((await get(`${h.url}/no/such/path`, limited)).status).toBe(404)
  })

  it('answers a wrong Accept type with 400 as documented', async () => {
    h = await startEmulator()
    h.emu.admin.createWallet({ wallet: W })
    const t = h.emu.admin.createToken({ wallet: W })
    const r = await fetch(`${h.url}/sinap/api/v2/terms/99/payments`, {
      method: 'POST',
      headers: { Accept: 'text/xml', 'Content-Type': 'application/json', Authorization: `Bearer ${t}` },
      body: '{}'
    })
    expect(r.status).toBe(400)
  })

  it('validates history parameters: rows, operation, date pairs, same zone, 90 days', async () => {
    h = await startEmulator()
    h.emu.admin.createWallet({ wallet: W })
    const t = h.emu.admin.createToken({ wallet: W })
    const base = `${h.url}/payment-history/v2/persons/${W}/payments`
    const now = h.clock.now()
    for (const q of [
      '',
      'rows=0',
      'rows=51',
      'rows=10&operation=SOME',
      `rows=10&startDate=${enc(now - DAY)}`,
      `rows=10&startDate=${enc(now - 91 * DAY)}&endDate=${enc(now)}`,
      `rows=10&startDate=${enc(now - DAY)}&endDate=${encodeURIComponent(new Date(now).toISOString().slice(0, 19) + 'Z')}`,
      'rows=10&sources%5B0%5D=BITCOIN',
      'rows=10&nextTxnId=1'
    ]) {
      const r = await get(`${base}?${q}`, t)
      expect(r.status, q).toBe(400)
      expect(parseErrorEnvelope(r.text)).toMatchObject({ shape: 'long', errorCode: 'validation.error' })
    }
    // Nothing in the last day → 404 "no payments match" (spec §11.1).
    expect((await get(`${base}?rows=10`, t)).status).toBe(404)
  })
})

describe('personal emulator: rate limit', () => {
  it('the (N+1)th history request within 60 s gets 423 request.blocked; blocked for 5 minutes; other calls unaffected', async () => {
    h = await startEmulator({ rateLimitPerMinute: 5 })
    h.emu.admin.createWallet({ wallet: W })
    h.emu.admin.addHistoryItem(W, { type: 'IN', amountKopecks: 100, date: h.clock.now() - 1000 })
    const t = h.emu.admin.createToken({ wallet: W })
    const url = `${h.url}/payment-history/v2/persons/${W}/payments?rows=1`
    for (let i = 0; i < 5; i++) {
      expect((await get(url, t)).status).toBe(200)
      h.clock.t += 1000
    }
    const blocked = await get(url, t)
    expect(blocked.status).toBe(423)
    expect(parseErrorEnvelope(blocked.text)).toMatchObject({
      shape: 'long',
      serviceName: 'payment-history',
      errorCode: 'request.blocked'
    })
    expect((await get(`${h.url}/person-profile/v1/profile/current`, t)).status).toBe(200)
    h.clock.t += 4 * 60_000
    expect((await get(url, t)).status).toBe(423)
    h.clock.t += 61_000
    expect((await get(url, t)).status).toBe(200)
    expect(h.emu.admin.maxRequestsInWindow({ routes: ['history'], wallet: W })).toBe(6)
  })
})

describe('personal emulator: cursor', () => {
  it('pages with nextTxnId/nextTxnDate; a page boundary inside a conversion pair repeats it, nothing is lost', async () => {
    h = await startEmulator()
    h.emu.admin.createWallet({ wallet: W })
    const t = h.emu.admin.createToken({ wallet: W })
    const at = h.clock.now() - 3600_000
    h.emu.admin.addHistoryItem(W, { type: 'IN', amountKopecks: 100, date: at + 2000 })
    const pair = h.emu.admin.addHistoryItem(W, { type: 'OUT', amountKopecks: 9245, date: at + 1000 })
    h.emu.admin.addHistoryItem(W, {
      type: 'IN',
      amountKopecks: 100,
      currency: '840',
      txnId: pair,
      date: at + 1000,
      currencyRate: '92.45'
    })
    h.emu.admin.addHistoryItem(W, { type: 'OUT', amountKopecks: 500, date: at })
    const base = `${h.url}/payment-history/v2/persons/${W}/payments?rows=2&startDate=${enc(at - DAY)}&endDate=${enc(h.clock.now())}`
    const p1 = parseWith(historyPageSchema, (await get(base, t)).text)
    if (!p1.ok) throw new Error(p1.message)
    expect(p1.value.data.map((d) => `${d.txnId}:${d.type}`)).toEqual([
      expect.stringMatching(/:IN$/),
      `${pair}:OUT`
    ])
    expect(p1.value.nextTxnId).toBe(pair)
    const p2raw = await get(
      `${base}&nextTxnId=${p1.value.nextTxnId}&nextTxnDate=${encodeURIComponent(p1.value.nextTxnDate ?? '')}`,
      t
    )
    const p2 = parseWith(historyPageSchema, p2raw.text)
    if (!p2.ok) throw new Error(p2.message)
    expect(p2.value.data.map((d) => `${d.txnId}:${d.type}`)).toEqual([`${pair}:OUT`, `${pair}:IN`])
    expect(p2.value.data[1]?.sum).toEqual({ amount: '1.00', kopecks: 100, currency: '840' })
    const p3 = parseWith(
      historyPageSchema,
      (
        await get(
          `${base}&nextTxnId=${p2.value.nextTxnId}&nextTxnDate=${encodeURIComponent(p2.value.nextTxnDate ?? '')}`,
          t
        )
      ).text
    )
    if (!p3.ok) throw new Error(p3.message)
    expect(p3.value.data).toHaveLength(1)
    expect(p3.value.nextTxnId).toBeNull()
    expect(p3.value.nextTxnDate).toBeNull()
  })

  it('renders list dates in the zone of startDate', async () => {
    h = await startEmulator()
    h.emu.admin.createWallet({ wallet: W })
    const t = h.emu.admin.createToken({ wallet: W })
    h.emu.admin.addHistoryItem(W, { type: 'IN', amountKopecks: 100, date: Date.UTC(2024, 4, 31, 21, 30, 0) })
    const s = encodeURIComponent('2024-05-31T00:00:00+05:00')
    const e = encodeURIComponent('2024-06-01T23:59:59+05:00')
    const r = parseWith(
      historyPageSchema,
      (await get(`${h.url}/payment-history/v2/persons/${W}/payments?rows=5&startDate=${s}&endDate=${e}`, t))
        .text
    )
    if (!r.ok) throw new Error(r.message)
    expect(r.value.data[0]?.date).toBe('2024-06-01T02:30:00+05:00')
  })
})

describe('personal emulator: demo data', () => {
  it('is deterministic per seed and has what a client must cope with', () => {
    const clock = new VirtualClock()
    const a = createPersonalEmulator({ seed: 7, now: clock.now })
    const b = createPersonalEmulator({ seed: 7, now: clock.now })
    const c = createPersonalEmulator({ seed: 8, now: clock.now })
    if (!a.demo || !b.demo || !c.demo) throw new Error('no demo')
    const ha = a.admin.history(a.demo.wallet)
    expect(ha).toEqual(b.admin.history(b.demo.wallet))
    expect(a.demo.token).toBe(b.demo.token)
    expect(ha).not.toEqual(c.admin.history(c.demo.wallet))
    expect(ha.length).toBe(3000)
    expect(new Set(ha.map((x) => x.currency))).toEqual(new Set(['643', '840', '398']))
    const txnCounts = new Map<string, number>()
    for (const x of ha) txnCounts.set(x.txnId, (txnCounts.get(x.txnId) ?? 0) + 1)
    expect([...txnCounts.values()].filter((n) => n === 2).length).toBeGreaterThan(50)
    expect(ha.some((x) => x.status === 'WAITING')).toBe(true)
    expect(ha.some((x) => x.status === 'ERROR' && x.errorCode !== 0)).toBe(true)
    expect(ha.some((x) => x.comment.length > 300 && /[а-я]/.test(x.comment))).toBe(true)
    expect(ha[0]!.dateMs - ha[ha.length - 1]!.dateMs).toBeGreaterThan(300 * DAY)
    expect(a.demo.casLogin).toBe(a.demo.wallet)
    for (const e of [a, b, c]) e.close()
  })
})

describe('personal emulator: persistence', () => {
  it('flush() writes the state atomically; a new emulator on the same dataDir continues from it', async () => {
    const dataDir = tmp()
    h = await startEmulator({ dataDir, demo: true, demoHistoryCount: 200 })
    const demo = h.emu.demo
    if (!demo) throw new Error('no demo')
    const r = await fetch(`${h.url}/sinap/api/v2/terms/99/payments`, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        Authorization: `Bearer ${demo.token}`
      },
      body: `{"id":"555","sum":{"amount":10.25,"currency":"643"},"paymentMethod":{"type":"Account","accountId":"643"},"fields":{"account":"+${demo.recipientWallet}"}}`
    })
    expect(r.status).toBe(200)
    const balanceAfter = h.emu.admin.balance(demo.wallet, 'RUB')
    h.emu.flush()
    const files = readdirSync(dataDir)
    expect(files).toEqual(['personal-emulator.json'])
    expect(
      () => JSON.parse(readFileSync(join(dataDir, 'personal-emulator.json'), 'utf8')) as unknown
    ).not.toThrow()
    await h.close()
    h = await startEmulator({ dataDir, demo: true })
    expect(h.emu.demo?.token).toBe(demo.token)
    expect(h.emu.admin.transfers({ clientId: '555' })).toHaveLength(1)
    expect(h.emu.admin.balance(demo.wallet, 'RUB')).toBe(balanceAfter)
    expect(h.emu.admin.history(demo.wallet).length).toBe(201)
    expect(h.emu.admin.history(demo.recipientWallet).find((x) => x.type === 'IN')?.sumKopecks).toBe(1025)
    expect((await get(`${h.url}/person-profile/v1/profile/current`, demo.token)).status).toBe(200)
  })

  it('refuses a corrupt state file with a clear error instead of starting empty', () => {
    const dataDir = tmp()
    writeFileSync(join(dataDir, 'personal-emulator.json'), '{"version":1,"wallets":5}')
    expect(() => createPersonalEmulator({ dataDir })).toThrow(/not a valid state file/)
  })

  it('close() ends requests held by a hang fault', async () => {
    h = await startEmulator()
    h.emu.admin.createWallet({ wallet: W })
    const t = h.emu.admin.createToken({ wallet: W })
    h.emu.admin.injectFault({ match: 'any', kind: 'hang' })
    const pending = fetch(`${h.url}/person-profile/v1/profile/current`, {
      headers: { Authorization: `Bearer ${t}` }
    }).then(
      (r) => r.status,
      () => 'closed'
    )
    await new Promise((r) => setTimeout(r, 50))
    h.emu.close()
    expect(await pending).toBe('closed')
  })
})
