/**
 * Fatal errors and 215 pause, never fail (RELIABILITY P8); decision D6 (three
 * consecutive "not found" status replies, at least one poll interval apart, re-send
 * the identical pay with the same number); rule 9 (a "-1" after a registered status
 * polls instead of re-sending).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getPayout } from '../../../electron/core/db/repositories/payouts.repository'
import { getTerminal } from '../../../electron/core/db/repositories/terminals.repository'
import { createTopupClient } from '../../../electron/core/topup/client'
import { cardFor } from './harness/plan'
import { crid, makeRig, ManualTime, runUntil, uniquePhone } from './support'
import type { Rig } from './support'

const time = new ManualTime(Date.UTC(2026, 10, 22, 11, 0, 0))
let rig: Rig
let k = 0

beforeAll(async () => {
  rig = await makeRig({ clock: time, sandbox: { processingMs: 0 } })
})
afterAll(async () => {
  await rig.close()
})
beforeEach(() => {
  if (getTerminal(rig.db, rig.terminal.id)?.paused) rig.engine.resumeTerminal(rig.terminal.id)
  rig.alerts.length = 0
})

function requestsFor(kind: string, number: string): number[] {
  return rig.sandbox.admin.topup
    .requests()
    .filter((r) => r.request === kind && r.transactionNumbers.includes(number))
    .map((r) => r.seq)
}

async function queuedCard(): Promise<{ id: number; number: string; account: string }> {
  k += 1
  const account = cardFor(60_000 + k)
  const v = await rig.engine.createPayout({
    clientRequestId: crid('fatal'),
    terminalRef: rig.terminal.id,
    service: 'card',
    account,
    amount: '4.00'
  })
  return { id: v.id, number: v.transactionNumber, account }
}

async function finish(id: number): Promise<void> {
  await runUntil(rig.engine, () => rig.engine.get(id)?.final === true, {
    passes: 30,
    advance: () => time.advance(1_500)
  })
}

describe('fatal errors pause the terminal, never fail the payout (P8)', () => {
  it.each([
    ['150 (authorization)', 150],
    ['339 (IP not allowed)', 339]
  ])('request-level %s on pay', async (_n, code) => {
    const p = await queuedCard()
    rig.sandbox.admin.topup.enqueueFaults([
      { match: { request: 'pay', transactionNumber: p.number }, fault: { kind: 'request-error', code } }
    ])
    const v = await rig.engine.processPayout(p.id)
    expect(v?.state).toBe('waiting')
    expect(v?.paused).toBe(true)
    const t = getTerminal(rig.db, rig.terminal.id)
    expect(t?.paused).toBe(true)
    expect(t?.pausedCode).toBe(String(code))
    expect(rig.alerts.filter((a) => a.kind === 'fatal' && a.code === String(code))).toHaveLength(1)
    // Paused: the queue does not move, nothing more is sent for it.
    const before = rig.sandbox.admin.topup.requests().length
    time.advance(5_000)
    await rig.engine.runOnce()
    expect(rig.sandbox.admin.topup.requests().length).toBe(before)
    expect(getPayout(rig.db, p.id)?.state).toBe('waiting')
    // After the operator resumes, the payout ends on QIWI's word, paid once.
    rig.engine.resumeTerminal(rig.terminal.id)
    await finish(p.id)
    expect(rig.engine.get(p.id)?.state).toBe('succeeded')
    expect(rig.sandbox.admin.topup.getPayment(rig.terminal.terminalId, p.number)?.registrations).toBe(1)
  })

  it('a fatal check-deposit-possible (150) pauses instead of declining the customer', async () => {
    k += 1
    rig.sandbox.admin.topup.enqueueFaults([
      { match: { request: 'check-deposit-possible' }, fault: { kind: 'request-error', code: 150 } }
    ])
    const v0 = await rig.engine.createPayout({
      clientRequestId: crid('fatal-chk'),
      terminalRef: rig.terminal.id,
      service: 'wallet',
      account: uniquePhone(600 + k),
      amount: '4.00',
      precheck: true
    })
    const v = await rig.engine.processPayout(v0.id)
    expect(v?.state).toBe('queued')
    expect(v?.paused).toBe(true)
    expect(rig.alerts.some((a) => a.kind === 'fatal' && a.code === '150')).toBe(true)
    rig.engine.resumeTerminal(rig.terminal.id)
    time.advance(61_000)
    await finish(v0.id)
    expect(rig.engine.get(v0.id)?.state).toBe('succeeded')
  })

  it('215 (same number, other details) pauses with a duplicate-mismatch alert; the payout is not failed', async () => {
    const p = await queuedCard()
    // Someone else (another desk with the same prefix, a bug) used our number first.
    const intruder = createTopupClient({
      endpoint: { origin: rig.sandbox.topupOrigin },
      auth: {
        mode: 'password',
        terminalId: rig.terminal.terminalId,
        password: rig.sandbox.demo.topup.password.password
      }
    })
    if (!intruder.ok) throw new Error(intruder.error.message)
    await intruder.value.pay({
      service: 'card',
      transactionNumber: p.number,
      amountKopecks: 99_900,
      accountNumber: cardFor(69_999)
    })
    const v = await rig.engine.processPayout(p.id)
    expect(v?.state).toBe('waiting')
    expect(['failed', 'succeeded']).not.toContain(v?.state)
    expect(getTerminal(rig.db, rig.terminal.id)?.pausedCode).toBe('215')
    expect(rig.alerts.some((a) => a.kind === 'duplicate-mismatch' && a.code === '215')).toBe(true)
    expect(getPayout(rig.db, p.id)?.errorCode).toBe('qiwi-duplicate-mismatch')
  })

  it('a decided payment with fatal-error="true" (final failure) does not pause the queue', async () => {
    k += 1
    const v0 = await rig.engine.createPayout({
      clientRequestId: crid('fatal-final'),
      terminalRef: rig.terminal.id,
      service: 'card',
      account: '4000000000000010',
      amount: '4.00'
    })
    const v = await rig.engine.processPayout(v0.id)
    expect(v?.state).toBe('failed')
    expect(v?.paused).toBe(false)
  })
})

describe('decision D6: payment never found', () => {
  it('after 3 consecutive "not found" replies the identical pay is re-sent with the same number', async () => {
    const p = await queuedCard()
    rig.sandbox.admin.topup.enqueueFaults([
      { match: { request: 'pay', transactionNumber: p.number }, fault: { kind: 'reset-before' } }
    ])
    expect((await rig.engine.processPayout(p.id))?.state).toBe('waiting')
    expect(rig.sandbox.admin.topup.getPayment(rig.terminal.terminalId, p.number)).toBeUndefined()
    for (let i = 1; i <= 2; i++) {
      time.advance(1_200)
      await rig.engine.runOnce()
      const row = getPayout(rig.db, p.id)
      expect(row?.notFoundCount).toBe(i)
      expect(row?.nextAction).toBe('status')
      expect(requestsFor('pay', p.number)).toHaveLength(1)
    }
    time.advance(1_200)
    await rig.engine.runOnce()
    // Third "not found": the identical pay is due at once (the next pass sends it).
    expect(getPayout(rig.db, p.id)?.nextAction).toBe('pay')
    expect(getPayout(rig.db, p.id)?.notFoundCount).toBe(0)
    await rig.engine.runOnce()
    expect(requestsFor('status', p.number)).toHaveLength(3)
    expect(requestsFor('pay', p.number)).toHaveLength(2)
    const v = rig.engine.get(p.id)
    expect(v?.state).toBe('succeeded')
    expect(v?.transactionNumber).toBe(p.number)
    expect(rig.alerts.some((a) => a.kind === 'not-found' && a.code === 'D6' && a.payoutId === p.id)).toBe(
      true
    )
    expect(rig.engine.events(p.id).some((e) => e.message?.startsWith('D6:') === true)).toBe(true)
    const pay = rig.sandbox.admin.topup.getPayment(rig.terminal.terminalId, p.number)
    expect(pay?.registrations).toBe(1)
    expect(pay?.account).toBe(p.account)
  })

  it('a reply that finds the payment resets the count ("consecutive")', async () => {
    const p = await queuedCard()
    rig.sandbox.admin.topup.setProcessingMs(3_600_000)
    try {
      rig.sandbox.admin.topup.enqueueFaults([
        { match: { request: 'pay', transactionNumber: p.number }, fault: { kind: 'reset-after' } },
        { match: { request: 'status', transactionNumber: p.number }, fault: { kind: 'not-found' }, times: 2 }
      ])
      await rig.engine.processPayout(p.id)
      for (let i = 0; i < 2; i++) {
        time.advance(1_200)
        await rig.engine.runOnce()
      }
      expect(getPayout(rig.db, p.id)?.notFoundCount).toBe(2)
      time.advance(1_200)
      await rig.engine.runOnce()
      expect(getPayout(rig.db, p.id)?.notFoundCount).toBe(0)
      expect(requestsFor('pay', p.number)).toHaveLength(1)
    } finally {
      rig.sandbox.admin.topup.setProcessingMs(0)
      rig.sandbox.admin.topup.finalizePayment(rig.terminal.terminalId, p.number, { outcome: 'success' })
    }
    await finish(p.id)
  })
})

describe('rule 9: -1 after a registered status polls instead of re-sending', () => {
  it('status -1 on a status reply after status 50 was seen keeps polling', async () => {
    const p = await queuedCard()
    rig.sandbox.admin.topup.setProcessingMs(3_600_000)
    try {
      await rig.engine.processPayout(p.id)
      expect(getPayout(rig.db, p.id)?.qiwiStatus).toBe('50')
      // A pay replay answered "-1" must not overwrite what was seen, nor trigger a re-send.
      rig.db.prepare("UPDATE payouts SET next_action = 'pay' WHERE id = ?").run(p.id)
      rig.sandbox.admin.topup.enqueueFaults([
        {
          match: { request: 'pay', transactionNumber: p.number },
          fault: { kind: 'temporary', process: true }
        }
      ])
      time.advance(1_200)
      await rig.engine.runOnce()
      const row = getPayout(rig.db, p.id)
      expect(row?.qiwiStatus).toBe('50')
      expect(row?.nextAction).toBe('status')
    } finally {
      rig.sandbox.admin.topup.setProcessingMs(0)
      rig.sandbox.admin.topup.finalizePayment(rig.terminal.terminalId, p.number, { outcome: 'success' })
    }
    await finish(p.id)
    expect(rig.engine.get(p.id)?.state).toBe('succeeded')
  })
})
