/**
 * Logging wallets in and out: token validated against the profile with permissions
 * probed, a refused token stores nothing, a missing permission is shown as missing,
 * the CAS ticket flow with both header schemes, token age/expiry, and logout removing
 * the keychain entry, the cache and the row. Real SQLite file, emulator on loopback.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { prepared } from '../../../electron/core/db/connection'
import type { MemorySecretStore } from '../../../electron/core/secrets/memory-secret-store'
import { DAY_MS } from '../../../electron/core/personal/dates'
import { RECIPIENT, WALLET, makeRig, sentTo } from './support'
import type { Rig } from './support'

let rig: Rig | null = null
afterEach(async () => {
  await rig?.close()
  rig = null
})

async function appError(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error('expected an AppError')
}

function rows(r: Rig, table: string): number {
  return (prepared(r.db, `SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
}

describe('login with an API token', () => {
  it('validates the token at once, shows all permissions, keeps the token only in the keychain', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: 500_00 } })
    const token = r.h.emu.admin.createToken({ wallet: WALLET, token: 'tok-FULL-0123456789abcdef' })
    const v = await r.service.addWithToken({ name: 'Main', api: r.h.url, token })
    expect(v).toMatchObject({
      name: 'Main',
      wallet: WALLET,
      api: r.h.url,
      authKind: 'token',
      permissions: { profile: 'granted', balance: 'granted', history: 'granted', payments: 'granted' },
      tokenAddedAt: r.clock.now(),
      tokenExpiresAt: r.clock.now() + 180 * DAY_MS,
      tokenExpiresSoon: false,
      lastSyncAt: null,
      itemCount: 0
    })
    // The profile was asked before anything was stored.
    expect(sentTo(r.transport, '/person-profile/v1/profile/current').length).toBeGreaterThanOrEqual(1)
    // Keychain: one entry, holding the token; SQLite: only the reference (checked on the raw file too).
    const store = r.store as MemorySecretStore
    expect(store.size).toBe(1)
    const row = prepared(r.db, 'SELECT * FROM wallets').get() as Record<string, unknown>
    expect(String(row['credential_ref'])).toMatch(/^wallet:[0-9a-f-]{36}:token:[0-9a-f]{16}$/)
    expect(JSON.stringify(row)).not.toContain(token)
    r.db.pragma('wal_checkpoint(TRUNCATE)')
    expect(readFileSync(r.dbFile).includes(Buffer.from(token))).toBe(false)
    expect(JSON.stringify(r.service.list())).not.toContain(token)
    // It works: balances through the stored credential.
    const acc = await r.service.balances(v.id)
    expect(acc.find((a) => a.isDefault)).toMatchObject({ currency: '643', balance: '500.00' })
  })

  it('a refused token (HTTP 401) stores nothing', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    const e = await appError(
      r.service.addWithToken({ name: 'Bad', api: r.h.url, token: 'not-a-real-token-000' })
    )
    expect(e.code).toBe('unauthorized')
    expect(e.message).toMatch(/Nothing was stored/)
    expect(rows(r, 'wallets')).toBe(0)
    expect((r.store as MemorySecretStore).size).toBe(0)
    // A revoked token likewise.
    const t = r.h.emu.admin.createToken({ wallet: WALLET })
    r.h.emu.admin.revokeToken(t)
    expect((await appError(r.service.addWithToken({ name: 'Bad', api: r.h.url, token: t }))).code).toBe(
      'unauthorized'
    )
    expect(rows(r, 'wallets')).toBe(0)
  })

  it('a permission the token lacks (403) is shown as missing; the rest works', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: 100 } })
    const token = r.h.emu.admin.createToken({ wallet: WALLET, scopes: ['profile', 'history'] })
    const v = await r.service.addWithToken({ name: 'Viewer', api: r.h.url, token })
    expect(v.permissions).toEqual({
      profile: 'granted',
      balance: 'missing',
      history: 'granted',
      payments: 'missing'
    })
    const e = await appError(r.service.balances(v.id))
    expect(e.code).toBe('forbidden')
    await r.service.sync(v.id)
  })

  it('without the profile permission the wallet number must be given; a wrong number is refused', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    r.h.emu.admin.createWallet({ wallet: RECIPIENT })
    const token = r.h.emu.admin.createToken({ wallet: WALLET, scopes: ['history'] })
    expect((await appError(r.service.addWithToken({ name: 'H', api: r.h.url, token }))).code).toBe(
      'forbidden'
    )
    const v = await r.service.addWithToken({ name: 'H', api: r.h.url, token, wallet: `+${WALLET}` })
    expect(v.wallet).toBe(WALLET)
    expect(v.permissions).toMatchObject({ profile: 'missing', history: 'granted' })
    const token2 = r.h.emu.admin.createToken({ wallet: WALLET })
    expect(
      (await appError(r.service.addWithToken({ name: 'X', api: r.h.url, token: token2, wallet: RECIPIENT })))
        .code
    ).toBe('invalid-input')
  })

  it('bad inputs are refused before any request: name, api (plain http off loopback), token text, duplicates', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    const token = r.h.emu.admin.createToken({ wallet: WALLET })
    const before = r.transport.sent.length
    expect((await appError(r.service.addWithToken({ name: '  ', api: r.h.url, token }))).code).toBe(
      'invalid-input'
    )
    expect(
      (await appError(r.service.addWithToken({ name: 'A', api: 'http://example.com', token }))).code
    ).toBe('config')
    expect((await appError(r.service.addWithToken({ name: 'A', api: 'ftp://x', token }))).code).toBe(
      'invalid-input'
    )
    expect((await appError(r.service.addWithToken({ name: 'A', api: `${r.h.url}/path`, token }))).code).toBe(
      'invalid-input'
    )
    expect((await appError(r.service.addWithToken({ name: 'A', api: r.h.url, token: 'a b\nc' }))).code).toBe(
      'credential-invalid'
    )
    expect(r.transport.sent.length).toBe(before)
    await r.service.addWithToken({ name: 'A', api: r.h.url, token })
    expect((await appError(r.service.addWithToken({ name: 'A', api: r.h.url, token }))).code).toBe('conflict')
    expect((await appError(r.service.addWithToken({ name: 'B', api: r.h.url, token }))).code).toBe('conflict')
    expect(rows(r, 'wallets')).toBe(1)
    expect((r.store as MemorySecretStore).size).toBe(1)
  })

  it('token age: expires 180 days after it was added, flagged 14 days ahead', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    const v = await r.service.addWithToken({
      name: 'T',
      api: r.h.url,
      token: r.h.emu.admin.createToken({ wallet: WALLET })
    })
    r.clock.advance(165 * DAY_MS)
    expect(r.service.get(v.id).tokenExpiresSoon).toBe(false)
    r.clock.advance(1 * DAY_MS)
    expect(r.service.get(v.id)).toMatchObject({ tokenExpiresSoon: true, tokenExpiresAt: v.tokenExpiresAt })
  })

  it('logout deletes the keychain entry, the cached history and the row', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET })
    r.h.emu.admin.generateHistory(WALLET, {
      count: 120,
      seed: 3,
      endMs: r.clock.now() - 60_000,
      spanDays: 30
    })
    const v = await r.service.addWithToken({
      name: 'L',
      api: r.h.url,
      token: r.h.emu.admin.createToken({ wallet: WALLET })
    })
    await r.service.sync(v.id)
    expect(rows(r, 'wallet_history')).toBeGreaterThan(100)
    expect(await r.service.remove(v.id)).toEqual({ removed: true })
    expect(rows(r, 'wallets')).toBe(0)
    expect(rows(r, 'wallet_history')).toBe(0)
    expect(
      (
        prepared(
          r.db,
          'SELECT count(*) AS n FROM wallet_history_fts WHERE wallet_history_fts MATCH \'"QIWI"\''
        ).get() as { n: number }
      ).n
    ).toBe(0)
    expect((r.store as MemorySecretStore).size).toBe(0)
    expect(await r.service.remove(v.id)).toEqual({ removed: false })
    expect((await appError(r.service.balances(v.id))).code).toBe('unknown-wallet')
  })
})

describe('login with the legacy CAS flow', () => {
  it('login + password → TGT → an ST per request (Token scheme); history and balances work; secrets in the keychain only', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: 777_00 }, casPassword: 'p@ss w0rd' })
    r.h.emu.admin.generateHistory(WALLET, { count: 60, seed: 5, endMs: r.clock.now() - 60_000, spanDays: 20 })
    const v = await r.service.addWithCas({
      name: 'Legacy',
      api: r.h.url,
      login: `+${WALLET}`,
      password: 'p@ss w0rd'
    })
    expect(v).toMatchObject({
      wallet: WALLET,
      authKind: 'cas',
      tokenAddedAt: null,
      tokenExpiresAt: null,
      tokenExpiresSoon: false,
      permissions: { profile: 'granted', balance: 'granted', history: 'granted', payments: 'granted' }
    })
    const tgts = sentTo(r.transport, '/cas/tgts').length
    expect(tgts).toBe(1)
    const edge = r.transport.sent.filter((q) => !new URL(q.url).pathname.startsWith('/cas/'))
    expect(edge.length).toBeGreaterThan(0)
    for (const q of edge) expect(q.headers['Authorization']).toMatch(/^Token ST-/)
    // One ST per edge request.
    expect(sentTo(r.transport, '/cas/sts').length).toBe(edge.length)
    const row = prepared(r.db, 'SELECT * FROM wallets').get() as Record<string, unknown>
    expect(JSON.stringify(row)).not.toContain('p@ss w0rd')
    expect(JSON.parse(String(row['auth_base']))).toEqual({
      casBaseUrl: r.h.url,
      headerScheme: 'token',
      service: null
    })
    const s = await r.service.sync(v.id)
    expect(s.total).toBe(60)
    expect((await r.service.balances(v.id)).find((a) => a.isDefault)?.balance).toBe('777.00')
    // After a restart the session is rebuilt from the keychain.
    const again = r.restart()
    expect((await again.balances(v.id)).length).toBeGreaterThan(0)
  })

  it('the ST Base64 header form of the 2017 page works too', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET, casPassword: 'secret-1' })
    const v = await r.service.addWithCas({
      name: 'B64',
      api: r.h.url,
      authBase: r.h.url,
      login: WALLET,
      password: 'secret-1',
      headerScheme: 'st-base64',
      service: 'https://qiwi.com/j_cas_security_check'
    })
    expect(v.permissions.history).toBe('granted')
    const edge = r.transport.sent.filter((q) => !new URL(q.url).pathname.startsWith('/cas/'))
    for (const q of edge) {
      const h = q.headers['Authorization'] ?? ''
      expect(h).toMatch(/^ST /)
      expect(Buffer.from(h.slice(3), 'base64').toString()).toMatch(
        /^ST-.+:https:\/\/qiwi\.com\/j_cas_security_check$/
      )
    }
  })

  it('a wrong password stores nothing', async () => {
    rig = await makeRig()
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET, casPassword: 'right' })
    const e = await appError(
      r.service.addWithCas({ name: 'C', api: r.h.url, login: WALLET, password: 'wrong' })
    )
    expect(e.code).toBe('credential-invalid')
    expect(rows(r, 'wallets')).toBe(0)
    expect((r.store as MemorySecretStore).size).toBe(0)
  })
})
