import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { WalletHistoryItemView } from '../../../../shared/wallet'
import type { WalletHistoryRows } from './use-wallet-history'
import { formatMoscow, signedMoneyText } from './wallet-model'
import type { Lang } from './wallet-model'

const ROW_HEIGHT = 52
const COLUMNS = ['date', 'type', 'account', 'provider', 'amount', 'status'] as const
type Column = (typeof COLUMNS)[number]

export function rowKey(item: Pick<WalletHistoryItemView, 'txnId' | 'type'>): string {
  // A conversion is two items with one txnId (an OUT and an IN).
  return `${item.txnId}-${item.type}`
}

export function StatusBadge({ status }: { status: WalletHistoryItemView['status'] }): React.JSX.Element {
  const { t } = useTranslation()
  return <span className={`wl-badge wl-badge-${status.toLowerCase()}`}>{t(`wallet.status.${status}`)}</span>
}

/**
 * The cached history as a virtualized ARIA table: only rows in view (plus a margin) are in
 * the DOM and only their pages are fetched. Arrow keys / PageUp / PageDown / Home / End
 * move, Enter opens the detail.
 */
export function HistoryTable({
  rows,
  lang,
  onOpen
}: {
  rows: WalletHistoryRows
  lang: Lang
  onOpen: (item: WalletHistoryItemView) => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const count = rows.count ?? 0
  const scrollRef = useRef<HTMLDivElement>(null)
  const [active, setActive] = useState(0)
  const [focusWanted, setFocusWanted] = useState(false)

  // eslint-disable-next-line react-hooks/incompatible-library -- @tanstack/react-virtual keeps mutable state by design; used as documented
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items[items.length - 1]?.index ?? -1
  const { ensure } = rows

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
    // The row exists once the virtual range covers it: first/last change when it scrolls in.
  }, [focusWanted, active, first, last])

  const activeIndex = Math.min(active, Math.max(0, count - 1))

  const move = (to: number): void => {
    const i = Math.max(0, Math.min(count - 1, to))
    setActive(i)
    setFocusWanted(true)
    virtualizer.scrollToIndex(i, { align: 'auto' })
  }

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1)
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
    } else if (e.key === 'Enter' || e.key === ' ') {
      const item = rows.row(activeIndex)
      if (item) {
        e.preventDefault()
        onOpen(item)
      }
    }
  }

  const cell = (c: Column, it: WalletHistoryItemView): React.ReactNode => {
    switch (c) {
      case 'date':
        return <span className="wl-nowrap">{formatMoscow(it.at, lang)}</span>
      case 'type':
        return t(`wallet.type.${it.type}`)
      case 'account':
        return <span className="wl-mono wl-ellipsis">{it.account ?? '—'}</span>
      case 'provider':
        return (
          <div className="wl-two-lines">
            <span className="wl-ellipsis">{it.provider ?? '—'}</span>
            {it.comment ? <span className="wl-ellipsis muted">{it.comment}</span> : null}
          </div>
        )
      case 'amount':
        return <strong className={it.type === 'IN' ? 'wl-in' : 'wl-out'}>{signedMoneyText(it, lang)}</strong>
      case 'status':
        return <StatusBadge status={it.status} />
    }
  }

  return (
    <div
      className="wl-vtable"
      role="table"
      aria-label={t('wallet.history.tableLabel')}
      aria-rowcount={count + 1}
      data-testid="wallet-history-table"
    >
      <div className="wl-vtable-head" role="row" aria-rowindex={1}>
        {COLUMNS.map((c) => (
          <div key={c} role="columnheader" className={c === 'amount' ? 'wl-num' : undefined}>
            {t(`wallet.history.columns.${c}`)}
          </div>
        ))}
      </div>
      <div
        ref={scrollRef}
        className="wl-vtable-body"
        role="rowgroup"
        onKeyDown={onKeyDown}
        data-testid="wallet-history-scroll"
      >
        {count === 0 && rows.count !== null && <div className="wl-empty">{t('wallet.history.empty')}</div>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((vi) => {
            const it = rows.row(vi.index)
            const isActive = vi.index === activeIndex
            return (
              <div
                key={vi.key}
                role="row"
                aria-rowindex={vi.index + 2}
                data-index={vi.index}
                data-testid={it ? `wallet-row-${rowKey(it)}` : 'wallet-row-loading'}
                className={`wl-vrow${isActive ? ' selected' : ''}${it ? '' : ' loading'}${it?.status === 'ERROR' ? ' wl-row-error' : ''}`}
                tabIndex={isActive ? 0 : -1}
                style={{ height: ROW_HEIGHT, transform: `translateY(${vi.start}px)` }}
                onClick={() => {
                  setActive(vi.index)
                  if (it) onOpen(it)
                }}
                onFocus={() => setActive(vi.index)}
              >
                {it
                  ? COLUMNS.map((c) => (
                      <div key={c} role="cell" className={c === 'amount' ? 'wl-num' : undefined}>
                        {cell(c, it)}
                      </div>
                    ))
                  : COLUMNS.map((c, i) => (
                      <div key={c} role="cell" className="muted">
                        {i === 0 ? t('wallet.common.loading') : ''}
                      </div>
                    ))}
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
