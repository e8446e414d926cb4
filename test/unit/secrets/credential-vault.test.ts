/**
 * CredentialVault over the session store: intent operations, rotation, commit failures,
 * forwarding of replaced refs, and describe() never returning secret material (canaries).
 * The same vault runs against the real OS keychain in test/integration/secrets.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { parseCredentialRef } from '../../../electron/core/secrets/credential-ref'
import type { CredentialDescription, CredentialInput } from '../../../electron/core/secrets/credential-types'
import { CredentialVault } from '../../../electron/core/secrets/credential-vault'
import { MemorySecretStore } from '../../../electron/core/secrets/memory-secret-store'
import { toAppErrorData } from '../../../electron/core/secrets/secret-errors'
import {
  encryptKeyPem,
  makeCert,
  makeTempDir,
  pfxWithOpenssl,
  rsaKeyPem,
  walkStrings
} from './support/material'

const TERMINAL = { type: 'terminal' as const, id: 'a1b2c3d4-0000-4000-8000-000000000001' }
const WALLET = { type: 'wallet' as const, id: 'w-79991234567' }

// Canaries: distinctive values that must never appear in a description.
const C_PASSWORD = 'CANARY-terminal-password-7f3a'
const C_PASSPHRASE = 'CANARY-passphrase-91be'
const C_TOKEN = 'CANARY-token-5d2e0c9a'
const C_CAS = 'CANARY-cas-password-44aa'

let keyPem: string
let certPem: string
let pfx: Buffer

beforeAll(() => {
  const tmp = makeTempDir()
  try {
    keyPem = rsaKeyPem(2048)
    certPem = makeCert({ keyPem, commonName: 'agent 77' })
    pfx = pfxWithOpenssl(tmp.dir, { keyPem, certPem, passphrase: C_PASSPHRASE })
  } finally {
    tmp.cleanup()
  }
})

/** Pieces of binary/PEM secrets: a description containing any of them leaks material. */
function secretFragments(): string[] {
  const keyBody = keyPem.split('\n').slice(1, -2).join('')
  const pfxB64 = pfx.toString('base64')
  return [
    C_PASSWORD,
    C_PASSPHRASE,
    C_TOKEN,
    C_CAS,
    keyBody.slice(200, 240),
    keyBody.slice(-100, -60),
    pfxB64.slice(300, 340),
    pfxB64.slice(-80, -40),
    pfx.toString('hex').slice(600, 660)
  ]
}

const SECRET_FIELD_NAMES = /^(password|passphrase|token|pfx|pfxBase64|keyPem|privateKey|key\.pem|material)$/i

function keysOf(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) for (const v of x) keysOf(v, out)
  else if (typeof x === 'object' && x !== null) {
    for (const [k, v] of Object.entries(x)) {
      out.push(k)
      keysOf(v, out)
    }
  }
  return out
}

function assertNoSecrets(d: unknown): void {
  const strings = walkStrings(d)
  expect(strings.length).toBeGreaterThan(0)
  for (const s of strings) {
    for (const frag of secretFragments()) {
      expect(s.includes(frag), `leak of ${frag.slice(0, 12)}… in "${s.slice(0, 60)}"`).toBe(false)
    }
    expect(s).not.toMatch(/PRIVATE KEY/)
  }
  for (const k of keysOf(d)) expect(SECRET_FIELD_NAMES.test(k), `secret-looking field ${k}`).toBe(false)
  expect(JSON.stringify(d)).not.toMatch(/CANARY/)
}

function inputs(): Array<[typeof TERMINAL | typeof WALLET, CredentialInput]> {
  return [
    [TERMINAL, { kind: 'terminal-password', password: C_PASSWORD }],
    [
      TERMINAL,
      { kind: 'signing-key', keyPem: encryptKeyPem(keyPem, C_PASSPHRASE, 'pkcs8'), passphrase: C_PASSPHRASE }
    ],
    [
      TERMINAL,
      { kind: 'client-certificate', format: 'pfx', pfx, passphrase: C_PASSPHRASE, serverCa: certPem }
    ],
    [TERMINAL, { kind: 'client-certificate', format: 'pem', keyPem, certPem, passphrase: C_PASSPHRASE }],
    [WALLET, { kind: 'wallet-token', token: C_TOKEN }],
    [WALLET, { kind: 'cas-login', login: '79991234567', password: C_CAS }]
  ]
}

