/**
 * Typed errors of the personal API client.
 *
 * Spec §11.1: logic is driven by the HTTP status (400/401/403/404/422/423/5xx).
 * Error bodies are not documented (P14); public reports show two shapes, both
 * parsed here and carried along for display and support:
 *   long:  {"serviceName":"payment-history","errorCode":"request.blocked",
 *           "userMessage":"request blocked, try again later","dateTime":"…","traceId":"…"}
 *   short: {"code":"QWPRC-300","message":"Техническая ошибка"}
 * `request.blocked` (the history rate limit, HTTP 423) is recognised from either
 * the status or the long envelope's errorCode.
 */
import { AppError } from '../../../shared/errors'
import type { ErrorCode } from '../../../shared/errors'
import { missingCase } from '../../../shared/result'
import type { JsonValue } from './json'
import { JsonNumber, parseJson } from './json'
import type { Lang } from './txn-error-codes'

export type PersonalErrorKind =
  /** The caller passed something the API cannot accept (checked before sending). */
  | 'invalid-argument'
  /** HTTP 400: syntax / data-format error. */
  | 'bad-request'
  /** HTTP 401: token (or CAS ticket) wrong or expired. */
  | 'unauthorized'
  /** HTTP 403: the token lacks the permission for this call. */
  | 'forbidden'
  /** HTTP 404: wallet / transaction / hook not found, or no payments match. */
  | 'not-found'
  /** HTTP 422 (webhooks) and other semantic refusals. */
  | 'unprocessable'
  /** HTTP 423 / `request.blocked`: too many requests; history blocks for 5 minutes. */
  | 'blocked'
  /** HTTP 5xx. */
  | 'server-error'
  /** Any other unexpected status (3xx redirects are never followed). */
  | 'http-status'
  | 'network'
  | 'timeout'
  | 'response-too-large'
  | 'tls'
  /** Plain http to a non-loopback host, or an unsupported URL. */
  | 'insecure-url'
  /** Body is not strict JSON (or not UTF-8). */
  | 'invalid-json'
  /** JSON that does not match the documented schema. */
  | 'invalid-response'
  /** CAS login refused (wrong login/password) or no ticket in the reply. */
  | 'cas-login-failed'
  /** Protocol misbehaviour (e.g. a history cursor that does not advance). */
  | 'protocol'

export const PERSONAL_ERROR_KINDS: readonly PersonalErrorKind[] = [
  'invalid-argument',
  'bad-request',
  'unauthorized',
  'forbidden',
  'not-found',
  'unprocessable',
  'blocked',
  'server-error',
  'http-status',
  'network',
  'timeout',
  'response-too-large',
  'tls',
  'insecure-url',
  'invalid-json',
  'invalid-response',
  'cas-login-failed',
  'protocol'
]

export type ErrorEnvelope =
  | {
      shape: 'long'
      serviceName: string | null
      errorCode: string
      userMessage: string | null
      description: string | null
      dateTime: string | null
      traceId: string | null
    }
  | { shape: 'short'; code: string; message: string | null }

export interface PersonalApiErrorInit {
  kind: PersonalErrorKind
  message: string
  httpStatus?: number | undefined
  envelope?: ErrorEnvelope | null | undefined
  /** True when the request may have reached the server (matters for payments). */
  requestSent?: boolean | undefined
  /** For `blocked`: how many attempts were made before giving up. */
  attempts?: number | undefined
  cause?: unknown
}

export class PersonalApiError extends AppError {
  readonly kind: PersonalErrorKind
  readonly httpStatus: number | null
  readonly envelope: ErrorEnvelope | null
  readonly requestSent: boolean
  readonly attempts: number

  constructor(init: PersonalApiErrorInit) {
    const details: Record<string, string | number | boolean | null> = { kind: init.kind }
    if (init.httpStatus !== undefined) details.httpStatus = init.httpStatus
    if (init.envelope?.shape === 'long') details.qiwiErrorCode = init.envelope.errorCode
    if (init.envelope?.shape === 'short') details.qiwiErrorCode = init.envelope.code
    super(errorCodeForKind(init.kind), init.message, details)
    this.name = 'AppError'
    this.kind = init.kind
    this.httpStatus = init.httpStatus ?? null
    this.envelope = init.envelope ?? null
    this.requestSent = init.requestSent ?? false
    this.attempts = init.attempts ?? 1
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause
  }

  /** True for `request.blocked` (HTTP 423 or the long envelope's errorCode). */
  get isRequestBlocked(): boolean {
    return this.kind === 'blocked'
  }
}

export function isPersonalApiError(e: unknown): e is PersonalApiError {
  return e instanceof PersonalApiError
}

/** Maps a client error kind to the app-wide ErrorCode (shared/errors.ts). */
export function errorCodeForKind(kind: PersonalErrorKind): ErrorCode {
  switch (kind) {
    case 'invalid-argument':
      return 'invalid-input'
    case 'bad-request':
      return 'bad-request'
    case 'unauthorized':
      return 'unauthorized'
    case 'forbidden':
      return 'forbidden'
    case 'not-found':
      return 'not-found'
    case 'unprocessable':
      return 'bad-request'
    case 'blocked':
      return 'rate-limited'
    case 'server-error':
      return 'http-status'
    case 'http-status':
      return 'http-status'
    case 'network':
      return 'network-failure'
    case 'timeout':
      return 'timeout'
    case 'response-too-large':
      return 'response-too-large'
    case 'tls':
      return 'tls-failure'
    case 'insecure-url':
      return 'config'
    case 'invalid-json':
      return 'json-invalid'
    case 'invalid-response':
      return 'protocol-error'
    case 'cas-login-failed':
      return 'credential-invalid'
    case 'protocol':
      return 'protocol-error'
    default:
      return missingCase(kind)
  }
}

