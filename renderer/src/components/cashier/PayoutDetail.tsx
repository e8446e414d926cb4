import i18next from 'i18next'
import { useEffect, useRef, useState } from 'react'
import { createPortal } from 'react-dom'
import { useTranslation } from 'react-i18next'

import type { PayoutEventView, PayoutView, TerminalView } from '../../../../shared/payouts'
import type { AppErrorData } from '../../../../shared/result'
import { useApp } from '../../app-context'
import { ErrorNote } from './ErrorNote'
import { currencyHuman, displayState, formatDateTime, moneyHuman, recipientHuman } from './format'
import { receiptLines } from './report-model'
import { StateBadge } from './StateBadge'

/** The printable receipt, always in Russian (the desk's customers get a Russian receipt). */
function Receipt({ payout, terminal }: { payout: PayoutView; terminal: TerminalView | undefined }): React.JSX.Element {
  const ru = i18next.getFixedT('ru')
  const tr = (key: string, params?: Record<string, string | number>): string => ru(key, params ?? {})
  const lines = receiptLines(payout, terminal, tr)
  return createPortal(
    <div className="print-only" data-testid="receipt">
      <div className="receipt" lang="ru">
        <h1>{tr('cashier.receipt.title')}</h1>
        <dl>
          {lines.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className={k === tr('cashier.receipt.amount') ? 'receipt-amount' : undefined}>{v}</dd>
            </div>
          ))}
        </dl>
        <p className="receipt-note">{payout.final ? tr(`cashier.receipt.footer.${payout.state}`) : tr('cashier.receipt.notFinal')}</p>
      </div>
    </div>,
    document.body
  )
}

export function printReceipt(): void {
  document.body.classList.add('printing-receipt')
  const done = (): void => {
    document.body.classList.remove('printing-receipt')
    window.removeEventListener('afterprint', done)
  }
  window.addEventListener('afterprint', done)
  window.print()
  // Some hosts return from print() without an afterprint event.
  window.setTimeout(done, 1000)
}

/** One payout with its whole timeline: every state, request and reply (XML), error. */
export function PayoutDetail({
  id,
  terminals,
  onClose
}: {
  id: number
  terminals: TerminalView[]
  onClose: () => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const { api, online, settings } = useApp()
  const lang = settings.language
  const [data, setData] = useState<{ payout: PayoutView; events: PayoutEventView[] } | null>(null)
  const [error, setError] = useState<AppErrorData | null>(null)
  const closeRef = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    let live = true
    void api.payouts.get({ id }).then((r) => {
      if (!live) return
      if (r.ok) setData(r.value)
      else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [api, id])

  useEffect(() => {
    closeRef.current?.focus()
  }, [])

  // Esc closes the drawer wherever the focus is (it may sit on the page behind after printing).
  const close = useRef(onClose)
  useEffect(() => {
    close.current = onClose
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.preventDefault()
        close.current()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const p = data?.payout
  const terminal = p ? terminals.find((x) => x.id === p.terminalRef) : undefined

  const field = (label: string, value: React.ReactNode, testId?: string): React.JSX.Element => (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </>
  )

  return (
    <>
      <div className="drawer-backdrop" onClick={onClose} />
      <div
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="detail-title"
        data-testid="payout-detail"
      >
        <div className="drawer-head">
          <h2 id="detail-title">{t('cashier.detail.title', { number: p?.transactionNumber ?? '…' })}</h2>
          {p && (
            <button type="button" className="primary" onClick={printReceipt} data-testid="print-receipt">
              {t('cashier.detail.print')}
            </button>
          )}
          <button type="button" ref={closeRef} onClick={onClose}>
            {t('cashier.detail.close')}
          </button>
        </div>
        {error && <ErrorNote error={error} />}
        {!p && !error && <p className="muted">{t('cashier.common.loading')}</p>}
        {p && (
          <>
            <section className="card">
              <dl className="kv">
                {field(t('cashier.detail.fields.state'), <StateBadge state={displayState(p, online)} large />)}
                {field(t('cashier.detail.fields.transactionNumber'), <span className="mono">{p.transactionNumber}</span>)}
                {field(t('cashier.detail.fields.terminal'), terminal ? `${terminal.name} (${terminal.terminalId})` : p.terminal)}
                {field(t('cashier.detail.fields.service'), t(`cashier.services.${p.service}`))}
                {field(t('cashier.detail.fields.account'), <span className="mono">{recipientHuman(p.service, p.account)}</span>)}
                {field(
                  t('cashier.detail.fields.amount'),
                  <strong>
                    {moneyHuman(p.amount, lang)} {currencyHuman(p.currency)}
                  </strong>,
                  'detail-amount'
                )}
                {p.comment && field(t('cashier.detail.fields.comment'), p.comment)}
                {p.status !== null && field(t('cashier.detail.fields.status'), p.status)}
                {p.resultCode !== null && field(t('cashier.detail.fields.resultCode'), p.resultCode)}
                {p.resultMessage && field(t('cashier.detail.fields.resultMessage'), p.resultMessage)}
                {p.txnId && field(t('cashier.detail.fields.txnId'), <span className="mono">{p.txnId}</span>)}
                {p.txnDate && field(t('cashier.detail.fields.txnDate'), p.txnDate)}
                {field(t('cashier.detail.fields.attempts'), String(p.attempts))}
                {!p.final && p.nextCheckAt !== null && field(t('cashier.detail.fields.nextCheckAt'), formatDateTime(p.nextCheckAt, lang))}
                {field(t('cashier.detail.fields.createdAt'), formatDateTime(p.createdAt, lang))}
                {p.finalAt !== null && field(t('cashier.detail.fields.finalAt'), formatDateTime(p.finalAt, lang))}
                {p.error &&
                  field(
                    t('cashier.detail.fields.error'),
                    <>
                      {p.error.message} <span className="cashier-code">{p.error.code}</span>
                    </>
                  )}
              </dl>
            </section>
            <section className="card">
              <h3>{t('cashier.detail.timeline')}</h3>
              {data.events.length === 0 ? (
                <p className="muted">{t('cashier.detail.noEvents')}</p>
              ) : (
                <ol className="timeline" data-testid="timeline">
                  {data.events.map((ev) => (
                    <li key={ev.id} className={`ev-${ev.kind}`} data-kind={ev.kind}>
                      <div className="ev-head">
                        <span className="muted">{formatDateTime(ev.at, lang)}</span>
                        <strong>{t(`cashier.detail.events.${ev.kind}`)}</strong>
                        {ev.requestType && <code>{ev.requestType}</code>}
                        {ev.httpStatus !== null && <span className="muted">{t('cashier.detail.http', { status: ev.httpStatus })}</span>}
                        {ev.kind === 'state' && ev.fromState && ev.toState && ev.fromState !== ev.toState && (
                          <span>
                            {t(`cashier.states.${ev.fromState}`)} → {t(`cashier.states.${ev.toState}`)}
                          </span>
                        )}
                        {ev.kind === 'state' && !ev.fromState && ev.toState && <span>→ {t(`cashier.states.${ev.toState}`)}</span>}
                        {ev.classification && <code>{ev.classification}</code>}
                      </div>
                      {ev.message && <div>{ev.message}</div>}
                      {ev.body && (
                        <details>
                          <summary>{t('cashier.detail.showXml')}</summary>
                          <pre>{ev.body}</pre>
                        </details>
                      )}
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <Receipt payout={p} terminal={terminal} />
          </>
        )}
      </div>
    </>
  )
}
