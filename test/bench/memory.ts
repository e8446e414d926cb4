/**
 * Memory: the started engine (sender + status poller) with 100,000 payouts waiting for
 * a status request, all due, against the in-process sandbox. Runs in a child process
 * of its own (bench.ts), so the RSS is this scenario's and nothing else's.
 *
 * The seeded payouts are unknown to the sandbox, so status replies say "not found";
 * after three of them (D6) the engine re-sends the identical pay, which the sandbox then
 * finalizes: the poller does its full job on every row it reaches.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { closeDatabase, openDatabase } from '../../electron/core/db/connection'
import { createEndpointResolver } from '../../electron/core/engine/endpoint'
import { MemoryCredentialProvider } from '../../electron/core/engine/credentials'
import { createPayoutEngine } from '../../electron/core/engine/engine'
import { nullLogger } from '../../electron/core/log/logger'
import { startSandbox } from '../../electron/core/sandbox/sandbox'
import { cachedSeed } from './seed'
import type { BenchOptions, BenchResult } from './util'
import {
  check,
  fmt,
  maxOf,
  median,
  metric,
  MIGRATIONS_DIR,
  rssMb,
  runChild,
  settle,
  sleep,
  tempDir
} from './util'

interface MemRun {
  baseMb: number
  peakMb: number
  steadyMb: number
  heapPeakMb: number
  polls: number
  pays: number
  finals: number
  passes: number
  seconds: number
}

/** The seed every variant copies (cached; made by the parent so no child carries its memory). */
function memorySeed(count: number): ReturnType<typeof cachedSeed> {
  // everything is due at the fixed end, long past
  return cachedSeed({ key: 'memory', count, mix: 'waiting', endMs: SEED_END, spanDays: 1, dueAt: SEED_END })
}

const SEED_END = Date.UTC(2025, 0, 1)

type Variant = 'app' | 'no-balance-refresh'

/** A working copy of the seed for one variant, made by the parent (the copy's memory stays there). */
async function copySeed(count: number): Promise<{ file: string; terminalRef: string; remove: () => void }> {
  const seed = memorySeed(count)
  const tmp = tempDir('memory')
  const file = join(tmp.dir, 'desk.db')
  const src = new Database(seed.file, { readonly: true })
  await src.backup(file)
  src.close()
  return { file, terminalRef: seed.terminal.id, remove: tmp.remove }
}

async function run(
  file: string,
  terminalRef: string,
  count: number,
  seconds: number,
  variant: Variant,
  log: (l: string) => void
): Promise<MemRun> {
  const db = openDatabase(file, { migrationsDir: MIGRATIONS_DIR })
  const sandbox = await startSandbox({ tls: false, personal: false, processingMs: 0 })
  try {
    const demo = sandbox.demo.topup.password
    const creds = new MemoryCredentialProvider()
    creds.set(terminalRef, {
      auth: { mode: 'password', terminalId: demo.terminalId, password: demo.password }
    })
    let finals = 0
    const engine = createPayoutEngine({
      db,
      credentials: creds,
      resolveEndpoint: createEndpointResolver({
        sandbox: { topupOrigin: sandbox.topupOrigin, topupTlsOrigin: null, caCertPem: sandbox.caCertPem }
      }),
      logger: nullLogger,
      onChange: (v) => {
        if (v.final) finals++
      },
      config: {
        loopbackMinPollSeconds: 0,
        ...(variant === 'no-balance-refresh' ? { balanceRefreshSeconds: 0 } : {})
      }
    })
    await settle()
    await settle()
    const baseMb = rssMb()
    const samples: number[] = []
    let heapPeak = 0
    const sampler = setInterval(() => {
      samples.push(rssMb())
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed / (1024 * 1024))
    }, 100)
    const stop = engine.start()
    const t0 = performance.now()
    await sleep(seconds * 1000)
    await stop()
    const elapsed = (performance.now() - t0) / 1000
    clearInterval(sampler)
    const counts = db
      .prepare(
        `SELECT (SELECT count(*) FROM payout_events WHERE kind = 'request' AND request_type = 'status') AS polls,
                (SELECT count(*) FROM payout_events WHERE kind = 'request' AND request_type = 'pay') AS pays`
      )
      .get() as { polls: number; pays: number }
    const steady = samples.slice(Math.floor(samples.length / 2))
    log(
      `  memory ${count.toLocaleString('en-US')} waiting (${variant}): RSS before ${fmt(baseMb, 0)} MB, peak ${fmt(maxOf(samples), 0)} MB, ` +
        `${counts.polls} status polls + ${counts.pays} pays in ${fmt(elapsed, 0)} s, ${finals} final`
    )
    return {
      baseMb,
      peakMb: maxOf(samples),
      steadyMb: median(steady),
      heapPeakMb: heapPeak,
      polls: counts.polls,
      pays: counts.pays,
      finals,
      passes: 0,
      seconds: elapsed
    }
  } finally {
    await sandbox.close()
    closeDatabase(db)
  }
}

