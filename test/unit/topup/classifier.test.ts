import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { VECTORS_DIR } from '../../support/paths'
import {
  classifyCheckDepositReply,
  classifyCheckUserReply,
  classifyGetProviderReply,
  classifyPayHttpStatus,
  classifyPayReply,
  classifyPayTransportFailure,
  classifyPingReply
} from '../../../electron/core/topup/index'
import type { PayOutcome } from '../../../electron/core/topup/index'

const v = (rel: string): Buffer => readFileSync(join(VECTORS_DIR, rel))
const pay = (body: string | Buffer, txn = '12345678'): PayOutcome =>
  classifyPayReply(body, { mode: 'pay', transactionNumber: txn })
const status = (body: string | Buffer, txn = '12345678'): PayOutcome =>
  classifyPayReply(body, { mode: 'status', transactionNumber: txn })

const BAL3 = { '428': '0.00', '643': '200.00', '840': '12.20' }

describe('documented pay/status replies classify to the meaning the spec states', () => {
  it('pay-wallet-response.xml (ru, `<?xm` typo, top-level result-code): final success', () => {
    const o = pay(v('topup/pay-wallet-response.xml'))
    expect(o).toMatchObject({
      kind: 'final-success',
      reason: 'ok',
      fatal: false,
      duplicateMismatch: false,
      requestResultCode: 0,
      transactionNumber: '12345678',
      txnId: '6060',
      txnDate: '02.03.2011 14:35:46',
      status: 60,
      resultCode: 0,
      finalStatus: true,
      message: 'Ok',
      fromAmount: '1115.00',
      fromCcy: '643',
      toAmount: '1000.00',
      toCcy: '643',
      toServiceId: '99',
      toAccountNumber: '79181234567',
      balances: BAL3
    })
  })

  it('pay-wallet-response.en.xml (no top-level result-code): final success', () => {
    const o = pay(v('topup/pay-wallet-response.en.xml'))
    expect(o.kind).toBe('final-success')
    expect(o.requestResultCode).toBeUndefined()
    expect(o.balances).toEqual(BAL3)
  })

  it.each([
    'topup/pay-error-response.xml',
    'topup/pay-error-response.en.xml',
    'topup/pay-card-error-response.xml',
    'legacy/seed001-pay-error-response.xml'
  ])('%s: request-level 300 → unknown (never a failure), not fatal', (f) => {
    const o = pay(v(f))
    expect(o).toMatchObject({
      kind: 'unknown',
      reason: 'request-error',
      requestResultCode: 300,
      fatal: false
    })
  })

  it('pay-error-response.xml carries the decoded Russian message', () => {
    expect(pay(v('topup/pay-error-response.xml')).requestMessage).toBe('Неизвестная ошибка')
  })

  it.each([
    ['topup/pay-card-response.xml', '34020', '955.00', '4111********1123'],
    ['topup/pay-card-response.en.xml', '34020', '955.00', '4111********1123'],
    ['topup/pay-card-spec-response.xml', '32911', '1000.00', '+79991112233'],
    ['topup/pay-card-foreign-response.xml', '36655', '955.00', '4111********1123'],
    ['topup/pay-mobile-response.xml', '29130', '115.00', '7988111****'],
    ['legacy/seed004-pay-card-response.xml', '99', '15.00', '4111********1123']
  ])('%s: final success with the echoed details', (f, sid, toAmount, acc) => {
    const o = pay(v(f))
    expect(o).toMatchObject({
      kind: 'final-success',
      txnId: '6060',
      status: 60,
      toServiceId: sid,
      toAmount,
      toAccountNumber: acc
    })
    expect(o.balances['643']).toBe('200.00')
  })

  it('seed001 wallet reply (no declaration, balance "200"): success, balance normalized', () => {
    const o = pay(v('legacy/seed001-pay-wallet-response.xml'))
    expect(o).toMatchObject({ kind: 'final-success', fromAmount: '15.00', toAmount: '15.00', balances: BAL3 })
  })

  it('pay-sbp-response.xml (no declaration, <payments> wrapper, extra tags): not final, status 50', () => {
    const o = pay(v('topup/pay-sbp-response.xml'))
    expect(o).toMatchObject({
      kind: 'not-final',
      reason: 'ok',
      status: 50,
      txnId: '20323739405',
      finalStatus: false,
      message: 'Ок',
      txnDate: '14.04.2022 09:40:09',
      toAmount: '10007.03',
      balances: { '643': '6776332.87' }
    })
  })

  it.each(['topup/status-response.xml', 'topup/status-response.en.xml'])(
    '%s (Cyrillic result-сode attribute): final success via the fallback',
    (f) => {
      const o = status(v(f))
      expect(o).toMatchObject({
        kind: 'final-success',
        txnId: '759640439',
        resultCode: 0,
        txnDate: '12.03.2012 14:24:38',
        balances: { '643': '90.79', '840': '0.00' }
      })
    }
  )

  it('status-error-response.xml: unknown (keep polling)', () => {
    expect(status(v('topup/status-error-response.xml'))).toMatchObject({
      kind: 'unknown',
      reason: 'request-error',
      requestResultCode: 300
    })
  })

  it('a reply about another transaction-number is unknown, never success', () => {
    for (const f of [
      'topup/pay-wallet-response.xml',
      'topup/pay-card-response.xml',
      'topup/status-response.xml'
    ]) {
      const o = pay(v(f), '12345679')
      expect(o.kind).toBe('unknown')
      expect(o.reason).toBe('txn-mismatch')
    }
  })
})

