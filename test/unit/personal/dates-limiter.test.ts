import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DAY_MS,
  MAX_HISTORY_SPAN_MS,
  SlidingWindowLimiter,
  backoffDelay,
  formatQiwiDate,
  parseQiwiDate,
  splitDateRange
} from '../../../electron/core/personal'

const SEED = 424242

function log(name: string, numRuns: number): void {
  // eslint-disable-next-line no-console -- the seed is printed so a failure can be replayed
  console.log(`[fast-check] ${name}: seed=${SEED} numRuns=${numRuns}`)
}

describe('query dates', () => {
  it('formats as the docs do (Moscow offset, seconds, URL-encodes to the documented form)', () => {
    const ms = Date.UTC(2017, 4, 9, 21, 0, 0) // 2017-05-10T00:00:00+03:00
    expect(formatQiwiDate(ms)).toBe('2017-05-10T00:00:00+03:00')
    expect(encodeURIComponent(formatQiwiDate(ms))).toBe('2017-05-10T00%3A00%3A00%2B03%3A00')
    expect(formatQiwiDate(ms, -330)).toBe('2017-05-09T15:30:00-05:30')
    expect(formatQiwiDate(ms + 999)).toBe('2017-05-10T00:00:00+03:00')
  })

  it('parses what it formats, in any offset (fuzz)', () => {
    log('format/parse round trip', 2000)
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (sec, off) => {
          const p = parseQiwiDate(formatQiwiDate(sec * 1000, off))
          expect(p).toEqual({ ms: sec * 1000, offsetMinutes: off })
        }
      ),
      { seed: SEED, numRuns: 2000 }
    )
  })

  it('rejects malformed dates', () => {
    for (const s of [
      '2019-11-01T:00:00',
      '2017-02-30T00:00:00+03:00',
      '2017-05-10 00:00:00+03:00',
      '2017-05-10T00:00:00 03:00',
      '2017-05-10T24:00:00Z',
      ''
    ]) {
      expect(parseQiwiDate(s), s).toBeNull()
    }
    expect(parseQiwiDate('2017-05-10T00:00:00Z')?.offsetMinutes).toBe(0)
  })
})

describe('90-day splitter', () => {
  it('keeps a range of exactly 90 days in one window and splits 90 days + 1 s', () => {
    const start = Date.UTC(2024, 0, 1)
    expect(splitDateRange(start, start + MAX_HISTORY_SPAN_MS)).toEqual([
      { startMs: start, endMs: start + MAX_HISTORY_SPAN_MS }
    ])
    const two = splitDateRange(start, start + MAX_HISTORY_SPAN_MS + 1000)
    expect(two).toHaveLength(2)
    expect(two[0]).toEqual({ startMs: start + 1000, endMs: start + MAX_HISTORY_SPAN_MS + 1000 })
    expect(two[1]).toEqual({ startMs: start, endMs: start })
  })

  it('covers any range exactly, newest first, windows ≤ 90 days, contiguous, no overlap (fuzz)', () => {
    log('splitter', 3000)
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 3 * 365 * 86_400 }),
        fc.integer({ min: 0, max: 999 }),
        (s, len, ms) => {
          const startMs = s * 1000 + ms
          const endMs = startMs + len * 1000
          const w = splitDateRange(startMs, endMs)
          expect(w.length).toBeGreaterThanOrEqual(1)
          expect(w.length).toBe(
            Math.max(
              1,
              Math.ceil(
                (Math.floor(endMs / 1000) - Math.floor(startMs / 1000) + 1) / (MAX_HISTORY_SPAN_MS / 1000 + 1)
              )
            )
          )
          expect(w[0]?.endMs).toBe(Math.floor(endMs / 1000) * 1000)
          expect(w[w.length - 1]?.startMs).toBe(Math.floor(startMs / 1000) * 1000)
          for (let i = 0; i < w.length; i++) {
            const cur = w[i]
            if (!cur) throw new Error('hole')
            expect(cur.endMs - cur.startMs).toBeLessThanOrEqual(MAX_HISTORY_SPAN_MS)
            expect(cur.startMs).toBeLessThanOrEqual(cur.endMs)
            const older = w[i + 1]
            if (older) expect(older.endMs).toBe(cur.startMs - 1000)
          }
        }
      ),
      { seed: SEED, numRuns: 3000 }
    )
  })

  it('splits a year into 5 windows', () => {
    const end = Date.UTC(2025, 0, 1)
    expect(splitDateRange(end - 365 * DAY_MS, end)).toHaveLength(5)
  })

  it('refuses an inverted range', () => {
    expect(() => splitDateRange(2000, 1000)).toThrow(RangeError)
  })
})

