/**
 * Credential references: the opaque strings SQLite rows keep instead of secrets, and at the
 * same time the SecretStore ids of the entries.
 *
 *   <owner type>:<owner id>:<slot>:<generation>
 *   terminal:7f3c2a90-…:password:9f2c4e1a0b7d3e55
 *   terminal:7f3c2a90-…:signing-key:…      terminal:7f3c2a90-…:client-cert:…
 *   wallet:0b1d…:token:…                   wallet:0b1d…:cas:…
 *
 * The generation is random and new for every save: rotation writes a NEW entry, switches the
 * row to the new ref, then deletes the old entry (credential-vault.ts). So the content behind
 * a ref never changes, and a cache keyed by ref is always right.
 */
import { randomBytes } from 'node:crypto'
import type { CredentialKind, CredentialOwner, CredentialOwnerType } from './credential-types'

export const KIND_OWNER: Readonly<Record<CredentialKind, CredentialOwnerType>> = {
  'terminal-password': 'terminal',
  'signing-key': 'terminal',
  'client-certificate': 'terminal',
  'wallet-token': 'wallet',
  'cas-login': 'wallet'
}

const KIND_SLOT: Readonly<Record<CredentialKind, string>> = {
  'terminal-password': 'password',
  'signing-key': 'signing-key',
  'client-certificate': 'client-cert',
  'wallet-token': 'token',
  'cas-login': 'cas'
}

const SLOT_KIND: ReadonlyMap<string, CredentialKind> = new Map(
  (Object.entries(KIND_SLOT) as [CredentialKind, string][]).map(([k, s]) => [s, k])
)

export const OWNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
const REF_PATTERN = /^(terminal|wallet):([A-Za-z0-9][A-Za-z0-9_-]{0,63}):([a-z-]{1,20}):([0-9a-f]{16})$/

export interface ParsedCredentialRef {
  ref: string
  owner: CredentialOwner
  kind: CredentialKind
  generation: string
}

export function isValidOwner(owner: unknown): owner is CredentialOwner {
  if (typeof owner !== 'object' || owner === null) return false
  const o = owner as { type?: unknown; id?: unknown }
  return (
    (o.type === 'terminal' || o.type === 'wallet') && typeof o.id === 'string' && OWNER_ID_PATTERN.test(o.id)
  )
}

/** A fresh reference (new generation) for `kind` owned by `owner`. Throws on a wrong pairing. */
export function newCredentialRef(owner: CredentialOwner, kind: CredentialKind, generation?: string): string {
  if (!isValidOwner(owner)) throw new RangeError('invalid credential owner')
  if (KIND_OWNER[kind] !== owner.type) {
    throw new RangeError(`a ${kind} belongs to a ${KIND_OWNER[kind]}, not a ${owner.type}`)
  }
  const gen = generation ?? randomBytes(8).toString('hex')
  if (!/^[0-9a-f]{16}$/.test(gen)) throw new RangeError('generation must be 16 hex digits')
  return `${owner.type}:${owner.id}:${KIND_SLOT[kind]}:${gen}`
}

/** Parses a reference read from SQLite (untrusted: returns null unless it is exactly well-formed). */
export function parseCredentialRef(ref: unknown): ParsedCredentialRef | null {
  if (typeof ref !== 'string') return null
  const m = REF_PATTERN.exec(ref)
  if (!m) return null
  const [, type, id, slot, generation] = m
  if (type === undefined || id === undefined || slot === undefined || generation === undefined) return null
  const kind = SLOT_KIND.get(slot)
  if (kind === undefined) return null
  const ownerType = type as CredentialOwnerType
  if (KIND_OWNER[kind] !== ownerType) return null
  return { ref, owner: { type: ownerType, id }, kind, generation }
}
