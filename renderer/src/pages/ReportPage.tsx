import { lazy, Suspense, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'

import '../cashier.css'
import type { DayReportView } from '../../../shared/payouts'
import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { ErrorNote } from '../components/cashier/ErrorNote'
import { currencyHuman, isoDay, moneyHuman } from '../components/cashier/format'
import {
  balanceChange,
  CHART_GROUPS,
  hourSeries,
  nonZeroByState,
  signedHuman,
  stateServiceTable
} from '../components/cashier/report-model'
import { StateBadge } from '../components/cashier/StateBadge'

// uPlot only loads when a report is shown (keeps the main bundle lean).
const DayChart = lazy(() => import('../components/cashier/DayChart'))

function printReport(): void {
  document.body.classList.add('printing-report')
  const done = (): void => {
    document.body.classList.remove('printing-report')
    window.removeEventListener('afterprint', done)
  }
  window.addEventListener('afterprint', done)
  window.print()
  window.setTimeout(done, 1000)
}

export function ReportPage(): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang = settings.language
  const [date, setDate] = useState(() => isoDay(Date.now()))
  const [report, setReport] = useState<DayReportView | null>(null)
  const [error, setError] = useState<AppErrorData | null>(null)

  useEffect(() => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return
    let live = true
    void api.report.day({ date }).then((r) => {
      if (!live) return
      if (r.ok) {
        setReport(r.value)
        setError(null)
      } else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [api, date])

  const shown = report && report.date === date ? report : null
  const table = shown ? stateServiceTable(shown.byStateService) : []
  const hours = shown ? hourSeries(shown.byHour) : null
  const activeHours = hours ? hours.hours.filter((h) => CHART_GROUPS.some((g) => (hours.counts[g][h] ?? 0) > 0)) : []

  return (
    <section className="page cashier-page" aria-labelledby="report-title">
      <h1 id="report-title">{t('pages.reportTitle')}</h1>
      <div className="report-bar no-print">
        <div className="field">
          <label htmlFor="report-date">{t('cashier.report.date')}</label>
          <input id="report-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} data-testid="report-date" />
        </div>
        <button type="button" onClick={printReport} disabled={!shown}>
          {t('cashier.report.print')}
        </button>
      </div>
      {error && <ErrorNote error={error} />}
      {!shown && !error && <p className="muted">{t('cashier.common.loading')}</p>}
      {shown && (
        <div className="report-grid" data-testid="report">
          <section className="card span-2">
            <h2>{t('cashier.report.totals')}</h2>
            <div className="big-figures">
              <div className="big-figure">
                <div className="value" data-testid="report-count">
                  {shown.totals.count}
                </div>
                <div className="label">{t('cashier.report.count')}</div>
              </div>
              <div className="big-figure">
                <div className="value" data-testid="report-amount">
                  {moneyHuman(shown.totals.amount, lang)}
                </div>
                <div className="label">{t('cashier.report.amount')}</div>
              </div>
            </div>
            <div className="state-totals" data-testid="report-by-state">
              {nonZeroByState(shown.totals.byState).map(([s, v]) => (
                <span className="state-total" key={s}>
                  <StateBadge state={s} />
                  <strong>{v.count}</strong>
                  <span className="muted">{moneyHuman(v.amount, lang)} ₽</span>
                </span>
              ))}
            </div>
          </section>

          <section className="card span-2">
            <h2>{t('cashier.report.byHour')}</h2>
            {shown.byHour.length === 0 ? (
              <p className="muted">{t('cashier.report.noPayouts')}</p>
            ) : (
              <>
                <Suspense fallback={<p className="muted">{t('cashier.common.loading')}</p>}>
                  <DayChart byHour={shown.byHour} />
                </Suspense>
                <div className="chart-legend">
                  {CHART_GROUPS.map((g) => (
                    <span key={g}>
                      <span className={`legend-swatch swatch-${g}`} />
                      {g === 'pending' ? `${t('cashier.states.waiting')} / ${t('cashier.report.other')}` : t(`cashier.states.${g}`)}
                    </span>
                  ))}
                </div>
                <table className="plain-table visually-hidden">
                  <caption>{t('cashier.report.chartLabel')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('cashier.report.hour')}</th>
                      {CHART_GROUPS.map((g) => (
                        <th key={g} scope="col">
                          {g}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {activeHours.map((h) => (
                      <tr key={h}>
                        <td>{h}:00</td>
                        {CHART_GROUPS.map((g) => (
                          <td key={g}>{hours?.counts[g][h] ?? 0}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </section>

          <section className="card">
            <h2>{t('cashier.report.byStateService')}</h2>
            {table.length === 0 ? (
              <p className="muted">{t('cashier.report.noPayouts')}</p>
            ) : (
              <table className="plain-table" data-testid="report-states">
                <thead>
                  <tr>
                    <th scope="col">{t('cashier.report.state')}</th>
                    <th scope="col">{t('cashier.report.service')}</th>
                    <th scope="col" className="num">
                      {t('cashier.report.count')}
                    </th>
                    <th scope="col" className="num">
                      {t('cashier.report.amount')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {table.flatMap((row) =>
                    row.services.map((s, i) => (
                      <tr key={`${row.state}-${s.service}`}>
                        <td>{i === 0 && <StateBadge state={row.state} />}</td>
                        <td>{t(`cashier.servicesShort.${s.service}`)}</td>
                        <td className="num">{s.count}</td>
                        <td className="num">{moneyHuman(s.amount, lang)}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            )}
          </section>

          <section className="card">
            <h2>{t('cashier.report.balance')}</h2>
            {shown.balanceMovement.length === 0 ? (
              <p className="muted">{t('cashier.report.noBalance')}</p>
            ) : (
              <table className="plain-table" data-testid="report-balance">
                <thead>
                  <tr>
                    <th scope="col">{t('cashier.report.balanceTerminal')}</th>
                    <th scope="col">{t('cashier.report.currency')}</th>
                    <th scope="col" className="num">
                      {t('cashier.report.first')}
                    </th>
                    <th scope="col" className="num">
                      {t('cashier.report.last')}
                    </th>
                    <th scope="col" className="num">
                      {t('cashier.report.change')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.balanceMovement.map((b) => {
                    const d = balanceChange(b.first, b.last)
                    return (
                      <tr key={`${b.terminal}-${b.currency}`}>
                        <td>{b.terminal}</td>
                        <td>{currencyHuman(b.currency)}</td>
                        <td className="num">{moneyHuman(b.first, lang)}</td>
                        <td className="num">{moneyHuman(b.last, lang)}</td>
                        <td className="num">{d === null ? '—' : signedHuman(d, lang)}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            )}
          </section>

          <section className="card span-2">
            <h2>{t('cashier.report.discrepancies')}</h2>
            {shown.discrepancies.length === 0 ? (
              <p className="muted" data-testid="report-no-discrepancies">
                {t('cashier.report.noDiscrepancies')}
              </p>
            ) : (
              <ul className="discrepancy-list" data-testid="report-discrepancies">
                {shown.discrepancies.map((d, i) => (
                  <li key={`${d.kind}-${d.payoutId ?? i}`}>
                    <span className="cashier-code">{d.kind}</span> {d.message}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </section>
  )
}
