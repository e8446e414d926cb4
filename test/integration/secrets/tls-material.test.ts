/**
 * RELIABILITY T2 for what the vault stores: the client-certificate material that
 * loadTopupAuthMaterial() returns (PFX as imported, or normalized PEM) completes a real mutual
 * TLS handshake with a loopback server that requires a client certificate, trusting only the
 * server CA stored with it; without the client certificate the server refuses.
 */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { connect, createServer } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TlsClientMaterial } from '../../../electron/core/secrets/credential-types'
import { CredentialVault } from '../../../electron/core/secrets/credential-vault'
import { MemorySecretStore } from '../../../electron/core/secrets/memory-secret-store'
import {
  DAY,
  encryptKeyPem,
  makeCert,
  makeTempDir,
  pfxWithOpenssl,
  rsaKeyPem
} from '../../unit/secrets/support/material'

const TERMINAL = { type: 'terminal' as const, id: 'mtls-terminal' }

let tmp: { dir: string; cleanup: () => void }
let server: ReturnType<typeof createServer>
let port: number
let ca: { certPem: string; keyPem: string }
let clientKey: string
let clientCert: string
const seenClients: string[] = []

beforeAll(async () => {
  tmp = makeTempDir()
  const caKey = rsaKeyPem(2048)
  ca = {
    keyPem: caKey,
    certPem: makeCert({
      keyPem: caKey,
      commonName: 'Loopback QIWI CA',
      isCa: true,
      notAfter: new Date(Date.now() + 3650 * DAY)
    })
  }
  const serverKey = rsaKeyPem(2048)
  const serverCert = makeCert({
    keyPem: serverKey,
    commonName: 'private-api.test',
    issuer: ca,
    serverNames: ['localhost', '127.0.0.1']
  })
  clientKey = rsaKeyPem(2048)
  clientCert = makeCert({ keyPem: clientKey, commonName: 'agent mtls', issuer: ca, client: true })
  server = createServer(
    {
      key: serverKey,
      cert: serverCert,
      ca: [ca.certPem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2'
    },
    (socket) => {
      const peer = socket.getPeerCertificate()
      const cn = peer.subject?.CN ?? ''
      seenClients.push(Array.isArray(cn) ? cn.join(',') : cn)
      socket.end('hello\n')
    }
  )
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  server.close()
  tmp.cleanup()
})

function handshake(m: TlsClientMaterial | null, ca: string): Promise<string> {
  const tlsOpts =
    m === null
      ? {}
      : m.format === 'pfx'
        ? { pfx: m.pfx, passphrase: m.passphrase }
        : { key: m.key, cert: m.cert }
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca,
      minVersion: 'TLSv1.2',
      ...tlsOpts
    })
    let data = ''
    socket.on('data', (d: Buffer) => (data += d.toString()))
    socket.on('end', () => resolve(data))
    socket.on('error', (e: NodeJS.ErrnoException) => reject(e))
  })
}

async function stored(input: Parameters<CredentialVault['save']>[1]): Promise<TlsClientMaterial> {
  const vault = new CredentialVault({ store: new MemorySecretStore() })
  const saved = await vault.save(TERMINAL, input)
  if (!saved.ok) throw new Error(saved.error.message.en)
  const m = await vault.loadTopupAuthMaterial({ clientCertificate: saved.value.ref })
  if (!m.ok || m.value.tls === null) throw new Error('no tls material')
  expect(m.value.tls.ca).toContain('BEGIN CERTIFICATE')
  return m.value.tls
}

describe('stored client-certificate material does mutual TLS', () => {
  it('PFX as imported (OpenSSL 3 defaults)', async () => {
    const pfx = pfxWithOpenssl(tmp.dir, { keyPem: clientKey, certPem: clientCert, passphrase: 'pfx-pw' })
    const m = await stored({
      kind: 'client-certificate',
      format: 'pfx',
      pfx,
      passphrase: 'pfx-pw',
      serverCa: ca.certPem
    })
    expect(await handshake(m, m.ca as string)).toBe('hello\n')
    expect(seenClients.at(-1)).toBe('agent mtls')
  })

  it('PEM key (imported encrypted, stored normalized) + certificate', async () => {
    const m = await stored({
      kind: 'client-certificate',
      format: 'pem',
      keyPem: encryptKeyPem(clientKey, 'key-pw', 'pkcs1'),
      certPem: clientCert,
      passphrase: 'key-pw',
      serverCa: ca.certPem
    })
    expect(await handshake(m, m.ca as string)).toBe('hello\n')
    expect(seenClients.at(-1)).toBe('agent mtls')
  })

  it('without a client certificate the server refuses', async () => {
    const err: NodeJS.ErrnoException = await handshake(null, ca.certPem).then(
      (data) => new Error(`unexpected success: ${data}`),
      (e: NodeJS.ErrnoException) => e
    )
    expect(err.code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')
  })
})
