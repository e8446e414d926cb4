import { lazy, Suspense, useEffect, useId, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import type { WalletMonthTotals, WalletView } from '../../../../shared/wallet'
import { useApp } from '../../app-context'
import { ChartBoundary } from './ChartBoundary'
import { WalletError } from './WalletError'
import {
  currencyCode,
  defaultTotalsPeriod,
  featureBlocked,
  formatMoscowDate,
  initialTotalsPeriod,
  kopecksText,
  monthLabel,
  monthRange,
  monthRows,
  monthsBetween,
  sumRows,
  totalsCurrencies
} from './wallet-model'

const TotalsChart = lazy(() => import('./TotalsChart'))

/**
 * Incoming vs outgoing per month and currency for a chosen period (wallet:totals): a bar
 * chart for one currency at a time (amounts of different currencies do not share a scale)
 * and the exact figures in a table under it.
 */
export function TotalsPanel({ wallet }: { wallet: WalletView }): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang = settings.language
  const ids = useId()
  const blocked = featureBlocked(wallet.permissions, 'totals')
  const [period, setPeriod] = useState(() => defaultTotalsPeriod(Date.now()))
  const [periodTouched, setPeriodTouched] = useState(false)
  const [saved, setSaved] = useState<{
    oldest: number
    newest: number
    count: number
    period: { fromYm: string; toYm: string }
  } | null>(null)
  const [data, setData] = useState<{ key: string; rows: WalletMonthTotals[] } | null>(null)
  const [error, setError] = useState<AppErrorData | null>(null)
  const [picked, setPicked] = useState<string | null>(null)

  // What the cache holds (newest and oldest saved item): the period starts where data does.
  useEffect(() => {
    if (blocked) return
    let live = true
    void (async () => {
      const first = await api.wallet.history({
        filter: { walletId: wallet.id },
        page: { limit: 1, offset: 0 }
      })
      if (!live || !first.ok || first.value.count === 0) return
      const count = first.value.count
      const last = await api.wallet.history({
        filter: { walletId: wallet.id },
        page: { limit: 1, offset: count - 1 }
      })
      const newest = first.value.rows[0]?.at
      const oldest = last.ok ? last.value.rows[0]?.at : undefined
      if (!live || newest === undefined || oldest === undefined) return
      setSaved({ oldest, newest, count, period: initialTotalsPeriod(oldest, Date.now()) })
    })()
    return () => {
      live = false
    }
  }, [api, wallet.id, wallet.lastSyncAt, blocked])

  const shownPeriod = periodTouched ? period : (saved?.period ?? period)
  const range = monthRange(shownPeriod.fromYm, shownPeriod.toYm)
  const key = range ? `${wallet.id}:${range.from}:${range.to}:${wallet.lastSyncAt ?? 0}` : null

  useEffect(() => {
    if (blocked || !range || !key) return
    let live = true
    void api.wallet.totals({ id: wallet.id, from: range.from, to: range.to }).then((r) => {
      if (!live) return
      if (!r.ok) return setError(r.error)
      setError(null)
      setData({ key, rows: r.value })
    })
    return () => {
      live = false
    }
    // `key` stands for the wallet, the period and the last sync.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- range is derived from key
  }, [api, key, blocked])

  const rows = useMemo(() => data?.rows ?? [], [data])
  const currencies = useMemo(() => totalsCurrencies(rows), [rows])
  const currency = picked !== null && currencies.includes(picked) ? picked : (currencies[0] ?? null)
  const months = useMemo(
    () => monthsBetween(shownPeriod.fromYm, shownPeriod.toYm),
    [shownPeriod.fromYm, shownPeriod.toYm]
  )
  const perMonth = useMemo(
    () => (currency ? monthRows(rows, currency, months) : []),
    [rows, currency, months]
  )
  const sum = sumRows(perMonth)
  const loading = key !== null && data?.key !== key && !error
  const seriesLabels = useMemo(
    () => ({ incoming: t('wallet.totals.incoming'), outgoing: t('wallet.totals.outgoing') }),
    [t]
  )

  if (blocked) {
    return (
      <section className="card" data-testid="wallet-totals">
        <p className="wl-note wl-warn">{t('wallet.blocked', { scope: t('wallet.scopes.history') })}</p>
      </section>
    )
  }

  return (
    <section className="card" aria-labelledby={`${ids}-t`} data-testid="wallet-totals">
      <div className="wl-panel-head">
        <h2 id={`${ids}-t`}>{t('wallet.totals.title')}</h2>
      </div>
      <form className="wl-filters wl-filters-plain" onSubmit={(e) => e.preventDefault()}>
        <div className="wl-field">
          <label htmlFor={`${ids}-from`}>{t('wallet.totals.fromMonth')}</label>
          <input
            id={`${ids}-from`}
            type="month"
            value={shownPeriod.fromYm}
            onChange={(e) => {
              setPeriod({ ...shownPeriod, fromYm: e.target.value })
              setPeriodTouched(true)
            }}
            aria-invalid={!range}
          />
        </div>
        <div className="wl-field">
          <label htmlFor={`${ids}-to`}>{t('wallet.totals.toMonth')}</label>
          <input
            id={`${ids}-to`}
            type="month"
            value={shownPeriod.toYm}
            onChange={(e) => {
              setPeriod({ ...shownPeriod, toYm: e.target.value })
              setPeriodTouched(true)
            }}
            aria-invalid={!range}
          />
        </div>
        {currencies.length > 0 && (
          <fieldset className="wl-chips">
            <legend>{t('wallet.totals.currency')}</legend>
            {currencies.map((c) => (
              <label key={c} className={c === currency ? 'on' : undefined}>
                <input
                  type="radio"
                  name={`${ids}-cur`}
                  checked={c === currency}
                  onChange={() => setPicked(c)}
                />
                {currencyCode(c)}
              </label>
            ))}
          </fieldset>
        )}
      </form>
      {!range && <div className="wl-field-error">{t('wallet.totals.badPeriod')}</div>}
      {saved && (
        <p className="muted" data-testid="wallet-totals-saved">
          {t('wallet.totals.savedRange', {
            from: formatMoscowDate(saved.oldest, lang),
            to: formatMoscowDate(saved.newest, lang),
            count: saved.count
          })}
        </p>
      )}
      {error && <WalletError error={error} context="totals" />}
      {loading && <p className="muted">{t('wallet.common.loading')}</p>}
      {!loading && !error && range && currency === null && (
        <p className="muted" data-testid="wallet-totals-empty">
          {wallet.lastSyncAt ? t('wallet.totals.empty') : t('wallet.totals.emptyNeverSynced')}
        </p>
      )}
      {currency && perMonth.length > 0 && (
        <>
          <div className="wl-legend" aria-hidden="true">
            <span>
              <i className="wl-swatch wl-swatch-in" /> {seriesLabels.incoming}
            </span>
            <span>
              <i className="wl-swatch wl-swatch-out" /> {seriesLabels.outgoing}
            </span>
            <span className="muted">
              {t('wallet.totals.chartUnit', { currency: currencyCode(currency) })}
            </span>
          </div>
          <ChartBoundary fallback={<p className="wl-note wl-warn">{t('wallet.totals.chartFailed')}</p>}>
            <Suspense fallback={<div className="wl-chart muted">{t('wallet.common.loading')}</div>}>
              <TotalsChart
                rows={perMonth}
                lang={lang}
                theme={settings.theme}
                label={t('wallet.totals.chartLabel', { currency: currencyCode(currency) })}
                seriesLabels={seriesLabels}
              />
            </Suspense>
          </ChartBoundary>
          <div className="wl-table-wrap">
            <table className="wl-table" data-testid="wallet-totals-table">
              <thead>
                <tr>
                  <th scope="col">{t('wallet.totals.month')}</th>
                  <th scope="col" className="wl-num">
                    {seriesLabels.incoming}
                  </th>
                  <th scope="col" className="wl-num">
                    {seriesLabels.outgoing}
                  </th>
                </tr>
              </thead>
              <tbody>
                {perMonth.map((r) => (
                  <tr key={r.month} data-testid={`totals-${r.month}`}>
                    <th scope="row">{monthLabel(r.month, lang)}</th>
                    <td className="wl-num wl-in">{kopecksText(r.incoming, currency, lang)}</td>
                    <td className="wl-num wl-out">{kopecksText(r.outgoing, currency, lang)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('wallet.totals.sum')}</th>
                  <td className="wl-num" data-testid="totals-sum-in">
                    {kopecksText(sum.incoming, currency, lang)}
                  </td>
                  <td className="wl-num" data-testid="totals-sum-out">
                    {kopecksText(sum.outgoing, currency, lang)}
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
          <p className="muted">{t('wallet.totals.note')}</p>
        </>
      )}
    </section>
  )
}
