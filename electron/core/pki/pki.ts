/**
 * Small PKI toolkit: a CA, server/client certificates, PFX export and SPKI pins.
 *
 * RSA keys come from node:crypto (native, fast); node-forge only assembles and
 * signs the X.509 structures and the PKCS#12 container, which node:crypto cannot.
 * Used by the sandbox (its own CA, server and client certificates) and by tests.
 */
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import forge from 'node-forge'

/** A certificate and its private key, both PEM (key: unencrypted PKCS#8). */
export interface Pem {
  cert: string
  key: string
}

export interface CreateCaOptions {
  commonName: string
  notBefore?: Date
  notAfter?: Date
  keyBits?: number
}

export interface IssueCertOptions {
  commonName: string
  kind: 'server' | 'client'
  dnsNames?: string[]
  ipAddresses?: string[]
  notBefore?: Date
  notAfter?: Date
  keyBits?: number
}

export interface ToPfxOptions {
  /** Extra PEM certificates (intermediates/CA) to put in the PFX after the leaf. */
  chain?: string[]
  /** Private-key encryption; both are readable by OpenSSL 3 without the legacy provider. */
  algorithm?: '3des' | 'aes256'
  friendlyName?: string
}

const DEFAULT_KEY_BITS = 2048
const DAY_MS = 86_400_000

function generateRsa(bits: number): { publicKeyPem: string; privateKeyPem: string } {
  if (!Number.isInteger(bits) || bits < 1024 || bits > 8192) {
    throw new RangeError(`keyBits must be an integer in 1024..8192, got ${bits}`)
  }
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
  })
  return { publicKeyPem: publicKey, privateKeyPem: privateKey }
}

/** 16 random bytes, first byte 0x01..0x7f so the DER INTEGER is positive and of fixed length. */
function randomSerialHex(): string {
  const b = randomBytes(16)
  b[0] = ((b[0] ?? 1) & 0x7f) | 0x01
  return b.toString('hex')
}

function validity(notBefore: Date | undefined, notAfter: Date | undefined, defaultDays: number) {
  // Back-date by an hour: tolerates small clock skew between processes/machines.
  const nb = notBefore ?? new Date(Date.now() - 3_600_000)
  const na = notAfter ?? new Date(nb.getTime() + defaultDays * DAY_MS)
  if (na.getTime() <= nb.getTime()) throw new RangeError('notAfter must be later than notBefore')
  return { nb, na }
}

function subjectAttrs(commonName: string): forge.pki.CertificateField[] {
  if (commonName.length === 0 || commonName.length > 64) {
    throw new RangeError('commonName must be 1..64 characters')
  }
  return [{ name: 'commonName', value: commonName }]
}

function signSha256(cert: forge.pki.Certificate, keyPem: string): void {
  const key = forge.pki.privateKeyFromPem(keyPem)
  cert.sign(key, forge.md.sha256.create())
}

/** A self-signed CA certificate (basicConstraints cA, keyCertSign) valid 10 years by default. */
export function createCa(opts: CreateCaOptions): Pem {
  const { publicKeyPem, privateKeyPem } = generateRsa(opts.keyBits ?? DEFAULT_KEY_BITS)
  const { nb, na } = validity(opts.notBefore, opts.notAfter, 3650)
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem)
  cert.serialNumber = randomSerialHex()
  cert.validity.notBefore = nb
  cert.validity.notAfter = na
  const attrs = subjectAttrs(opts.commonName)
  cert.setSubject(attrs)
  cert.setIssuer(attrs)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' }
  ])
  signSha256(cert, privateKeyPem)
  return { cert: forge.pki.certificateToPem(cert), key: privateKeyPem }
}

/**
 * A leaf certificate signed by `ca`. Server certificates carry a subjectAltName
 * (DNS names and IP addresses; the common name is added as a DNS name when no
 * SAN is given) and the serverAuth EKU; client certificates the clientAuth EKU.
 */
export function issueCert(ca: Pem, opts: IssueCertOptions): Pem {
  const caCert = forge.pki.certificateFromPem(ca.cert)
  const { publicKeyPem, privateKeyPem } = generateRsa(opts.keyBits ?? DEFAULT_KEY_BITS)
  const { nb, na } = validity(opts.notBefore, opts.notAfter, opts.kind === 'server' ? 825 : 730)
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem)
  cert.serialNumber = randomSerialHex()
  cert.validity.notBefore = nb
  cert.validity.notAfter = na
  cert.setSubject(subjectAttrs(opts.commonName))
  cert.setIssuer(caCert.subject.attributes)

  const extensions: Record<string, unknown>[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: opts.kind === 'server',
      critical: true
    },
    opts.kind === 'server'
      ? { name: 'extKeyUsage', serverAuth: true }
      : { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes()
    }
  ]
  const altNames: { type: number; value?: string; ip?: string }[] = []
  for (const dns of opts.dnsNames ?? []) altNames.push({ type: 2, value: dns })
  for (const ip of opts.ipAddresses ?? []) {
    if (isIP(ip) === 0) throw new RangeError(`not an IP address: ${ip}`)
    altNames.push({ type: 7, ip })
  }
  if (opts.kind === 'server' && altNames.length === 0) {
    altNames.push({ type: 2, value: opts.commonName })
  }
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames })
  cert.setExtensions(extensions)
  signSha256(cert, ca.key)
  return { cert: forge.pki.certificateToPem(cert), key: privateKeyPem }
}

/**
 * A PKCS#12 container (key + leaf + optional chain), MAC'd with SHA-256-free
 * defaults that OpenSSL 3 / Node's tls.createSecureContext accept: the key is
 * encrypted with PBES2/AES-256 (default) or PBE-SHA1-3DES, certificates are in
 * a plain SafeContents, the integrity MAC is HMAC-SHA1 with 2048 iterations.
 */
export function toPfx(p: Pem, passphrase: string, opts: ToPfxOptions = {}): Buffer {
  const key = forge.pki.privateKeyFromPem(p.key)
  const certs = [p.cert, ...(opts.chain ?? [])].map((c) => forge.pki.certificateFromPem(c))
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, passphrase, {
    algorithm: opts.algorithm ?? 'aes256',
    count: 2048,
    saltSize: 16,
    generateLocalKeyId: true,
    ...(opts.friendlyName !== undefined ? { friendlyName: opts.friendlyName } : {})
  })
  const der = forge.asn1.toDer(asn1).getBytes()
  return Buffer.from(der, 'binary')
}

/** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo DER (the HPKP-style pin). */
export function spkiSha256Base64(certPem: string): string {
  const x = new X509Certificate(certPem)
  const spki = x.publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(spki).digest('base64')
}

/**
 * Re-exports a private key encrypted with AES-256-CBC: `pkcs8` gives an
 * "ENCRYPTED PRIVATE KEY" (PBES2), `pkcs1` the traditional OpenSSL
 * "RSA PRIVATE KEY" with Proc-Type/DEK-Info headers.
 */
export function encryptPrivateKeyPem(keyPem: string, passphrase: string, format: 'pkcs8' | 'pkcs1'): string {
  if (passphrase.length === 0) throw new RangeError('passphrase must not be empty')
  const key = createPrivateKey(keyPem)
  const out = key.export({ type: format, format: 'pem', cipher: 'aes-256-cbc', passphrase })
  return typeof out === 'string' ? out : out.toString('utf8')
}
