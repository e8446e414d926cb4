/**
 * Cashier calls over the payout engine and the local history (SQLite). Every view is
 * built by the engine's mappers, so the desk, the CLI and scripts see the same fields.
 */
import Papa from 'papaparse'

import type { Calls } from '../../../../shared/contract'
import type { Handlers } from '../../../../shared/contract-kit'
import { AppError } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'
import type { HistoryFilter, HistorySort, PayoutView, TotalsView } from '../../../../shared/payouts'
import type { Db } from '../../db/connection'
import { acknowledgeAlert, listAlerts } from '../../db/repositories/alerts.repository'
import { listBalances } from '../../db/repositories/balances.repository'
import { payoutTotals, queryPayouts } from '../../db/repositories/payouts.repository'
import { listTerminals } from '../../db/repositories/terminals.repository'
import type { Terminal } from '../../db/types'
import type { PayoutEngine } from '../../engine/types'
import { toAlertView, toBalanceView } from '../../engine/view'
import { buildDayReport, toPayoutFilter } from '../../engine/report'

/** The desk reports in Moscow time (spec §9 #20; the UI labels times МСК). */
const MOSCOW_OFFSET_MINUTES = 180

type PayoutCalls =
  | 'payouts:precheck'
  | 'payouts:create'
  | 'payouts:get'
  | 'payouts:queue'
  | 'history:query'
  | 'history:exportCsv'
  | 'balances:list'
  | 'balances:refresh'
  | 'alerts:list'
  | 'alerts:ack'
  | 'report:day'

export interface PayoutDeps {
  db: Db
  engine: PayoutEngine
  lang: () => 'ru' | 'en'
  onBalances: (views: ReturnType<typeof toBalanceView>[]) => void
}

/** CSV columns of the history export (stable: accounting imports it). */
export const HISTORY_CSV_COLUMNS = [
  'transactionNumber',
  'createdAt',
  'terminal',
  'service',
  'account',
  'amount',
  'currency',
  'state',
  'status',
  'resultCode',
  'txnId',
  'txnDate',
  'finalAt',
  'comment'
] as const

export function historyCsv(rows: PayoutView[]): string {
  const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString())
  return Papa.unparse(
    {
      fields: [...HISTORY_CSV_COLUMNS],
      data: rows.map((r) => [
        r.transactionNumber,
        iso(r.createdAt),
        r.terminal,
        r.service,
        r.account,
        r.amount,
        r.currency,
        r.state,
        r.status ?? '',
        r.resultCode ?? '',
        r.txnId ?? '',
        r.txnDate ?? '',
        iso(r.finalAt),
        r.comment ?? ''
      ])
    },
    // Quote everything and neutralise spreadsheet formulas in free text (CSV injection).
    { quotes: true, escapeFormulae: true, newline: '\r\n' }
  )
}

const EXPORT_LIMIT = 1_000_000
const TOTALS_TTL_MS = 5_000

export function payoutHandlers(deps: PayoutDeps): Pick<Handlers<Calls>, PayoutCalls> {
  const { db, engine } = deps
  const terminalsById = (): Map<string, Terminal> => new Map(listTerminals(db).map((t) => [t.id, t]))
  const views = (rows: Parameters<PayoutEngine['toPayoutView']>[0][]): PayoutView[] => {
    const ts = terminalsById()
    return rows.map((p) => engine.toPayoutView(p, ts.get(p.terminalRef) ?? null, deps.lang()))
  }
  const page = (f: HistoryFilter, sort: HistorySort, limit: number, offset: number): PayoutView[] =>
    views(queryPayouts(db, toPayoutFilter(f), { sort, limit, offset }).items)
  let totalsCache: { key: string; at: number; view: TotalsView } | null = null
  const balances = (): ReturnType<typeof toBalanceView>[] => {
    const ts = terminalsById()
    return listBalances(db).flatMap((b) => {
      const t = ts.get(b.terminalRef)
      return t ? [toBalanceView(b, t)] : []
    })
  }

  return {
    'payouts:precheck': async (input) => engine.precheck(input),
    'payouts:create': async (input) => engine.createPayout(input),
    'payouts:get': async ({ id }) => {
      const payout = engine.get(id)
      if (!payout) throw new AppError('not-found', 'No such payout', { id })
      return { payout, events: engine.events(id) }
    },
    'payouts:queue': async () => engine.listQueue(),
    'history:query': async ({ filter, sort, page: p }) => {
      // Totals of a filter are a scan of every matching row (~1 s at 1M rows unfiltered), so
      // they are computed with the first page and reused while the user scrolls the same
      // filter (bench: the 100k-row history page paints its first rows within 200 ms).
      const key = JSON.stringify(filter)
      if (
        p.offset === 0 ||
        !totalsCache ||
        totalsCache.key !== key ||
        Date.now() - totalsCache.at > TOTALS_TTL_MS
      ) {
        const totals = payoutTotals(db, toPayoutFilter(filter))
        const byState: Record<string, { count: number; amount: string }> = {}
        for (const [st, v] of Object.entries(totals.byState)) {
          byState[st] = { count: v.count, amount: formatAmount(v.amountKopecks) }
        }
        totalsCache = {
          key,
          at: Date.now(),
          view: { count: totals.count, amount: formatAmount(totals.amountKopecks), byState }
        }
      }
      return { rows: page(filter, sort, p.limit, p.offset), total: totalsCache.view }
    },
    'history:exportCsv': async ({ filter, sort }) => {
      const rows: PayoutView[] = []
      for (let offset = 0; offset < EXPORT_LIMIT; offset += 1000) {
        const chunk = page(filter, sort, 1000, offset)
        rows.push(...chunk)
        if (chunk.length < 1000) break
      }
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
      return { csv: historyCsv(rows), rows: rows.length, fileName: `qiwi-desk-payouts-${stamp}.csv` }
    },
    'balances:list': async () => balances(),
    'balances:refresh': async ({ terminalRef }) => {
      const refs = terminalRef ? [terminalRef] : listTerminals(db).map((t) => t.id)
      for (const ref of refs) await engine.refreshBalance(ref)
      const all = balances()
      deps.onBalances(all)
      return all
    },
    'alerts:list': async () => listAlerts(db, { openOnly: true, limit: 200 }).map(toAlertView),
    'alerts:ack': async ({ id }) => {
      acknowledgeAlert(db, id)
      return { ok: true }
    },
    'report:day': async ({ date }) =>
      buildDayReport(db, { date, tzOffsetMinutes: MOSCOW_OFFSET_MINUTES, lang: deps.lang() })
  }
}
