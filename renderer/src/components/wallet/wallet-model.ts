/**
 * Pure logic of the wallet owner's screens: token lifetime, permission effects, history
 * filters and paging, money and Moscow-time formatting, the transfer form, totals for the
 * chart. No React, no DOM: unit-tested under plain Node (test/unit/renderer-wallet).
 */
import {
  CURRENCIES,
  formatAmount,
  formatAmountHuman,
  parseAmount,
  parseWireAmount
} from '../../../../shared/money'
import type { AmountParseError } from '../../../../shared/money'
import type { AppErrorData } from '../../../../shared/result'
import { formatPhone, normalizePhone, validateComment } from '../../../../shared/validation'
import { pagesToEvict as evictPages, pagesToLoad as loadPages } from '../../paging'
import type {
  TransferView,
  WalletHistoryFilter,
  WalletHistoryItemView,
  WalletMonthTotals,
  WalletView
} from '../../../../shared/wallet'

export type Lang = 'ru' | 'en'

export const DAY_MS = 86_400_000
/** Spec §2 (decision P6): a token lives 180 days from issue. */
export const TOKEN_LIFETIME_DAYS = 180
/** Warn this many days ahead of the expiry even if the core has not flagged it yet. */
export const TOKEN_WARN_DAYS = 14

// ───────────────────────────── token lifetime ─────────────────────────────

export type TokenState =
  | { kind: 'cas' }
  | { kind: 'unknown' }
  | {
      kind: 'valid' | 'soon' | 'expired'
      addedAt: number
      expiresAt: number
      ageDays: number
      daysLeft: number
    }

/**
 * How old the token is on this desk and when it expires by the documented 180 days.
 * The desk only knows when the token was pasted here; a token issued earlier expires
 * sooner, which the UI says in words. The core's `tokenExpiresSoon` wins when set.
 */
export function tokenState(
  w: Pick<WalletView, 'authKind' | 'tokenAddedAt' | 'tokenExpiresAt' | 'tokenExpiresSoon'>,
  now: number
): TokenState {
  if (w.authKind === 'cas') return { kind: 'cas' }
  if (w.tokenAddedAt === null) return { kind: 'unknown' }
  const addedAt = w.tokenAddedAt
  const expiresAt = w.tokenExpiresAt ?? addedAt + TOKEN_LIFETIME_DAYS * DAY_MS
  const ageDays = Math.max(0, Math.floor((now - addedAt) / DAY_MS))
  const daysLeft = Math.max(0, Math.ceil((expiresAt - now) / DAY_MS))
  if (now >= expiresAt) return { kind: 'expired', addedAt, expiresAt, ageDays, daysLeft: 0 }
  const soon = w.tokenExpiresSoon || daysLeft <= TOKEN_WARN_DAYS
  return { kind: soon ? 'soon' : 'valid', addedAt, expiresAt, ageDays, daysLeft }
}

/** A pasted token often comes with the header around it or a trailing newline. */
export function cleanToken(input: string): string {
  return input
    .trim()
    .replace(/^(authorization:\s*)?bearer\s+/i, '')
    .trim()
}

// ───────────────────────────── permissions ─────────────────────────────

export const SCOPES = ['profile', 'balance', 'history', 'payments'] as const
export type Scope = (typeof SCOPES)[number]
export type ScopeStatus = WalletView['permissions'][Scope]

/** The desk features each permission of spec §2 unlocks. */
export type Feature = 'profile' | 'balances' | 'history' | 'totals' | 'export' | 'transfer'
export const SCOPE_FEATURES: Record<Scope, readonly Feature[]> = {
  profile: ['profile'],
  balance: ['balances'],
  history: ['history', 'totals', 'export'],
  payments: ['transfer']
}

const FEATURE_SCOPE: Record<Feature, Scope> = {
  profile: 'profile',
  balances: 'balance',
  history: 'history',
  totals: 'history',
  export: 'history',
  transfer: 'payments'
}

export function scopeOf(feature: Feature): Scope {
  return FEATURE_SCOPE[feature]
}

/**
 * A feature is blocked only when its permission is known to be missing. `error` (the probe
 * itself failed, e.g. offline at login) lets the user try: the server stays the judge.
 */
export function featureBlocked(perms: WalletView['permissions'], feature: Feature): boolean {
  return perms[FEATURE_SCOPE[feature]] === 'missing'
}

