/**
 * QIWI pacing (RELIABILITY P7, spec §8.1 rule 6) with an injected clock shared by the
 * engine and the sandbox: payments that stay "processing" for hours are polled
 * against a terminal configured for a non-loopback endpoint (api.qiwi.com, mapped to
 * the sandbox by a test resolver) — never two status requests for one payment less
 * than 600 s apart, even though the terminal asks for 5 s — and against a loopback
 * terminal, where 5 s is honoured. The schedule is jittered: payouts entered at the
 * same instant are not polled in lockstep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok } from '../../../shared/result'
import { getPayout } from '../../../electron/core/db/repositories/payouts.repository'
import { createTerminal } from '../../../electron/core/db/repositories/terminals.repository'
import { cardFor } from './harness/plan'
import { crid, makeRig, ManualTime } from './support'
import type { Rig } from './support'

const SEED = 20261122
const time = new ManualTime(Date.UTC(2026, 10, 22, 8, 0, 0))
let rig: Rig

/** Deterministic [0,1) for the jitter (mulberry32, seed printed). */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

beforeAll(async () => {
  process.stdout.write(`pacing: jitter and step seed ${SEED}\n`)
  rig = await makeRig({
    clock: time,
    random: seeded(SEED),
    // A day of processing: every payment stays at status 50 for the whole test.
    sandbox: { processingMs: 86_400_000, clock: { now: () => time.t } },
    terminal: { endpoint: 'https://api.qiwi.com', minPollSeconds: 5 },
    resolver: (sb) => () => ok({ origin: sb.topupOrigin, totalTimeoutMs: 2000 })
  })
})
afterAll(async () => {
  await rig.close()
})

function statusTimes(number: string): number[] {
  return rig.sandbox.admin.topup
    .requests()
    .filter((r) => r.request === 'status' && r.transactionNumbers.includes(number))
    .map((r) => r.at)
}

describe('status pacing', () => {
  it('non-loopback endpoint: ≥ 600 s between status requests per payment, whatever the terminal asks', async () => {
    const step = seeded(SEED + 1)
    const ids: { id: number; number: string }[] = []
    for (let i = 0; i < 40; i++) {
      const v = await rig.engine.createPayout(
        {
          clientRequestId: crid('pace'),
          terminalRef: rig.terminal.id,
          service: 'card',
          account: cardFor(30_000 + i),
          amount: '3.00'
        },
        { awaitSend: true }
      )
      expect(v.state).toBe('waiting')
      ids.push({ id: v.id, number: v.transactionNumber })
    }
    // Two simulated hours in uneven steps of 5–95 s, a pass after each.
    const end = time.t + 2 * 3_600_000
    while (time.t < end) {
      time.advance(5_000 + Math.floor(step() * 90_000))
      await rig.engine.runOnce()
    }
    let polls = 0
    for (const { id, number } of ids) {
      const at = statusTimes(number)
      polls += at.length
      // 2 h / (10 min + up to 10 % jitter) → 10–12 polls: pacing, not starvation.
      expect(at.length).toBeGreaterThanOrEqual(9)
      for (let k = 1; k < at.length; k++) {
        expect((at[k] ?? 0) - (at[k - 1] ?? 0)).toBeGreaterThanOrEqual(600_000)
      }
      const p = rig.sandbox.admin.topup.getPayment(rig.terminal.terminalId, number)
      expect(p?.statusIntervalViolations).toBe(0)
      expect(getPayout(rig.db, id)?.state).toBe('waiting')
    }
    process.stdout.write(
      `pacing: ${polls} status requests for ${ids.length} payments over 2 h, 0 closer than 600 s\n`
    )
    // Jitter: the next scheduled checks of payouts entered together are spread out.
    const next = ids.map(({ id }) => getPayout(rig.db, id)?.nextCheckAt ?? 0)
    expect(new Set(next).size).toBe(next.length)
    const spread = Math.max(...next) - Math.min(...next)
    expect(spread).toBeGreaterThan(10_000)
  })

  it('loopback endpoint: the terminal’s 5 s interval is honoured (and never less)', async () => {
    const lo = createTerminal(
      rig.db,
      {
        name: 'Loopback desk',
        terminalId: rig.terminal.terminalId,
        endpoint: 'http://127.0.0.1:9',
        authMode: 'password',
        passwordRef: 'terminal:pace:password:0000000000000000',
        servicesAllowed: ['card'],
        minPollSeconds: 5
      },
      time.t
    )
    rig.creds.set(lo.id, {
      auth: {
        mode: 'password',
        terminalId: lo.terminalId,
        password: rig.sandbox.demo.topup.password.password
      }
    })
    const v = await rig.engine.createPayout(
      {
        clientRequestId: crid('pace-lo'),
        terminalRef: lo.id,
        service: 'card',
        account: cardFor(31_000),
        amount: '3.00'
      },
      { awaitSend: true }
    )
    expect(v.state).toBe('waiting')
    for (let i = 0; i < 60; i++) {
      time.advance(1_000)
      await rig.engine.runOnce()
    }
    const at = statusTimes(v.transactionNumber)
    expect(at.length).toBeGreaterThanOrEqual(8)
    for (let k = 1; k < at.length; k++) {
      const gap = (at[k] ?? 0) - (at[k - 1] ?? 0)
      expect(gap).toBeGreaterThanOrEqual(5_000)
      expect(gap).toBeLessThanOrEqual(7_000)
    }
  })

  it('the floor holds even if next_check_at is moved earlier behind the engine’s back', async () => {
    const v = await rig.engine.createPayout(
      {
        clientRequestId: crid('pace-floor'),
        terminalRef: rig.terminal.id,
        service: 'card',
        account: cardFor(32_000),
        amount: '3.00'
      },
      { awaitSend: true }
    )
    time.advance(700_000)
    await rig.engine.runOnce()
    const first = statusTimes(v.transactionNumber)
    expect(first).toHaveLength(1)
    // Another process (or an older version) wrote an earlier due time.
    rig.db.prepare('UPDATE payouts SET next_check_at = ? WHERE id = ?').run(time.t, v.id)
    for (let i = 0; i < 5; i++) {
      time.advance(60_000)
      await rig.engine.runOnce()
    }
    expect(statusTimes(v.transactionNumber)).toHaveLength(1)
    // Past the reserved slot (600 s + up to 10 % jitter) the next request goes out.
    time.advance(400_000)
    await rig.engine.runOnce()
    const all = statusTimes(v.transactionNumber)
    expect(all).toHaveLength(2)
    expect((all[1] ?? 0) - (all[0] ?? 0)).toBeGreaterThanOrEqual(600_000)
  })
})
