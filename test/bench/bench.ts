/**
 * `npm run bench`: the QIWI Desk benchmark suite (docs/BENCHMARKS.md).
 *
 *   node out/bench/bench.cjs              full suite → docs/BENCHMARKS.md + reports/bench.json
 *   node out/bench/bench.cjs --quick      small sizes, one run each → reports/bench-quick.json
 *                                         (CI: checks the suite runs and reports; never the doc)
 *   --only pipeline,history               some benchmarks (a full run merges them into the
 *                                         previous reports/bench.json before writing the doc)
 *   --runs N                              repetitions per measurement (full mode, default 3)
 *   --render                              rewrite docs/BENCHMARKS.md from reports/bench.json
 *                                         (after editing test/bench/findings.md), measure nothing
 *
 * Every figure is a median over runs, shown with its min–max spread, and where a goal is
 * relative, divided by a baseline measured in the same run. Exit code: 0 when every
 * selected benchmark ran (a missed goal is a finding, not a crash), 1 otherwise.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { benchHistory } from './history'
import { benchMemory, memoryChild } from './memory'
import { benchPipeline } from './pipeline'
import { benchRenderer } from './renderer'
import { renderMarkdown } from './report'
import type { SuiteReport } from './report'
import { benchWalletSync } from './wallet-sync'
import { benchXml } from './xml'
import type { BenchOptions, BenchResult } from './util'
import { currentLoad, machineInfo, ROOT } from './util'

interface BenchDef {
  name: string
  run: (o: BenchOptions) => Promise<BenchResult>
}

/** Entries a benchmark runs in a fresh process of its own (clean RSS): util.runChild. */
const CHILDREN: Record<string, (args: Record<string, string>, log: (l: string) => void) => Promise<unknown>> =
  {
    'memory-run': memoryChild
  }

const BENCHES: BenchDef[] = [
  { name: 'xml', run: benchXml },
  { name: 'pipeline', run: benchPipeline },
  { name: 'history', run: benchHistory },
  { name: 'wallet-sync', run: benchWalletSync },
  { name: 'memory', run: benchMemory },
  { name: 'renderer', run: benchRenderer }
]

interface Args {
  render: boolean
  quick: boolean
  only: string[] | null
  runs: number
  child: string | null
  result: string | null
  childArgs: Record<string, string>
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    render: false,
    quick: false,
    only: null,
    runs: 3,
    child: null,
    result: null,
    childArgs: {}
  }
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]
    const next = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${x} needs a value`)
      return v
    }
    if (x === '--quick') a.quick = true
    else if (x === '--render') a.render = true
    else if (x === '--only') {
      a.only = next()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    } else if (x === '--runs') a.runs = Math.max(1, Number.parseInt(next(), 10) || 1)
    else if (x === '--child') a.child = next()
    else if (x === '--result') a.result = next()
    else if (x === '--arg') {
      const kv = next()
      const eq = kv.indexOf('=')
      if (eq < 1) throw new Error(`--arg needs key=value, got ${kv}`)
      a.childArgs[kv.slice(0, eq)] = kv.slice(eq + 1)
    } else if (x === '--help' || x === '-h') {
      process.stdout.write(
        `usage: bench [--quick] [--only ${BENCHES.map((b) => b.name).join(',')}] [--runs N] [--render]\n`
      )
      process.exit(0)
    } else throw new Error(`unknown argument ${String(x)}`)
  }
  if (a.only) {
    const bad = a.only.filter((n) => !BENCHES.some((b) => b.name === n))
    if (bad.length > 0) {
      throw new Error(
        `unknown benchmark(s): ${bad.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`
      )
    }
  }
  return a
}

function log(line: string): void {
  process.stdout.write(`${line}\n`)
}

async function childMain(args: Args): Promise<void> {
  const entry = args.child ? CHILDREN[args.child] : undefined
  if (!entry || !args.result) throw new Error(`bad child invocation: ${String(args.child)}`)
  const r = await entry(args.childArgs, log)
  writeFileSync(args.result, JSON.stringify(r))
}

function loadPrevious(file: string): SuiteReport | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteReport
  } catch {
    return null
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (args.child) return childMain(args)
  if (args.render) {
    const file = join(ROOT, 'reports', 'bench.json')
    const prev = loadPrevious(file)
    if (!prev || prev.mode !== 'full') {
      throw new Error(`--render needs a full-mode ${file}; run the suite first`)
    }
    writeFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), renderMarkdown(prev))
    log(`wrote docs/BENCHMARKS.md from ${file}`)
    return
  }

  const sqlite = (() => {
    const db = new Database(':memory:')
    try {
      return String((db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v)
    } finally {
      db.close()
    }
  })()
  const machine = machineInfo(sqlite)
  const o: BenchOptions = { quick: args.quick, runs: args.quick ? 1 : args.runs, log }
  const selected = BENCHES.filter((b) => !args.only || args.only.includes(b.name))
  log(`QIWI Desk benchmarks (${args.quick ? 'quick' : 'full'}): ${selected.map((b) => b.name).join(', ')}`)
  log(
    `machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}, load ${machine.loadAtStart.join(' ')}`
  )

  const results: (BenchResult & { measuredAt: string })[] = []
  const failures: { name: string; error: string }[] = []
  for (const def of selected) {
    log(`\n== ${def.name}`)
    const t0 = performance.now()
    try {
      const r = await def.run(o)
      results.push({ ...r, measuredAt: new Date().toISOString() })
      for (const c of r.checks) log(`  ${c.pass ? 'MET ' : 'MISS'} ${c.label}: ${c.value} (goal ${c.goal})`)
      log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
    } catch (e) {
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e)
      failures.push({ name: def.name, error: msg })
      log(`  FAILED: ${msg}`)
    }
  }
  machine.loadAtEnd = currentLoad()

  const reportsDir = join(ROOT, 'reports')
  mkdirSync(reportsDir, { recursive: true })
  const report: SuiteReport = {
    mode: args.quick ? 'quick' : 'full',
    machine,
    runs: o.runs,
    results,
    failures
  }
  if (args.quick) {
    const file = join(reportsDir, 'bench-quick.json')
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
    log(`\nwrote ${file} (quick mode never touches docs/BENCHMARKS.md)`)
  } else {
    const file = join(reportsDir, 'bench.json')
    // --only: keep the other benchmarks' latest figures so the doc stays whole
    const prev = args.only ? loadPrevious(file) : null
    if (prev && prev.mode === 'full') {
      const ran = new Set(results.map((r) => r.name))
      report.results = [...prev.results.filter((r) => !ran.has(r.name)), ...report.results].sort(
        (a, b) => BENCHES.findIndex((d) => d.name === a.name) - BENCHES.findIndex((d) => d.name === b.name)
      )
      report.earlierMachines = [...(prev.earlierMachines ?? []), prev.machine]
    }
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
    const doc = join(ROOT, 'docs', 'BENCHMARKS.md')
    if (!existsSync(join(ROOT, 'docs'))) mkdirSync(join(ROOT, 'docs'))
    writeFileSync(doc, renderMarkdown(report))
    log(`\nwrote ${file} and ${doc}`)
  }
  const missed = results.flatMap((r) => r.checks.filter((c) => !c.pass).map((c) => `${r.name}: ${c.label}`))
  log(
    `\nbenchmarks: ${results.length} ran, ${failures.length} failed; goals: ${results.reduce((n, r) => n + r.checks.length, 0) - missed.length} met, ${missed.length} missed`
  )
  process.exitCode = failures.length > 0 ? 1 : 0
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
  process.exit(1)
})
