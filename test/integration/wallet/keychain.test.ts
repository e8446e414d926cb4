/**
 * The wallet token through the real OS keychain (gnome-keyring via libsecret; run the
 * integration tests under scripts/with-keyring.sh): stored as one entry under the
 * wallet's reference, read back by a restarted service, deleted at logout. Plus the
 * real CLI entry point (runCli, default keychain) for `wallet list`.
 *
 * Without a session bus the suite is skipped, unless REQUIRE_KEYRING=1 (CI) makes that a failure.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runCli } from '../../../electron/cli/main'
import { prepared } from '../../../electron/core/db/connection'
import { CredentialVault } from '../../../electron/core/secrets/credential-vault'
import { KeytarSecretStore } from '../../../electron/core/secrets/keytar-secret-store'
import type { KeytarApi } from '../../../electron/core/secrets/keytar-secret-store'
import { WALLET, makeRig, tempDir } from './support'
import type { Rig } from './support'

type RawKeytar = KeytarApi & {
  findCredentials(service: string): Promise<{ account: string; password: string }[]>
}

const hasBus = Boolean(process.env['DBUS_SESSION_BUS_ADDRESS'])
const required = process.env['REQUIRE_KEYRING'] === '1'

if (!hasBus && required) {
  describe('wallet secrets in the real keychain', () => {
    it('is required (REQUIRE_KEYRING=1)', () => {
      throw new Error('REQUIRE_KEYRING=1 but no D-Bus session: run through scripts/with-keyring.sh')
    })
  })
}

describe.skipIf(!hasBus)('wallet secrets in the real keychain', () => {
  const service = `qiwi-desk-wallet-test-${process.pid}-${randomBytes(4).toString('hex')}`
  let raw: RawKeytar
  let rig: Rig

  beforeAll(async () => {
    const mod = (await import('keytar')) as unknown as RawKeytar & { default?: RawKeytar }
    raw = typeof mod.findCredentials === 'function' ? mod : (mod.default as RawKeytar)
    const store = new KeytarSecretStore({ service })
    expect((await store.probe()).ok).toBe(true)
    rig = await makeRig({ store })
  })

  afterAll(async () => {
    for (const c of (await raw?.findCredentials(service)) ?? []) await raw.deletePassword(service, c.account)
    await rig?.close()
  })

  it('stores the token in the keychain only, reads it after a restart, deletes it at logout', async () => {
    const r = rig
    r.h.emu.admin.createWallet({ wallet: WALLET, balances: { RUB: 42_00 } })
    const token = r.h.emu.admin.createToken({
      wallet: WALLET,
      token: `kc-${randomBytes(12).toString('hex')}`
    })
    const v = await r.service.addWithToken({ name: 'Keychain', api: r.h.url, token })
    const entries = await raw.findCredentials(service)
    const ref = (prepared(r.db, 'SELECT credential_ref FROM wallets').get() as { credential_ref: string })
      .credential_ref
    expect(entries.map((e) => e.account)).toEqual([ref])
    expect(entries[0]?.password).toContain(token)
    r.db.pragma('wal_checkpoint(TRUNCATE)')
    expect(readFileSync(r.dbFile).includes(Buffer.from(token))).toBe(false)

    // A restart: a new store and vault over the same keychain service.
    const vault2 = new CredentialVault({ store: new KeytarSecretStore({ service }) })
    const svc = r.restart({ vault: () => vault2 })
    expect((await svc.balances(v.id)).find((a) => a.isDefault)?.balance).toBe('42.00')

    expect(await svc.remove(v.id)).toEqual({ removed: true })
    expect(await raw.findCredentials(service)).toEqual([])
  })

  it('the real CLI entry point: wallet list needs no keychain; remove opens it (isolated service name)', async () => {
    const tmp = tempDir('qiwi-wallet-kc-cli-')
    const out: string[] = []
    const err: string[] = []
    const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out.push(String(c))
      return true
    })
    const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err.push(String(c))
      return true
    })
    vi.stubEnv('QIWI_DESK_KEYCHAIN_SERVICE', service)
    try {
      expect(await runCli(['--data-dir', tmp.dir, '--json', 'wallet', 'list'])).toBe(0)
      // The keychain opens fine; the wallet is what is missing (exit 3, unknown-wallet).
      expect(await runCli(['--data-dir', tmp.dir, 'wallet', 'remove', 'Nope'])).toBe(3)
    } finally {
      vi.unstubAllEnvs()
      so.mockRestore()
      se.mockRestore()
      tmp.cleanup()
    }
    expect(JSON.parse(out.join(''))).toEqual([])
    expect(err.join('')).toMatch(/No wallet named "Nope".*\[unknown-wallet\]/)
  })
})
