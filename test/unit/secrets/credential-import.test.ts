/**
 * Import-time validation (RELIABILITY T3): every good and bad credential file, made at test time
 * with the real OpenSSL 3 CLI (and node-forge where OpenSSL refuses to write the bad case).
 * Each bad case goes through CredentialVault.save and must leave the store untouched.
 */
import { X509Certificate, createPublicKey, sign } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CredentialInput } from '../../../electron/core/secrets/credential-types'
import {
  LEGACY_PFX_CONVERSION,
  derOuterHeader,
  parseOpenSslTime,
  usesLegacyPfxAlgorithms
} from '../../../electron/core/secrets/credential-import'
import { CredentialVault } from '../../../electron/core/secrets/credential-vault'
import { MemorySecretStore } from '../../../electron/core/secrets/memory-secret-store'
import {
  DAY,
  ecKeyAndCert,
  ed25519KeyPem,
  encryptKeyPem,
  makeCert,
  makeTempDir,
  openssl,
  pfxMismatched,
  pfxWithOpenssl,
  rsaKeyPem,
  rsaPkcs1Pem
} from './support/material'

const TERMINAL = { type: 'terminal' as const, id: 'term-1' }
const PASS = 'correct horse battery'

let tmp: { dir: string; cleanup: () => void }
let key: string // PKCS#8, 2048
let otherKey: string
let shortKey: string // 1024
let ca: { certPem: string; keyPem: string }
let clientCert: string // issued by ca for key
let selfCert: string // self-signed for key

beforeAll(() => {
  tmp = makeTempDir()
  key = rsaKeyPem(2048)
  otherKey = rsaKeyPem(2048)
  shortKey = rsaKeyPem(1024)
  const caKey = rsaKeyPem(2048)
  ca = {
    keyPem: caKey,
    certPem: makeCert({
      keyPem: caKey,
      commonName: 'Test QIWI CA',
      isCa: true,
      notAfter: new Date(Date.now() + 3650 * DAY)
    })
  }
  clientCert = makeCert({ keyPem: key, commonName: 'agent 123', issuer: ca })
  selfCert = makeCert({ keyPem: key, commonName: 'self' })
})

afterAll(() => tmp.cleanup())

/** A vault over a store that already holds one credential; bad cases must change nothing. */
async function vaultWithBaseline(): Promise<{
  vault: CredentialVault
  store: MemorySecretStore
  check: () => Promise<void>
}> {
  const store = new MemorySecretStore()
  const vault = new CredentialVault({ store })
  const base = await vault.save(TERMINAL, { kind: 'terminal-password', password: 'baseline-password' })
  if (!base.ok) throw new Error('baseline save failed')
  const before = await store.get(base.value.ref)
  return {
    vault,
    store,
    check: async () => {
      expect(store.size).toBe(1)
      expect(await store.get(base.value.ref)).toBe(before)
    }
  }
}

async function expectRejected(input: CredentialInput, code: string, reason?: string) {
  const { vault, check } = await vaultWithBaseline()
  const r = await vault.save(TERMINAL, input)
  expect(r.ok).toBe(false)
  if (r.ok) return
  expect(r.error.code).toBe(code)
  if (reason !== undefined) expect(r.error.details?.['reason']).toBe(reason)
  expect(r.error.message.ru.length).toBeGreaterThan(10)
  expect(r.error.message.en.length).toBeGreaterThan(10)
  // Russian text is really Russian (Cyrillic), English has none.
  expect(r.error.message.ru).toMatch(/[А-Яа-яЁё]/)
  expect(r.error.message.en).not.toMatch(/[А-Яа-яЁё]/)
  await check()
  return r.error
}

async function expectAccepted(input: CredentialInput) {
  const store = new MemorySecretStore()
  const vault = new CredentialVault({ store })
  const r = await vault.save(TERMINAL, input)
  if (!r.ok) throw new Error(`rejected: ${r.error.code} ${r.error.message.en}`)
  expect(store.size).toBe(1)
  return { vault, store, saved: r.value }
}

