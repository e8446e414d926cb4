import { useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

import '../cashier.css'
import { PAYOUT_STATES } from '../../../shared/channels'
import type { HistorySort, PayoutStateT, PayoutView, ServiceT } from '../../../shared/payouts'
import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { ErrorNote } from '../components/cashier/ErrorNote'
import { moneyHuman } from '../components/cashier/format'
import { nonZeroByState } from '../components/cashier/report-model'
import { DEFAULT_SORT, emptyHistoryForm, nextSort, toHistoryFilter } from '../components/cashier/history-model'
import type { HistoryForm } from '../components/cashier/history-model'
import { HistoryTable } from '../components/cashier/HistoryTable'
import { PayoutDetail } from '../components/cashier/PayoutDetail'
import { useHistoryRows } from '../hooks/use-history-rows'
import { useTerminals } from '../hooks/use-terminals'

const STATES: readonly PayoutStateT[] = PAYOUT_STATES
const SERVICES: readonly ServiceT[] = ['wallet', 'card', 'card-spec', 'sbp', 'mobile', 'card-foreign']

/** Saves text as a file through a Blob and a temporary <a download> (both hosts). */
function download(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.appendChild(a)
  a.click()
  a.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000)
}

export function HistoryPage(): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang = settings.language
  const { terminals } = useTerminals()
  const [form, setForm] = useState<HistoryForm>(emptyHistoryForm)
  const [applied, setApplied] = useState<HistoryForm>(form)
  const [sort, setSort] = useState<HistorySort>(DEFAULT_SORT)
  const [open, setOpen] = useState<PayoutView | null>(null)
  const [exporting, setExporting] = useState(false)
  const [exportNote, setExportNote] = useState<string | null>(null)
  const [exportError, setExportError] = useState<AppErrorData | null>(null)
  const returnFocus = useRef<HTMLElement | null>(null)

  // Typing in the filters queries after a short pause, not on every key.
  useEffect(() => {
    const id = window.setTimeout(() => setApplied(form), 250)
    return () => window.clearTimeout(id)
  }, [form])

  const { filter, invalid } = useMemo(() => toHistoryFilter(applied), [applied])
  const rows = useHistoryRows(filter, sort)
  const total = rows.total

  const set = (patch: Partial<HistoryForm>): void => setForm((cur) => ({ ...cur, ...patch }))
  const toggle = <T extends string>(list: T[], v: T): T[] => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v])

  const exportCsv = async (): Promise<void> => {
    setExporting(true)
    setExportNote(null)
    setExportError(null)
    const r = await api.history.exportCsv({ filter, sort })
    setExporting(false)
    if (!r.ok) return setExportError(r.error)
    download(r.value.csv, r.value.fileName, 'text/csv;charset=utf-8')
    setExportNote(t('cashier.history.exported', { n: r.value.rows, file: r.value.fileName }))
  }

  return (
    <section className="page cashier-page" aria-labelledby="history-title">
      <h1 id="history-title">{t('pages.historyTitle')}</h1>

      <form className="card history-filters" aria-label={t('cashier.history.title')} onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="h-from">{t('cashier.history.from')}</label>
          <input id="h-from" type="date" value={form.from} onChange={(e) => set({ from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="h-to">{t('cashier.history.to')}</label>
          <input id="h-to" type="date" value={form.to} onChange={(e) => set({ to: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="h-min">{t('cashier.history.amountMin')}</label>
          <input
            id="h-min"
            inputMode="decimal"
            value={form.amountMin}
            aria-invalid={invalid.includes('amountMin') ? true : undefined}
            onChange={(e) => set({ amountMin: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="h-max">{t('cashier.history.amountMax')}</label>
          <input
            id="h-max"
            inputMode="decimal"
            value={form.amountMax}
            aria-invalid={invalid.includes('amountMax') ? true : undefined}
            onChange={(e) => set({ amountMax: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="h-terminal">{t('cashier.history.terminal')}</label>
          <select id="h-terminal" value={form.terminalRef} onChange={(e) => set({ terminalRef: e.target.value })}>
            <option value="">{t('cashier.history.allTerminals')}</option>
            {(terminals ?? []).map((x) => (
              <option key={x.id} value={x.id}>
                {x.name} ({x.terminalId})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="h-search">{t('cashier.history.search')}</label>
          <input
            id="h-search"
            type="search"
            value={form.search}
            placeholder={t('cashier.history.searchPlaceholder')}
            onChange={(e) => set({ search: e.target.value })}
          />
        </div>
        <fieldset className="chips span-3">
          <legend>{t('cashier.history.states')}</legend>
          {STATES.map((s) => (
            <label key={s} className="chip">
              <input
                type="checkbox"
                checked={form.states.includes(s)}
                data-testid={`filter-state-${s}`}
                onChange={() => set({ states: toggle(form.states, s) })}
              />
              {t(`cashier.states.${s}`)}
            </label>
          ))}
        </fieldset>
        <fieldset className="chips span-3">
          <legend>{t('cashier.history.services')}</legend>
          {SERVICES.map((s) => (
            <label key={s} className="chip">
              <input
                type="checkbox"
                checked={form.services.includes(s)}
                data-testid={`filter-service-${s}`}
                onChange={() => set({ services: toggle(form.services, s) })}
              />
              {t(`cashier.servicesShort.${s}`)}
            </label>
          ))}
        </fieldset>
      </form>
      {invalid.length > 0 && <p className="field-error">{t('cashier.history.invalidAmount')}</p>}

      <div className="history-bar">
        <strong data-testid="history-count">{t('cashier.history.found', { count: total?.count ?? 0 })}</strong>
        {total && <span data-testid="history-sum">{t('cashier.history.sum', { amount: moneyHuman(total.amount, lang) })}</span>}
        <span className="spacer" />
        {rows.stale && (
          <span className="stale-note" role="status" data-testid="history-stale">
            {t('cashier.history.stale')}{' '}
            <button type="button" onClick={rows.reload}>
              {t('cashier.history.refresh')}
            </button>
          </span>
        )}
        <button type="button" onClick={() => setForm(emptyHistoryForm())}>
          {t('cashier.history.reset')}
        </button>
        {exportNote && (
          <span className="ok-note" role="status">
            {exportNote}
          </span>
        )}
        <button type="button" onClick={() => void exportCsv()} disabled={exporting} data-testid="export-csv">
          {exporting ? t('cashier.history.exporting') : t('cashier.history.export')}
        </button>
      </div>
      {total && (
        <div className="totals-line" data-testid="history-by-state">
          {nonZeroByState(total.byState).map(([s, v]) => (
            <span key={s} className="totals-state">
              {t(`cashier.states.${s}`)}: <strong>{v.count}</strong> · {moneyHuman(v.amount, lang)} ₽
            </span>
          ))}
        </div>
      )}
      {exportError && <ErrorNote error={exportError} />}
      {rows.error && <ErrorNote error={rows.error} />}

      <HistoryTable
        rows={rows}
        sort={sort}
        onSort={(c) => setSort((cur) => nextSort(cur, c))}
        onOpen={(p) => {
          returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
          setOpen(p)
        }}
      />
      {total && total.count === 0 && (
        <p className="muted" data-testid="history-empty">
          {t('cashier.history.empty')}
        </p>
      )}

      {open && (
        <PayoutDetail
          id={open.id}
          terminals={terminals ?? []}
          onClose={() => {
            setOpen(null)
            returnFocus.current?.focus()
          }}
        />
      )}
    </section>
  )
}