export function missingScopes(perms: WalletView['permissions']): Scope[] {
  return SCOPES.filter((s) => perms[s] === 'missing')
}

// ───────────────────────────── Moscow time ─────────────────────────────

/**
 * QIWI dates are Moscow time (UTC+3, no DST since 2014). The desk shows and filters by
 * Moscow calendar days, so what a wallet owner sees matches qiwi.com on any machine.
 */
const MSK_MS = 3 * 3_600_000
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/
const YM = /^(\d{4})-(\d{2})$/

/** Unix ms of 00:00 Moscow time on `YYYY-MM-DD`, or null if it is not a real date. */
export function moscowDayStart(ymd: string): number | null {
  const m = YMD.exec(ymd)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = Date.UTC(y, mo - 1, d)
  const back = new Date(utc)
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null
  return utc - MSK_MS
}

/** The last millisecond of `YYYY-MM-DD` in Moscow time. */
export function moscowDayEnd(ymd: string): number | null {
  const s = moscowDayStart(ymd)
  return s === null ? null : s + DAY_MS - 1
}

function mskParts(ms: number): { y: number; mo: number; d: number; h: number; mi: number } {
  const x = new Date(ms + MSK_MS)
  return {
    y: x.getUTCFullYear(),
    mo: x.getUTCMonth() + 1,
    d: x.getUTCDate(),
    h: x.getUTCHours(),
    mi: x.getUTCMinutes()
  }
}

const p2 = (n: number): string => String(n).padStart(2, '0')

/** `YYYY-MM-DD` of the Moscow day containing `ms`. */
export function moscowYmd(ms: number): string {
  const { y, mo, d } = mskParts(ms)
  return `${y}-${p2(mo)}-${p2(d)}`
}

/** `YYYY-MM` of the Moscow month containing `ms`. */
export function moscowYm(ms: number): string {
  return moscowYmd(ms).slice(0, 7)
}

/** "14.03.2025 12:05" (ru) / "2025-03-14 12:05" (en), Moscow time. */
export function formatMoscow(ms: number, lang: Lang): string {
  const { y, mo, d, h, mi } = mskParts(ms)
  return lang === 'ru'
    ? `${p2(d)}.${p2(mo)}.${y} ${p2(h)}:${p2(mi)}`
    : `${y}-${p2(mo)}-${p2(d)} ${p2(h)}:${p2(mi)}`
}

/** "14.03.2025" / "2025-03-14", Moscow time. */
export function formatMoscowDate(ms: number, lang: Lang): string {
  return formatMoscow(ms, lang).slice(0, 10)
}

const MONTHS: Record<Lang, readonly string[]> = {
  ru: ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
}

/** "2025-03" → "мар 2025" / "Mar 2025"; anything else is returned as is. */
export function monthLabel(ym: string, lang: Lang): string {
  const m = YM.exec(ym.slice(0, 7))
  if (!m) return ym
  return `${MONTHS[lang][Number(m[2]) - 1] ?? m[2]} ${m[1]}`
}

/** Every `YYYY-MM` from `fromYm` to `toYm` inclusive (at most 120; empty if reversed or invalid). */
export function monthsBetween(fromYm: string, toYm: string): string[] {
  const a = YM.exec(fromYm)
  const b = YM.exec(toYm)
  if (!a || !b) return []
  let y = Number(a[1])
  let mo = Number(a[2])
  const endY = Number(b[1])
  const endMo = Number(b[2])
  const out: string[] = []
  while ((y < endY || (y === endY && mo <= endMo)) && out.length < 120) {
    out.push(`${y}-${p2(mo)}`)
    mo += 1
    if (mo > 12) {
      mo = 1
      y += 1
    }
  }
  return out
}

/** The period of whole Moscow months `fromYm`..`toYm` as Unix ms, or null if invalid/reversed. */
export function monthRange(fromYm: string, toYm: string): { from: number; to: number } | null {
  if (!YM.test(fromYm) || !YM.test(toYm) || fromYm > toYm) return null
  const from = moscowDayStart(`${fromYm}-01`)
  const to = moscowDayStart(`${nextYm(toYm)}-01`)
  if (from === null || to === null) return null
  return { from, to: to - 1 }
}

/** The month after `YYYY-MM`. */
export function nextYm(ym: string): string {
  const y = Number(ym.slice(0, 4))
  const mo = Number(ym.slice(5, 7))
  return mo >= 12 ? `${y + 1}-01` : `${y}-${p2(mo + 1)}`
}

