/**
 * The cashier side of the CLI (agent payouts over the Top-Up API), registered on the
 * program in one call: terminal, pay, status, poll, check-user, check-deposit,
 * balance, batch, history, report. All of them run over the same payout engine.
 */
import type { Command } from 'commander'
import { registerBalanceCommand } from './commands/balance'
import { registerBatchCommand } from './commands/batch'
import { registerCheckCommands } from './commands/checks'
import { registerHistoryCommand } from './commands/history'
import { registerPayCommands } from './commands/pay'
import { registerPollCommand } from './commands/poll'
import { registerReportCommand } from './commands/report'
import { registerStatusCommand } from './commands/status'
import { registerTerminalCommands } from './commands/terminal'
import type { CliContext } from './context'

export function registerCashierCommands(program: Command, ctx: CliContext): void {
  registerTerminalCommands(program, ctx)
  registerPayCommands(program, ctx)
  registerStatusCommand(program, ctx)
  registerPollCommand(program, ctx)
  registerCheckCommands(program, ctx)
  registerBalanceCommand(program, ctx)
  registerBatchCommand(program, ctx)
  registerHistoryCommand(program, ctx)
  registerReportCommand(program, ctx)
}
