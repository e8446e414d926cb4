/**
 * End-of-day reconciliation (DayReportView in shared/payouts.ts) and the history
 * filter mapping, shared by the CLI (`report`, `history`) and the app's contract
 * handlers. Read-only.
 */
import { AppError } from '../../../shared/errors'
import { formatAmount, parseAmount, parseWireAmount } from '../../../shared/money'
import type { DayReportView, HistoryFilter, TotalsView } from '../../../shared/payouts'
import { normalizeCard, normalizePhone } from '../../../shared/validation'
import type { Db } from '../db/connection'
import { listAlerts } from '../db/repositories/alerts.repository'
import { listBalances } from '../db/repositories/balances.repository'
import { activePayoutsCreatedBefore, replyBodiesBetween } from '../db/repositories/engine-queries'
import { payoutTotals, reportByDay, reportByHour } from '../db/repositories/payouts.repository'
import { listTerminals } from '../db/repositories/terminals.repository'
import type { PayoutFilter, PayoutTotals } from '../db/types'
import { loadReply, readBalances } from '../topup/reply-common'
import type { Lang } from './types'

/** [from, to) of a calendar day in a fixed UTC offset (minutes east of UTC, e.g. +180 Moscow). */
export function dayBounds(date: string, tzOffsetMinutes: number): { from: number; to: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) throw new AppError('invalid-input', 'the date must look like 2026-11-22', { field: 'date' })
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const utc = Date.UTC(y, mo - 1, d)
  const check = new Date(utc)
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new AppError('invalid-input', `${date} is not a calendar date`, { field: 'date' })
  }
  const from = utc - tzOffsetMinutes * 60_000
  return { from, to: from + 86_400_000 }
}

/** The machine's UTC offset on that date (what a cashier means by "that day"). */
export function localOffsetMinutes(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) return 0
  return -new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12).getTimezoneOffset()
}

export function totalsView(t: PayoutTotals): TotalsView {
  const byState: TotalsView['byState'] = {}
  for (const [s, v] of Object.entries(t.byState)) {
    byState[s] = { count: v.count, amount: formatAmount(v.amountKopecks) }
  }
  return { count: t.count, amount: formatAmount(t.amountKopecks), byState }
}

/**
 * The history screen's filter → the repository's. The search term is normalized the
 * way accounts are stored (a phone typed as "+7 912 …" finds "7912…", a card with
 * spaces finds its digits); anything else is used as typed.
 */
export function toPayoutFilter(f: HistoryFilter): PayoutFilter {
  const out: PayoutFilter = {}
  if (f.from !== undefined) out.from = f.from
  if (f.to !== undefined) out.to = f.to
  if (f.states) out.states = f.states
  if (f.services) out.services = f.services
  if (f.terminalRefs) out.terminalRefs = f.terminalRefs
  if (f.amountMin !== undefined) {
    const a = parseAmount(f.amountMin)
    if (!a.ok) throw new AppError('invalid-amount', 'amountMin is not an amount', { field: 'amountMin' })
    out.amountMinKopecks = a.kopecks
  }
  if (f.amountMax !== undefined) {
    const a = parseAmount(f.amountMax)
    if (!a.ok) throw new AppError('invalid-amount', 'amountMax is not an amount', { field: 'amountMax' })
    out.amountMaxKopecks = a.kopecks
  }
  if (f.search !== undefined && f.search.trim() !== '') out.search = normalizeSearch(f.search.trim())
  return out
}

export function normalizeSearch(s: string): string {
  if (/^\d{1,20}$/.test(s)) return s
  const card = normalizeCard(s)
  if (card.ok) return card.value.digits
  if (/^[+\d\s()\-.]+$/.test(s)) {
    const p = normalizePhone(s)
    if (p.ok) return p.value
    return s.replace(/[^\d]/g, '')
  }
  return s
}

interface Movement {
  terminal: string
  currency: string
  first: string
  last: string
  firstAt: number
  lastAt: number
}

export interface DayReportOptions {
  /** 'YYYY-MM-DD'. */
  date: string
  tzOffsetMinutes: number
  lang?: Lang | undefined
  /** Only these terminals (default all). */
  terminalRefs?: readonly string[] | undefined
}

