/**
 * Status-poll pacing (spec §8.1 rule 6, RELIABILITY P7). Pure functions.
 *
 * QIWI allows at most one status request per payment per 10 minutes. A terminal may
 * ask for a shorter interval (training against the sandbox), but that is honoured
 * only when BOTH the configured endpoint and the origin actually dialled are
 * loopback: a typo in a terminal's settings can never make the desk hammer QIWI.
 */
import type { Terminal } from '../db/types'
import { isLoopbackHost } from '../topup/transport'

/** QIWI's floor: 10 minutes. */
export const QIWI_MIN_POLL_MS = 600_000

/** True for 'sandbox' and for http(s) origins on 127.0.0.0/8, ::1, localhost. */
export function isLoopbackOrigin(endpoint: string): boolean {
  if (endpoint === 'sandbox') return true
  try {
    const u = new URL(endpoint)
    return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackHost(u.hostname)
  } catch {
    return false
  }
}

/**
 * The minimum time between two status requests for one payout of `terminal`, given
 * the origin the resolver maps it to.
 */
export function minPollIntervalMs(
  terminal: Pick<Terminal, 'endpoint' | 'minPollSeconds'>,
  dialledOrigin: string,
  loopbackFloorSeconds: number
): number {
  const wanted = Math.max(1, terminal.minPollSeconds) * 1000
  if (isLoopbackOrigin(terminal.endpoint) && isLoopbackOrigin(dialledOrigin)) {
    return Math.max(wanted, Math.max(1, loopbackFloorSeconds) * 1000)
  }
  return Math.max(wanted, QIWI_MIN_POLL_MS)
}

/**
 * When to check next: `interval` after `from`, plus an upward jitter of up to
 * `fraction` of the interval so payouts entered together do not poll in lockstep.
 * Never earlier than `from + interval`.
 */
export function scheduleAfter(
  from: number,
  intervalMs: number,
  fraction: number,
  random: () => number
): number {
  const r = random()
  const unit = Number.isFinite(r) && r >= 0 && r < 1 ? r : 0
  const spread = Math.max(0, Math.floor(intervalMs * Math.max(0, Math.min(1, fraction))))
  return from + intervalMs + Math.floor(unit * spread)
}

/** Whether a status request for a payout last polled at `last` may go out at `now`. */
export function pollAllowed(last: number | null, now: number, intervalMs: number): boolean {
  return last === null || now - last >= intervalMs
}

/**
 * Decision D6 bookkeeping: a "not found" reply counts only if it came at least
 * `gapMs` after the previous counted one. Returns the new count and whether the
 * identical pay must be re-sent now (then the count starts over).
 */
export function countNotFound(
  prev: { count: number; lastAt: number | null },
  now: number,
  gapMs: number,
  threshold: number
): { count: number; lastAt: number | null; resend: boolean } {
  const counts = prev.lastAt === null || now - prev.lastAt >= gapMs
  const count = counts ? prev.count + 1 : prev.count
  const lastAt = counts ? now : prev.lastAt
  if (count >= threshold) return { count: 0, lastAt, resend: true }
  return { count, lastAt, resend: false }
}
