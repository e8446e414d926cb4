/** `qiwi-desk balance --terminal N`: the agent balance (ping), stored and printed. */
import type { Command } from 'commander'
import type { CliContext } from '../context'
import { printJson, withEngine } from '../engine-context'

export function registerBalanceCommand(program: Command, ctx: CliContext): void {
  program
    .command('balance')
    .description('agent balance of a terminal (QIWI ping)')
    .requiredOption('--terminal <name>', 'terminal name')
    .action(async (o: { terminal: string }) => {
      await withEngine(ctx, 'balance', { network: true }, async (e) => {
        const t = e.terminalByName(o.terminal)
        const list = await e.engine.refreshBalance(t.id)
        const balances = list.map((b) => ({ currency: b.currency, amount: b.amount }))
        if (ctx.json()) printJson(ctx, { terminal: t.name, balances })
        else {
          ctx.out(`${t.name}:`)
          for (const b of list) {
            ctx.out(`  ${b.currency}\t${b.amount}${b.low ? '\t(below the low-balance threshold)' : ''}`)
          }
        }
      })
    })
}
