/**
 * History screen logic without React: the filter form → the contract's HistoryFilter,
 * and which pages of history:query a visible window of a virtualized table needs.
 * Only visible pages are ever fetched, so 100k+ rows cost a few requests. Pure, unit-tested.
 */
import { formatAmount, parseAmount } from '../../../../shared/money'
import type { HistoryFilter, HistorySort, PayoutStateT, ServiceT } from '../../../../shared/payouts'
import { dayEndExclusive, dayStart, normalizeSearch } from './format'
import { pagesToEvict as evictPages, pagesToLoad as loadPages } from '../../paging'

export const PAGE_SIZE = 100
/** Pages kept in memory at most; the rest are dropped (and fetched again if scrolled back). */
export const MAX_CACHED_PAGES = 40

export interface HistoryForm {
  from: string
  to: string
  states: PayoutStateT[]
  services: ServiceT[]
  terminalRef: string
  amountMin: string
  amountMax: string
  search: string
}

export function emptyHistoryForm(): HistoryForm {
  return {
    from: '',
    to: '',
    states: [],
    services: [],
    terminalRef: '',
    amountMin: '',
    amountMax: '',
    search: ''
  }
}

export const DEFAULT_SORT: HistorySort = { column: 'createdAt', dir: 'desc' }

export function toHistoryFilter(f: HistoryForm): {
  filter: HistoryFilter
  invalid: ('amountMin' | 'amountMax')[]
} {
  const filter: HistoryFilter = {}
  const invalid: ('amountMin' | 'amountMax')[] = []
  const from = dayStart(f.from)
  if (from !== null) filter.from = from
  const to = dayEndExclusive(f.to)
  if (to !== null) filter.to = to
  if (f.states.length > 0) filter.states = [...f.states]
  if (f.services.length > 0) filter.services = [...f.services]
  if (f.terminalRef !== '') filter.terminalRefs = [f.terminalRef]
  for (const key of ['amountMin', 'amountMax'] as const) {
    const raw = f[key].trim()
    if (raw === '') continue
    const p = parseAmount(raw, { allowZero: true })
    if (p.ok) filter[key] = formatAmount(p.kopecks)
    else invalid.push(key)
  }
  const q = normalizeSearch(f.search)
  if (q !== '') filter.search = q.slice(0, 64)
  return { filter, invalid }
}

/** Pages (0-based) covering rows [start, end] that are neither loaded nor loading. */
export function pagesToLoad(
  start: number,
  end: number,
  total: number,
  have: ReadonlySet<number>,
  pageSize: number = PAGE_SIZE
): number[] {
  return loadPages(start, end, total, have, pageSize)
}

/** Cached pages to drop (farthest from the visible one first) so at most `max` remain. */
export function pagesToEvict(
  cached: readonly number[],
  visiblePage: number,
  max: number = MAX_CACHED_PAGES
): number[] {
  return evictPages(cached, visiblePage, max)
}

/** A key that changes whenever the query (not the page) changes: the cache is per key. */
export function queryKey(filter: HistoryFilter, sort: HistorySort): string {
  return JSON.stringify([filter, sort])
}

/** Clicking a column: same column flips the direction, a new one starts descending. */
export function nextSort(cur: HistorySort, column: HistorySort['column']): HistorySort {
  if (cur.column === column) return { column, dir: cur.dir === 'asc' ? 'desc' : 'asc' }
  return { column, dir: 'desc' }
}