describe('describe() never returns secrets', () => {
  it('for every kind, from save() and from describe(), the canaries never appear', async () => {
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const descriptions: CredentialDescription[] = []
    for (const [owner, input] of inputs()) {
      const saved = await vault.save(owner, input)
      if (!saved.ok) throw new Error(saved.error.message.en)
      descriptions.push(saved.value.description)
      const d = await vault.describe(saved.value.ref)
      if (!d.ok) throw new Error(d.error.message.en)
      expect(d.value.kind).toBe(input.kind)
      expect(d.value.ref).toBe(saved.value.ref)
      descriptions.push(d.value)
    }
    expect(descriptions).toHaveLength(12)
    for (const d of descriptions) assertNoSecrets(d)
    // The canary check is able to fail: the stored entries do hold the secrets.
    const all = await Promise.all(descriptions.map((d) => store.get(d.ref as string)))
    expect(all.join('\n')).toContain(C_PASSWORD)
    expect(all.join('\n')).toContain(C_TOKEN)
    expect(all.join('\n')).toContain(pfx.toString('base64'))
  })

  it('validation errors carry no secret either', async () => {
    const vault = new CredentialVault({ store: new MemorySecretStore() })
    const bad: CredentialInput[] = [
      { kind: 'signing-key', keyPem: encryptKeyPem(keyPem, C_PASSPHRASE, 'pkcs1'), passphrase: C_PASSWORD },
      { kind: 'client-certificate', format: 'pfx', pfx, passphrase: C_PASSWORD },
      { kind: 'client-certificate', format: 'pfx', pfx: pfx.subarray(0, 500), passphrase: C_PASSPHRASE },
      { kind: 'terminal-password', password: C_PASSWORD + '\n' }
    ]
    for (const input of bad) {
      const r = await vault.save(TERMINAL, input)
      expect(r.ok).toBe(false)
      if (!r.ok) assertNoSecrets(r.error)
    }
  })
})

describe('save / load / has / delete', () => {
  it('round-trips every kind and loads Top-Up material as one unit', async () => {
    const vault = new CredentialVault({ store: new MemorySecretStore() })
    const refs: Record<string, string> = {}
    for (const [owner, input] of inputs()) {
      const r = await vault.save(owner, input)
      if (!r.ok) throw new Error(r.error.message.en)
      refs[input.kind + (input.kind === 'client-certificate' ? input.format : '')] = r.value.ref
      expect(parseCredentialRef(r.value.ref)?.owner).toEqual(owner)
      expect(await vault.has(r.value.ref)).toEqual({ ok: true, value: true })
    }
    const m = await vault.loadTopupAuthMaterial({
      password: refs['terminal-password'],
      signingKey: refs['signing-key'],
      clientCertificate: refs['client-certificatepfx']
    })
    if (!m.ok) throw new Error(m.error.message.en)
    expect(m.value.password).toBe(C_PASSWORD)
    expect(m.value.signing?.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
    expect(m.value.tls?.format).toBe('pfx')
    const none = await vault.loadTopupAuthMaterial({ password: null })
    expect(none).toEqual({ ok: true, value: { password: null, signing: null, tls: null } })
    expect(await vault.loadWalletToken(refs['wallet-token'] as string)).toEqual({ ok: true, value: C_TOKEN })
  })

  it('refuses a credential for the wrong owner type and a loader for the wrong kind', async () => {
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const r = await vault.save(WALLET, { kind: 'terminal-password', password: 'x' })
    expect(r.ok ? null : r.error.code).toBe('invalid-input')
    const bad = await vault.save(
      { type: 'terminal', id: 'has:colon' },
      { kind: 'terminal-password', password: 'x' }
    )
    expect(bad.ok ? null : bad.error.code).toBe('invalid-input')
    expect(store.size).toBe(0)
    const saved = await vault.save(TERMINAL, { kind: 'terminal-password', password: 'x' })
    if (!saved.ok) throw new Error('save')
    const wrong = await vault.loadWalletToken(saved.value.ref)
    expect(wrong.ok ? null : wrong.error.code).toBe('invalid-input')
    expect((await vault.describe('not a ref')).ok).toBe(false)
  })

  it('undoes the save when commit throws', async () => {
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const r = await vault.save(
      TERMINAL,
      { kind: 'terminal-password', password: 'x' },
      {
        commit: () => {
          throw new Error('SQLITE_FULL')
        }
      }
    )
    expect(r.ok ? null : r.error.code).toBe('storage')
    expect(store.size).toBe(0)
  })

  it('delete: clears the reference first; a failing commit deletes nothing', async () => {
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const s = await vault.save(WALLET, { kind: 'wallet-token', token: 'abc' })
    if (!s.ok) throw new Error('save')
    const order: string[] = []
    const failed = await vault.delete(s.value.ref, {
      commit: () => {
        throw new Error('busy')
      }
    })
    expect(failed.ok).toBe(false)
    expect(store.size).toBe(1)
    const d = await vault.delete(s.value.ref, {
      commit: async () => {
        order.push(`commit:${store.size}`)
      }
    })
    expect(d).toEqual({ ok: true, value: { deleted: true } })
    expect(order).toEqual(['commit:1'])
    expect(store.size).toBe(0)
    expect(await vault.has(s.value.ref)).toEqual({ ok: true, value: false })
    expect(await vault.delete(s.value.ref)).toEqual({ ok: true, value: { deleted: false } })
  })

  it('reports a missing entry in session mode as "enter it again this session"', async () => {
    const vault = new CredentialVault({ store: new MemorySecretStore() })
    const r = await vault.loadWalletToken('wallet:w-1:token:0123456789abcdef')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('credential-missing')
    expect(r.error.message.en).toMatch(/this session only/)
    expect(r.error.message.ru).toMatch(/сеанс/)
    expect(toAppErrorData(r.error, 'ru')).toEqual({
      code: 'credential-missing',
      message: r.error.message.ru,
      details: r.error.details
    })
  })

  it('reports a damaged entry, never half-uses it', async () => {
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const s = await vault.save(TERMINAL, { kind: 'signing-key', keyPem })
    if (!s.ok) throw new Error('save')
    const text = (await store.get(s.value.ref)) as string
    for (const damaged of [
      '',
      'garbage',
      text.slice(0, text.length - 5),
      text.replace('"v":1', '"v":2'),
      text.replace(
        /"keyPem":"[^"]*"/,
        '"keyPem":"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"'
      )
    ]) {
      await store.set(s.value.ref, damaged)
      const r = await vault.loadSigningKey(s.value.ref)
      expect(r.ok ? null : r.error.code).toBe('credential-invalid')
    }
  })
})