// Synthetic replies for each row of docs/CLASSIFIER.md.
function reply(attrs: string, opts: { top?: string; wrap?: boolean } = {}): string {
  const top = opts.top ?? '<result-code fatal="false">0</result-code>'
  const p = `<payment ${attrs}/>`
  return `<?xml version="1.0" encoding="utf-8"?><response>${top}${opts.wrap ? `<payments>${p}</payments>` : p}</response>`
}
const A = (o: Record<string, string>): string =>
  Object.entries(o)
    .map(([k, val]) => `${k}="${val}"`)
    .join(' ')
const ok60 = {
  status: '60',
  txn_id: '1',
  'transaction-number': '77',
  'result-code': '0',
  'final-status': 'true',
  'fatal-error': 'false'
}

describe('decision table', () => {
  it('final failure: final-status=true, status>100, our number, code ≠ 215', () => {
    for (const st of ['101', '150', '151', '160', '999']) {
      const o = pay(reply(A({ ...ok60, status: st, 'result-code': '220' })), '77')
      expect(o).toMatchObject({ kind: 'final-failure', resultCode: 220, status: Number(st) })
    }
    const fatal = pay(reply(A({ ...ok60, status: '160', 'result-code': '316', 'fatal-error': 'true' })), '77')
    expect(fatal).toMatchObject({ kind: 'final-failure', fatal: true })
  })

  it('code 215 is never a failure: unknown + duplicateMismatch + fatal', () => {
    const o = pay(reply(A({ ...ok60, status: '160', 'result-code': '215' })), '77')
    expect(o).toMatchObject({
      kind: 'unknown',
      reason: 'duplicate-mismatch',
      duplicateMismatch: true,
      fatal: true
    })
    const nf = pay(reply(A({ ...ok60, status: '50', 'final-status': 'false', 'result-code': '215' })), '77')
    expect(nf).toMatchObject({ kind: 'unknown', duplicateMismatch: true })
  })

  it('final failure needs the result code', () => {
    const { 'result-code': _rc, ...noCode } = ok60
    expect(pay(reply(A({ ...noCode, status: '160' })), '77').kind).toBe('unknown')
  })

  it('not-final: final-status=false with a txn_id', () => {
    for (const st of ['0', '1', '49', '50', '52', '59', '60', '61', '100', '160']) {
      expect(pay(reply(A({ ...ok60, status: st, 'final-status': 'false' })), '77').kind).toBe('not-final')
    }
  })

  it('not-registered: status -1 or an empty txn_id in a pay reply', () => {
    expect(pay(reply(A({ ...ok60, status: '-1', 'final-status': 'false', txn_id: '' })), '77').kind).toBe(
      'not-registered'
    )
    const { 'final-status': _f, ...noFinal } = ok60
    expect(pay(reply(A({ ...noFinal, status: '-1' })), '77').kind).toBe('not-registered')
    expect(pay(reply(A({ ...ok60, status: '50', 'final-status': 'false', txn_id: '' })), '77').kind).toBe(
      'not-registered'
    )
    const { txn_id: _t, ...noTxn } = ok60
    expect(pay(reply(A({ ...noTxn, status: '0', 'final-status': 'false' })), '77').kind).toBe(
      'not-registered'
    )
  })

  it('not-found: status reply with result-code 0 and no payment (or a payment without txn_id)', () => {
    const none =
      '<response><result-code fatal="false">0</result-code><balances><balance code="643">1.00</balance></balances></response>'
    expect(status(none)).toMatchObject({ kind: 'not-found', balances: { '643': '1.00' } })
    expect(status(reply(A({ ...ok60, status: '50', 'final-status': 'false', txn_id: '' })), '77').kind).toBe(
      'not-found'
    )
    // The same reply to a pay is unknown (a pay reply must carry our payment).
    expect(pay(none).kind).toBe('unknown')
    // Without an explicit result-code 0 the reply is incomplete, not "not found".
    expect(status('<response><balances/></response>')).toMatchObject({
      kind: 'unknown',
      reason: 'incomplete'
    })
  })

  it('contradictions are unknown', () => {
    expect(pay(reply(A({ ...ok60, txn_id: '' })), '77')).toMatchObject({
      kind: 'unknown',
      reason: 'contradictory'
    })
    expect(pay(reply(A({ ...ok60, 'result-code': '300' })), '77')).toMatchObject({
      kind: 'unknown',
      reason: 'contradictory'
    })
    expect(pay(reply(A({ ...ok60, status: '-1' })), '77')).toMatchObject({
      kind: 'unknown',
      reason: 'contradictory'
    })
    for (const st of ['0', '50', '59', '61', '100']) {
      expect(pay(reply(A({ ...ok60, status: st })), '77')).toMatchObject({
        kind: 'unknown',
        reason: 'final-unexpected-status'
      })
    }
    // Both spellings of result-code present and different.
    const both = reply(`${A(ok60)} result-\u0441ode="160"`)
    expect(pay(both, '77')).toMatchObject({ kind: 'unknown', reason: 'contradictory' })
  })

  it('incomplete or malformed payment attributes are unknown', () => {
    const { status: _s, ...noStatus } = ok60
    const { 'final-status': _f, ...noFinal } = ok60
    for (const attrs of [
      A(noStatus),
      A(noFinal),
      A({ ...ok60, status: 'sixty' }),
      A({ ...ok60, status: '60.0' }),
      A({ ...ok60, status: '060' }),
      A({ ...ok60, status: '+60' }),
      A({ ...ok60, status: ' 60' }),
      A({ ...ok60, 'final-status': 'true ' }),
      A({ ...ok60, 'result-code': '00' }),
      A({ ...ok60, 'transaction-number': '012345678' }),
      A({ ...ok60, 'final-status': 'TRUE' }),
      A({ ...ok60, 'final-status': '1' }),
      A({ ...ok60, txn_id: '12a' }),
      A({ ...ok60, 'fatal-error': 'maybe' }),
      A({ ...ok60, 'result-code': '' })
    ]) {
      expect(pay(reply(attrs), '77').kind, attrs).toBe('unknown')
    }
  })

  it('request-level errors are unknown even with a payment; fatal codes and attributes flag fatal', () => {
    const withPayment = reply(A(ok60), { top: '<result-code fatal="false">13</result-code>' })
    expect(pay(withPayment, '77')).toMatchObject({
      kind: 'unknown',
      reason: 'request-error',
      requestResultCode: 13,
      fatal: false
    })
    for (const code of ['150', '339']) {
      const o = pay(`<response><result-code fatal="false">${code}</result-code></response>`)
      expect(o).toMatchObject({ kind: 'unknown', fatal: true, requestResultCode: Number(code) })
    }
    expect(pay('<response><result-code fatal="true">777</result-code></response>')).toMatchObject({
      kind: 'unknown',
      fatal: true
    })
    expect(pay('<response><result-code>x</result-code></response>')).toMatchObject({
      kind: 'unknown',
      reason: 'incomplete'
    })
    const twice = reply(A(ok60), { top: '<result-code>0</result-code><result-code>0</result-code>' })
    expect(pay(twice, '77').kind).toBe('unknown')
  })

  it('more than one payment or a repeated payment is ambiguous', () => {
    const two = `<response><payment ${A(ok60)}/><payment ${A(ok60)}/></response>`
    expect(pay(two, '77')).toMatchObject({ kind: 'unknown', reason: 'ambiguous' })
    const nested = `<response><payments><payment ${A(ok60)}/></payments><payment ${A({ ...ok60, status: '160' })}/></response>`
    expect(pay(nested, '77').kind).toBe('unknown')
  })

  it('payment found at any depth, quotes mixed, unknown tags ignored', () => {
    const deep = `<response><x><y><payments><payment status='60' txn_id="1" transaction-number='77' result-code="0" final-status='true'><extra name="rrn">123456</extra><extra name="billRegId">B-1</extra></payment></payments></y></x><lk-status>001</lk-status></response>`
    expect(pay(deep, '77')).toMatchObject({ kind: 'final-success', rrn: '123456', billRegId: 'B-1' })
  })

  it('root must be <response>', () => {
    expect(pay(`<request><payment ${A(ok60)}/></request>`, '77')).toMatchObject({
      kind: 'unknown',
      reason: 'xml-invalid'
    })
  })

  it('transport and HTTP failures are unknown', () => {
    expect(classifyPayTransportFailure({ kind: 'timeout', message: 't', beforeSend: false })).toMatchObject({
      kind: 'unknown',
      reason: 'timeout'
    })
    expect(classifyPayTransportFailure({ kind: 'pin-mismatch', message: 't', beforeSend: true }).reason).toBe(
      'tls'
    )
    for (const s of [301, 302, 400, 404, 423, 429, 500, 502, 503]) {
      expect(classifyPayHttpStatus(s)).toMatchObject({ kind: 'unknown', reason: 'http-status' })
    }
    expect(pay('')).toMatchObject({ kind: 'unknown', reason: 'empty-body' })
  })
})

