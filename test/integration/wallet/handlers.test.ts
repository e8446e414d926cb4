/**
 * The contract handlers (wallets:*, wallet:*): every call with its input parsed by the
 * contract's input schema and its output checked against the output schema; errors are
 * AppErrors in the caller's language; no output ever carries the token or the password.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { calls } from '../../../shared/contract'
import { isAppError } from '../../../shared/errors'
import { createWalletHandlers } from '../../../electron/core/app/handlers/wallet'
import type { WalletCalls } from '../../../electron/core/app/handlers/wallet'
import type { CallContext } from '../../../shared/contract-kit'
import type { TransferView } from '../../../shared/wallet'
import { RECIPIENT, WALLET, makeRig } from './support'
import type { Rig } from './support'

let rig: Rig | null = null
const stops: (() => void)[] = []
afterEach(async () => {
  for (const s of stops.splice(0)) s()
  await rig?.close()
  rig = null
})

const ctx: CallContext = { host: 'test', lang: 'en' }

describe('wallet contract handlers', () => {
  it('every call round-trips through the contract schemas; secrets never come out', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: 900_00 }, casPassword: 'cas-secret-pw' })
    r.h.emu.admin.createWallet({ wallet: RECIPIENT })
    r.h.emu.admin.generateHistory(WALLET, {
      count: 200,
      seed: 12,
      endMs: r.clock.now() - 60_000,
      spanDays: 40
    })
    const token = r.h.emu.admin.createToken({ wallet: WALLET, token: 'handler-token-0123456789' })
    let lang: 'ru' | 'en' = 'en'
    const pushed: TransferView[] = []
    const bundle = createWalletHandlers({
      db: r.db,
      vault: () => r.vault,
      lang: () => lang,
      resolveApi: (api) => (api === 'sandbox' ? { origin: r.h.url } : { origin: api }),
      onTransfer: (v) => pushed.push(v),
      reconcileIntervalMs: null,
      service: { now: r.clock.now, sleep: r.clock.sleep }
    })
    stops.push(() => bundle.stop())
    const h = bundle.handlers
    const outputs: unknown[] = []
    async function call<K extends WalletCalls>(k: K, input: unknown): Promise<unknown> {
      const parsed = calls[k].input.parse(input) as Parameters<(typeof h)[K]>[0]
      const fn = h[k] as (i: typeof parsed, c: CallContext) => Promise<unknown>
      const out = await fn(parsed, ctx)
      calls[k].output.parse(out)
      outputs.push(out)
      return out
    }

    const w = (await call('wallets:addToken', { name: 'Main', api: 'sandbox', token })) as { id: string }
    await call('wallets:addCas', {
      name: 'Legacy',
      api: 'sandbox',
      login: WALLET,
      password: 'cas-secret-pw'
    }).catch((e: unknown) => {
      // Same wallet number on the same api: refused as a duplicate.
      expect(isAppError(e) && e.code).toBe('conflict')
    })
    expect(((await call('wallets:list', {})) as unknown[]).length).toBe(1)
    const accounts = (await call('wallet:balances', { id: w.id })) as {
      currency: string
      balance: string | null
      isDefault: boolean
    }[]
    expect(accounts.filter((a) => a.isDefault)).toEqual([
      {
        alias: 'qw_wallet_rub',
        title: expect.any(String) as string,
        currency: '643',
        balance: '900.00',
        isDefault: true
      }
    ])
    const sync = (await call('wallet:sync', { id: w.id })) as { added: number; total: number }
    expect(sync.added).toBe(200)
    const page = (await call('wallet:history', {
      filter: { walletId: w.id, operation: 'IN', statuses: ['SUCCESS'] },
      page: { limit: 10, offset: 0 }
    })) as { rows: { type: string }[]; count: number }
    expect(page.rows.length).toBe(10)
    expect(page.count).toBeGreaterThan(10)
    const csv = (await call('wallet:exportCsv', {
      filter: { walletId: w.id, operation: 'IN', statuses: ['SUCCESS'] }
    })) as {
      rows: number
    }
    expect(csv.rows).toBe(page.count)
    const totals = (await call('wallet:totals', {
      id: w.id,
      from: r.clock.now() - 40 * 86_400_000,
      to: r.clock.now()
    })) as unknown[]
    expect(totals.length).toBeGreaterThan(0)
    expect(await call('wallet:commission', { id: w.id, to: RECIPIENT, amount: '10' })).toEqual({
      commission: '0.10',
      total: '10.10'
    })
    const t = (await call('wallet:transfer', {
      id: w.id,
      clientRequestId: 'ui-click-00000001',
      to: RECIPIENT,
      amount: '10',
      comment: 'hi'
    })) as TransferView
    expect(t.state).toBe('accepted')
    expect(pushed.map((v) => v.state)).toEqual(['pending', 'accepted'])
    expect(((await call('wallet:transfers', { id: w.id })) as unknown[]).length).toBe(1)

    // Errors are AppErrors in the caller's language.
    lang = 'ru'
    const e = await call('wallet:transfer', {
      id: w.id,
      clientRequestId: 'ui-click-2',
      to: RECIPIENT,
      amount: '1.001'
    }).catch((x: unknown) => x)
    expect(isAppError(e) && e.code).toBe('invalid-amount')
    expect(e instanceof Error && e.message).toBe('Неверная сумма')
    const unknown = await call('wallet:balances', { id: 'missing' }).catch((x: unknown) => x)
    expect(isAppError(unknown) && unknown.code).toBe('unknown-wallet')
    r.h.emu.admin.revokeToken(token)
    const revoked = await call('wallet:balances', { id: w.id }).catch((x: unknown) => x)
    expect(isAppError(revoked) && revoked.code).toBe('unauthorized')
    expect(revoked instanceof Error && revoked.message).toMatch(/Токен неверный или истёк/)

    expect(await call('wallets:remove', { id: w.id })).toEqual({ removed: true })
    const all = JSON.stringify(outputs)
    expect(all).not.toContain(token)
    expect(all).not.toContain('cas-secret-pw')
  })
})
