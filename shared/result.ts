/**
 * Errors are data at every boundary (IPC, web host, CLI): a call returns
 * `{ ok: true, value }` or `{ ok: false, error: { code, message } }` and never
 * throws across a process. Match on `code`, never on `instanceof`.
 */
import type { ErrorCode } from './errors'

export interface AppErrorData {
  code: ErrorCode
  /** Human text in the language of the caller (already localized when it crosses IPC). */
  message: string
  /** Optional non-secret details for support (e.g. QIWI result code, field name). */
  details?: Record<string, string | number | boolean | null> | undefined
}

export type Ok<T> = { ok: true; value: T }
export type Err = { ok: false; error: AppErrorData }
export type Result<T> = Ok<T> | Err

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value }
}

export function err(code: ErrorCode, message: string, details?: AppErrorData['details']): Err {
  return details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } }
}

/** Exhaustiveness helper for switches over unions. */
export function missingCase(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`)
}
