import { useVirtualizer } from '@tanstack/react-virtual'
import type { VirtualItem, Virtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState } from 'react'

/**
 * The keyboard-navigable, virtualized body shared by the history tables: only the rows in
 * view (plus `overscan`) exist in the DOM and only their pages are fetched (`ensure`).
 * Arrow keys / PageUp / PageDown / Home / End move the active row (focus follows once the
 * row is rendered); `openKeys` open the active row.
 */
export function useVirtualRows<T>({
  count,
  rowHeight,
  overscan,
  ensure,
  row,
  onOpen,
  openKeys
}: {
  count: number
  rowHeight: number
  overscan: number
  ensure: (first: number, last: number) => void
  row: (index: number) => T | undefined
  onOpen: (item: T) => void
  openKeys: readonly string[]
}): {
  scrollRef: React.RefObject<HTMLDivElement | null>
  virtualizer: Virtualizer<HTMLDivElement, Element>
  items: VirtualItem[]
  activeIndex: number
  setActive: (index: number) => void
  onKeyDown: (e: React.KeyboardEvent) => void
} {
  const scrollRef = useRef<HTMLDivElement>(null)
  const [active, setActive] = useState(0)
  const [focusWanted, setFocusWanted] = useState(false)

  // The virtualizer keeps mutable state React cannot memoize; it is used exactly as its docs show.
  // eslint-disable-next-line react-hooks/incompatible-library -- @tanstack/react-virtual is the chosen virtualizer
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items[items.length - 1]?.index ?? -1

  useEffect(() => {
    if (last >= first) ensure(first, last)
  }, [first, last, ensure])

  useEffect(() => {
    if (!focusWanted) return
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${active}"]`)
    if (el) {
      el.focus({ preventScroll: true })
      setFocusWanted(false)
    }
    // The target row may appear only after the virtualizer scrolled: re-run when the range moves.
  }, [focusWanted, active, first, last])

  const activeIndex = Math.min(active, Math.max(0, count - 1))

  const move = (to: number): void => {
    const i = Math.max(0, Math.min(count - 1, to))
    setActive(i)
    setFocusWanted(true)
    virtualizer.scrollToIndex(i, { align: 'auto' })
  }

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / rowHeight) - 1)
    const keys: Record<string, number> = {
      ArrowDown: activeIndex + 1,
      ArrowUp: activeIndex - 1,
      PageDown: activeIndex + page,
      PageUp: activeIndex - page,
      Home: 0,
      End: count - 1
    }
    const to = keys[e.key]
    if (to !== undefined) {
      e.preventDefault()
      move(to)
    } else if (openKeys.includes(e.key)) {
      const item = row(activeIndex)
      if (item) {
        e.preventDefault()
        onOpen(item)
      }
    }
  }

  return { scrollRef, virtualizer, items, activeIndex, setActive, onKeyDown }
}
