/**
 * Errors of the secrets area as data.
 *
 * Convention (docs/SECRETS.md "Errors"): every failure carries an ErrorCode from
 * shared/errors.ts plus the message in BOTH languages, `{ ru, en }`, because the core does
 * not know the UI language and the CLI prints English. At the IPC/CLI boundary
 * `toAppErrorData(error, lang)` picks one language and yields the shared AppErrorData
 * envelope. Messages and details never contain a secret value.
 */
import type { ErrorCode } from '../../../shared/errors'
import { isAppError } from '../../../shared/errors'
import type { AppErrorData } from '../../../shared/result'

export interface LocalizedText {
  ru: string
  en: string
}

export type SecretErrorDetails = Record<string, string | number | boolean | null>

export interface SecretError {
  code: ErrorCode
  message: LocalizedText
  details?: SecretErrorDetails | undefined
}

export type SecretResult<T> = { ok: true; value: T } | { ok: false; error: SecretError }

export function secretOk<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

export function secretErr(
  code: ErrorCode,
  message: LocalizedText,
  details?: SecretErrorDetails
): { ok: false; error: SecretError } {
  return details === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, details } }
}

/** Picks one language for the shared `{ code, message }` envelope (IPC, web host, CLI). */
export function toAppErrorData(error: SecretError, lang: 'ru' | 'en'): AppErrorData {
  return error.details === undefined
    ? { code: error.code, message: error.message[lang] }
    : { code: error.code, message: error.message[lang], details: error.details }
}

/**
 * AppErrors thrown by a SecretStore carry the localized message in `details.ru`/`details.en`
 * (see keychain-errors.ts). This turns any thrown value into a SecretError without leaking
 * anything but that text.
 */
export function secretErrorFromThrown(e: unknown): SecretError {
  if (isAppError(e)) {
    const ru = e.details?.['ru']
    const en = e.details?.['en']
    const rest: SecretErrorDetails = {}
    for (const [k, v] of Object.entries(e.details ?? {})) {
      if (k !== 'ru' && k !== 'en') rest[k] = v
    }
    return {
      code: e.code,
      message: {
        ru: typeof ru === 'string' ? ru : e.message,
        en: typeof en === 'string' ? en : e.message
      },
      ...(Object.keys(rest).length > 0 ? { details: rest } : {})
    }
  }
  // A foreign error's message may quote its input (V8's JSON.parse does), so only its
  // class name is kept.
  return {
    code: 'internal',
    message: {
      ru: 'Внутренняя ошибка при работе с хранилищем секретов.',
      en: 'Internal error while accessing the secret store.'
    },
    details: { cause: e instanceof Error ? e.name : typeof e }
  }
}
