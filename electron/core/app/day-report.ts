/**
 * End-of-day reconciliation for the cashier (the Report page and `qiwi-desk report`):
 * payouts of one local day by state and service and by hour, totals, the agent balance
 * movement QIWI itself reported that day (from the <balances> of the first and last reply
 * journaled per terminal), and the discrepancies a cashier must look at.
 *
 * The desk works in Moscow time (spec §9 #20: QIWI's txn-date is presumably Moscow time;
 * Russia has no daylight saving), so a "day" is a Moscow calendar day.
 */
import type { DayReportView } from '../../../shared/payouts'
import { formatAmount, parseWireAmount } from '../../../shared/money'
import type { Db } from '../db/connection'
import { prepared, readQuery } from '../db/connection'
import { listAlerts } from '../db/repositories/alerts.repository'
import { payoutTotals, reportByDay, reportByHour } from '../db/repositories/payouts.repository'
import { listTerminals } from '../db/repositories/terminals.repository'
import type { PayoutState } from '../db/types'
import { loadReply, readBalances } from '../topup/reply-common'

export const MOSCOW_OFFSET_MINUTES = 180

/** [from, to) in Unix ms for a 'YYYY-MM-DD' Moscow day. */
export function dayRange(date: string, offsetMinutes = MOSCOW_OFFSET_MINUTES): { from: number; to: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) throw new RangeError('date must be YYYY-MM-DD')
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  const from = utc - offsetMinutes * 60_000
  return { from, to: from + 86_400_000 }
}

/** Today's Moscow date as 'YYYY-MM-DD'. */
export function todayMoscow(now: number = Date.now()): string {
  return new Date(now + MOSCOW_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10)
}

interface ReplyRow {
  terminal_ref: string
  body: string
}

function firstLastReplies(db: Db, from: number, to: number): Map<string, { first: string; last: string }> {
  return readQuery(db, () => {
    const rows = prepared(
      db,
      `SELECT p.terminal_ref AS terminal_ref, e.body AS body, e.at AS at
         FROM payout_events e JOIN payouts p ON p.id = e.payout_id
        WHERE e.kind = 'reply' AND e.body IS NOT NULL AND e.at >= ? AND e.at < ?
          AND e.body LIKE '%<balance%'
        ORDER BY e.at, e.id`
    ).all(from, to) as (ReplyRow & { at: number })[]
    const out = new Map<string, { first: string; last: string }>()
    for (const r of rows) {
      const cur = out.get(r.terminal_ref)
      if (!cur) out.set(r.terminal_ref, { first: r.body, last: r.body })
      else cur.last = r.body
    }
    return out
  })
}

function balancesOf(body: string): Record<string, string> {
  const r = loadReply(body)
  return r.ok ? readBalances(r.doc) : {}
}

export function buildDayReport(db: Db, date: string, lang: 'ru' | 'en'): DayReportView {
  const { from, to } = dayRange(date)
  const filter = { from, to }
  const byDay = reportByDay(db, filter, MOSCOW_OFFSET_MINUTES)
  const byHour = reportByHour(db, filter, MOSCOW_OFFSET_MINUTES)
  const totals = payoutTotals(db, filter)
  const terminals = new Map(listTerminals(db).map((t) => [t.id, t]))

  const balanceMovement: DayReportView['balanceMovement'] = []
  const discrepancies: DayReportView['discrepancies'] = []
  for (const [ref, { first, last }] of firstLastReplies(db, from, to)) {
    const a = balancesOf(first)
    const b = balancesOf(last)
    const name = terminals.get(ref)?.name ?? ref
    for (const ccy of Object.keys(b)) {
      const f = a[ccy]
      const l = b[ccy]
      if (f !== undefined && l !== undefined) balanceMovement.push({ terminal: name, currency: ccy, first: f, last: l })
    }
  }

  const ru = lang === 'ru'
  const stuck = readQuery(db, () =>
    prepared(
      db,
      `SELECT id, transaction_number, state FROM payouts
        WHERE created_at >= ? AND created_at < ? AND state IN ('queued','sending','waiting')
        ORDER BY created_at LIMIT 200`
    ).all(from, to)
  ) as { id: number; transaction_number: string; state: PayoutState }[]
  for (const p of stuck) {
    discrepancies.push({
      kind: 'not-final',
      message: ru
        ? `Выплата ${p.transaction_number} ещё не получила окончательный статус QIWI (${p.state})`
        : `Payout ${p.transaction_number} has no final QIWI status yet (${p.state})`,
      payoutId: p.id
    })
  }
  for (const t of terminals.values()) {
    if (t.paused) {
      discrepancies.push({
        kind: 'terminal-paused',
        message: ru
          ? `Терминал «${t.name}» приостановлен: ${t.pausedReason ?? t.pausedCode ?? ''}`
          : `Terminal "${t.name}" is paused: ${t.pausedReason ?? t.pausedCode ?? ''}`,
        payoutId: null
      })
    }
  }
  for (const a of listAlerts(db, { openOnly: true, limit: 100 })) {
    if (a.lastAt < from || a.createdAt >= to) continue
    discrepancies.push({ kind: `alert:${a.kind}`, message: a.message, payoutId: a.payoutId })
  }
  // QIWI's own balance movement vs what this desk paid out (RUB): a difference means
  // payouts from elsewhere on the same terminal, refunds, or top-ups of the agent account.
  const paidRub = byDay
    .filter((r) => r.state === 'succeeded')
    .reduce((s, r) => s + r.amountKopecks, 0)
  for (const m of balanceMovement) {
    if (m.currency !== '643') continue
    const f = parseWireAmount(m.first)
    const l = parseWireAmount(m.last)
    if (f === null || l === null) continue
    const observed = f - l
    if (observed !== paidRub && byDay.length > 0) {
      discrepancies.push({
        kind: 'balance-movement',
        message: ru
          ? `Баланс «${m.terminal}» изменился на ${formatAmount(observed)}, а успешных выплат за день на ${formatAmount(paidRub)} (между первым и последним ответом QIWI)`
          : `Balance of "${m.terminal}" moved by ${formatAmount(observed)} while succeeded payouts total ${formatAmount(paidRub)} (between QIWI's first and last reply)`,
        payoutId: null
      })
    }
  }

  const byState: DayReportView['totals']['byState'] = {}
  for (const [s, v] of Object.entries(totals.byState)) byState[s] = { count: v.count, amount: formatAmount(v.amountKopecks) }
  return {
    date,
    byStateService: byDay.map((r) => ({ state: r.state, service: r.service, count: r.count, amount: formatAmount(r.amountKopecks) })),
    byHour: byHour.map((r) => ({
      hour: new Date(r.hourStart + MOSCOW_OFFSET_MINUTES * 60_000).getUTCHours(),
      state: r.state,
      count: r.count,
      amount: formatAmount(r.amountKopecks)
    })),
    totals: { count: totals.count, amount: formatAmount(totals.amountKopecks), byState },
    balanceMovement,
    discrepancies
  }
}
