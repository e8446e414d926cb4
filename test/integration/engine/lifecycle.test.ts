/**
 * The engine as the app runs it: start() drives entered payouts to their final state
 * in the background and pushes every change; its stopper waits for the pass in
 * progress and leaves no timer behind. Balances: a ping stores them, pushes them and
 * raises a low-balance alert under the terminal's threshold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listActivePayouts } from '../../../electron/core/db/repositories/payouts.repository'
import { updateTerminal } from '../../../electron/core/db/repositories/terminals.repository'
import type { BalanceView } from '../../../shared/payouts'
import { buildDayReport } from '../../../electron/core/engine/report'
import { cardFor } from './harness/plan'
import { crid, makeRig, uniquePhone } from './support'
import type { Rig } from './support'

let rig: Rig

beforeAll(async () => {
  rig = await makeRig({ sandbox: { processingMs: 300 }, config: { tickMs: 100 } })
})
afterAll(async () => {
  await rig.close()
})

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
}

describe('engine lifecycle', () => {
  it('start(): background sending and polling until final; every change is pushed; the stopper cleans up', async () => {
    const before = timers()
    const ids: number[] = []
    for (let i = 0; i < 8; i++) {
      const v = await rig.engine.createPayout({
        clientRequestId: crid('life'),
        terminalRef: rig.terminal.id,
        service: i % 2 === 0 ? 'card' : 'wallet',
        account: i % 2 === 0 ? cardFor(80_000 + i) : uniquePhone(8000 + i),
        amount: '2.00'
      })
      expect(v.state).toBe('queued')
      ids.push(v.id)
    }
    const stop = rig.engine.start()
    const deadline = Date.now() + 20_000
    while (listActivePayouts(rig.db).length > 0 && Date.now() < deadline)
      {await new Promise((r) => setTimeout(r, 100))}
    await stop()
    for (const id of ids) expect(rig.engine.get(id)?.state).toBe('succeeded')
    for (const id of ids) {
      const seen = rig.changes.filter((c) => c.id === id).map((c) => c.state)
      expect(seen[0]).toBe('queued')
      expect(seen).toContain('sending')
      expect(seen[seen.length - 1]).toBe('succeeded')
    }
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('refreshBalance stores and pushes the balances; below the threshold a low-balance alert is raised', async () => {
    const pushed: BalanceView[][] = []
    const engine = rig.makeEngine({ onBalances: (b) => pushed.push(b) })
    updateTerminal(rig.db, rig.terminal.id, { lowBalanceKopecks: 999_999_999_00 })
    const list = await engine.refreshBalance(rig.terminal.id)
    const rub = list.find((b) => b.currency === '643')
    expect(rub?.amount).toBe(rig.sandbox.admin.topup.getTerminal(rig.terminal.terminalId)?.balances['643'])
    expect(rub?.low).toBe(true)
    expect(pushed.length).toBeGreaterThan(0)
    expect(
      rig.alerts.some(
        (a) => a.kind === 'low-balance' && a.code === '643' && a.terminalRef === rig.terminal.id
      )
    ).toBe(true)
    updateTerminal(rig.db, rig.terminal.id, { lowBalanceKopecks: null })
  })

  it('the day report shows totals, balance movement and what a cashier must look at', async () => {
    const v = await rig.engine.createPayout({
      clientRequestId: crid('rep'),
      terminalRef: rig.terminal.id,
      service: 'card',
      account: cardFor(81_000),
      amount: '5.00'
    })
    rig.sandbox.admin.topup.enqueueFaults([
      {
        match: { request: 'pay', transactionNumber: v.transactionNumber },
        fault: { kind: 'request-error', code: 339 }
      }
    ])
    await rig.engine.processPayout(v.id)
    const date = new Date().toISOString().slice(0, 10)
    const r = buildDayReport(rig.db, { date, tzOffsetMinutes: 0, lang: 'en' })
    expect(r.totals.count).toBe(9)
    expect(r.totals.byState['succeeded']?.count).toBe(8)
    expect(r.byStateService.reduce((a, x) => a + x.count, 0)).toBe(9)
    expect(r.byHour.reduce((a, x) => a + x.count, 0)).toBe(9)
    const rub = r.balanceMovement.find((m) => m.terminal === rig.terminal.name && m.currency === '643')
    expect(rub).toBeDefined()
    expect(Number(rub?.first)).toBeGreaterThan(Number(rub?.last))
    const kinds = r.discrepancies.map((d) => d.kind)
    expect(kinds).toContain('not-final')
    expect(kinds).toContain('terminal-paused')
    expect(kinds).toContain('alert:fatal')
    expect(r.discrepancies.find((d) => d.kind === 'not-final')?.payoutId).toBe(v.id)
    rig.engine.resumeTerminal(rig.terminal.id)
  })
})
