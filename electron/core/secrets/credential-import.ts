/**
 * Import-time validation of credential material (RELIABILITY §4, T3): every problem that would
 * otherwise surface at pay time — often as a synchronous throw from https.request() — is found
 * here, when the user imports the file, with a clear message in Russian and English.
 *
 * Tools: node:crypto (createPrivateKey, X509Certificate, sign/verify) and
 * tls.createSecureContext (OpenSSL accepts the material for TLS); node-forge only where Node
 * cannot go: opening a PKCS#12 container to read its certificates and key for the metadata and
 * the key/certificate match.
 *
 * Policies (docs/SECRETS.md):
 * - Signing key (Top-Up mode 2): RSA (not RSA-PSS), ≥ 2048 bits, must produce and verify a
 *   SHA1withRSA signature on this machine. Stored as unencrypted PKCS#8 PEM.
 * - Client certificate (mode 3): PFX stored as is + passphrase; PEM stored as unencrypted
 *   PKCS#8 key + leaf-first certificate chain. Key: RSA ≥ 2048 or ECDSA P-256/P-384/P-521.
 *   The certificate must match the key and be valid now.
 * - Legacy PFX (RC2/RC4/single DES, PBES1): refused with the command that converts it, even
 *   where the running OpenSSL could read it, so import behaves the same in Node (OpenSSL 3) and
 *   in Electron (BoringSSL).
 * - Nothing is stored here: these functions only return `{ material, description }`; the vault
 *   stores material only after validation succeeded.
 */
