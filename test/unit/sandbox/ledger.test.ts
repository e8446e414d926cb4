import { beforeEach, describe, expect, it } from 'vitest'
import { ManualClock, formatTxnDate } from '../../../electron/core/sandbox/clock'
import { TopupLedger, emptyState } from '../../../electron/core/sandbox/topup/ledger'
import type { TerminalState } from '../../../electron/core/sandbox/topup/model'
import { parseTopupRequest, type ParsedRequest } from '../../../electron/core/sandbox/topup/xml-request'

function parse(xml: string): ParsedRequest {
  const r = parseTopupRequest(Buffer.from(xml, 'utf8'))
  if (!r.ok) throw new Error(r.reason)
  return r.request
}

interface PayOpts {
  num: string
  service?: string
  account?: string
  amount?: string
  ccy?: string
  fromCcy?: string
  toExtras?: Record<string, string>
  iwt?: string | null
}

function payXml(o: PayOpts): ParsedRequest {
  const toExtras = Object.entries(o.toExtras ?? {})
    .map(([k, v]) => `<extra name="${k}">${v}</extra>`)
    .join('')
  const iwt = o.iwt === null ? '' : `<extra name="income_wire_transfer">${o.iwt ?? '1'}</extra>`
  return parse(
    `<request><request-type>pay</request-type><terminal-id>1</terminal-id><extra name="password">p</extra>${iwt}` +
      `<auth><payment><transaction-number>${o.num}</transaction-number><from><ccy>${o.fromCcy ?? 'RUB'}</ccy></from>` +
      `<to><amount>${o.amount ?? '100.00'}</amount><ccy>${o.ccy ?? 'RUB'}</ccy><service-id>${o.service ?? '99'}</service-id>` +
      `<account-number>${o.account ?? '79181234567'}</account-number>${toExtras}</to></payment></auth></request>`
  )
}

function statusXml(...nums: string[]): ParsedRequest {
  const ps = nums
    .map(
      (n) =>
        `<payment><transaction-number>${n}</transaction-number><to><account-number>1</account-number></to></payment>`
    )
    .join('')
  return parse(
    `<request><request-type>pay</request-type><terminal-id>1</terminal-id><status>${ps}</status></request>`
  )
}

let clock: ManualClock
let ledger: TopupLedger
let t: TerminalState

beforeEach(() => {
  clock = new ManualClock(Date.UTC(2024, 0, 15, 9, 0, 0))
  ledger = new TopupLedger(emptyState(), clock)
  ledger.setProcessingMs(10_000)
  t = ledger.upsertTerminal({ id: '1', password: 'p', balances: { RUB: '1000.00', USD: '100.00' } })
  ledger.upsertWallet({ phone: '79181234567', accounts: { RUB: '0.00' } })
})

function payOk(o: PayOpts) {
  const r = ledger.pay(t, payXml(o))
  if (r.kind !== 'payment') throw new Error(`expected a payment, got ${r.kind}`)
  return r.payment
}

