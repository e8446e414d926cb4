/**
 * Credential material made at test time: RSA/EC keys (node:crypto, the openssl CLI), X.509
 * certificates with chosen validity (node-forge signs them), PFX files written by the real
 * OpenSSL 3 CLI in modern and legacy encodings, and a key/certificate-mismatched PFX that
 * OpenSSL refuses to write (node-forge assembles it).
 */
import { execFileSync } from 'node:child_process'
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import forge from 'node-forge'

export const DAY = 86_400_000

export function makeTempDir(prefix = 'qd-secrets-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export function openssl(args: string[], cwd: string): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
}

export function rsaKeyPem(bits = 2048): string {
  return generateKeyPairSync('rsa', { modulusLength: bits })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString()
}

export function rsaPkcs1Pem(pkcs8Pem: string): string {
  return forge.pki.privateKeyToPem(forge.pki.privateKeyFromPem(pkcs8Pem))
}

export function ed25519KeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

/** Encrypts a key with AES-256-CBC: PKCS#8 "ENCRYPTED PRIVATE KEY" or PKCS#1 with DEK-Info headers. */
export function encryptKeyPem(pem: string, passphrase: string, format: 'pkcs1' | 'pkcs8'): string {
  return createPrivateKey(pem)
    .export({ type: format, format: 'pem', cipher: 'aes-256-cbc', passphrase })
    .toString()
}

export interface CertOptions {
  keyPem: string
  commonName: string
  notBefore?: Date
  notAfter?: Date
  /** Signer; self-signed when absent. */
  issuer?: { certPem: string; keyPem: string }
  isCa?: boolean
  /** A TLS server certificate for these names (subjectAltName + serverAuth). */
  serverNames?: string[]
  /** A TLS client certificate (clientAuth). */
  client?: boolean
}

let serial = 1

export function makeCert(o: CertOptions): string {
  const key = forge.pki.privateKeyFromPem(o.keyPem)
  const pub = forge.pki.setRsaPublicKey(key.n, key.e)
  const cert = forge.pki.createCertificate()
  cert.publicKey = pub
  cert.serialNumber = (0x10000000 + serial++).toString(16)
  cert.validity.notBefore = o.notBefore ?? new Date(Date.now() - DAY)
  cert.validity.notAfter = o.notAfter ?? new Date(Date.now() + 365 * DAY)
  const subject = [
    { name: 'countryName', value: 'RU' },
    { name: 'organizationName', value: 'QIWI Desk Test' },
    { name: 'commonName', value: o.commonName }
  ]
  cert.setSubject(subject)
  cert.setIssuer(o.issuer ? forge.pki.certificateFromPem(o.issuer.certPem).subject.attributes : subject)
  const extensions: object[] = [{ name: 'basicConstraints', cA: o.isCa === true, critical: true }]
  if (o.serverNames) {
    extensions.push({ name: 'extKeyUsage', serverAuth: true })
    extensions.push({
      name: 'subjectAltName',
      altNames: o.serverNames.map((n) => (/^[\d.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n }))
    })
  }
  if (o.client) extensions.push({ name: 'extKeyUsage', clientAuth: true })
  cert.setExtensions(extensions)
  cert.sign(forge.pki.privateKeyFromPem(o.issuer?.keyPem ?? o.keyPem), forge.md.sha256.create())
  return forge.pki.certificateToPem(cert)
}

export interface PfxOptions {
  keyPem: string
  certPem: string
  chainPem?: string
  passphrase: string
  /** 'modern' = OpenSSL 3 defaults (PBES2/AES-256-CBC, HMAC-SHA256 MAC); 'legacy' = RC2-40 certs; '3des' = OpenSSL 1.1 defaults. */
  encoding?: 'modern' | 'legacy' | '3des'
}

/** Writes a PFX with the real `openssl pkcs12 -export`. */
export function pfxWithOpenssl(dir: string, o: PfxOptions): Buffer {
  const id = randomBytes(4).toString('hex')
  const key = join(dir, `k-${id}.pem`)
  const cert = join(dir, `c-${id}.pem`)
  const out = join(dir, `p-${id}.pfx`)
  const pass = join(dir, `pw-${id}.txt`)
  writeFileSync(key, o.keyPem)
  writeFileSync(cert, o.certPem + (o.chainPem ?? ''))
  writeFileSync(pass, o.passphrase + '\n')
  const enc = o.encoding ?? 'modern'
  const extra =
    enc === 'legacy'
      ? ['-legacy', '-certpbe', 'PBE-SHA1-RC2-40', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']
      : enc === '3des'
        ? ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']
        : []
  openssl(
    ['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', out, '-passout', `file:${pass}`, ...extra],
    dir
  )
  return readFileSync(out)
}

/** A PFX whose key does not belong to its certificate (OpenSSL refuses to write one). */
export function pfxMismatched(keyPem: string, certPem: string, passphrase: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(keyPem),
    [forge.pki.certificateFromPem(certPem)],
    passphrase,
    {
      algorithm: 'aes256'
    }
  )
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')
}

/** An EC P-256 key and a self-signed certificate for it, from the openssl CLI. */
export function ecKeyAndCert(dir: string, curve = 'P-256'): { keyPem: string; certPem: string } {
  const id = randomBytes(4).toString('hex')
  const key = join(dir, `ec-${id}.key`)
  const cert = join(dir, `ec-${id}.crt`)
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      `ec_paramgen_curve:${curve}`,
      '-nodes',
      '-subj',
      '/CN=ec-client',
      '-days',
      '90',
      '-keyout',
      key,
      '-out',
      cert
    ],
    dir
  )
  return { keyPem: readFileSync(key, 'utf8'), certPem: readFileSync(cert, 'utf8') }
}

/** Every string value (recursively) of an object: used to prove a canary never appears. */
export function walkStrings(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') out.push(x)
  else if (Array.isArray(x)) for (const v of x) walkStrings(v, out)
  else if (typeof x === 'object' && x !== null) {
    for (const [k, v] of Object.entries(x)) {
      out.push(k)
      walkStrings(v, out)
    }
  }
  return out
}
