import { useTranslation } from 'react-i18next'

import type { WalletHistoryItemView } from '../../../../shared/wallet'
import { useVirtualRows } from '../../hooks/use-virtual-rows'
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
  const { scrollRef, virtualizer, items, activeIndex, setActive, onKeyDown } = useVirtualRows({
    count,
    rowHeight: ROW_HEIGHT,
    overscan: 10,
    ensure: rows.ensure,
    row: rows.row,
    onOpen,
    openKeys: ['Enter', ' ']
  })

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
