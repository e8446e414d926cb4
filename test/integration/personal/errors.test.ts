import { afterEach, describe, expect, it } from 'vitest'
import { describeTxnError, personalErrorMessage } from '../../../electron/core/personal'
import type { PersonalApiError } from '../../../electron/core/personal'
import { WALLET, makeClient, startEmulator } from './support'
import type { Harness } from './support'

const DAY = 86_400_000
let h: Harness | null = null

afterEach(async () => {
  await h?.close()
  h = null
})

async function setup(): Promise<{ h: Harness; token: string }> {
  const harness = await startEmulator()
  harness.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: 100_000 } })
  harness.emu.admin.addHistoryItem(WALLET, {
    type: 'OUT',
    amountKopecks: 123_456,
    status: 'ERROR',
    errorCode: 220,
    date: harness.clock.now() - DAY,
    comment: 'Оплата заказа'
  })
  harness.emu.admin.addHistoryItem(WALLET, {
    type: 'OUT',
    amountKopecks: 1,
    status: 'ERROR',
    errorCode: 99999,
    date: harness.clock.now() - 2 * DAY
  })
  harness.emu.admin.addHistoryItem(WALLET, {
    type: 'IN',
    amountKopecks: 50_000,
    date: harness.clock.now() - 3 * DAY
  })
  return { h: harness, token: harness.emu.admin.createToken({ wallet: WALLET }) }
}

const range = (hh: Harness): { startDate: Date; endDate: Date } => ({
  startDate: new Date(hh.clock.now() - 10 * DAY),
  endDate: new Date(hh.clock.now())
})

describe('errorCode of history items', () => {
  it('maps documented codes to Russian and English text; unknown codes stay visible', async () => {
    const s = await setup()
    h = s.h
    const { client } = makeClient(h, s.token)
    const items = await client.historyAll(WALLET, range(h))
    const e220 = items.find((i) => i.errorCode === 220)
    expect(e220?.status).toBe('ERROR')
    expect(e220?.sum.amount).toBe('1234.56')
    expect(describeTxnError(e220?.errorCode ?? -1, 'ru').message).toBe('Недостаточно средств')
    expect(describeTxnError(e220?.errorCode ?? -1, 'en').message).toBe('Insufficient funds')
    const odd = items.find((i) => i.errorCode === 99999)
    expect(describeTxnError(odd?.errorCode ?? -1, 'en')).toMatchObject({ known: false, cls: 'unknown' })
    client.close()
  })
})

describe('transport and server faults on idempotent calls', () => {
  it('a 5xx is retried with a short backoff, then reported as server-error with its long envelope', async () => {
    const s = await setup()
    h = s.h
    const { client } = makeClient(h, s.token, { transientRetry: { maxRetries: 2, baseMs: 100, maxMs: 400 } })
    h.emu.admin.injectFault({ match: 'profile', kind: 'status', status: 502 })
    await expect(client.profile()).resolves.toBeTruthy()
    h.emu.admin.injectFault({ match: 'profile', kind: 'status', status: 500, times: 3 })
    const err = (await client.profile().catch((e: unknown) => e)) as PersonalApiError
    expect(err.kind).toBe('server-error')
    expect(err.httpStatus).toBe(500)
    expect(err.envelope).toMatchObject({
      shape: 'long',
      serviceName: 'person-profile',
      errorCode: 'internal.error'
    })
    expect(h.emu.admin.requestLog({ route: 'profile' })).toHaveLength(5)
    client.close()
  })

  it('truncated body → network error; non-JSON → invalid-json; oversized → response-too-large; hang → timeout', async () => {
    const s = await setup()
    h = s.h
    const { client } = makeClient(h, s.token, { transientRetry: { maxRetries: 0 }, timeoutMs: 300 })
    h.emu.admin.injectFault({ match: 'history', kind: 'truncate' })
    await expect(client.historyPage(WALLET, { rows: 10, ...range(h) })).rejects.toMatchObject({
      kind: 'network',
      requestSent: true
    })
    h.emu.admin.injectFault({ match: 'history', kind: 'malformed' })
    await expect(client.historyPage(WALLET, { rows: 10, ...range(h) })).rejects.toMatchObject({
      kind: 'invalid-json',
      code: 'json-invalid'
    })
    h.emu.admin.injectFault({ match: 'profile', kind: 'hang' })
    await expect(client.profile()).rejects.toMatchObject({ kind: 'timeout' })
    const small = makeClient(h, s.token, { maxResponseBytes: 200, transientRetry: { maxRetries: 0 } }).client
    await expect(small.historyPage(WALLET, { rows: 10, ...range(h) })).rejects.toMatchObject({
      kind: 'response-too-large'
    })
    small.close()
    client.close()
  })

  it('a server reply that breaks the schema is a typed invalid-response, not a crash', async () => {
    const s = await setup()
    h = s.h
    const { client } = makeClient(h, s.token, { transientRetry: { maxRetries: 0 } })
    h.emu.admin.injectFault({
      match: 'profile',
      kind: 'status',
      status: 200,
      body: '{"authInfo":{"personId":"not-a-number"}}'
    })
    await expect(client.profile()).rejects.toMatchObject({ kind: 'invalid-response', code: 'protocol-error' })
    h.emu.admin.injectFault({
      match: 'profile',
      kind: 'status',
      status: 200,
      body: '{"authInfo":{"__proto__":{"x":1}}}'
    })
    await expect(client.profile()).rejects.toMatchObject({ kind: 'invalid-json' })
    h.emu.admin.injectFault({
      match: 'history',
      kind: 'status',
      status: 200,
      body: '{"data":[{"txnId":1,"personId":1,"date":"2024-01-01T00:00:00+03:00","errorCode":0,"status":"SUCCESS","type":"IN","sum":{"amount":1.001,"currency":643},"total":{"amount":1,"currency":643}}]}'
    })
    await expect(client.historyPage(WALLET, { rows: 10 })).rejects.toMatchObject({ kind: 'invalid-response' })
    client.close()
  })

  it('every typed error carries a localized message for the UI', async () => {
    const s = await setup()
    h = s.h
    const { client } = makeClient(h, 'wrong-token-xyz')
    const err = (await client.profile().catch((e: unknown) => e)) as PersonalApiError
    expect(personalErrorMessage(err.kind, 'ru')).toContain('180 дней')
    expect(personalErrorMessage(err.kind, 'en')).toContain('180 days')
    expect(err.envelope).toMatchObject({ shape: 'long', errorCode: 'auth.unauthorized' })
    client.close()
  })
})
