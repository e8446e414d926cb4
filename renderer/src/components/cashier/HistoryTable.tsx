import { useTranslation } from 'react-i18next'

import type { HistorySort, PayoutView } from '../../../../shared/payouts'
import { useApp } from '../../app-context'
import type { HistoryRows } from '../../hooks/use-history-rows'
import { useVirtualRows } from '../../hooks/use-virtual-rows'
import { displayState, formatDateTime, moneyHuman, recipientHuman } from './format'
import { StateBadge } from './StateBadge'

const ROW_HEIGHT = 38

type Column =
  'createdAt' | 'transactionNumber' | 'terminal' | 'service' | 'account' | 'amountKopecks' | 'state' | 'txnId'
const COLUMNS: Column[] = [
  'createdAt',
  'transactionNumber',
  'terminal',
  'service',
  'account',
  'amountKopecks',
  'state',
  'txnId'
]
const SORTABLE = new Set<Column>(['createdAt', 'amountKopecks', 'state', 'service'])

/**
 * The history as a virtualized ARIA table: only the rows in view (plus a margin) exist in
 * the DOM and only their pages are fetched. Arrow keys move, Enter opens a payout.
 */
export function HistoryTable({
  rows,
  sort,
  onSort,
  onOpen
}: {
  rows: HistoryRows
  sort: HistorySort
  onSort: (c: HistorySort['column']) => void
  onOpen: (p: PayoutView) => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const { online, settings } = useApp()
  const lang = settings.language
  const count = rows.total?.count ?? 0
  const { scrollRef, virtualizer, items, activeIndex, setActive, onKeyDown } = useVirtualRows({
    count,
    rowHeight: ROW_HEIGHT,
    overscan: 12,
    ensure: rows.ensure,
    row: rows.row,
    onOpen,
    openKeys: ['Enter']
  })

  const cell = (c: Column, p: PayoutView): React.ReactNode => {
    switch (c) {
      case 'createdAt':
        return formatDateTime(p.createdAt, lang)
      case 'transactionNumber':
        return <span className="mono">{p.transactionNumber}</span>
      case 'terminal':
        return p.terminal
      case 'service':
        return t(`cashier.servicesShort.${p.service}`)
      case 'account':
        return <span className="mono">{recipientHuman(p.service, p.account)}</span>
      case 'amountKopecks':
        return <strong>{moneyHuman(p.amount, lang)}</strong>
      case 'state':
        return <StateBadge state={displayState(p, online)} />
      case 'txnId':
        return <span className="mono">{p.txnId ?? ''}</span>
    }
  }

  return (
    <div
      className="vtable"
      role="table"
      aria-label={t('cashier.history.title')}
      aria-rowcount={count + 1}
      data-testid="history-table"
    >
      <div className="vtable-head" role="row" aria-rowindex={1}>
        {COLUMNS.map((c) => {
          const sorted = sort.column === c
          return (
            <div
              key={c}
              role="columnheader"
              className={c === 'amountKopecks' ? 'num' : undefined}
              aria-sort={sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
            >
              {SORTABLE.has(c) ? (
                <button
                  type="button"
                  onClick={() => onSort(c as HistorySort['column'])}
                  data-testid={`sort-${c}`}
                >
                  {t(`cashier.history.columns.${c}`)}
                  {sorted ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  {sorted && (
                    <span className="visually-hidden">
                      {' '}
                      ({sort.dir === 'asc' ? t('cashier.history.sortAsc') : t('cashier.history.sortDesc')})
                    </span>
                  )}
                </button>
              ) : (
                t(`cashier.history.columns.${c}`)
              )}
            </div>
          )
        })}
      </div>
      <div
        ref={scrollRef}
        className="vtable-body"
        role="rowgroup"
        onKeyDown={onKeyDown}
        data-testid="history-scroll"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((vi) => {
            const p = rows.row(vi.index)
            const isActive = vi.index === activeIndex
            return (
              <div
                key={vi.key}
                role="row"
                aria-rowindex={vi.index + 2}
                data-index={vi.index}
                data-testid={p ? `history-row-${p.transactionNumber}` : 'history-row-loading'}
                className={`vtable-row${isActive ? ' selected' : ''}${p ? '' : ' loading'}`}
                tabIndex={isActive ? 0 : -1}
                style={{ height: ROW_HEIGHT, transform: `translateY(${vi.start}px)` }}
                onClick={() => {
                  setActive(vi.index)
                  if (p) onOpen(p)
                }}
                onFocus={() => setActive(vi.index)}
                title={p ? t('cashier.history.open') : undefined}
              >
                {p
                  ? COLUMNS.map((c) => (
                      <div key={c} role="cell" className={c === 'amountKopecks' ? 'num' : undefined}>
                        {cell(c, p)}
                      </div>
                    ))
                  : COLUMNS.map((c, i) => (
                      <div key={c} role="cell">
                        {i === 0 ? t('cashier.history.rowLoading') : ''}
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
