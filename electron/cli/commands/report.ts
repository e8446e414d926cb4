/**
 * `qiwi-desk report --date D`: end-of-day reconciliation — payouts by state and
 * service, totals, hourly counts, agent balance movement and the discrepancies a
 * cashier must look at (payouts not final, paused terminals, alerts of the day).
 */
import type { Command } from 'commander'
import { buildDayReport, localOffsetMinutes } from '../../core/engine/report'
import type { CliContext } from '../context'
import { badInput, printJson, withEngine } from '../engine-context'

export function registerReportCommand(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('end-of-day reconciliation for one day (local time)')
    .requiredOption('--date <date>', 'YYYY-MM-DD')
    .option('--terminal <name>', 'only this terminal')
    .action(async (o: { date: string; terminal?: string }) => {
      await withEngine(ctx, 'report', { network: false }, async (e) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(o.date)) throw badInput('--date must look like 2026-11-22', 'date')
        const terminalRefs = o.terminal === undefined ? undefined : [e.terminalByName(o.terminal).id]
        const r = buildDayReport(e.db, {
          date: o.date,
          tzOffsetMinutes: localOffsetMinutes(o.date),
          lang: 'en',
          terminalRefs
        })
        if (ctx.json()) {
          printJson(ctx, r)
          return
        }
        ctx.out(`Report for ${r.date}: ${r.totals.count} payouts, ${r.totals.amount} RUB`)
        for (const [state, t] of Object.entries(r.totals.byState)) {
          if (t.count > 0) ctx.out(`  ${state}\t${t.count}\t${t.amount}`)
        }
        if (r.byStateService.length > 0) ctx.out('By service:')
        for (const row of r.byStateService) {
          ctx.out(`  ${row.service}\t${row.state}\t${row.count}\t${row.amount}`)
        }
        if (r.balanceMovement.length > 0) ctx.out('Agent balance:')
        for (const m of r.balanceMovement) ctx.out(`  ${m.terminal}\t${m.currency}\t${m.first} → ${m.last}`)
        ctx.out(
          r.discrepancies.length === 0 ? 'No discrepancies.' : `Discrepancies (${r.discrepancies.length}):`
        )
        for (const d of r.discrepancies) ctx.out(`  [${d.kind}] ${d.message}`)
      })
    })
}
