/**
 * Crash harness, CI variant (RELIABILITY P1, P2, S2, N4; docs/CRASH-HARNESS.md).
 * The real engine: 150 payouts against the sandbox with ≥ 30 % injected faults and
 * ≥ 40 random SIGKILLs of the worker process → 0 lost, 0 paid twice, 0 orphan credits,
 * 0 locally rejected unknowns, 0 non-final, integrity_check ok after every kill.
 * Then each deliberately broken build must make the same harness report a violation.
 * The full run (1,000 payouts, ≥ 300 kills) is scripts/crash-harness.ts.
 */
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../support/paths'
import { hasViolation, runCrashHarness, summarize } from './harness/crash-harness'
import type { MutantName } from './harness/mutations'

const SEED = 20261122

describe('crash harness (CI)', () => {
  it('real build: 150 payouts, ≥ 40 kills, ≥ 30 % faults — nothing lost, nothing paid twice', async () => {
    const r = await runCrashHarness({
      repoRoot: REPO_ROOT,
      payouts: 150,
      kills: 40,
      seed: SEED,
      killWindowMs: [20, 300]
    })
    process.stdout.write(`${summarize(r)}\n`)
    if (r.violations.length > 0) process.stdout.write(`${r.violations.slice(0, 20).join('\n')}\n`)
    expect(r.completed).toBe(true)
    expect(r.kills).toBeGreaterThanOrEqual(40)
    expect(r.faultRate).toBeGreaterThanOrEqual(0.3)
    expect(r.crashes).toBe(0)
    expect(r.integrityFailures).toBe(0)
    expect(r.integrityChecks).toBe(r.starts)
    expect({
      lost: r.lost,
      duplicated: r.duplicated,
      orphanCredits: r.orphanCredits,
      mismatched: r.mismatched,
      rejectedUnknowns: r.rejectedUnknowns,
      nonFinal: r.nonFinal
    }).toEqual({
      lost: 0,
      duplicated: 0,
      orphanCredits: 0,
      mismatched: 0,
      rejectedUnknowns: 0,
      nonFinal: 0
    })
    // The workload really exercised every outcome.
    expect(r.byState['succeeded'] ?? 0).toBeGreaterThan(100)
    expect(r.byState['failed'] ?? 0).toBeGreaterThan(5)
    expect(r.byState['declined'] ?? 0).toBeGreaterThan(3)
  })

  const mutants: [MutantName, (r: Awaited<ReturnType<typeof runCrashHarness>>) => number][] = [
    ['send-before-persist', (r) => r.duplicated + r.orphanCredits],
    ['new-number-on-retry', (r) => r.duplicated + r.orphanCredits],
    ['unknown-as-failed', (r) => r.mismatched + r.rejectedUnknowns]
  ]
  it.each(mutants)('mutant "%s" is caught', async (mutant, signal) => {
    const r = await runCrashHarness({
      repoRoot: REPO_ROOT,
      payouts: 40,
      kills: 8,
      seed: SEED + 1,
      mutant,
      killWindowMs: [20, 300],
      stopOnViolation: true,
      deadlineMs: 45_000
    })
    process.stdout.write(`${summarize(r)}\n`)
    expect(hasViolation(r)).toBe(true)
    expect(signal(r)).toBeGreaterThan(0)
    expect(r.integrityFailures).toBe(0)
  })
})
