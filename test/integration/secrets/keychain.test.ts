/**
 * The real OS keychain (gnome-keyring via libsecret, through scripts/with-keyring.sh): store,
 * read back, replace, delete, chunking of large values, a second process reading what this one
 * wrote, the vault end to end, and bad imports leaving the keychain untouched.
 *
 * The raw keytar module is used here only to look at what the adapter really wrote.
 */
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredentialVault } from '../../../electron/core/secrets/credential-vault'
import type { KeytarApi } from '../../../electron/core/secrets/keytar-secret-store'
import { KeytarSecretStore } from '../../../electron/core/secrets/keytar-secret-store'
import { openSecretStore } from '../../../electron/core/secrets/open-secret-store'
import {
  encryptKeyPem,
  makeCert,
  makeTempDir,
  pfxWithOpenssl,
  rsaKeyPem
} from '../../unit/secrets/support/material'
import { bundleChild, run, runChild } from './support/child'
import { KEYRING_MISSING, keyringGate, testService } from './support/keyring'

type RawKeytar = KeytarApi & {
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>
}

const gate = keyringGate()

if (gate === 'fail') {
  describe('real keychain', () => {
    it('is required (REQUIRE_KEYRING=1)', () => {
      throw new Error(KEYRING_MISSING)
    })
  })
}

