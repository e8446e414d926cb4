import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  PersonalClient,
  bearerAuth,
  createNodeTransport,
  describeTxnError,
  findTransferByClientId
} from '../../../electron/core/personal'
import { RECIPIENT, WALLET, makeClient, startEmulator } from './support'
import type { Harness } from './support'

let h: Harness | null = null

afterEach(async () => {
  await h?.close()
  h = null
})

async function setup(rub = 100_000): Promise<{ h: Harness; token: string }> {
  const harness = await startEmulator()
  harness.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: rub } })
  harness.emu.admin.createWallet({ wallet: RECIPIENT })
  return { h: harness, token: harness.emu.admin.createToken({ wallet: WALLET }) }
}

describe('commission and transfer to wallet 99', () => {
  it('commission lookup, then an accepted transfer that shows in history with trmTxnId = client id', async () => {
    const s = await setup()
    h = s.h
    const { client, transport } = makeClient(h, s.token)
    const c = await client.commission({ account: `+${RECIPIENT}`, amountKopecks: 10_050 })
    expect(c.qwCommission).toEqual({ amount: '1.01', kopecks: 101, currency: '643' })
    expect(c.withdrawSum.kopecks).toBe(10_151)
    const r = await client.transferToWallet({
      clientId: '1717171717171',
      account: `+${RECIPIENT}`,
      amountKopecks: 10_050,
      comment: 'Комментарий'
    })
    expect(r.status).toBe('accepted')
    if (r.status !== 'accepted') return
    expect(r.payment).toMatchObject({
      id: '1717171717171',
      terms: '99',
      state: 'Accepted',
      sum: { amount: '100.50', kopecks: 10_050, currency: '643' },
      comment: 'Комментарий'
    })
    // The body went out exactly as documented: amount 100.50 as a JSON number, id as a string.
    const sent = transport.sent.find((x) => x.url.endsWith('/sinap/api/v2/terms/99/payments'))
    expect(sent?.body).toBe(
      '{"id":"1717171717171","sum":{"amount":100.50,"currency":"643"},"paymentMethod":{"type":"Account","accountId":"643"},"fields":{"account":"+79262223344"},"comment":"Комментарий"}'
    )
    expect(sent?.headers['Content-Type']).toBe('application/json')
    expect(h.emu.admin.balance(WALLET, 'RUB')).toBe(100_000 - 10_050 - 101)
    expect(h.emu.admin.balance(RECIPIENT, 'RUB')).toBe(10_050)
    const item = await findTransferByClientId(client, WALLET, '1717171717171', new Date(h.clock.now()))
    expect(item).toMatchObject({
      txnId: r.payment.transactionId,
      trmTxnId: '1717171717171',
      type: 'OUT',
      status: 'SUCCESS'
    })
    expect(item?.commission?.kopecks).toBe(101)
    expect(item?.total.kopecks).toBe(10_151)
    expect(h.emu.admin.transfers({ clientId: '1717171717171' })).toHaveLength(1)
    client.close()
  })

  it('reset after processing → unknown; reconciliation finds it; a re-send with the same id makes no second transfer', async () => {
    const s = await setup()
    h = s.h
    h.emu.admin.injectFault({ match: 'payment', kind: 'reset-after-processing' })
    const { client } = makeClient(h, s.token)
    const clientId = String(h.clock.now())
    const req = { clientId, account: `+${RECIPIENT}`, amountKopecks: 25_000 }
    const r = await client.transferToWallet(req)
    expect(r.status).toBe('unknown')
    if (r.status !== 'unknown') return
    expect(r.error.kind).toBe('network')
    expect(r.error.requestSent).toBe(true)
    // The server did make it: exactly one transfer.
    expect(h.emu.admin.transfers({ clientId })).toHaveLength(1)
    const found = await client.findTransferByClientId(WALLET, clientId, new Date(h.clock.now()))
    expect(found?.trmTxnId).toBe(clientId)
    expect(found?.sum.kopecks).toBe(25_000)
    // Re-sending the same id is answered with the same payment, not a new one.
    const again = await client.transferToWallet(req)
    expect(again.status).toBe('accepted')
    if (again.status === 'accepted') expect(again.payment.transactionId).toBe(found?.txnId)
    const t = h.emu.admin.transfers({ clientId })
    expect(t).toHaveLength(1)
    expect(t[0]?.requestCount).toBe(2)
    expect(h.emu.admin.balance(WALLET, 'RUB')).toBe(100_000 - 25_000 - 250)
    client.close()
  })

  it('reset before processing → unknown as well (the client cannot tell); reconciliation says not made', async () => {
    const s = await setup()
    h = s.h
    h.emu.admin.injectFault({ match: 'payment', kind: 'reset-before-processing' })
    const { client } = makeClient(h, s.token)
    const r = await client.transferToWallet({ clientId: '42', account: RECIPIENT, amountKopecks: 1000 })
    expect(r.status).toBe('unknown')
    expect(h.emu.admin.transfers()).toHaveLength(0)
    expect(await client.findTransferByClientId(WALLET, '42', new Date(h.clock.now()))).toBeNull()
    const again = await client.transferToWallet({ clientId: '42', account: RECIPIENT, amountKopecks: 1000 })
    expect(again.status).toBe('accepted')
    expect(h.emu.admin.transfers()).toHaveLength(1)
    client.close()
  })

  it('5xx, a hang past the deadline and a truncated reply are unknown; a refused connection is rejected', async () => {
    const s = await setup()
    h = s.h
    const { client } = makeClient(h, s.token, { timeoutMs: 400 })
    h.emu.admin.injectFault({ match: 'payment', kind: 'status', status: 503 })
    const r1 = await client.transferToWallet({ clientId: '1', account: RECIPIENT, amountKopecks: 1000 })
    expect(r1).toMatchObject({ status: 'unknown', error: { kind: 'server-error', httpStatus: 503 } })
    h.emu.admin.injectFault({ match: 'payment', kind: 'hang' })
    const r2 = await client.transferToWallet({ clientId: '2', account: RECIPIENT, amountKopecks: 1000 })
    expect(r2).toMatchObject({ status: 'unknown', error: { kind: 'timeout', requestSent: true } })
    h.emu.admin.injectFault({ match: 'payment', kind: 'truncate' })
    const r3 = await client.transferToWallet({ clientId: '3', account: RECIPIENT, amountKopecks: 1000 })
    expect(r3.status).toBe('unknown')
    expect(h.emu.admin.transfers({ clientId: '3' })).toHaveLength(1)
    h.emu.admin.injectFault({ match: 'payment', kind: 'malformed' })
    const r4 = await client.transferToWallet({ clientId: '4', account: RECIPIENT, amountKopecks: 1000 })
    expect(r4).toMatchObject({ status: 'unknown', error: { kind: 'invalid-json' } })
    // A port nobody listens on: nothing was sent.
    const free = createServer()
    await new Promise<void>((res) => free.listen(0, '127.0.0.1', res))
    const port = (free.address() as AddressInfo).port
    await new Promise<void>((res) => free.close(() => res()))
    const transport = createNodeTransport()
    const dead = new PersonalClient({
      auth: bearerAuth(s.token),
      baseUrl: `http://127.0.0.1:${port}`,
      transport
    })
    const r5 = await dead.transferToWallet({ clientId: '5', account: RECIPIENT, amountKopecks: 1000 })
    expect(r5).toMatchObject({ status: 'rejected', error: { kind: 'network', requestSent: false } })
    transport.close?.()
    client.close()
  })

  it('refusals carry the short envelope and the errorCode text; a repeated id with other details is refused', async () => {
    const s = await setup(5_000)
    h = s.h
    const { client } = makeClient(h, s.token)
    const poor = await client.transferToWallet({ clientId: '10', account: RECIPIENT, amountKopecks: 10_000 })
    expect(poor.status).toBe('rejected')
    if (poor.status !== 'rejected') return
    expect(poor.error.kind).toBe('bad-request')
    expect(poor.error.envelope).toEqual({
      shape: 'short',
      code: 'QWPRC-220',
      message: describeTxnError(220, 'ru').message
    })
    const small = await client.transferToWallet({ clientId: '11', account: RECIPIENT, amountKopecks: 50 })
    expect(small.status === 'rejected' && small.error.envelope).toMatchObject({ code: 'QWPRC-241' })
    const ok = await client.transferToWallet({ clientId: '12', account: RECIPIENT, amountKopecks: 1_000 })
    expect(ok.status).toBe('accepted')
    const other = await client.transferToWallet({ clientId: '12', account: RECIPIENT, amountKopecks: 2_000 })
    expect(other.status).toBe('rejected')
    if (other.status === 'rejected') {
      expect(other.error.envelope).toMatchObject({ shape: 'short', code: 'QWPRC-408' })
    }
    expect(h.emu.admin.transfers({ clientId: '12' })).toHaveLength(1)
    expect(h.emu.admin.transfers()).toHaveLength(1)
    client.close()
  })

  it('validates its own input before sending', async () => {
    const s = await setup()
    h = s.h
    const { client, transport } = makeClient(h, s.token)
    await expect(
      client.transferToWallet({ clientId: '123456789012345678901', account: RECIPIENT, amountKopecks: 1 })
    ).rejects.toMatchObject({ kind: 'invalid-argument' })
    await expect(
      client.transferToWallet({ clientId: '1', account: RECIPIENT, amountKopecks: 0.5 })
    ).rejects.toMatchObject({ kind: 'invalid-argument' })
    await expect(
      client.transferToWallet({ clientId: '1', account: 'abc', amountKopecks: 100 })
    ).rejects.toMatchObject({ kind: 'invalid-argument' })
    expect(transport.sent).toHaveLength(0)
    client.close()
  })
})
