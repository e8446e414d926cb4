import { useCallback, useEffect, useRef, useState } from 'react'

import type { HistoryFilter, HistorySort, PayoutView, TotalsView } from '../../../shared/payouts'
import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { PAGE_SIZE, pagesToEvict, pagesToLoad, queryKey } from '../components/cashier/history-model'
import { useApiEvent } from './use-api-event'

interface Data {
  key: string
  total: TotalsView | null
  pages: Map<number, PayoutView[]>
  error: AppErrorData | null
}

function empty(key: string): Data {
  return { key, total: null, pages: new Map(), error: null }
}

export interface HistoryRows {
  total: TotalsView | null
  error: AppErrorData | null
  /** The row at an absolute index, or undefined while its page loads. */
  row: (index: number) => PayoutView | undefined
  /** Makes sure rows [start, end] are loaded or loading. */
  ensure: (start: number, end: number) => void
  reload: () => void
  /** Payouts were created after this list was loaded: offer a refresh (never reshuffle rows under the cashier). */
  stale: boolean
}

/**
 * History rows paged through history:query as the table scrolls: only visible pages are
 * fetched (and a bounded number kept), so 100k+ rows never load at once. A new filter or
 * sort is a new cache. payout:changed patches rows already on screen.
 */
export function useHistoryRows(filter: HistoryFilter, sort: HistorySort): HistoryRows {
  const { api } = useApp()
  const key = queryKey(filter, sort)
  const [data, setData] = useState<Data>(() => empty(key))
  const [generation, setGeneration] = useState(0)
  const inflight = useRef(new Set<string>())
  const loadedAt = useRef(0)
  const [staleKey, setStaleKey] = useState<string | null>(null)
  const current = data.key === key ? data : empty(key)
  const fullKey = `${key}@${generation}`

  const load = useCallback(
    (page: number) => {
      const id = `${fullKey}#${page}`
      if (inflight.current.has(id)) return
      inflight.current.add(id)
      // Anything created before this request is in its answer; anything after makes the list stale.
      if (page === 0) loadedAt.current = Date.now()
      void api.history.query({ filter, sort, page: { limit: PAGE_SIZE, offset: page * PAGE_SIZE } }).then((r) => {
        inflight.current.delete(id)
        setData((cur) => {
          const base = cur.key === key ? cur : empty(key)
          if (!r.ok) return { ...base, error: r.error }
          const pages = new Map(base.pages)
          pages.set(page, r.value.rows)
          for (const p of pagesToEvict([...pages.keys()], page)) pages.delete(p)
          return { key, total: r.value.total, pages, error: null }
        })
      })
    },
    // filter and sort are captured by value; `key` stands for both.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key/fullKey encode filter, sort and generation
    [api, fullKey]
  )

  useEffect(() => {
    load(0)
  }, [load])

  useApiEvent('payout:changed', (p) => {
    if (loadedAt.current > 0 && p.createdAt > loadedAt.current) setStaleKey(fullKey)
    setData((cur) => {
      for (const [n, rows] of cur.pages) {
        const i = rows.findIndex((r) => r.id === p.id)
        if (i >= 0) {
          const pages = new Map(cur.pages)
          const copy = [...rows]
          copy[i] = p
          pages.set(n, copy)
          return { ...cur, pages }
        }
      }
      return cur
    })
  })

  const ensure = useCallback(
    (start: number, end: number) => {
      const total = current.total?.count ?? 0
      const have = new Set(current.pages.keys())
      for (const id of inflight.current) {
        if (id.startsWith(`${fullKey}#`)) have.add(Number(id.slice(fullKey.length + 1)))
      }
      for (const p of pagesToLoad(start, end, total, have)) load(p)
    },
    [current.total, current.pages, fullKey, load]
  )

  const row = (index: number): PayoutView | undefined =>
    current.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE]

  const reload = useCallback(() => {
    setData(empty(key))
    setStaleKey(null)
    setGeneration((g) => g + 1)
  }, [key])

  return { total: current.total, error: current.error, row, ensure, reload, stale: staleKey === fullKey }
}
