/**
 * How payouts read on screen: the state a cashier sees (with paused and offline folded
 * in), money in people's format, recipients, times. Pure, unit-tested.
 */
import { isErrorCode } from '../../../../shared/errors'
import { CURRENCIES, formatAmountHuman, parseWireAmount } from '../../../../shared/money'
import type { PayoutStateT, PayoutView, ServiceT } from '../../../../shared/payouts'
import { formatPhone } from '../../../../shared/validation'

export type Lang = 'ru' | 'en'

/** What the badge says. Paused and offline are facts about the queue, not payout states. */
export type DisplayState = PayoutStateT | 'paused' | 'queued-offline'

export function displayState(p: Pick<PayoutView, 'state' | 'final' | 'paused'>, online: boolean): DisplayState {
  if (p.final) return p.state
  if (p.paused) return 'paused'
  if (p.state === 'queued' && !online) return 'queued-offline'
  return p.state
}

export type Tone = 'ok' | 'bad' | 'muted' | 'info' | 'warn' | 'active'

export function stateTone(s: DisplayState): Tone {
  switch (s) {
    case 'succeeded':
      return 'ok'
    case 'failed':
      return 'bad'
    case 'declined':
      return 'muted'
    case 'paused':
    case 'queued-offline':
      return 'warn'
    case 'sending':
      return 'active'
    case 'queued':
    case 'waiting':
      return 'info'
  }
}

/** "1115.00" → "1 115,00" (ru) / "1,115.00" (en); anything unparseable is shown as given. */
export function moneyHuman(wire: string, lang: Lang): string {
  const k = parseWireAmount(wire)
  return k === null ? wire : formatAmountHuman(k, lang)
}

/** "643" or "RUB" → "₽"; other ISO codes as their letters ("840" → "USD"). */
export function currencyHuman(code: string): string {
  const alpha = CURRENCIES[code] ?? code
  return alpha === 'RUB' ? '₽' : alpha
}

const PHONE_SERVICES: ReadonlySet<ServiceT> = new Set(['wallet', 'sbp', 'mobile', 'card-spec'])

/** Recipient for lists and receipts: phones formatted, cards as the core masked them. */
export function recipientHuman(service: ServiceT, account: string): string {
  const digits = account.replace(/^\+/, '')
  if (PHONE_SERVICES.has(service) && /^7\d{10}$/.test(digits)) return formatPhone(digits)
  return account
}

function locale(lang: Lang): string {
  return lang === 'ru' ? 'ru-RU' : 'en-GB'
}

/**
 * The desk works in Moscow time, like the core's day report and QIWI's txn-date (spec §9
 * #20); Russia has no daylight saving, so a fixed offset is exact.
 */
export const DESK_TIME_ZONE = 'Europe/Moscow'
const DESK_OFFSET_MS = 3 * 60 * 60 * 1000

export function formatDateTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: DESK_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false
  }).format(ms)
}

export function formatDate(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: DESK_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit'
  }).format(ms)
}

export function formatTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: DESK_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false
  }).format(ms)
}

/** A future moment relative to now, as an i18n key + params under cashier.time. */
export function relativeIn(at: number, now: number): { key: string; params: Record<string, number> } {
  const s = Math.max(0, Math.round((at - now) / 1000))
  if (s < 5) return { key: 'now', params: {} }
  if (s < 60) return { key: 'inSeconds', params: { n: s } }
  const m = Math.ceil(s / 60)
  if (m < 60) return { key: 'inMinutes', params: { n: m } }
  return { key: 'inHours', params: { n: Math.floor(m / 60), m: m % 60 } }
}

/** The desk (Moscow) date of a moment as YYYY-MM-DD (what <input type=date> and report:day use). */
export function isoDay(ms: number): string {
  const d = new Date(ms + DESK_OFFSET_MS)
  const y = d.getUTCFullYear()
  const m = String(d.getUTCMonth() + 1).padStart(2, '0')
  const day = String(d.getUTCDate()).padStart(2, '0')
  return `${y}-${m}-${day}`
}

/** Moscow midnight of a YYYY-MM-DD day, in ms; null for anything else. */
export function dayStart(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = Date.UTC(y, mo - 1, d)
  const check = new Date(utc)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null
  return utc - DESK_OFFSET_MS
}

/** Moscow midnight of the day after (an exclusive upper bound for "to this date"). */
export function dayEndExclusive(iso: string): number | null {
  const start = dayStart(iso)
  return start === null ? null : start + 86_400_000
}

/** i18n key of an error code's human title (unknown codes fall back, the code stays visible). */
export function errorKey(code: string): string {
  return isErrorCode(code) ? `cashier.errors.${code}` : 'cashier.errors.unknown'
}

/** Certificate expiry: 'expired', 'soon' (within 30 days) or null. */
export function certExpiry(notAfter: number | null, now: number): 'expired' | 'soon' | null {
  if (notAfter === null) return null
  if (notAfter <= now) return 'expired'
  if (notAfter - now <= 30 * 86_400_000) return 'soon'
  return null
}

/** Normalizes what a cashier types into the history search: phone/card punctuation dropped. */
export function normalizeSearch(q: string): string {
  const s = q.trim()
  if (/^[\d\s()+-]+$/.test(s)) return s.replace(/\D/g, '')
  return s
}
