/**
 * Pacing rules (P7) as pure functions, with fast-check (seed printed): a non-loopback
 * endpoint is never polled more often than every 600 s, whatever the terminal says
 * and whatever the resolver dials; the jitter only ever delays; D6 counts only
 * replies at least one interval apart.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  countNotFound,
  isLoopbackOrigin,
  minPollIntervalMs,
  pollAllowed,
  QIWI_MIN_POLL_MS,
  scheduleAfter
} from '../../../electron/core/engine/pacing'

const SEED = 31337

describe('isLoopbackOrigin', () => {
  it.each([
    ['sandbox', true],
    ['http://127.0.0.1:8123', true],
    ['http://127.9.9.9', true],
    ['http://localhost:1', true],
    ['http://[::1]:80', true],
    ['https://api.qiwi.com', false],
    ['https://private-api.qiwi.com', false],
    ['http://10.0.0.1', false],
    ['http://127.0.0.1.evil.example', false],
    ['not a url', false]
  ])('%s → %s', (o, want) => {
    expect(isLoopbackOrigin(o)).toBe(want)
  })
})

describe('minPollIntervalMs', () => {
  it('property: ≥ 600 s unless both the configured and the dialled origin are loopback', () => {
    process.stdout.write(`pacing property seed ${SEED}\n`)
    const origins = fc.constantFrom(
      'sandbox',
      'http://127.0.0.1:17080',
      'https://api.qiwi.com',
      'https://private-api.qiwi.com',
      'http://192.168.1.5:80',
      'https://localhost:8443'
    )
    fc.assert(
      fc.property(
        origins,
        origins,
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 0, max: 10_000 }),
        (configured, dialled, minPoll, floor) => {
          const ms = minPollIntervalMs(
            { endpoint: configured, minPollSeconds: minPoll },
            dialled === 'sandbox' ? 'http://127.0.0.1:1' : dialled,
            floor
          )
          expect(ms).toBeGreaterThanOrEqual(minPoll * 1000)
          if (!isLoopbackOrigin(configured) || !isLoopbackOrigin(dialled)) {
            expect(ms).toBeGreaterThanOrEqual(QIWI_MIN_POLL_MS)
          } else expect(ms).toBe(Math.max(minPoll, Math.max(1, floor)) * 1000)
        }
      ),
      { numRuns: 5000, seed: SEED }
    )
  })
  it('a loopback terminal pointed (by a resolver) at a remote origin is paced like QIWI', () => {
    expect(minPollIntervalMs({ endpoint: 'sandbox', minPollSeconds: 1 }, 'https://api.qiwi.com', 1)).toBe(
      600_000
    )
  })
})

describe('scheduleAfter', () => {
  it('property: never earlier than from + interval, never later than the jitter allows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 2, noNaN: true }),
        (from, interval, fraction, r) => {
          const t = scheduleAfter(from, interval, fraction, () => r)
          expect(t).toBeGreaterThanOrEqual(from + interval)
          expect(t).toBeLessThanOrEqual(from + interval + Math.floor(interval * Math.min(1, fraction)))
        }
      ),
      { numRuns: 5000, seed: SEED + 1 }
    )
  })
  it('spreads payouts scheduled at the same instant', () => {
    let s = 1
    const rnd = (): number => (s = (s * 48271) % 2147483647) / 2147483647
    const times = Array.from({ length: 1000 }, () => scheduleAfter(0, 600_000, 0.1, rnd))
    expect(new Set(times).size).toBeGreaterThan(990)
  })
})

describe('pollAllowed / countNotFound', () => {
  it('pollAllowed is the hard floor', () => {
    expect(pollAllowed(null, 0, 600_000)).toBe(true)
    expect(pollAllowed(1_000, 600_999, 600_000)).toBe(false)
    expect(pollAllowed(1_000, 601_000, 600_000)).toBe(true)
  })
  it('three replies one interval apart re-send; a too-close reply does not count', () => {
    let st = { count: 0, lastAt: null as number | null }
    const gap = 600_000
    let r = countNotFound(st, 0, gap, 3)
    expect(r).toEqual({ count: 1, lastAt: 0, resend: false })
    st = r
    r = countNotFound(st, 100_000, gap, 3)
    expect(r).toEqual({ count: 1, lastAt: 0, resend: false })
    r = countNotFound(st, 600_000, gap, 3)
    expect(r.count).toBe(2)
    st = r
    r = countNotFound(st, 1_200_000, gap, 3)
    expect(r).toEqual({ count: 0, lastAt: 1_200_000, resend: true })
  })
})