/** Child-process entry (bench.ts --child memory-run): one variant, fresh process. */
export async function memoryChild(args: Record<string, string>, log: (l: string) => void): Promise<MemRun> {
  return run(
    args['file'] as string,
    args['terminal'] as string,
    Number(args['count']),
    Number(args['seconds']),
    args['variant'] as Variant,
    log
  )
}

export async function benchMemory(o: BenchOptions): Promise<BenchResult> {
  const t0 = performance.now()
  const count = o.quick ? 5000 : 100_000
  const seconds = o.quick ? 5 : 30
  const seed = memorySeed(count)
  if (!seed.cached) {
    o.log(`  memory: seeded ${count.toLocaleString('en-US')} waiting payouts in ${fmt(seed.ms / 1000, 1)} s`)
  }
  const variant = async (v: Variant): Promise<MemRun> => {
    const copy = await copySeed(count)
    try {
      const args = {
        file: copy.file,
        terminal: copy.terminalRef,
        count: String(count),
        seconds: String(seconds),
        variant: v
      }
      return (await runChild('memory-run', args)) as MemRun
    } finally {
      copy.remove()
    }
  }
  const r = await variant('app')
  const nr = await variant('no-balance-refresh')
  return {
    name: 'memory',
    title: 'Memory of the poller',
    method: [
      `Each variant runs in a child process of its own (node --expose-gc). ${count.toLocaleString('en-US')} payouts seeded as 'waiting' with next action ` +
        `'status', all due (test/bench/seed.ts, legal transitions, triggers on), on the bench terminal; the parent copies the file with the ` +
        `backup API, the child opens it with openDatabase. The in-process sandbox (startSandbox, processingMs 0) answers; createPayoutEngine ` +
        `with the app's config (loopback poll floor 0 → 1 s) and an onChange listener is started for ${seconds} s (stop() then waits ` +
        `for the pass in progress). RSS is sampled every 100 ms (process.memoryUsage.rss: V8 heap + SQLite page cache + sockets + the ` +
        `sandbox's own state).`,
      `The sandbox does not know the seeded numbers, so status replies say "not found" (after three of them, ≥ 1 s apart, ` +
        `decision D6 re-sends the identical pay; within the window most payouts are polled once). Second variant, for diagnosis ` +
        `only: the same with balanceRefreshSeconds 0, which skips the engine's pingDue().`
    ],
    metrics: [
      metric('rss-peak', 'RSS, peak while the engine runs', 'MB', [r.peakMb], 'lower'),
      metric('rss-steady', 'RSS, median of the second half of the run', 'MB', [r.steadyMb], 'lower'),
      metric('rss-before', 'RSS before start (DB open, sandbox up)', 'MB', [r.baseMb], 'lower'),
      metric('heap-peak', 'V8 heap used, peak', 'MB', [r.heapPeakMb], 'lower'),
      metric('polls', `status requests made in ${fmt(r.seconds, 0)} s`, 'requests', [r.polls], 'higher'),
      metric(
        'rss-peak-noping',
        'diagnosis: RSS peak with balanceRefreshSeconds 0 (pingDue skipped)',
        'MB',
        [nr.peakMb],
        'lower'
      ),
      metric(
        'heap-peak-noping',
        'diagnosis: V8 heap peak with balanceRefreshSeconds 0',
        'MB',
        [nr.heapPeakMb],
        'lower'
      ),
      metric(
        'polls-noping',
        `diagnosis: status requests in ${fmt(nr.seconds, 0)} s with balanceRefreshSeconds 0`,
        'requests',
        [nr.polls],
        'higher'
      )
    ],
    checks: [
      check(
        `RSS peak with ${count.toLocaleString('en-US')} payouts waiting`,
        '≤ 200 MB',
        `${fmt(r.peakMb, 0)} MB`,
        r.peakMb <= 200
      )
    ],
    notes: [
      `Peak RSS ${fmt(r.peakMb, 0)} MB (+${fmt(r.peakMb - r.baseMb, 0)} MB over the ${fmt(r.baseMb, 0)} MB before start; V8 heap peak ` +
        `${fmt(r.heapPeakMb, 0)} MB). With pingDue() skipped: ${fmt(nr.peakMb, 0)} MB (heap ${fmt(nr.heapPeakMb, 0)} MB). pingDue ` +
        `(electron/core/engine/engine.ts) runs after every pass and builds \`new Set(listActivePayouts(db).map((p) => p.terminalRef))\`, ` +
        `materialising all ${count.toLocaleString('en-US')} non-final payouts as Payout objects to learn which terminals have work: ` +
        `${Math.abs(r.heapPeakMb - nr.heapPeakMb) < 20 ? 'transient (collected within the pass), so it costs CPU each pass more than memory' : `${fmt(r.heapPeakMb - nr.heapPeakMb, 0)} MB of heap`}. ` +
        `A DISTINCT terminal_ref query would do (engine-queries.ts). The same listActivePayouts backs engine.listQueue() ` +
        `(IPC payouts:queue), which would build and send ${count.toLocaleString('en-US')} views to the window.`
    ],
    extra: { app: r, noBalanceRefresh: nr },
    seconds: (performance.now() - t0) / 1000
  }
}
