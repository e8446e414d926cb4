/**
 * Types of the credential layer: what the app imports (inputs), what it may show or put in
 * SQLite (descriptions: non-secret metadata only) and what only the main-process protocol
 * clients receive (material).
 *
 * Rule: a *Description never holds a secret or a part of one (no password, token, private key,
 * passphrase, PFX bytes, not even a prefix or a hash of a low-entropy secret). Public keys,
 * certificates' public fields and fingerprints are not secrets.
 */
import type { KeyObject } from 'node:crypto'

/** Which credential; each kind belongs to one owner type (KIND_OWNER in credential-ref.ts). */
export type CredentialKind =
  /** Top-Up mode 1: `<extra name="password">` (spec topup-xml §3.1). */
  | 'terminal-password'
  /** Top-Up mode 2: RSA private key for X-Digital-Sign (spec topup-xml §3.2). */
  | 'signing-key'
  /** Top-Up mode 3: client TLS certificate + key, and the server CA QIWI returns (§3.3). */
  | 'client-certificate'
  /** Personal API: OAuth Bearer token (spec personal-api §2). */
  | 'wallet-token'
  /** Personal API legacy mode: CAS wallet login + password (spec personal-api §10). */
  | 'cas-login'

export const CREDENTIAL_KINDS: readonly CredentialKind[] = [
  'terminal-password',
  'signing-key',
  'client-certificate',
  'wallet-token',
  'cas-login'
]

export type CredentialOwnerType = 'terminal' | 'wallet'

export interface CredentialOwner {
  type: CredentialOwnerType
  /** The terminal's or wallet's id in SQLite (uuid-like: letters, digits, '-', '_'; ≤ 64). */
  id: string
}

/** File contents: bytes as read from disk, or text (PEM). */
export type FileInput = string | Uint8Array

// ---------------------------------------------------------------------------------------------
// Inputs (what the user gives at import time)

export interface TerminalPasswordInput {
  kind: 'terminal-password'
  password: string
}

export interface SigningKeyInput {
  kind: 'signing-key'
  /** PEM: PKCS#8 (`BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`). */
  keyPem: FileInput
  passphrase?: string | undefined
}

export interface ClientCertificatePfxInput {
  kind: 'client-certificate'
  format: 'pfx'
  pfx: Uint8Array
  passphrase: string
  /** The CA certificate(s) QIWI returns for the server (PEM or DER). */
  serverCa?: FileInput | undefined
}

export interface ClientCertificatePemInput {
  kind: 'client-certificate'
  format: 'pem'
  keyPem: FileInput
  /** The client certificate, optionally followed by its chain (PEM or a single DER). */
  certPem: FileInput
  passphrase?: string | undefined
  serverCa?: FileInput | undefined
}

export type ClientCertificateInput = ClientCertificatePfxInput | ClientCertificatePemInput

export interface WalletTokenInput {
  kind: 'wallet-token'
  token: string
}

export interface CasLoginInput {
  kind: 'cas-login'
  /** Wallet number with country code, e.g. "79991234567" (a leading '+' is accepted). */
  login: string
  password: string
}

export type CredentialInput =
  TerminalPasswordInput | SigningKeyInput | ClientCertificateInput | WalletTokenInput | CasLoginInput

// ---------------------------------------------------------------------------------------------
// Descriptions (non-secret; safe for the renderer, logs and SQLite)

export interface CertificateInfo {
  /** One line, RFC 4514-like order as Node prints it: "C=RU, O=QIWI, CN=agent 123". */
  subject: string
  issuer: string
  /** Upper-case hex, as OpenSSL prints it. */
  serialNumber: string
  /** SHA-256 of the DER certificate, "AB:CD:…" (as Node's X509Certificate.fingerprint256). */
  fingerprintSha256: string
  /** ISO 8601 UTC. */
  notBefore: string
  notAfter: string
  /** Whole days until notAfter (negative once expired), from the clock given to the call. */
  daysLeft: number
  /** daysLeft ≤ 30 (also true once expired): the UI warns. */
  expiresSoon: boolean
  expired: boolean
  notYetValid: boolean
  /** basicConstraints cA. */
  isCa: boolean
}

