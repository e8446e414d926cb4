/**
 * Fault matrix (RELIABILITY N1/N2/N4/N5, P4): every fault kind of the sandbox on the
 * pay, the status and the check-deposit-possible request of one payout, with the
 * state each must leave behind, then the road to the one true final state. A fault
 * that does not apply to a request kind (temporary: pay only; not-found: status only)
 * is not consumed and the request runs normally.
 *
 * Engine time is a manual clock (pacing without waiting); the sandbox finalizes
 * payments at once (processingMs 0), so "final" is reachable as soon as a reply gets
 * through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getPayout } from '../../../electron/core/db/repositories/payouts.repository'
import type { FaultSpec } from '../../../electron/core/sandbox/topup/model'
import { cardFor } from './harness/plan'
import { crid, makeRig, ManualTime, runUntil, uniquePhone } from './support'
import type { Rig } from './support'

type FaultInput = Partial<FaultSpec> & { kind: FaultSpec['kind'] }

interface Expect {
  state: 'queued' | 'waiting' | 'succeeded'
  nextAction?: 'precheck' | 'pay' | 'status' | null
  /** Did the sandbox register the payment by then? */
  registered: boolean
}

const time = new ManualTime(Date.UTC(2026, 10, 22, 9, 0, 0))
let rig: Rig
let n = 0

beforeAll(async () => {
  rig = await makeRig({ clock: time, totalTimeoutMs: 700, sandbox: { processingMs: 0 } })
})
afterAll(async () => {
  await rig.close()
})

function registered(number: string): boolean {
  return rig.sandbox.admin.topup.getPayment(rig.terminal.terminalId, number) !== undefined
}

function payRequests(number: string): number {
  return rig.sandbox.admin.topup
    .requests()
    .filter((r) => r.request === 'pay' && r.transactionNumbers.includes(number)).length
}

/** Drives the payout to its final state and checks the ledger agrees: one payment, paid once. */
async function resolveToSuccess(id: number, number: string): Promise<void> {
  await runUntil(rig.engine, () => rig.engine.get(id)?.final === true, {
    passes: 40,
    advance: () => time.advance(61_000)
  })
  const v = rig.engine.get(id)
  expect(v?.state).toBe('succeeded')
  const p = rig.sandbox.admin.topup.getPayment(rig.terminal.terminalId, number)
  expect(p?.status).toBe(60)
  expect(p?.registrations).toBe(1)
  expect(
    rig.sandbox.admin.topup
      .listPayments({ terminalId: rig.terminal.terminalId })
      .filter((x) => x.account === p?.account)
  ).toHaveLength(1)
}

