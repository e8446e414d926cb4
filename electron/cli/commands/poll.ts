/**
 * `qiwi-desk poll [--once]`: drives the queue. --once runs one pass of the sender and
 * the poller; without it the engine runs until every payout of an unpaused terminal
 * is final (or SIGINT/SIGTERM), pinging terminals for their balance as it goes.
 */
import type { Command } from 'commander'
import { activeCounts } from '../../core/db/repositories/engine-queries'
import type { CliContext } from '../context'
import type { CliEngine } from '../engine-context'
import { printJson, sleep, withEngine } from '../engine-context'

function queueSummary(e: CliEngine): { byState: Record<string, number>; active: number; paused: number } {
  const byState: Record<string, number> = {}
  let active = 0
  let paused = 0
  for (const c of activeCounts(e.db)) {
    byState[c.state] = (byState[c.state] ?? 0) + c.count
    active += c.count
    if (c.paused) paused += c.count
  }
  return { byState, active, paused }
}

export function registerPollCommand(program: Command, ctx: CliContext): void {
  program
    .command('poll')
    .description('send queued payouts and poll the status of unfinished ones')
    .option('--once', 'one pass, then exit')
    .action(async (o: { once?: boolean }) => {
      await withEngine(
        ctx,
        'poll',
        { network: true, config: { balanceRefreshSeconds: o.once ? 0 : 600 } },
        async (e) => {
          if (o.once === true) {
            const r = await e.engine.runOnce()
            const q = queueSummary(e)
            if (ctx.json()) printJson(ctx, { ...r, queue: q })
            else {
              ctx.out(
                `sent ${r.pays} pay, ${r.prechecks} checks, ${r.polls} status requests; ${r.finalized} became final; ${q.active} not final (${q.paused} on paused terminals)`
              )
            }
            return
          }
          const stop = e.engine.start()
          let interrupted = false
          const onSignal = (): void => {
            interrupted = true
          }
          process.once('SIGINT', onSignal)
          process.once('SIGTERM', onSignal)
          try {
            for (;;) {
              await sleep(500)
              const q = queueSummary(e)
              if (interrupted || q.active - q.paused === 0) break
            }
          } finally {
            process.off('SIGINT', onSignal)
            process.off('SIGTERM', onSignal)
            await stop()
          }
          const q = queueSummary(e)
          if (ctx.json()) printJson(ctx, { interrupted, queue: q })
          else {
            ctx.out(
              interrupted
                ? `interrupted; ${q.active} payouts not final`
                : `queue done; ${q.active} payouts not final (${q.paused} on paused terminals)`
            )
          }
        }
      )
    })
}
