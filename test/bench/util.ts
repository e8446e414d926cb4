/**
 * Shared pieces of the benchmark suite: statistics, timing, machine facts, temp dirs,
 * and the result shapes every benchmark returns (bench.ts turns them into
 * docs/BENCHMARKS.md or reports/bench-quick.json).
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, freemem, loadavg, release, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type Database from 'better-sqlite3'

/** The repository root: the nearest folder above `start` with resources/migrations and package.json. */
export function repoRoot(start: string): string | null {
  let dir = resolve(start)
  for (;;) {
    if (existsSync(join(dir, 'resources', 'migrations')) && existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

/** Found from this bundle (out/bench/) or, failing that, from the working directory. */
export const ROOT =
  repoRoot(__dirname) ??
  repoRoot(process.cwd()) ??
  ((): never => {
    throw new Error('run the benchmarks from the repository (resources/migrations not found)')
  })()
export const MIGRATIONS_DIR = join(ROOT, 'resources', 'migrations')

// ---------------------------------------------------------------------------------------
// options and results

export interface BenchOptions {
  /** Small sizes, one run each: CI checks the suite runs, not its timings. */
  quick: boolean
  /** Repetitions of every measured run (full mode: 3 unless --runs says otherwise). */
  runs: number
  log: (line: string) => void
}

/** One measured quantity over several runs. */
export interface Metric {
  key: string
  label: string
  unit: string
  /** One value per run, in run order. */
  values: number[]
  /** Lower is better (times, bytes), or higher (throughput). */
  better: 'lower' | 'higher'
}

/** A goal row of the summary table. */
export interface Check {
  /** What is compared, e.g. "throughput / baseline". */
  label: string
  /** The goal as written, e.g. "≥ 0.5". */
  goal: string
  /** The median value shown against the goal. */
  value: string
  pass: boolean
}

/** One row of a growth table (how a cost moves with size). */
export interface CurveRow {
  size: string
  cells: Record<string, string>
}

export interface BenchResult {
  name: string
  title: string
  /** What exactly was measured and how (one paragraph each). */
  method: string[]
  metrics: Metric[]
  checks: Check[]
  curve?: { columns: string[]; rows: CurveRow[] } | undefined
  /** Findings: why a goal is missed, what the fix is, figures of a tried fix. */
  notes: string[]
  /** Extra facts for the JSON report (query plans, counts). */
  extra?: Record<string, unknown> | undefined
  seconds: number
}

// ---------------------------------------------------------------------------------------
// statistics

export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b)
}

/** Linear-interpolated quantile (q in [0, 1]) of a sample. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN
  const s = sorted(xs)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  const a = s[lo] as number
  const b = s[hi] as number
  return a + (b - a) * (pos - lo)
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5)
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length
}

export function minOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
}

export function maxOf(xs: readonly number[]): number {
  return xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY)
}

/** "median (min–max, n runs)". */
export function spread(xs: readonly number[], digits = 2): string {
  if (xs.length === 0) return 'n/a'
  if (xs.length === 1) return fmt(xs[0] as number, digits)
  return `${fmt(median(xs), digits)} (${fmt(minOf(xs), digits)}–${fmt(maxOf(xs), digits)}, n=${xs.length})`
}

export function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x)
  const abs = Math.abs(x)
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US')
  if (abs >= 100) return x.toFixed(Math.min(digits, 1))
  return x.toFixed(digits)
}

export function metric(
  key: string,
  label: string,
  unit: string,
  values: number[],
  better: Metric['better']
): Metric {
  return { key, label, unit, values, better }
}

export function check(label: string, goal: string, value: string, pass: boolean): Check {
  return { label, goal, value, pass }
}

// ---------------------------------------------------------------------------------------
// timing and processes

export function nowMs(): number {
  return performance.now()
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now()
  const value = await fn()
  return { ms: performance.now() - t0, value }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Lets pending timers and I/O run (GC of closed handles, sockets in TIME_WAIT). */
export async function settle(): Promise<void> {
  await sleep(50)
  const g = (globalThis as { gc?: () => void }).gc
  if (g) g()
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `qiwi-bench-${prefix}-`))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Current resident set size in MB (from /proc, so it includes native memory). */
export function rssMb(): number {
  return process.memoryUsage.rss() / (1024 * 1024)
}