import type { KeyObject } from 'node:crypto'
import { X509Certificate, createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import forge from 'node-forge'
import type { ErrorCode } from '../../../shared/errors'
import type {
  CasLoginInput,
  CertificateInfo,
  ClientCertificateInput,
  ClientCertificatePemInput,
  ClientCertificatePfxInput,
  CredentialInput,
  FileInput,
  KeyInfo,
  SigningKeyInput,
  TerminalPasswordInput,
  ValidatedCredential,
  WalletTokenInput
} from './credential-types'
import type { LocalizedText, SecretError, SecretResult } from './secret-errors'
import { secretOk } from './secret-errors'

export interface ImportOptions {
  /** The clock for certificate validity (tests pass a fixed date). */
  now?: Date | undefined
}

/** Files above this are not keys or certificates (QIWI's are a few KiB). */
export const MAX_CREDENTIAL_FILE_BYTES = 256 * 1024
export const MIN_RSA_BITS = 2048
export const EXPIRES_SOON_DAYS = 30
const DAY_MS = 86_400_000

/** The OpenSSL 3 commands that turn a legacy PFX into a modern one (shown to the user). */
export const LEGACY_PFX_CONVERSION =
  'openssl pkcs12 -in old.pfx -legacy -nodes -out tmp.pem && openssl pkcs12 -export -in tmp.pem -out new.pfx'

// ---------------------------------------------------------------------------------------------
// Messages

type Role =
  | 'signing-key'
  | 'client-key'
  | 'client-cert'
  | 'pfx'
  | 'server-ca'
  | 'password'
  | 'token'
  | 'cas-login'
  | 'cas-password'

const ROLE: Record<Role, LocalizedText> = {
  'signing-key': { ru: 'Ключ подписи', en: 'Signing key' },
  'client-key': { ru: 'Закрытый ключ клиентского сертификата', en: 'Client certificate key' },
  'client-cert': { ru: 'Клиентский сертификат', en: 'Client certificate' },
  pfx: { ru: 'Файл PFX (PKCS#12)', en: 'PFX (PKCS#12) file' },
  'server-ca': { ru: 'Сертификат CA сервера', en: 'Server CA certificate' },
  password: { ru: 'Пароль терминала', en: 'Terminal password' },
  token: { ru: 'Токен API', en: 'API token' },
  'cas-login': { ru: 'Логин кошелька', en: 'Wallet login' },
  'cas-password': { ru: 'Пароль кошелька', en: 'Wallet password' }
}

type Params = Record<string, string | number>

interface Problem {
  code: ErrorCode
  ru: (p: Params) => string
  en: (p: Params) => string
}

const PROBLEMS = {
  empty: { code: 'credential-invalid', ru: () => 'файл пуст.', en: () => 'the file is empty.' },
  'too-large': {
    code: 'credential-invalid',
    ru: () => `файл больше ${MAX_CREDENTIAL_FILE_BYTES / 1024} КиБ — это не файл ключа или сертификата.`,
    en: () =>
      `the file is larger than ${MAX_CREDENTIAL_FILE_BYTES / 1024} KiB; this is not a key or certificate file.`
  },
  'not-pem': {
    code: 'credential-invalid',
    ru: () =>
      'ожидается файл PEM (текст, начинающийся с «-----BEGIN …»). Ключ в формате DER преобразуйте командой ' +
      '`openssl pkey -inform DER -in key.der -out key.pem`.',
    en: () =>
      'a PEM file is expected (text starting with "-----BEGIN …"). Convert a DER key with ' +
      '`openssl pkey -inform DER -in key.der -out key.pem`.'
  },
  'no-private-key': {
    code: 'credential-invalid',
    ru: () =>
      'в файле нет закрытого ключа (ожидается «BEGIN PRIVATE KEY», «BEGIN ENCRYPTED PRIVATE KEY» или «BEGIN RSA PRIVATE KEY»).',
    en: () =>
      'the file holds no private key (expected "BEGIN PRIVATE KEY", "BEGIN ENCRYPTED PRIVATE KEY" or "BEGIN RSA PRIVATE KEY").'
  },
  'several-keys': {
    code: 'credential-invalid',
    ru: () => 'в файле несколько закрытых ключей; оставьте один.',
    en: () => 'the file holds several private keys; keep one.'
  },
  unreadable: {
    code: 'credential-invalid',
    ru: () => 'файл повреждён или имеет неизвестный формат.',
    en: () => 'the file is damaged or in an unknown format.'
  },
  truncated: {
    code: 'credential-truncated',
    ru: () => 'файл неполный (обрезан). Скопируйте его заново из оригинала.',
    en: () => 'the file is incomplete (cut off). Copy it again from the original.'
  },
  'passphrase-missing': {
    code: 'credential-wrong-passphrase',
    ru: () => 'ключ зашифрован; введите его парольную фразу.',
    en: () => 'the key is encrypted; enter its passphrase.'
  },
  'passphrase-wrong': {
    code: 'credential-wrong-passphrase',
    ru: () => 'неверная парольная фраза.',
    en: () => 'the passphrase is wrong.'
  },
  'legacy-pfx': {
    code: 'credential-legacy-pfx',
    ru: () =>
      'файл зашифрован устаревшим алгоритмом (RC2/RC4/DES), который современные OpenSSL и Electron не читают. ' +
      `Преобразуйте его (OpenSSL 3): \`${LEGACY_PFX_CONVERSION}\`, затем удалите tmp.pem (в нём ключ без шифрования) ` +
      'и импортируйте new.pfx.',
    en: () =>
      'the file uses legacy encryption (RC2/RC4/DES) that current OpenSSL and Electron no longer read. ' +
      `Convert it (OpenSSL 3): \`${LEGACY_PFX_CONVERSION}\`, then delete tmp.pem (it holds the unencrypted key) ` +
      'and import new.pfx.'
  },
  'pem-not-pfx': {
    code: 'credential-invalid',
    ru: () => 'это текстовый файл PEM, а не PKCS#12. Выберите импорт в формате PEM (ключ + сертификат).',
    en: () => 'this is a PEM text file, not PKCS#12. Choose the PEM import (key + certificate).'
  },
  'not-pkcs12': {
    code: 'credential-invalid',
    ru: () => 'это не файл PKCS#12 (.pfx/.p12).',
    en: () => 'this is not a PKCS#12 (.pfx/.p12) file.'
  },
  'pfx-no-key': {
    code: 'credential-invalid',
    ru: () => 'в файле PFX нет закрытого ключа.',
    en: () => 'the PFX file holds no private key.'
  },
  'pfx-several-keys': {
    code: 'credential-invalid',
    ru: () => 'в файле PFX несколько закрытых ключей; экспортируйте один сертификат с его ключом.',
    en: () => 'the PFX file holds several private keys; export one certificate with its key.'
  },
  'no-certificate': {
    code: 'credential-invalid',
    ru: () => 'в файле нет сертификата.',
    en: () => 'the file holds no certificate.'
  },
  'not-rsa': {
    code: 'credential-invalid',
    ru: (p) => `ключ типа ${p['type']}, а требуется ключ RSA.`,
    en: (p) => `the key is of type ${p['type']}, but an RSA key is required.`
  },
  'key-too-short': {
    code: 'credential-invalid',
    ru: (p) => `длина ключа RSA ${p['bits']} бит; требуется не меньше ${MIN_RSA_BITS}.`,
    en: (p) => `the RSA key has ${p['bits']} bits; at least ${MIN_RSA_BITS} are required.`
  },
  'unsupported-key': {
    code: 'credential-invalid',
    ru: (p) =>
      `ключ типа ${p['type']} не поддерживается; нужен RSA не короче ${MIN_RSA_BITS} бит или ECDSA P-256/P-384/P-521.`,
    en: (p) =>
      `key type ${p['type']} is not supported; use RSA of at least ${MIN_RSA_BITS} bits or ECDSA P-256/P-384/P-521.`
  },
  'sha1-refused': {
    code: 'credential-invalid',
    ru: () =>
      'эта система отказывается создавать подписи SHA1withRSA, которых требует QIWI (политика OpenSSL).',
    en: () => 'this system refuses to create SHA1withRSA signatures, which QIWI requires (OpenSSL policy).'
  },
  'key-mismatch': {
    code: 'credential-key-mismatch',
    ru: () =>
      'закрытый ключ не соответствует сертификату. Выберите ключ, для которого выпущен этот сертификат.',
    en: () =>
      'the private key does not belong to the certificate. Choose the key the certificate was issued for.'
  },
  expired: {
    code: 'credential-expired',
    ru: (p) =>
      `срок действия сертификата «${p['subject']}» истёк ${p['notAfter']}. Получите новый сертификат у QIWI.`,
    en: (p) =>
      `the certificate "${p['subject']}" expired on ${p['notAfter']}. Get a new certificate from QIWI.`
  },
  'not-yet-valid': {
    code: 'credential-not-yet-valid',
    ru: (p) =>
      `сертификат «${p['subject']}» действует только с ${p['notBefore']}. Проверьте дату и время на компьютере.`,
    en: (p) =>
      `the certificate "${p['subject']}" is valid only from ${p['notBefore']}. Check the computer's date and time.`
  },
  'tls-rejected': {
    code: 'credential-invalid',
    ru: (p) => `OpenSSL не принимает этот материал для TLS (${p['detail']}).`,
    en: (p) => `OpenSSL refuses this material for TLS (${p['detail']}).`
  },
  'value-empty': {
    code: 'credential-invalid',
    ru: () => 'значение не задано.',
    en: () => 'the value is empty.'
  },
  'value-too-long': {
    code: 'credential-invalid',
    ru: (p) => `значение длиннее ${p['max']} символов.`,
    en: (p) => `the value is longer than ${p['max']} characters.`
  },
  'value-control-chars': {
    code: 'credential-invalid',
    ru: () =>
      'значение содержит управляющие символы (перевод строки, табуляция и т. п.); вероятно, оно скопировано с ошибкой.',
    en: () =>
      'the value contains control characters (line break, tab, …); it was probably copied with a mistake.'
  },
  'token-format': {
    code: 'credential-invalid',
    ru: () => 'токен может содержать только латинские буквы, цифры и знаки без пробелов.',
    en: () => 'a token may contain only Latin letters, digits and symbols, without spaces.'
  },
  'login-format': {
    code: 'credential-invalid',
    ru: () => 'логин — это номер кошелька с кодом страны, 10–15 цифр (например, 79991234567).',
    en: () => 'the login is the wallet number with the country code, 10–15 digits (e.g. 79991234567).'
  }
} satisfies Record<string, Problem>

export type ImportProblem = keyof typeof PROBLEMS

function fail(role: Role, reason: ImportProblem, params: Params = {}): { ok: false; error: SecretError } {
  const p: Problem = PROBLEMS[reason]
  const r = ROLE[role]
  return {
    ok: false,
    error: {
      code: p.code,
      message: { ru: `${r.ru}: ${p.ru(params)}`, en: `${r.en}: ${p.en(params)}` },
      details: { reason, role, ...params }
    }
  }
}

type Failure = { ok: false; error: SecretError }
type Res<T> = { ok: true; value: T } | Failure

// ---------------------------------------------------------------------------------------------
// Bytes, text, DER and PEM structure

function toBuffer(x: FileInput): Buffer {
  return typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x.buffer, x.byteOffset, x.byteLength)
}

