/**
 * Classification of one payment exchange into accepted / rejected / unknown.
 * Shared by the edge client (sinap v2) and the legacy qiwi.com web session.
 *
 * Rejected only when QIWI definitely did not act: the request never reached a
 * connection, or a documented refusal status (400, 401, 403, 404, 422). Every
 * other failure after the request may have been received — reset, timeout,
 * 423, 5xx, 3xx, a 2xx we cannot read or that names another id — is unknown.
 */
import { PersonalApiError, httpError } from './errors'
import { decodeBody, isSuccess } from './exchange'
import type { ExchangeResult } from './exchange'
import { paymentInfoSchema } from './schemas'
import type { TransferResult } from './types'

export const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 422])

export function outcomeFromSendError(clientId: string, e: unknown): TransferResult {
  const err =
    e instanceof PersonalApiError
      ? e
      : new PersonalApiError({ kind: 'network', message: String(e), requestSent: true })
  if (!err.requestSent) return { status: 'rejected', clientId, error: err }
  return { status: 'unknown', clientId, error: err }
}

export function outcomeFromReply(clientId: string, r: ExchangeResult, maxBytes: number): TransferResult {
  if (isSuccess(r.status)) {
    try {
      const payment = decodeBody(paymentInfoSchema, r, maxBytes)
      if (payment.id !== clientId) {
        return {
          status: 'unknown',
          clientId,
          error: new PersonalApiError({
            kind: 'protocol',
            httpStatus: r.status,
            requestSent: true,
            message: `reply is for id ${payment.id}, not ${clientId}`
          })
        }
      }
      return { status: 'accepted', clientId, payment }
    } catch (e) {
      const err =
        e instanceof PersonalApiError
          ? e
          : new PersonalApiError({ kind: 'invalid-response', message: String(e), requestSent: true })
      return { status: 'unknown', clientId, error: err }
    }
  }
  const err = httpError(r.status, r.text)
  if (REFUSAL_STATUSES.has(r.status)) return { status: 'rejected', clientId, error: err }
  return { status: 'unknown', clientId, error: err }
}
