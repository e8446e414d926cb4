/** Authentication modes of the Top-Up emulator: password, RSA signature over the raw body, client certificate. */
import { createSign, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect } from 'node:tls'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCa, issueCert, spkiSha256Base64 } from '../../../electron/core/pki/pki'
import { startSandbox, type Sandbox } from '../../../electron/core/sandbox/sandbox'
import type { TopupAdmin } from '../../../electron/core/sandbox/topup/emulator'
import { derived, get, okBody, parseReply, post, text, vector, type RawResult } from './helpers'

let sb: Sandbox
let admin: TopupAdmin

beforeAll(async () => {
  sb = await startSandbox({ processingMs: 0, personal: false })
  admin = sb.admin.topup
})
afterAll(async () => {
  await sb.close()
})
beforeEach(() => {
  admin.reset()
  admin.setProcessingMs(0)
})

function code(r: RawResult): string | undefined {
  return text(get(parseReply(okBody(r)), 'response', 'result-code'))
}

function ping(terminalId: string, password?: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<request>\n<request-type>ping</request-type>\n' +
    `<terminal-id>${terminalId}</terminal-id>\n${password !== undefined ? `<extra name="password">${password}</extra>\n` : ''}</request>\n`
  )
}

describe('password mode', () => {
  it('right password → 0; wrong, missing, unknown terminal → 150 fatal', async () => {
    const { terminalId, password } = sb.demo.topup.password
    expect(code(await post(sb.topupOrigin, '/xml/topup.jsp', ping(terminalId, password)))).toBe('0')
    for (const body of [ping(terminalId, `${password}x`), ping(terminalId), ping('99999', password)]) {
      const doc = parseReply(okBody(await post(sb.topupOrigin, '/xml/topup.jsp', body)))
      expect(text(get(doc, 'response', 'result-code'))).toBe('150')
      expect(get(doc, 'response', 'result-code', '@_fatal')).toBe('true')
      expect(get(doc, 'response', 'balances')).toBeUndefined()
    }
    const log = admin.requests()
    expect(log.map((e) => e.auth)).toEqual(['ok', 'failed', 'failed', 'failed'])
  })

  it('a wrong password on pay registers nothing', async () => {
    admin.upsertTerminal({ id: '123', password: 'other', balances: { RUB: '5000.00' } })
    expect(code(await post(sb.topupOrigin, '/xml/topup.jsp', vector('pay-wallet-request.xml')))).toBe('150')
    expect(admin.listPayments({ terminalId: '123' })).toEqual([])
  })

  it('339 when the sender address is not allowed', async () => {
    const { terminalId, password } = sb.demo.topup.password
    admin.upsertTerminal({ id: terminalId, allowedIps: ['192.0.2.1'] })
    const doc = parseReply(okBody(await post(sb.topupOrigin, '/xml/topup.jsp', ping(terminalId, password))))
    expect(text(get(doc, 'response', 'result-code'))).toBe('339')
    expect(get(doc, 'response', 'result-code', '@_fatal')).toBe('true')
    admin.upsertTerminal({ id: terminalId, allowedIps: ['127.0.0.1'] })
    expect(code(await post(sb.topupOrigin, '/xml/topup.jsp', ping(terminalId, password)))).toBe('0')
  })
})