const PAY_CASES: [string, FaultInput, Expect][] = [
  [
    'hang (no reply before the deadline)',
    { kind: 'hang', ms: 5000 },
    { state: 'waiting', nextAction: 'status', registered: false }
  ],
  ['delay under the deadline', { kind: 'delay', ms: 100 }, { state: 'succeeded', registered: true }],
  [
    'RST before processing',
    { kind: 'reset-before' },
    { state: 'waiting', nextAction: 'status', registered: false }
  ],
  [
    'RST after processing',
    { kind: 'reset-after' },
    { state: 'waiting', nextAction: 'status', registered: true }
  ],
  [
    'HTTP 503',
    { kind: 'http-status', status: 503 },
    { state: 'waiting', nextAction: 'status', registered: false }
  ],
  [
    'HTTP 500 after processing',
    { kind: 'http-status', status: 500, process: true },
    { state: 'waiting', nextAction: 'status', registered: true }
  ],
  [
    'HTTP 302 (never followed)',
    { kind: 'http-status', status: 302, process: true },
    { state: 'waiting', nextAction: 'status', registered: true }
  ],
  [
    'HTTP 429',
    { kind: 'http-status', status: 429 },
    { state: 'waiting', nextAction: 'status', registered: false }
  ],
  [
    'empty body',
    { kind: 'empty-body', process: true },
    { state: 'waiting', nextAction: 'status', registered: true }
  ],
  [
    'Content-Length truncation',
    { kind: 'truncate-length' },
    { state: 'waiting', nextAction: 'status', registered: true }
  ],
  [
    'close-delimited truncation',
    { kind: 'truncate-close' },
    { state: 'waiting', nextAction: 'status', registered: true }
  ],
  [
    'malformed XML',
    { kind: 'malformed-xml', process: true },
    { state: 'waiting', nextAction: 'status', registered: true }
  ],
  [
    '1 byte per 200 ms trickle',
    { kind: 'trickle' },
    { state: 'waiting', nextAction: 'status', registered: true }
  ],
  [
    'request-level error 300',
    { kind: 'request-error', code: 300, fatal: false },
    { state: 'waiting', nextAction: 'status', registered: false }
  ],
  [
    'request-level error 13 (busy)',
    { kind: 'request-error', code: 13, fatal: false },
    { state: 'waiting', nextAction: 'status', registered: false }
  ],
  [
    'status -1, not registered',
    { kind: 'temporary' },
    { state: 'waiting', nextAction: 'pay', registered: false }
  ],
  [
    'status -1 although registered',
    { kind: 'temporary', process: true },
    { state: 'waiting', nextAction: 'pay', registered: true }
  ],
  [
    'not-found (status only: pay runs normally)',
    { kind: 'not-found' },
    { state: 'succeeded', registered: true }
  ]
]

describe('pay × fault kind', () => {
  it.each(PAY_CASES)('%s', async (_name, fault, want) => {
    n += 1
    const v0 = await rig.engine.createPayout({
      clientRequestId: crid('fm-pay'),
      terminalRef: rig.terminal.id,
      service: 'card',
      account: cardFor(9000 + n),
      amount: '10.00'
    })
    expect(v0.state).toBe('queued')
    rig.sandbox.admin.topup.enqueueFaults([
      { match: { request: 'pay', transactionNumber: v0.transactionNumber }, fault }
    ])
    const v1 = await rig.engine.processPayout(v0.id)
    expect(v1?.state).toBe(want.state)
    if (want.nextAction !== undefined) expect(getPayout(rig.db, v0.id)?.nextAction).toBe(want.nextAction)
    expect(registered(v0.transactionNumber)).toBe(want.registered)
    // Never decided by a fault: the only final state reachable here is the ledger's.
    expect(['failed', 'declined']).not.toContain(v1?.state)
    await resolveToSuccess(v0.id, v0.transactionNumber)
  })
})

const STATUS_CASES: [string, FaultInput, 'waiting' | 'succeeded', number][] = [
  ['hang', { kind: 'hang', ms: 5000 }, 'waiting', 0],
  ['delay under the deadline', { kind: 'delay', ms: 100 }, 'succeeded', 0],
  ['RST before processing', { kind: 'reset-before' }, 'waiting', 0],
  ['RST after processing', { kind: 'reset-after' }, 'waiting', 0],
  ['HTTP 503', { kind: 'http-status', status: 503 }, 'waiting', 0],
  ['HTTP 500 after processing', { kind: 'http-status', status: 500, process: true }, 'waiting', 0],
  ['empty body', { kind: 'empty-body', process: true }, 'waiting', 0],
  ['Content-Length truncation', { kind: 'truncate-length' }, 'waiting', 0],
  ['close-delimited truncation', { kind: 'truncate-close' }, 'waiting', 0],
  ['malformed XML (a stray final-looking payment)', { kind: 'malformed-xml', process: true }, 'waiting', 0],
  ['trickle', { kind: 'trickle' }, 'waiting', 0],
  ['request-level error 300', { kind: 'request-error', code: 300, fatal: false }, 'waiting', 0],
  ['temporary (pay only: status runs normally)', { kind: 'temporary' }, 'succeeded', 0],
  ['payment not found', { kind: 'not-found' }, 'waiting', 1]
]

