/**
 * What the cashier types → what is stored → the exact pay request; and the stable
 * CLI JSON shape. A stored payout is the single source of every byte of its pay, so a
 * re-send is identical (fast-check, seed printed: build → parse returns the same
 * number, account and amount for every service).
 */
import fc from 'fast-check'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { normalizePayoutInput, payDetailsOf } from '../../../electron/core/engine/normalize'
import type { RawPayoutInput } from '../../../electron/core/engine/normalize'
import { toCliJson, toPayoutView } from '../../../electron/core/engine/view'
import type { Payout } from '../../../electron/core/db/types'
import { buildPayRequest } from '../../../electron/core/topup/request-builder'
import { validateComment } from '../../../shared/validation'

const SEED = 99_001

function codeOf(input: RawPayoutInput): string {
  try {
    normalizePayoutInput(input)
    return 'ok'
  } catch (e) {
    return isAppError(e) ? e.code : 'thrown'
  }
}

describe('normalizePayoutInput', () => {
  it('wallet: phone as typed → digits without +, display formatted, cash by default, pre-check on', () => {
    const n = normalizePayoutInput({ service: 'wallet', account: '+7 (918) 123-45-67', amount: '1 500,5' })
    expect(n).toMatchObject({
      account: '79181234567',
      accountDisplay: '+7 918 123-45-67',
      amountKopecks: 150_050,
      precheck: true
    })
    expect(n.extras).toEqual({ income_wire_transfer: '0' })
  })
  it('card: digits, masked display, Luhn checked', () => {
    const n = normalizePayoutInput({ service: 'card', account: '4111 1111 1111 1111', amount: '15.00' })
    expect(n).toMatchObject({
      account: '4111111111111111',
      accountDisplay: '4111 11** **** 1111',
      precheck: false
    })
  })
  it('card-spec: phone with + (spec §9 #13), card in account1', () => {
    const n = normalizePayoutInput({
      service: 'card-spec',
      account: '89181234567',
      cardNumber: '4111111111111111',
      amount: '15.00'
    })
    expect(n.account).toBe('+79181234567')
    expect(n.extras).toEqual({ account1: '4111111111111111' })
  })
  it('sbp: 7xxxxxxxxxx and a bank id', () => {
    const n = normalizePayoutInput({
      service: 'sbp',
      account: '+7 007 031-00-09',
      bankId: '100000000008',
      amount: '15.00'
    })
    expect(n).toMatchObject({ account: '70070310009', extras: { bankId: '100000000008' } })
  })
  it('mobile: needs the provider lookup', () => {
    const n = normalizePayoutInput({ service: 'mobile', account: '+79161234567', amount: '100.00' })
    expect(n.needsProvider).toEqual({ phoneWithoutCountry: '9161234567' })
  })
  it.each([
    [{ service: 'wallet', account: '123', amount: '1.00' }, 'invalid-phone'],
    [{ service: 'wallet', account: '79181234567', amount: '0.00' }, 'invalid-amount'],
    [{ service: 'wallet', account: '79181234567', amount: '1.001' }, 'invalid-amount'],
    [{ service: 'wallet', account: '79181234567', amount: '15 rub' }, 'invalid-amount'],
    [{ service: 'wallet', account: '79181234567', amount: '1000000.00' }, 'invalid-amount'],
    [{ service: 'card', account: '4111111111111112', amount: '1.00' }, 'invalid-card'],
    [{ service: 'card', account: '1234', amount: '1.00' }, 'invalid-card'],
    [{ service: 'card-spec', account: '79181234567', amount: '1.00' }, 'invalid-card'],
    [{ service: 'sbp', account: '79181234567', amount: '1.00' }, 'invalid-account'],
    [
      { service: 'sbp', account: '+44 20 7946 0958', bankId: '100000000008', amount: '1.00' },
      'invalid-phone'
    ],
    [
      { service: 'wallet', account: '79181234567', amount: '1.00', comment: 'x'.repeat(1001) },
      'invalid-input'
    ],
    [
      { service: 'wallet', account: '79181234567', amount: '1.00', comment: 'bad\u0001char' },
      'invalid-input'
    ],
    [{ service: 'card-foreign', account: '4111111111111111', amount: '1.00' }, 'service-not-allowed']
  ] as [RawPayoutInput, string][])('%j → %s', (input, code) => {
    expect(codeOf(input)).toBe(code)
  })
})

