import { createServer } from 'node:https'
import type { Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCa, issueCert } from '../../../electron/core/pki/pki'
import type { Pem } from '../../../electron/core/pki/pki'
import { PersonalClient, bearerAuth, createNodeTransport } from '../../../electron/core/personal'
import { createPersonalEmulator } from '../../../electron/core/sandbox/personal'
import type { PersonalEmulator } from '../../../electron/core/sandbox/personal'

const W = '79161112233'
let ca: Pem
const servers: Server[] = []
let emu: PersonalEmulator
let token: string

async function serve(cert: Pem): Promise<string> {
  const s = createServer({ key: cert.key, cert: cert.cert }, (req, res) => emu.handle(req, res))
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  servers.push(s)
  return `https://127.0.0.1:${(s.address() as AddressInfo).port}`
}

beforeAll(() => {
  ca = createCa({ commonName: 'personal test CA' })
  emu = createPersonalEmulator({ demo: false })
  emu.admin.createWallet({ wallet: W, balances: { RUB: 10_000 } })
  token = emu.admin.createToken({ wallet: W })
})

afterAll(async () => {
  emu.close()
  for (const s of servers) {
    s.closeAllConnections()
    await new Promise<void>((r) => s.close(() => r()))
  }
})

describe('https: the server certificate is always verified', () => {
  it('works with the CA supplied, refuses an unknown CA, refuses a wrong host name', async () => {
    const good = await serve(
      issueCert(ca, { commonName: '127.0.0.1', kind: 'server', ipAddresses: ['127.0.0.1'] })
    )
    const trusted = createNodeTransport({ ca: ca.cert })
    const c1 = new PersonalClient({ auth: bearerAuth(token), baseUrl: good, transport: trusted })
    expect((await c1.profile()).authInfo?.personId).toBe(W)

    const untrusted = createNodeTransport()
    const c2 = new PersonalClient({
      auth: bearerAuth(token),
      baseUrl: good,
      transport: untrusted,
      transientRetry: { maxRetries: 0 }
    })
    await expect(c2.profile()).rejects.toMatchObject({ kind: 'tls', code: 'tls-failure', requestSent: false })
    // Nothing was sent, so a payment over it is definitely not made.
    const r = await c2.transferToWallet({ clientId: '1', account: '+79000000001', amountKopecks: 100 })
    expect(r).toMatchObject({ status: 'rejected', error: { kind: 'tls' } })
    expect(emu.admin.transfers()).toHaveLength(0)

    const wrongHost = await serve(
      issueCert(ca, { commonName: 'edge.example', kind: 'server', dnsNames: ['edge.example'] })
    )
    const c3 = new PersonalClient({
      auth: bearerAuth(token),
      baseUrl: wrongHost,
      transport: trusted,
      transientRetry: { maxRetries: 0 }
    })
    await expect(c3.profile()).rejects.toMatchObject({ kind: 'tls' })
    trusted.close?.()
    untrusted.close?.()
  })
})