function toText(x: FileInput): string {
  const s = typeof x === 'string' ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('utf8')
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s
}

function sizeCheck(role: Role, x: FileInput): Failure | null {
  const n = typeof x === 'string' ? Buffer.byteLength(x, 'utf8') : x.byteLength
  if (n === 0 || (typeof x === 'string' && x.trim() === '')) return fail(role, 'empty')
  if (n > MAX_CREDENTIAL_FILE_BYTES) return fail(role, 'too-large')
  return null
}

type DerHeader = { kind: 'ok'; tag: number; total: number } | { kind: 'truncated' } | { kind: 'invalid' }

/** Reads the outer TLV header: is the object complete in `buf`? */
export function derOuterHeader(buf: Uint8Array): DerHeader {
  if (buf.length < 2) return { kind: 'truncated' }
  const tag = buf[0] as number
  const first = buf[1] as number
  if (first < 0x80) {
    return 2 + first <= buf.length ? { kind: 'ok', tag, total: 2 + first } : { kind: 'truncated' }
  }
  const n = first & 0x7f
  // 0x80 = BER indefinite length (some PKCS#12 writers use it); its end can't be checked here.
  if (n === 0) return { kind: 'ok', tag, total: buf.length }
  if (n > 4) return { kind: 'invalid' }
  if (buf.length < 2 + n) return { kind: 'truncated' }
  let len = 0
  for (let i = 0; i < n; i++) len = len * 256 + (buf[2 + i] as number)
  const total = 2 + n + len
  return total <= buf.length ? { kind: 'ok', tag, total } : { kind: 'truncated' }
}

interface PemBlock {
  label: string
  /** The whole block, BEGIN to END line included. */
  text: string
  /** RFC 1421 headers present (Proc-Type/DEK-Info of an encrypted traditional key). */
  encryptedHeaders: boolean
  der: Buffer
}

interface PemScan {
  blocks: PemBlock[]
  /** A BEGIN line without its END line, or a body shorter than its DER length says. */
  truncated: boolean
  /** A body that is not base64. */
  malformed: boolean
}