function stored(n: ReturnType<typeof normalizePayoutInput>, number: string): Payout {
  return {
    id: 1,
    clientRequestId: 'x',
    terminalRef: 't',
    terminalId: '10001',
    transactionNumber: number,
    service: n.service,
    serviceId: 99,
    account: n.account,
    accountDisplay: n.accountDisplay,
    amountKopecks: n.amountKopecks,
    currency: 'RUB',
    comment: n.comment,
    extras: { ...n.extras, ...(n.needsProvider ? { providerId: '42' } : {}) },
    precheck: n.precheck,
    batchKey: null,
    entrySeq: 1,
    state: 'queued',
    nextAction: 'pay',
    paySent: false,
    attempts: 0,
    nextCheckAt: 0,
    notFoundCount: 0,
    lastNotFoundAt: null,
    lastStatusRequestAt: null,
    qiwiStatus: null,
    resultCode: null,
    txnId: null,
    txnDate: null,
    fatal: false,
    errorCode: null,
    errorMessage: null,
    createdAt: 0,
    updatedAt: 0,
    finalAt: null
  }
}

describe('payDetailsOf: the stored row is the pay request', () => {
  it('property: build(details of the stored row) carries exactly the stored number, account and amount', () => {
    process.stdout.write(`payDetailsOf property seed ${SEED}\n`)
    const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, processEntities: false })
    const input = fc.oneof(
      fc.record({
        service: fc.constant('wallet' as const),
        account: fc.integer({ min: 9_000_000_000, max: 9_999_999_999 }).map((n) => `7${n}`),
        comment: fc.string({ maxLength: 50 }).filter((s) => validateComment(s).ok)
      }),
      fc.record({ service: fc.constant('card' as const), account: fc.constant('4111111111111111') }),
      fc.record({
        service: fc.constant('sbp' as const),
        account: fc.constant('79001234567'),
        bankId: fc.constant('100000000008')
      }),
      fc.record({ service: fc.constant('mobile' as const), account: fc.constant('79161234567') })
    )
    fc.assert(
      fc.property(
        input,
        fc.integer({ min: 100, max: 1_500_000 }),
        fc.bigInt({ min: 10n ** 17n, max: 10n ** 18n - 1n }),
        (i, kopecks, num) => {
          const amount = `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`
          const n = normalizePayoutInput({ ...i, amount })
          const p = stored(n, num.toString())
          const built = buildPayRequest({ terminalId: '10001', password: 'pw' }, payDetailsOf(p))
          expect(built.ok).toBe(true)
          if (!built.ok) return
          const doc = parser.parse(built.value.xml) as {
            request: {
              auth: {
                payment: { 'transaction-number': string; to: { amount: string; 'account-number': string } }
              }
            }
          }
          const pay = doc.request.auth.payment
          expect(pay['transaction-number']).toBe(num.toString())
          expect(pay.to['account-number']).toBe(n.account)
          expect(pay.to.amount).toBe(amount)
          // The same row builds the same bytes every time: a re-send is identical.
          const again = buildPayRequest({ terminalId: '10001', password: 'pw' }, payDetailsOf(p))
          expect(again.ok && again.value.xml).toBe(built.value.xml)
        }
      ),
      { numRuns: 1000, seed: SEED }
    )
  })
})

describe('CLI JSON of a payout', () => {
  it('has exactly the documented keys, ids as strings', () => {
    const n = normalizePayoutInput({ service: 'card', account: '4111111111111111', amount: '15.00' })
    const p = {
      ...stored(n, '101795367984076000'),
      state: 'waiting' as const,
      paySent: true,
      qiwiStatus: '50',
      resultCode: '0',
      txnId: '20000000001'
    }
    const v = toPayoutView(p, null, 'en')
    const j = toCliJson(v)
    expect(Object.keys(j)).toEqual([
      'transactionNumber',
      'terminal',
      'service',
      'account',
      'amount',
      'state',
      'final',
      'status',
      'resultCode',
      'txnId',
      'paused',
      'error'
    ])
    expect(j).toMatchObject({
      transactionNumber: '101795367984076000',
      account: '4111 11** **** 1111',
      amount: '15.00',
      state: 'waiting',
      final: false,
      status: '50',
      txnId: '20000000001',
      error: null
    })
  })
})
