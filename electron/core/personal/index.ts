/**
 * QIWI personal wallet API: client, auth (token / CAS), schemas, errors.
 * Electron-free; see docs/SANDBOX-PERSONAL.md for the emulator side.
 */
export * from './types'
export * from './client'
export * from './auth'
export * from './legacy-web'
export * from './errors'
export * from './txn-error-codes'
export * from './transport'
export * from './limiter'
export * from './dates'
export * from './decimal'
export * from './json'
export * from './schemas'
export * from './payment-outcome'
export { exchange, transportToApiError } from './exchange'
export type { ExchangeResult } from './exchange'
