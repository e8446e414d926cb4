/**
 * TopupClient end to end against loopback fake QIWI servers: all request types,
 * the three auth modes (D1–D3), signature verification over the received bytes
 * (T4), journaling without secrets, and failure mapping.
 */
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VECTORS_DIR } from '../../support/paths'
import {
  createTopupClient,
  parseTopupXml,
  validateClientCertificate
} from '../../../electron/core/topup/index'
import type { PayDetails, TopupClient, TopupClientOptions } from '../../../electron/core/topup/index'
import { makeMaterial, okXml, startHttp, startHttps } from './fixtures'
import type { Material, SeenRequest, TestServer } from './fixtures'

const vec = (rel: string): string => readFileSync(join(VECTORS_DIR, rel), 'utf8')
const PASSWORD = 'Canary-Пароль-8f3a'

const WALLET: PayDetails = {
  service: 'wallet',
  transactionNumber: '12345678',
  amountKopecks: 111500,
  accountNumber: '79181234567',
  incomeWireTransfer: true,
  comment: 'Выплата <№1> & "bonus"'
}

let m: Material
const servers: TestServer[] = []
beforeAll(() => {
  m = makeMaterial()
})
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

function client(opts: TopupClientOptions): TopupClient {
  const c = createTopupClient(opts)
  if (!c.ok) throw new Error(`${c.error.code}: ${c.error.message}`)
  return c.value
}

/** A fake QIWI routing by request-type and path. */
function fakeQiwi(req: SeenRequest): { status: number; body: string } {
  const parsed = parseTopupXml(req.body)
  if (!parsed.ok || req.headers['content-type'] !== 'application/xml' || req.method !== 'POST') {
    return { status: 400, body: '' }
  }
  const rt = parsed.doc['request-type']
  const hasStatus = Object.prototype.hasOwnProperty.call(parsed.doc, 'status')
  if (req.url === '/xml/xmlcp.jsp') {
    return rt === 'get-provider-by-phone-number'
      ? { status: 200, body: vec('topup/get-provider-response.xml') }
      : { status: 404, body: '' }
  }
  if (req.url !== '/xml/topup.jsp') return { status: 404, body: '' }
  switch (rt) {
    case 'pay':
      return {
        status: 200,
        body: vec(hasStatus ? 'topup/status-response.xml' : 'topup/pay-wallet-response.xml')
      }
    case 'check-deposit-possible':
      return { status: 200, body: vec('topup/check-deposit-response-possible.xml') }
    case 'check-user':
      return { status: 200, body: vec('topup/check-user-response.xml') }
    case 'ping':
      return { status: 200, body: vec('topup/ping-response.xml') }
    default:
      return { status: 200, body: vec('topup/pay-error-response.xml') }
  }
}

const routed = (req: SeenRequest, res: ServerResponse): void => {
  const r = fakeQiwi(req)
  res.writeHead(r.status, { 'Content-Type': 'application/xml; charset=utf-8' })
  res.end(r.body)
}

