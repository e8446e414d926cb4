/**
 * The crash harness (RELIABILITY P1/P2/S2/N4, §7; docs/CRASH-HARNESS.md).
 *
 * Parent (this module): starts the sandbox in-process with ≥ 30 % injected faults,
 * creates the database and the terminal, then runs the worker (worker.ts, bundled by
 * esbuild, optionally mutated) as a child process and SIGKILLs it at random moments,
 * restarting it until it reports every payout final. After every kill the database
 * is opened as a restarted desk would and PRAGMA integrity_check must say ok. At the
 * end the database is compared with the sandbox ledger, intent by intent:
 *
 * - lost: an intent the desk acknowledged with no row, or money the desk thinks it did not send;
 * - duplicated: more than one ledger payment for one intent's account;
 * - orphan credits: ledger payments under a number the desk does not have;
 * - mismatched: final state ≠ ledger (succeeded ⇔ one payment with status 60 …);
 * - rejected unknowns: failed/declined locally while QIWI registered a payment that did not fail;
 * - non-final: rows still queued/sending/waiting.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { build } from 'esbuild'
import type { Plugin } from 'esbuild'
import { closeDatabase, integrityCheck, openDatabase } from '../../../../electron/core/db/connection'
import { createTerminal } from '../../../../electron/core/db/repositories/terminals.repository'
import { startSandbox } from '../../../../electron/core/sandbox/sandbox'
import type { RandomFaultInput } from '../../../../electron/core/sandbox/topup/model'
import { MUTANTS } from './mutations'
import type { MutantName } from './mutations'
import { BLOCKED_WALLET, HARNESS_RULES, planIntents } from './plan'
import type { HarnessIntent, WorkerConfig } from './plan'

export interface HarnessOptions {
  repoRoot: string
  payouts: number
  /** Stop killing once this many kills happened (the last run then completes). */
  kills: number
  seed: number
  mutant?: MutantName | undefined
  /** Kill delay after the worker says ready, ms [min, max). Default [20, 420). */
  killWindowMs?: [number, number] | undefined
  /** Give up (non-final counted) after this long. Default 10 min. */
  deadlineMs?: number | undefined
  /** Client deadline per request in the worker. Default 1000 ms. */
  totalTimeoutMs?: number | undefined
  /** Mutant runs: stop as soon as a duplicate or an orphan credit shows in the ledger. */
  stopOnViolation?: boolean | undefined
  /** Folder for the database (default: tmpfs when available, see defaultDbDir). */
  dbDir?: string | undefined
  log?: ((line: string) => void) | undefined
}

export interface HarnessResult {
  seed: number
  mutant: MutantName | null
  payouts: number
  kills: number
  starts: number
  crashes: number
  integrityChecks: number
  integrityFailures: number
  requests: number
  faultsApplied: number
  faultRate: number
  lost: number
  /** Intents a stopped run never entered (not a violation). */
  notReached: number
  duplicated: number
  orphanCredits: number
  mismatched: number
  rejectedUnknowns: number
  nonFinal: number
  byState: Record<string, number>
  ledgerPayments: number
  durationMs: number
  completed: boolean
  violations: string[]
}

/** Faults on every request kind: ≈ 38 % of pay and status requests, ≈ 33 % overall (one draw per entry, in order). */
export const HARNESS_FAULTS: RandomFaultInput[] = [
  { fault: { kind: 'reset-before' }, probability: 0.06 },
  { fault: { kind: 'reset-after' }, probability: 0.07 },
  { fault: { kind: 'http-status', status: 503 }, probability: 0.03 },
  { fault: { kind: 'http-status', status: 500, process: true }, probability: 0.03 },
  { fault: { kind: 'truncate-length' }, probability: 0.03 },
  { fault: { kind: 'truncate-close' }, probability: 0.03 },
  { fault: { kind: 'malformed-xml', process: true }, probability: 0.03 },
  { fault: { kind: 'empty-body', process: true }, probability: 0.02 },
  { fault: { kind: 'hang', ms: 4000 }, probability: 0.015 },
  { fault: { kind: 'request-error', code: 300, fatal: false }, probability: 0.02 },
  { fault: { kind: 'temporary', process: true }, probability: 0.03 },
  { fault: { kind: 'temporary', process: false }, probability: 0.03 },
  { fault: { kind: 'not-found' }, probability: 0.04 }
]

