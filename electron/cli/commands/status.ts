/**
 * `qiwi-desk status NUMBER`: one payout by transaction-number. A payout that is not
 * final and due for a check is polled first (the engine keeps QIWI's pacing: at most
 * one status request per payment per 10 minutes on a real endpoint).
 */
import type { Command } from 'commander'
import { AppError } from '../../../shared/errors'
import type { CliContext } from '../context'
import { badInput, printJson, withEngine } from '../engine-context'
import { cliPayoutObject, humanPayout } from '../payout-output'

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show a payout by its transaction-number (polls QIWI when a check is due)')
    .argument('<number>', 'transaction-number')
    .option('--no-refresh', 'show the stored state without asking QIWI')
    .action(async (num: string, o: { refresh: boolean }) => {
      await withEngine(ctx, 'status', { network: o.refresh }, async (e) => {
        if (!/^[1-9]\d{0,19}$/.test(num)) throw badInput('the transaction-number is 1..20 digits', 'number')
        let v = e.engine.getByNumber(num)
        if (!v) throw new AppError('not-found', `no payout with transaction-number ${num}`)
        if (o.refresh && !v.final && !v.paused && (v.nextCheckAt === null || v.nextCheckAt <= Date.now())) {
          v = (await e.engine.processPayout(v.id)) ?? v
        }
        if (ctx.json()) printJson(ctx, cliPayoutObject(v))
        else ctx.out(humanPayout(v))
      })
    })
}
