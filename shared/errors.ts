/**
 * Every error that crosses a boundary carries one of these codes. The renderer and
 * the CLI localize by code (renderer/src/i18n, electron/cli); messages from the core
 * are a fallback for support. Append new codes; never rename one (scripts depend on them).
 */
export const ERROR_CODES = [
  // generic
  'internal',
  'bad-request',
  'not-found',
  'forbidden',
  'unauthorized',
  'conflict',
  // input validation (user, file)
  'invalid-input',
  'invalid-amount',
  'invalid-phone',
  'invalid-card',
  'invalid-account',
  'invalid-csv',
  // network / protocol
  'network-failure',
  'timeout',
  'tls-failure',
  'http-status',
  'response-too-large',
  'xml-invalid',
  'json-invalid',
  'protocol-error',
  'rate-limited',
  'qiwi-error',
  'qiwi-fatal',
  'qiwi-duplicate-mismatch',
  // configuration / credentials
  'config',
  'unknown-terminal',
  'unknown-wallet',
  'service-not-allowed',
  'keychain-unavailable',
  'keychain-locked',
  'credential-missing',
  'credential-invalid',
  'credential-wrong-passphrase',
  'credential-legacy-pfx',
  'credential-expired',
  'credential-not-yet-valid',
  'credential-key-mismatch',
  'credential-truncated',
  // storage
  'storage',
  'storage-busy',
  'storage-readonly',
  'storage-full',
  'db-from-future',
  // engine
  'terminal-paused',
  'payout-final',
  'payout-exists'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x)
}

/**
 * An error thrown inside the main process (core). Handlers convert it to data
 * with `toErrorData`; it never crosses a process as an exception.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, string | number | boolean | null> | undefined
  constructor(code: ErrorCode, message: string, details?: Record<string, string | number | boolean | null>) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }
}

export function isAppError(e: unknown): e is AppError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'AppError' &&
    isErrorCode((e as { code?: unknown }).code)
  )
}