describe.skipIf(gate !== 'run')('real keychain (gnome-keyring through keytar)', () => {
  const service = testService()
  let raw: RawKeytar
  let store: KeytarSecretStore
  let tmp: { dir: string; cleanup: () => void }
  let bundle: string

  const accounts = async () => (await raw.findCredentials(service)).map((c) => c.account).sort()

  beforeAll(async () => {
    const mod = (await import('keytar')) as unknown as RawKeytar & { default?: RawKeytar }
    raw = typeof mod.findCredentials === 'function' ? mod : (mod.default as RawKeytar)
    store = new KeytarSecretStore({ service })
    tmp = makeTempDir()
    bundle = bundleChild(tmp.dir)
  })

  afterAll(async () => {
    for (const c of (await raw?.findCredentials(service)) ?? []) await raw.deletePassword(service, c.account)
    tmp?.cleanup()
  })

  it('probes ok and openSecretStore picks the keychain', async () => {
    expect(await store.probe()).toEqual({ ok: true })
    const opened = await openSecretStore({ allowSessionOnly: false, keytar: { service } })
    expect(opened.status).toBe('keychain')
    expect(opened.store.kind).toBe('keychain')
    expect(await accounts()).toEqual([]) // the probe entry was removed
  })

  it('stores, reads back, replaces and deletes (not found → null / false)', async () => {
    const id = 'terminal:t1:password:00000000000000aa'
    expect(await store.get(id)).toBeNull()
    await store.set(id, 'пароль & <xml> "quotes" 🔑')
    expect(await store.get(id)).toBe('пароль & <xml> "quotes" 🔑')
    expect(await raw.getPassword(service, id)).toBe('пароль & <xml> "quotes" 🔑')
    await store.set(id, 'second')
    expect(await store.get(id)).toBe('second')
    expect(await store.delete(id)).toBe(true)
    expect(await store.delete(id)).toBe(false)
    expect(await store.get(id)).toBeNull()
    expect(await accounts()).toEqual([])
  })

  it('chunks large values (Windows 2560-byte limit), replaces and deletes every chunk', async () => {
    const id = 'terminal:t1:client-cert:00000000000000bb'
    const big = randomBytes(6000).toString('base64') + 'ё'.repeat(700) // ~9.4 KB of UTF-8
    await store.set(id, big)
    expect(await store.get(id)).toBe(big)
    const creds = await raw.findCredentials(service)
    const main = creds.find((c) => c.account === id)
    expect(main?.password).toMatch(/^qiwi-desk:chunked:v1:[0-9a-f]{16}:\d+:[0-9a-f]{64}$/)
    const chunks = creds.filter((c) => c.account.startsWith(`${id}#`))
    expect(chunks.length).toBeGreaterThanOrEqual(10)
    for (const c of chunks) expect(Buffer.byteLength(c.password, 'utf8')).toBeLessThanOrEqual(1000)

    // Overwrite chunked → chunked: the old generation's chunks are deleted.
    const big2 = big.split('').reverse().join('')
    await store.set(id, big2)
    expect(await store.get(id)).toBe(big2)
    const gens = new Set(
      (await accounts()).filter((a) => a.includes('#')).map((a) => a.split('#')[1]?.split('.')[0])
    )
    expect(gens.size).toBe(1)

    // Chunked → small: no chunk left.
    await store.set(id, 'small')
    expect(await accounts()).toEqual([id])

    // A value that looks like a manifest is stored chunked, so it reads back verbatim.
    const tricky = 'qiwi-desk:chunked:v1:0000000000000000:1:' + '0'.repeat(64)
    await store.set(id, tricky)
    expect(await store.get(id)).toBe(tricky)

    await store.set(id, big)
    expect(await store.delete(id)).toBe(true)
    expect(await accounts()).toEqual([])
  })

  it('reports damaged chunks instead of returning a wrong value', async () => {
    const id = 'wallet:w1:token:00000000000000cc'
    await store.set(id, 'x'.repeat(3500))
    const chunk = (await accounts()).find((a) => a.startsWith(`${id}#`)) as string
    await raw.setPassword(service, chunk, 'tampered')
    await expect(store.get(id)).rejects.toMatchObject({ code: 'credential-invalid' })
    await raw.deletePassword(service, chunk)
    await expect(store.get(id)).rejects.toMatchObject({ code: 'credential-invalid' })
    expect(await store.delete(id)).toBe(true)
    expect(await accounts()).toEqual([])
  })

  it('a second process reads what this one wrote (raw keytar via node -e)', async () => {
    const id = 'terminal:t2:password:00000000000000dd'
    const value = `restart-${randomBytes(8).toString('hex')}`
    await store.set(id, value)
    const r = await run(
      process.execPath,
      [
        '-e',
        `require('keytar').getPassword(${JSON.stringify(service)}, ${JSON.stringify(id)}).then(v => console.log(JSON.stringify({ v })))`
      ],
      {}
    )
    expect(r.code).toBe(0)
    expect(r.json['v']).toBe(value)
    await store.delete(id)
  })

  it('vault end to end: save, describe, rotate, and a second process loads the credentials', async () => {
    const vault = new CredentialVault({ store })
    const terminal = { type: 'terminal' as const, id: 'a3f1c9e2-1111-4c4c-8888-123456789abc' }
    const keyPem = rsaKeyPem(2048)
    const certPem = makeCert({ keyPem, commonName: 'agent keychain' })
    const pfx = pfxWithOpenssl(tmp.dir, { keyPem, certPem, passphrase: 'pfx-pass' })

    const pw = await vault.save(terminal, { kind: 'terminal-password', password: 'old-password' })
    const cert = await vault.save(terminal, {
      kind: 'client-certificate',
      format: 'pfx',
      pfx,
      passphrase: 'pfx-pass',
      serverCa: certPem
    })
    const sk = await vault.save(terminal, {
      kind: 'signing-key',
      keyPem: encryptKeyPem(keyPem, 'kp', 'pkcs1'),
      passphrase: 'kp'
    })
    const tok = await vault.save({ type: 'wallet', id: 'w1' }, { kind: 'wallet-token', token: 'tok-123' })
    if (!pw.ok || !cert.ok || !sk.ok || !tok.ok) throw new Error('save failed')
    expect((await accounts()).length).toBeGreaterThanOrEqual(4)

    // Rotate the password: old entry gone from the keychain, row switched by commit.
    let row = pw.value.ref
    const rot = await vault.replace(row, { kind: 'terminal-password', password: 'new-password' }, (ref) => {
      row = ref
    })
    if (!rot.ok) throw new Error(rot.error.message.en)
    expect(await raw.getPassword(service, pw.value.ref)).toBeNull()
    expect(await vault.loadTerminalPassword(pw.value.ref)).toEqual({ ok: true, value: 'new-password' })

    // Process restart: a fresh process, same keyring session, reads everything back.
    const child = await runChild(bundle, {
      mode: 'read',
      service,
      refs: {
        password: row,
        clientCertificate: cert.value.ref,
        signingKey: sk.value.ref,
        token: tok.value.ref
      }
    })
    expect(child.code, child.stderr).toBe(0)
    const sha = (x: string | Buffer) => createHash('sha256').update(x).digest('hex')
    expect(child.json).toEqual({
      ok: true,
      passwordSha256: sha('new-password'),
      pfxSha256: sha(pfx),
      passphraseSha256: sha('pfx-pass'),
      signingKeyBits: 2048,
      tokenSha256: sha('tok-123'),
      fingerprint:
        cert.value.description.kind === 'client-certificate'
          ? cert.value.description.certificate.fingerprintSha256
          : 'x'
    })

    for (const ref of [row, cert.value.ref, sk.value.ref, tok.value.ref]) {
      expect(await vault.delete(ref)).toEqual({ ok: true, value: { deleted: true } })
    }
    expect(await accounts()).toEqual([])
  })

  it('bad imports leave the keychain untouched', async () => {
    const vault = new CredentialVault({ store })
    const terminal = { type: 'terminal' as const, id: 'bad-imports' }
    const keyPem = rsaKeyPem(2048)
    const certPem = makeCert({ keyPem, commonName: 'bad' })
    const base = await vault.save(terminal, { kind: 'terminal-password', password: 'baseline' })
    if (!base.ok) throw new Error('save')
    const before = await raw.findCredentials(service)
    const legacy = pfxWithOpenssl(tmp.dir, { keyPem, certPem, passphrase: 'p', encoding: 'legacy' })
    const modern = pfxWithOpenssl(tmp.dir, { keyPem, certPem, passphrase: 'p' })
    const cases = [
      vault.save(terminal, { kind: 'client-certificate', format: 'pfx', pfx: legacy, passphrase: 'p' }),
      vault.save(terminal, { kind: 'client-certificate', format: 'pfx', pfx: modern, passphrase: 'wrong' }),
      vault.save(terminal, {
        kind: 'client-certificate',
        format: 'pfx',
        pfx: modern.subarray(0, modern.length >> 1),
        passphrase: 'p'
      }),
      vault.save(terminal, { kind: 'client-certificate', format: 'pem', keyPem: rsaKeyPem(2048), certPem }),
      vault.save(terminal, {
        kind: 'signing-key',
        keyPem: encryptKeyPem(keyPem, 'right', 'pkcs8'),
        passphrase: 'wrong'
      }),
      vault.replace(base.value.ref, { kind: 'terminal-password', password: 'bad\u0000' }, () => undefined)
    ]
    const codes = (await Promise.all(cases)).map((r) => (r.ok ? 'ok' : r.error.code))
    expect(codes).toEqual([
      'credential-legacy-pfx',
      'credential-wrong-passphrase',
      'credential-truncated',
      'credential-key-mismatch',
      'credential-wrong-passphrase',
      'credential-invalid'
    ])
    expect(await raw.findCredentials(service)).toEqual(before)
    await vault.delete(base.value.ref)
  })
})
