/**
 * Transport against real loopback HTTP/TLS servers (RELIABILITY N1–N5, T1–T3).
 */
import http from 'node:http'
import https from 'node:https'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { encryptPrivateKeyPem } from '../../../electron/core/pki/pki'
import { parseOrigin, sendXml } from '../../../electron/core/topup/index'
import type { TopupEndpointConfig, TransportResult } from '../../../electron/core/topup/index'
import { makeMaterial, okXml, startHttp, startHttps, startSilentTcp } from './fixtures'
import type { Material, TestServer } from './fixtures'

const BODY = Buffer.from(
  '<?xml version="1.0" encoding="utf-8"?>\n<request><request-type>ping</request-type></request>\n'
)
const REPLY =
  '<response><result-code fatal="false">0</result-code><balances><balance code="643">1.00</balance></balances></response>'

let m: Material
const servers: TestServer[] = []

beforeAll(() => {
  m = makeMaterial()
})
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

async function https_(opts: Parameters<typeof startHttps>[0]): Promise<TestServer> {
  const s = await startHttps(opts)
  servers.push(s)
  return s
}

function send(
  endpoint: TopupEndpointConfig,
  extra: Partial<Parameters<typeof sendXml>[0]> = {}
): Promise<TransportResult> {
  return sendXml({ endpoint, path: '/xml/topup.jsp', body: BODY, ...extra })
}

function expectFail(r: TransportResult, kind: string): void {
  expect(r.ok, JSON.stringify(r)).toBe(false)
  if (!r.ok) expect(r.error.kind, JSON.stringify(r.error)).toBe(kind)
}

describe('TLS: server verification and mutual TLS (T1, T2)', () => {
  it('verifies the server against the configured CA and sends POST application/xml', async () => {
    const s = await https_({ cert: m.server, handler: okXml(REPLY) })
    const r = await send({ origin: s.origin, ca: m.ca.cert })
    expect(r).toMatchObject({ ok: true, status: 200, url: `${s.origin}/xml/topup.jsp` })
    if (r.ok) expect(r.body.toString()).toBe(REPLY)
    expect(s.requests).toHaveLength(1)
    const seen = s.requests[0]
    expect(seen?.method).toBe('POST')
    expect(seen?.url).toBe('/xml/topup.jsp')
    expect(seen?.headers['content-type']).toBe('application/xml')
    expect(seen?.body.equals(BODY)).toBe(true)
  })

  it('mTLS works with a PFX and with PEM key+cert (plain and passphrase-protected)', async () => {
    const s = await https_({ cert: m.server, ca: m.ca.cert, requestCert: true, handler: okXml(REPLY) })
    const viaPfx = await send(
      { origin: s.origin, ca: m.ca.cert },
      { clientCert: { kind: 'pfx', pfx: m.clientPfx, passphrase: m.pfxPass } }
    )
    expect(viaPfx.ok).toBe(true)
    const viaPem = await send(
      { origin: s.origin, ca: m.ca.cert },
      { clientCert: { kind: 'pem', key: m.client.key, cert: m.client.cert } }
    )
    expect(viaPem.ok).toBe(true)
    const encKey = encryptPrivateKeyPem(m.client.key, 'key-pass', 'pkcs8')
    const viaEnc = await send(
      { origin: s.origin, ca: m.ca.cert },
      { clientCert: { kind: 'pem', key: encKey, cert: m.client.cert, passphrase: 'key-pass' } }
    )
    expect(viaEnc.ok).toBe(true)
    expect(s.requests.map((r) => r.peerCn)).toEqual(['agent-123', 'agent-123', 'agent-123'])
  })

  const refusals: Array<
    [
      string,
      () => Promise<{ server: TestServer; endpoint: TopupEndpointConfig; clientCert?: boolean }>,
      string
    ]
  > = [
    [
      'missing client certificate',
      async () => ({
        server: await https_({ cert: m.server, ca: m.ca.cert, requestCert: true }),
        endpoint: { origin: '', ca: m.ca.cert }
      }),
      'tls|network'
    ],
    [
      'unknown CA (default roots)',
      async () => ({ server: await https_({ cert: m.server }), endpoint: { origin: '' } }),
      'tls'
    ],
    [
      'rogue CA server, our CA configured',
      async () => ({
        server: await https_({ cert: m.rogueServer }),
        endpoint: { origin: '', ca: m.ca.cert }
      }),
      'tls'
    ],
    [
      'wrong host name',
      async () => ({
        server: await https_({ cert: m.wrongHostServer }),
        endpoint: { origin: '', ca: m.ca.cert }
      }),
      'tls'
    ],
    [
      'expired certificate',
      async () => ({
        server: await https_({ cert: m.expiredServer }),
        endpoint: { origin: '', ca: m.ca.cert }
      }),
      'tls'
    ],
    [
      'SPKI pin mismatch (trusted cert, other key)',
      async () => ({
        server: await https_({ cert: m.server }),
        endpoint: { origin: '', ca: m.ca.cert, spkiPins: [m.otherPin] }
      }),
      'pin-mismatch'
    ]
  ]

  it.each(refusals)('refuses: %s — no request reaches the server', async (_name, setup, kinds) => {
    const { server, endpoint } = await setup()
    const r = await send({ ...endpoint, origin: server.origin })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(kinds.split('|')).toContain(r.error.kind)
    // Give the server a moment to process anything that might have arrived.
    await new Promise((res) => setTimeout(res, 50))
    expect(server.requests).toHaveLength(0)
  })

  it('the right pin (or one of several) is accepted', async () => {
    const s = await https_({ cert: m.server, handler: okXml(REPLY) })
    expect((await send({ origin: s.origin, ca: m.ca.cert, spkiPins: [m.serverPin] })).ok).toBe(true)
    expect((await send({ origin: s.origin, ca: m.ca.cert, spkiPins: [m.otherPin, m.serverPin] })).ok).toBe(
      true
    )
  })

  it('a TLS 1.0/1.1-only server is refused (minVersion TLSv1.2)', async () => {
    const server = https.createServer({
      key: m.server.key,
      cert: m.server.cert,
      maxVersion: 'TLSv1.1',
      minVersion: 'TLSv1'
    })
    let reqs = 0
    server.on('request', () => reqs++)
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()))
    const port = (server.address() as { port: number }).port
    try {
      const r = await send({ origin: `https://127.0.0.1:${port}`, ca: m.ca.cert })
      expect(r.ok).toBe(false)
      expect(reqs).toBe(0)
    } finally {
      await new Promise<void>((res) => server.close(() => res()))
    }
  })

  it('bad PFX data or a wrong passphrase never throws: typed credential error before sending (T3)', async () => {
    const s = await https_({ cert: m.server, ca: m.ca.cert, requestCert: true })
    for (const clientCert of [
      { kind: 'pfx' as const, pfx: m.clientPfx, passphrase: 'wrong' },
      { kind: 'pfx' as const, pfx: Buffer.from('not a pfx at all'), passphrase: 'x' },
      { kind: 'pfx' as const, pfx: m.clientPfx.subarray(0, 100), passphrase: m.pfxPass },
      { kind: 'pem' as const, key: 'garbage', cert: m.client.cert }
    ]) {
      const r = await send({ origin: s.origin, ca: m.ca.cert }, { clientCert })
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.kind).toBe('credential')
        expect(r.error.beforeSend).toBe(true)
      }
    }
    expect(s.requests).toHaveLength(0)
  })
})