export interface KeyInfo {
  algorithm: 'rsa' | 'ec'
  /** RSA modulus length, or the EC curve size. */
  bits: number
  /** EC only: the curve name. */
  curve?: string | undefined
  /** SHA-256 of the SubjectPublicKeyInfo DER, "AB:CD:…". */
  publicKeySha256: string
}

interface DescriptionBase {
  /** The reference SQLite keeps (absent for a validation-only result). */
  ref?: string | undefined
  /** Short human label built from non-secret data. */
  label: string
  /** When the credential was saved (ISO 8601), absent for a validation-only result. */
  savedAt?: string | undefined
}

export interface TerminalPasswordDescription extends DescriptionBase {
  kind: 'terminal-password'
}

export interface SigningKeyDescription extends DescriptionBase {
  kind: 'signing-key'
  key: KeyInfo
  /** The public half to register with QIWI: SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`). */
  publicKeyPem: string
  /** The file as imported was passphrase-protected (it is stored decrypted in the keychain). */
  encryptedAtImport: boolean
  /** The file's format as imported. */
  importedFormat: 'pkcs1' | 'pkcs8'
}

export interface ClientCertificateDescription extends DescriptionBase {
  kind: 'client-certificate'
  format: 'pfx' | 'pem'
  certificate: CertificateInfo
  /** Further certificates shipped with the client certificate (intermediates), leaf excluded. */
  chain: CertificateInfo[]
  key: KeyInfo
  /** The server CA certificates stored with it (empty: none given). */
  serverCa: CertificateInfo[]
}

export interface WalletTokenDescription extends DescriptionBase {
  kind: 'wallet-token'
}

export interface CasLoginDescription extends DescriptionBase {
  kind: 'cas-login'
  /** The wallet login with all but the last 4 digits masked: "*******4567". */
  loginMasked: string
}

export type CredentialDescription =
  | TerminalPasswordDescription
  | SigningKeyDescription
  | ClientCertificateDescription
  | WalletTokenDescription
  | CasLoginDescription

// ---------------------------------------------------------------------------------------------
// Material (secret; main process only; what the keychain entry holds after normalization)

export type StoredMaterial =
  | { kind: 'terminal-password'; password: string }
  /** Unencrypted PKCS#8 PEM: the keychain entry is the protection (docs/SECRETS.md). */
  | { kind: 'signing-key'; keyPem: string }
  /** The PFX exactly as imported (base64) and its passphrase. */
  | {
      kind: 'client-certificate'
      format: 'pfx'
      pfxBase64: string
      passphrase: string
      serverCaPem: string | null
    }
  /** Unencrypted PKCS#8 key PEM; leaf certificate first, then its chain. */
  | { kind: 'client-certificate'; format: 'pem'; keyPem: string; certPem: string; serverCaPem: string | null }
  | { kind: 'wallet-token'; token: string }
  | { kind: 'cas-login'; login: string; password: string }

/** A validated credential: what to store and what to show/keep in SQLite. */
export interface ValidatedCredential {
  material: StoredMaterial
  description: CredentialDescription
}

/** TLS options for https.Agent / tls.connect, from a client-certificate credential. */
export type TlsClientMaterial =
  | { format: 'pfx'; pfx: Buffer; passphrase: string; ca: string | null }
  | { format: 'pem'; key: string; cert: string; ca: string | null }

/** What the Top-Up protocol client needs for one request (spec topup-xml §3). */
export interface TopupAuthMaterial {
  /** Mode 1 password (also sent in mode 3, decision D3); null when no ref was given. */
  password: string | null
  /** Mode 2: the decrypted private key, ready for crypto.sign('sha1', body, privateKey). */
  signing: { privateKey: KeyObject } | null
  /** Mode 3: client certificate + key and the server CA. */
  tls: TlsClientMaterial | null
}

/** The references a terminal row holds (null/undefined: that credential is not configured). */
export interface TopupAuthRefs {
  password?: string | null | undefined
  signingKey?: string | null | undefined
  clientCertificate?: string | null | undefined
}

export interface CasCredentials {
  login: string
  password: string
}
