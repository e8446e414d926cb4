/**
 * The documented request vectors, byte-exact, against the sandbox over real
 * HTTP: every reply must be well-formed and carry the documented shape (the
 * element/attribute paths of the matching documented response) and meaning.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../electron/core/sandbox/clock'
import { startSandbox, type Sandbox } from '../../../electron/core/sandbox/sandbox'
import type { TopupAdmin } from '../../../electron/core/sandbox/topup/emulator'
import { TXN_DATE_RE, get, okBody, parseReply, post, shape, text, vector, type Doc } from './helpers'

let sb: Sandbox
let admin: TopupAdmin
const clock = new ManualClock(Date.UTC(2024, 2, 1, 9, 0, 0))

beforeAll(async () => {
  sb = await startSandbox({ clock, tls: false, personal: false, seed: 7 })
  admin = sb.admin.topup
})
afterAll(async () => {
  await sb.close()
})
beforeEach(() => {
  admin.reset()
  admin.setProcessingMs(0)
})

async function send(file: string, path = '/xml/topup.jsp'): Promise<{ xml: string; doc: Doc }> {
  const xml = okBody(await post(sb.topupOrigin, path, vector(file)))
  return { xml, doc: parseReply(xml) }
}

function expectShapeCovers(ours: Doc, documentedFile: string, ignore: string[] = []): void {
  const documented = [...shape(parseReply(vector(documentedFile).toString('utf8')))].filter(
    (p) => !ignore.includes(p)
  )
  const got = shape(ours)
  const missing = documented.filter((p) => !got.has(p))
  expect(missing, `paths of ${documentedFile} missing in the reply`).toEqual([])
}

function payment(doc: Doc, ...wrap: string[]): Record<string, unknown> {
  const p = get(doc, 'response', ...wrap, 'payment', 0)
  expect(p).toBeTypeOf('object')
  return p as Record<string, unknown>
}

const PAY_VECTORS: Array<{
  req: string
  resp: string
  service: string
  account: string
  amount: string
  masked?: string
  terminalPassword: string
}> = [
  {
    req: 'pay-wallet-request.xml',
    resp: 'pay-wallet-response.xml',
    service: '99',
    account: '79181234567',
    amount: '1115.00',
    terminalPassword: '***'
  },
  {
    req: 'pay-wallet-request.en.xml',
    resp: 'pay-wallet-response.xml',
    service: '99',
    account: '79181234567',
    amount: '1115.00',
    terminalPassword: '***'
  },
  {
    req: 'pay-card-request.xml',
    resp: 'pay-card-response.xml',
    service: '34020',
    account: '4265111122334411',
    masked: '4265********4411',
    amount: '1115.00',
    terminalPassword: '***'
  },
  {
    req: 'pay-card-spec-request.xml',
    resp: 'pay-card-spec-response.xml',
    service: '32911',
    account: '+79991112233',
    amount: '1115.00',
    terminalPassword: '***'
  },
  {
    req: 'pay-card-foreign-request.xml',
    resp: 'pay-card-foreign-response.xml',
    service: '36655',
    account: '4265111122334411',
    masked: '4265********4411',
    amount: '1115.00',
    terminalPassword: '***'
  },
  {
    req: 'pay-mobile-request.xml',
    resp: 'pay-mobile-response.xml',
    service: '29130',
    account: '7988111****',
    amount: '115.00',
    terminalPassword: '***'
  }
]

describe('pay vectors (services 99, 34020, 32911, 36655, 29130)', () => {
  for (const v of PAY_VECTORS) {
    it(`${v.req} → a final success shaped like ${v.resp}`, async () => {
      admin.upsertTerminal({
        id: '123',
        password: v.terminalPassword,
        balances: { RUB: '5000.00', USD: '12.20' }
      })
      const { doc } = await send(v.req)
      expectShapeCovers(doc, v.resp)
      expect(text(get(doc, 'response', 'result-code'))).toBe('0')
      const p = payment(doc)
      expect(p['@_status']).toBe('60')
      expect(p['@_final-status']).toBe('true')
      expect(p['@_fatal-error']).toBe('false')
      expect(p['@_result-code']).toBe('0')
      expect(p['@_transaction-number']).toBe('12345678')
      expect(p['@_txn_id']).toMatch(/^\d{1,20}$/)
      expect(p['@_txn-date']).toMatch(TXN_DATE_RE)
      expect(get(p, 'to', 'service-id')).toBe(v.service)
      expect(get(p, 'to', 'amount')).toBe(v.amount)
      expect(get(p, 'to', 'ccy')).toBe('643')
      expect(get(p, 'to', 'account-number')).toBe(v.masked ?? v.account)
      expect(get(p, 'from', 'amount')).toBe(v.amount)
      expect(get(p, 'from', 'ccy')).toBe('643')
      const balances = get(doc, 'response', 'balances', 'balance') as unknown[]
      const rub = balances.find((b) => (b as Record<string, string>)['@_code'] === '643')
      const expected = (500_000 - Math.round(Number(v.amount) * 100)) / 100
      expect(text(rub)).toBe(expected.toFixed(2))
      const rec = admin.getPayment('123', '12345678')
      expect(rec).toMatchObject({
        service: v.service,
        registrations: 1,
        payRequests: 1,
        final: true,
        status: 60
      })
    })
  }

  it('pay-sbp-request.xml → status 50 in a <payments> wrapper, no prolog, like pay-sbp-response.xml; final later', async () => {
    admin.setProcessingMs(60_000)
    admin.upsertTerminal({ id: '123', password: '***', balances: { RUB: '6786339.90' } })
    const { xml, doc } = await send('pay-sbp-request.xml')
    expect(xml.startsWith('<response>')).toBe(true)
    expectShapeCovers(doc, 'pay-sbp-response.xml')
    const p = payment(doc, 'payments')
    expect(p['@_status']).toBe('50')
    expect(p['@_final-status']).toBe('false')
    expect(p['@_message']).toBe('Ок')
    expect(get(p, 'to', 'amount')).toBe('10007.03')
    expect(text(get(doc, 'response', 'balances', 'balance', 0))).toBe('6776332.87')
    expect(text(get(doc, 'response', 'balances-ovd', 'balance-ovd'))).toBe('6776332.87')
    clock.advance(60_000)
    admin.upsertTerminal({ id: '123', password: 'XXXXXX' })
    const st = await send('status-request.xml')
    expect(get(payment(st.doc), '@_status')).toBe('60')
  })

  it('the repeated card pay after the final status carries rrn and billRegId extras', async () => {
    admin.upsertTerminal({ id: '123', password: '***', balances: { RUB: '5000.00' } })
    await send('pay-card-request.xml')
    const { doc } = await send('pay-card-request.xml')
    const extras = get(payment(doc), 'extra') as Array<Record<string, string>>
    const names = extras.map((e) => e['@_name'])
    expect(names).toEqual(['rrn', 'billRegId'])
    expect(extras[0]?.['#text']).toMatch(/^\d{12}$/)
    expect(admin.getPayment('123', '12345678')?.payRequests).toBe(2)
  })
})

describe('status vector', () => {
  it('status-request.xml finds the paid payment; shape of status-response.xml', async () => {
    admin.upsertTerminal({ id: '123', password: '***', balances: { RUB: '5000.00' } })
    await send('pay-wallet-request.xml')
    admin.upsertTerminal({ id: '123', password: 'XXXXXX' })
    const { doc } = await send('status-request.xml')
    // The docs' attribute is misspelt with a Cyrillic с; ours is spelt right by default.
    expectShapeCovers(doc, 'status-response.xml', ['response/payment/@result-\u0441ode'])
    const p = payment(doc)
    expect(p['@_result-code']).toBe('0')
    expect(p['@_status']).toBe('60')
    expect(p['@_txn_id']).toBe(admin.getPayment('123', '12345678')?.txnId)
    expect(get(p, 'from')).toBeUndefined()
    expect(admin.getPayment('123', '12345678')?.statusRequests).toBe(1)
  })

  it('reproduces the documented typo and the en style on request: shapes equal the vectors exactly', async () => {
    admin.upsertTerminal({ id: '123', password: '***', balances: { RUB: '90.79', USD: '1.00' } })
    await send('pay-wallet-request.xml')
    admin.setResponseStyle({ cyrillicResultCodeInStatus: true })
    admin.upsertTerminal({ id: '123', password: 'XXXXXX' })
    const ru = await send('status-request.xml')
    expect([...shape(ru.doc)].sort()).toEqual(
      [...shape(parseReply(vector('status-response.xml').toString()))].sort()
    )
    admin.setResponseStyle({ messages: false })
    const en = await send('status-request.xml')
    expect([...shape(en.doc)].sort()).toEqual(
      [...shape(parseReply(vector('status-response.en.xml').toString()))].sort()
    )
  })

  it('an unknown payment is simply absent', async () => {
    admin.upsertTerminal({ id: '123', password: 'XXXXXX', balances: { RUB: '1.00' } })
    const { doc } = await send('status-request.xml')
    expect(text(get(doc, 'response', 'result-code'))).toBe('0')
    expect(get(doc, 'response', 'payment')).toBeUndefined()
    expect(get(doc, 'response', 'balances')).toBeDefined()
  })
})

describe('check-user, check-deposit-possible, ping, get-provider vectors', () => {
  it('check-user-request.xml on an existing wallet: exist 1, shape of check-user-response.xml', async () => {
    admin.upsertTerminal({ id: '123', password: 'XXXXX' })
    const { doc } = await send('check-user-request.xml')
    expect([...shape(doc)].sort()).toEqual(
      [...shape(parseReply(vector('check-user-response.xml').toString()))].sort()
    )
    expect(get(doc, 'response', 'exist')).toBe('1')
    admin.removeWallet('79031234567')
    expect(get((await send('check-user-request.xml')).doc, 'response', 'exist')).toBe('0')
  })

  it('check-deposit-request.xml: possible, and impossible (204 fatal) like the two vectors', async () => {
    admin.upsertTerminal({ id: '123', password: 'XXXXX' })
    const ok = await send('check-deposit-request.xml')
    expect([...shape(ok.doc)].sort()).toEqual(
      [...shape(parseReply(vector('check-deposit-response-possible.xml').toString()))].sort()
    )
    expect(get(ok.doc, 'response', 'deposit-possible')).toBe('1')
    admin.upsertWallet({ phone: '79031234567', identification: 'anonymous' })
    const no = await send('check-deposit-request.xml')
    expect([...shape(no.doc)].sort()).toEqual(
      [...shape(parseReply(vector('check-deposit-response-impossible.xml').toString()))].sort()
    )
    expect(text(get(no.doc, 'response', 'result-code'))).toBe('204')
    expect(get(no.doc, 'response', 'result-code', '@_fatal')).toBe('true')
    expect(get(no.doc, 'response', 'deposit-possible')).toBe('0')
  })

  it('ping-request.xml returns the balances exactly like ping-response.xml', async () => {
    admin.upsertTerminal({
      id: '44',
      password: 'password',
      balances: { LVL: '100.00', RUB: '200.26', USD: '300.00' }
    })
    const { xml, doc } = await send('ping-request.xml')
    expect([...shape(doc)].sort()).toEqual(
      [...shape(parseReply(vector('ping-response.xml').toString()))].sort()
    )
    expect(xml).toContain('<balance code="428">100.00</balance>')
    expect(xml).toContain('<balance code="643">200.26</balance>')
    expect(xml).toContain('<balance code="840">300.00</balance>')
  })

  it('get-provider-request.xml on /xml/xmlcp.jsp → provider 42; refused on /xml/topup.jsp', async () => {
    admin.upsertTerminal({ id: '***', password: '***' })
    const { doc } = await send('get-provider-request.xml', '/xml/xmlcp.jsp')
    expect([...shape(doc)].sort()).toEqual(
      [...shape(parseReply(vector('get-provider-response.xml').toString()))].sort()
    )
    expect(get(doc, 'response', 'provider', '@_id')).toBe('42')
    const wrong = await send('get-provider-request.xml', '/xml/topup.jsp')
    expect(text(get(wrong.doc, 'response', 'result-code'))).toBe('300')
    const wrong2 = await send('ping-request.xml', '/xml/xmlcp.jsp')
    expect(text(get(wrong2.doc, 'response', 'result-code'))).toMatch(/^(150|300)$/)
  })

  it('request-level errors are shaped like the error vectors', async () => {
    admin.upsertTerminal({ id: '123', password: '***', balances: { RUB: '5000.00' } })
    admin.enqueueFaults([
      { match: { request: 'pay' }, fault: { kind: 'request-error', code: 300, fatal: false } }
    ])
    const { doc } = await send('pay-wallet-request.xml')
    expect([...shape(doc)].sort()).toEqual(
      [...shape(parseReply(vector('pay-error-response.xml').toString()))].sort()
    )
    expect(get(doc, 'response', 'result-code', '@_message')).toBe('Неизвестная ошибка')
    expect(admin.getPayment('123', '12345678')).toBeUndefined()
  })
})
