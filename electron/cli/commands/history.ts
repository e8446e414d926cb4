/**
 * `qiwi-desk history [--from D] [--to D] [--state S] [--account A] [--terminal N] [--csv]`:
 * the local payout history (works offline), oldest first. Dates are calendar days in
 * the machine's time zone, both ends inclusive.
 */
import type { Command } from 'commander'
import Papa from 'papaparse'
import type { PayoutView } from '../../../shared/payouts'
import { queryPayouts } from '../../core/db/repositories/payouts.repository'
import { getTerminal } from '../../core/db/repositories/terminals.repository'
import type { Payout, PayoutState } from '../../core/db/types'
import { PAYOUT_STATES } from '../../core/db/types'
import { dayBounds, localOffsetMinutes, toPayoutFilter } from '../../core/engine/report'
import { toCliJson, toPayoutView } from '../../core/engine/view'
import type { CliContext } from '../context'
import { badInput, printJson, withEngine } from '../engine-context'

const MAX_ROWS = 100_000

interface HistoryOptions {
  from?: string
  to?: string
  state?: string
  account?: string
  terminal?: string
  csv?: boolean
}

/** A spreadsheet must not run what a cashier typed into a comment. */
function cell(s: string | null): string {
  if (s === null) return ''
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
}

export function historyRecord(v: PayoutView): Record<string, unknown> {
  return {
    ...toCliJson(v),
    createdAt: new Date(v.createdAt).toISOString(),
    finalAt: v.finalAt === null ? null : new Date(v.finalAt).toISOString()
  }
}

export function registerHistoryCommand(program: Command, ctx: CliContext): void {
  program
    .command('history')
    .description('local payout history (offline), oldest first')
    .option('--from <date>', 'first day, YYYY-MM-DD (local time)')
    .option('--to <date>', 'last day, YYYY-MM-DD (inclusive)')
    .option('--state <states>', `comma-separated: ${PAYOUT_STATES.join(', ')}`)
    .option('--account <account>', 'phone, card number or transaction-number/txn_id')
    .option('--terminal <name>', 'only this terminal')
    .option('--csv', 'CSV on stdout')
    .action(async (o: HistoryOptions) => {
      await withEngine(ctx, 'history', { network: false }, async (e) => {
        const from = o.from === undefined ? undefined : dayBounds(o.from, localOffsetMinutes(o.from)).from
        const to = o.to === undefined ? undefined : dayBounds(o.to, localOffsetMinutes(o.to)).to
        if (from !== undefined && to !== undefined && from >= to) {
          throw badInput('--from is after --to', 'from')
        }
        let states: PayoutState[] | undefined
        if (o.state !== undefined) {
          states = []
          for (const s of o.state.split(',').map((x) => x.trim())) {
            if (!(PAYOUT_STATES as readonly string[]).includes(s)) {
              throw badInput(`--state: unknown state "${s}" (${PAYOUT_STATES.join(', ')})`, 'state')
            }
            states.push(s as PayoutState)
          }
        }
        const terminalRefs = o.terminal === undefined ? undefined : [e.terminalByName(o.terminal).id]
        const filter = toPayoutFilter({
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          ...(states ? { states } : {}),
          ...(terminalRefs ? { terminalRefs } : {}),
          ...(o.account !== undefined ? { search: o.account } : {})
        })
        const rows: Payout[] = []
        let cursor: string | null = null
        do {
          const page = queryPayouts(e.db, filter, {
            sort: { column: 'createdAt', dir: 'asc' },
            limit: 1000,
            cursor
          })
          rows.push(...page.items)
          cursor = page.nextCursor
        } while (cursor !== null && rows.length < MAX_ROWS)
        const terminals = new Map<string, ReturnType<typeof getTerminal>>()
        const views = rows.map((p) => {
          if (!terminals.has(p.terminalRef)) terminals.set(p.terminalRef, getTerminal(e.db, p.terminalRef))
          return toPayoutView(p, terminals.get(p.terminalRef) ?? null, 'en')
        })
        if (o.csv === true) {
          ctx.out(
            Papa.unparse({
              fields: [
                'created_at',
                'transaction_number',
                'terminal',
                'service',
                'account',
                'amount',
                'state',
                'status',
                'result_code',
                'txn_id',
                'final_at',
                'comment'
              ],
              data: views.map((v) => [
                new Date(v.createdAt).toISOString(),
                v.transactionNumber,
                cell(v.terminal),
                v.service,
                cell(v.account),
                v.amount,
                v.state,
                v.status ?? '',
                v.resultCode ?? '',
                v.txnId ?? '',
                v.finalAt === null ? '' : new Date(v.finalAt).toISOString(),
                cell(v.comment)
              ])
            })
          )
          return
        }
        if (ctx.json()) {
          printJson(ctx, views.map(historyRecord))
          return
        }
        if (views.length === 0) ctx.out('no payouts')
        for (const v of views) {
          ctx.out(
            `${new Date(v.createdAt).toISOString()}\t${v.transactionNumber}\t${v.terminal}\t${v.service}\t${v.account}\t${v.amount}\t${v.state}${v.status !== null ? ` (${v.status})` : ''}`
          )
        }
      })
    })
}