function scanPem(text: string): PemScan {
  const blocks: PemBlock[] = []
  let truncated = false
  let malformed = false
  const begin = /-----BEGIN ([A-Z0-9 ]{1,40})-----/g
  let m: RegExpExecArray | null
  while ((m = begin.exec(text)) !== null) {
    const label = m[1] as string
    const endLine = `-----END ${label}-----`
    const end = text.indexOf(endLine, m.index + m[0].length)
    if (end < 0) {
      truncated = true
      break
    }
    const inner = text.slice(m.index + m[0].length, end)
    const lines = inner.split(/\r?\n/).map((l) => l.trim())
    const encryptedHeaders = lines.some((l) => /^Proc-Type:\s*4,ENCRYPTED/i.test(l))
    const bodyLines = lines.filter((l) => l !== '' && !l.includes(':'))
    const body = bodyLines.join('')
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length === 0) {
      malformed = true
    } else {
      const der = Buffer.from(body, 'base64')
      // An encrypted traditional key's body is ciphertext, not DER.
      if (!encryptedHeaders) {
        const h = derOuterHeader(der)
        if (h.kind === 'truncated') truncated = true
        else if (h.kind === 'invalid') malformed = true
      }
      blocks.push({ label, text: text.slice(m.index, end + endLine.length) + '\n', encryptedHeaders, der })
    }
    begin.lastIndex = end + endLine.length
  }
  return { blocks, truncated, malformed }
}

// ---------------------------------------------------------------------------------------------
// Keys

const PRIVATE_KEY_LABELS = new Set([
  'PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
  'RSA PRIVATE KEY',
  'EC PRIVATE KEY'
])

function colonHex(b: Buffer): string {
  return (b.toString('hex').toUpperCase().match(/../g) ?? []).join(':')
}

export function publicKeySha256(pub: KeyObject): string {
  return colonHex(
    createHash('sha256')
      .update(pub.export({ type: 'spki', format: 'der' }))
      .digest()
  )
}

const EC_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 }

export function describeKey(key: KeyObject): KeyInfo | null {
  const pub = key.type === 'private' ? createPublicKey(key) : key
  const type = key.asymmetricKeyType
  const d = key.asymmetricKeyDetails
  if (type === 'rsa') {
    return { algorithm: 'rsa', bits: d?.modulusLength ?? 0, publicKeySha256: publicKeySha256(pub) }
  }
  if (type === 'ec') {
    const curve = d?.namedCurve ?? 'unknown'
    return { algorithm: 'ec', bits: EC_BITS[curve] ?? 0, curve, publicKeySha256: publicKeySha256(pub) }
  }
  return null
}

interface ParsedKey {
  key: KeyObject
  encrypted: boolean
  format: 'pkcs1' | 'pkcs8'
}

function opensslCode(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const code = (e as { code?: unknown }).code
    const message = (e as { message?: unknown }).message
    return `${typeof code === 'string' ? code : ''} ${typeof message === 'string' ? message : ''}`
  }
  return String(e)
}

function parsePrivateKeyPem(role: Role, input: FileInput, passphrase: string | undefined): Res<ParsedKey> {
  const size = sizeCheck(role, input)
  if (size) return size
  const text = toText(input)
  const scan = scanPem(text)
  const keyBlocks = scan.blocks.filter((b) => PRIVATE_KEY_LABELS.has(b.label))
  if (scan.truncated) return fail(role, 'truncated')
  if (keyBlocks.length === 0) {
    if (scan.malformed) return fail(role, 'unreadable')
    return scan.blocks.length === 0 ? fail(role, 'not-pem') : fail(role, 'no-private-key')
  }
  if (keyBlocks.length > 1) return fail(role, 'several-keys')
  const block = keyBlocks[0] as PemBlock
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || block.encryptedHeaders
  if (encrypted && (passphrase === undefined || passphrase === '')) return fail(role, 'passphrase-missing')
  let key: KeyObject
  try {
    key = createPrivateKey(
      encrypted
        ? { key: block.text, format: 'pem', passphrase: passphrase as string }
        : { key: block.text, format: 'pem' }
    )
  } catch (e) {
    const c = opensslCode(e)
    if (/BAD_DECRYPT|bad decrypt|decrypt/i.test(c)) return fail(role, 'passphrase-wrong')
    if (/INTERRUPTED_OR_CANCELLED|MISSING_PASSPHRASE/i.test(c)) return fail(role, 'passphrase-missing')
    return fail(role, 'unreadable')
  }
  return {
    ok: true,
    value: { key, encrypted, format: block.label === 'RSA PRIVATE KEY' ? 'pkcs1' : 'pkcs8' }
  }
}

function checkRsaForSigning(role: Role, key: KeyObject): Failure | null {
  const type = key.asymmetricKeyType ?? 'unknown'
  if (type !== 'rsa') return fail(role, 'not-rsa', { type })
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < MIN_RSA_BITS) return fail(role, 'key-too-short', { bits })
  return null
}

function checkTlsKey(role: Role, key: KeyObject): Failure | null {
  const type = key.asymmetricKeyType ?? 'unknown'
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
    return bits < MIN_RSA_BITS ? fail(role, 'key-too-short', { bits }) : null
  }
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown'
    return curve in EC_BITS ? null : fail(role, 'unsupported-key', { type: `ec ${curve}` })
  }
  return fail(role, 'unsupported-key', { type })
}

function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString()
}

