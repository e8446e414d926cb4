/** Every fault kind observed at the socket level, and whether the request reached the ledger. */
import { XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSandbox, type Sandbox } from '../../../electron/core/sandbox/sandbox'
import type { TopupAdmin } from '../../../electron/core/sandbox/topup/emulator'
import type { ScriptedFaultInput } from '../../../electron/core/sandbox/topup/model'
import { get, okBody, parseReply, post, text, type RawResult } from './helpers'

let sb: Sandbox
let admin: TopupAdmin
let terminalId: string
let password: string

beforeAll(async () => {
  sb = await startSandbox({ processingMs: 0, personal: false, seed: 99 })
  admin = sb.admin.topup
  terminalId = sb.demo.topup.password.terminalId
  password = sb.demo.topup.password.password
})
afterAll(async () => {
  await sb.close()
})
beforeEach(() => {
  admin.reset()
  admin.setProcessingMs(0)
})

let counter = 1000
function payBody(num = String(++counter), amount = '10.00'): { num: string; xml: string } {
  return {
    num,
    xml:
      '<?xml version="1.0" encoding="utf-8"?>\n<request>\n  <request-type>pay</request-type>\n' +
      `  <terminal-id>${terminalId}</terminal-id>\n  <extra name="password">${password}</extra>\n` +
      '  <extra name="income_wire_transfer">1</extra>\n  <auth>\n    <payment>\n' +
      `      <transaction-number>${num}</transaction-number>\n      <from>\n        <ccy>RUB</ccy>\n      </from>\n` +
      `      <to>\n        <amount>${amount}</amount>\n        <ccy>RUB</ccy>\n        <service-id>99</service-id>\n` +
      '        <account-number>79181234567</account-number>\n      </to>\n    </payment>\n  </auth>\n</request>\n'
  }
}

function statusBody(num: string): string {
  return (
    `<request><request-type>pay</request-type><terminal-id>${terminalId}</terminal-id><extra name="password">${password}</extra>` +
    `<status><payment><transaction-number>${num}</transaction-number><to><account-number>79181234567</account-number></to></payment></status></request>`
  )
}

async function payWith(
  fault: ScriptedFaultInput['fault'],
  opts: { timeoutMs?: number } = {}
): Promise<{ num: string; r: RawResult }> {
  admin.enqueueFaults([{ match: { request: 'pay' }, fault }])
  const { num, xml } = payBody()
  const r = await post(sb.topupOrigin, '/xml/topup.jsp', xml, opts)
  return { num, r }
}

function registered(num: string): boolean {
  return admin.getPayment(terminalId, num) !== undefined
}