describe('password mode over loopback http', () => {
  it('every method reaches the right path and classifies the documented reply; journals carry no secret', async () => {
    const s = await startHttp(routed)
    servers.push(s)
    let clock = 1000
    const c = client({
      endpoint: { origin: s.origin },
      auth: { mode: 'password', terminalId: '123', password: PASSWORD },
      now: () => (clock += 7)
    })

    const pay = await c.pay(WALLET)
    expect(pay.ok).toBe(true)
    if (!pay.ok) return
    expect(pay.value.outcome).toMatchObject({ kind: 'final-success', txnId: '6060', status: 60 })
    expect(pay.value.exchange).toMatchObject({
      requestType: 'pay',
      url: `${s.origin}/xml/topup.jsp`,
      httpStatus: 200,
      replyText: vec('topup/pay-wallet-response.xml'),
      durationMs: 7
    })
    expect(pay.value.exchange.requestXmlRedacted).toContain('<extra name="password">***</extra>')
    expect(pay.value.exchange.requestXmlRedacted).toContain('Выплата &lt;№1&gt; &amp; &quot;bonus&quot;')
    // What the server received is the real request with the real password.
    expect(s.requests[0]?.body.toString()).toContain(`<extra name="password">${PASSWORD}</extra>`)

    const st = await c.status({ transactionNumber: '12345678', accountNumber: '79181234567' })
    expect(st.ok && st.value.outcome).toMatchObject({ kind: 'final-success', txnId: '759640439' })
    const cd = await c.checkDeposit({ phone: '79031234567', incomeWireTransfer: true })
    expect(cd.ok && cd.value.outcome).toMatchObject({ kind: 'possible', exist: true })
    const cu = await c.checkUser({ phone: '79031234567', ccy: 'RUB' })
    expect(cu.ok && cu.value.outcome).toEqual({ ok: true, value: { exist: true }, requestResultCode: 0 })
    const pg = await c.ping()
    expect(pg.ok && pg.value.outcome).toMatchObject({ ok: true, value: { balances: { '643': '200.26' } } })
    const gp = await c.getProvider({ phoneNumber: '9161234567' })
    expect(gp.ok && gp.value.outcome).toEqual({ ok: true, value: { providerId: '42' }, requestResultCode: 0 })
    expect(gp.ok && gp.value.exchange.url).toBe(`${s.origin}/xml/xmlcp.jsp`)

    expect(s.requests.map((r) => r.url)).toEqual([
      '/xml/topup.jsp',
      '/xml/topup.jsp',
      '/xml/topup.jsp',
      '/xml/topup.jsp',
      '/xml/topup.jsp',
      '/xml/xmlcp.jsp'
    ])
    for (const r of [pay, st, cd, cu, pg, gp]) expect(JSON.stringify(r)).not.toContain(PASSWORD)
  })

  it('HTTP 500/503, a 302, a timeout and a refused connection are unknown for pay/status and retry for the check', async () => {
    const s = await startHttp((_req, res) => {
      res.writeHead(503)
      res.end('Service Unavailable')
    })
    servers.push(s)
    const c = client({
      endpoint: { origin: s.origin, totalTimeoutMs: 600 },
      auth: { mode: 'password', terminalId: '1', password: 'p' }
    })
    const r = await c.pay(WALLET)
    expect(r.ok && r.value.outcome).toMatchObject({ kind: 'unknown', reason: 'http-status' })
    expect(r.ok && r.value.exchange).toMatchObject({ httpStatus: 503, replyText: 'Service Unavailable' })
    s.setHandler((_req, res) => {
      res.writeHead(302, { Location: '/xml/topup.jsp?x' })
      res.end()
    })
    const r302 = await c.status({ transactionNumber: '1', accountNumber: '7' })
    expect(r302.ok && r302.value.outcome).toMatchObject({ kind: 'unknown', reason: 'http-status' })
    s.setHandler(() => undefined)
    const rt = await c.pay(WALLET)
    expect(rt.ok && rt.value.outcome).toMatchObject({ kind: 'unknown', reason: 'timeout' })
    expect(rt.ok && rt.value.exchange.error).toMatchObject({ kind: 'timeout', beforeSend: false })
    const cd = await c.checkDeposit({ phone: '7', incomeWireTransfer: false })
    expect(cd.ok && cd.value.outcome).toMatchObject({ kind: 'retry', reason: 'timeout' })

    // Nothing listens on this port any more.
    const gone = await startHttp()
    const origin = gone.origin
    await gone.close()
    const c2 = client({ endpoint: { origin }, auth: { mode: 'password', terminalId: '1', password: 'p' } })
    const refused = await c2.pay(WALLET)
    expect(refused.ok && refused.value.outcome).toMatchObject({ kind: 'unknown', reason: 'transport' })
    expect(refused.ok && refused.value.exchange.error).toMatchObject({
      kind: 'network',
      code: 'ECONNREFUSED'
    })
  })

  it('a reply about another transaction-number is unknown', async () => {
    const s = await startHttp(okXml(vec('topup/pay-wallet-response.xml')))
    servers.push(s)
    const c = client({
      endpoint: { origin: s.origin },
      auth: { mode: 'password', terminalId: '1', password: 'p' }
    })
    const r = await c.pay({ ...WALLET, transactionNumber: '12345679' })
    expect(r.ok && r.value.outcome).toMatchObject({ kind: 'unknown', reason: 'txn-mismatch' })
  })

  it('invalid input is refused before anything is sent (ok: false)', async () => {
    const s = await startHttp(routed)
    servers.push(s)
    const c = client({
      endpoint: { origin: s.origin },
      auth: { mode: 'password', terminalId: '1', password: 'p' }
    })
    const bad = await c.pay({ ...WALLET, comment: 'nul \u0000' })
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', details: { field: 'comment', reason: 'invalid-xml-char' } }
    })
    const foreign = await c.pay({
      service: 'card-foreign',
      transactionNumber: '9',
      amountKopecks: 100,
      accountNumber: '4111111111111111',
      sender: {
        firstName: 'A',
        lastName: 'B',
        address: 'C',
        city: 'D',
        countryCode: 'RU',
        zipCode: '1',
        resident: true,
        birthday: '01.01.1990'
      },
      comment: 'c',
      cardHolder: 'B A'
    })
    expect(foreign).toMatchObject({ ok: false, error: { code: 'service-not-allowed' } })
    expect(s.requests).toHaveLength(0)
  })
})

