import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import type { WalletHistoryItemView, WalletView } from '../../../../shared/wallet'
import { useApp } from '../../app-context'
import { downloadText } from './download'
import { HistoryDetail } from './HistoryDetail'
import { HistoryTable } from './HistoryTable'
import { useWalletHistory } from './use-wallet-history'
import { WalletError } from './WalletError'
import {
  currencyCode,
  emptyHistoryForm,
  featureBlocked,
  formatMoscow,
  isOfflineError,
  OPERATIONS,
  toWalletFilter,
  TXN_STATUSES
} from './wallet-model'
import type { HistoryForm, TxnStatus } from './wallet-model'

/** Opening the history syncs unless the last sync is more recent than this. */
const AUTO_SYNC_FRESH_MS = 60_000

type SyncState =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; added: number; total: number }
  | { kind: 'failed'; error: AppErrorData }

function toggle<T>(list: readonly T[], v: T): T[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v]
}

/**
 * The wallet's history from the local cache: synced from QIWI on opening and on demand,
 * filtered and searched locally, paged as the table scrolls, exported as CSV. When QIWI
 * cannot be reached the saved history stays fully usable and the page says so plainly.
 */
export function HistoryPanel({
  wallet,
  currencies,
  onSynced
}: {
  wallet: WalletView
  /** Currency codes to offer as filters (as the history carries them). */
  currencies: readonly string[]
  onSynced: () => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang = settings.language
  const ids = useId()
  const blocked = featureBlocked(wallet.permissions, 'history')

  const [form, setForm] = useState<HistoryForm>(emptyHistoryForm)
  const [applied, setApplied] = useState<HistoryForm>(emptyHistoryForm)
  const [sync, setSync] = useState<SyncState>({ kind: 'idle' })
  const [lastSyncAt, setLastSyncAt] = useState<number | null>(wallet.lastSyncAt)
  const [open, setOpen] = useState<WalletHistoryItemView | null>(null)
  const [exporting, setExporting] = useState(false)
  const [exportNote, setExportNote] = useState<string | null>(null)
  const [exportError, setExportError] = useState<AppErrorData | null>(null)
  const returnFocus = useRef<HTMLElement | null>(null)
  const autoSynced = useRef(false)

  // Typing in the filters queries after a short pause, not on every key.
  useEffect(() => {
    const id = window.setTimeout(() => setApplied(form), 250)
    return () => window.clearTimeout(id)
  }, [form])

  const { filter, problems } = useMemo(() => toWalletFilter(wallet.id, applied), [wallet.id, applied])
  const rows = useWalletHistory(filter)
  const { reload } = rows
  const shownLastSync = Math.max(lastSyncAt ?? 0, wallet.lastSyncAt ?? 0) || null

  const runSync = useCallback(async () => {
    setSync({ kind: 'busy' })
    const r = await api.wallet.sync({ id: wallet.id })
    if (!r.ok) {
      setSync({ kind: 'failed', error: r.error })
      return
    }
    setSync({ kind: 'done', added: r.value.added, total: r.value.total })
    setLastSyncAt(r.value.lastSyncAt)
    reload()
    onSynced()
  }, [api, wallet.id, reload, onSynced])

  const runSyncRef = useRef(runSync)
  const lastSyncRef = useRef(shownLastSync)
  useEffect(() => {
    runSyncRef.current = runSync
    lastSyncRef.current = shownLastSync
  })

  // Fetch what is new once when the history is opened; the cache is shown meanwhile.
  useEffect(() => {
    if (blocked) return
    const id = window.setTimeout(() => {
      if (autoSynced.current) return
      autoSynced.current = true
      // Just synced (e.g. the user came back from another section): the cache is fresh enough.
      if (lastSyncRef.current !== null && Date.now() - lastSyncRef.current < AUTO_SYNC_FRESH_MS) return
      void runSyncRef.current()
    }, 0)
    return () => window.clearTimeout(id)
  }, [blocked])

  const closeDetail = useCallback(() => {
    setOpen(null)
    returnFocus.current?.focus()
  }, [])

  const exportCsv = async (): Promise<void> => {
    setExporting(true)
    setExportNote(null)
    setExportError(null)
    const r = await api.wallet.exportCsv({ filter })
    setExporting(false)
    if (!r.ok) return setExportError(r.error)
    downloadText(r.value.csv, r.value.fileName, 'text/csv;charset=utf-8')
    setExportNote(t('wallet.history.exported', { count: r.value.rows, file: r.value.fileName }))
  }

  const set = (patch: Partial<HistoryForm>): void => setForm((cur) => ({ ...cur, ...patch }))
  const filtered = JSON.stringify(form) !== JSON.stringify(emptyHistoryForm)

  if (blocked) {
    return (
      <section className="card" data-testid="wallet-history">
        <p className="wl-note wl-warn">{t('wallet.blocked', { scope: t('wallet.scopes.history') })}</p>
      </section>
    )
  }

  const offline = sync.kind === 'failed' && isOfflineError(sync.error)

  return (
    <section className="wl-history" aria-labelledby={`${ids}-t`} data-testid="wallet-history">
      <h2 id={`${ids}-t`} className="visually-hidden-wl">
        {t('wallet.history.title')}
      </h2>
      <div className="card wl-toolbar">
        <button
          type="button"
          className="primary"
          onClick={() => void runSync()}
          disabled={sync.kind === 'busy'}
          data-testid="wallet-sync"
        >
          {sync.kind === 'busy' ? t('wallet.history.syncing') : t('wallet.history.sync')}
        </button>
        <span className="muted" data-testid="wallet-last-sync">
          {shownLastSync
            ? t('wallet.history.lastSync', { time: formatMoscow(shownLastSync, lang) })
            : t('wallet.history.neverSynced')}
        </span>
        <span className="wl-spacer" />
        <button
          type="button"
          onClick={() => void exportCsv()}
          disabled={exporting}
          data-testid="wallet-export"
        >
          {exporting ? t('wallet.history.exporting') : t('wallet.history.export')}
        </button>
      </div>

      <div aria-live="polite">
        {sync.kind === 'done' && (
          <div className="wl-note wl-ok" data-testid="wallet-sync-done">
            {t('wallet.history.synced', { count: sync.added, total: sync.total })}
          </div>
        )}
        {offline && (
          <div className="wl-note wl-offline" role="status" data-testid="wallet-offline">
            <strong>{t('wallet.history.offlineTitle')}</strong>{' '}
            {shownLastSync
              ? t('wallet.history.offlineText', { time: formatMoscow(shownLastSync, lang) })
              : t('wallet.history.offlineNever')}
            <span className="wl-code"> {t('wallet.common.supportCode', { code: sync.error.code })}</span>
          </div>
        )}
        {sync.kind === 'failed' && !offline && (
          <WalletError
            error={sync.error}
            context="sync"
            title={t('wallet.history.syncFailed')}
            testId="wallet-sync-error"
          />
        )}
        {exportNote && (
          <div className="wl-note wl-ok" data-testid="wallet-export-done">
            {exportNote}
          </div>
        )}
        {exportError && <WalletError error={exportError} context="export" />}
      </div>

      <form
        className="card wl-filters"
        aria-label={t('wallet.history.filters')}
        onSubmit={(e) => e.preventDefault()}
      >
        <div className="wl-field">
          <label htmlFor={`${ids}-from`}>{t('wallet.history.from')}</label>
          <input
            id={`${ids}-from`}
            type="date"
            value={form.from}
            onChange={(e) => set({ from: e.target.value })}
            aria-invalid={problems.includes('from') || problems.includes('range')}
          />
        </div>
        <div className="wl-field">
          <label htmlFor={`${ids}-to`}>{t('wallet.history.to')}</label>
          <input
            id={`${ids}-to`}
            type="date"
            value={form.to}
            onChange={(e) => set({ to: e.target.value })}
            aria-invalid={problems.includes('to') || problems.includes('range')}
          />
        </div>
        <div className="wl-field">
          <label htmlFor={`${ids}-op`}>{t('wallet.history.operation')}</label>
          <select
            id={`${ids}-op`}
            value={form.operation}
            onChange={(e) => set({ operation: e.target.value as HistoryForm['operation'] })}
          >
            {OPERATIONS.map((o) => (
              <option key={o} value={o}>
                {t(`wallet.operation.${o}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="wl-field wl-grow">
          <label htmlFor={`${ids}-q`}>{t('wallet.history.search')}</label>
          <input
            id={`${ids}-q`}
            type="search"
            value={form.search}
            maxLength={100}
            placeholder={t('wallet.history.searchPlaceholder')}
            onChange={(e) => set({ search: e.target.value })}
          />
        </div>
        <div className="wl-break" aria-hidden="true" />
        <fieldset className="wl-chips">
          <legend>{t('wallet.history.currency')}</legend>
          {currencies.map((c) => (
            <label key={c} className={form.currencies.includes(c) ? 'on' : undefined}>
              <input
                type="checkbox"
                checked={form.currencies.includes(c)}
                onChange={() => set({ currencies: toggle(form.currencies, c) })}
              />
              {currencyCode(c)}
            </label>
          ))}
        </fieldset>
        <fieldset className="wl-chips">
          <legend>{t('wallet.history.status')}</legend>
          {TXN_STATUSES.map((s: TxnStatus) => (
            <label key={s} className={form.statuses.includes(s) ? 'on' : undefined}>
              <input
                type="checkbox"
                checked={form.statuses.includes(s)}
                onChange={() => set({ statuses: toggle(form.statuses, s) })}
              />
              {t(`wallet.status.${s}`)}
            </label>
          ))}
        </fieldset>
        <div className="wl-field wl-filter-end">
          <button
            type="button"
            onClick={() => setForm(emptyHistoryForm)}
            disabled={!filtered}
            data-testid="wallet-filter-reset"
          >
            {t('wallet.history.reset')}
          </button>
        </div>
        {problems.length > 0 && (
          <div className="wl-field-error wl-full" role="alert">
            {problems.includes('range') ? t('wallet.history.badRange') : t('wallet.history.badDate')}
          </div>
        )}
      </form>

      <div className="wl-count" aria-live="polite" data-testid="wallet-history-count">
        {rows.count === null
          ? t('wallet.common.loading')
          : t(filtered ? 'wallet.history.found' : 'wallet.history.saved', { count: rows.count })}
        <span className="muted"> · {t('wallet.history.mskNote')}</span>
      </div>
      {rows.error && <WalletError error={rows.error} context="history" />}

      <HistoryTable
        rows={rows}
        lang={lang}
        onOpen={(it) => {
          returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
          setOpen(it)
        }}
      />

      {open && <HistoryDetail item={open} lang={lang} onClose={closeDetail} />}
    </section>
  )
}
