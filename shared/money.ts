/**
 * Money is integer minor units (kopecks) in the domain and a decimal string with
 * exactly two fraction digits on the wire ("15.00"). No binary floats anywhere.
 * The largest amount accepted (999 999 999.99) fits a JS safe integer in kopecks.
 */

export const MAX_KOPECKS = 99_999_999_999

export type AmountParseError = 'empty' | 'format' | 'too-many-decimals' | 'zero' | 'too-large' | 'negative'

export type AmountParse = { ok: true; kopecks: number } | { ok: false; reason: AmountParseError }

const AMOUNT_RE = /^(\d{1,12})(?:[.,](\d{0,2})(\d*))?$/

/**
 * Parses a user- or file-entered amount ("15", "15.5", "15,50", "1 500.00").
 * Spaces (incl. NBSP) as thousands separators are tolerated; a third decimal is an error,
 * never rounded.
 */
export function parseAmount(input: string, opts: { allowZero?: boolean } = {}): AmountParse {
  const s = input.replace(/[\s\u00a0\u202f]/g, '')
  if (s === '') return { ok: false, reason: 'empty' }
  if (s.startsWith('-')) return { ok: false, reason: 'negative' }
  const m = AMOUNT_RE.exec(s)
  if (!m) return { ok: false, reason: 'format' }
  const whole = m[1] ?? '0'
  const frac = m[2] ?? ''
  const extra = m[3] ?? ''
  if (extra.length > 0) return { ok: false, reason: 'too-many-decimals' }
  const kopecks = Number(whole) * 100 + Number(frac.padEnd(2, '0') || '0')
  if (!Number.isSafeInteger(kopecks) || kopecks > MAX_KOPECKS) return { ok: false, reason: 'too-large' }
  if (kopecks === 0 && !opts.allowZero) return { ok: false, reason: 'zero' }
  return { ok: true, kopecks }
}

/** Parses a strict wire decimal ("1115.00", "-3.5", "200") into kopecks; null if not a decimal. */
export function parseWireAmount(input: string): number | null {
  const m = /^(-)?(\d{1,15})(?:\.(\d{1,2}))?$/.exec(input.trim())
  if (!m) return null
  const kopecks = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0') || '0')
  if (!Number.isSafeInteger(kopecks)) return null
  return m[1] ? -kopecks : kopecks
}

/** Formats kopecks as the wire decimal: 1500 → "15.00", -5 → "-0.05". */
export function formatAmount(kopecks: number): string {
  if (!Number.isSafeInteger(kopecks)) throw new RangeError('kopecks must be a safe integer')
  const neg = kopecks < 0
  const abs = Math.abs(kopecks)
  const whole = Math.floor(abs / 100)
  const frac = abs % 100
  return `${neg ? '-' : ''}${whole}.${frac.toString().padStart(2, '0')}`
}

/** Formats kopecks for people: 150000 → "1 500,00" (ru) or "1,500.00" (en). */
export function formatAmountHuman(kopecks: number, lang: 'ru' | 'en' = 'ru'): string {
  const wire = formatAmount(kopecks)
  const [w = '0', f = '00'] = wire.replace('-', '').split('.')
  const sep = lang === 'ru' ? '\u00a0' : ','
  const grouped = w.replace(/\B(?=(\d{3})+(?!\d))/g, sep)
  return `${kopecks < 0 ? '−' : ''}${grouped}${lang === 'ru' ? ',' : '.'}${f}`
}

/** ISO 4217 numeric ↔ alphabetic for the currencies QIWI uses. */
export const CURRENCIES: Record<string, string> = { '643': 'RUB', '840': 'USD', '978': 'EUR', '398': 'KZT' }