describe('ledger life cycle', () => {
  it('debits on acceptance, goes 50 → 52 → 60 with the clock and credits the wallet', () => {
    const p = payOk({ num: '1', amount: '100.00' })
    expect(p.debitedKopecks).toBe(10_000)
    expect(t.balances['643']).toBe(90_000)
    expect(ledger.currentStatus(p)).toBe(50)
    expect(p.final).toBe(false)
    clock.advance(5_000)
    expect(ledger.currentStatus(p)).toBe(52)
    clock.advance(4_999)
    expect(ledger.settle()).toBe(false)
    expect(p.final).toBe(false)
    clock.advance(1)
    expect(ledger.settle()).toBe(true)
    expect(p.final).toBe(true)
    expect(p.status).toBe(60)
    expect(ledger.wallet('79181234567')?.accounts['643']).toBe(10_000)
    expect(t.balances['643']).toBe(90_000)
    expect(ledger.view(p, { withDetails: true, withExtras: false })).toMatchObject({
      status: 60,
      final: true,
      resultCode: 0,
      txnDate: formatTxnDate(Date.UTC(2024, 0, 15, 9, 0, 0))
    })
  })

  it('processingMs 0 makes the first reply final', () => {
    ledger.setProcessingMs(0)
    const p = payOk({ num: '2' })
    expect(p.final).toBe(true)
    expect(p.status).toBe(60)
  })

  it('formats txn-date as dd.MM.yyyy HH:mm:ss Moscow time', () => {
    expect(formatTxnDate(Date.UTC(2011, 2, 2, 11, 35, 46))).toBe('02.03.2011 14:35:46')
    expect(formatTxnDate(Date.UTC(2023, 11, 31, 22, 0, 0))).toBe('01.01.2024 01:00:00')
  })

  it('a fail rule debits, then refunds at the final failure', () => {
    ledger.setRules([
      { match: { account: '79181234567' }, outcome: { phase: 'fail', status: 160, resultCode: 300 } }
    ])
    const p = payOk({ num: '3', amount: '250.00' })
    expect(t.balances['643']).toBe(75_000)
    clock.advance(10_000)
    ledger.settle()
    expect(p).toMatchObject({ final: true, status: 160, resultCode: 300, refunded: true, credited: false })
    expect(t.balances['643']).toBe(100_000)
    expect(ledger.wallet('79181234567')?.accounts['643']).toBe(0)
  })

  it('hold keeps a payment non-final until finalize; finalize can force a failure with any code', () => {
    ledger.setRules([{ match: { service: '99' }, outcome: { phase: 'hold', status: 10 } }])
    const p = payOk({ num: '4' })
    clock.advance(86_400_000)
    ledger.settle()
    expect(p.final).toBe(false)
    expect(ledger.currentStatus(p)).toBe(10)
    ledger.finalize('1', '4', { outcome: 'fail', status: 151, resultCode: 300 })
    expect(p).toMatchObject({ final: true, status: 151, refunded: true })
    expect(t.balances['643']).toBe(100_000)
    expect(() => ledger.finalize('1', '4')).toThrow(/already final/)
  })

  it('release after hold schedules the planned outcome', () => {
    const p = payOk({ num: '5' })
    ledger.hold('1', '5', 52)
    clock.advance(60_000)
    ledger.settle()
    expect(ledger.currentStatus(p)).toBe(52)
    ledger.release('1', '5', 1000)
    clock.advance(1000)
    ledger.settle()
    expect(p.status).toBe(60)
  })
})

describe('ledger idempotency', () => {
  it('the same number with the same details is one payment', () => {
    const a = payOk({ num: '10', amount: '10.00' })
    const r = ledger.pay(t, payXml({ num: '10', amount: '10.00' }))
    expect(r.kind).toBe('payment')
    if (r.kind === 'payment') {
      expect(r.payment).toBe(a)
      expect(r.repeated).toBe(true)
    }
    expect(a.payRequests).toBe(2)
    expect(a.registrations).toBe(1)
    expect(t.balances['643']).toBe(99_000)
    expect(Object.keys(ledger.state.payments)).toHaveLength(1)
  })

  it('the same number with other details gets 215 and leaves the payment alone', () => {
    const a = payOk({ num: '11', amount: '10.00' })
    for (const other of [
      { amount: '10.01' },
      { account: '79181234568' },
      { service: '34020', account: '4265111122334411' },
      { ccy: 'USD' }
    ]) {
      const r = ledger.pay(t, payXml({ num: '11', amount: '10.00', ...other }))
      expect(r.kind).toBe('mismatch')
    }
    expect(a.mismatchedPayRequests).toBe(4)
    expect(a.payRequests).toBe(1)
    expect(t.balances['643']).toBe(99_000)
    expect(ledger.mismatchView('11')).toMatchObject({
      resultCode: 215,
      final: true,
      fatalError: true,
      txnId: ''
    })
  })

  it('a declined payment is registered too: repeating it gives the same decline, no debit', () => {
    const p = payOk({ num: '12', amount: '0.50' })
    expect(p).toMatchObject({ final: true, status: 150, resultCode: 241, debitedKopecks: 0 })
    const again = payOk({ num: '12', amount: '0.50' })
    expect(again).toBe(p)
    expect(p.payRequests).toBe(2)
    expect(t.balances['643']).toBe(100_000)
  })
})

