import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  buildCreateInput,
  buildPrecheckInput,
  cardBrandOf,
  emptyForm,
  fieldsFor,
  maskAmount,
  maskCard,
  maskPhone,
  maskSbpBankId,
  phonePreview,
  precheckVerdict,
  recipientLines,
  settleAmount,
  validateForm,
  visibleIssue
} from '../../../renderer/src/components/cashier/payout-form'
import type { PayoutFormValues } from '../../../renderer/src/components/cashier/payout-form'
import { normalizePhone } from '../../../shared/validation'

const SEED = 20_261_122

function form(patch: Partial<PayoutFormValues>): PayoutFormValues {
  return { ...emptyForm('wallet'), ...patch }
}

describe('masks as the cashier types', () => {
  it('formats Russian phones progressively, whatever the first digit', () => {
    expect(maskPhone('8')).toBe('+7')
    expect(maskPhone('89')).toBe('+7 9')
    expect(maskPhone('8912')).toBe('+7 912')
    expect(maskPhone('9123456')).toBe('+7 912 345-6')
    expect(maskPhone('9123456789')).toBe('+7 912 345-67-89')
    expect(maskPhone('+7 (912) 345-67-89')).toBe('+7 912 345-67-89')
    expect(maskPhone('79123456789')).toBe('+7 912 345-67-89')
  })
  it('keeps extra digits and foreign numbers visible instead of dropping them', () => {
    expect(maskPhone('791234567890')).toBe('+7 912 345-67-89 0')
    expect(maskPhone('+380 50 123 45 67')).toBe('+380501234567')
  })
  it('leaves letters in place so validation can name them', () => {
    expect(maskPhone('91a')).toBe('91a')
  })
  it('backspacing over "+7" empties the field', () => {
    expect(maskPhone('+', '+7')).toBe('')
    expect(maskPhone('+', '')).toBe('+')
  })
  it('a masked Russian number always normalizes to the same digits (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^9\d{9}$/), fc.constantFrom('', '8', '7', '+7', '+7 '), (ten, prefix) => {
        const typed = prefix + ten
        const masked = maskPhone(typed)
        expect(normalizePhone(masked)).toEqual({ ok: true, value: '7' + ten })
        expect(maskPhone(masked)).toBe(masked) // idempotent
      }),
      { numRuns: 500, seed: SEED }
    )
  })
  it('groups card numbers and bank ids', () => {
    expect(maskCard('4265111122334411')).toBe('4265 1111 2233 4411')
    expect(maskCard('4265 1111-2233')).toBe('4265 1111 2233')
    expect(maskCard('4265x')).toBe('4265x')
    expect(maskSbpBankId('1000 0000-0008abc')).toBe('100000000008')
  })
  it('amounts: digits, one separator, at most two decimals', () => {
    expect(maskAmount('1500,555')).toBe('1500,55')
    expect(maskAmount('abc12.3.4')).toBe('12.34')
    expect(maskAmount(',5')).toBe('0,5')
    expect(maskAmount('1 500')).toBe('1500')
    expect(maskAmount('-5')).toBe('5')
  })
  it('amount mask output never has more than two decimals (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const m = maskAmount(s)
        expect(m).toMatch(/^(\d*([.,]\d{0,2})?)?$/)
      }),
      { numRuns: 2000, seed: SEED }
    )
  })
  it('settles the amount to two decimals in the language of the desk', () => {
    expect(settleAmount('1500', 'ru')).toBe('1500,00')
    expect(settleAmount('1500.5', 'en')).toBe('1500.50')
    expect(settleAmount('abc', 'ru')).toBe('abc')
  })
})

