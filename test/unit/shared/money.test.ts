import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { formatAmount, formatAmountHuman, MAX_KOPECKS, parseAmount, parseWireAmount } from '../../../shared/money'

describe('money', () => {
  it('parses user amounts exactly into kopecks', () => {
    expect(parseAmount('15')).toEqual({ ok: true, kopecks: 1500 })
    expect(parseAmount('15.5')).toEqual({ ok: true, kopecks: 1550 })
    expect(parseAmount('15,05')).toEqual({ ok: true, kopecks: 1505 })
    expect(parseAmount('1 500.00')).toEqual({ ok: true, kopecks: 150000 })
    expect(parseAmount('0.01')).toEqual({ ok: true, kopecks: 1 })
    expect(parseAmount('999999999.99')).toEqual({ ok: true, kopecks: MAX_KOPECKS })
    expect(parseAmount('0.1' + '0'.repeat(1))).toEqual({ ok: true, kopecks: 10 })
  })

  it('rejects what is not an amount, never rounding', () => {
    expect(parseAmount('')).toEqual({ ok: false, reason: 'empty' })
    expect(parseAmount('1.005')).toEqual({ ok: false, reason: 'too-many-decimals' })
    expect(parseAmount('-1')).toEqual({ ok: false, reason: 'negative' })
    expect(parseAmount('0')).toEqual({ ok: false, reason: 'zero' })
    expect(parseAmount('0', { allowZero: true })).toEqual({ ok: true, kopecks: 0 })
    expect(parseAmount('1e3')).toEqual({ ok: false, reason: 'format' })
    expect(parseAmount('0x10')).toEqual({ ok: false, reason: 'format' })
    expect(parseAmount('１５')).toEqual({ ok: false, reason: 'format' })
    expect(parseAmount('1000000000.00')).toEqual({ ok: false, reason: 'too-large' })
    expect(parseAmount('NaN')).toEqual({ ok: false, reason: 'format' })
  })

  it('format → parse round-trips every amount 0.01 … 999 999 999.99', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_KOPECKS }), (k) => {
        const wire = formatAmount(k)
        expect(wire).toMatch(/^\d+\.\d{2}$/)
        expect(parseAmount(wire)).toEqual({ ok: true, kopecks: k })
        expect(parseWireAmount(wire)).toBe(k)
      }),
      { numRuns: 20_000, seed: 1122 }
    )
  })

  it('wire amounts accept the documented leniency', () => {
    expect(parseWireAmount('200')).toBe(20000)
    expect(parseWireAmount('1115.1')).toBe(111510)
    expect(parseWireAmount('-3.50')).toBe(-350)
    expect(parseWireAmount('1.234')).toBeNull()
    expect(parseWireAmount('abc')).toBeNull()
  })

  it('formats for people in both languages', () => {
    expect(formatAmountHuman(150000, 'ru')).toBe('1\u00a0500,00')
    expect(formatAmountHuman(150000, 'en')).toBe('1,500.00')
    expect(formatAmountHuman(-5, 'en')).toBe('−0.05')
  })
})