describe('ledger: every documented payment code on purpose', () => {
  const cases: Array<[string, () => void, PayOpts, number]> = [
    [
      '155 service not allowed',
      () => ledger.upsertTerminal({ id: '1', allowedServices: ['34020'] }),
      { num: '20' },
      155
    ],
    ['316 blocked agent', () => ledger.upsertTerminal({ id: '1', blocked: true }), { num: '21' }, 316],
    ['241 below minimum', () => undefined, { num: '22', amount: '0.99' }, 241],
    [
      '242 above maximum',
      () => ledger.setLimits({ service: '99', max: '500.00' }),
      { num: '23', amount: '500.01' },
      242
    ],
    ['298 invalid phone', () => undefined, { num: '24', account: '12345' }, 298],
    [
      '319 blocked wallet',
      () => ledger.upsertWallet({ phone: '79181234567', blocked: true }),
      { num: '25' },
      319
    ],
    [
      '204 identification too low',
      () => ledger.upsertWallet({ phone: '79181234567', identification: 'anonymous' }),
      { num: '26' },
      204
    ],
    [
      '702 wallet balance limit',
      () =>
        ledger.upsertWallet({ phone: '79181234567', accounts: { RUB: '950.00' }, balanceLimit: '1000.00' }),
      { num: '27', amount: '50.01' },
      702
    ],
    [
      '700 monthly limit',
      () => ledger.upsertWallet({ phone: '79181234567', monthlyLimit: '50.00' }),
      { num: '28', amount: '50.01' },
      700
    ],
    ['220 agent balance', () => ledger.setBalance('1', 'RUB', '99.99'), { num: '29', amount: '100.00' }, 220],
    ['220 no account in from/ccy', () => undefined, { num: '30', fromCcy: 'EUR' }, 220],
    [
      '300 by a decline rule',
      () =>
        ledger.setRules([
          { match: { accountPrefix: '7918' }, outcome: { phase: 'decline', resultCode: 300 } }
        ]),
      { num: '31' },
      300
    ],
    [
      '300 card format (card payout to a phone)',
      () => undefined,
      { num: '32', service: '34020', account: '79181234567' },
      300
    ],
    ['300 SBP without bankId', () => undefined, { num: '33', service: '38413', account: '70070310009' }, 300]
  ]
  for (const [name, setup, o, code] of cases) {
    it(name, () => {
      setup()
      const p = payOk(o)
      expect(p.final).toBe(true)
      expect(p.resultCode).toBe(code)
      expect(p.status).toBeGreaterThan(100)
      expect(p.debitedKopecks).toBe(0)
    })
  }

  it('700 counts this month only', () => {
    ledger.setProcessingMs(0)
    ledger.upsertWallet({ phone: '79181234567', monthlyLimit: '100.00' })
    expect(payOk({ num: '40', amount: '100.00' }).status).toBe(60)
    expect(payOk({ num: '41', amount: '1.00' }).resultCode).toBe(700)
    clock.set(Date.UTC(2024, 1, 1, 9, 0, 0))
    expect(payOk({ num: '42', amount: '1.00' }).status).toBe(60)
  })

  it('a rule with `times` applies only that many times', () => {
    ledger.setRules([{ match: {}, outcome: { phase: 'decline', resultCode: 300 }, times: 1 }])
    expect(payOk({ num: '43' }).resultCode).toBe(300)
    expect(payOk({ num: '44' }).resultCode).toBe(0)
  })

  it('request-level errors for malformed payments', () => {
    const bad: PayOpts[] = [
      { num: '0' },
      { num: '012' },
      { num: '123456789012345678901' },
      { num: '50', amount: '100' },
      { num: '51', amount: '100.5' },
      { num: '52', ccy: 'XXX' },
      { num: '53', iwt: null },
      { num: '54', iwt: '2' }
    ]
    for (const o of bad) {
      const r = ledger.pay(t, payXml(o))
      expect(r.kind, JSON.stringify(o)).toBe('request-error')
    }
    expect(Object.keys(ledger.state.payments)).toHaveLength(0)
  })

  it('accepts a 20-digit transaction-number exactly', () => {
    const n = '98765432109876543210'
    expect(payOk({ num: n }).transactionNumber).toBe(n)
  })

  it('converts currencies at fixed rates and adds the terminal fee', () => {
    ledger.upsertTerminal({ id: '1', feeBp: 150 })
    const p = payOk({ num: '60', amount: '100.00' })
    expect(p.fromAmountKopecks).toBe(10_150)
    const usd = payOk({ num: '61', amount: '9.00', fromCcy: 'USD' })
    // 9.00 RUB at 90 RUB/USD = 0.10 USD, + 1.5 % fee rounded up = 0.11 USD
    expect(usd.fromCcy).toBe('840')
    expect(usd.fromAmountKopecks).toBe(11)
  })
})