describe('deadlines, caps and statuses (N1, N3, N5)', () => {
  it('a server that never answers → timeout within deadline + 1 s', async () => {
    const s = await startHttp(() => {
      /* never respond */
    })
    servers.push(s)
    const t0 = Date.now()
    const r = await send({ origin: s.origin, totalTimeoutMs: 800 })
    const ms = Date.now() - t0
    expectFail(r, 'timeout')
    expect(ms).toBeGreaterThanOrEqual(750)
    expect(ms).toBeLessThan(1800)
    if (!r.ok) expect(r.error.beforeSend).toBe(false)
  })

  it('a TCP peer that never completes the TLS handshake → connect timeout, no body sent', async () => {
    const silent = await startSilentTcp()
    try {
      const t0 = Date.now()
      const r = await send({
        origin: `https://127.0.0.1:${silent.port}`,
        ca: m.ca.cert,
        connectTimeoutMs: 500,
        totalTimeoutMs: 5000
      })
      const ms = Date.now() - t0
      expectFail(r, 'connect-timeout')
      if (!r.ok) expect(r.error.beforeSend).toBe(true)
      expect(ms).toBeLessThan(1500)
      // Only a ClientHello can have arrived, never the XML body.
      expect(silent.bytes()).toBeLessThan(BODY.length + 2048)
    } finally {
      await silent.close()
    }
  })

  it('a 1-byte trickle body is cut at the total deadline', async () => {
    const timers: NodeJS.Timeout[] = []
    const s = await startHttp((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' })
      let i = 0
      const tick = (): void => {
        if (res.destroyed || i >= REPLY.length) return
        res.write(REPLY[i++] ?? '')
        timers.push(setTimeout(tick, 100))
      }
      tick()
    })
    servers.push(s)
    const t0 = Date.now()
    const r = await send({ origin: s.origin, totalTimeoutMs: 700 })
    expectFail(r, 'timeout')
    expect(Date.now() - t0).toBeLessThan(1700)
    timers.forEach(clearTimeout)
  })

  it('an oversized body is aborted at the cap (chunked and declared)', async () => {
    let written = 0
    const s = await startHttp((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' })
      const chunk = Buffer.alloc(16 * 1024, 0x20)
      const pump = (): void => {
        while (written < 10 * 1024 * 1024) {
          written += chunk.length
          if (!res.write(chunk)) {
            res.once('drain', pump)
            return
          }
        }
        res.end()
      }
      res.on('close', () => undefined)
      pump()
    })
    servers.push(s)
    const r = await send({ origin: s.origin, maxResponseBytes: 64 * 1024 })
    expectFail(r, 'too-large')
    if (!r.ok) expect(r.body?.length ?? 0).toBeLessThanOrEqual(64 * 1024)
    // The client hung up long before the 10 MB were written.
    await new Promise((res) => setTimeout(res, 100))
    expect(written).toBeLessThan(10 * 1024 * 1024)

    s.setHandler((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': String(50 * 1024 * 1024) })
      res.write('<response>')
    })
    expectFail(await send({ origin: s.origin }), 'too-large')
  })

  it('a truncated body (Content-Length not reached, connection closed) is incomplete', async () => {
    const s = await startHttp((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': String(REPLY.length + 50) })
      res.write(REPLY)
      setTimeout(() => res.socket?.destroy(), 20)
    })
    servers.push(s)
    const r = await send({ origin: s.origin })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(['incomplete', 'network']).toContain(r.error.kind)
  })

  it('a connection reset before any reply is a network error', async () => {
    const s = await startHttp((req, res) => {
      res.socket?.resetAndDestroy()
      void req
    })
    servers.push(s)
    expectFail(await send({ origin: s.origin }), 'network')
  })

  it('3xx is returned as a status, never followed', async () => {
    const s = await startHttp((req, res) => {
      if (req.url === '/xml/topup.jsp') {
        res.writeHead(302, { Location: '/elsewhere' })
        res.end()
      } else {
        res.writeHead(200)
        res.end(REPLY)
      }
    })
    servers.push(s)
    for (const code of [301, 302, 307, 308]) {
      s.setHandler((req, res) => {
        res.writeHead(req.url === '/xml/topup.jsp' ? code : 200, { Location: `${s.origin}/elsewhere` })
        res.end(req.url === '/xml/topup.jsp' ? '' : REPLY)
      })
      const before = s.requests.length
      const r = await send({ origin: s.origin })
      expect(r).toMatchObject({ ok: true, status: code })
      expect(s.requests.length - before).toBe(1)
    }
  })

  it.each([500, 502, 503, 423, 429, 404])(
    'HTTP %i is returned as a status (the client maps it to unknown)',
    async (code) => {
      const s = await startHttp((_req, res) => {
        res.writeHead(code)
        res.end(REPLY)
      })
      servers.push(s)
      expect(await send({ origin: s.origin })).toMatchObject({ ok: true, status: code })
    }
  )
})

