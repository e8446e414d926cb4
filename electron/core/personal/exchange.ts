/**
 * One HTTP exchange with error mapping shared by the client and the CAS
 * session: transport failures become PersonalApiError with `requestSent`, the
 * body is decoded as strict UTF-8, and JSON bodies are validated by schema.
 */
import type { z } from 'zod'
import { PersonalApiError, httpError } from './errors'
import { parseWith } from './schemas'
import type { HttpRequest, HttpResponse, HttpTransport } from './transport'
import { TransportError } from './transport'

export interface ExchangeResult {
  status: number
  text: string
  headers: HttpResponse['headers']
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export function transportToApiError(e: unknown): PersonalApiError {
  if (e instanceof PersonalApiError) return e
  if (e instanceof TransportError) {
    const kind = e.kind === 'truncated' ? 'network' : e.kind
    return new PersonalApiError({ kind, message: e.message, requestSent: e.requestSent, cause: e })
  }
  const msg = e instanceof Error ? e.message : String(e)
  // Unknown failure inside the transport: assume the worst for payments.
  return new PersonalApiError({ kind: 'network', message: msg, requestSent: true, cause: e })
}

/** Sends one request; throws PersonalApiError on transport failure or a non-UTF-8 body. Any status is returned. */
export async function exchange(transport: HttpTransport, req: HttpRequest): Promise<ExchangeResult> {
  let res: HttpResponse
  try {
    res = await transport.request(req)
  } catch (e) {
    throw transportToApiError(e)
  }
  let text: string
  try {
    text = utf8.decode(res.body)
  } catch {
    throw new PersonalApiError({
      kind: res.status >= 200 && res.status < 300 ? 'invalid-json' : kindlessStatus(res.status),
      httpStatus: res.status,
      message: 'response body is not valid UTF-8',
      requestSent: true
    })
  }
  return { status: res.status, text, headers: res.headers }
}

function kindlessStatus(status: number): PersonalApiError['kind'] {
  return httpError(status, '').kind
}

/** Validates a 2xx JSON body; throws PersonalApiError('invalid-json' | 'invalid-response'). */
export function decodeBody<T>(schema: z.ZodType<T>, r: ExchangeResult, maxLength: number): T {
  const p = parseWith(schema, r.text, maxLength)
  if (p.ok) return p.value
  throw new PersonalApiError({
    kind: p.stage === 'json' ? 'invalid-json' : 'invalid-response',
    httpStatus: r.status,
    message: `${p.stage === 'json' ? 'invalid JSON' : 'unexpected response'}: ${p.message}`,
    requestSent: true
  })
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300
}

/** Throws the typed error for a non-2xx reply. */
export function assertSuccess(r: ExchangeResult): void {
  if (!isSuccess(r.status)) throw httpError(r.status, r.text)
}
