/**
 * Full crash-harness run (RELIABILITY P1/P2 pass numbers; docs/CRASH-HARNESS.md).
 *
 *   npx esbuild scripts/crash-harness.ts --bundle --platform=node --format=cjs \
 *     --packages=external --outfile=out/scripts/crash-harness.cjs
 *   node out/scripts/crash-harness.cjs [--payouts 2000] [--kills 300] [--seeds 1,2,3]
 *                                      [--no-mutants] [--write-doc]
 *
 * Run from the repository root. Prints one summary line per run and a Markdown
 * table; --write-doc replaces the results block of docs/CRASH-HARNESS.md. Exit 1 when
 * the real build shows any violation or a mutant shows none.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { hasViolation, runCrashHarness, summarize } from '../test/integration/engine/harness/crash-harness'
import type { HarnessResult } from '../test/integration/engine/harness/crash-harness'
import type { MutantName } from '../test/integration/engine/harness/mutations'

const BEGIN = '<!-- crash-harness:results:begin -->'
const END = '<!-- crash-harness:results:end -->'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

function out(line: string): void {
  process.stdout.write(line + '\n')
}

/** Every 25th start of the worker, so a long run shows it is alive. */
function progress(line: string): void {
  const m = /start (\d+):/.exec(line)
  if (m && Number(m[1]) % 25 === 0) out(line)
}

function row(r: HarnessResult): string {
  return `| ${r.mutant ?? 'real build'} | ${r.seed} | ${r.payouts} | ${r.kills} | ${r.requests} | ${(r.faultRate * 100).toFixed(1)} % | ${r.integrityChecks - r.integrityFailures}/${r.integrityChecks} | ${r.lost} | ${r.duplicated} | ${r.orphanCredits} | ${r.mismatched} | ${r.rejectedUnknowns} | ${r.nonFinal} | ${r.completed ? 'yes' : 'no (stopped)'} | ${(r.durationMs / 1000).toFixed(0)} s |`
}

async function main(): Promise<number> {
  const repoRoot = resolve(arg('repo') ?? process.cwd())
  const payouts = Number(arg('payouts') ?? 2000)
  const kills = Number(arg('kills') ?? 300)
  const seeds = (arg('seeds') ?? '20261122').split(',').map(Number)
  const withMutants = !process.argv.includes('--no-mutants')
  const results: HarnessResult[] = []
  let failed = false
  const started = new Date()
  for (const seed of seeds) {
    out(`real build, seed ${seed}: ${payouts} payouts, ${kills} kills …`)
    const r = await runCrashHarness({
      repoRoot,
      payouts,
      kills,
      seed,
      deadlineMs: 5_400_000,
      log: (l) => progress(l)
    })
    out(summarize(r))
    if (hasViolation(r) || r.kills < kills) {
      failed = true
      out(r.violations.slice(0, 20).join('\n'))
    }
    results.push(r)
  }
  if (withMutants) {
    for (const mutant of [
      'send-before-persist',
      'new-number-on-retry',
      'unknown-as-failed'
    ] as MutantName[]) {
      out(`mutant ${mutant} …`)
      const r = await runCrashHarness({
        repoRoot,
        payouts,
        kills,
        seed: (seeds[0] ?? 1) + 1,
        mutant,
        stopOnViolation: true,
        deadlineMs: 300_000
      })
      out(summarize(r))
      if (!hasViolation(r)) failed = true
      results.push(r)
    }
  }
  const table = [
    `Run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${payouts} payouts per run, kill delay 20–420 ms after the worker is ready.`,
    '',
    '| build | seed | payouts | kills | requests | faulted | integrity ok | lost | duplicated | orphan credits | mismatched | rejected unknowns | non-final | completed | time |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(row)
  ].join('\n')
  out('')
  out(table)
  if (process.argv.includes('--write-doc')) {
    const doc = join(repoRoot, 'docs', 'CRASH-HARNESS.md')
    const text = readFileSync(doc, 'utf8')
    const a = text.indexOf(BEGIN)
    const b = text.indexOf(END)
    if (a < 0 || b < a) throw new Error(`${doc} has no results block`)
    writeFileSync(doc, `${text.slice(0, a + BEGIN.length)}\n${table}\n${text.slice(b)}`)
    out(`results written to ${doc}`)
  }
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`crash-harness: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(2)
  }
)