/** Localized generic text per kind (the envelope's own message, when any, is shown beside it). */
export function personalErrorMessage(kind: PersonalErrorKind, lang: Lang = 'ru'): string {
  const ru = lang === 'ru'
  switch (kind) {
    case 'invalid-argument':
      return ru ? 'Неверные параметры запроса' : 'Invalid request parameters'
    case 'bad-request':
      return ru ? 'Ошибка формата данных в запросе' : 'Request syntax or data-format error'
    case 'unauthorized':
      return ru
        ? 'Токен неверный или истёк (срок действия — 180 дней). Выпустите новый токен'
        : 'The token is wrong or expired (valid 180 days). Issue a new token'
    case 'forbidden':
      return ru ? 'У токена нет разрешения на эту операцию' : 'The token lacks the permission for this call'
    case 'not-found':
      return ru
        ? 'Не найдено (кошелёк, транзакция или платежи)'
        : 'Not found (wallet, transaction or payments)'
    case 'unprocessable':
      return ru ? 'Запрос отклонён сервером' : 'The server refused the request'
    case 'blocked':
      return ru
        ? 'Слишком много запросов: QIWI временно заблокировал запросы (до 5 минут)'
        : 'Too many requests: QIWI blocked requests for a while (up to 5 minutes)'
    case 'server-error':
      return ru ? 'Внутренняя ошибка сервера QIWI' : 'QIWI internal server error'
    case 'http-status':
      return ru ? 'Неожиданный ответ сервера' : 'Unexpected server response'
    case 'network':
      return ru ? 'Сетевая ошибка' : 'Network error'
    case 'timeout':
      return ru ? 'Сервер не ответил вовремя' : 'The server did not answer in time'
    case 'response-too-large':
      return ru ? 'Ответ сервера слишком большой' : 'Server response too large'
    case 'tls':
      return ru ? 'Ошибка защищённого соединения (TLS)' : 'Secure connection (TLS) error'
    case 'insecure-url':
      return ru ? 'Незащищённый адрес сервера' : 'Insecure server address'
    case 'invalid-json':
      return ru ? 'Ответ сервера не является корректным JSON' : 'The server response is not valid JSON'
    case 'invalid-response':
      return ru
        ? 'Ответ сервера не соответствует документации'
        : 'The server response does not match the documented format'
    case 'cas-login-failed':
      return ru ? 'Неверный логин или пароль кошелька' : 'Wrong wallet login or password'
    case 'protocol':
      return ru ? 'Нарушение протокола сервером' : 'Protocol violation by the server'
    default:
      return missingCase(kind)
  }
}

/** Kind for an HTTP status that is not 2xx. */
export function kindForStatus(status: number): PersonalErrorKind {
  if (status === 400) return 'bad-request'
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
  if (status === 422) return 'unprocessable'
  if (status === 423 || status === 429) return 'blocked'
  if (status >= 500 && status <= 599) return 'server-error'
  return 'http-status'
}

function str(v: JsonValue | undefined): string | null {
  if (typeof v === 'string') return v
  if (v instanceof JsonNumber) return v.raw
  return null
}

/**
 * Recognises the long and short error envelopes in an error body. Returns null
 * for anything else (empty body, HTML, other JSON). Never throws.
 */
export function parseErrorEnvelope(body: string): ErrorEnvelope | null {
  if (body.length === 0 || body.length > 64 * 1024) return null
  const r = parseJson(body, { maxDepth: 8 })
  if (
    !r.ok ||
    r.value === null ||
    typeof r.value !== 'object' ||
    Array.isArray(r.value) ||
    r.value instanceof JsonNumber
  ) {
    return null
  }
  const o = r.value
  const errorCode = str(o.errorCode)
  if (
    errorCode !== null &&
    ('serviceName' in o || 'userMessage' in o || 'description' in o || 'traceId' in o)
  ) {
    return {
      shape: 'long',
      serviceName: str(o.serviceName),
      errorCode,
      userMessage: str(o.userMessage),
      description: str(o.description),
      dateTime: str(o.dateTime),
      traceId: str(o.traceId)
    }
  }
  const code = str(o.code)
  if (code !== null && ('message' in o || /^[A-Z]+-\d+$/.test(code))) {
    return { shape: 'short', code, message: str(o.message) }
  }
  return null
}

/** The envelope's own human text, if any. */
export function envelopeText(env: ErrorEnvelope | null): string | null {
  if (!env) return null
  if (env.shape === 'long') return env.userMessage ?? env.description
  return env.message
}

/** Builds the error for a non-2xx reply. */
export function httpError(status: number, body: string, requestSent = true): PersonalApiError {
  const envelope = parseErrorEnvelope(body)
  let kind = kindForStatus(status)
  if (envelope?.shape === 'long' && envelope.errorCode === 'request.blocked') kind = 'blocked'
  const text = envelopeText(envelope)
  return new PersonalApiError({
    kind,
    httpStatus: status,
    envelope,
    requestSent,
    message: `HTTP ${status}: ${personalErrorMessage(kind, 'en')}${text ? ` (${text.slice(0, 200)})` : ''}`
  })
}
