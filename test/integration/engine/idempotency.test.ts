/**
 * One user action = one intent = at most one credit (RELIABILITY P6). Two submits with
 * the same clientRequestId (a double click, an IPC replay) racing each other, passes
 * of the sender in between, and a "restart" (a second engine on the same database,
 * as after a crash) are interleaved in orders chosen by fast-check's scheduler.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  getPayoutByClientRequestId,
  listActivePayouts
} from '../../../electron/core/db/repositories/payouts.repository'
import type { PayoutView } from '../../../shared/payouts'
import { cardFor } from './harness/plan'
import { crid, makeRig, runUntil } from './support'
import type { Rig } from './support'

const SEED = 424242
let rig: Rig

beforeAll(async () => {
  rig = await makeRig({ sandbox: { processingMs: 0 } })
})
afterAll(async () => {
  await rig.close()
})

function rowsFor(clientRequestId: string): number {
  return (
    rig.db.prepare('SELECT count(*) AS n FROM payouts WHERE client_request_id = ?').get(clientRequestId) as {
      n: number
    }
  ).n
}

function creditsTo(account: string): number {
  return rig.sandbox.admin.topup
    .listPayments({ terminalId: rig.terminal.terminalId })
    .filter((p) => p.account === account).length
}

describe('one intent per clientRequestId (P6)', () => {
  it('a concurrent double submit records one payout and pays it once', async () => {
    const id = crid('double')
    const input = {
      clientRequestId: id,
      terminalRef: rig.terminal.id,
      service: 'card' as const,
      account: cardFor(50_000),
      amount: '9.00'
    }
    const [a, b] = await Promise.all([
      rig.engine.createPayout(input, { awaitSend: true }),
      rig.engine.createPayout(input, { awaitSend: true })
    ])
    expect(a.id).toBe(b.id)
    expect(rowsFor(id)).toBe(1)
    await runUntil(rig.engine, () => rig.engine.get(a.id)?.final === true, { sleepMs: 50 })
    expect(rig.engine.get(a.id)?.state).toBe('succeeded')
    expect(creditsTo(cardFor(50_000))).toBe(1)
  })

  it('the same id with different details is refused and records nothing new', async () => {
    const id = crid('mismatch')
    const base = {
      clientRequestId: id,
      terminalRef: rig.terminal.id,
      service: 'card' as const,
      account: cardFor(50_001),
      amount: '9.00'
    }
    await rig.engine.createPayout(base)
    await expect(rig.engine.createPayout({ ...base, amount: '10.00' })).rejects.toMatchObject({
      code: 'payout-exists'
    })
    expect(rowsFor(id)).toBe(1)
  })

  it('random interleavings of two submits, sender passes and a restart: 1 row, ≤ 1 credit', async () => {
    process.stdout.write(`P6 scheduler seed ${SEED}\n`)
    let k = 0
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), async (s, awaitFirst) => {
        k += 1
        const id = crid('sched')
        const account = cardFor(51_000 + k)
        const input = {
          clientRequestId: id,
          terminalRef: rig.terminal.id,
          service: 'card' as const,
          account,
          amount: '2.00'
        }
        const second = rig.makeEngine()
        const views: PayoutView[] = []
        const tasks = [
          s
            .schedule(Promise.resolve('submit A'))
            .then(async () => views.push(await rig.engine.createPayout(input, { awaitSend: awaitFirst }))),
          s
            .schedule(Promise.resolve('submit B'))
            .then(async () => views.push(await rig.engine.createPayout(input, { awaitSend: true }))),
          s.schedule(Promise.resolve('sender pass')).then(() => rig.engine.runOnce()),
          s
            .schedule(Promise.resolve('restart + submit replay'))
            .then(async () => views.push(await second.createPayout(input, { awaitSend: true }))),
          s.schedule(Promise.resolve('restarted pass')).then(() => second.runOnce())
        ]
        await s.waitAll()
        await Promise.all(tasks)
        await runUntil(rig.engine, () => listActivePayouts(rig.db).length === 0, { sleepMs: 20, passes: 100 })
        const row = getPayoutByClientRequestId(rig.db, id)
        expect(rowsFor(id)).toBe(1)
        expect(new Set(views.map((v) => v.id))).toEqual(new Set([row?.id]))
        expect(row?.state).toBe('succeeded')
        expect(creditsTo(account)).toBe(1)
      }),
      { numRuns: 40, seed: SEED }
    )
  })
})