describe('signature mode (X-Digital-Sign over the raw body)', () => {
  const body = derived('body.xml')
  const sha1 = derived('x-digital-sign.SHA1withRSA.txt').toString('utf8').trim()
  const md5 = derived('x-digital-sign.MD5withRSA.txt').toString('utf8').trim()

  beforeEach(() => {
    admin.upsertTerminal({
      id: '123',
      auth: 'signature',
      password: '***',
      publicKeyPem: derived('test-public.key').toString('utf8'),
      balances: { RUB: '5000.00' }
    })
  })

  it('accepts the derived SHA1withRSA and MD5withRSA vectors over the exact bytes', async () => {
    const a = await post(sb.topupOrigin, '/xml/topup.jsp', body, {
      headers: { 'X-Digital-Sign': sha1, 'X-Digital-Sign-Alg': 'SHA1withRSA' }
    })
    expect(get(parseReply(okBody(a)), 'response', 'payment', 0, '@_status')).toBe('60')
    const b = await post(sb.topupOrigin, '/xml/topup.jsp', body, {
      headers: { 'X-Digital-Sign': md5, 'X-Digital-Sign-Alg': 'MD5withRSA' }
    })
    expect(get(parseReply(okBody(b)), 'response', 'payment', 0, '@_status')).toBe('60')
    expect(admin.getPayment('123', '12345678')).toMatchObject({ payRequests: 2, registrations: 1 })
  })

  it('rejects a changed body, a missing or mismatched algorithm, a garbage signature, a wrong password (150)', async () => {
    const changed = Buffer.from(body.toString('utf8').replace('1115.00', '1115.01'), 'utf8')
    const trailing = Buffer.concat([body, Buffer.from('\n')])
    const cases: Array<[Buffer, Record<string, string>]> = [
      [changed, { 'X-Digital-Sign': sha1, 'X-Digital-Sign-Alg': 'SHA1withRSA' }],
      [trailing, { 'X-Digital-Sign': sha1, 'X-Digital-Sign-Alg': 'SHA1withRSA' }],
      [body, { 'X-Digital-Sign': sha1 }],
      [body, { 'X-Digital-Sign-Alg': 'SHA1withRSA' }],
      [body, { 'X-Digital-Sign': md5, 'X-Digital-Sign-Alg': 'SHA1withRSA' }],
      [body, { 'X-Digital-Sign': sha1, 'X-Digital-Sign-Alg': 'SHA256withRSA' }],
      [body, { 'X-Digital-Sign': 'not*base64', 'X-Digital-Sign-Alg': 'SHA1withRSA' }],
      [body, {}]
    ]
    for (const [b, headers] of cases) {
      expect(
        code(await post(sb.topupOrigin, '/xml/topup.jsp', b, { headers })),
        JSON.stringify(headers)
      ).toBe('150')
    }
    admin.upsertTerminal({ id: '123', password: 'different' })
    expect(
      code(
        await post(sb.topupOrigin, '/xml/topup.jsp', body, {
          headers: { 'X-Digital-Sign': sha1, 'X-Digital-Sign-Alg': 'SHA1withRSA' }
        })
      )
    ).toBe('150')
    expect(admin.listPayments({ terminalId: '123' })).toEqual([])
  })

  it('the demo signature terminal works without a password (D2), with Cyrillic in the body', async () => {
    const { terminalId, privateKeyPem, privateKeyPath } = sb.demo.topup.signature
    expect(readFileSync(privateKeyPath, 'utf8')).toBe(privateKeyPem)
    const xml =
      '<?xml version="1.0" encoding="utf-8"?>\n<request>\n  <request-type>pay</request-type>\n' +
      `  <terminal-id>${terminalId}</terminal-id>\n  <extra name="income_wire_transfer">0</extra>\n  <auth>\n    <payment>\n` +
      '      <transaction-number>555</transaction-number>\n      <from><ccy>RUB</ccy></from>\n' +
      '      <to><amount>10.00</amount><ccy>RUB</ccy><service-id>99</service-id><account-number>79181234567</account-number>' +
      '<extra name="comment">Перевод — «тест»</extra></to>\n    </payment>\n  </auth>\n</request>\n'
    const bytes = Buffer.from(xml, 'utf8')
    const sig = createSign('RSA-SHA1').update(bytes).sign(privateKeyPem, 'base64')
    const r = await post(sb.topupOrigin, '/xml/topup.jsp', bytes, {
      headers: { 'X-Digital-Sign': sig, 'X-Digital-Sign-Alg': 'SHA1withRSA' }
    })
    expect(get(parseReply(okBody(r)), 'response', 'payment', 0, '@_status')).toBe('60')
    expect(admin.getPayment(terminalId, '555')?.extras['to.comment']).toBe('Перевод — «тест»')
  })
})