// ---------------------------------------------------------------------------------------------
// Certificates

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11
}

/** Parses OpenSSL's ASN1_TIME_print form ("Dec  2 16:48:41 2026 GMT"), which Node 20 returns. */
export function parseOpenSslTime(s: string): Date | null {
  const m = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{4}) GMT$/.exec(s.trim())
  if (!m) return null
  const month = MONTHS[m[1] as string]
  if (month === undefined) return null
  const t = Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]))
  return Number.isFinite(t) ? new Date(t) : null
}

function certDates(x: X509Certificate): { notBefore: Date; notAfter: Date } {
  // validFromDate/validToDate exist from Node 22.10; Node 20 only has the strings.
  const withDates = x as X509Certificate & { validFromDate?: unknown; validToDate?: unknown }
  const nb = withDates.validFromDate instanceof Date ? withDates.validFromDate : parseOpenSslTime(x.validFrom)
  const na = withDates.validToDate instanceof Date ? withDates.validToDate : parseOpenSslTime(x.validTo)
  // An unparseable date is treated as "not valid": fail closed.
  return { notBefore: nb ?? new Date(8.64e15), notAfter: na ?? new Date(-8.64e15) }
}

function oneLine(dn: string): string {
  return dn
    .split('\n')
    .filter((s) => s !== '')
    .join(', ')
}

export function describeCertificate(x: X509Certificate, now: Date): CertificateInfo {
  const { notBefore, notAfter } = certDates(x)
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS)
  const expired = now.getTime() > notAfter.getTime()
  return {
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    serialNumber: x.serialNumber.toUpperCase(),
    fingerprintSha256: x.fingerprint256,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft,
    expiresSoon: daysLeft <= EXPIRES_SOON_DAYS,
    expired,
    notYetValid: now.getTime() < notBefore.getTime(),
    isCa: x.ca
  }
}

/** Recomputes the clock-dependent fields of a stored CertificateInfo (describe() at a later date). */
export function refreshCertificateInfo(info: CertificateInfo, now: Date): CertificateInfo {
  const nb = Date.parse(info.notBefore)
  const na = Date.parse(info.notAfter)
  const daysLeft = Math.floor((na - now.getTime()) / DAY_MS)
  return {
    ...info,
    daysLeft,
    expiresSoon: daysLeft <= EXPIRES_SOON_DAYS,
    expired: now.getTime() > na,
    notYetValid: now.getTime() < nb
  }
}

function validityProblem(role: Role, info: CertificateInfo): Failure | null {
  if (info.expired) return fail(role, 'expired', { subject: info.subject, notAfter: info.notAfter })
  if (info.notYetValid) {
    return fail(role, 'not-yet-valid', { subject: info.subject, notBefore: info.notBefore })
  }
  return null
}

/** One or more certificates from PEM text (any number of CERTIFICATE blocks) or one DER blob. */
function parseCertificates(role: Role, input: FileInput): Res<X509Certificate[]> {
  const size = sizeCheck(role, input)
  if (size) return size
  const buf = toBuffer(input)
  const looksDer = buf[0] === 0x30
  if (looksDer) {
    const h = derOuterHeader(buf)
    if (h.kind === 'truncated') return fail(role, 'truncated')
    try {
      return {
        ok: true,
        value: [new X509Certificate(buf.subarray(0, h.kind === 'ok' ? h.total : buf.length))]
      }
    } catch {
      return fail(role, 'unreadable')
    }
  }
  const scan = scanPem(toText(input))
  const certBlocks = scan.blocks.filter(
    (b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE'
  )
  if (scan.truncated) return fail(role, 'truncated')
  if (certBlocks.length === 0) return scan.malformed ? fail(role, 'unreadable') : fail(role, 'no-certificate')
  const out: X509Certificate[] = []
  for (const b of certBlocks) {
    try {
      out.push(new X509Certificate(b.der))
    } catch {
      return fail(role, 'unreadable')
    }
  }
  return { ok: true, value: out }
}

function certsToPem(certs: X509Certificate[]): string {
  return certs.map((c) => c.toString().trim() + '\n').join('')
}

function secureContextProblem(role: Role, opts: Parameters<typeof createSecureContext>[0]): Failure | null {
  try {
    createSecureContext(opts)
    return null
  } catch (e) {
    const c = opensslCode(e)
    if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(c)) return fail(role, 'key-mismatch')
    // OpenSSL's reason text names no secret; keep the first line for support.
    const detail = (e instanceof Error ? e.message : 'error').split('\n')[0]?.slice(0, 160) ?? 'error'
    return fail(role, 'tls-rejected', { detail })
  }
}

/** Picks the certificate that belongs to `key`; the rest is the chain, in the given order. */
function splitLeaf(
  certs: X509Certificate[],
  key: KeyObject
): { leaf: X509Certificate; chain: X509Certificate[] } | null {
  const i = certs.findIndex((c) => {
    try {
      return c.checkPrivateKey(key)
    } catch {
      return false
    }
  })
  if (i < 0) return null
  const leaf = certs[i] as X509Certificate
  return { leaf, chain: certs.filter((_, j) => j !== i) }
}

