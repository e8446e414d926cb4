/**
 * Time source of the sandbox. Payment life cycles are computed from `now()`
 * lazily (no timers), so a test can move time with a ManualClock or with the
 * admin `advanceClock` (an offset added on top of any base clock).
 */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private t: number
  constructor(startMs = Date.UTC(2024, 0, 15, 9, 0, 0)) {
    this.t = startMs
  }
  now(): number {
    return this.t
  }
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance(ms): ms must be ≥ 0')
    this.t += ms
  }
  set(ms: number): void {
    this.t = ms
  }
}

/** base + adjustable offset: what the admin API's clock/advance moves. */
export class OffsetClock implements Clock {
  private offset = 0
  constructor(private readonly base: Clock) {}
  now(): number {
    return this.base.now() + this.offset
  }
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance(ms): ms must be ≥ 0')
    this.offset += ms
  }
  get offsetMs(): number {
    return this.offset
  }
}

const MSK_OFFSET_MS = 3 * 3_600_000

function pad(n: number, w = 2): string {
  return n.toString().padStart(w, '0')
}

/** `dd.MM.yyyy HH:mm:ss` in Moscow time (UTC+3, no DST since 2014), the txn-date format. */
export function formatTxnDate(ms: number): string {
  const d = new Date(ms + MSK_OFFSET_MS)
  return (
    `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}
