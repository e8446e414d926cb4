/**
 * `qiwi-desk check-user --terminal N PHONE` and
 * `qiwi-desk check-deposit --terminal N --account ACC --amount A`: the read-only
 * checks of the Top-Up API. Nothing is recorded. The amount is validated against the
 * wallet rails; QIWI's check itself does not take one (spec §5.9).
 */
import type { Command } from 'commander'
import { validateAmount } from '../../../shared/validation'
import type { CliContext } from '../context'
import { badInput, printJson, withEngine } from '../engine-context'

export function registerCheckCommands(program: Command, ctx: CliContext): void {
  program
    .command('check-user')
    .description('does this QIWI wallet exist?')
    .requiredOption('--terminal <name>', 'terminal name')
    .argument('<phone>', 'wallet phone number')
    .action(async (phone: string, o: { terminal: string }) => {
      await withEngine(ctx, 'check-user', { network: true }, async (e) => {
        const t = e.terminalByName(o.terminal)
        const r = await e.engine.checkUser(t.id, phone)
        if (ctx.json()) printJson(ctx, r)
        else if (r.ok) ctx.out(`${r.phone}: ${r.exist === true ? 'wallet exists' : 'no wallet'}`)
        else ctx.out(`${r.phone}: no answer (${r.message ?? 'unknown'})`)
        if (!r.ok) ctx.setExit(1)
      })
    })

  program
    .command('check-deposit')
    .description('can this wallet be topped up (check-deposit-possible)?')
    .requiredOption('--terminal <name>', 'terminal name')
    .requiredOption('--account <phone>', 'wallet phone number')
    .option('--amount <amount>', 'amount to check against the wallet rails')
    .option('--non-cash', 'the customer pays non-cash (income_wire_transfer=1)')
    .action(async (o: { terminal: string; account: string; amount?: string; nonCash?: boolean }) => {
      await withEngine(ctx, 'check-deposit', { network: true }, async (e) => {
        if (o.amount !== undefined) {
          const a = validateAmount(o.amount, 'wallet')
          if (!a.ok) throw badInput(`--amount: ${a.reason}`, 'amount')
        }
        const t = e.terminalByName(o.terminal)
        const r = await e.engine.precheck({
          terminalRef: t.id,
          service: 'wallet',
          account: o.account,
          amount: o.amount ?? '1.00',
          incomeWireTransfer: o.nonCash === true
        })
        const out = { terminal: t.name, account: o.account, amount: o.amount ?? null, ...r }
        if (ctx.json()) printJson(ctx, out)
        else {
          ctx.out(
            `${o.account}: ${r.kind}${r.message ? ` (${r.message})` : ''}${r.kind === 'absent' ? `; terminal policy: ${r.absentPolicy}` : ''}`
          )
        }
        if (r.kind === 'retry') ctx.setExit(1)
      })
    })
}
