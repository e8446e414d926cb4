/**
 * The live queue on the Payouts page as a reducer: a snapshot from payouts:queue merged
 * with payout:changed events (whichever is newer wins, so a late snapshot never rolls a
 * payout back), finals kept for a moment so the cashier sees the outcome, then dropped.
 */
import type { PayoutView } from '../../../../shared/payouts'

/** How long a final payout stays in the queue after it became final (ms). */
export const FINAL_LINGER_MS = 8000

export interface QueueEntry {
  payout: PayoutView
  /** When this desk saw it final (local clock), for lingering. */
  finalSeenAt: number | null
}

export interface QueueState {
  entries: Map<number, QueueEntry>
}

export type QueueAction =
  | { type: 'snapshot'; payouts: PayoutView[]; now: number }
  | { type: 'changed'; payout: PayoutView; now: number }
  | { type: 'expire'; now: number }

export function emptyQueue(): QueueState {
  return { entries: new Map() }
}

function newer(a: PayoutView, b: PayoutView): boolean {
  // A final payout never goes back to non-final; otherwise the later update wins.
  if (a.final !== b.final) return a.final
  return a.updatedAt >= b.updatedAt
}

function upsert(entries: Map<number, QueueEntry>, p: PayoutView, now: number): boolean {
  const cur = entries.get(p.id)
  if (cur && !newer(p, cur.payout)) return false
  if (!cur && p.final) return false // a final payout this queue never showed: history, not queue
  entries.set(p.id, { payout: p, finalSeenAt: p.final ? (cur?.finalSeenAt ?? now) : null })
  return true
}

export function queueReducer(state: QueueState, action: QueueAction): QueueState {
  switch (action.type) {
    case 'snapshot': {
      const entries = new Map(state.entries)
      const ids = new Set(action.payouts.map((p) => p.id))
      for (const p of action.payouts) upsert(entries, p, action.now)
      // Not in the snapshot and not final here: it finished while we were not listening (its
      // outcome is in History). A payout created during the snapshot comes back with its next event.
      for (const [id, e] of entries) {
        if (!ids.has(id) && e.finalSeenAt === null) entries.delete(id)
      }
      return { entries }
    }
    case 'changed': {
      const entries = new Map(state.entries)
      if (!state.entries.has(action.payout.id) && action.payout.final) {
        // Became final before we ever listed it (e.g. a fast sandbox): still show the outcome.
        entries.set(action.payout.id, { payout: action.payout, finalSeenAt: action.now })
        return { entries }
      }
      return upsert(entries, action.payout, action.now) ? { entries } : state
    }
    case 'expire': {
      let changed = false
      const entries = new Map(state.entries)
      for (const [id, e] of entries) {
        if (e.finalSeenAt !== null && action.now - e.finalSeenAt >= FINAL_LINGER_MS) {
          entries.delete(id)
          changed = true
        }
      }
      return changed ? { entries } : state
    }
  }
}

/** Newest first; what the table renders. */
export function queueRows(state: QueueState): QueueEntry[] {
  return [...state.entries.values()].sort((a, b) => b.payout.createdAt - a.payout.createdAt || b.payout.id - a.payout.id)
}

/** Toast bookkeeping: true the first time a payout is seen final (one toast per payout). */
export function shouldToast(seen: Set<number>, p: PayoutView): boolean {
  if (!p.final || seen.has(p.id)) return false
  seen.add(p.id)
  return true
}
