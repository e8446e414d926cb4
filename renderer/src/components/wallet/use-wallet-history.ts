import { useCallback, useEffect, useRef, useState } from 'react'

import type { AppErrorData } from '../../../../shared/result'
import type { WalletHistoryFilter, WalletHistoryItemView } from '../../../../shared/wallet'
import { useApp } from '../../app-context'
import { filterKey, HISTORY_PAGE_SIZE, pagesToEvict, pagesToLoad } from './wallet-model'

interface Data {
  key: string
  count: number | null
  pages: Map<number, WalletHistoryItemView[]>
  error: AppErrorData | null
}

function empty(key: string): Data {
  return { key, count: null, pages: new Map(), error: null }
}

export interface WalletHistoryRows {
  /** Rows matching the filter in the local cache; null until the first page answered. */
  count: number | null
  error: AppErrorData | null
  /** The row at an absolute index, or undefined while its page loads. */
  row: (index: number) => WalletHistoryItemView | undefined
  /** Makes sure rows [start, end] are loaded or loading. */
  ensure: (start: number, end: number) => void
  /** Drops every page and asks again (after a sync). */
  reload: () => void
}

/**
 * The cached wallet history paged through wallet:history as the table scrolls: only the
 * pages in view are fetched and a bounded number kept, so thousands of items never load at
 * once. A new filter is a new cache; `reload` starts a new generation of the same filter.
 */
export function useWalletHistory(filter: WalletHistoryFilter): WalletHistoryRows {
  const { api } = useApp()
  const [generation, setGeneration] = useState(0)
  const fk = filterKey(filter)
  const key = `${fk}@${generation}`
  const [data, setData] = useState<Data>(() => empty(key))
  const inflight = useRef(new Set<string>())
  // After a reload of the same filter the old rows stay on screen until the new ones arrive
  // (no flash, no jump to the top); a different filter starts empty.
  const current =
    data.key === key ? data : data.key.startsWith(`${fk}@`) ? { ...data, error: null } : empty(key)
  const filterRef = useRef(filter)
  useEffect(() => {
    filterRef.current = filter
  })

  const load = useCallback(
    (page: number) => {
      const id = `${key}#${page}`
      if (inflight.current.has(id)) return
      inflight.current.add(id)
      const f = filterRef.current
      void api.wallet
        .history({ filter: f, page: { limit: HISTORY_PAGE_SIZE, offset: page * HISTORY_PAGE_SIZE } })
        .then((r) => {
          inflight.current.delete(id)
          setData((cur) => {
            const base = cur.key === key ? cur : empty(key)
            if (!r.ok) return { ...base, error: r.error }
            const pages = new Map(base.pages)
            pages.set(page, r.value.rows)
            for (const p of pagesToEvict([...pages.keys()], page)) pages.delete(p)
            return { key, count: r.value.count, pages, error: null }
          })
        })
    },
    [api, key]
  )

  useEffect(() => {
    load(0)
  }, [load])

  const { count, pages } = current
  const ensure = useCallback(
    (start: number, end: number) => {
      const have = new Set(pages.keys())
      for (const id of inflight.current) {
        if (id.startsWith(`${key}#`)) have.add(Number(id.slice(key.length + 1)))
      }
      for (const p of pagesToLoad(start, end, count ?? 0, have)) load(p)
    },
    [count, pages, key, load]
  )

  const row = useCallback(
    (index: number): WalletHistoryItemView | undefined =>
      pages.get(Math.floor(index / HISTORY_PAGE_SIZE))?.[index % HISTORY_PAGE_SIZE],
    [pages]
  )

  const reload = useCallback(() => setGeneration((g) => g + 1), [])

  return { count: current.count, error: current.error, row, ensure, reload }
}
