import { useTranslation } from 'react-i18next'

import { useApp } from '../../app-context'
import type { useBalances } from '../../hooks/use-balances'
import { ErrorNote } from './ErrorNote'
import { currencyHuman, formatTime, moneyHuman } from './format'

/** Agent balance per terminal and currency, with the low-balance threshold highlighted. */
export function BalancesPanel({ balances }: { balances: ReturnType<typeof useBalances> }): React.JSX.Element {
  const { t } = useTranslation()
  const { settings } = useApp()
  const lang = settings.language
  const list = balances.balances
  return (
    <section className="card balances-panel" aria-labelledby="balances-title" data-testid="balances">
      <div className="panel-head">
        <h2 id="balances-title">{t('cashier.balances.title')}</h2>
        <button
          type="button"
          onClick={() => void balances.refresh()}
          disabled={balances.refreshing}
          data-testid="balances-refresh"
        >
          {balances.refreshing ? t('cashier.balances.refreshing') : t('cashier.balances.refresh')}
        </button>
      </div>
      {balances.error && <ErrorNote error={balances.error} />}
      {list === null ? (
        <p className="muted">{t('cashier.common.loading')}</p>
      ) : list.length === 0 ? (
        <p className="muted">{t('cashier.balances.empty')}</p>
      ) : (
        <ul className="balance-list">
          {list.map((b) => (
            <li
              key={`${b.terminalRef}-${b.currency}`}
              className={b.low ? 'balance low' : 'balance'}
              data-testid={`balance-${b.terminalRef}-${b.currency}`}
              data-low={b.low}
            >
              <span className="balance-terminal">{b.terminal}</span>
              <span className="balance-amount">
                {moneyHuman(b.amount, lang)} <span className="currency">{currencyHuman(b.currency)}</span>
              </span>
              <span className="muted">
                {b.low && <strong className="low-flag">{t('cashier.balances.low')} · </strong>}
                {t('cashier.balances.updated', { time: formatTime(b.updatedAt, lang) })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
