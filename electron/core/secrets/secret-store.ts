/**
 * Where secrets live. Every secret value (terminal password, private key, PFX, API token,
 * CAS password) is kept in a SecretStore under an opaque id; SQLite rows keep only the id
 * (a CredentialRef, see credential-ref.ts) and non-secret metadata, never a value.
 *
 * Two implementations exist:
 * - keytar-secret-store.ts: the OS keychain (Secret Service on Linux, Keychain on macOS,
 *   Credential Manager on Windows). The only file that imports `keytar`, so a later move to
 *   Electron's `safeStorage` touches one file (STYLE §7).
 * - memory-secret-store.ts: the explicit session-only mode. Secrets live in this process's
 *   memory until it exits; nothing reaches the disk.
 *
 * Errors: `get` maps "not found" to `null` and `delete` to `false`; any other failure is
 * thrown as an AppError with code 'keychain-unavailable' or 'keychain-locked' (the message
 * tells the user what to do; see keychain-errors.ts). Values and ids never appear in
 * error messages or logs.
 */
import type { KeychainProblem } from './keychain-errors'

export type SecretStoreKind = 'keychain' | 'session'

/** Result of an availability probe: can this store keep a secret right now? */
export type SecretStoreProbe = { ok: true } | { ok: false; problem: KeychainProblem }

export interface SecretStore {
  /** 'keychain' = persisted by the OS; 'session' = memory only, lost when the app exits. */
  readonly kind: SecretStoreKind
  /** The stored value, or null when nothing is stored under `id`. */
  get(id: string): Promise<string | null>
  /** Stores (or overwrites) `value` under `id`. Binary material is passed base64-encoded. */
  set(id: string, value: string): Promise<void>
  /** Removes the entry; true when something was removed, false when nothing was stored. */
  delete(id: string): Promise<boolean>
  /**
   * Checks that the backend can store, read back and delete an entry right now (a locked
   * or missing keychain fails here, not at the first payout). Never throws.
   */
  probe(): Promise<SecretStoreProbe>
}

/**
 * Ids are ASCII, at most 200 characters, without whitespace or control characters. They are
 * opaque to the stores; CredentialVault builds them from CredentialRef values.
 */
export const SECRET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:._#-]{0,199}$/

export function isValidSecretId(id: unknown): id is string {
  return typeof id === 'string' && SECRET_ID_PATTERN.test(id)
}