describe('check-deposit-possible (spec §5.9 rule)', () => {
  it('possible', () => {
    expect(classifyCheckDepositReply(v('topup/check-deposit-response-possible.xml'))).toEqual({
      kind: 'possible',
      reason: 'ok',
      exist: true,
      depositPossible: true,
      requestResultCode: 0,
      requestMessage: undefined,
      fatal: false
    })
  })
  it('impossible (204 fatal with flags present)', () => {
    expect(classifyCheckDepositReply(v('topup/check-deposit-response-impossible.xml'))).toMatchObject({
      kind: 'impossible',
      reason: 'deposit-impossible',
      exist: true,
      depositPossible: false,
      requestResultCode: 204,
      fatal: true,
      requestMessage: 'Недостаточный статус идентификации кошелька для проведения платежа'
    })
  })
  it('error 300 without flags → retry', () => {
    expect(classifyCheckDepositReply(v('topup/check-deposit-error-response.xml'))).toMatchObject({
      kind: 'retry',
      reason: 'request-error',
      requestResultCode: 300,
      fatal: false
    })
  })
  it('fatal code without flags → impossible; 13 → retry; contradictions → retry', () => {
    expect(
      classifyCheckDepositReply('<response><result-code fatal="true">204</result-code></response>').kind
    ).toBe('impossible')
    expect(
      classifyCheckDepositReply('<response><result-code fatal="false">150</result-code></response>').kind
    ).toBe('impossible')
    expect(
      classifyCheckDepositReply('<response><result-code fatal="false">13</result-code></response>').kind
    ).toBe('retry')
    expect(
      classifyCheckDepositReply(
        '<response><result-code>300</result-code><deposit-possible>1</deposit-possible></response>'
      )
    ).toMatchObject({ kind: 'retry', reason: 'contradictory' })
    expect(classifyCheckDepositReply('<response><result-code>0</result-code></response>').kind).toBe('retry')
    expect(
      classifyCheckDepositReply('<response><deposit-possible>yes</deposit-possible></response>').kind
    ).toBe('retry')
    expect(
      classifyCheckDepositReply(
        '<response><deposit-possible>1</deposit-possible><deposit-possible>1</deposit-possible></response>'
      ).kind
    ).toBe('retry')
    expect(
      classifyCheckDepositReply('<response><exist>0</exist><deposit-possible>1</deposit-possible></response>')
    ).toMatchObject({
      kind: 'possible',
      exist: false
    })
    expect(classifyCheckDepositReply('<response><deposit-possible>1</deposit-possible>').kind).toBe('retry')
  })
})

