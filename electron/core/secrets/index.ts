/**
 * The secrets area's public API (docs/SECRETS.md). Main-process code imports from here;
 * the renderer never does (it gets intent calls over IPC and descriptions only).
 */
export type { SecretStore, SecretStoreKind, SecretStoreProbe } from './secret-store'
export { isValidSecretId } from './secret-store'
export type { KeychainProblem, KeychainProblemCode, KeychainPlatform } from './keychain-errors'
export { classifyKeychainError, keychainAdvice } from './keychain-errors'
export type { KeytarApi, KeytarSecretStoreOptions } from './keytar-secret-store'
export { KEYTAR_SERVICE, KeytarSecretStore } from './keytar-secret-store'
export { MemorySecretStore } from './memory-secret-store'
export type { OpenSecretStoreOptions, OpenedSecretStore, SecretStoreStatus } from './open-secret-store'
export { openSecretStore } from './open-secret-store'
export type { LocalizedText, SecretError, SecretResult } from './secret-errors'
export { toAppErrorData } from './secret-errors'
export type { ParsedCredentialRef } from './credential-ref'
export { KIND_OWNER, newCredentialRef, parseCredentialRef } from './credential-ref'
export type * from './credential-types'
export { CREDENTIAL_KINDS } from './credential-types'
export type { ImportOptions, ImportProblem, ValidatedCa } from './credential-import'
export {
  LEGACY_PFX_CONVERSION,
  validateCaFile,
  validateCasLogin,
  validateClientCertificate,
  validateCredential,
  validateSigningKey,
  validateTerminalPassword,
  validateWalletToken
} from './credential-import'
export type {
  CommitRef,
  CredentialVaultOptions,
  ReplacedCredential,
  SavedCredential
} from './credential-vault'
export { CredentialVault } from './credential-vault'