function certLabel(info: CertificateInfo): string {
  const cn = /(?:^|, )CN=([^,]+)/.exec(info.subject)?.[1]
  return cn ?? info.subject
}

// ---------------------------------------------------------------------------------------------
// Server CA

export interface ValidatedCa {
  pem: string
  info: CertificateInfo[]
}

/** A CA file (PEM with one or more certificates, or one DER certificate); each must be valid now. */
export function validateCaFile(input: FileInput, opts: ImportOptions = {}): SecretResult<ValidatedCa> {
  const now = opts.now ?? new Date()
  const certs = parseCertificates('server-ca', input)
  if (!certs.ok) return certs
  const info = certs.value.map((c) => describeCertificate(c, now))
  for (const i of info) {
    const p = validityProblem('server-ca', i)
    if (p) return p
  }
  const pem = certsToPem(certs.value)
  const tls = secureContextProblem('server-ca', { ca: pem })
  if (tls) return tls
  return secretOk({ pem, info })
}

// ---------------------------------------------------------------------------------------------
// Signing key (Top-Up mode 2)

const SIGN_PROBE = Buffer.from(
  '<?xml version="1.0" encoding="utf-8"?><request><probe>qiwi-desk</probe></request>',
  'utf8'
)

export function validateSigningKey(input: SigningKeyInput): SecretResult<ValidatedCredential> {
  const parsed = parsePrivateKeyPem('signing-key', input.keyPem, input.passphrase)
  if (!parsed.ok) return parsed
  const { key, encrypted, format } = parsed.value
  const bad = checkRsaForSigning('signing-key', key)
  if (bad) return bad
  const pub = createPublicKey(key)
  try {
    const sig = sign('sha1', SIGN_PROBE, key)
    if (!verify('sha1', SIGN_PROBE, pub, sig)) return fail('signing-key', 'unreadable')
  } catch {
    return fail('signing-key', 'sha1-refused')
  }
  const info = describeKey(key) as KeyInfo
  return secretOk({
    material: { kind: 'signing-key', keyPem: pkcs8Pem(key) },
    description: {
      kind: 'signing-key',
      label: `RSA-${info.bits} ${info.publicKeySha256.slice(0, 23)}`,
      key: info,
      publicKeyPem: pub.export({ type: 'spki', format: 'pem' }).toString(),
      encryptedAtImport: encrypted,
      importedFormat: format
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Client certificate (Top-Up mode 3)

/** pkcs-12PbeIds (1.2.840.113549.1.12.1.x) RC4/RC2 and PBES1 (1.2.840.113549.1.5.x) DES/RC2 schemes. */
const LEGACY_PBE_OIDS = [
  '1.2.840.113549.1.12.1.1', // pbeWithSHAAnd128BitRC4
  '1.2.840.113549.1.12.1.2', // pbeWithSHAAnd40BitRC4
  '1.2.840.113549.1.12.1.5', // pbeWithSHAAnd128BitRC2-CBC
  '1.2.840.113549.1.12.1.6', // pbeWithSHAAnd40BitRC2-CBC
  '1.2.840.113549.1.5.1', // pbeWithMD2AndDES-CBC
  '1.2.840.113549.1.5.3', // pbeWithMD5AndDES-CBC
  '1.2.840.113549.1.5.4', // pbeWithMD2AndRC2-CBC
  '1.2.840.113549.1.5.6', // pbeWithMD5AndRC2-CBC
  '1.2.840.113549.1.5.10', // pbeWithSHA1AndDES-CBC
  '1.2.840.113549.1.5.11', // pbeWithSHA1AndRC2-CBC
  '1.3.14.3.2.7', // desCBC inside PBES2
  '1.2.840.113549.3.2' // rc2CBC inside PBES2
]

function oidTlv(oid: string): Buffer {
  return Buffer.from(
    forge.asn1
      .toDer(
        forge.asn1.create(
          forge.asn1.Class.UNIVERSAL,
          forge.asn1.Type.OID,
          false,
          forge.asn1.oidToDer(oid).getBytes()
        )
      )
      .getBytes(),
    'binary'
  )
}

const LEGACY_OID_TLVS = LEGACY_PBE_OIDS.map(oidTlv)

/**
 * The algorithm identifiers of a PKCS#12 file (of its encrypted SafeContents and shrouded key
 * bags) are stored in clear, so a byte search finds the legacy ones without the passphrase.
 * A 10–13 byte OID encoding appearing by chance inside ciphertext is not a practical concern.
 */
export function usesLegacyPfxAlgorithms(pfx: Uint8Array): boolean {
  const b = Buffer.from(pfx.buffer, pfx.byteOffset, pfx.byteLength)
  return LEGACY_OID_TLVS.some((t) => b.includes(t))
}

type FromDer = (bytes: string, options: { strict: boolean; parseAllBytes: boolean }) => forge.asn1.Asn1

interface PfxContents {
  keys: KeyObject[]
  certs: X509Certificate[]
}

function readPfxContents(pfx: Buffer, passphrase: string): PfxContents | 'wrong-passphrase' | 'unreadable' {
  let p12: forge.pkcs12.Pkcs12Pfx
  try {
    const fromDer = forge.asn1.fromDer as unknown as FromDer
    const asn1 = fromDer(pfx.toString('binary'), { strict: false, parseAllBytes: false })
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase)
  } catch (e) {
    return /MAC could not be verified|Invalid password|wrong password/i.test(opensslCode(e))
      ? 'wrong-passphrase'
      : 'unreadable'
  }
  const keys: KeyObject[] = []
  const certs: X509Certificate[] = []
  try {
    for (const sc of p12.safeContents) {
      for (const bag of sc.safeBags) {
        if (bag.type === forge.pki.oids['certBag']) {
          const certAsn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1
          certs.push(new X509Certificate(Buffer.from(forge.asn1.toDer(certAsn1).getBytes(), 'binary')))
        } else if (
          bag.type === forge.pki.oids['keyBag'] ||
          bag.type === forge.pki.oids['pkcs8ShroudedKeyBag']
        ) {
          const der = bag.key
            ? forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))).getBytes()
            : forge.asn1.toDer(bag.asn1).getBytes()
          keys.push(createPrivateKey({ key: Buffer.from(der, 'binary'), format: 'der', type: 'pkcs8' }))
        }
      }
    }
  } catch {
    return 'unreadable'
  }
  return { keys, certs }
}