describe('signature mode (D2, T4)', () => {
  it('signs the exact received bytes; no password in the body; SHA1 and MD5; fuzzed Cyrillic comments (seed 31337)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pem = privateKey
      .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'kp' })
      .toString()
    const pub = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }))
    let verified = 0
    let failed = 0
    const s = await https_({
      cert: m.server,
      handler: (req, res) => {
        const alg = req.headers['x-digital-sign-alg']
        const sig = req.headers['x-digital-sign']
        const digest = alg === 'SHA1withRSA' ? 'sha1' : alg === 'MD5withRSA' ? 'md5' : ''
        const good =
          typeof sig === 'string' &&
          digest !== '' &&
          /^[A-Za-z0-9+/]+=*$/.test(sig) &&
          verify(digest, req.body, pub, Buffer.from(sig, 'base64'))
        if (good) verified++
        else failed++
        okXml(vec('topup/pay-wallet-response.xml'))(req, res)
      }
    })
    for (const algorithm of ['SHA1withRSA', 'MD5withRSA'] as const) {
      const c = client({
        endpoint: { origin: s.origin, ca: m.ca.cert },
        auth: { mode: 'signature', terminalId: '123', privateKeyPem: pem, passphrase: 'kp', algorithm }
      })
      const samples = fc.sample(fc.string({ unit: 'grapheme', maxLength: 120 }), {
        numRuns: 60,
        seed: algorithm === 'SHA1withRSA' ? 31337 : 31338
      })
      for (const extra of samples) {
        const r = await c.pay({ ...WALLET, comment: `Перевод ${extra}` })
        if (!r.ok) continue
        expect(r.value.outcome.kind).toBe('final-success')
        expect(r.value.exchange.requestXmlRedacted).not.toContain('name="password"')
      }
    }
    expect(failed).toBe(0)
    expect(verified).toBeGreaterThan(100)
    expect(s.requests.every((r) => !r.body.toString().includes('name="password"'))).toBe(true)
    expect(s.requests.every((r) => r.headers['content-type'] === 'application/xml')).toBe(true)
    // The documented request head (signed-request-headers.http): same method, path and headers.
    const [requestLine = '', ...headerLines] = vec('topup/signed-request-headers.http').split('\n')
    const first = s.requests[0]
    expect(`${first?.method} ${first?.url} HTTP/1.1`).toBe(requestLine)
    for (const line of headerLines.filter((l) => l.includes(': '))) {
      const [name = '', value = ''] = line.split(': ')
      const got = first?.headers[name.toLowerCase()]
      expect(got, name).toBeDefined()
      if (name === 'Content-Type' || name === 'X-Digital-Sign-Alg') expect(got).toBe(value)
    }
  })

  it('sends the password with the signature only when configured to', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const s = await startHttp(okXml(vec('topup/ping-response.xml')))
    servers.push(s)
    const c = client({
      endpoint: { origin: s.origin },
      auth: {
        mode: 'signature',
        terminalId: '1',
        privateKeyPem: pem,
        algorithm: 'SHA1withRSA',
        sendPassword: true,
        password: PASSWORD
      }
    })
    const r = await c.ping()
    expect(r.ok && r.value.outcome.ok).toBe(true)
    expect(s.requests[0]?.body.toString()).toContain(PASSWORD)
    expect(s.requests[0]?.headers['x-digital-sign-alg']).toBe('SHA1withRSA')
  })

  it('unusable signing keys are refused at construction', () => {
    const enc = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' })
      .toString()
    const base = { endpoint: { origin: 'https://api.qiwi.com' } }
    expect(
      createTopupClient({
        ...base,
        auth: {
          mode: 'signature',
          terminalId: '1',
          privateKeyPem: enc,
          passphrase: 'wrong',
          algorithm: 'SHA1withRSA'
        }
      })
    ).toMatchObject({
      ok: false,
      error: { code: 'credential-wrong-passphrase' }
    })
    expect(
      createTopupClient({
        ...base,
        auth: { mode: 'signature', terminalId: '1', privateKeyPem: 'nope', algorithm: 'MD5withRSA' }
      })
    ).toMatchObject({
      ok: false,
      error: { code: 'credential-invalid' }
    })
  })
})

