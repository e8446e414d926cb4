/**
 * Input validation shared by the payout forms (as you type), the CLI and batch files,
 * and the engine (the last line of defence before an intent is recorded). Pure functions,
 * no locale: they return reason codes that the UI and the CLI localize.
 */
import { parseAmount } from './money'
import type { AmountParseError } from './money'

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string }

/** Russian phone numbers as QIWI wants them for wallets: 11 digits starting with 7. */
export type PhoneError = 'empty' | 'format' | 'country' | 'length'

/**
 * Normalizes a phone typed in any common way ("+7 (912) 345-67-89", "8 912 345 67 89",
 * "79123456789") to international digits without "+": "79123456789". A leading 8 of a
 * Russian 11-digit number becomes 7. Other countries: 10–15 digits with a leading "+".
 */
export function normalizePhone(input: string): Validation<string> {
  const trimmed = input.trim()
  if (trimmed === '') return { ok: false, reason: 'empty' satisfies PhoneError }
  if (!/^\+?[\d\s()\-.]+$/.test(trimmed)) return { ok: false, reason: 'format' satisfies PhoneError }
  let digits = trimmed.replace(/\D/g, '')
  const plus = trimmed.startsWith('+')
  if (!plus && digits.length === 11 && digits.startsWith('8')) digits = '7' + digits.slice(1)
  if (!plus && digits.length === 10 && digits.startsWith('9')) digits = '7' + digits
  if (digits.startsWith('7')) {
    if (digits.length !== 11) return { ok: false, reason: 'length' satisfies PhoneError }
    return { ok: true, value: digits }
  }
  if (!plus) return { ok: false, reason: 'country' satisfies PhoneError }
  if (digits.length < 10 || digits.length > 15) return { ok: false, reason: 'length' satisfies PhoneError }
  return { ok: true, value: digits }
}

/** Formats "79123456789" as "+7 912 345-67-89" for display. */
export function formatPhone(digits: string): string {
  const m = /^7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(digits)
  return m ? `+7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}` : `+${digits}`
}

export type CardBrand = 'visa' | 'mastercard' | 'mir' | 'unknown'
export type CardError = 'empty' | 'format' | 'length' | 'luhn' | 'brand'

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

/** Brand by IIN range: Visa 4; Mastercard 51–55, 2221–2720; Mir 2200–2204. */
export function cardBrand(digits: string): CardBrand {
  if (/^4/.test(digits)) return 'visa'
  if (/^220[0-4]/.test(digits)) return 'mir'
  if (/^5[1-5]/.test(digits)) return 'mastercard'
  const four = Number(digits.slice(0, 4))
  if (digits.length >= 4 && four >= 2221 && four <= 2720) return 'mastercard'
  return 'unknown'
}

/** Card numbers: digits only (spaces/dashes tolerated on input), 16–19 digits, Luhn, known brand. */
export function normalizeCard(input: string): Validation<{ digits: string; brand: CardBrand }> {
  const trimmed = input.trim()
  if (trimmed === '') return { ok: false, reason: 'empty' satisfies CardError }
  if (!/^[\d\s-]+$/.test(trimmed)) return { ok: false, reason: 'format' satisfies CardError }
  const digits = trimmed.replace(/[\s-]/g, '')
  if (digits.length < 16 || digits.length > 19) return { ok: false, reason: 'length' satisfies CardError }
  if (!luhnValid(digits)) return { ok: false, reason: 'luhn' satisfies CardError }
  const brand = cardBrand(digits)
  if (brand === 'unknown') return { ok: false, reason: 'brand' satisfies CardError }
  return { ok: true, value: { digits, brand } }
}

/** "4276123412341234" → "4276 12** **** 1234": what receipts, logs and the CLI show. */
export function maskCard(digits: string): string {
  if (digits.length < 10) return digits
  const head = digits.slice(0, 6)
  const tail = digits.slice(-4)
  const masked = head + '*'.repeat(digits.length - 10) + tail
  return masked.replace(/(.{4})/g, '$1 ').trim()
}

/** Groups a card number as typed: "4276123412" → "4276 1234 12". */
export function groupCard(input: string): string {
  return input
    .replace(/\D/g, '')
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ')
}

/**
 * Local amount rails per product. QIWI's real limits come from the wallet user offer and are
 * reported by the server as payment result 241 (below minimum) / 242 (above maximum) — spec
 * §5.1 and §7 — so these rails only stop obvious typos at the desk (an extra zero) before an
 * intent is recorded; the server stays the judge. Values in kopecks.
 */
export const AMOUNT_LIMITS = {
  wallet: { min: 100, max: 60_000_00 },
  card: { min: 100, max: 100_000_00 },
  'card-spec': { min: 100, max: 100_000_00 },
  'card-foreign': { min: 100, max: 100_000_00 },
  sbp: { min: 100, max: 100_000_00 },
  mobile: { min: 100, max: 15_000_00 }
} as const

export type AmountError = AmountParseError | 'below-min' | 'above-max'

export function validateAmount(
  input: string,
  service: keyof typeof AMOUNT_LIMITS
): Validation<number> & ({ ok: true } | { ok: false; reason: AmountError }) {
  const p = parseAmount(input)
  if (!p.ok) return { ok: false, reason: p.reason }
  const lim = AMOUNT_LIMITS[service]
  if (p.kopecks < lim.min) return { ok: false, reason: 'below-min' }
  if (p.kopecks > lim.max) return { ok: false, reason: 'above-max' }
  return { ok: true, value: p.kopecks }
}

/** SBP bank ids are opaque digit strings assigned by NSPK (e.g. "100000000004"). */
export function validateSbpBankId(input: string): Validation<string> {
  const s = input.trim()
  if (s === '') return { ok: false, reason: 'empty' }
  if (!/^\d{6,20}$/.test(s)) return { ok: false, reason: 'format' }
  return { ok: true, value: s }
}

/** QIWI comment: ≤ 1000 characters, no XML-1.0-invalid control characters. */
export function validateComment(input: string): Validation<string> {
  if (input.length > 1000) return { ok: false, reason: 'too-long' }
  // eslint-disable-next-line no-control-regex -- the point: reject characters XML 1.0 cannot carry
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(input)) return { ok: false, reason: 'format' }
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(input)) {
    return { ok: false, reason: 'format' }
  }
  return { ok: true, value: input }
}
