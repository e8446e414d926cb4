import { afterEach, describe, expect, it } from 'vitest'
import {
  CAS_DEFAULTS,
  CasSession,
  LegacyWebSession,
  PersonalApiError,
  createNodeTransport
} from '../../../electron/core/personal'
import { RECIPIENT, WALLET, makeClient, startEmulator } from './support'
import type { Harness } from './support'

const DAY = 86_400_000
let h: Harness | null = null

afterEach(async () => {
  await h?.close()
  h = null
})

async function setup(): Promise<Harness> {
  const harness = await startEmulator()
  harness.emu.admin.createWallet({
    wallet: WALLET,
    balances: { RUB: 500_000, KZT: 1_000_000 },
    nullBalanceAccount: true,
    casPassword: 'correct horse'
  })
  harness.emu.admin.createWallet({ wallet: RECIPIENT })
  harness.emu.admin.setBalance(WALLET, 'USD', 12_345)
  harness.emu.admin.generateHistory(WALLET, {
    count: 60,
    seed: 3,
    endMs: harness.clock.now() - 1000,
    spanDays: 30
  })
  return harness
}

describe('token login', () => {
  it('a good token reads the profile and balances; the null balance is re-queried as documented', async () => {
    h = await setup()
    const token = h.emu.admin.createToken({ wallet: WALLET })
    const { client, transport } = makeClient(h, token)
    const p = await client.profile()
    expect(p.authInfo?.personId).toBe(WALLET)
    expect(p.contractInfo?.identificationInfo[0]?.identificationLevel).toBe('VERIFIED')
    const acc = await client.balances(WALLET)
    const usd = acc.find((a) => a.currency === '840')
    expect(usd?.balance).toEqual({ amount: '123.45', kopecks: 12345, currency: '840' })
    expect(acc.find((a) => a.currency === '643' && a.hasBalance)?.balance?.kopecks).toBe(500_000)
    expect(acc.find((a) => a.alias === 'mc_beeline_rub')?.balance).toBeNull()
    const requery = transport.sent.find((r) => r.url.includes('timeout=1000'))
    expect(requery?.url).toContain('alias=qw_wallet_usd')
    expect(
      transport.sent.every(
        (r) => r.headers.Authorization === `Bearer ${token}` && r.headers.Accept === 'application/json'
      )
    ).toBe(true)
    client.close()
  })

  it('a bad token gets a typed 401', async () => {
    h = await setup()
    const { client } = makeClient(h, 'not-a-real-token-123')
    const err = (await client.profile().catch((e: unknown) => e)) as PersonalApiError
    expect(err).toBeInstanceOf(PersonalApiError)
    expect(err.kind).toBe('unauthorized')
    expect(err.httpStatus).toBe(401)
    expect(err.code).toBe('unauthorized')
    client.close()
  })

  it('a token without a permission gets a typed 403 for that call only', async () => {
    h = await setup()
    const token = h.emu.admin.createToken({ wallet: WALLET, scopes: ['profile', 'history'] })
    const { client } = makeClient(h, token)
    await expect(client.balances(WALLET)).rejects.toMatchObject({ kind: 'forbidden', httpStatus: 403 })
    await expect(client.profile()).resolves.toBeTruthy()
    const r = await client.transferToWallet({
      clientId: '1700000000000',
      account: `+${RECIPIENT}`,
      amountKopecks: 100
    })
    expect(r.status).toBe('rejected')
    expect(h.emu.admin.transfers()).toHaveLength(0)
    client.close()
  })

  it('another wallet in the path is refused even with every permission', async () => {
    h = await setup()
    const token = h.emu.admin.createToken({ wallet: WALLET })
    const { client } = makeClient(h, token)
    await expect(client.balances(RECIPIENT)).rejects.toMatchObject({ kind: 'forbidden' })
    client.close()
  })

  it('probes each permission without making a payment', async () => {
    h = await setup()
    const partial = h.emu.admin.createToken({ wallet: WALLET, scopes: ['profile', 'history'] })
    const full = h.emu.admin.createToken({ wallet: WALLET })
    const noProfile = h.emu.admin.createToken({ wallet: WALLET, scopes: ['balance', 'payments'] })
    const r1 = await makeClient(h, partial).client.probePermissions()
    expect(r1).toMatchObject({
      tokenValid: true,
      wallet: WALLET,
      profile: { state: 'granted' },
      balance: { state: 'missing' },
      history: { state: 'granted' },
      payments: { state: 'missing' }
    })
    const r2 = await makeClient(h, full).client.probePermissions()
    expect([r2.profile.state, r2.balance.state, r2.history.state, r2.payments.state]).toEqual([
      'granted',
      'granted',
      'granted',
      'granted'
    ])
    const r3 = await makeClient(h, noProfile).client.probePermissions(WALLET)
    expect([r3.profile.state, r3.balance.state, r3.history.state, r3.payments.state]).toEqual([
      'missing',
      'granted',
      'missing',
      'granted'
    ])
    const r4 = await makeClient(h, 'bogus-token-000').client.probePermissions(WALLET)
    expect(r4.tokenValid).toBe(false)
    expect(r4.profile.state).toBe('error')
    expect(r4.profile.error?.kind).toBe('unauthorized')
    expect(h.emu.admin.transfers()).toHaveLength(0)
    expect(h.emu.admin.requestLog({ route: 'payment' })).toHaveLength(0)
  })
})

