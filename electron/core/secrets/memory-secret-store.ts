/**
 * The session-only secret store: an explicit, visibly-marked mode (kind 'session') for a
 * machine without a usable keychain. Secrets are kept in this process's memory for the current
 * run only and are never written anywhere: no file, no SQLite row, no log, no swap-friendly
 * cache of our own. After a restart the user enters them again; the UI shows a permanent
 * "session-only" marker while this store is in use (openSecretStore reports status 'session').
 *
 * JavaScript strings cannot be wiped, so clear() drops the references and leaves the memory to
 * the garbage collector; an OS that swaps the process may still page it out (the same is true
 * of any secret the app holds while it uses it).
 */
import { AppError } from '../../../shared/errors'
import type { SecretStore, SecretStoreProbe } from './secret-store'
import { isValidSecretId } from './secret-store'

export class MemorySecretStore implements SecretStore {
  readonly kind = 'session' as const
  private readonly entries = new Map<string, string>()

  async get(id: string): Promise<string | null> {
    checkId(id)
    return this.entries.get(id) ?? null
  }

  async set(id: string, value: string): Promise<void> {
    checkId(id)
    if (typeof value !== 'string') throw new TypeError('secret value must be a string')
    this.entries.set(id, value)
  }

  async delete(id: string): Promise<boolean> {
    checkId(id)
    return this.entries.delete(id)
  }

  async probe(): Promise<SecretStoreProbe> {
    return { ok: true }
  }

  /** Forgets every secret (logout, quit). */
  clear(): void {
    this.entries.clear()
  }

  /** Number of entries held (for the UI's "N secrets held for this session"). */
  get size(): number {
    return this.entries.size
  }
}

function checkId(id: string): void {
  if (!isValidSecretId(id)) throw new AppError('invalid-input', 'invalid secret id')
}
