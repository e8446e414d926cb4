import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import {
  TXN_NUMBER_DIGITS,
  clockFloor,
  decodeTransactionNumber,
  deskRange,
  nextTransactionNumber
} from '../../../electron/core/db/txn-allocator'

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0)
const INT64_MAX = 2n ** 63n - 1n

/** A deterministic PRNG (mulberry32) so the clock model is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (isAppError(e)) return e.code
    throw e
  }
  throw new Error('nothing thrown')
}

describe('transaction-number layout', () => {
  it('is <prefix 2><unix ms 13><sequence 3>', () => {
    const n = clockFloor(42, T0)
    expect(n.toString()).toBe(`42${String(T0).padStart(13, '0')}000`)
    expect(decodeTransactionNumber(n.toString())).toEqual({ deskPrefix: 42, ms: T0, sequence: 0 })
  })

  it('stays 18 digits and below 2^63 for every prefix until year 2286', () => {
    for (const prefix of [10, 55, 99]) {
      const { first, last } = deskRange(prefix)
      expect(first.toString()).toHaveLength(TXN_NUMBER_DIGITS)
      expect(last.toString()).toHaveLength(TXN_NUMBER_DIGITS)
      expect(last).toBeLessThanOrEqual(INT64_MAX)
    }
    expect(clockFloor(99, 9_999_999_999_999).toString()).toHaveLength(18)
  })

  it('refuses bad prefixes and clocks outside the layout', () => {
    expect(codeOf(() => clockFloor(9, T0))).toBe('invalid-input')
    expect(codeOf(() => clockFloor(100, T0))).toBe('invalid-input')
    expect(codeOf(() => clockFloor(10.5, T0))).toBe('invalid-input')
    expect(codeOf(() => clockFloor(10, -1))).toBe('internal')
    expect(codeOf(() => clockFloor(10, 10_000_000_000_000))).toBe('internal')
  })

  it('refuses a counter outside the desk range and an exhausted range', () => {
    expect(codeOf(() => nextTransactionNumber(deskRange(11).first, T0, 10))).toBe('internal')
    expect(codeOf(() => nextTransactionNumber(deskRange(10).last, T0, 10))).toBe('internal')
  })
})

describe('nextTransactionNumber', () => {
  it('10^6 numbers under a hostile clock: strictly increasing, 0 collisions, 0 longer than 20 digits', () => {
    const seed = 1_000_003
    process.stdout.write(`[txn-allocator] clock model seed=${seed}\n`)
    const rand = rng(seed)
    let now = T0
    let last: bigint | null = null
    let over20 = 0
    let nonMonotonic = 0
    let borrowed = 0
    let clockBackwards = 0
    const seen = new Set<string>()
    for (let i = 0; i < 1_000_000; i++) {
      const r = rand()
      if (r < 0.001) {
        now -= Math.floor(rand() * 3_600_000) // NTP step back up to an hour
        clockBackwards++
      } else if (r < 0.5) {
        now += Math.floor(rand() * 3) // 0..2 ms
      } // else: same millisecond (bursts of well over 1000 per ms happen)
      const n = nextTransactionNumber(last, now, 10)
      if (last !== null && n <= last) nonMonotonic++
      if (n < clockFloor(10, now)) throw new Error('below the clock floor')
      if (n > clockFloor(10, now) + 999n) borrowed++
      const s = n.toString()
      if (s.length > 20) over20++
      seen.add(s)
      last = n
    }
    process.stdout.write(`[txn-allocator] clockBackwards=${clockBackwards} aheadOfClock=${borrowed}\n`)
    expect(nonMonotonic).toBe(0)
    expect(over20).toBe(0)
    expect(seen.size).toBe(1_000_000)
    expect(clockBackwards).toBeGreaterThan(500)
    expect(borrowed).toBeGreaterThan(0)
  })

  it('never goes below the wall clock, so a stale (restored) counter cannot re-issue a number', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 99 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (prefix, backupAgeMs, issuedAfterBackup, clockAdvance) => {
          // numbers issued up to time tIssued at ≤ 1000/ms all sit below floor(tIssued + 1)
          const tBackup = T0 + backupAgeMs
          const stale = clockFloor(prefix, tBackup)
          let last = stale
          const tIssued = tBackup + issuedAfterBackup
          for (let i = 0; i < 3; i++) last = nextTransactionNumber(last, tIssued, prefix)
          const afterRestore = nextTransactionNumber(stale, tIssued + clockAdvance, prefix)
          return afterRestore > last
        }
      ),
      { seed: 77, numRuns: 2_000 }
    )
  })

  it('desks with different prefixes never meet', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 98 }),
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        (prefix, ms) => {
          const a = nextTransactionNumber(null, ms, prefix)
          const b = nextTransactionNumber(null, ms, prefix + 1)
          return a <= deskRange(prefix).last && b >= deskRange(prefix + 1).first && a < b
        }
      ),
      { seed: 78, numRuns: 2_000 }
    )
  })

  it('decodes only numbers of this layout', () => {
    expect(decodeTransactionNumber('12345678')).toBeNull()
    expect(decodeTransactionNumber('0' + '1'.repeat(17))).toBeNull()
  })
})
