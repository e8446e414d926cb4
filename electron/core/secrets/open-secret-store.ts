/**
 * Chooses the secret store at startup. The keychain is probed with a real set/get/delete of a
 * throwaway entry, so a locked or missing keychain is found now, with its reason, rather than
 * at the first payout.
 *
 * | probe ok | allowSessionOnly | status        | store                                     |
 * |----------|------------------|---------------|-------------------------------------------|
 * | yes      | any              | 'keychain'    | the keychain                              |
 * | no       | true             | 'session'     | a new MemorySecretStore (memory only)     |
 * | no       | false            | 'unavailable' | the keychain; every call throws `reason`  |
 *
 * Session-only mode is never entered silently: the caller asks for it (the user chose it
 * after seeing `reason`, or a CLI flag), and the status tells the UI to show its marker.
 * No insecure fallback exists (no plaintext file, no "basic" obfuscation): RELIABILITY T6.
 */
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import type { KeychainProblem } from './keychain-errors'
import type { KeytarSecretStoreOptions } from './keytar-secret-store'
import { KeytarSecretStore } from './keytar-secret-store'
import { MemorySecretStore } from './memory-secret-store'
import type { SecretStore } from './secret-store'

export interface OpenSecretStoreOptions {
  /** Fall back to the session-only store when the keychain is unusable. */
  allowSessionOnly: boolean
  /** Skip the keychain entirely (the user chose "do not keep secrets on this computer"). */
  forceSessionOnly?: boolean | undefined
  logger?: Logger | undefined
  /** The keychain store to probe; a KeytarSecretStore built from `keytar` by default. */
  keychain?: SecretStore | undefined
  keytar?: KeytarSecretStoreOptions | undefined
}

export type SecretStoreStatus = 'keychain' | 'session' | 'unavailable'

export interface OpenedSecretStore {
  store: SecretStore
  status: SecretStoreStatus
  /** Why the keychain is not used (absent when status is 'keychain' or session-only was forced). */
  reason?: KeychainProblem | undefined
}

export async function openSecretStore(opts: OpenSecretStoreOptions): Promise<OpenedSecretStore> {
  const logger = opts.logger ?? nullLogger
  if (opts.forceSessionOnly === true) {
    logger.info({ status: 'session' }, 'secret store: session-only mode chosen')
    return { store: new MemorySecretStore(), status: 'session' }
  }
  const keychain =
    opts.keychain ?? new KeytarSecretStore({ ...opts.keytar, logger: opts.keytar?.logger ?? logger })
  const probe = await keychain.probe()
  if (probe.ok) {
    logger.info({ status: 'keychain' }, 'secret store: OS keychain')
    return { store: keychain, status: 'keychain' }
  }
  const reason = probe.problem
  if (opts.allowSessionOnly) {
    logger.warn(
      { status: 'session', code: reason.code, detail: reason.detail },
      'secret store: keychain unusable, session-only mode'
    )
    return { store: new MemorySecretStore(), status: 'session', reason }
  }
  logger.warn(
    { status: 'unavailable', code: reason.code, detail: reason.detail },
    'secret store: keychain unusable'
  )
  return { store: keychain, status: 'unavailable', reason }
}