// ---------------------------------------------------------------------------------------
// machine facts

function tryExec(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000
    }).trim()
  } catch {
    return null
  }
}

function packageVersion(name: string): string {
  try {
    const p = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: unknown
    }
    return typeof p.version === 'string' ? p.version : '?'
  } catch {
    return 'not installed'
  }
}

export interface MachineInfo {
  cpu: string
  cores: number
  memoryGb: number
  freeMemoryGb: number
  os: string
  kernel: string
  node: string
  sqlite: string
  packages: Record<string, string>
  chromium: string | null
  /** 1/5/15-minute load averages when the suite started (other work on the machine). */
  loadAtStart: number[]
  loadAtEnd?: number[] | undefined
  tmpFs: string | null
  commit: string | null
  startedAt: string
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))
    return m?.[1] ?? process.platform
  } catch {
    return process.platform
  }
}

export function machineInfo(sqliteVersion: string): MachineInfo {
  const c = cpus()
  const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGb: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    os: osName(),
    kernel: release(),
    node: process.version,
    sqlite: sqliteVersion,
    packages: Object.fromEntries(
      [
        'better-sqlite3',
        'fast-xml-parser',
        'zod',
        'playwright-core',
        'react',
        '@tanstack/react-virtual',
        'vite',
        'esbuild'
      ].map((n) => [n, packageVersion(n)])
    ),
    chromium: existsSync(chromium) ? tryExec(chromium, ['--version']) : null,
    loadAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    tmpFs: tryExec('df', ['-T', tmpdir()])?.split('\n')[1]?.split(/\s+/)[1] ?? null,
    // read-only: which commit the figures belong to (the working tree may differ)
    commit: tryExec('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    startedAt: new Date().toISOString()
  }
}

export function currentLoad(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100)
}

// ---------------------------------------------------------------------------------------
// write-transaction instrumentation

/**
 * Counts the outermost write transactions (= durable commits) of a connection and the
 * wall time spent inside them, by wrapping its `transaction()`, which every repository
 * write goes through (writeTransaction → db.transaction(fn).immediate()). Diagnostic
 * only: two performance.now() calls per transaction.
 */
export function instrumentWrites(db: Database.Database): { commits: () => number; ms: () => number } {
  let n = 0
  let ms = 0
  const original = db.transaction.bind(db)
  const wrap =
    (run: (...args: unknown[]) => unknown) =>
    (...args: unknown[]): unknown => {
      if (db.inTransaction) return run(...args)
      n++
      const t0 = performance.now()
      try {
        return run(...args)
      } finally {
        ms += performance.now() - t0
      }
    }
  const wrapped = (fn: (...args: unknown[]) => unknown): unknown => {
    const tx = original(fn)
    return Object.assign(wrap(tx), tx, {
      immediate: wrap(tx.immediate.bind(tx)),
      deferred: wrap(tx.deferred.bind(tx)),
      exclusive: wrap(tx.exclusive.bind(tx))
    })
  }
  Object.defineProperty(db, 'transaction', { value: wrapped, configurable: true, writable: true })
  return { commits: () => n, ms: () => ms }
}

// ---------------------------------------------------------------------------------------
// child processes

/**
 * Runs a child entry of the bench bundle (`bench.cjs --child NAME --arg k=v …`) in a fresh
 * Node process (--expose-gc) and returns what it wrote to its result file.
 */
export function runChild(name: string, args: Record<string, string>): Promise<unknown> {
  const resultFile = join(tmpdir(), `qiwi-bench-${name}-${process.pid}-${Date.now()}.json`)
  const argv = [
    '--expose-gc',
    process.argv[1] as string,
    '--child',
    name,
    '--result',
    resultFile,
    ...Object.entries(args).flatMap(([k, v]) => ['--arg', `${k}=${v}`])
  ]
  return new Promise((resolveChild, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`child ${name} exited with ${String(code)}`)
        resolveChild(JSON.parse(readFileSync(resultFile, 'utf8')) as unknown)
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)))
      } finally {
        rmSync(resultFile, { force: true })
      }
    })
  })
}