describe('validation and what is shown when', () => {
  it('a valid wallet payout normalizes to what the core expects', () => {
    const r = validateForm(form({ account: '+7 918 123-45-67', amount: '1500,50', comment: 'за смену', incomeWireTransfer: true }), 'ru')
    expect(r.issues).toEqual({})
    expect(r.value).toEqual({
      service: 'wallet',
      account: '79181234567',
      amountKopecks: 150050,
      comment: 'за смену',
      incomeWireTransfer: true
    })
    const input = buildCreateInput(r.value!, 'term-1', 'req-12345678')
    expect(input).toEqual({
      clientRequestId: 'req-12345678',
      terminalRef: 'term-1',
      service: 'wallet',
      account: '79181234567',
      amount: '1500.50',
      comment: 'за смену',
      incomeWireTransfer: true,
      precheck: true
    })
    expect(buildPrecheckInput(r.value!, 'term-1')).toEqual({
      terminalRef: 'term-1',
      service: 'wallet',
      account: '79181234567',
      amount: '1500.50',
      incomeWireTransfer: true
    })
  })
  it('card: Luhn, scheme and the rails', () => {
    expect(validateForm(form({ service: 'card', account: '4111 1111 1111 1112', amount: '10' }), 'ru').issues.account?.key).toBe('card.luhn')
    expect(validateForm(form({ service: 'card', account: '3782 8224 6310 005', amount: '10' }), 'ru').issues.account?.key).toBe('card.brand')
    const over = validateForm(form({ service: 'card', account: '4111111111111111', amount: '100000.01' }), 'ru')
    expect(over.issues.amount).toMatchObject({ key: 'amount.above-max', pending: false, params: { max: '100\u00a0000,00' } })
    // The spec's example card 4265111122334411 fails Luhn: the desk refuses it like any typo.
    expect(validateForm(form({ service: 'card', account: '4265111122334411', amount: '15' }), 'en').issues.account?.key).toBe('card.luhn')
    const ok = validateForm(form({ service: 'card', account: '4111 1111 1111 1111', amount: '15' }), 'en')
    expect(ok.value).toMatchObject({ service: 'card', account: '4111111111111111', cardBrand: 'visa', amountKopecks: 1500 })
    expect(buildCreateInput(ok.value!, 't', 'r-12345678')).not.toHaveProperty('incomeWireTransfer')
    expect(recipientLines(ok.value!)).toEqual({ card: '4111 1111 1111 1111' })
  })
  it('SBP needs a bank id; card-spec needs phone and card', () => {
    const sbp = validateForm(form({ service: 'sbp', account: '70070310009', amount: '10007.03' }), 'ru')
    expect(sbp.issues.bankId?.key).toBe('bankId.empty')
    const sbpOk = validateForm(form({ service: 'sbp', account: '70070310009', bankId: '100000000008', amount: '10007.03' }), 'ru')
    expect(buildCreateInput(sbpOk.value!, 't', 'r-12345678')).toMatchObject({ account: '70070310009', bankId: '100000000008', amount: '10007.03', precheck: false })
    const spec = validateForm(form({ service: 'card-spec', account: '+79991112233', cardNumber: '2200 0000 0000 0005', amount: '5' }), 'ru')
    expect(spec.issues.cardNumber?.key).toBe('card.luhn')
    expect(fieldsFor('card-spec')).toEqual(['account', 'cardNumber', 'amount', 'comment'])
    expect(fieldsFor('sbp')).toEqual(['account', 'bankId', 'amount', 'comment'])
  })
  it('incomplete values wait for the field to be left; definite mistakes show at once', () => {
    const r = validateForm(form({ account: '+7 912', amount: '0,5', comment: 'a\u0001' }), 'ru')
    expect(visibleIssue(r.issues.account, false, false)).toBeNull()
    expect(visibleIssue(r.issues.account, true, false)?.key).toBe('phone.length')
    expect(visibleIssue(r.issues.amount, false, false)).toBeNull()
    expect(visibleIssue(r.issues.amount, false, true)?.key).toBe('amount.below-min')
    expect(visibleIssue(r.issues.comment, false, false)?.key).toBe('comment.format')
    const empty = validateForm(form({}), 'ru')
    expect(visibleIssue(empty.issues.account, true, false)).toBeNull()
    expect(visibleIssue(empty.issues.account, true, true)?.key).toBe('phone.empty')
    const letters = validateForm(form({ account: '9l2' }), 'ru')
    expect(visibleIssue(letters.issues.account, false, false)?.key).toBe('phone.format')
    expect(r.value).toBeNull()
  })
  it('live hints', () => {
    expect(phonePreview('89123456789')).toBe('+7 912 345-67-89')
    expect(phonePreview('8912')).toBeNull()
    expect(cardBrandOf('2200 12')).toBe('mir')
    expect(cardBrandOf('5')).toBeNull()
    expect(cardBrandOf('5500')).toBe('mastercard')
  })
})

describe('pre-check verdict', () => {
  const base = { exist: null, depositPossible: null, absentPolicy: 'decline' as const, message: null }
  it('tells the cashier what will happen, and blocks only what would be declined anyway', () => {
    expect(precheckVerdict({ ...base, kind: 'possible', exist: true })).toEqual({ tone: 'ok', key: 'possible', blocks: false })
    expect(precheckVerdict({ ...base, kind: 'impossible' })).toMatchObject({ tone: 'bad', blocks: true })
    expect(precheckVerdict({ ...base, kind: 'absent' })).toMatchObject({ key: 'absentDecline', blocks: true })
    expect(precheckVerdict({ ...base, kind: 'absent', absentPolicy: 'pay' })).toMatchObject({ key: 'absentPay', blocks: false })
    expect(precheckVerdict({ ...base, kind: 'retry' })).toMatchObject({ tone: 'warn', blocks: false })
    expect(precheckVerdict({ ...base, kind: 'not-applicable' })).toMatchObject({ tone: 'info', blocks: false })
  })
})