function file(name: string, content: string | Buffer): string {
  const p = join(tmp.dir, name)
  writeFileSync(p, content)
  return p
}

describe('signing key (Top-Up mode 2)', () => {
  it.each([
    ['PKCS#8 unencrypted (openssl 3 genrsa)', ['genrsa', '2048'], undefined],
    ['PKCS#1 unencrypted (genrsa -traditional)', ['genrsa', '-traditional', '2048'], undefined],
    ['PKCS#8 encrypted (genrsa -aes256)', ['genrsa', '-aes256', '-passout', `pass:${PASS}`, '2048'], PASS],
    [
      'PKCS#1 encrypted (genrsa -traditional -aes256)',
      ['genrsa', '-traditional', '-aes256', '-passout', `pass:${PASS}`, '2048'],
      PASS
    ]
  ])(
    'accepts %s; public half equals `openssl rsa -pubout`; stored key signs like `openssl dgst -sha1 -sign`',
    async (_name, args, passphrase) => {
      const keyPath = join(tmp.dir, `sk-${Math.random().toString(36).slice(2)}.pem`)
      openssl([...args.slice(0, -1), '-out', keyPath, args[args.length - 1] as string], tmp.dir)
      const keyPem = readFileSync(keyPath, 'utf8')
      const { vault, saved } = await expectAccepted({ kind: 'signing-key', keyPem, passphrase })
      const d = saved.description
      if (d.kind !== 'signing-key') throw new Error('kind')
      expect(d.key).toMatchObject({ algorithm: 'rsa', bits: 2048 })
      expect(d.encryptedAtImport).toBe(passphrase !== undefined)
      expect(d.importedFormat).toBe(keyPem.includes('BEGIN RSA PRIVATE KEY') ? 'pkcs1' : 'pkcs8')
      const pubArgs = [
        'rsa',
        '-in',
        keyPath,
        '-pubout',
        ...(passphrase ? ['-passin', `pass:${passphrase}`] : [])
      ]
      const expectedPub = openssl(pubArgs, tmp.dir).toString()
      expect(d.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
      expect(d.publicKeyPem).toBe(expectedPub)
      expect(d.key.publicKeySha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)

      // Known-answer: the stored (normalized) key signs byte-identically to OpenSSL.
      const body = Buffer.from(
        '<?xml version="1.0" encoding="utf-8"?><request><comment>Привет &amp; пока</comment></request>',
        'utf8'
      )
      const bodyPath = file('body.xml', body)
      const expectedSig = openssl(
        [
          'dgst',
          '-sha1',
          '-sign',
          keyPath,
          ...(passphrase ? ['-passin', `pass:${passphrase}`] : []),
          bodyPath
        ],
        tmp.dir
      )
      const loaded = await vault.loadSigningKey(saved.ref)
      if (!loaded.ok) throw new Error(loaded.error.message.en)
      expect(sign('sha1', body, loaded.value.privateKey).equals(expectedSig)).toBe(true)
    }
  )

  it('rejects a wrong passphrase (PKCS#8 and PKCS#1)', async () => {
    for (const format of ['pkcs8', 'pkcs1'] as const) {
      const e = await expectRejected(
        { kind: 'signing-key', keyPem: encryptKeyPem(key, PASS, format), passphrase: 'wrong' },
        'credential-wrong-passphrase',
        'passphrase-wrong'
      )
      expect(e?.message.en).toContain('passphrase is wrong')
    }
  })

  it('rejects an encrypted key without a passphrase', async () => {
    await expectRejected(
      { kind: 'signing-key', keyPem: encryptKeyPem(key, PASS, 'pkcs8') },
      'credential-wrong-passphrase',
      'passphrase-missing'
    )
    await expectRejected(
      { kind: 'signing-key', keyPem: encryptKeyPem(key, PASS, 'pkcs1'), passphrase: '' },
      'credential-wrong-passphrase',
      'passphrase-missing'
    )
  })

  it('rejects truncated key files', async () => {
    const enc = encryptKeyPem(key, PASS, 'pkcs8')
    for (const pem of [
      key.slice(0, key.length / 2),
      enc.slice(0, 300),
      key.slice(0, key.indexOf('-----END'))
    ]) {
      await expectRejected({ kind: 'signing-key', keyPem: pem, passphrase: PASS }, 'credential-truncated')
    }
    // Lines cut out of the middle, END line kept: the DER length no longer fits.
    const lines = key.trim().split('\n')
    const holed = [...lines.slice(0, 5), ...lines.slice(-3)].join('\n') + '\n'
    await expectRejected({ kind: 'signing-key', keyPem: holed }, 'credential-truncated')
  })

  it('rejects short, non-RSA and non-key material', async () => {
    await expectRejected({ kind: 'signing-key', keyPem: shortKey }, 'credential-invalid', 'key-too-short')
    await expectRejected(
      { kind: 'signing-key', keyPem: rsaPkcs1Pem(shortKey) },
      'credential-invalid',
      'key-too-short'
    )
    await expectRejected({ kind: 'signing-key', keyPem: ed25519KeyPem() }, 'credential-invalid', 'not-rsa')
    await expectRejected(
      { kind: 'signing-key', keyPem: ecKeyAndCert(tmp.dir).keyPem },
      'credential-invalid',
      'not-rsa'
    )
    await expectRejected({ kind: 'signing-key', keyPem: selfCert }, 'credential-invalid', 'no-private-key')
    await expectRejected(
      {
        kind: 'signing-key',
        keyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString()
      },
      'credential-invalid',
      'no-private-key'
    )
    await expectRejected({ kind: 'signing-key', keyPem: '' }, 'credential-invalid', 'empty')
    await expectRejected({ kind: 'signing-key', keyPem: 'hello world' }, 'credential-invalid', 'not-pem')
    await expectRejected({ kind: 'signing-key', keyPem: key + key }, 'credential-invalid', 'several-keys')
    await expectRejected(
      { kind: 'signing-key', keyPem: key.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!') },
      'credential-invalid'
    )
    const der = openssl(['pkey', '-outform', 'DER', '-in', file('k.pem', key)], tmp.dir)
    await expectRejected({ kind: 'signing-key', keyPem: der }, 'credential-invalid', 'not-pem')
    await expectRejected(
      { kind: 'signing-key', keyPem: Buffer.alloc(300 * 1024, 65) },
      'credential-invalid',
      'too-large'
    )
  })
})

describe('client certificate (Top-Up mode 3)', () => {
  it('accepts a modern OpenSSL 3 PFX and describes it', async () => {
    const pfx = pfxWithOpenssl(tmp.dir, { keyPem: key, certPem: clientCert, passphrase: PASS })
    expect(usesLegacyPfxAlgorithms(pfx)).toBe(false)
    const { vault, saved } = await expectAccepted({
      kind: 'client-certificate',
      format: 'pfx',
      pfx,
      passphrase: PASS,
      serverCa: ca.certPem
    })
    const d = saved.description
    if (d.kind !== 'client-certificate') throw new Error('kind')
    const x = new X509Certificate(clientCert)
    expect(d.format).toBe('pfx')
    expect(d.label).toBe('agent 123')
    expect(d.certificate.fingerprintSha256).toBe(x.fingerprint256)
    expect(d.certificate.serialNumber).toBe(x.serialNumber.toUpperCase())
    expect(d.certificate.subject).toBe('C=RU, O=QIWI Desk Test, CN=agent 123')
    expect(d.certificate.issuer).toBe('C=RU, O=QIWI Desk Test, CN=Test QIWI CA')
    expect(d.certificate.daysLeft).toBeGreaterThanOrEqual(363)
    expect(d.certificate.daysLeft).toBeLessThanOrEqual(365)
    expect(d.certificate.expiresSoon).toBe(false)
    expect(d.key).toMatchObject({ algorithm: 'rsa', bits: 2048 })
    expect(d.serverCa).toHaveLength(1)
    expect(d.serverCa[0]?.isCa).toBe(true)
    // Stored as is + passphrase.
    const tls = await vault.loadTlsClientMaterial(saved.ref)
    if (!tls.ok || tls.value.format !== 'pfx') throw new Error('pfx expected')
    expect(tls.value.pfx.equals(pfx)).toBe(true)
    expect(tls.value.passphrase).toBe(PASS)
    expect(tls.value.ca).toContain('BEGIN CERTIFICATE')
  })

  it('accepts an OpenSSL 1.1-style PFX (PBE-SHA1-3DES, SHA-1 MAC) with a chain', async () => {
    const pfx = pfxWithOpenssl(tmp.dir, {
      keyPem: key,
      certPem: clientCert,
      chainPem: ca.certPem,
      passphrase: PASS,
      encoding: '3des'
    })
    const { saved } = await expectAccepted({
      kind: 'client-certificate',
      format: 'pfx',
      pfx,
      passphrase: PASS
    })
    if (saved.description.kind !== 'client-certificate') throw new Error('kind')
    expect(saved.description.certificate.subject).toContain('CN=agent 123')
    expect(saved.description.chain.map((c) => c.subject)).toEqual(['C=RU, O=QIWI Desk Test, CN=Test QIWI CA'])
  })

  it('accepts PEM key + certificate: PKCS#1, encrypted PKCS#8 with chain, EC P-256, DER CA', async () => {
    const a = await expectAccepted({
      kind: 'client-certificate',
      format: 'pem',
      keyPem: rsaPkcs1Pem(key),
      certPem: clientCert
    })
    if (a.saved.description.kind !== 'client-certificate') throw new Error('kind')
    expect(a.saved.description.format).toBe('pem')
    const tls = await a.vault.loadTlsClientMaterial(a.saved.ref)
    if (!tls.ok || tls.value.format !== 'pem') throw new Error('pem expected')
    expect(tls.value.key).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    expect(tls.value.ca).toBeNull()

    // Chain first, leaf second in the file: the leaf is found by its key and put first.
    const b = await expectAccepted({
      kind: 'client-certificate',
      format: 'pem',
      keyPem: encryptKeyPem(key, PASS, 'pkcs8'),
      certPem: ca.certPem + clientCert,
      passphrase: PASS,
      serverCa: new X509Certificate(ca.certPem).raw
    })
    if (b.saved.description.kind !== 'client-certificate') throw new Error('kind')
    expect(b.saved.description.certificate.subject).toContain('CN=agent 123')
    expect(b.saved.description.chain).toHaveLength(1)
    expect(b.saved.description.serverCa).toHaveLength(1)
    const tlsB = await b.vault.loadTlsClientMaterial(b.saved.ref)
    if (!tlsB.ok || tlsB.value.format !== 'pem') throw new Error('pem expected')
    expect(new X509Certificate(tlsB.value.cert).fingerprint256).toBe(
      new X509Certificate(clientCert).fingerprint256
    )
    // Stored decrypted: no passphrase is needed at pay time.
    expect(tlsB.value.key).not.toContain('ENCRYPTED')

    const ec = ecKeyAndCert(tmp.dir)
    const c = await expectAccepted({
      kind: 'client-certificate',
      format: 'pem',
      keyPem: ec.keyPem,
      certPem: ec.certPem
    })
    if (c.saved.description.kind !== 'client-certificate') throw new Error('kind')
    expect(c.saved.description.key).toMatchObject({ algorithm: 'ec', bits: 256, curve: 'prime256v1' })
  })

  it('accepts a PFX holding an EC P-384 key (node-forge cannot parse EC keys; the raw PKCS#8 is used)', async () => {
    const ec = ecKeyAndCert(tmp.dir, 'P-384')
    const pfx = pfxWithOpenssl(tmp.dir, { keyPem: ec.keyPem, certPem: ec.certPem, passphrase: PASS })
    const { saved } = await expectAccepted({
      kind: 'client-certificate',
      format: 'pfx',
      pfx,
      passphrase: PASS
    })
    if (saved.description.kind !== 'client-certificate') throw new Error('kind')
    expect(saved.description.key).toMatchObject({ algorithm: 'ec', bits: 384, curve: 'secp384r1' })
    expect(saved.description.certificate.fingerprintSha256).toBe(
      new X509Certificate(ec.certPem).fingerprint256
    )
  })

  it('flags a certificate expiring within 30 days', async () => {
    const soon = makeCert({
      keyPem: key,
      commonName: 'soon',
      issuer: ca,
      notAfter: new Date(Date.now() + 10 * DAY + 60_000)
    })
    const { saved } = await expectAccepted({
      kind: 'client-certificate',
      format: 'pem',
      keyPem: key,
      certPem: soon
    })
    if (saved.description.kind !== 'client-certificate') throw new Error('kind')
    expect(saved.description.certificate.daysLeft).toBe(10)
    expect(saved.description.certificate.expiresSoon).toBe(true)
  })

  it('rejects a legacy RC2-40 PFX with the conversion command (and the conversion works)', async () => {
    const legacy = pfxWithOpenssl(tmp.dir, {
      keyPem: key,
      certPem: clientCert,
      passphrase: PASS,
      encoding: 'legacy'
    })
    expect(usesLegacyPfxAlgorithms(legacy)).toBe(true)
    const e = await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx: legacy, passphrase: PASS },
      'credential-legacy-pfx'
    )
    expect(e?.message.en).toContain(LEGACY_PFX_CONVERSION)
    expect(e?.message.ru).toContain(LEGACY_PFX_CONVERSION)
    // Even with a wrong passphrase the user is told to convert first.
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx: legacy, passphrase: 'nope' },
      'credential-legacy-pfx'
    )

    // The advice is real: run exactly those commands on this machine's OpenSSL 3.
    const dir = makeTempDir()
    try {
      writeFileSync(join(dir.dir, 'old.pfx'), legacy)
      writeFileSync(join(dir.dir, 'pw'), PASS)
      openssl(
        ['pkcs12', '-in', 'old.pfx', '-legacy', '-nodes', '-out', 'tmp.pem', '-passin', 'file:pw'],
        dir.dir
      )
      openssl(['pkcs12', '-export', '-in', 'tmp.pem', '-out', 'new.pfx', '-passout', 'file:pw'], dir.dir)
      const converted = readFileSync(join(dir.dir, 'new.pfx'))
      await expectAccepted({ kind: 'client-certificate', format: 'pfx', pfx: converted, passphrase: PASS })
    } finally {
      dir.cleanup()
    }
  })

  it('rejects a wrong PFX passphrase', async () => {
    const pfx = pfxWithOpenssl(tmp.dir, { keyPem: key, certPem: clientCert, passphrase: PASS })
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx, passphrase: 'wrong' },
      'credential-wrong-passphrase'
    )
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx, passphrase: '' },
      'credential-wrong-passphrase'
    )
  })

  it('rejects truncated PFX files at any cut', async () => {
    const pfx = pfxWithOpenssl(tmp.dir, { keyPem: key, certPem: clientCert, passphrase: PASS })
    for (const cut of [1, 2, 3, 4, 10, 100, Math.floor(pfx.length / 2), pfx.length - 1]) {
      const part = pfx.subarray(0, cut)
      expect(derOuterHeader(part).kind).toBe('truncated')
      await expectRejected(
        { kind: 'client-certificate', format: 'pfx', pfx: part, passphrase: PASS },
        'credential-truncated'
      )
    }
  })

  it('rejects a PFX whose key does not match its certificate', async () => {
    const pfx = pfxMismatched(otherKey, clientCert, PASS)
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx, passphrase: PASS },
      'credential-key-mismatch'
    )
  })

  it('rejects a PEM key that does not match the certificate', async () => {
    await expectRejected(
      { kind: 'client-certificate', format: 'pem', keyPem: otherKey, certPem: clientCert },
      'credential-key-mismatch'
    )
  })

  it('rejects expired and not-yet-valid certificates (PEM and PFX)', async () => {
    const expired = makeCert({
      keyPem: key,
      commonName: 'old',
      issuer: ca,
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - DAY)
    })
    const future = makeCert({
      keyPem: key,
      commonName: 'future',
      issuer: ca,
      notBefore: new Date(Date.now() + 10 * DAY),
      notAfter: new Date(Date.now() + 400 * DAY)
    })
    const e1 = await expectRejected(
      { kind: 'client-certificate', format: 'pem', keyPem: key, certPem: expired },
      'credential-expired'
    )
    expect(e1?.message.en).toContain('CN=old')
    await expectRejected(
      { kind: 'client-certificate', format: 'pem', keyPem: key, certPem: future },
      'credential-not-yet-valid'
    )
    const pfxOld = pfxWithOpenssl(tmp.dir, { keyPem: key, certPem: expired, passphrase: PASS })
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx: pfxOld, passphrase: PASS },
      'credential-expired'
    )
    const pfxFuture = pfxWithOpenssl(tmp.dir, { keyPem: key, certPem: future, passphrase: PASS })
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx: pfxFuture, passphrase: PASS },
      'credential-not-yet-valid'
    )
  })

  it('rejects a too short key, garbage and PEM passed as PFX', async () => {
    const shortCert = makeCert({ keyPem: shortKey, commonName: 'short' })
    await expectRejected(
      { kind: 'client-certificate', format: 'pem', keyPem: shortKey, certPem: shortCert },
      'credential-invalid',
      'key-too-short'
    )
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx: Buffer.from(clientCert), passphrase: PASS },
      'credential-invalid',
      'pem-not-pfx'
    )
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx: Buffer.from('not a pfx at all'), passphrase: PASS },
      'credential-invalid',
      'not-pkcs12'
    )
    await expectRejected(
      { kind: 'client-certificate', format: 'pfx', pfx: new Uint8Array(0), passphrase: PASS },
      'credential-invalid',
      'empty'
    )
    await expectRejected(
      { kind: 'client-certificate', format: 'pem', keyPem: key, certPem: 'no cert here' },
      'credential-invalid',
      'no-certificate'
    )
  })

  it('rejects a truncated certificate and bad server CA files, storing nothing', async () => {
    await expectRejected(
      { kind: 'client-certificate', format: 'pem', keyPem: key, certPem: clientCert.slice(0, 400) },
      'credential-truncated'
    )
    const caDer = new X509Certificate(ca.certPem).raw
    const pem = {
      kind: 'client-certificate' as const,
      format: 'pem' as const,
      keyPem: key,
      certPem: clientCert
    }
    await expectRejected({ ...pem, serverCa: caDer.subarray(0, caDer.length - 20) }, 'credential-truncated')
    await expectRejected({ ...pem, serverCa: ca.certPem.slice(0, 200) }, 'credential-truncated')
    await expectRejected({ ...pem, serverCa: 'garbage' }, 'credential-invalid')
    const caKey = rsaKeyPem(2048)
    const expiredCa = makeCert({
      keyPem: caKey,
      commonName: 'Old CA',
      isCa: true,
      notBefore: new Date(Date.now() - 900 * DAY),
      notAfter: new Date(Date.now() - 2 * DAY)
    })
    await expectRejected({ ...pem, serverCa: expiredCa }, 'credential-expired')
  })
})

