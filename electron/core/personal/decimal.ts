/**
 * Exact decimal handling for the personal API. Amounts are read from the raw
 * JSON number text (see json.ts), validated to have at most 2 decimals and
 * converted to integer kopecks; rates are kept as normalized decimal strings.
 * No value ever passes through a binary float.
 */
import { formatAmount } from '../../../shared/money'
import { JsonNumber } from './json'

/** Integer part ≤ 13 digits keeps every amount a safe integer in kopecks (< 2^53). */
const AMOUNT_RE = /^(-?)(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/

/**
 * Parses a wire amount ("70", "3497.5", "100.50", "-3.15") to kopecks.
 * Returns null for anything else: exponents, more than 2 decimals, leading
 * zeros, NaN/Infinity spellings, empty or over-long input.
 */
export function wireAmountToKopecks(raw: string): number | null {
  const m = AMOUNT_RE.exec(raw)
  if (!m) return null
  const whole = Number(m[2])
  const frac = Number((m[3] ?? '').padEnd(2, '0'))
  const k = whole * 100 + frac
  if (!Number.isSafeInteger(k)) return null
  return m[1] === '-' && k !== 0 ? -k : k
}

/** Kopecks → the wire decimal with 2 decimals ("100.50"). */
export function kopecksToDecimal(kopecks: number): string {
  return formatAmount(kopecks)
}

/** Kopecks → a JSON number literal for a request body (`100.50`, exactly as the docs print it). */
export function kopecksToJsonNumber(kopecks: number): JsonNumber {
  return new JsonNumber(formatAmount(kopecks))
}

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/

/**
 * Normalizes a decimal (rates such as `6.22665`, `1`, `1.5E-4`) to plain
 * notation without exponent, trailing zeros or leading zeros ("0.00015").
 * Returns null for non-decimals or values outside ±10^30 / finer than 10^-30.
 */
export function normalizeDecimal(raw: string): string | null {
  const m = DECIMAL_RE.exec(raw)
  if (!m) return null
  const neg = m[1] === '-'
  let intPart = m[2] ?? '0'
  let frac = m[3] ?? ''
  const exp = m[4] === undefined ? 0 : Number(m[4])
  if (!Number.isInteger(exp) || Math.abs(exp) > 30) return null
  if (intPart.length > 1 && intPart.startsWith('0') && m[4] === undefined) return null
  let digits = intPart + frac
  let point = intPart.length + exp
  if (point < 0) {
    digits = '0'.repeat(-point) + digits
    point = 0
  }
  if (point > digits.length) digits = digits + '0'.repeat(point - digits.length)
  intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0'
  frac = digits.slice(point).replace(/0+$/, '')
  if (intPart.length > 30 || frac.length > 30) return null
  const body = frac ? `${intPart}.${frac}` : intPart
  return neg && /[1-9]/.test(body) ? `-${body}` : body
}

/** Sum of kopecks that refuses to leave the safe-integer range. */
export function addKopecks(a: number, b: number): number {
  const s = a + b
  if (!Number.isSafeInteger(s)) throw new RangeError('amount overflow')
  return s
}