describe('CAS login (seed 002)', () => {
  it('Token <ST> header: login → TGT → a fresh ST per request', async () => {
    h = await setup()
    const transport = createNodeTransport()
    const cas = new CasSession({ login: WALLET, password: 'correct horse', transport, casBaseUrl: h.url })
    const { client } = makeClient(h, cas)
    const page = await client.historyPage(WALLET, {
      rows: 5,
      startDate: new Date(h.clock.now() - 10 * DAY),
      endDate: new Date(h.clock.now())
    })
    expect(page.data.length).toBeGreaterThan(0)
    const acc = await client.balancesV1(WALLET)
    expect(acc.find((a) => a.currency === '643')?.balance?.kopecks).toBe(500_000)
    const v1 = await client.historyPageV1(WALLET, {
      rows: 5,
      startDate: new Date(h.clock.now() - 10 * DAY),
      endDate: new Date(h.clock.now())
    })
    expect(v1.data.map((d) => d.txnId)).toEqual(page.data.map((d) => d.txnId))
    const tot = await client.totalsV1(WALLET, {
      startDate: new Date(h.clock.now() - 30 * DAY),
      endDate: new Date(h.clock.now())
    })
    expect(tot.incomingTotal.length + tot.outgoingTotal.length).toBeGreaterThan(0)
    expect(h.emu.admin.requestLog({ route: 'cas-tgt' })).toHaveLength(1)
    expect(h.emu.admin.requestLog({ route: 'cas-st' })).toHaveLength(4)
    await cas.logout()
    expect(cas.loggedIn).toBe(false)
    client.close()
    transport.close?.()
  })

  it('ST <Base64(ST:service)> header works with its service; a ticket for another service is refused', async () => {
    h = await setup()
    const transport = createNodeTransport()
    const cas = new CasSession({
      login: WALLET,
      password: 'correct horse',
      transport,
      casBaseUrl: h.url,
      headerScheme: 'st-base64'
    })
    expect(cas.service).toBe(CAS_DEFAULTS.stBase64Service)
    const { client, transport: rec } = makeClient(h, cas)
    const p = await client.historyPage(WALLET, {
      rows: 3,
      startDate: new Date(h.clock.now() - 10 * DAY),
      endDate: new Date(h.clock.now())
    })
    expect(p.data).toHaveLength(3)
    const auth = rec.sent[0]?.headers.Authorization ?? ''
    expect(auth).toMatch(/^ST [A-Za-z0-9+/]+=*$/)
    expect(Buffer.from(auth.slice(3), 'base64').toString()).toMatch(
      /^ST-[^:]+:https:\/\/qiwi\.com\/j_cas_security_check$/
    )
    // An ST issued for the qiwi.com web service is not valid on edge.
    const wrong = new CasSession({
      login: WALLET,
      password: 'correct horse',
      transport,
      casBaseUrl: h.url,
      service: CAS_DEFAULTS.webService
    })
    const { client: c2 } = makeClient(h, wrong)
    await expect(c2.historyPage(WALLET, { rows: 1 })).rejects.toMatchObject({ kind: 'unauthorized' })
    client.close()
    c2.close()
    transport.close?.()
  })

  it('a wrong password is a typed CAS login failure', async () => {
    h = await setup()
    const transport = createNodeTransport()
    const cas = new CasSession({ login: WALLET, password: 'wrong', transport, casBaseUrl: h.url })
    await expect(cas.loginNow()).rejects.toMatchObject({
      kind: 'cas-login-failed',
      code: 'credential-invalid'
    })
    const { client } = makeClient(h, cas)
    await expect(client.profile()).rejects.toMatchObject({ kind: 'cas-login-failed', requestSent: false })
    transport.close?.()
    client.close()
  })

  it('re-logs in when the TGT expired (2 h idle)', async () => {
    h = await setup()
    const transport = createNodeTransport()
    const cas = new CasSession({ login: WALLET, password: 'correct horse', transport, casBaseUrl: h.url })
    const { client } = makeClient(h, cas)
    await client.profile()
    h.clock.t += 3 * 3_600_000
    await client.profile()
    expect(h.emu.admin.requestLog({ route: 'cas-tgt' })).toHaveLength(2)
    transport.close?.()
    client.close()
  })

  it('legacy qiwi.com web session: transfer through proxy.action appears in history with its client id', async () => {
    h = await setup()
    const transport = createNodeTransport()
    const cas = new CasSession({ login: WALLET, password: 'correct horse', transport, casBaseUrl: h.url })
    const web = new LegacyWebSession({ cas, transport, webBaseUrl: h.url })
    const r = await web.transferToWallet({
      clientId: '11111111111111',
      account: `+${RECIPIENT}`,
      amountKopecks: 10_000,
      comment: 'test'
    })
    expect(r.status).toBe('accepted')
    if (r.status !== 'accepted') return
    expect(r.payment.id).toBe('11111111111111')
    expect(r.payment.fields.account).toBe(RECIPIENT.slice(1))
    const t = h.emu.admin.transfers({ clientId: '11111111111111' })
    expect(t).toHaveLength(1)
    expect(t[0]).toMatchObject({ via: 'legacy-web', kopecks: 10_000, toAccount: `+${RECIPIENT}` })
    const { client } = makeClient(h, cas)
    const found = await client.findTransferByClientId(WALLET, '11111111111111', new Date(h.clock.now()))
    expect(found?.txnId).toBe(r.payment.transactionId)
    expect(h.emu.admin.balance(RECIPIENT, 'RUB')).toBe(10_000)
    transport.close?.()
    client.close()
  })
})