function validatePfx(
  input: ClientCertificatePfxInput
): Res<{ key: KeyObject; leaf: X509Certificate; chain: X509Certificate[] }> {
  const role: Role = 'pfx'
  if (!(input.pfx instanceof Uint8Array)) return fail(role, 'unreadable')
  const size = sizeCheck(role, input.pfx)
  if (size) return size
  const pfx = Buffer.from(input.pfx.buffer, input.pfx.byteOffset, input.pfx.byteLength)
  if (toText(pfx.subarray(0, 64)).trimStart().startsWith('-----BEGIN')) return fail(role, 'pem-not-pfx')
  const header = derOuterHeader(pfx)
  if (pfx[0] !== 0x30 || header.kind === 'invalid') return fail(role, 'not-pkcs12')
  if (header.kind === 'truncated') return fail(role, 'truncated')
  if (usesLegacyPfxAlgorithms(pfx)) return fail(role, 'legacy-pfx')
  let nodeError: string | null = null
  try {
    createSecureContext({ pfx, passphrase: input.passphrase })
  } catch (e) {
    const c = opensslCode(e)
    if (/mac verify failure|MAC_VERIFY|bad decrypt|invalid password|INCORRECT_PASSWORD/i.test(c)) {
      return fail(role, 'passphrase-wrong')
    }
    if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(c)) return fail(role, 'key-mismatch')
    if (/UNSUPPORTED|unsupported/.test(c)) return fail(role, 'legacy-pfx')
    if (/not enough data|too long|TOO_LONG|NOT_ENOUGH_DATA/i.test(c)) return fail(role, 'truncated')
    // E.g. "Unable to load certificate from PFX data" when no certificate matches the key:
    // look inside to say which problem it is.
    nodeError = (e instanceof Error ? e.message : 'error').split('\n')[0]?.slice(0, 160) ?? 'error'
  }
  const contents = readPfxContents(pfx, input.passphrase)
  if (contents === 'wrong-passphrase') return fail(role, 'passphrase-wrong')
  if (contents === 'unreadable') return fail(role, nodeError === null ? 'unreadable' : 'not-pkcs12')
  if (contents.keys.length === 0) return fail(role, 'pfx-no-key')
  if (contents.keys.length > 1) return fail(role, 'pfx-several-keys')
  if (contents.certs.length === 0) return fail(role, 'no-certificate')
  const key = contents.keys[0] as KeyObject
  const split = splitLeaf(contents.certs, key)
  if (!split) return fail(role, 'key-mismatch')
  const bad = checkTlsKey(role, key)
  if (bad) return bad
  if (nodeError !== null) return fail(role, 'tls-rejected', { detail: nodeError })
  return { ok: true, value: { key, ...split } }
}

function validatePemPair(
  input: ClientCertificatePemInput
): Res<{ key: KeyObject; leaf: X509Certificate; chain: X509Certificate[] }> {
  const parsed = parsePrivateKeyPem('client-key', input.keyPem, input.passphrase)
  if (!parsed.ok) return parsed
  const key = parsed.value.key
  const certs = parseCertificates('client-cert', input.certPem)
  if (!certs.ok) return certs
  const split = splitLeaf(certs.value, key)
  if (!split) return fail('client-cert', 'key-mismatch')
  const bad = checkTlsKey('client-key', key)
  if (bad) return bad
  return { ok: true, value: { key, ...split } }
}

