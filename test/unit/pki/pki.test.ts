import { X509Certificate, createPrivateKey, createPublicKey, createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { connect, createSecureContext, createServer, type TLSSocket } from 'node:tls'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createCa,
  encryptPrivateKeyPem,
  issueCert,
  spkiSha256Base64,
  toPfx,
  type Pem
} from '../../../electron/core/pki/pki'

// Loopback TLS is the point of this test: it proves the issued chain is accepted
// by OpenSSL, which a structural check of the PEM cannot.

let ca: Pem
let server: Pem
let client: Pem
let otherCa: Pem

beforeAll(() => {
  ca = createCa({ commonName: 'Test CA' })
  otherCa = createCa({ commonName: 'Other CA' })
  server = issueCert(ca, {
    commonName: 'localhost',
    kind: 'server',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1']
  })
  client = issueCert(ca, { commonName: 'terminal-1', kind: 'client' })
})

interface HandshakeResult {
  authorized: boolean
  peerCn: string | undefined
  error?: string
}

async function handshake(opts: {
  clientPem?: Pem
  clientPfx?: { pfx: Buffer; passphrase: string }
  trustCa: string
}): Promise<HandshakeResult> {
  const srv = createServer({
    key: server.key,
    cert: server.cert,
    ca: [ca.cert],
    requestCert: true,
    rejectUnauthorized: true
  })
  const peers: (string | undefined)[] = []
  srv.on('secureConnection', (s: TLSSocket) => {
    const peer = s.getPeerCertificate()
    peers.push(typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined)
    s.end('hello')
  })
  srv.on('tlsClientError', () => undefined)
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as AddressInfo).port
  try {
    return await new Promise<HandshakeResult>((resolve) => {
      const sock = connect({
        host: '127.0.0.1',
        port,
        ca: [opts.trustCa],
        ...(opts.clientPem ? { key: opts.clientPem.key, cert: opts.clientPem.cert } : {}),
        ...(opts.clientPfx ? { pfx: opts.clientPfx.pfx, passphrase: opts.clientPfx.passphrase } : {})
      })
      let data = ''
      sock.on('data', (d: Buffer) => (data += d.toString()))
      sock.on('end', () => resolve({ authorized: sock.authorized && data === 'hello', peerCn: peers[0] }))
      sock.on('error', (e: Error) => resolve({ authorized: false, peerCn: peers[0], error: e.message }))
    })
  } finally {
    await new Promise<void>((r) => srv.close(() => r()))
  }
}

