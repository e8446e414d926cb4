/**
 * The Top-Up client (electron/core/topup) against the sandbox over real HTTP and
 * mutual TLS: every request type and product, all three auth modes, and the
 * client's classification of each injected fault. Both sides were written
 * independently from the spec; this is where they meet.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../electron/core/sandbox/clock'
import { startSandbox, type Sandbox } from '../../../electron/core/sandbox/sandbox'
import type { TopupAdmin } from '../../../electron/core/sandbox/topup/emulator'
import type { ScriptedFaultInput } from '../../../electron/core/sandbox/topup/model'
import {
  createTopupClient,
  type PayDetails,
  type PayOutcome,
  type TopupAuth,
  type TopupClient,
  type TopupEndpointConfig
} from '../../../electron/core/topup/index'

let sb: Sandbox
let admin: TopupAdmin
const clock = new ManualClock(Date.UTC(2024, 6, 1, 8, 0, 0))
let num = 5_000_000

beforeAll(async () => {
  sb = await startSandbox({ clock, personal: false, processingMs: 0 })
  admin = sb.admin.topup
})
afterAll(async () => {
  await sb.close()
})
beforeEach(() => {
  admin.reset()
  admin.setProcessingMs(0)
})

function client(auth?: TopupAuth, endpoint?: Partial<TopupEndpointConfig>): TopupClient {
  const a: TopupAuth = auth ?? {
    mode: 'password',
    terminalId: sb.demo.topup.password.terminalId,
    password: sb.demo.topup.password.password
  }
  const r = createTopupClient({
    endpoint: { origin: sb.topupOrigin, totalTimeoutMs: 5000, ...endpoint },
    auth: a,
    allowForeignCard: true
  })
  if (!r.ok) throw new Error(`client: ${r.error.message}`)
  return r.value
}

async function payOutcome(c: TopupClient, d: PayDetails): Promise<PayOutcome> {
  const r = await c.pay(d)
  if (!r.ok) throw new Error(`pay not sent: ${r.error.message}`)
  return r.value.outcome
}

async function statusOutcome(
  c: TopupClient,
  transactionNumber: string,
  accountNumber: string
): Promise<PayOutcome> {
  const r = await c.status({ transactionNumber, accountNumber })
  if (!r.ok) throw new Error(`status not sent: ${r.error.message}`)
  return r.value.outcome
}

const wallet = (over: Partial<Extract<PayDetails, { service: 'wallet' }>> = {}): PayDetails => ({
  service: 'wallet',
  transactionNumber: String(++num),
  amountKopecks: 10_000,
  accountNumber: '79181234567',
  incomeWireTransfer: true,
  ...over
})

describe('every request type and product with password auth', () => {
  it('check-deposit, check-user, ping, get-provider', async () => {
    const c = client()
    const cd = await c.checkDeposit({ phone: '79181234567', incomeWireTransfer: true })
    expect(cd.ok && cd.value.outcome).toMatchObject({ kind: 'possible', exist: true, depositPossible: true })
    const cdNo = await c.checkDeposit({ phone: sb.demo.topup.wallets.anonymous, incomeWireTransfer: true })
    expect(cdNo.ok && cdNo.value.outcome.kind).toBe('impossible')
    const cdMissing = await c.checkDeposit({
      phone: sb.demo.topup.wallets.missing,
      incomeWireTransfer: false
    })
    expect(cdMissing.ok && cdMissing.value.outcome).toMatchObject({ kind: 'possible', exist: false })
    const cu = await c.checkUser({ phone: sb.demo.topup.wallets.missing })
    expect(cu.ok && cu.value.outcome).toMatchObject({ ok: true, value: { exist: false } })
    const ping = await c.ping()
    expect(ping.ok && ping.value.outcome).toMatchObject({
      ok: true,
      value: { balances: { '643': '1000000.00', '840': '10000.00' } }
    })
    const gp = await c.getProvider({ phoneNumber: '9161234567' })
    expect(gp.ok && gp.value.outcome).toMatchObject({ ok: true, value: { providerId: '42' } })
  })

  it('wallet, card, card-spec, foreign card, SBP and mobile payouts end in final-success', async () => {
    const c = client()
    const details: PayDetails[] = [
      wallet({ comment: 'Тест <&> "кавычки"' }),
      {
        service: 'card',
        transactionNumber: String(++num),
        amountKopecks: 111_500,
        accountNumber: sb.demo.topup.cards.ok
      },
      {
        service: 'card-spec',
        transactionNumber: String(++num),
        amountKopecks: 111_500,
        accountNumber: '+79991112233',
        cardNumber: sb.demo.topup.cards.ok
      },
      {
        service: 'card-foreign',
        transactionNumber: String(++num),
        amountKopecks: 111_500,
        accountNumber: sb.demo.topup.cards.ok,
        sender: {
          firstName: 'Иван',
          lastName: 'Иванов',
          address: 'Можайское шоссе 38-2-46',
          city: 'Moscow',
          countryCode: 'RU',
          zipCode: '121354',
          resident: false,
          birthday: '16.12.1990'
        },
        comment: 'Перевод на карту',
        cardHolder: 'Petrov Petr'
      },
      {
        service: 'sbp',
        transactionNumber: String(++num),
        amountKopecks: 1_000_703,
        accountNumber: sb.demo.topup.sbp.ok,
        bankId: sb.demo.topup.sbp.bankId
      },
      {
        service: 'mobile',
        transactionNumber: String(++num),
        amountKopecks: 11_500,
        accountNumber: '79161234567',
        transit: { providerId: '42', account: '9161234567', sumKopecks: 11_500 }
      }
    ]
    for (const d of details) {
      const o = await payOutcome(c, d)
      expect(o, d.service).toMatchObject({
        kind: 'final-success',
        status: 60,
        transactionNumber: d.transactionNumber
      })
      expect(admin.getPayment(sb.demo.topup.password.terminalId, d.transactionNumber)).toMatchObject({
        final: true,
        status: 60
      })
    }
    expect(
      admin.getPayment(sb.demo.topup.password.terminalId, details[0]?.transactionNumber ?? '')?.extras[
        'to.comment'
      ]
    ).toBe('Тест <&> "кавычки"')
  })

  it('a non-final pay then a status after the clock moves; a repeated card pay yields rrn/billRegId', async () => {
    admin.setProcessingMs(600_000)
    const c = client()
    const card: PayDetails = {
      service: 'card',
      transactionNumber: String(++num),
      amountKopecks: 50_000,
      accountNumber: sb.demo.topup.cards.ok
    }
    expect(await payOutcome(c, card)).toMatchObject({ kind: 'not-final', status: 50 })
    clock.advance(600_000)
    expect(await statusOutcome(c, card.transactionNumber, card.accountNumber)).toMatchObject({
      kind: 'final-success',
      status: 60
    })
    const again = await payOutcome(c, card)
    expect(again.kind).toBe('final-success')
    expect(again.rrn).toMatch(/^\d{12}$/)
    expect(again.billRegId).toBeTruthy()
  })

  it('a final failure after processing, and declines', async () => {
    admin.setProcessingMs(600_000)
    const c = client()
    const card: PayDetails = {
      service: 'card',
      transactionNumber: String(++num),
      amountKopecks: 50_000,
      accountNumber: sb.demo.topup.cards.unknown
    }
    expect((await payOutcome(c, card)).kind).toBe('not-final')
    clock.advance(600_000)
    expect(await statusOutcome(c, card.transactionNumber, card.accountNumber)).toMatchObject({
      kind: 'final-failure',
      status: 160,
      resultCode: 300
    })
    expect(await payOutcome(c, wallet({ accountNumber: sb.demo.topup.wallets.blocked }))).toMatchObject({
      kind: 'final-failure',
      resultCode: 319
    })
    expect(await payOutcome(c, wallet({ amountKopecks: 99 }))).toMatchObject({
      kind: 'final-failure',
      resultCode: 241
    })
  })

  it('215: same number, other details — flagged as a duplicate mismatch, never a final failure', async () => {
    const c = client()
    const d = wallet()
    expect((await payOutcome(c, d)).kind).toBe('final-success')
    const o = await payOutcome(c, { ...d, amountKopecks: 20_000 } as PayDetails)
    expect(o.duplicateMismatch).toBe(true)
    expect(o.kind).not.toBe('final-failure')
    expect(o.kind).not.toBe('final-success')
  })

  it('an unknown payment in status is not-found', async () => {
    expect((await statusOutcome(client(), '999999999', '79181234567')).kind).toBe('not-found')
  })
})

describe('signature and certificate auth', () => {
  for (const algorithm of ['SHA1withRSA', 'MD5withRSA'] as const) {
    it(`signature mode (${algorithm}) pays with the demo key`, async () => {
      const s = sb.demo.topup.signature
      const c = client({
        mode: 'signature',
        terminalId: s.terminalId,
        privateKeyPem: readFileSync(s.privateKeyPath),
        algorithm
      })
      expect(await payOutcome(c, wallet())).toMatchObject({ kind: 'final-success' })
      const p = await c.ping()
      expect(p.ok && p.value.outcome.ok).toBe(true)
    })
  }

  it('certificate mode over mutual TLS with the exported PFX, CA and SPKI pin', async () => {
    const cert = sb.demo.topup.certificate
    const c = client(
      {
        mode: 'certificate',
        terminalId: cert.terminalId,
        password: cert.password,
        clientCert: { kind: 'pfx', pfx: readFileSync(cert.pfxPath), passphrase: cert.pfxPassphrase }
      },
      { origin: sb.topupTlsOrigin as string, ca: readFileSync(cert.caPath), spkiPins: [cert.serverSpkiPin] }
    )
    expect(await payOutcome(c, wallet())).toMatchObject({ kind: 'final-success' })
    const gp = await c.getProvider({ phoneNumber: '9031234567' })
    expect(gp.ok && gp.value.outcome).toMatchObject({ ok: true, value: { providerId: '2' } })
  })

  it('a wrong password is a fatal unknown (150), never a failure', async () => {
    const c = client({ mode: 'password', terminalId: sb.demo.topup.password.terminalId, password: 'wrong' })
    const o = await payOutcome(c, wallet())
    expect(o).toMatchObject({ kind: 'unknown', fatal: true, requestResultCode: 150 })
    const pin = await client(undefined, {
      origin: sb.topupTlsOrigin as string,
      ca: sb.demo.topup.certificate.caCertPem,
      spkiPins: ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']
    }).ping()
    expect(pin.ok && pin.value.outcome.ok).toBe(false)
  })
})

describe('faults as the client classifies them', () => {
  const cases: Array<[string, ScriptedFaultInput['fault'], PayOutcome['kind'], boolean]> = [
    ['reset before processing', { kind: 'reset-before' }, 'unknown', false],
    ['reset after processing', { kind: 'reset-after' }, 'unknown', true],
    ['hang past the deadline', { kind: 'hang' }, 'unknown', false],
    ['HTTP 502', { kind: 'http-status', status: 502 }, 'unknown', false],
    ['HTTP 500 after processing', { kind: 'http-status', status: 500, process: true }, 'unknown', true],
    ['empty body', { kind: 'empty-body', process: true }, 'unknown', true],
    ['truncated (Content-Length)', { kind: 'truncate-length' }, 'unknown', true],
    ['truncated (close-delimited)', { kind: 'truncate-close' }, 'unknown', true],
    ['malformed XML', { kind: 'malformed-xml', process: true }, 'unknown', true],
    ['request-level 13', { kind: 'request-error', code: 13 }, 'unknown', false],
    ['request-level 339', { kind: 'request-error', code: 339 }, 'unknown', false],
    ['temporary -1', { kind: 'temporary' }, 'not-registered', false]
  ]
  for (const [name, fault, kind, registered] of cases) {
    it(`${name} → ${kind}; a re-send pays exactly once`, async () => {
      const c = client(undefined, { totalTimeoutMs: 700 })
      const d = wallet()
      admin.enqueueFaults([{ match: { request: 'pay' }, fault }])
      const o = await payOutcome(c, d)
      expect(o.kind).toBe(kind)
      const t = sb.demo.topup.password.terminalId
      expect(admin.getPayment(t, d.transactionNumber) !== undefined).toBe(registered)
      const again = await payOutcome(c, d)
      expect(again.kind).toBe('final-success')
      expect(admin.getPayment(t, d.transactionNumber)).toMatchObject({
        registrations: 1,
        payRequests: registered ? 2 : 1
      })
      expect(admin.listPayments({ terminalId: t })).toHaveLength(1)
    })
  }

  it('status "not found" while the payment exists → not-found, then found', async () => {
    const c = client()
    const d = wallet()
    await payOutcome(c, d)
    admin.enqueueFaults([{ match: { request: 'status' }, fault: { kind: 'not-found' } }])
    expect((await statusOutcome(c, d.transactionNumber, d.accountNumber)).kind).toBe('not-found')
    expect((await statusOutcome(c, d.transactionNumber, d.accountNumber)).kind).toBe('final-success')
  })
})