describe('connection faults', () => {
  it('reset before processing: ECONNRESET, nothing registered', async () => {
    const { num, r } = await payWith({ kind: 'reset-before' })
    expect(r.kind === 'error' && r.code).toBe('ECONNRESET')
    expect(registered(num)).toBe(false)
    expect(admin.requests().at(-1)).toMatchObject({ fault: 'reset-before', processed: false })
  })

  it('reset after processing: ECONNRESET, the payment is registered and a re-send pays it exactly once', async () => {
    const balanceBefore = admin.getTerminal(terminalId)?.balances['643']
    const { num, r } = await payWith({ kind: 'reset-after' })
    expect(r.kind === 'error' && r.code).toBe('ECONNRESET')
    expect(admin.getPayment(terminalId, num)).toMatchObject({
      registrations: 1,
      payRequests: 1,
      final: true,
      status: 60
    })
    const again = await post(sb.topupOrigin, '/xml/topup.jsp', payBody(num).xml)
    expect(get(parseReply(okBody(again)), 'response', 'payment', 0, '@_status')).toBe('60')
    expect(admin.getPayment(terminalId, num)).toMatchObject({ registrations: 1, payRequests: 2 })
    expect(admin.listPayments({ terminalId })).toHaveLength(1)
    const balanceAfter = admin.getTerminal(terminalId)?.balances['643']
    expect(Number(balanceBefore) - Number(balanceAfter)).toBeCloseTo(10, 5)
  })

  it('reset on the TLS listener is a real RST too', async () => {
    const c = sb.demo.topup.certificate
    admin.enqueueFaults([{ match: { listener: 'tls' }, fault: { kind: 'reset-after' } }])
    const r = await post(sb.topupTlsOrigin as string, '/xml/topup.jsp', payBody().xml, {
      tls: { ca: c.caCertPem, cert: c.certPem, key: c.keyPem }
    })
    expect(r.kind === 'error' && r.code).toBe('ECONNRESET')
  })

  it('hang past the client deadline: the client times out; with process:true the payment exists', async () => {
    const a = await payWith({ kind: 'hang' }, { timeoutMs: 300 })
    expect(a.r.kind === 'error' && a.r.code).toBe('ETIMEDOUT')
    expect(a.r.ms).toBeGreaterThanOrEqual(290)
    expect(a.r.ms).toBeLessThan(2000)
    expect(registered(a.num)).toBe(false)
    const b = await payWith({ kind: 'hang', process: true }, { timeoutMs: 300 })
    expect(b.r.kind === 'error' && b.r.code).toBe('ETIMEDOUT')
    expect(registered(b.num)).toBe(true)
  })

  it('hang with ms: the server drops the connection after that long', async () => {
    const { r } = await payWith({ kind: 'hang', ms: 200 }, { timeoutMs: 5000 })
    expect(r.kind).toBe('error')
    expect(r.ms).toBeGreaterThanOrEqual(190)
    expect(r.ms).toBeLessThan(4000)
  })

  it('delay: a normal reply after the delay', async () => {
    const { num, r } = await payWith({ kind: 'delay', ms: 300 })
    expect(r.ms).toBeGreaterThanOrEqual(290)
    expect(get(parseReply(okBody(r)), 'response', 'payment', 0, '@_transaction-number')).toBe(num)
  })
})

describe('HTTP and body faults', () => {
  for (const status of [500, 502, 503]) {
    it(`HTTP ${status} (not processed by default)`, async () => {
      const { num, r } = await payWith({ kind: 'http-status', status })
      expect(r.kind === 'response' && r.status).toBe(status)
      expect(registered(num)).toBe(false)
    })
  }

  it('HTTP 500 after processing: registered although the client saw 500', async () => {
    const { num, r } = await payWith({ kind: 'http-status', status: 500, process: true })
    expect(r.kind === 'response' && r.status).toBe(500)
    expect(registered(num)).toBe(true)
  })

  it('empty body: 200 with Content-Length 0', async () => {
    const { r } = await payWith({ kind: 'empty-body' })
    expect(r.kind).toBe('response')
    if (r.kind === 'response') {
      expect(r.status).toBe(200)
      expect(r.body.length).toBe(0)
      expect(r.headers['content-length']).toBe('0')
    }
  })

  it('truncated with a Content-Length mismatch: the client sees an aborted body', async () => {
    const { num, r } = await payWith({ kind: 'truncate-length', bytes: 120 })
    expect(r.kind).toBe('error')
    if (r.kind === 'error') {
      expect(r.status).toBe(200)
      expect(r.partial?.length ?? 0).toBeLessThanOrEqual(120)
    }
    expect(registered(num)).toBe(true)
  })

  it('truncated close-delimited: the body ends early and is not well-formed', async () => {
    const { num, r } = await payWith({ kind: 'truncate-close', bytes: 150 })
    expect(r.kind).toBe('response')
    if (r.kind === 'response') {
      expect(r.headers['content-length']).toBeUndefined()
      expect(r.headers['transfer-encoding']).toBeUndefined()
      expect(r.body.length).toBe(150)
      expect(XMLValidator.validate(r.body.toString('utf8'))).not.toBe(true)
    }
    expect(registered(num)).toBe(true)
  })

  it('malformed XML: 200 with a document the validator rejects', async () => {
    const { r } = await payWith({ kind: 'malformed-xml' })
    const body = okBody(r)
    expect(body.length).toBeGreaterThan(0)
    expect(XMLValidator.validate(body)).not.toBe(true)
  })

  it('slow trickle: the full reply arrives, slowly; a short deadline times out', async () => {
    const { r } = await payWith({ kind: 'trickle', bytes: 64, ms: 20 })
    const body = okBody(r)
    expect(XMLValidator.validate(body)).toBe(true)
    const chunks = Math.ceil(Buffer.byteLength(body) / 64)
    expect(r.ms).toBeGreaterThanOrEqual((chunks - 1) * 20)
    const slow = await payWith({ kind: 'trickle', bytes: 1, ms: 50 }, { timeoutMs: 300 })
    expect(slow.r.kind === 'error' && slow.r.code).toBe('ETIMEDOUT')
  })
})

