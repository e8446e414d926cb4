/** Ledger behaviour over real HTTP: idempotency, 215, debit/refund, wallets, life cycle with an injected clock. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../electron/core/sandbox/clock'
import { startSandbox, type Sandbox } from '../../../electron/core/sandbox/sandbox'
import type { PaymentRecord, TopupAdmin } from '../../../electron/core/sandbox/topup/emulator'
import { get, okBody, parseReply, post, text, type Doc } from './helpers'

let sb: Sandbox
let admin: TopupAdmin
const clock = new ManualClock(Date.UTC(2024, 4, 10, 7, 0, 0))
const T = '10001'
const PW = 'demo-pass-10001'

beforeAll(async () => {
  sb = await startSandbox({ clock, tls: false, personal: false, processingMs: 600_000 })
  admin = sb.admin.topup
})
afterAll(async () => {
  await sb.close()
})
beforeEach(() => {
  admin.reset()
})

interface Pay {
  num: string
  amount?: string
  account?: string
  service?: string
  extras?: string
}

function payXml(p: Pay): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<request><request-type>pay</request-type><terminal-id>${T}</terminal-id>` +
    `<extra name="password">${PW}</extra><extra name="income_wire_transfer">0</extra><auth><payment>` +
    `<transaction-number>${p.num}</transaction-number><from><ccy>RUB</ccy></from><to><amount>${p.amount ?? '100.00'}</amount>` +
    `<ccy>RUB</ccy><service-id>${p.service ?? '99'}</service-id><account-number>${p.account ?? '79181234567'}</account-number>${p.extras ?? ''}</to>` +
    '</payment></auth></request>\n'
  )
}

const simple = (type: string, extras = ''): string =>
  `<request><request-type>${type}</request-type><terminal-id>${T}</terminal-id><extra name="password">${PW}</extra>${extras}</request>`

async function xml(body: string): Promise<Doc> {
  return parseReply(okBody(await post(sb.topupOrigin, '/xml/topup.jsp', body)))
}

async function pay(p: Pay): Promise<Record<string, string>> {
  return get(await xml(payXml(p)), 'response', 'payment', 0) as Record<string, string>
}

async function status(num: string): Promise<Record<string, string> | undefined> {
  const doc = await xml(
    `<request><request-type>pay</request-type><terminal-id>${T}</terminal-id><extra name="password">${PW}</extra>` +
      `<status><payment><transaction-number>${num}</transaction-number><to><account-number>79181234567</account-number></to></payment></status></request>`
  )
  return get(doc, 'response', 'payment', 0) as Record<string, string> | undefined
}

async function rubBalance(): Promise<string | undefined> {
  const doc = await xml(simple('ping'))
  const list = get(doc, 'response', 'balances', 'balance') as Array<Record<string, string>>
  return list.find((b) => b['@_code'] === '643')?.['#text']
}

async function adminJson<T>(
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; json: T }> {
  const r = await fetch(`${sb.topupOrigin}/__admin/${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
  return { status: r.status, json: (await r.json()) as T }
}

describe('idempotency', () => {
  it('the same number twice is one payment, debited once', async () => {
    const before = await rubBalance()
    const a = await pay({ num: '1001', amount: '250.00' })
    const b = await pay({ num: '1001', amount: '250.00' })
    expect(b['@_txn_id']).toBe(a['@_txn_id'])
    expect(b['@_txn-date']).toBe(a['@_txn-date'])
    const { json } = await adminJson<PaymentRecord>('GET', `payments/${T}/1001`)
    expect(json).toMatchObject({ registrations: 1, payRequests: 2, debited: '250.00' })
    expect(Number(before) - Number(await rubBalance())).toBeCloseTo(250, 5)
  })

  it('the same number with different details gets payment result 215; the original is untouched', async () => {
    await pay({ num: '1002', amount: '10.00' })
    const r = await pay({ num: '1002', amount: '11.00' })
    expect(r['@_result-code']).toBe('215')
    expect(r['@_fatal-error']).toBe('true')
    const rec = admin.getPayment(T, '1002')
    expect(rec).toMatchObject({ amount: '10.00', payRequests: 1, mismatchedPayRequests: 1, final: false })
  })
})

describe('life cycle with an injected clock', () => {
  it('accepted 50 → 52 → final 60; the wallet is credited only at the end', async () => {
    const w0 = admin.getWallet('79181234567')?.accounts['643']
    const p = await pay({ num: '2001', amount: '100.00' })
    expect(p).toMatchObject({ '@_status': '50', '@_final-status': 'false', '@_result-code': '0' })
    expect(p['@_txn_id']).not.toBe('')
    clock.advance(300_000)
    expect((await status('2001'))?.['@_status']).toBe('52')
    expect(admin.getWallet('79181234567')?.accounts['643']).toBe(w0)
    clock.advance(300_000)
    const s = await status('2001')
    expect(s).toMatchObject({ '@_status': '60', '@_final-status': 'true', '@_txn_id': p['@_txn_id'] })
    expect(Number(admin.getWallet('79181234567')?.accounts['643'])).toBeCloseTo(Number(w0) + 100, 5)
    expect(admin.getPayment(T, '2001')).toMatchObject({ statusRequests: 2, statusIntervalViolations: 1 })
  })

  it('the admin clock (HTTP) moves time for the sandbox too', async () => {
    await pay({ num: '2002' })
    const r = await adminJson<{ ms: number }>('POST', 'clock/advance', { ms: 600_000 })
    expect(r.status).toBe(200)
    expect(r.json.ms).toBe(clock.now() + 600_000)
    expect((await status('2002'))?.['@_status']).toBe('60')
  })

  it('a final failure (> 100) returns the money to the agent balance', async () => {
    const before = Number(await rubBalance())
    await adminJson('PUT', 'rules', [
      { match: { account: '79181234567' }, outcome: { phase: 'fail', status: 160, resultCode: 300 } }
    ])
    await pay({ num: '2003', amount: '40.00' })
    expect(Number(await rubBalance())).toBeCloseTo(before - 40, 5)
    clock.advance(600_000)
    const s = await status('2003')
    expect(s).toMatchObject({ '@_status': '160', '@_final-status': 'true', '@_result-code': '300' })
    expect(Number(await rubBalance())).toBeCloseTo(before, 5)
    expect(admin.getPayment(T, '2003')).toMatchObject({ refunded: true, credited: false })
  })

  it('hold / finalize / release through the admin HTTP API', async () => {
    await pay({ num: '2004' })
    expect(
      (await adminJson<PaymentRecord>('POST', `payments/${T}/2004/hold`, { status: 10 })).json.held
    ).toBe(true)
    clock.advance(86_400_000)
    expect((await status('2004'))?.['@_status']).toBe('10')
    const fin = await adminJson<PaymentRecord>('POST', `payments/${T}/2004/finalize`, {
      outcome: 'fail',
      status: 151,
      resultCode: 300
    })
    expect(fin.json).toMatchObject({ status: 151, final: true, refunded: true })
    expect((await adminJson('POST', `payments/${T}/2004/finalize`, {})).status).toBe(409)
    await pay({ num: '2005' })
    await adminJson('POST', `payments/${T}/2005/hold`, {})
    const rel = await adminJson<PaymentRecord>('POST', `payments/${T}/2005/release`, { inMs: 0 })
    expect(rel.json).toMatchObject({ status: 60, final: true })
  })
})

describe('balances and wallets', () => {
  it('220 when the agent balance is short; nothing debited', async () => {
    await adminJson('POST', `terminals/${T}/balances`, { ccy: 'RUB', amount: '50.00' })
    const p = await pay({ num: '3001', amount: '50.01' })
    expect(p).toMatchObject({ '@_result-code': '220', '@_final-status': 'true', '@_status': '150' })
    expect(await rubBalance()).toBe('50.00')
  })

  it('a missing wallet: check-user 0, check-deposit possible, pay creates it, check-user 1', async () => {
    const phone = sb.demo.topup.wallets.missing
    const cu = simple('check-user', `<extra name="phone">${phone}</extra>`)
    expect(get(await xml(cu), 'response', 'exist')).toBe('0')
    const cd = await xml(
      simple(
        'check-deposit-possible',
        `<extra name="phone">${phone}</extra><extra name="income_wire_transfer">0</extra>`
      )
    )
    expect([get(cd, 'response', 'exist'), get(cd, 'response', 'deposit-possible')]).toEqual(['0', '1'])
    await pay({ num: '3002', account: phone })
    expect(get(await xml(cu), 'response', 'exist')).toBe('1')
    expect(admin.getWallet(phone)?.createdByPayment).toBe(true)
  })

  it('the demo wallets produce 319, 204, 702, 700 and a later failure; demo cards 300', async () => {
    const w = sb.demo.topup.wallets
    const c = sb.demo.topup.cards
    expect((await pay({ num: '3010', account: w.blocked }))['@_result-code']).toBe('319')
    expect((await pay({ num: '3011', account: w.anonymous }))['@_result-code']).toBe('204')
    expect((await pay({ num: '3012', account: w.balanceLimit, amount: '1000.01' }))['@_result-code']).toBe(
      '702'
    )
    expect((await pay({ num: '3013', account: w.monthlyLimit, amount: '5000.01' }))['@_result-code']).toBe(
      '700'
    )
    expect((await pay({ num: '3014', amount: '0.99' }))['@_result-code']).toBe('241')
    expect((await pay({ num: '3015', amount: '600000.01' }))['@_result-code']).toBe('242')
    expect((await pay({ num: '3016', account: '123' }))['@_result-code']).toBe('298')
    expect((await pay({ num: '3017', service: '34020', account: c.declined }))['@_result-code']).toBe('300')
    const unknown = await pay({ num: '3018', service: '34020', account: c.unknown })
    expect(unknown['@_status']).toBe('50')
    clock.advance(600_000)
    expect(await status('3018')).toMatchObject({ '@_status': '160', '@_result-code': '300' })
    const blocked = sb.demo.topup.blockedTerminal
    const bx = payXml({ num: '3019' })
      .replace(`<terminal-id>${T}</terminal-id>`, `<terminal-id>${blocked.terminalId}</terminal-id>`)
      .replace(PW, blocked.password)
    expect(get(await xml(bx), 'response', 'payment', 0, '@_result-code')).toBe('316')
    admin.upsertTerminal({ id: T, allowedServices: ['34020'] })
    expect((await pay({ num: '3020' }))['@_result-code']).toBe('155')
  })

  it('malformed requests get a fatal request-level 300 and register nothing', async () => {
    for (const body of [
      payXml({ num: '3030', amount: '100' }),
      payXml({ num: '003031' }),
      '<request>',
      'not xml',
      simple('transfer')
    ]) {
      const doc = await xml(body)
      expect(text(get(doc, 'response', 'result-code'))).toMatch(/^(300|150)$/)
    }
    expect(admin.listPayments({ terminalId: T })).toEqual([])
    const r = await post(sb.topupOrigin, '/xml/topup.jsp', 'x'.repeat(70_000))
    expect(r.kind === 'response' && r.status).toBe(413)
    const g = await fetch(`${sb.topupOrigin}/xml/topup.jsp`)
    expect(g.status).toBe(405)
    expect((await fetch(`${sb.topupOrigin}/other`, { method: 'POST', body: 'x' })).status).toBe(404)
  })
})