describe('certificate mode (mutual TLS listener)', () => {
  const cert = () => sb.demo.topup.certificate

  it('the exported PFX and PEM files authenticate the certificate terminal', async () => {
    const c = cert()
    const origin = sb.topupTlsOrigin as string
    const ca = readFileSync(c.caPath)
    const viaPfx = await post(origin, '/xml/topup.jsp', ping(c.terminalId, c.password), {
      tls: { ca, pfx: readFileSync(c.pfxPath), passphrase: c.pfxPassphrase }
    })
    expect(code(viaPfx)).toBe('0')
    const viaPem = await post(origin, '/xml/topup.jsp', ping(c.terminalId), {
      tls: { ca, cert: readFileSync(c.certPath, 'utf8'), key: readFileSync(c.keyPath, 'utf8') }
    })
    expect(code(viaPem)).toBe('0')
    expect(admin.requests().every((e) => e.listener === 'tls' && e.auth === 'ok')).toBe(true)
  })

  it('the server certificate matches the published SPKI pin and 127.0.0.1', async () => {
    const c = cert()
    const url = new URL(sb.topupTlsOrigin as string)
    const peer = await new Promise<string>((resolve, reject) => {
      const s = connect(
        { host: url.hostname, port: Number(url.port), ca: c.caCertPem, cert: c.certPem, key: c.keyPem },
        () => {
          const raw = s.getPeerX509Certificate()
          s.end()
          if (!raw) return reject(new Error('no peer certificate'))
          resolve(raw.toString())
        }
      )
      s.on('error', reject)
    })
    expect(spkiSha256Base64(peer)).toBe(c.serverSpkiPin)
    expect(new X509Certificate(peer).checkIP('127.0.0.1')).toBe('127.0.0.1')
  })

  it('refuses the handshake without a client certificate or with a foreign one', async () => {
    const c = cert()
    const origin = sb.topupTlsOrigin as string
    const none = await post(origin, '/xml/topup.jsp', ping(c.terminalId, c.password), {
      tls: { ca: c.caCertPem }
    })
    expect(none.kind).toBe('error')
    const foreignCa = createCa({ commonName: 'Intruder CA', keyBits: 1024 })
    const foreign = issueCert(foreignCa, { commonName: 'terminal-10003', kind: 'client', keyBits: 1024 })
    const bad = await post(origin, '/xml/topup.jsp', ping(c.terminalId, c.password), {
      tls: { ca: c.caCertPem, cert: foreign.cert, key: foreign.key }
    })
    expect(bad.kind).toBe('error')
    expect(admin.requests()).toEqual([])
  })

  it('a valid sandbox certificate of another terminal, or plain HTTP, gives 150', async () => {
    const c = cert()
    admin.upsertTerminal({ id: '777', password: 'p7' })
    const issued = admin.issueClientCert('777', 'pass-777')
    const wrong = await post(sb.topupTlsOrigin as string, '/xml/topup.jsp', ping(c.terminalId), {
      tls: { ca: c.caCertPem, pfx: issued.pfx, passphrase: 'pass-777' }
    })
    expect(code(wrong)).toBe('150')
    const own = await post(sb.topupTlsOrigin as string, '/xml/topup.jsp', ping('777', 'p7'), {
      tls: { ca: c.caCertPem, cert: issued.cert, key: issued.key }
    })
    expect(code(own)).toBe('0')
    expect(code(await post(sb.topupOrigin, '/xml/topup.jsp', ping(c.terminalId, c.password)))).toBe('150')
    // With a certificate the password is optional, but a wrong one is refused.
    const wrongPw = await post(sb.topupTlsOrigin as string, '/xml/topup.jsp', ping(c.terminalId, 'nope'), {
      tls: { ca: c.caCertPem, cert: c.certPem, key: c.keyPem }
    })
    expect(code(wrongPw)).toBe('150')
  })

  it('password terminals also work on the TLS listener (with a client certificate)', async () => {
    const c = cert()
    const { terminalId, password } = sb.demo.topup.password
    const r = await post(sb.topupTlsOrigin as string, '/xml/topup.jsp', ping(terminalId, password), {
      tls: { ca: c.caCertPem, cert: c.certPem, key: c.keyPem }
    })
    expect(code(r)).toBe('0')
  })
})