describe('pki', () => {
  it('creates a CA with the expected extensions', () => {
    const x = new X509Certificate(ca.cert)
    expect(x.ca).toBe(true)
    expect(x.subject).toContain('CN=Test CA')
    expect(x.verify(x.publicKey)).toBe(true)
    expect(ca.key).toContain('-----BEGIN PRIVATE KEY-----')
    expect(createPrivateKey(ca.key).asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('issues a server cert with SAN and serverAuth, signed by the CA', () => {
    const x = new X509Certificate(server.cert)
    const caX = new X509Certificate(ca.cert)
    expect(x.ca).toBe(false)
    expect(x.verify(caX.publicKey)).toBe(true)
    expect(x.checkIssued(caX)).toBe(true)
    expect(x.subjectAltName).toContain('DNS:localhost')
    expect(x.subjectAltName).toContain('IP Address:127.0.0.1')
    expect(x.keyUsage).toContain('1.3.6.1.5.5.7.3.1')
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1')
  })

  it('issues a client cert with clientAuth and a random serial', () => {
    const x = new X509Certificate(client.cert)
    expect(x.keyUsage).toContain('1.3.6.1.5.5.7.3.2')
    expect(x.keyUsage).not.toContain('1.3.6.1.5.5.7.3.1')
    const again = issueCert(ca, { commonName: 'terminal-1', kind: 'client', keyBits: 1024 })
    expect(new X509Certificate(again.cert).serialNumber).not.toBe(x.serialNumber)
  })

  it('honours notBefore/notAfter and rejects an inverted range', () => {
    const nb = new Date('2030-01-01T00:00:00Z')
    const na = new Date('2031-01-01T00:00:00Z')
    const c = issueCert(ca, { commonName: 'x', kind: 'client', notBefore: nb, notAfter: na, keyBits: 1024 })
    const x = new X509Certificate(c.cert)
    expect(new Date(x.validFrom).toISOString()).toBe(nb.toISOString())
    expect(new Date(x.validTo).toISOString()).toBe(na.toISOString())
    expect(() => createCa({ commonName: 'bad', notBefore: na, notAfter: nb, keyBits: 1024 })).toThrow()
    expect(() =>
      issueCert(ca, { commonName: 'x', kind: 'server', ipAddresses: ['nope'], keyBits: 1024 })
    ).toThrow()
  })

  it('completes a mutual TLS handshake on loopback with the issued PEMs', async () => {
    const r = await handshake({ clientPem: client, trustCa: ca.cert })
    expect(r.error).toBeUndefined()
    expect(r.authorized).toBe(true)
    expect(r.peerCn).toBe('terminal-1')
  })

  it('rejects a client certificate from another CA', async () => {
    const foreign = issueCert(otherCa, { commonName: 'intruder', kind: 'client', keyBits: 1024 })
    const r = await handshake({ clientPem: foreign, trustCa: ca.cert })
    expect(r.authorized).toBe(false)
  })

  it('the client refuses a server when it trusts another CA', async () => {
    const r = await handshake({ clientPem: client, trustCa: otherCa.cert })
    expect(r.authorized).toBe(false)
    expect(r.error).toBeDefined()
  })

  for (const algorithm of ['aes256', '3des'] as const) {
    it(`exports a PFX (${algorithm}) that Node loads and uses for mTLS`, async () => {
      const pfx = toPfx(client, 'pfx-pass', { chain: [ca.cert], algorithm, friendlyName: 'terminal-1' })
      expect(() => createSecureContext({ pfx, passphrase: 'pfx-pass' })).not.toThrow()
      expect(() => createSecureContext({ pfx, passphrase: 'wrong' })).toThrow()
      const r = await handshake({ clientPfx: { pfx, passphrase: 'pfx-pass' }, trustCa: ca.cert })
      expect(r.error).toBeUndefined()
      expect(r.authorized).toBe(true)
      expect(r.peerCn).toBe('terminal-1')
    })
  }

  it('computes the SPKI pin as base64 sha256 of the SubjectPublicKeyInfo DER', () => {
    const der = createPublicKey(server.cert).export({ type: 'spki', format: 'der' })
    const expected = createHash('sha256').update(der).digest('base64')
    expect(spkiSha256Base64(server.cert)).toBe(expected)
    expect(Buffer.from(expected, 'base64')).toHaveLength(32)
    expect(spkiSha256Base64(client.cert)).not.toBe(expected)
  })

  it('encrypts private keys as PKCS#8 and PKCS#1 PEM', () => {
    const p8 = encryptPrivateKeyPem(client.key, 'k-pass', 'pkcs8')
    expect(p8).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----')
    const p1 = encryptPrivateKeyPem(client.key, 'k-pass', 'pkcs1')
    expect(p1).toContain('-----BEGIN RSA PRIVATE KEY-----')
    expect(p1).toContain('Proc-Type: 4,ENCRYPTED')
    const plainDer = createPrivateKey(client.key).export({ type: 'pkcs8', format: 'der' })
    for (const enc of [p8, p1]) {
      const k = createPrivateKey({ key: enc, passphrase: 'k-pass' })
      expect(k.export({ type: 'pkcs8', format: 'der' }).equals(plainDer)).toBe(true)
      expect(() => createPrivateKey({ key: enc, passphrase: 'nope' })).toThrow()
    }
  })
})