describe('endpoint policy', () => {
  it('http:// to a non-loopback host is refused without connecting', async () => {
    const h = vi.spyOn(http, 'request').mockImplementation(() => {
      throw new Error('must not connect')
    })
    const hs = vi.spyOn(https, 'request').mockImplementation(() => {
      throw new Error('must not connect')
    })
    try {
      for (const origin of [
        'http://10.0.0.1',
        'http://192.168.1.10:8080',
        'http://example.com',
        'http://[2001:db8::1]:80',
        'http://127.0.0.1.nip.io',
        'http://localhost.evil.example',
        'http://0.0.0.0:80',
        'http://[::ffff:127.0.0.1]'
      ]) {
        const r = await send({ origin })
        expectFail(r, 'refused-insecure')
        if (!r.ok) expect(r.error.beforeSend).toBe(true)
      }
      for (const origin of [
        'ftp://127.0.0.1',
        'https://127.0.0.1/xml',
        'https://u:p@api.qiwi.com',
        'not a url',
        'https://h?x=1'
      ]) {
        expectFail(await send({ origin }), 'bad-endpoint')
      }
      expect(h).not.toHaveBeenCalled()
      expect(hs).not.toHaveBeenCalled()
    } finally {
      h.mockRestore()
      hs.mockRestore()
    }
  })

  it('http:// is allowed for 127.0.0.0/8, ::1 and localhost', () => {
    for (const origin of [
      'http://127.0.0.1:8123',
      'http://127.1.2.3',
      'http://[::1]:9',
      'http://localhost:1',
      'https://api.qiwi.com'
    ]) {
      expect(parseOrigin(origin).ok, origin).toBe(true)
    }
  })

  it('leaves no sockets or timers behind', async () => {
    const s = await startHttp(okXml(REPLY))
    servers.push(s)
    for (let i = 0; i < 5; i++) expect((await send({ origin: s.origin })).ok).toBe(true)
    await new Promise((res) => setTimeout(res, 50))
    const open = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap')
    // Only server-side listeners remain (TCPServerWrap is not counted); client sockets are gone.
    expect(open).toEqual([])
  })
})
