/**
 * The desk keeps entering payouts while the endpoint is unreachable: nothing is
 * reserved or sent (payouts stay 'queued'), and when the endpoint answers again the
 * queue drains in entry order per terminal. Credentials are read at every request:
 * a rotated password applies to the next request; a missing one sends nothing and
 * raises an alert. The vault-backed provider is exercised against the real keychain
 * when a Secret Service is available (scripts/with-keyring.sh).
 */
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PayoutView } from '../../../shared/payouts'
import { ok } from '../../../shared/result'
import { getPayout, listActivePayouts } from '../../../electron/core/db/repositories/payouts.repository'
import { createTerminal } from '../../../electron/core/db/repositories/terminals.repository'
import { vaultCredentialProvider } from '../../../electron/core/engine/credentials'
import { createPayoutEngine } from '../../../electron/core/engine/engine'
import { createEndpointResolver } from '../../../electron/core/engine/endpoint'
import { CredentialVault } from '../../../electron/core/secrets/credential-vault'
import { KeytarSecretStore } from '../../../electron/core/secrets/keytar-secret-store'
import { cardFor } from './harness/plan'
import { crid, FAST_CONFIG, makeRig, ManualTime, runUntil } from './support'
import type { Rig } from './support'

const time = new ManualTime(Date.UTC(2026, 10, 22, 12, 0, 0))
let rig: Rig
let deadOrigin = ''
let target = ''

/** A port with nothing listening (bound, then closed): connections are refused. */
async function deadPort(): Promise<string> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return `http://127.0.0.1:${port}`
}

beforeAll(async () => {
  deadOrigin = await deadPort()
  rig = await makeRig({
    clock: time,
    sandbox: { processingMs: 0 },
    resolver: () => () => ok({ origin: target, connectTimeoutMs: 500, totalTimeoutMs: 1000 })
  })
})
afterAll(async () => {
  await rig.close()
})

function paysInOrder(): string[] {
  return rig.sandbox.admin.topup
    .requests()
    .filter((r) => r.request === 'pay')
    .flatMap((r) => r.transactionNumbers)
}

describe('offline queue', () => {
  it('entered offline: nothing sent, payouts stay queued; back online: drained in entry order', async () => {
    target = deadOrigin
    const entered: PayoutView[] = []
    for (let i = 0; i < 6; i++) {
      const v = await rig.engine.createPayout(
        {
          clientRequestId: crid('offline'),
          terminalRef: rig.terminal.id,
          service: i % 2 === 0 ? 'card' : 'wallet',
          account: i % 2 === 0 ? cardFor(70_000 + i) : `79561${String(70_000 + i).padStart(6, '0')}`,
          amount: `${i + 1}.00`,
          precheck: true
        },
        { awaitSend: true }
      )
      expect(v.state).toBe('queued')
      entered.push(v)
      time.advance(300)
      await rig.engine.runOnce()
    }
    for (const v of entered) expect(getPayout(rig.db, v.id)?.paySent).toBe(false)
    expect(paysInOrder().filter((n) => entered.some((v) => v.transactionNumber === n))).toHaveLength(0)

    target = rig.sandbox.topupOrigin
    time.advance(10_000)
    await runUntil(rig.engine, () => listActivePayouts(rig.db).length === 0, {
      passes: 20,
      advance: () => time.advance(1_500)
    })
    for (const v of entered) expect(rig.engine.get(v.id)?.state).toBe('succeeded')
    const order = paysInOrder().filter((n) => entered.some((v) => v.transactionNumber === n))
    expect(order).toEqual(entered.map((v) => v.transactionNumber))
  })

  it('the line drops between two pays: the one that could not leave is re-sent first, then the rest in order', async () => {
    target = rig.sandbox.topupOrigin
    const first = await rig.engine.createPayout(
      {
        clientRequestId: crid('drop'),
        terminalRef: rig.terminal.id,
        service: 'card',
        account: cardFor(71_000),
        amount: '1.00'
      },
      { awaitSend: true }
    )
    expect(first.state).toBe('succeeded')
    target = deadOrigin
    const a = await rig.engine.createPayout(
      {
        clientRequestId: crid('drop'),
        terminalRef: rig.terminal.id,
        service: 'card',
        account: cardFor(71_001),
        amount: '2.00'
      },
      { awaitSend: true }
    )
    // Recent contact: no probe, the pay was reserved, the connection refused, nothing left.
    expect(a.state).toBe('waiting')
    expect(getPayout(rig.db, a.id)?.nextAction).toBe('pay')
    const b = await rig.engine.createPayout(
      {
        clientRequestId: crid('drop'),
        terminalRef: rig.terminal.id,
        service: 'card',
        account: cardFor(71_002),
        amount: '3.00'
      },
      { awaitSend: true }
    )
    const c = await rig.engine.createPayout(
      {
        clientRequestId: crid('drop'),
        terminalRef: rig.terminal.id,
        service: 'card',
        account: cardFor(71_003),
        amount: '4.00'
      },
      { awaitSend: true }
    )
    expect(b.state).toBe('queued')
    expect(c.state).toBe('queued')
    target = rig.sandbox.topupOrigin
    time.advance(10_000)
    await runUntil(rig.engine, () => [a, b, c].every((v) => rig.engine.get(v.id)?.final === true), {
      passes: 20,
      advance: () => time.advance(1_500)
    })
    const order = paysInOrder().filter((n) => [a, b, c].some((v) => v.transactionNumber === n))
    expect(order).toEqual([a.transactionNumber, b.transactionNumber, c.transactionNumber])
    for (const v of [a, b, c]) {
      expect(
        rig.sandbox.admin.topup.getPayment(rig.terminal.terminalId, v.transactionNumber)?.registrations
      ).toBe(1)
    }
  })
})

