import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  cardBrand,
  formatPhone,
  groupCard,
  luhnValid,
  maskCard,
  normalizeCard,
  normalizePhone,
  validateAmount,
  validateComment,
  validateSbpBankId
} from '../../../shared/validation'

describe('phone', () => {
  it('normalizes the ways cashiers type Russian numbers', () => {
    for (const s of ['+7 (912) 345-67-89', '8 912 345 67 89', '79123456789', '9123456789', ' +7-912-345-67-89 ']) {
      expect(normalizePhone(s), s).toEqual({ ok: true, value: '79123456789' })
    }
    expect(normalizePhone('+380501234567')).toEqual({ ok: true, value: '380501234567' })
  })
  it('rejects what is not a phone with a reason', () => {
    expect(normalizePhone('')).toEqual({ ok: false, reason: 'empty' })
    expect(normalizePhone('+7 912 345')).toEqual({ ok: false, reason: 'length' })
    expect(normalizePhone('7912345678901')).toEqual({ ok: false, reason: 'length' })
    expect(normalizePhone('abc')).toEqual({ ok: false, reason: 'format' })
    expect(normalizePhone('380501234567')).toEqual({ ok: false, reason: 'country' })
    expect(normalizePhone('+7912<script>')).toEqual({ ok: false, reason: 'format' })
  })
  it('formats for display', () => {
    expect(formatPhone('79123456789')).toBe('+7 912 345-67-89')
  })
})

describe('card', () => {
  it('Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true)
    expect(luhnValid('4111111111111112')).toBe(false)
    expect(luhnValid('12a4')).toBe(false)
  })
  it('detects Visa, Mastercard (both ranges) and Mir', () => {
    expect(cardBrand('4111111111111111')).toBe('visa')
    expect(cardBrand('5555555555554444')).toBe('mastercard')
    expect(cardBrand('2221000000000009')).toBe('mastercard')
    expect(cardBrand('2720990000000007')).toBe('mastercard')
    expect(cardBrand('2200000000000004')).toBe('mir')
    expect(cardBrand('2204999999999991')).toBe('mir')
    expect(cardBrand('2205000000000003')).toBe('unknown')
    expect(cardBrand('6011111111111117')).toBe('unknown')
  })
  it('accepts valid numbers with spaces, rejects the rest with a reason', () => {
    expect(normalizeCard('4111 1111 1111 1111')).toEqual({ ok: true, value: { digits: '4111111111111111', brand: 'visa' } })
    expect(normalizeCard('2200 0000 0000 0004')).toEqual({ ok: true, value: { digits: '2200000000000004', brand: 'mir' } })
    expect(normalizeCard('4111 1111 1111 1112')).toEqual({ ok: false, reason: 'luhn' })
    expect(normalizeCard('4111 1111 1111')).toEqual({ ok: false, reason: 'length' })
    expect(normalizeCard('6011111111111117')).toEqual({ ok: false, reason: 'brand' })
    expect(normalizeCard('4111-1111-1111-111a')).toEqual({ ok: false, reason: 'format' })
    expect(normalizeCard('')).toEqual({ ok: false, reason: 'empty' })
  })
  it('any single-digit typo of a valid number is caught by Luhn', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const good = '4111111111111111'
        const d = (Number(good[pos]) + delta) % 10
        const bad = good.slice(0, pos) + String(d) + good.slice(pos + 1)
        expect(luhnValid(bad)).toBe(false)
      }),
      { numRuns: 500, seed: 3 }
    )
  })
  it('masks and groups', () => {
    expect(maskCard('4276123412341234')).toBe('4276 12** **** 1234')
    expect(groupCard('42761234123')).toBe('4276 1234 123')
  })
})

describe('amount', () => {
  it('uses two decimals and the local rails', () => {
    expect(validateAmount('15.00', 'wallet')).toEqual({ ok: true, value: 1500 })
    expect(validateAmount('0.50', 'wallet')).toEqual({ ok: false, reason: 'below-min' })
    expect(validateAmount('60000.01', 'wallet')).toEqual({ ok: false, reason: 'above-max' })
    expect(validateAmount('15.001', 'card')).toEqual({ ok: false, reason: 'too-many-decimals' })
    expect(validateAmount('abc', 'sbp')).toEqual({ ok: false, reason: 'format' })
  })
})

describe('sbp bank id and comment', () => {
  it('bank id', () => {
    expect(validateSbpBankId('100000000004')).toEqual({ ok: true, value: '100000000004' })
    expect(validateSbpBankId('x1')).toEqual({ ok: false, reason: 'format' })
  })
  it('comment', () => {
    expect(validateComment('Оплата по договору № 5 <&>')).toEqual({ ok: true, value: 'Оплата по договору № 5 <&>' })
    expect(validateComment('a'.repeat(1001))).toEqual({ ok: false, reason: 'too-long' })
    expect(validateComment('bad\u0000')).toEqual({ ok: false, reason: 'format' })
    expect(validateComment('lone \ud800 surrogate')).toEqual({ ok: false, reason: 'format' })
  })
})