describe('protocol-level faults', () => {
  for (const [c, fatal] of [
    [13, 'false'],
    [150, 'true'],
    [300, 'false'],
    [339, 'true']
  ] as const) {
    it(`request-level ${c} (fatal=${fatal})`, async () => {
      const { num, r } = await payWith({ kind: 'request-error', code: c })
      const doc = parseReply(okBody(r))
      expect(text(get(doc, 'response', 'result-code'))).toBe(String(c))
      expect(get(doc, 'response', 'result-code', '@_fatal')).toBe(fatal)
      expect(get(doc, 'response', 'payment')).toBeUndefined()
      expect(registered(num)).toBe(false)
    })
  }

  it('temporary: status -1 and an empty txn_id, not registered; with process:true registered anyway', async () => {
    const { num, r } = await payWith({ kind: 'temporary' })
    const p = get(parseReply(okBody(r)), 'response', 'payment', 0) as Record<string, string>
    expect(p['@_status']).toBe('-1')
    expect(p['@_txn_id']).toBe('')
    expect(p['@_final-status']).toBe('false')
    expect(p['@_transaction-number']).toBe(num)
    expect(registered(num)).toBe(false)
    const b = await payWith({ kind: 'temporary', process: true })
    expect(get(parseReply(okBody(b.r)), 'response', 'payment', 0, '@_status')).toBe('-1')
    expect(registered(b.num)).toBe(true)
  })

  it('not-found: the status reply omits a payment that exists', async () => {
    const { num } = payBody()
    await post(sb.topupOrigin, '/xml/topup.jsp', payBody(num).xml)
    admin.enqueueFaults([
      { match: { request: 'status', transactionNumber: num }, fault: { kind: 'not-found' } }
    ])
    const hidden = parseReply(okBody(await post(sb.topupOrigin, '/xml/topup.jsp', statusBody(num))))
    expect(text(get(hidden, 'response', 'result-code'))).toBe('0')
    expect(get(hidden, 'response', 'payment')).toBeUndefined()
    const shown = parseReply(okBody(await post(sb.topupOrigin, '/xml/topup.jsp', statusBody(num))))
    expect(get(shown, 'response', 'payment', 0, '@_transaction-number')).toBe(num)
  })

  it('faults can target another request type without touching pay', async () => {
    admin.enqueueFaults([{ match: { request: 'ping' }, fault: { kind: 'reset-before' } }])
    const pay = await post(sb.topupOrigin, '/xml/topup.jsp', payBody().xml)
    expect(pay.kind).toBe('response')
    const pingXml = `<request><request-type>ping</request-type><terminal-id>${terminalId}</terminal-id><extra name="password">${password}</extra></request>`
    const ping = await post(sb.topupOrigin, '/xml/topup.jsp', pingXml)
    expect(ping.kind === 'error' && ping.code).toBe('ECONNRESET')
  })
})

describe('random faults (seeded) through the admin HTTP API', () => {
  it('applies faults with the configured probability and reports them', async () => {
    const put = await fetch(`${sb.topupOrigin}/__admin/faults/random`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([
        { match: { request: 'pay' }, fault: { kind: 'http-status', status: 503 }, probability: 0.3 }
      ])
    })
    expect(put.status).toBe(200)
    let n503 = 0
    const N = 60
    for (let i = 0; i < N; i++) {
      const r = await post(sb.topupOrigin, '/xml/topup.jsp', payBody().xml)
      if (r.kind === 'response' && r.status === 503) n503++
    }
    const snap = (await (await fetch(`${sb.topupOrigin}/__admin/faults`)).json()) as {
      applied: Record<string, number>
    }
    expect(snap.applied['http-status']).toBe(n503)
    expect(n503).toBeGreaterThan(5)
    expect(n503).toBeLessThan(35)
    expect(admin.listPayments({ terminalId })).toHaveLength(N - n503)
  })
})