export function validateClientCertificate(
  input: ClientCertificateInput,
  opts: ImportOptions = {}
): SecretResult<ValidatedCredential> {
  const now = opts.now ?? new Date()
  let ca: ValidatedCa | null = null
  if (input.serverCa !== undefined) {
    const r = validateCaFile(input.serverCa, { now })
    if (!r.ok) return r
    ca = r.value
  }
  const pair = input.format === 'pfx' ? validatePfx(input) : validatePemPair(input)
  if (!pair.ok) return pair
  const { key, leaf, chain } = pair.value
  const certificate = describeCertificate(leaf, now)
  const vp = validityProblem('client-cert', certificate)
  if (vp) return vp
  const keyPem = pkcs8Pem(key)
  const certPem = certsToPem([leaf, ...chain])
  // OpenSSL must accept exactly what the TLS client will be given.
  const tls =
    input.format === 'pfx'
      ? secureContextProblem('pfx', {
          pfx: Buffer.from(input.pfx),
          passphrase: input.passphrase,
          ...(ca ? { ca: ca.pem } : {})
        })
      : secureContextProblem('client-cert', { key: keyPem, cert: certPem, ...(ca ? { ca: ca.pem } : {}) })
  if (tls) return tls
  const description = {
    kind: 'client-certificate' as const,
    label: certLabel(certificate),
    format: input.format,
    certificate,
    chain: chain.map((c) => describeCertificate(c, now)),
    key: describeKey(key) as KeyInfo,
    serverCa: ca?.info ?? []
  }
  const serverCaPem = ca?.pem ?? null
  const material =
    input.format === 'pfx'
      ? {
          kind: 'client-certificate' as const,
          format: 'pfx' as const,
          pfxBase64: Buffer.from(input.pfx).toString('base64'),
          passphrase: input.passphrase,
          serverCaPem
        }
      : { kind: 'client-certificate' as const, format: 'pem' as const, keyPem, certPem, serverCaPem }
  return secretOk({ material, description })
}

// ---------------------------------------------------------------------------------------------
// Passwords, tokens, logins

/** C0 controls, DEL, C1 controls, lone surrogates, U+FFFE/U+FFFF: never part of a real secret. */
const BAD_CHARS =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  /[\u0000-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function checkSecretText(role: Role, value: unknown, max: number): Failure | null {
  if (typeof value !== 'string' || value.length === 0) return fail(role, 'value-empty')
  if (value.length > max) return fail(role, 'value-too-long', { max })
  if (BAD_CHARS.test(value)) return fail(role, 'value-control-chars')
  return null
}

export const MAX_PASSWORD_LENGTH = 256
export const MAX_TOKEN_LENGTH = 2048

/** Kept exactly as typed (no trimming: spaces may be part of a password). */
export function validateTerminalPassword(input: TerminalPasswordInput): SecretResult<ValidatedCredential> {
  const bad = checkSecretText('password', input.password, MAX_PASSWORD_LENGTH)
  if (bad) return bad
  return secretOk({
    material: { kind: 'terminal-password', password: input.password },
    description: { kind: 'terminal-password', label: 'terminal password' }
  })
}

/** Trims surrounding whitespace and an optional "Bearer " a user may paste along. */
export function validateWalletToken(input: WalletTokenInput): SecretResult<ValidatedCredential> {
  if (typeof input.token !== 'string') return fail('token', 'value-empty')
  const token = input.token.trim().replace(/^Bearer\s+/i, '')
  const bad = checkSecretText('token', token, MAX_TOKEN_LENGTH)
  if (bad) return bad
  if (!/^[\x21-\x7e]+$/.test(token)) return fail('token', 'token-format')
  return secretOk({
    material: { kind: 'wallet-token', token },
    description: { kind: 'wallet-token', label: 'API token' }
  })
}

export function maskLogin(login: string): string {
  return login.length <= 4 ? '*'.repeat(login.length) : '*'.repeat(login.length - 4) + login.slice(-4)
}

/** Login normalized to digits only (spec personal-api §10.1: wallet number with country code). */
export function validateCasLogin(input: CasLoginInput): SecretResult<ValidatedCredential> {
  if (typeof input.login !== 'string') return fail('cas-login', 'login-format')
  const login = input.login.replace(/[\s()+-]/g, '')
  if (!/^\d{10,15}$/.test(login)) return fail('cas-login', 'login-format')
  const bad = checkSecretText('cas-password', input.password, MAX_PASSWORD_LENGTH)
  if (bad) return bad
  return secretOk({
    material: { kind: 'cas-login', login, password: input.password },
    description: { kind: 'cas-login', label: `wallet ${maskLogin(login)}`, loginMasked: maskLogin(login) }
  })
}

// ---------------------------------------------------------------------------------------------

/** Validates any credential input; nothing is stored. */
export function validateCredential(
  input: CredentialInput,
  opts: ImportOptions = {}
): SecretResult<ValidatedCredential> {
  switch (input.kind) {
    case 'terminal-password':
      return validateTerminalPassword(input)
    case 'signing-key':
      return validateSigningKey(input)
    case 'client-certificate':
      return validateClientCertificate(input, opts)
    case 'wallet-token':
      return validateWalletToken(input)
    case 'cas-login':
      return validateCasLogin(input)
    default:
      // Input from IPC is checked by schema before it gets here; this is the last guard.
      return {
        ok: false,
        error: {
          code: 'invalid-input',
          message: { ru: 'Неизвестный тип учётных данных.', en: 'Unknown credential kind.' },
          details: { reason: 'unknown-kind' }
        }
      }
  }
}