/** The default totals period: the last 12 Moscow months up to the current one. */
export function defaultTotalsPeriod(now: number): { fromYm: string; toYm: string } {
  const toYm = moscowYm(now)
  const y = Number(toYm.slice(0, 4))
  const mo = Number(toYm.slice(5, 7))
  const fromMo = mo === 12 ? 1 : mo + 1
  const fromY = mo === 12 ? y : y - 1
  return { fromYm: `${fromY}-${p2(fromMo)}`, toYm }
}

/**
 * The totals period to start with: the last 12 months, but not before the oldest saved
 * item (the first sync keeps only the recent past, so earlier months would be empty).
 */
export function initialTotalsPeriod(oldestAt: number | null, now: number): { fromYm: string; toYm: string } {
  const d = defaultTotalsPeriod(now)
  if (oldestAt === null || oldestAt > now) return d
  const oldest = moscowYm(oldestAt)
  return oldest > d.fromYm ? { fromYm: oldest, toYm: d.toYm } : d
}

// ───────────────────────────── money ─────────────────────────────

const SYMBOLS: Record<string, string> = { RUB: '₽', USD: '$', EUR: '€', KZT: '₸' }

/** ISO numeric ("643") or alphabetic ("RUB") → alphabetic code for people. */
export function currencyCode(c: string): string {
  return CURRENCIES[c] ?? c.toUpperCase()
}

export function currencySymbol(c: string): string {
  const code = currencyCode(c)
  return SYMBOLS[code] ?? code
}

/** Kopecks of a wire decimal ("70", "3497.5", "-3.50"), or null. */
export function kopecksOf(amount: string): number | null {
  return parseWireAmount(amount)
}

/** "1 500,00 ₽" (ru) / "1,500.00 ₽" (en); an unparseable amount is shown as received. */
export function moneyText(m: { amount: string; currency: string }, lang: Lang): string {
  const k = kopecksOf(m.amount)
  const num = k === null ? m.amount : formatAmountHuman(k, lang)
  return `${num} ${currencySymbol(m.currency)}`
}

/** The history amount with its direction: "+70,00 ₽" for IN, "−70,00 ₽" for OUT and QIWI_CARD. */
export function signedMoneyText(item: Pick<WalletHistoryItemView, 'type' | 'sum'>, lang: Lang): string {
  const text = moneyText(item.sum, lang).replace(/^[−-]/, '')
  return `${item.type === 'IN' ? '+' : '−'}${text}`
}

/** How an account is named for people: QIWI's `title` is a bare type code ("WALLET", "MC"). */
export function accountKind(alias: string): 'wallet' | 'mobile' | 'card' | 'other' {
  if (/^qw_wallet_/i.test(alias)) return 'wallet'
  if (/^mc_/i.test(alias)) return 'mobile'
  if (/card/i.test(alias)) return 'card'
  return 'other'
}

// ───────────────────────────── history filters and paging ─────────────────────────────

export const TXN_STATUSES = ['SUCCESS', 'WAITING', 'ERROR'] as const
export type TxnStatus = (typeof TXN_STATUSES)[number]
export const OPERATIONS = ['ALL', 'IN', 'OUT', 'QIWI_CARD'] as const
export type Operation = (typeof OPERATIONS)[number]
/** Currencies QIWI wallets hold (ISO numeric, as the history carries them). */
export const KNOWN_CURRENCIES = ['643', '840', '978', '398'] as const

export interface HistoryForm {
  /** `YYYY-MM-DD` (Moscow day) or ''. */
  from: string
  to: string
  operation: Operation
  currencies: string[]
  statuses: TxnStatus[]
  search: string
}

export const emptyHistoryForm: HistoryForm = {
  from: '',
  to: '',
  operation: 'ALL',
  currencies: [],
  statuses: [],
  search: ''
}

export type HistoryFormProblem = 'from' | 'to' | 'range'

/**
 * The form as the contract's filter. Invalid dates are left out of the filter (and reported),
 * so a half-typed date never empties the table.
 */