class VirtualTime {
  t = 1_700_000_000_000
  readonly sleeps: number[] = []
  now = (): number => this.t
  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms)
    this.t += ms
    return Promise.resolve()
  }
}

describe('sliding-window limiter', () => {
  it('never lets more than `limit` requests into any 60 s window (fuzz over arrival patterns)', async () => {
    log('limiter', 150)
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 120 }),
        async (limit, gaps) => {
          const vt = new VirtualTime()
          const lim = new SlidingWindowLimiter({
            limit,
            windowMs: 60_000,
            marginMs: 0,
            now: vt.now,
            sleep: vt.sleep
          })
          const taken: number[] = []
          for (const g of gaps) {
            vt.t += g
            await lim.acquire('w')
            taken.push(vt.t)
          }
          for (let i = limit; i < taken.length; i++) {
            expect((taken[i] ?? 0) - (taken[i - limit] ?? 0)).toBeGreaterThanOrEqual(60_000)
          }
        }
      ),
      { seed: SEED, numRuns: 150 }
    )
  })

  it('is not slower than needed: 100 requests at once pass without waiting, the 101st waits for the window', async () => {
    const vt = new VirtualTime()
    const start = vt.t
    const lim = new SlidingWindowLimiter({ now: vt.now, sleep: vt.sleep })
    for (let i = 0; i < 100; i++) await lim.acquire()
    expect(vt.t).toBe(start)
    await lim.acquire()
    expect(vt.t - start).toBe(61_000) // 60 s window + 1 s margin
    expect(lim.inFlightWindow()).toBe(1)
  })

  it('serves concurrent callers in call order and keeps keys independent', async () => {
    const vt = new VirtualTime()
    const lim = new SlidingWindowLimiter({
      limit: 2,
      windowMs: 1000,
      marginMs: 0,
      now: vt.now,
      sleep: vt.sleep
    })
    const order: number[] = []
    await Promise.all([0, 1, 2, 3, 4].map((i) => lim.acquire('a').then(() => order.push(i))))
    expect(order).toEqual([0, 1, 2, 3, 4])
    const before = vt.t
    await lim.acquire('b')
    expect(vt.t).toBe(before)
  })
})

describe('backoff', () => {
  const policy = { maxRetries: 5, baseMs: 1000, maxMs: 30_000 }
  it('grows exponentially, is capped, never below base, jittered in [0.5, 1]', () => {
    expect(backoffDelay(1, policy, () => 1)).toBe(1000)
    expect(backoffDelay(2, policy, () => 1)).toBe(2000)
    expect(backoffDelay(3, policy, () => 1)).toBe(4000)
    expect(backoffDelay(10, policy, () => 1)).toBe(30_000)
    expect(backoffDelay(10, policy, () => 0)).toBe(15_000)
    expect(backoffDelay(1, policy, () => 0)).toBe(1000)
    log('backoff bounds', 2000)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, policy, () => r)
        const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1))
        expect(d).toBeGreaterThanOrEqual(Math.max(policy.baseMs, Math.floor(exp / 2)))
        expect(d).toBeLessThanOrEqual(exp)
      }),
      { seed: SEED, numRuns: 2000 }
    )
  })

  it('survives a broken random source', () => {
    expect(backoffDelay(2, policy, () => Number.NaN)).toBe(2000)
  })
})