describe('ledger: status, checks, provider', () => {
  it('status returns found payments only and counts requests and pacing violations', () => {
    payOk({ num: '70' })
    const r1 = ledger.status(t, statusXml('70', '71'))
    expect(r1.ok && r1.found.map((p) => p.transactionNumber)).toEqual(['70'])
    clock.advance(599_999)
    ledger.status(t, statusXml('70'))
    clock.advance(600_000)
    ledger.status(t, statusXml('70'))
    const p = ledger.payment('1', '70')
    expect(p?.statusRequests).toBe(3)
    expect(p?.statusIntervalViolations).toBe(1)
  })

  it('check-user and check-deposit-possible agree with the wallets', () => {
    const cu = (phone: string, ccy?: string) =>
      ledger.checkUser(
        parse(
          `<request><request-type>check-user</request-type><terminal-id>1</terminal-id><extra name="phone">${phone}</extra>${ccy ? `<extra name="ccy">${ccy}</extra>` : ''}</request>`
        )
      )
    const cd = (phone: string) =>
      ledger.checkDeposit(
        parse(
          `<request><request-type>check-deposit-possible</request-type><terminal-id>1</terminal-id><extra name="phone">${phone}</extra><extra name="income_wire_transfer">1</extra></request>`
        )
      )
    expect(cu('79181234567')).toEqual({ ok: true, exist: true })
    expect(cu('79181234567', 'USD')).toEqual({ ok: true, exist: false })
    expect(cu('79990000099')).toEqual({ ok: true, exist: false })
    expect(cd('79990000099')).toMatchObject({ exist: false, possible: true, rc: { code: 0 } })
    ledger.setProcessingMs(0)
    payOk({ num: '80', account: '79990000099' })
    expect(ledger.wallet('79990000099')?.createdByPayment).toBe(true)
    expect(cu('79990000099')).toEqual({ ok: true, exist: true })
    ledger.upsertWallet({ phone: '79990000001', identification: 'anonymous' })
    expect(cd('79990000001')).toMatchObject({ exist: true, possible: false, rc: { code: 204, fatal: true } })
    ledger.upsertWallet({ phone: '79990000002', blocked: true })
    expect(cd('79990000002')).toMatchObject({ exist: true, possible: false, rc: { code: 0 } })
  })

  it('provider lookup uses the longest prefix', () => {
    ledger.setProviders({ '91': '1', '916': '42' })
    const q = (n: string) =>
      ledger.provider(
        parse(
          `<request><request-type>get-provider-by-phone-number</request-type><terminal-id>1</terminal-id><phonenumber>${n}</phonenumber></request>`
        )
      )
    expect(q('9161234567')).toEqual({ ok: true, id: '42' })
    expect(q('9171234567')).toEqual({ ok: true, id: '1' })
    expect(q('8001234567')).toMatchObject({ ok: false, rc: { code: 300 } })
    expect(q('79161234567')).toMatchObject({ ok: false })
  })
})
