import { describe, expect, it } from 'vitest'
import { createRng } from '../../../electron/core/sandbox/rng'
import { FaultPlan, type FaultContext } from '../../../electron/core/sandbox/topup/faults'

const ctx = (over: Partial<FaultContext> = {}): FaultContext => ({
  request: 'pay',
  terminalId: '1',
  transactionNumbers: ['100'],
  service: '99',
  listener: 'http',
  ...over
})

describe('fault plan', () => {
  it('consumes scripted faults in order, honouring times and match', () => {
    const plan = new FaultPlan(createRng(1))
    plan.enqueue([
      { match: { request: 'status' }, fault: { kind: 'not-found' } },
      { match: { request: 'pay' }, fault: { kind: 'reset-after' }, times: 2 },
      { fault: { kind: 'http-status', status: 502 } }
    ])
    expect(plan.pick(ctx())?.kind).toBe('reset-after')
    expect(plan.pick(ctx({ request: 'ping' }))?.kind).toBe('http-status')
    expect(plan.pick(ctx())?.kind).toBe('reset-after')
    expect(plan.pick(ctx())).toBeUndefined()
    expect(plan.pick(ctx({ request: 'status' }))?.kind).toBe('not-found')
    expect(plan.snapshot().scripted).toHaveLength(0)
    expect(plan.snapshot().applied).toEqual({ 'reset-after': 2, 'http-status': 1, 'not-found': 1 })
  })

  it('skips faults that do not apply to the request kind without consuming them', () => {
    const plan = new FaultPlan(createRng(1))
    plan.enqueue([{ fault: { kind: 'temporary' } }, { fault: { kind: 'not-found' } }])
    expect(plan.pick(ctx({ request: 'ping' }))).toBeUndefined()
    expect(plan.pick(ctx({ request: 'status' }))?.kind).toBe('not-found')
    expect(plan.pick(ctx({ request: 'pay' }))?.kind).toBe('temporary')
  })

  it('matches on terminal, transaction number, service and listener', () => {
    const plan = new FaultPlan(createRng(1))
    plan.enqueue([
      {
        match: { terminalId: '2', transactionNumber: '7', service: '34020', listener: 'tls' },
        fault: { kind: 'hang' }
      }
    ])
    expect(plan.pick(ctx())).toBeUndefined()
    expect(plan.pick(ctx({ terminalId: '2', transactionNumbers: ['7'], service: '34020' }))).toBeUndefined()
    expect(
      plan.pick(ctx({ terminalId: '2', transactionNumbers: ['7'], service: '34020', listener: 'tls' }))?.kind
    ).toBe('hang')
  })

  const SEED = 424242
  it(`random faults are reproducible for a seed and follow the probability (seed ${SEED})`, () => {
    const run = (seed: number): string[] => {
      const plan = new FaultPlan(createRng(seed))
      plan.setRandom([
        { match: { request: 'pay' }, fault: { kind: 'reset-before' }, probability: 0.2 },
        { match: { request: 'pay' }, fault: { kind: 'http-status' }, probability: 0.25 }
      ])
      return Array.from({ length: 2000 }, () => plan.pick(ctx())?.kind ?? 'none')
    }
    const a = run(SEED)
    expect(run(SEED)).toEqual(a)
    expect(run(SEED + 1)).not.toEqual(a)
    const resets = a.filter((k) => k === 'reset-before').length / a.length
    const http = a.filter((k) => k === 'http-status').length / a.length
    expect(resets).toBeGreaterThan(0.16)
    expect(resets).toBeLessThan(0.24)
    // second entry only draws when the first did not fire: 0.8 * 0.25 = 0.2
    expect(http).toBeGreaterThan(0.16)
    expect(http).toBeLessThan(0.24)
  })

  it('rejects invalid fault specs', () => {
    const plan = new FaultPlan(createRng(1))
    expect(() => plan.enqueue([{ fault: { kind: 'explode' as 'hang' } }])).toThrow()
    expect(() => plan.setRandom([{ fault: { kind: 'hang' }, probability: 1.5 }])).toThrow()
    expect(() => plan.enqueue([{ fault: { kind: 'http-status', status: 99 } }])).toThrow()
  })
})