/**
 * Where the harness keeps its database: tmpfs when the machine has one. The harness
 * checks PROCESS crashes (SIGKILL), which the page cache survives, so what fsync costs
 * on a slow disk (5 ms per commit here vs 0.08 ms on tmpfs) only slows the run down;
 * power-loss durability (S3) is a different test.
 */
export function defaultDbDir(): string {
  try {
    if (existsSync('/dev/shm') && statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK)
      return '/dev/shm'
    }
  } catch {
    // not writable: fall back
  }
  return tmpdir()
}

/** mulberry32: a small seeded PRNG for kill timings. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function mutationPlugin(repoRoot: string, mutant: MutantName): Plugin {
  const edit = MUTANTS[mutant]
  const target = resolve(repoRoot, edit.file)
  let applied = 0
  return {
    name: 'crash-harness-mutation',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (resolve(args.path) !== target) return undefined
        const src = readFileSync(args.path, 'utf8')
        const at = src.indexOf(edit.find)
        if (at < 0 || src.indexOf(edit.find, at + 1) >= 0) {
          throw new Error(`mutant ${mutant}: anchor not found exactly once in ${edit.file}`)
        }
        applied += 1
        return { contents: (edit.prepend ?? '') + src.replace(edit.find, edit.replace), loader: 'ts' }
      })
      b.onEnd(() => {
        if (applied !== 1) throw new Error(`mutant ${mutant}: ${edit.file} was not part of the bundle`)
      })
    }
  }
}

/** Bundles the worker (mutated when asked) to a .cjs in `outDir`. */
export async function buildWorker(repoRoot: string, outDir: string, mutant?: MutantName): Promise<string> {
  const outfile = join(outDir, `worker-${mutant ?? 'real'}.cjs`)
  await build({
    entryPoints: [join(repoRoot, 'test/integration/engine/harness/worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Pure-JS packages are inlined: a restart then loads one file instead of hundreds
    // (halves the worker's start-up); native addons must load from node_modules.
    external: ['better-sqlite3', 'keytar'],
    outfile,
    logLevel: 'silent',
    plugins: mutant ? [mutationPlugin(repoRoot, mutant)] : []
  })
  return outfile
}

interface RunOutcome {
  code: number | null
  signal: NodeJS.Signals | null
  killed: boolean
  /** Killed because the run's deadline passed (not one of the random kills). */
  timedOut: boolean
  stderr: string
  /** Intents the run committed ("ack" lines). */
  acks: number
  /** Process start → 'ready', and → exit. */
  readyMs: number
  totalMs: number
}

function runWorker(
  bundle: string,
  env: NodeJS.ProcessEnv,
  killAfterReadyMs: number | null,
  hardTimeoutMs: number,
  onAck: (clientRequestId: string) => void,
  stopWhen?: () => boolean
): Promise<RunOutcome> {
  return new Promise((resolvePromise) => {
    const child: ChildProcess = spawn(process.execPath, [bundle], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let killed = false
    let stderr = ''
    let buf = ''
    let killTimer: NodeJS.Timeout | undefined
    let acks = 0
    const t0 = Date.now()
    let readyAt = 0
    let timedOut = false
    const hard = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, hardTimeoutMs)
    // Mutant runs: stop the worker as soon as the ledger already shows the bug.
    const watch = stopWhen
      ? setInterval(() => {
          if (stopWhen()) {
            timedOut = true
            child.kill('SIGKILL')
          }
        }, 500)
      : undefined
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString()
      if (readyAt === 0 && buf.includes('ready\n')) readyAt = Date.now() - t0
      if (killTimer === undefined && killAfterReadyMs !== null && buf.includes('ready\n')) {
        killTimer = setTimeout(() => {
          killed = true
          child.kill('SIGKILL')
        }, killAfterReadyMs)
      }
      for (const m of d.toString().matchAll(/^ack (\S+)$/gm)) {
        acks += 1
        if (m[1] !== undefined) onAck(m[1])
      }
      if (buf.length > 100_000) buf = buf.slice(-1000)
    })
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000)
    })
    child.on('close', (code, signal) => {
      clearTimeout(hard)
      if (watch) clearInterval(watch)
      if (killTimer) clearTimeout(killTimer)
      resolvePromise({
        code,
        signal,
        killed,
        timedOut,
        stderr,
        acks,
        readyMs: readyAt,
        totalMs: Date.now() - t0
      })
    })
  })
}