async function https_(opts: Parameters<typeof startHttps>[0]): Promise<TestServer> {
  const s = await startHttps(opts)
  servers.push(s)
  return s
}

describe('certificate mode (D3, T2, T3)', () => {
  it('mutual TLS with a PFX keeps the password in the body', async () => {
    const s = await https_({ cert: m.server, ca: m.ca.cert, requestCert: true, handler: routed })
    const c = client({
      endpoint: { origin: s.origin, ca: m.ca.cert, spkiPins: [m.serverPin] },
      auth: {
        mode: 'certificate',
        terminalId: '123',
        password: PASSWORD,
        clientCert: { kind: 'pfx', pfx: m.clientPfx, passphrase: m.pfxPass }
      }
    })
    const r = await c.pay(WALLET)
    expect(r.ok && r.value.outcome.kind).toBe('final-success')
    expect(s.requests[0]?.peerCn).toBe('agent-123')
    expect(s.requests[0]?.body.toString()).toContain(`<extra name="password">${PASSWORD}</extra>`)
    expect(JSON.stringify(r)).not.toContain(PASSWORD)
  })

  it('a pinned client refuses a server with another key: pay is unknown, nothing was received', async () => {
    const s = await https_({ cert: m.server, ca: m.ca.cert, requestCert: true, handler: routed })
    const c = client({
      endpoint: { origin: s.origin, ca: m.ca.cert, spkiPins: [m.otherPin] },
      auth: {
        mode: 'certificate',
        terminalId: '123',
        password: 'p',
        clientCert: { kind: 'pem', key: m.client.key, cert: m.client.cert }
      }
    })
    const r = await c.pay(WALLET)
    expect(r.ok && r.value.outcome).toMatchObject({ kind: 'unknown', reason: 'tls' })
    expect(r.ok && r.value.exchange.error).toMatchObject({ kind: 'pin-mismatch', beforeSend: true })
    expect(s.requests).toHaveLength(0)
  })

  it('bad credential material is rejected at construction with a typed code', () => {
    const base = { endpoint: { origin: 'https://private-api.qiwi.com' } }
    const cases: Array<[Parameters<typeof validateClientCertificate>[0], string]> = [
      [{ kind: 'pfx', pfx: m.clientPfx, passphrase: 'wrong' }, 'credential-wrong-passphrase'],
      [
        { kind: 'pfx', pfx: m.clientPfx.subarray(0, m.clientPfx.length - 40), passphrase: m.pfxPass },
        'credential-'
      ],
      [{ kind: 'pfx', pfx: Buffer.from('garbage'), passphrase: 'x' }, 'credential-'],
      [{ kind: 'pem', key: m.server.key, cert: m.client.cert }, 'credential-key-mismatch'],
      [{ kind: 'pem', key: 'garbage', cert: m.client.cert }, 'credential-']
    ]
    for (const [clientCert, code] of cases) {
      const r = createTopupClient({
        ...base,
        auth: { mode: 'certificate', terminalId: '1', password: 'p', clientCert }
      })
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code.startsWith(code), `${r.error.code} for ${code}`).toBe(true)
    }
    expect(validateClientCertificate({ kind: 'pfx', pfx: m.clientPfx, passphrase: m.pfxPass })).toEqual({
      ok: true,
      value: undefined
    })
  })

  it('an http origin outside loopback cannot even be configured', () => {
    expect(
      createTopupClient({
        endpoint: { origin: 'http://api.qiwi.com' },
        auth: { mode: 'password', terminalId: '1', password: 'p' }
      })
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' }
    })
  })
})