describe('rotation (replace)', () => {
  it('writes the new entry, switches the reference, deletes the old; old ref is forwarded', async () => {
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const first = await vault.save(TERMINAL, { kind: 'terminal-password', password: 'old-password' })
    if (!first.ok) throw new Error('save')
    let row = first.value.ref
    const seen: Array<{ size: number; oldStillThere: boolean }> = []
    const r = await vault.replace(
      row,
      { kind: 'terminal-password', password: 'new-password' },
      async (newRef) => {
        // At commit time both entries exist: an in-flight payout still reads the old one.
        seen.push({ size: store.size, oldStillThere: (await store.get(row)) !== null })
        if (row !== first.value.ref) throw new Error('CAS failed')
        row = newRef
      }
    )
    if (!r.ok) throw new Error(r.error.message.en)
    expect(seen).toEqual([{ size: 2, oldStillThere: true }])
    expect(r.value.previousRef).toBe(first.value.ref)
    expect(r.value.previousDeleted).toBe(true)
    expect(row).toBe(r.value.ref)
    expect(store.size).toBe(1)
    expect(await store.get(first.value.ref)).toBeNull()
    // A payout that read the old ref before the switch gets the new credential.
    expect(await vault.loadTerminalPassword(first.value.ref)).toEqual({ ok: true, value: 'new-password' })
    expect(await vault.loadTerminalPassword(row)).toEqual({ ok: true, value: 'new-password' })
    const d = await vault.describe(first.value.ref)
    expect(d.ok && d.value.ref).toBe(row)
  })

  it('keeps the old credential when validation or commit fails', async () => {
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const s = await vault.save(TERMINAL, { kind: 'client-certificate', format: 'pem', keyPem, certPem })
    if (!s.ok) throw new Error('save')
    const before = await store.get(s.value.ref)
    let commits = 0
    const invalid = await vault.replace(
      s.value.ref,
      { kind: 'client-certificate', format: 'pfx', pfx: pfx.subarray(0, 100), passphrase: 'x' },
      () => {
        commits++
      }
    )
    expect(invalid.ok ? null : invalid.error.code).toBe('credential-truncated')
    const failing = await vault.replace(
      s.value.ref,
      { kind: 'client-certificate', format: 'pfx', pfx, passphrase: C_PASSPHRASE },
      () => {
        commits++
        throw new Error('row changed')
      }
    )
    expect(failing.ok ? null : failing.error.details?.['reason']).toBe('commit-failed')
    const kindMismatch = await vault.replace(
      s.value.ref,
      { kind: 'terminal-password', password: 'x' },
      () => {
        commits++
      }
    )
    expect(kindMismatch.ok).toBe(false)
    expect(commits).toBe(1)
    expect(store.size).toBe(1)
    expect(await store.get(s.value.ref)).toBe(before)
  })

  it('two concurrent rotations with a compare-and-swap commit leave exactly one entry', async () => {
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const s = await vault.save(WALLET, { kind: 'wallet-token', token: 't0' })
    if (!s.ok) throw new Error('save')
    let row = s.value.ref
    const cas = (expected: string) => (newRef: string) => {
      if (row !== expected) throw new Error('stale')
      row = newRef
    }
    const [a, b] = await Promise.all([
      vault.replace(s.value.ref, { kind: 'wallet-token', token: 't1' }, cas(s.value.ref)),
      vault.replace(s.value.ref, { kind: 'wallet-token', token: 't2' }, cas(s.value.ref))
    ])
    expect([a.ok, b.ok]).toEqual([true, false])
    expect(store.size).toBe(1)
    expect(await vault.loadWalletToken(row)).toEqual({ ok: true, value: 't1' })
  })
})