export function toWalletFilter(
  walletId: string,
  form: HistoryForm
): { filter: WalletHistoryFilter; problems: HistoryFormProblem[] } {
  const problems: HistoryFormProblem[] = []
  const filter: WalletHistoryFilter = { walletId }
  const from = form.from ? moscowDayStart(form.from) : null
  const to = form.to ? moscowDayEnd(form.to) : null
  if (form.from && from === null) problems.push('from')
  if (form.to && to === null) problems.push('to')
  if (from !== null && to !== null && from > to) {
    problems.push('range')
  } else {
    if (from !== null) filter.from = from
    if (to !== null) filter.to = to
  }
  if (form.operation !== 'ALL') filter.operation = form.operation
  if (form.currencies.length > 0) filter.currencies = [...form.currencies].sort().slice(0, 10)
  if (form.statuses.length > 0 && form.statuses.length < TXN_STATUSES.length) {
    filter.statuses = TXN_STATUSES.filter((s) => form.statuses.includes(s))
  }
  const search = form.search.trim().slice(0, 100)
  if (search) filter.search = search
  return { filter, problems }
}

/** A stable key for a filter (the same filter always gives the same key). */
export function filterKey(filter: WalletHistoryFilter): string {
  return JSON.stringify([
    filter.walletId,
    filter.from ?? null,
    filter.to ?? null,
    filter.operation ?? 'ALL',
    filter.currencies ?? [],
    filter.statuses ?? [],
    filter.search ?? ''
  ])
}

export const HISTORY_PAGE_SIZE = 100
/** Pages kept in memory per filter: enough for a screen and a generous scroll margin. */
export const HISTORY_PAGES_KEPT = 12

/** Pages covering rows [start, end] of `count` that are not loaded or loading yet. */
export function pagesToLoad(
  start: number,
  end: number,
  count: number,
  have: ReadonlySet<number>,
  pageSize = HISTORY_PAGE_SIZE
): number[] {
  return loadPages(start, end, count, have, pageSize)
}

/** Pages to drop so that at most `keep` remain, farthest from `around` first. */
export function pagesToEvict(pages: readonly number[], around: number, keep = HISTORY_PAGES_KEPT): number[] {
  return evictPages(pages, around, keep)
}

// ───────────────────────────── errors ─────────────────────────────

/** Codes meaning "QIWI (or the sandbox) could not be reached": history falls back to the cache. */
export const OFFLINE_CODES: ReadonlySet<string> = new Set(['network-failure', 'timeout', 'tls-failure'])

export function isOfflineError(e: Pick<AppErrorData, 'code'>): boolean {
  return OFFLINE_CODES.has(e.code)
}

/** Non-secret facts for support next to the code: QIWI's own error code, the HTTP status. */
export function supportDetails(e: { details?: AppErrorData['details'] }): string[] {
  const d = e.details ?? {}
  const out: string[] = []
  const q = d['qiwiErrorCode']
  const h = d['httpStatus']
  if (typeof q === 'string' || typeof q === 'number') out.push(`QIWI ${q}`)
  if (typeof h === 'number') out.push(`HTTP ${h}`)
  return out
}

// ───────────────────────────── transfer form ─────────────────────────────

export interface TransferForm {
  to: string
  amount: string
  comment: string
}

export const emptyTransferForm: TransferForm = { to: '', amount: '', comment: '' }

/** Smallest transfer (spec §11.2 codes 241/254: the amount must exceed 1 RUB). */
export const MIN_TRANSFER_KOPECKS = 100
/** The contract's comment limit for wallet:transfer. */
export const MAX_TRANSFER_COMMENT = 500

export type TransferProblem =
  | { field: 'to'; reason: string }
  | { field: 'amount'; reason: AmountParseError | 'below-min' }
  | { field: 'comment'; reason: 'too-long' | 'format' }

export interface TransferRequest {
  /** International digits, e.g. "79007654321". */
  to: string
  /** Wire decimal with two digits, e.g. "100.50". */
  amount: string
  kopecks: number
  comment: string | undefined
}

/**
 * Validates the form as the user types: the phone normalized (spec §7.3 wants the recipient
 * wallet number), the amount with at most two decimals (a third is an error, never rounded),
 * the comment within the contract's 500 characters. Empty fields are reported too; the form
 * shows a reason only once a field has been touched.
 */