interface DbRow {
  client_request_id: string
  transaction_number: string
  state: string
  account: string
  amount_kopecks: number
}

export async function runCrashHarness(opts: HarnessOptions): Promise<HarnessResult> {
  const started = Date.now()
  const log = opts.log ?? (() => undefined)
  const random = rng(opts.seed)
  const [kMin, kMax] = opts.killWindowMs ?? [20, 420]
  const deadline = started + (opts.deadlineMs ?? 600_000)
  const migrationsDir = join(opts.repoRoot, 'resources', 'migrations')
  const dir = mkdtempSync(join(opts.dbDir ?? defaultDbDir(), 'qiwi-crash-'))
  const dbFile = join(dir, 'desk.db')
  const violations: string[] = []
  const note = (v: string): void => {
    if (violations.length < 50) violations.push(v)
  }

  const sandbox = await startSandbox({ tls: false, personal: false, processingMs: 200, seed: opts.seed })
  try {
    const admin = sandbox.admin.topup
    admin.setRules([...admin.rules(), ...HARNESS_RULES])
    admin.setRandomFaults(HARNESS_FAULTS)

    const db = openDatabase(dbFile, { migrationsDir })
    const terminal = createTerminal(db, {
      name: 'Harness desk',
      terminalId: sandbox.demo.topup.password.terminalId,
      endpoint: sandbox.topupOrigin,
      authMode: 'password',
      passwordRef: 'terminal:harness:password:0000000000000000',
      servicesAllowed: ['wallet', 'card'],
      precheckAbsentWalletPolicy: 'pay',
      minPollSeconds: 1
    })
    closeDatabase(db)

    const intents = planIntents(opts.payouts)
    const cfg: WorkerConfig = {
      dbFile,
      migrationsDir,
      terminalRef: terminal.id,
      terminalId: terminal.terminalId,
      password: sandbox.demo.topup.password.password,
      totalTimeoutMs: opts.totalTimeoutMs ?? 1000,
      intents
    }
    const bundle = await buildWorker(opts.repoRoot, dir, opts.mutant)
    const configFile = join(dir, 'worker-config.json')
    writeFileSync(configFile, JSON.stringify(cfg))
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_PATH: join(opts.repoRoot, 'node_modules'),
      // A file, not the variable itself: 1,000 intents exceed what one environment string may hold.
      HARNESS_CONFIG_FILE: configFile
    }

    /** Duplicates, orphans and wrong decisions are visible before the run ends (a mutant may never finish). */
    const quickViolations = (): number => {
      // A plain read-only connection: it must not compete with the worker for the write lock.
      const db2 = new Database(dbFile, { readonly: true, fileMustExist: true })
      let numbers: Set<string>
      let decided: { n: string; state: string }[]
      try {
        numbers = new Set(
          (db2.prepare('SELECT transaction_number AS n FROM payouts').all() as { n: string }[]).map(
            (r) => r.n
          )
        )
        decided = db2
          .prepare(
            "SELECT transaction_number AS n, state FROM payouts WHERE state IN ('succeeded', 'failed')"
          )
          .all() as { n: string; state: string }[]
      } finally {
        db2.close()
      }
      const seen = new Map<string, number>()
      let bad = 0
      // A decided row must agree with QIWI's final word for its number.
      for (const d of decided) {
        const p = admin.getPayment(terminal.terminalId, d.n)
        const agrees =
          d.state === 'succeeded' ? p?.final === true && p.status === 60 : p?.final === true && p.status > 100
        if (!agrees) bad += 1
      }
      for (const p of admin.listPayments({ terminalId: terminal.terminalId })) {
        if (!numbers.has(p.transactionNumber)) bad += 1
        if (p.account !== BLOCKED_WALLET) {
          const c = (seen.get(p.account) ?? 0) + 1
          seen.set(p.account, c)
          if (c > 1) bad += 1
        }
      }
      return bad
    }

    /** Intents the worker reported committed: these, at least, must never be lost. */
    const acked = new Set<string>()
    let kills = 0
    let starts = 0
    let crashes = 0
    let integrityChecks = 0
    let integrityFailures = 0
    let completed = false
    let consecutiveCrashes = 0
    while (Date.now() < deadline) {
      const killMs = kills < opts.kills ? Math.floor(kMin + random() * (kMax - kMin)) : null
      starts += 1
      const r = await runWorker(
        bundle,
        env,
        killMs,
        Math.max(1000, deadline - Date.now()),
        (id) => acked.add(id),
        opts.stopOnViolation === true ? () => quickViolations() > 0 : undefined
      )
      if (r.killed) {
        kills += 1
        consecutiveCrashes = 0
      } else if (r.timedOut) {
        if (opts.stopOnViolation !== true) note(`deadline passed with the worker still running`)
      } else if (r.code === 0) {
        completed = true
      } else {
        crashes += 1
        consecutiveCrashes += 1
        note(
          `worker exited with ${String(r.code ?? r.signal)}: ${r.stderr.trim().split('\n').slice(0, 3).join(' | ')}`
        )
        if (consecutiveCrashes >= 5) break
      }
      // What a restarted desk would do first: open (recovering the WAL) and check.
      const check = openDatabase(dbFile, { migrationsDir })
      try {
        integrityChecks += 1
        const ic = integrityCheck(check)
        if (!ic.ok) {
          integrityFailures += 1
          note(`integrity_check after start ${starts}: ${ic.problems.join('; ')}`)
        }
      } finally {
        closeDatabase(check)
      }
      log(
        `  start ${starts}: ${r.killed ? 'killed' : r.timedOut ? 'stopped' : `exit ${String(r.code)}`} after ${r.totalMs} ms (ready ${r.readyMs} ms), ${r.acks} intents committed`
      )
      if (completed || r.timedOut) break
      if (opts.stopOnViolation === true && quickViolations() > 0) {
        log(`  start ${starts}: violation already visible in the ledger, stopping early`)
        break
      }
    }

    // ---- compare the database with the ledger ------------------------------------------
    const ro = openDatabase(dbFile, { migrationsDir })
    const rows = ro
      .prepare('SELECT client_request_id, transaction_number, state, account, amount_kopecks FROM payouts')
      .all() as DbRow[]
    closeDatabase(ro)
    const byCrid = new Map(rows.map((r) => [r.client_request_id, r]))
    const payments = admin.listPayments({ terminalId: terminal.terminalId })
    const byAccount = new Map<string, typeof payments>()
    for (const p of payments) {
      const list = byAccount.get(p.account) ?? []
      list.push(p)
      byAccount.set(p.account, list)
    }
    const knownNumbers = new Set(rows.map((r) => r.transaction_number))
    const orphanCredits = payments.filter((p) => !knownNumbers.has(p.transactionNumber)).length
    if (orphanCredits > 0) note(`${orphanCredits} ledger payments under numbers the desk does not have`)

    let lost = 0
    let notReached = 0
    let duplicated = 0
    let mismatched = 0
    let rejectedUnknowns = 0
    let nonFinal = 0
    const byState: Record<string, number> = {}
    const accountOf = (it: HarnessIntent): string => it.account
    for (const it of intents) {
      const row = byCrid.get(it.clientRequestId)
      const ledger = it.account === BLOCKED_WALLET ? [] : (byAccount.get(accountOf(it)) ?? [])
      if (!row) {
        // A run stopped early (mutants) never reached some intents: not lost, just not entered.
        if (completed || acked.has(it.clientRequestId)) {
          lost += 1
          note(`${it.clientRequestId}: no row (intent lost)`)
        } else {
          notReached += 1
        }
        continue
      }
      byState[row.state] = (byState[row.state] ?? 0) + 1
      if (ledger.length > 1) {
        duplicated += ledger.length - 1
        note(`${it.clientRequestId}: ${ledger.length} ledger payments for one intent`)
      }
      const mine = ledger.filter((p) => p.transactionNumber === row.transaction_number)
      const pay = mine[0]
      switch (row.state) {
        case 'succeeded':
          if (!pay || !pay.final || pay.status !== 60) {
            mismatched += 1
            note(
              `${it.clientRequestId}: succeeded locally, ledger ${pay ? `status ${pay.status}` : 'has no payment'}`
            )
          }
          break
        case 'failed':
          if (!pay) {
            rejectedUnknowns += 1
            note(
              `${it.clientRequestId}: failed locally but QIWI has no payment under its number (decided without a final reply)`
            )
          } else if (!pay.final || pay.status <= 100) {
            mismatched += 1
            if (pay.final && pay.status === 60) lost += 1
            rejectedUnknowns += 1
            note(
              `${it.clientRequestId}: failed locally, ledger status ${pay.status}${pay.final ? ' (final)' : ''}`
            )
          }
          break
        case 'declined':
          if (ledger.length > 0) {
            mismatched += 1
            rejectedUnknowns += 1
            note(`${it.clientRequestId}: declined locally, yet QIWI registered ${ledger.length} payment(s)`)
          }
          break
        default:
          nonFinal += 1
          note(`${it.clientRequestId}: still ${row.state}`)
      }
      if (it.account === BLOCKED_WALLET && row.state === 'succeeded') {
        mismatched += 1
        note(`${it.clientRequestId}: a blocked wallet shows as paid`)
      }
    }
    // Every blocked-wallet intent is pre-checked: QIWI must never have seen a pay for it.
    const blockedPayments = (byAccount.get(BLOCKED_WALLET) ?? []).length
    if (blockedPayments > 0) {
      mismatched += blockedPayments
      note(`${blockedPayments} pay requests reached QIWI for the blocked wallet despite the pre-check`)
    }

    const faults = admin.faults()
    const faultsApplied = Object.values(faults.applied).reduce((a, b) => a + b, 0)
    const requestLog = admin.requests()
    const requests = requestLog.length > 0 ? (requestLog[requestLog.length - 1]?.seq ?? 0) : 0
    const result: HarnessResult = {
      seed: opts.seed,
      mutant: opts.mutant ?? null,
      payouts: opts.payouts,
      kills,
      starts,
      crashes,
      integrityChecks,
      integrityFailures,
      requests,
      faultsApplied,
      faultRate: requests > 0 ? faultsApplied / requests : 0,
      lost,
      notReached,
      duplicated,
      orphanCredits,
      mismatched,
      rejectedUnknowns,
      nonFinal,
      byState,
      ledgerPayments: payments.length,
      durationMs: Date.now() - started,
      completed,
      violations
    }
    return result
  } finally {
    await sandbox.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** True when the run shows any money-safety violation (what a mutant must produce). */
export function hasViolation(r: HarnessResult): boolean {
  return (
    r.lost > 0 ||
    r.duplicated > 0 ||
    r.orphanCredits > 0 ||
    r.mismatched > 0 ||
    r.rejectedUnknowns > 0 ||
    r.nonFinal > 0 ||
    r.integrityFailures > 0 ||
    !r.completed
  )
}

export function summarize(r: HarnessResult): string {
  return [
    `${r.mutant ?? 'real build'} seed=${r.seed}: ${r.payouts} payouts, ${r.kills} kills, ${r.starts} starts, ${r.crashes} crashes,`,
    `${r.requests} requests (${(r.faultRate * 100).toFixed(1)} % faulted), integrity ok ${r.integrityChecks - r.integrityFailures}/${r.integrityChecks},`,
    `lost=${r.lost} notReached=${r.notReached} duplicated=${r.duplicated} orphan=${r.orphanCredits} mismatched=${r.mismatched} rejectedUnknowns=${r.rejectedUnknowns} nonFinal=${r.nonFinal}`,
    `states=${JSON.stringify(r.byState)} ledger=${r.ledgerPayments} completed=${r.completed} in ${(r.durationMs / 1000).toFixed(1)} s`
  ].join(' ')
}
