/**
 * Digital-signature authentication (spec §3.2, RELIABILITY T4).
 *
 * RSASSA-PKCS1-v1_5 over the exact body octets, base64 in `X-Digital-Sign`; the
 * JCA algorithm name goes into `X-Digital-Sign-Alg`. The signature is computed over
 * the same Buffer that is sent: never re-serialize after signing.
 */
import { createPrivateKey, sign as cryptoSign } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { err, ok } from '../../../shared/result'
import type { Result } from '../../../shared/result'
import type { SignatureAlgorithm } from './types'

const DIGEST: Record<SignatureAlgorithm, string> = { SHA1withRSA: 'sha1', MD5withRSA: 'md5' }

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['SHA1withRSA', 'MD5withRSA']

/**
 * Loads an RSA private key: PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8
 * (`BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE KEY`), encrypted or not.
 * Errors carry no key material.
 */
export function loadSigningKey(pem: string | Buffer, passphrase?: string): Result<KeyObject> {
  let key: KeyObject
  try {
    key = createPrivateKey(
      passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase }
    )
  } catch (e) {
    const code =
      typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : ''
    // OpenSSL reports a missing or wrong passphrase in several ways depending on the key format.
    const message = e instanceof Error ? e.message : ''
    const wrongPass =
      code === 'ERR_MISSING_PASSPHRASE' || /bad decrypt|passphrase|interrupted or cancelled/i.test(message)
    return wrongPass
      ? err('credential-wrong-passphrase', 'The signing key passphrase is missing or wrong')
      : err(
          'credential-invalid',
          'The signing key is not a readable PEM private key',
          code ? { nodeCode: code } : undefined
        )
  }
  if (key.asymmetricKeyType !== 'rsa') {
    return err('credential-invalid', 'The signing key must be an RSA key', {
      keyType: key.asymmetricKeyType ?? null
    })
  }
  return ok(key)
}

/** Signs the exact body bytes; returns the base64 value for `X-Digital-Sign` (one line, padded). */
export function signBody(body: Uint8Array, key: KeyObject, algorithm: SignatureAlgorithm): Result<string> {
  try {
    return ok(cryptoSign(DIGEST[algorithm], body, key).toString('base64'))
  } catch (e) {
    // A policy-hardened OpenSSL may refuse SHA-1/MD5 signatures.
    const code =
      typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : ''
    return err(
      'credential-invalid',
      `Signing with ${algorithm} failed`,
      code ? { nodeCode: code } : undefined
    )
  }
}

/** Headers of a signed request. */
export function signatureHeaders(signature: string, algorithm: SignatureAlgorithm): Record<string, string> {
  return { 'X-Digital-Sign': signature, 'X-Digital-Sign-Alg': algorithm }
}
