import { createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { VECTORS_DIR } from '../../support/paths'
import {
  buildPayRequest,
  loadSigningKey,
  signBody,
  signatureHeaders
} from '../../../electron/core/topup/index'
import type { SignatureAlgorithm } from '../../../electron/core/topup/index'

const dir = join(VECTORS_DIR, 'derived/xml-signature')
const body = readFileSync(join(dir, 'body.xml'))
const privatePem = readFileSync(join(dir, 'test-private.key'), 'utf8')
const publicPem = readFileSync(join(dir, 'test-public.key'), 'utf8')
/** T4 asks for 10^5-scale confidence nightly; CI signs 3,000 fuzzed bodies (≈1 ms each). */
const SIGN_RUNS = Number(process.env['TOPUP_SIGN_RUNS'] ?? 3000)

const expected: Record<SignatureAlgorithm, string> = {
  SHA1withRSA: readFileSync(join(dir, 'x-digital-sign.SHA1withRSA.txt'), 'utf8'),
  MD5withRSA: readFileSync(join(dir, 'x-digital-sign.MD5withRSA.txt'), 'utf8')
}

function key(pem: string | Buffer, pass?: string) {
  const k = loadSigningKey(pem, pass)
  if (!k.ok) throw new Error(`${k.error.code}: ${k.error.message}`)
  return k.value
}

describe('T4: signature known-answer test (derived/xml-signature)', () => {
  it('the vector files are what the README says', () => {
    expect(body.length).toBe(534)
    expect(body.equals(readFileSync(join(VECTORS_DIR, 'topup/pay-wallet-request.en.xml')))).toBe(true)
    expect(expected.SHA1withRSA).toMatch(/^[A-Za-z0-9+/]{342}==$/)
  })

  it.each(['SHA1withRSA', 'MD5withRSA'] as const)('%s matches byte for byte', (alg) => {
    const sig = signBody(body, key(privatePem), alg)
    expect(sig).toEqual({ ok: true, value: expected[alg] })
    if (sig.ok) {
      expect(sig.value.length).toBe(344)
      expect(signatureHeaders(sig.value, alg)).toEqual({
        'X-Digital-Sign': expected[alg],
        'X-Digital-Sign-Alg': alg
      })
    }
  })

  it('our builder produces exactly the signed body bytes for the same payment', () => {
    const r = buildPayRequest(
      { terminalId: '123', password: '***' },
      {
        service: 'wallet',
        transactionNumber: '12345678',
        amountKopecks: 111500,
        accountNumber: '79181234567',
        incomeWireTransfer: true
      }
    )
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.body.equals(body)).toBe(true)
    expect(signBody(r.value.body, key(privatePem), 'SHA1withRSA')).toEqual({
      ok: true,
      value: expected.SHA1withRSA
    })
  })

  it('accepts PKCS#1 and PKCS#8, encrypted or not, with the same signature', () => {
    const k = createPrivateKey(privatePem)
    const pass = 'Pass-фраза 1'
    const variants: Array<[string, string, string | undefined]> = [
      ['pkcs8', k.export({ type: 'pkcs8', format: 'pem' }).toString(), undefined],
      ['pkcs1', k.export({ type: 'pkcs1', format: 'pem' }).toString(), undefined],
      [
        'pkcs8 encrypted',
        k.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: pass }).toString(),
        pass
      ],
      [
        'pkcs1 encrypted',
        k.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: pass }).toString(),
        pass
      ]
    ]
    for (const [name, pem, pp] of variants) {
      if (name === 'pkcs1') expect(pem).toContain('BEGIN RSA PRIVATE KEY')
      if (name === 'pkcs8 encrypted') expect(pem).toContain('BEGIN ENCRYPTED PRIVATE KEY')
      for (const alg of ['SHA1withRSA', 'MD5withRSA'] as const) {
        expect(signBody(body, key(pem, pp), alg), `${name} ${alg}`).toEqual({
          ok: true,
          value: expected[alg]
        })
      }
      // Buffer input works too.
      expect(signBody(body, key(Buffer.from(pem), pp), 'SHA1withRSA').ok).toBe(true)
    }
  })

  it('rejects a wrong or missing passphrase, garbage and non-RSA keys without leaking material', () => {
    const k = createPrivateKey(privatePem)
    const enc8 = k
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' })
      .toString()
    const enc1 = k
      .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' })
      .toString()
    for (const [pem, pp] of [
      [enc8, 'wrong'],
      [enc8, undefined],
      [enc1, 'wrong'],
      [enc1, undefined]
    ] as const) {
      const r = loadSigningKey(pem, pp)
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('credential-wrong-passphrase')
        expect(JSON.stringify(r.error)).not.toContain('right')
      }
    }
    const garbage = loadSigningKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')
    expect(garbage.ok).toBe(false)
    if (!garbage.ok) expect(garbage.error.code).toBe('credential-invalid')
    expect(loadSigningKey(publicPem).ok).toBe(false)
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    const r = loadSigningKey(ec)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('credential-invalid')
  })

  it(`signs the exact bytes: fuzzed bodies with Cyrillic/hostile comments verify with the public key (${SIGN_RUNS} runs, seed 4242)`, () => {
    const priv = key(privatePem)
    const pub = createPublicKey(publicPem)
    let n = 0
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.constantFrom('SHA1withRSA', 'MD5withRSA'),
        (comment, alg) => {
          const r = buildPayRequest(
            { terminalId: '123' },
            {
              service: 'wallet',
              transactionNumber: '1',
              amountKopecks: 100,
              accountNumber: '79181234567',
              incomeWireTransfer: false,
              comment: `Перевод ${comment}`
            }
          )
          if (!r.ok) return true
          const sig = signBody(r.value.body, priv, alg as SignatureAlgorithm)
          if (!sig.ok) return false
          n++
          const digest = alg === 'SHA1withRSA' ? 'sha1' : 'md5'
          const good = verify(digest, r.value.body, pub, Buffer.from(sig.value, 'base64'))
          // One flipped byte must not verify: the signature covers every octet.
          const tampered = Buffer.from(r.value.body)
          const at = tampered.length - 2
          tampered[at] = (tampered[at] ?? 0) ^ 0x01
          const bad = verify(digest, tampered, pub, Buffer.from(sig.value, 'base64'))
          return good && !bad
        }
      ),
      { numRuns: SIGN_RUNS, seed: 4242 }
    )
    expect(n).toBeGreaterThan(SIGN_RUNS * 0.9)
  })
})