describe('credentials are read at every request', () => {
  it('a rotated password applies to the next request without a restart', async () => {
    target = rig.sandbox.topupOrigin
    const tid = rig.terminal.terminalId
    const v1 = await rig.engine.createPayout(
      {
        clientRequestId: crid('rot'),
        terminalRef: rig.terminal.id,
        service: 'card',
        account: cardFor(72_000),
        amount: '1.00'
      },
      { awaitSend: true }
    )
    expect(v1.state).toBe('succeeded')
    const next = `rotated-${randomBytes(4).toString('hex')}`
    rig.sandbox.admin.topup.upsertTerminal({ id: tid, password: next })
    rig.creds.set(rig.terminal.id, { auth: { mode: 'password', terminalId: tid, password: next } })
    const v2 = await rig.engine.createPayout(
      {
        clientRequestId: crid('rot'),
        terminalRef: rig.terminal.id,
        service: 'card',
        account: cardFor(72_001),
        amount: '1.00'
      },
      { awaitSend: true }
    )
    expect(v2.state).toBe('succeeded')
    rig.sandbox.admin.topup.upsertTerminal({ id: tid, password: rig.sandbox.demo.topup.password.password })
    rig.creds.set(rig.terminal.id, {
      auth: { mode: 'password', terminalId: tid, password: rig.sandbox.demo.topup.password.password }
    })
  })

  it('missing credentials: nothing is sent, an alert says why, the payout stays queued', async () => {
    target = rig.sandbox.topupOrigin
    const t = createTerminal(
      rig.db,
      {
        name: 'No secrets',
        terminalId: rig.terminal.terminalId,
        endpoint: 'sandbox',
        authMode: 'password',
        passwordRef: 'terminal:none:password:0000000000000000',
        servicesAllowed: ['card']
      },
      time.t
    )
    const before = rig.sandbox.admin.topup.requests().length
    const v = await rig.engine.createPayout(
      {
        clientRequestId: crid('nocred'),
        terminalRef: t.id,
        service: 'card',
        account: cardFor(72_100),
        amount: '1.00'
      },
      { awaitSend: true }
    )
    expect(v.state).toBe('queued')
    expect(rig.sandbox.admin.topup.requests().length).toBe(before)
    expect(rig.alerts.some((a) => a.terminalRef === t.id && a.code === 'credential')).toBe(true)
  })
})

const haveKeyring = Boolean(process.env['DBUS_SESSION_BUS_ADDRESS'])
describe.skipIf(!haveKeyring && process.env['REQUIRE_KEYRING'] !== '1')(
  'vault-backed credentials (real keychain)',
  () => {
    it('pays with a password from the keychain and follows a rotation made through the vault', async () => {
      const store = new KeytarSecretStore({
        service: `qiwi-desk-test-engine-${process.pid}-${randomBytes(3).toString('hex')}`
      })
      const vault = new CredentialVault({ store })
      const t = createTerminal(
        rig.db,
        {
          name: 'Keychain desk',
          terminalId: rig.terminal.terminalId,
          endpoint: 'sandbox',
          authMode: 'password',
          servicesAllowed: ['card'],
          minPollSeconds: 1
        },
        time.t
      )
      const saved = await vault.save(
        { type: 'terminal', id: t.id },
        { kind: 'terminal-password', password: rig.sandbox.demo.topup.password.password }
      )
      if (!saved.ok) throw new Error(saved.error.message.en)
      rig.db.prepare('UPDATE terminals SET password_ref = ? WHERE id = ?').run(saved.value.ref, t.id)
      const sb = rig.sandbox
      const engine = createPayoutEngine({
        db: rig.db,
        credentials: vaultCredentialProvider(vault, 'en'),
        resolveEndpoint: createEndpointResolver({
          sandbox: { topupOrigin: sb.topupOrigin, topupTlsOrigin: null, caCertPem: sb.caCertPem }
        }),
        clock: time,
        config: FAST_CONFIG
      })
      const v1 = await engine.createPayout(
        {
          clientRequestId: crid('vault'),
          terminalRef: t.id,
          service: 'card',
          account: cardFor(73_000),
          amount: '1.00'
        },
        { awaitSend: true }
      )
      expect(v1.state).toBe('succeeded')
      const next = `vault-rotated-${randomBytes(4).toString('hex')}`
      sb.admin.topup.upsertTerminal({ id: t.terminalId, password: next })
      const rotated = await vault.replace(
        saved.value.ref,
        { kind: 'terminal-password', password: next },
        (ref) => {
          rig.db.prepare('UPDATE terminals SET password_ref = ? WHERE id = ?').run(ref, t.id)
        }
      )
      if (!rotated.ok) throw new Error(rotated.error.message.en)
      const v2 = await engine.createPayout(
        {
          clientRequestId: crid('vault'),
          terminalRef: t.id,
          service: 'card',
          account: cardFor(73_001),
          amount: '1.00'
        },
        { awaitSend: true }
      )
      expect(v2.state).toBe('succeeded')
      sb.admin.topup.upsertTerminal({ id: t.terminalId, password: sb.demo.topup.password.password })
      await vault.delete(rotated.value.ref)
    })
  }
)