describe('check-user, ping, get-provider', () => {
  it('check-user', () => {
    expect(classifyCheckUserReply(v('topup/check-user-response.xml'))).toEqual({
      ok: true,
      value: { exist: true },
      requestResultCode: 0
    })
    expect(classifyCheckUserReply(v('topup/check-user-response.en.xml'))).toMatchObject({
      ok: true,
      value: { exist: true }
    })
    expect(classifyCheckUserReply(v('topup/check-user-error-response.xml'))).toMatchObject({
      ok: false,
      reason: 'request-error',
      requestResultCode: 300,
      requestMessage: 'Неизвестная ошибка'
    })
    expect(
      classifyCheckUserReply('<response><result-code>0</result-code><exist>0</exist></response>')
    ).toMatchObject({
      ok: true,
      value: { exist: false }
    })
    expect(classifyCheckUserReply('<response><result-code>0</result-code></response>')).toMatchObject({
      ok: false,
      reason: 'incomplete'
    })
  })
  it('ping', () => {
    expect(classifyPingReply(v('topup/ping-response.xml'))).toEqual({
      ok: true,
      value: { balances: { '428': '100.00', '643': '200.26', '840': '300.00' } },
      requestResultCode: 0
    })
    expect(classifyPingReply(v('topup/ping-error-response.xml'))).toMatchObject({
      ok: false,
      requestResultCode: 300
    })
    expect(classifyPingReply('<response><result-code>150</result-code></response>')).toMatchObject({
      ok: false,
      fatal: true
    })
  })
  it('get-provider', () => {
    expect(classifyGetProviderReply(v('topup/get-provider-response.xml'))).toEqual({
      ok: true,
      value: { providerId: '42' },
      requestResultCode: 0
    })
    expect(classifyGetProviderReply('<response><result-code>0</result-code><provider/></response>').ok).toBe(
      false
    )
    expect(
      classifyGetProviderReply('<response><result-code>0</result-code><provider id="x"/></response>').ok
    ).toBe(false)
  })
})
