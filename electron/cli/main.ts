/**
 * `qiwi-desk`: the CLI over the same core as the app. Global options:
 *   --data-dir DIR (or QIWI_DESK_DATA_DIR)   where the database and logs live
 *   --json                                   one JSON document per command on stdout
 * Exit codes: 0 ok (incl. a payout left waiting), 2 bad input, 3 configuration or
 * credential problem, 1 anything else. Errors go to stderr.
 */
import { resolve } from 'node:path'

import { Command, CommanderError } from 'commander'

import { defaultDataDir } from '../core/app/data-dir'
import { registerCashierCommands } from './cashier-commands'
import { registerSandboxCommand } from './commands/sandbox'
import { registerWalletCommand } from './commands/wallet'
import { EXIT } from './context'
import type { CliContext, ExitCode } from './context'

export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
  program
    .name('qiwi-desk')
    .description('QIWI Desk — payouts over the QIWI Top-Up API and a QIWI wallet viewer')
    .option('--data-dir <dir>', 'data directory (default: QIWI_DESK_DATA_DIR or the app data folder)')
    .option('--json', 'print one JSON document per command on stdout')
    .showHelpAfterError()
    .exitOverride()
  registerSandboxCommand(program, ctx)
  registerCashierCommands(program, ctx)
  registerWalletCommand(program, ctx)
  return program
}

export async function runCli(argv: string[]): Promise<number> {
  let exitCode: ExitCode = EXIT.ok
  let program: Command | null = null
  const ctx: CliContext = {
    dataDir: () => {
      const opts = program?.opts<{ dataDir?: string }>() ?? {}
      return resolve(opts.dataDir ?? process.env['QIWI_DESK_DATA_DIR'] ?? defaultDataDir())
    },
    json: () => Boolean(program?.opts<{ json?: boolean }>().json),
    out: (text) => {
      process.stdout.write(text.endsWith('\n') ? text : text + '\n')
    },
    err: (text) => {
      process.stderr.write(text.endsWith('\n') ? text : text + '\n')
    },
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const c of process.stdin) chunks.push(c as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
    setExit: (code) => {
      exitCode = code
    }
  }
  program = buildProgram(ctx)
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok
      return EXIT.badInput
    }
    ctx.err(`qiwi-desk: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT.other
  }
  return exitCode
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code
  })
}
