/**
 * The keychain entry behind a CredentialRef: one JSON document per credential, so a credential
 * (e.g. PFX + passphrase + server CA) is written and replaced in one SecretStore.set.
 *
 *   { "v": 1, "savedAt": "<ISO>", "material": StoredMaterial, "description": CredentialDescription }
 *
 * The description (non-secret) is kept next to the material because it was computed from that
 * material at import and the material under a ref never changes; describe() only refreshes the
 * clock-dependent fields. Entries read back are parsed with a schema: a damaged or foreign entry
 * is reported as 'credential-invalid', never half-used.
 */
import { z } from 'zod'
import type { CredentialDescription, StoredMaterial } from './credential-types'

const certificateInfo = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  fingerprintSha256: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  daysLeft: z.number(),
  expiresSoon: z.boolean(),
  expired: z.boolean(),
  notYetValid: z.boolean(),
  isCa: z.boolean()
})

const keyInfo = z.object({
  algorithm: z.enum(['rsa', 'ec']),
  bits: z.number().int(),
  curve: z.string().optional(),
  publicKeySha256: z.string()
})

const base = { ref: z.string().optional(), label: z.string(), savedAt: z.string().optional() }

const description = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('terminal-password'), ...base }),
  z.object({
    kind: z.literal('signing-key'),
    ...base,
    key: keyInfo,
    publicKeyPem: z.string(),
    encryptedAtImport: z.boolean(),
    importedFormat: z.enum(['pkcs1', 'pkcs8'])
  }),
  z.object({
    kind: z.literal('client-certificate'),
    ...base,
    format: z.enum(['pfx', 'pem']),
    certificate: certificateInfo,
    chain: z.array(certificateInfo),
    key: keyInfo,
    serverCa: z.array(certificateInfo)
  }),
  z.object({ kind: z.literal('wallet-token'), ...base }),
  z.object({ kind: z.literal('cas-login'), ...base, loginMasked: z.string() })
])

const material = z.union([
  z.object({ kind: z.literal('terminal-password'), password: z.string().min(1) }),
  z.object({ kind: z.literal('signing-key'), keyPem: z.string().min(1) }),
  z.object({
    kind: z.literal('client-certificate'),
    format: z.literal('pfx'),
    pfxBase64: z.string().min(1),
    passphrase: z.string(),
    serverCaPem: z.string().nullable()
  }),
  z.object({
    kind: z.literal('client-certificate'),
    format: z.literal('pem'),
    keyPem: z.string().min(1),
    certPem: z.string().min(1),
    serverCaPem: z.string().nullable()
  }),
  z.object({ kind: z.literal('wallet-token'), token: z.string().min(1) }),
  z.object({ kind: z.literal('cas-login'), login: z.string().min(1), password: z.string().min(1) })
])

const entry = z.object({
  v: z.literal(1),
  savedAt: z.string(),
  material,
  description
})

export interface CredentialEntry {
  v: 1
  savedAt: string
  material: StoredMaterial
  description: CredentialDescription
}

export function serializeEntry(e: CredentialEntry): string {
  return JSON.stringify(e)
}

/** null when the text is not a well-formed entry (the caller reports it as damaged). */
export function parseEntry(text: string): CredentialEntry | null {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return null
  }
  const r = entry.safeParse(json)
  if (!r.success) return null
  if (r.data.material.kind !== r.data.description.kind) return null
  return r.data as CredentialEntry
}