/** Builds the end-of-day reconciliation for one day. */
export function buildDayReport(db: Db, opts: DayReportOptions): DayReportView {
  const lang = opts.lang ?? 'ru'
  const { from, to } = dayBounds(opts.date, opts.tzOffsetMinutes)
  const filter: PayoutFilter = { from, to, ...(opts.terminalRefs ? { terminalRefs: opts.terminalRefs } : {}) }
  const inScope = (ref: string | null): boolean =>
    !opts.terminalRefs || (ref !== null && opts.terminalRefs.includes(ref))

  const byStateService = reportByDay(db, filter, opts.tzOffsetMinutes)
    .filter((r) => r.day === opts.date)
    .map((r) => ({
      state: r.state,
      service: r.service,
      count: r.count,
      amount: formatAmount(r.amountKopecks)
    }))
  const byHour = reportByHour(db, filter, opts.tzOffsetMinutes).map((r) => ({
    hour: new Date(r.hourStart + opts.tzOffsetMinutes * 60_000).getUTCHours(),
    state: r.state,
    count: r.count,
    amount: formatAmount(r.amountKopecks)
  }))
  const totals = totalsView(payoutTotals(db, filter))

  // Balance movement: every pay/status reply carries the agent balances; the first
  // and the last seen that day (or the last ping, when later) per terminal and currency.
  const moves = new Map<string, Movement>()
  const names = new Map(listTerminals(db).map((t) => [t.id, t.name]))
  const see = (terminalRef: string, currency: string, amount: string, at: number): void => {
    if (!inScope(terminalRef)) return
    const key = `${terminalRef}\u0000${currency}`
    const m = moves.get(key)
    if (!m) {
      moves.set(key, {
        terminal: names.get(terminalRef) ?? terminalRef,
        currency,
        first: amount,
        last: amount,
        firstAt: at,
        lastAt: at
      })
    } else {
      if (at < m.firstAt) {
        m.first = amount
        m.firstAt = at
      }
      if (at >= m.lastAt) {
        m.last = amount
        m.lastAt = at
      }
    }
  }
  for (const r of replyBodiesBetween(db, from, to)) {
    const loaded = loadReply(r.body)
    if (!loaded.ok) continue
    for (const [currency, amount] of Object.entries(readBalances(loaded.doc))) {
      see(r.terminalRef, currency, amount, r.at)
    }
  }
  for (const b of listBalances(db)) {
    if (b.updatedAt >= from && b.updatedAt < to) see(b.terminalRef, b.currency, b.amount, b.updatedAt)
  }
  const balanceMovement = [...moves.values()]
    .sort((a, b) => a.terminal.localeCompare(b.terminal) || a.currency.localeCompare(b.currency))
    .map((m) => ({ terminal: m.terminal, currency: m.currency, first: m.first, last: m.last }))

  const discrepancies: DayReportView['discrepancies'] = []
  for (const p of activePayoutsCreatedBefore(db, to)) {
    if (!inScope(p.terminalRef)) continue
    const since = new Date(p.createdAt).toISOString()
    discrepancies.push({
      kind: 'not-final',
      payoutId: p.id,
      message:
        lang === 'ru'
          ? `Платёж ${p.transactionNumber} (${formatAmount(p.amountKopecks)}) не в финальном статусе: ${p.state}, создан ${since}`
          : `Payout ${p.transactionNumber} (${formatAmount(p.amountKopecks)}) is not final: ${p.state}, entered ${since}`
    })
  }
  for (const t of listTerminals(db)) {
    if (!t.paused || !inScope(t.id)) continue
    discrepancies.push({
      kind: 'terminal-paused',
      payoutId: null,
      message:
        lang === 'ru'
          ? `Терминал «${t.name}» приостановлен (${t.pausedCode ?? ''}): ${t.pausedReason ?? ''}`
          : `Terminal "${t.name}" is paused (${t.pausedCode ?? ''}): ${t.pausedReason ?? ''}`
    })
  }
  for (const a of listAlerts(db, { openOnly: true, limit: 10_000 })) {
    if (a.createdAt < from || a.createdAt >= to || !inScope(a.terminalRef)) continue
    discrepancies.push({
      kind: `alert:${a.kind}`,
      payoutId: a.payoutId,
      message: a.count > 1 ? `${a.message} (×${a.count})` : a.message
    })
  }
  // The agent account must have moved at least by what QIWI confirmed paid that day.
  const paid = totals.byState['succeeded']
  const paidKopecks = paid ? (parseWireAmount(paid.amount) ?? 0) : 0
  for (const m of moves.values()) {
    if (m.currency !== '643' && m.currency !== 'RUB') continue
    const first = parseWireAmount(m.first)
    const last = parseWireAmount(m.last)
    if (first === null || last === null || m.firstAt === m.lastAt) continue
    if (last > first && paidKopecks > 0) {
      discrepancies.push({
        kind: 'balance',
        payoutId: null,
        message:
          lang === 'ru'
            ? `Баланс агента «${m.terminal}» вырос (${m.first} → ${m.last}) при выплатах на ${formatAmount(paidKopecks)}: было пополнение счёта?`
            : `Agent balance of "${m.terminal}" grew (${m.first} → ${m.last}) while ${formatAmount(paidKopecks)} was paid out: was the account topped up?`
      })
    }
  }
  return { date: opts.date, byStateService, byHour, totals, balanceMovement, discrepancies }
}