export function validateTransfer(form: TransferForm): {
  request: TransferRequest | null
  problems: TransferProblem[]
} {
  const problems: TransferProblem[] = []
  const phone = normalizePhone(form.to)
  if (!phone.ok) problems.push({ field: 'to', reason: phone.reason })
  else if (!phone.value.startsWith('7')) problems.push({ field: 'to', reason: 'country' })
  const amount = parseAmount(form.amount)
  if (!amount.ok) problems.push({ field: 'amount', reason: amount.reason })
  else if (amount.kopecks < MIN_TRANSFER_KOPECKS) problems.push({ field: 'amount', reason: 'below-min' })
  if (form.comment.length > MAX_TRANSFER_COMMENT) problems.push({ field: 'comment', reason: 'too-long' })
  else if (!validateComment(form.comment).ok) problems.push({ field: 'comment', reason: 'format' })
  if (problems.length > 0 || !phone.ok || !amount.ok) return { request: null, problems }
  const comment = form.comment.trim()
  return {
    request: {
      to: phone.value,
      amount: formatAmount(amount.kopecks),
      kopecks: amount.kopecks,
      comment: comment || undefined
    },
    problems
  }
}

/** The recipient as typed, formatted once it is a valid number ("+7 900 765-43-21"), else null. */
export function phonePreview(input: string): string | null {
  const p = normalizePhone(input)
  return p.ok ? formatPhone(p.value) : null
}

/** Keeps only what an amount can hold while typing: digits, one separator, two decimals at most visible as typed. */
export function sanitizeAmountInput(input: string): string {
  return input.replace(/[^\d.,\s\u00a0]/g, '').slice(0, 20)
}

// ───────────────────────────── transfers list ─────────────────────────────

export type TransferTone = 'ok' | 'pending' | 'bad'

export function transferTone(state: TransferView['state']): TransferTone {
  switch (state) {
    case 'accepted':
      return 'ok'
    case 'failed':
      return 'bad'
    case 'pending':
    case 'waiting':
      return 'pending'
  }
}

/** Inserts or replaces a transfer (events may arrive before or after the list), newest first. */
export function upsertTransfer(list: readonly TransferView[], t: TransferView): TransferView[] {
  const i = list.findIndex((x) => x.id === t.id)
  let next: TransferView[]
  if (i < 0) {
    next = [t, ...list]
  } else {
    // Never let an older snapshot overwrite a newer one (an event racing the list call).
    const cur = list[i]
    if (cur && cur.updatedAt > t.updatedAt) return [...list]
    next = [...list]
    next[i] = t
  }
  return next.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
}

// ───────────────────────────── totals ─────────────────────────────

/** Currencies present in the totals, RUB first, then by code. */
export function totalsCurrencies(rows: readonly WalletMonthTotals[]): string[] {
  const set = [...new Set(rows.map((r) => r.currency))]
  const rank = (c: string): number => (currencyCode(c) === 'RUB' ? 0 : 1)
  return set.sort((a, b) => rank(a) - rank(b) || currencyCode(a).localeCompare(currencyCode(b)))
}

export interface MonthRow {
  month: string
  /** Kopecks (minor units). */
  incoming: number
  outgoing: number
}

/** One row per month of the period for one currency (missing months are zero). */
export function monthRows(
  rows: readonly WalletMonthTotals[],
  currency: string,
  months: readonly string[]
): MonthRow[] {
  const by = new Map<string, MonthRow>()
  for (const m of months) by.set(m, { month: m, incoming: 0, outgoing: 0 })
  for (const r of rows) {
    if (r.currency !== currency) continue
    const key = r.month.slice(0, 7)
    const row = by.get(key) ?? { month: key, incoming: 0, outgoing: 0 }
    row.incoming += Math.abs(kopecksOf(r.incoming) ?? 0)
    row.outgoing += Math.abs(kopecksOf(r.outgoing) ?? 0)
    by.set(key, row)
  }
  return [...by.values()].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0))
}

export function sumRows(rows: readonly MonthRow[]): { incoming: number; outgoing: number } {
  return rows.reduce((s, r) => ({ incoming: s.incoming + r.incoming, outgoing: s.outgoing + r.outgoing }), {
    incoming: 0,
    outgoing: 0
  })
}

/**
 * The chart's y values in major units. Only for drawing bar heights: every figure shown as
 * text stays in integer kopecks formatted by formatAmountHuman.
 */
export function chartData(rows: readonly MonthRow[]): {
  x: number[]
  incoming: number[]
  outgoing: number[]
} {
  return {
    x: rows.map((_, i) => i),
    incoming: rows.map((r) => r.incoming / 100),
    outgoing: rows.map((r) => r.outgoing / 100)
  }
}

export function kopecksText(k: number, currency: string, lang: Lang): string {
  return `${formatAmountHuman(k, lang)} ${currencySymbol(currency)}`
}
