/**
 * Page arithmetic of the virtualized history tables (cashier and wallet): which pages a
 * visible row range needs, and which cached pages to drop.
 */

/** Pages (0-based) covering rows [start, end] of `total` that are neither loaded nor loading. */
export function pagesToLoad(
  start: number,
  end: number,
  total: number,
  have: ReadonlySet<number>,
  pageSize: number
): number[] {
  if (total <= 0 || end < start) return []
  const last = Math.min(end, total - 1)
  const out: number[] = []
  for (let p = Math.floor(Math.max(0, start) / pageSize); p <= Math.floor(last / pageSize); p++) {
    if (!have.has(p)) out.push(p)
  }
  return out
}

/** Pages to drop so that at most `keep` remain, farthest from `around` first (ties: the later page). */
export function pagesToEvict(cached: readonly number[], around: number, keep: number): number[] {
  if (cached.length <= keep) return []
  return [...cached]
    .sort((a, b) => Math.abs(b - around) - Math.abs(a - around) || b - a)
    .slice(0, cached.length - keep)
}
