/**
 * Day report and receipt shaping without React: the hour chart's series (stacked by
 * state, so the bars read as one total per hour), table groupings, and the lines of a
 * printed receipt. Pure, unit-tested.
 */
import { formatAmountHuman, parseWireAmount } from '../../../../shared/money'
import type { DayReportView, PayoutStateT, PayoutView, TerminalView } from '../../../../shared/payouts'
import { currencyHuman, formatDateTime, moneyHuman, recipientHuman } from './format'

/** Chart groups, bottom to top of a stacked bar. */
export const CHART_GROUPS = ['succeeded', 'pending', 'failed', 'declined'] as const
export type ChartGroup = (typeof CHART_GROUPS)[number]

export function chartGroup(s: PayoutStateT): ChartGroup {
  if (s === 'succeeded' || s === 'failed' || s === 'declined') return s
  return 'pending'
}

export interface HourSeries {
  hours: number[]
  /** Raw counts per group per hour. */
  counts: Record<ChartGroup, number[]>
  /** Cumulative tops (bottom group first) for drawing stacked bars. */
  stacked: Record<ChartGroup, number[]>
  max: number
}

export function hourSeries(byHour: DayReportView['byHour']): HourSeries {
  const hours = Array.from({ length: 24 }, (_, h) => h)
  const zero = (): number[] => hours.map(() => 0)
  const counts = { succeeded: zero(), pending: zero(), failed: zero(), declined: zero() }
  for (const row of byHour) {
    if (row.hour < 0 || row.hour > 23) continue
    const g = chartGroup(row.state)
    counts[g][row.hour] = (counts[g][row.hour] ?? 0) + row.count
  }
  const stacked = { succeeded: zero(), pending: zero(), failed: zero(), declined: zero() }
  let max = 0
  for (const h of hours) {
    let acc = 0
    for (const g of CHART_GROUPS) {
      acc += counts[g][h] ?? 0
      stacked[g][h] = acc
    }
    max = Math.max(max, acc)
  }
  return { hours, counts, stacked, max }
}

/** byStateService folded to one row per state with per-service cells and a total. */
export function stateServiceTable(
  rows: DayReportView['byStateService']
): { state: PayoutStateT; count: number; kopecks: number; services: { service: string; count: number; amount: string }[] }[] {
  const byState = new Map<PayoutStateT, { count: number; kopecks: number; services: { service: string; count: number; amount: string }[] }>()
  for (const r of rows) {
    const cur = byState.get(r.state) ?? { count: 0, kopecks: 0, services: [] }
    cur.count += r.count
    cur.kopecks += parseWireAmount(r.amount) ?? 0
    cur.services.push({ service: r.service, count: r.count, amount: r.amount })
    byState.set(r.state, cur)
  }
  return STATE_ORDER.filter((s) => byState.has(s)).map((s) => ({ state: s, ...(byState.get(s) as { count: number; kopecks: number; services: { service: string; count: number; amount: string }[] }) }))
}

const STATE_ORDER: readonly PayoutStateT[] = ['succeeded', 'waiting', 'sending', 'queued', 'failed', 'declined']

/** A totals-by-state record in the order a cashier reads it (paid first, declined last). */
export function orderedByState<V>(byState: Record<string, V>): [PayoutStateT, V][] {
  return STATE_ORDER.filter((s) => byState[s] !== undefined).map((s) => [s, byState[s] as V])
}

/** Only the states that happened (a zero row tells the cashier nothing). */
export function nonZeroByState(byState: Record<string, { count: number; amount: string }>): [PayoutStateT, { count: number; amount: string }][] {
  return orderedByState(byState).filter(([, v]) => v.count > 0)
}

/** first → last balance change, in kopecks (null when either is not a decimal). */
export function balanceChange(first: string, last: string): number | null {
  const a = parseWireAmount(first)
  const b = parseWireAmount(last)
  return a === null || b === null ? null : b - a
}

export function signedHuman(kopecks: number, lang: 'ru' | 'en'): string {
  return (kopecks > 0 ? '+' : '') + formatAmountHuman(kopecks, lang)
}

export type Translate = (key: string, params?: Record<string, string | number>) => string

/** Receipt lines (label, value) in the language of `t` (the desk prints them in Russian). */
export function receiptLines(p: PayoutView, terminal: TerminalView | undefined, t: Translate): [string, string][] {
  const lines: [string, string][] = [
    [t('cashier.receipt.agent'), terminal ? `${terminal.name} (${terminal.terminalId})` : p.terminal],
    [t('cashier.receipt.number'), p.transactionNumber],
    [t('cashier.receipt.date'), formatDateTime(p.createdAt, 'ru')],
    [t('cashier.receipt.service'), t(`cashier.services.${p.service}`)],
    [t('cashier.receipt.recipient'), recipientHuman(p.service, p.account)],
    [t('cashier.receipt.amount'), `${moneyHuman(p.amount, 'ru')} ${currencyHuman(p.currency)}`],
    [t('cashier.receipt.state'), t(`cashier.states.${p.state}`)]
  ]
  if (p.txnId) lines.push([t('cashier.receipt.txnId'), p.txnId])
  if (p.txnDate) lines.push([t('cashier.receipt.txnDate'), p.txnDate])
  if (p.resultMessage && p.state !== 'succeeded') lines.push([t('cashier.receipt.result'), p.resultMessage])
  if (p.comment) lines.push([t('cashier.receipt.comment'), p.comment])
  return lines
}
