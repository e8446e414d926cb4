/**
 * Client-side pacing for the history rate limit (spec §4.1: at most 100 history
 * requests per minute per wallet, excess blocks the API for 5 minutes) and the
 * backoff used when the server answers `request.blocked` anyway.
 *
 * The limiter is a sliding-window log: a slot is taken only if fewer than
 * `limit` slots were taken in the last `windowMs + marginMs`. Hence any two
 * requests `limit` apart are at least a full window apart, so no 60 s window
 * anywhere (client's or server's, up to `marginMs` of network jitter) holds
 * more than `limit` requests. Slots are handed out in call order per key.
 * Clock and sleep are injected so tests run in virtual time.
 */

export type Sleep = (ms: number) => Promise<void>

export const realSleep: Sleep = (ms) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, ms))
  })

export interface RateLimiterOptions {
  /** Requests allowed per window. Default 100 (documented). */
  limit?: number | undefined
  /** Window length. Default 60 000 ms. */
  windowMs?: number | undefined
  /** Extra spacing that absorbs clock and network jitter. Default 1 000 ms. */
  marginMs?: number | undefined
  now?: (() => number) | undefined
  sleep?: Sleep | undefined
}

export interface RateLimiter {
  /** Resolves when the caller may send one request for `key` (a wallet). */
  acquire(key?: string): Promise<void>
  /** Slots currently taken in the window for `key`. */
  inFlightWindow(key?: string): number
  readonly limit: number
}

export class SlidingWindowLimiter implements RateLimiter {
  readonly limit: number
  private readonly spanMs: number
  private readonly now: () => number
  private readonly sleep: Sleep
  private readonly logs = new Map<string, number[]>()
  private readonly chains = new Map<string, Promise<void>>()

  constructor(opts: RateLimiterOptions = {}) {
    const limit = opts.limit ?? 100
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer')
    const windowMs = opts.windowMs ?? 60_000
    const marginMs = opts.marginMs ?? 1_000
    if (!(windowMs > 0) || !(marginMs >= 0)) throw new RangeError('windowMs must be > 0 and marginMs ≥ 0')
    this.limit = limit
    this.spanMs = windowMs + marginMs
    this.now = opts.now ?? Date.now
    this.sleep = opts.sleep ?? realSleep
  }

  acquire(key = 'default'): Promise<void> {
    const prev = this.chains.get(key) ?? Promise.resolve()
    const next = prev.then(() => this.take(key))
    // Keep the chain alive even if a sleep rejects; the caller still sees the rejection.
    this.chains.set(
      key,
      next.catch(() => undefined)
    )
    return next
  }

  inFlightWindow(key = 'default'): number {
    const log = this.logs.get(key)
    if (!log) return 0
    const now = this.now()
    return log.filter((t) => t > now - this.spanMs).length
  }

  private async take(key: string): Promise<void> {
    let log = this.logs.get(key)
    if (!log) {
      log = []
      this.logs.set(key, log)
    }
    for (;;) {
      const now = this.now()
      while (log.length > 0 && (log[0] ?? 0) <= now - this.spanMs) log.shift()
      if (log.length < this.limit) {
        log.push(now)
        return
      }
      const oldest = log[0] ?? now
      await this.sleep(Math.max(1, oldest + this.spanMs - now))
    }
  }
}

export interface BackoffPolicy {
  /** Retries after the first attempt (0 = no retry). */
  maxRetries: number
  /** First delay, and the floor of every delay. */
  baseMs: number
  /** Cap of the exponential part. */
  maxMs: number
}

/**
 * Delay before retry number `retry` (1-based): min(base·2^(retry-1), max) × a
 * jitter factor in [0.5, 1], never below `base` (the stripe-node rule), so
 * clients that were blocked together do not come back in lockstep.
 */
export function backoffDelay(
  retry: number,
  policy: BackoffPolicy,
  random: () => number = Math.random
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1))
  const r = random()
  const factor = 0.5 + 0.5 * (Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 1)
  return Math.max(policy.baseMs, Math.round(exp * factor))
}