describe('status × fault kind', () => {
  it.each(STATUS_CASES)('%s', async (_name, fault, state, notFound) => {
    n += 1
    const v0 = await rig.engine.createPayout({
      clientRequestId: crid('fm-st'),
      terminalRef: rig.terminal.id,
      service: 'card',
      account: cardFor(9500 + n),
      amount: '11.00'
    })
    // The pay is registered but its reply is lost: the payout waits for a status check.
    rig.sandbox.admin.topup.enqueueFaults([
      { match: { request: 'pay', transactionNumber: v0.transactionNumber }, fault: { kind: 'reset-after' } }
    ])
    expect((await rig.engine.processPayout(v0.id))?.state).toBe('waiting')
    rig.sandbox.admin.topup.enqueueFaults([
      { match: { request: 'status', transactionNumber: v0.transactionNumber }, fault }
    ])
    time.advance(1_200)
    const v1 = await rig.engine.processPayout(v0.id)
    const row = getPayout(rig.db, v0.id)
    expect(v1?.state).toBe(state)
    expect(row?.notFoundCount).toBe(notFound)
    expect(
      rig.sandbox.admin.topup
        .requests()
        .filter((r) => r.request === 'status' && r.transactionNumbers.includes(v0.transactionNumber))
    ).toHaveLength(1)
    await resolveToSuccess(v0.id, v0.transactionNumber)
    expect(payRequests(v0.transactionNumber)).toBe(1)
  })
})

const CHECK_CASES: [string, FaultInput, 'queued' | 'succeeded'][] = [
  ['hang', { kind: 'hang', ms: 5000 }, 'queued'],
  ['delay under the deadline', { kind: 'delay', ms: 100 }, 'succeeded'],
  ['RST before processing', { kind: 'reset-before' }, 'queued'],
  ['RST after processing', { kind: 'reset-after' }, 'queued'],
  ['HTTP 503', { kind: 'http-status', status: 503 }, 'queued'],
  ['empty body', { kind: 'empty-body', process: true }, 'queued'],
  ['Content-Length truncation', { kind: 'truncate-length' }, 'queued'],
  ['close-delimited truncation', { kind: 'truncate-close' }, 'queued'],
  ['malformed XML', { kind: 'malformed-xml', process: true }, 'queued'],
  ['trickle', { kind: 'trickle' }, 'queued'],
  ['request-level error 300', { kind: 'request-error', code: 300, fatal: false }, 'queued'],
  ['temporary (pay only)', { kind: 'temporary' }, 'succeeded'],
  ['not-found (status only)', { kind: 'not-found' }, 'succeeded']
]

describe('check-deposit-possible × fault kind', () => {
  it.each(CHECK_CASES)('%s', async (_name, fault, state) => {
    n += 1
    rig.sandbox.admin.topup.enqueueFaults([{ match: { request: 'check-deposit-possible' }, fault }])
    const v0 = await rig.engine.createPayout({
      clientRequestId: crid('fm-chk'),
      terminalRef: rig.terminal.id,
      service: 'wallet',
      account: uniquePhone(7000 + n),
      amount: '12.00',
      precheck: true
    })
    const v1 = await rig.engine.processPayout(v0.id)
    expect(v1?.state).toBe(state)
    if (state === 'queued') {
      // No answer to the check: nothing was sent, the check is retried later.
      expect(getPayout(rig.db, v0.id)?.nextAction).toBe('precheck')
      expect(getPayout(rig.db, v0.id)?.paySent).toBe(false)
      expect(payRequests(v0.transactionNumber)).toBe(0)
      expect(registered(v0.transactionNumber)).toBe(false)
    }
    await resolveToSuccess(v0.id, v0.transactionNumber)
    expect(payRequests(v0.transactionNumber)).toBe(1)
  })
})
