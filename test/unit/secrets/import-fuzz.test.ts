/**
 * RELIABILITY T3: nothing the user can feed the importer makes it throw; every outcome is a
 * result. Anything accepted must also be accepted by OpenSSL for TLS/signing (no material that
 * passes import and then fails at pay time). Fixed seeds, printed in the test names.
 */
import { createPrivateKey } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  validateClientCertificate,
  validateSigningKey
} from '../../../electron/core/secrets/credential-import'
import { makeCert, makeTempDir, pfxWithOpenssl, rsaKeyPem } from './support/material'

const SEED = 424242
const PASS = 'fuzz-pass'

let keyPem: string
let certPem: string
let pfx: Buffer

beforeAll(() => {
  const tmp = makeTempDir()
  try {
    keyPem = rsaKeyPem(2048)
    certPem = makeCert({ keyPem, commonName: 'fuzz' })
    pfx = pfxWithOpenssl(tmp.dir, { keyPem, certPem, passphrase: PASS })
  } finally {
    tmp.cleanup()
  }
})

/** A mutation of `base`: truncate, flip bytes, insert or delete a span. */
function mutated(base: () => Buffer): fc.Arbitrary<Buffer> {
  return fc
    .record({
      op: fc.constantFrom('truncate', 'flip', 'insert', 'delete'),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      len: fc.integer({ min: 1, max: 64 }),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 64 })
    })
    .map(({ op, at, len, bytes }) => {
      const b = Buffer.from(base())
      const i = Math.min(b.length - 1, Math.floor(at * b.length))
      switch (op) {
        case 'truncate':
          return b.subarray(0, i)
        case 'flip': {
          for (let k = 0; k < Math.min(len, bytes.length) && i + k < b.length; k++) {
            b[i + k] = (b[i + k] as number) ^ ((bytes[k] as number) | 1)
          }
          return b
        }
        case 'insert':
          return Buffer.concat([b.subarray(0, i), Buffer.from(bytes), b.subarray(i)])
        default:
          return Buffer.concat([b.subarray(0, i), b.subarray(i + len)])
      }
    })
}

describe('import never throws', () => {
  it(`PFX: random bytes and mutations of a real PFX (seed ${SEED})`, () => {
    let accepted = 0
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)),
          mutated(() => pfx)
        ),
        fc.constantFrom(PASS, '', 'x'),
        (bytes, passphrase) => {
          const r = validateClientCertificate({
            kind: 'client-certificate',
            format: 'pfx',
            pfx: bytes,
            passphrase
          })
          expect(typeof r.ok).toBe('boolean')
          if (r.ok) {
            accepted++
            expect(() => createSecureContext({ pfx: bytes, passphrase })).not.toThrow()
          } else {
            expect(r.error.code).toMatch(/^credential-/)
          }
        }
      ),
      { seed: SEED, numRuns: 300 }
    )
    // Most mutations are caught by the MAC; the property above holds either way.
    expect(accepted).toBeLessThan(300)
  })

  it(`PEM key and certificate: random text and mutations (seed ${SEED})`, () => {
    const text = (s: () => string) => mutated(() => Buffer.from(s())).map((b) => b.toString('latin1'))
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          text(() => keyPem)
        ),
        fc.oneof(
          fc.string({ maxLength: 300 }),
          text(() => certPem)
        ),
        (k, c) => {
          const sk = validateSigningKey({ kind: 'signing-key', keyPem: k })
          if (sk.ok) {
            const m = sk.value.material
            expect(m.kind === 'signing-key' && createPrivateKey(m.keyPem).asymmetricKeyType).toBe('rsa')
          } else {
            expect(sk.error.code).toMatch(/^credential-/)
          }
          const cc = validateClientCertificate({
            kind: 'client-certificate',
            format: 'pem',
            keyPem: k,
            certPem: c
          })
          if (
            cc.ok &&
            cc.value.material.kind === 'client-certificate' &&
            cc.value.material.format === 'pem'
          ) {
            const m = cc.value.material
            expect(() => createSecureContext({ key: m.keyPem, cert: m.certPem })).not.toThrow()
          } else if (!cc.ok) {
            expect(cc.error.code).toMatch(/^credential-/)
          }
        }
      ),
      { seed: SEED, numRuns: 400 }
    )
  })
})
