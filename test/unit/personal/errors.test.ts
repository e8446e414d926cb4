import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isErrorCode } from '../../../shared/errors'
import {
  KNOWN_TXN_ERROR_CODES,
  PERSONAL_ERROR_KINDS,
  PersonalApiError,
  TXN_ERROR_CODES,
  assertAllowedUrl,
  bearerAuth,
  casAuthorizationHeader,
  describeTxnError,
  errorCodeForKind,
  httpError,
  isLoopbackHost,
  parseErrorEnvelope,
  personalErrorMessage
} from '../../../electron/core/personal'
import { SHARED_DIR } from '../../support/paths'

/** Codes of the spec's §11.2 table, read from the spec itself. */
function specTxnCodes(): number[] {
  const md = readFileSync(join(SHARED_DIR, 'spec', 'personal-api.md'), 'utf8')
  const start = md.indexOf('### 11.2')
  const end = md.indexOf('## 12.', start)
  const section = md.slice(start, end)
  return [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))
}

describe('transaction errorCode table (spec §11.2)', () => {
  it('has exactly the codes of the spec, each with Russian and English text', () => {
    const spec = specTxnCodes()
    expect(spec.length).toBeGreaterThanOrEqual(50)
    expect([...KNOWN_TXN_ERROR_CODES].sort((a, b) => a - b)).toEqual([...spec].sort((a, b) => a - b))
    for (const c of KNOWN_TXN_ERROR_CODES) {
      const e = TXN_ERROR_CODES[c]
      expect(e.ru.length, `ru ${c}`).toBeGreaterThan(3)
      expect(e.en.length, `en ${c}`).toBeGreaterThan(1)
      expect(/[а-яё]/i.test(e.ru), `ru ${c} is Russian`).toBe(true)
    }
  })

  it('describes known and unknown codes in both languages', () => {
    expect(describeTxnError(220, 'ru')).toEqual({
      code: 220,
      known: true,
      cls: 'funds',
      message: 'Недостаточно средств'
    })
    expect(describeTxnError(220, 'en').message).toBe('Insufficient funds')
    expect(describeTxnError(0, 'en').cls).toBe('ok')
    const u = describeTxnError(12345, 'en')
    expect(u.known).toBe(false)
    expect(u.message).toContain('12345')
    expect(describeTxnError(12345, 'ru').message).toContain('код 12345')
  })
})

describe('error envelopes', () => {
  it('recognises the long envelope (request.blocked as reported publicly)', () => {
    const body =
      '{"serviceName":"payment-history","errorCode":"request.blocked","userMessage":"request blocked, try again later","dateTime":"2018-06-30T16:19:07.459+03:00","traceId":"c0a512542e702a68"}'
    expect(parseErrorEnvelope(body)).toEqual({
      shape: 'long',
      serviceName: 'payment-history',
      errorCode: 'request.blocked',
      userMessage: 'request blocked, try again later',
      description: null,
      dateTime: '2018-06-30T16:19:07.459+03:00',
      traceId: 'c0a512542e702a68'
    })
  })

  it('recognises the short envelope', () => {
    expect(parseErrorEnvelope('{"code":"QWPRC-300","message":"Техническая ошибка"}')).toEqual({
      shape: 'short',
      code: 'QWPRC-300',
      message: 'Техническая ошибка'
    })
  })

  it('returns null for empty, HTML, arrays and hostile bodies', () => {
    for (const b of [
      '',
      '<html>502</html>',
      '[1,2]',
      '{"a":1}',
      '{"__proto__":{"errorCode":"x"}}',
      'null',
      '{"code":{"x":1}}'
    ]) {
      expect(parseErrorEnvelope(b), b).toBeNull()
    }
  })

  it('maps statuses to typed kinds; request.blocked wins over the status', () => {
    expect(httpError(400, '').kind).toBe('bad-request')
    expect(httpError(401, '').kind).toBe('unauthorized')
    expect(httpError(403, '').kind).toBe('forbidden')
    expect(httpError(404, '').kind).toBe('not-found')
    expect(httpError(422, '').kind).toBe('unprocessable')
    expect(httpError(423, '').kind).toBe('blocked')
    expect(httpError(503, '').kind).toBe('server-error')
    expect(httpError(302, '').kind).toBe('http-status')
    const blocked = httpError(
      500,
      '{"serviceName":"payment-history","errorCode":"request.blocked","userMessage":"x"}'
    )
    expect(blocked.kind).toBe('blocked')
    expect(blocked.isRequestBlocked).toBe(true)
    expect(blocked.code).toBe('rate-limited')
    const short = httpError(400, '{"code":"QWPRC-220","message":"Недостаточно средств"}')
    expect(short.details).toMatchObject({ kind: 'bad-request', httpStatus: 400, qiwiErrorCode: 'QWPRC-220' })
    expect(short.message).toContain('Недостаточно средств')
  })

  it('every kind maps to an app ErrorCode and has ru/en messages', () => {
    for (const k of PERSONAL_ERROR_KINDS) {
      expect(isErrorCode(errorCodeForKind(k)), k).toBe(true)
      expect(personalErrorMessage(k, 'ru')).not.toBe(personalErrorMessage(k, 'en'))
    }
    const e = new PersonalApiError({ kind: 'forbidden', message: 'x', httpStatus: 403 })
    expect(e.name).toBe('AppError')
    expect(e.code).toBe('forbidden')
  })
})

describe('auth and URL guards', () => {
  it('builds both CAS header forms', () => {
    expect(
      casAuthorizationHeader('ST-2724343-abc', 'http://t.qiwi.com/j_spring_cas_security_check', 'token')
    ).toBe('Token ST-2724343-abc')
    // The 2017 page's own example.
    expect(
      casAuthorizationHeader(
        'ST-990102-cnwqiuhfo8732q4f',
        'https://qiwi.com/j_cas_security_check',
        'st-base64'
      )
    ).toBe('ST U1QtOTkwMTAyLWNud3FpdWhmbzg3MzJxNGY6aHR0cHM6Ly9xaXdpLmNvbS9qX2Nhc19zZWN1cml0eV9jaGVjaw==')
  })

  it('refuses tokens that could inject header text', async () => {
    expect(() => bearerAuth('abc\r\nX-Evil: 1')).toThrow(PersonalApiError)
    expect(() => bearerAuth('')).toThrow(PersonalApiError)
    expect(await bearerAuth(' U1QtOTkwMTAyLWNud3FpdWhmbzg3M ').authorization()).toBe(
      'Bearer U1QtOTkwMTAyLWNud3FpdWhmbzg3M'
    )
  })

  it('allows plain http only to loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('127.10.0.3')).toBe(true)
    expect(isLoopbackHost('[::1]')).toBe(true)
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isLoopbackHost('10.0.0.1')).toBe(false)
    expect(isLoopbackHost('edge.qiwi.com')).toBe(false)
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false)
    expect(assertAllowedUrl('https://edge.qiwi.com/x').hostname).toBe('edge.qiwi.com')
    expect(assertAllowedUrl('http://127.0.0.1:8080/x').port).toBe('8080')
    expect(() => assertAllowedUrl('http://edge.qiwi.com/x')).toThrow(/loopback/)
    expect(() => assertAllowedUrl('ftp://127.0.0.1/x')).toThrow()
    expect(() => assertAllowedUrl('https://user:pw@edge.qiwi.com/')).toThrow()
  })
})