describe('passwords, tokens, logins', () => {
  const WALLET = { type: 'wallet' as const, id: 'w-1' }

  it('accepts them and normalizes token and login', async () => {
    await expectAccepted({ kind: 'terminal-password', password: ' spaces kept ' })
    const store = new MemorySecretStore()
    const vault = new CredentialVault({ store })
    const t = await vault.save(WALLET, {
      kind: 'wallet-token',
      token: '  Bearer U1QtOTkwMTAyLWNud3FpdWhmbzg3M \n'
    })
    if (!t.ok) throw new Error(t.error.message.en)
    expect(await vault.loadWalletToken(t.value.ref)).toEqual({
      ok: true,
      value: 'U1QtOTkwMTAyLWNud3FpdWhmbzg3M'
    })
    const c = await vault.save(WALLET, { kind: 'cas-login', login: '+7 (999) 123-45-67', password: 'пароль' })
    if (!c.ok) throw new Error(c.error.message.en)
    expect(await vault.loadCasCredentials(c.value.ref)).toEqual({
      ok: true,
      value: { login: '79991234567', password: 'пароль' }
    })
    expect(c.value.description).toMatchObject({ kind: 'cas-login', loginMasked: '*******4567' })
    const p = await vault.loadTerminalPassword(
      (
        (await vault.save(TERMINAL, { kind: 'terminal-password', password: ' spaces kept ' })) as {
          ok: true
          value: { ref: string }
        }
      ).value.ref
    )
    expect(p).toEqual({ ok: true, value: ' spaces kept ' })
  })

  it('rejects empty, control characters, too long, bad token and login formats', async () => {
    await expectRejected({ kind: 'terminal-password', password: '' }, 'credential-invalid', 'value-empty')
    await expectRejected(
      { kind: 'terminal-password', password: 'pass\nword' },
      'credential-invalid',
      'value-control-chars'
    )
    await expectRejected(
      { kind: 'terminal-password', password: 'a\u0000b' },
      'credential-invalid',
      'value-control-chars'
    )
    await expectRejected(
      { kind: 'terminal-password', password: 'lone \ud800 surrogate' },
      'credential-invalid',
      'value-control-chars'
    )
    await expectRejected(
      { kind: 'terminal-password', password: 'x'.repeat(257) },
      'credential-invalid',
      'value-too-long'
    )
    const { vault, store } = await vaultWithBaseline()
    const walletCases: CredentialInput[] = [
      { kind: 'wallet-token', token: 'has space inside' },
      { kind: 'wallet-token', token: 'токен' },
      { kind: 'wallet-token', token: '   ' },
      { kind: 'cas-login', login: '12345', password: 'x' },
      { kind: 'cas-login', login: '79991234567', password: '' }
    ]
    for (const input of walletCases) {
      const r = await vault.save({ type: 'wallet', id: 'w-1' }, input)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('credential-invalid')
    }
    expect(store.size).toBe(1)
  })
})

describe('helpers', () => {
  it('parses OpenSSL time strings as Node 20 prints them', () => {
    expect(parseOpenSslTime('Dec  2 16:48:41 2026 GMT')?.toISOString()).toBe('2026-12-02T16:48:41.000Z')
    expect(parseOpenSslTime('Nov 22 00:00:00 2050 GMT')?.toISOString()).toBe('2050-11-22T00:00:00.000Z')
    expect(parseOpenSslTime('Foo 22 00:00:00 2050 GMT')).toBeNull()
    expect(parseOpenSslTime('2050-11-22')).toBeNull()
  })

  it('agrees with X509Certificate on real certificates', () => {
    const x = new X509Certificate(clientCert)
    const nb = parseOpenSslTime(x.validFrom)
    const na = parseOpenSslTime(x.validTo)
    expect(nb).not.toBeNull()
    expect(na).not.toBeNull()
    expect(Math.abs((na as Date).getTime() - Date.now() - 365 * DAY)).toBeLessThan(2 * DAY)
  })
})
