import { useCallback, useEffect, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import { formatPhone } from '../../../../shared/validation'
import type { TransferView, WalletView } from '../../../../shared/wallet'
import { useApp } from '../../app-context'
import { useApiEvent } from '../../hooks/use-api-event'
import { WalletError } from './WalletError'
import {
  emptyTransferForm,
  featureBlocked,
  formatMoscow,
  MAX_TRANSFER_COMMENT,
  moneyText,
  phonePreview,
  sanitizeAmountInput,
  transferTone,
  upsertTransfer,
  validateTransfer
} from './wallet-model'
import type { Lang, TransferForm, TransferRequest } from './wallet-model'

const RUB = '643'

interface Quote {
  request: TransferRequest
  commission: string
  total: string
  /** One id per confirmation: a retry of the same confirmation reuses it, so the core never sends twice. */
  clientRequestId: string
}

type Step = { kind: 'form' } | { kind: 'confirm'; quote: Quote } | { kind: 'result'; transferId: string }

export function TransferStateBadge({ state }: { state: TransferView['state'] }): React.JSX.Element {
  const { t } = useTranslation()
  return (
    <span className={`wl-badge wl-tone-${transferTone(state)}`} data-state={state}>
      {t(`wallet.transferState.${state}`)}
    </span>
  )
}

/** What the core says about one transfer, in plain words: accepted / being reconciled / failed. */
function TransferOutcome({ transfer, lang }: { transfer: TransferView; lang: Lang }): React.JSX.Element {
  const { t } = useTranslation()
  const tone = transferTone(transfer.state)
  return (
    <div
      className={`wl-outcome wl-outcome-${tone}`}
      role={tone === 'bad' ? 'alert' : 'status'}
      data-testid="transfer-outcome"
      data-state={transfer.state}
    >
      <h3>{t(`wallet.transfer.outcome.${transfer.state}.title`)}</h3>
      <p>{t(`wallet.transfer.outcome.${transfer.state}.text`)}</p>
      <dl className="wl-kv">
        <dt>{t('wallet.transfer.to')}</dt>
        <dd className="wl-mono">{formatPhone(transfer.to)}</dd>
        <dt>{t('wallet.transfer.amount')}</dt>
        <dd>
          <strong>{moneyText({ amount: transfer.amount, currency: RUB }, lang)}</strong>
        </dd>
        {transfer.txnId && (
          <>
            <dt>{t('wallet.transfer.txnId')}</dt>
            <dd className="wl-mono" data-testid="transfer-txnid">
              {transfer.txnId}
            </dd>
          </>
        )}
        <dt>{t('wallet.transfer.clientId')}</dt>
        <dd className="wl-mono">{transfer.id}</dd>
      </dl>
      {transfer.state === 'failed' && transfer.error && (
        <WalletError
          error={transfer.error}
          context="transferFailed"
          showMessage
          testId="transfer-failed-error"
        />
      )}
    </div>
  )
}

/**
 * Transfer to a QIWI wallet (spec §7.3): recipient and amount validated as typed, the
 * commission (§6) shown on a confirmation step, one clientRequestId per confirmation and the
 * button disabled while in flight, and the outcome as the core reports it — accepted,
 * waiting (outcome unknown, being reconciled; never called failed) or failed.
 */
export function TransferPanel({ wallet }: { wallet: WalletView }): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang = settings.language
  const ids = useId()
  const blocked = featureBlocked(wallet.permissions, 'transfer')

  const [form, setForm] = useState<TransferForm>(emptyTransferForm)
  const [touched, setTouched] = useState<Record<keyof TransferForm, boolean>>({
    to: false,
    amount: false,
    comment: false
  })
  const [step, setStep] = useState<Step>({ kind: 'form' })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorData | null>(null)
  const [transfers, setTransfers] = useState<TransferView[] | null>(null)
  const [listError, setListError] = useState<AppErrorData | null>(null)
  const confirmRef = useRef<HTMLButtonElement>(null)
  const sending = useRef(false)

  const { request, problems } = validateTransfer(form)
  const problem = (f: keyof TransferForm): string | null => {
    const p = problems.find((x) => x.field === f)
    return p && touched[f]
      ? t(`wallet.transfer.problems.${f}.${p.reason}`, {
          defaultValue: t('wallet.transfer.problems.generic')
        })
      : null
  }
  const preview = phonePreview(form.to)

  const loadTransfers = useCallback(async () => {
    const r = await api.wallet.transfers({ id: wallet.id })
    if (!r.ok) return setListError(r.error)
    setListError(null)
    setTransfers((cur) => r.value.reduce((acc, x) => upsertTransfer(acc, x), cur ?? []))
  }, [api, wallet.id])

  useEffect(() => {
    let live = true
    void api.wallet.transfers({ id: wallet.id }).then((r) => {
      if (!live) return
      if (!r.ok) return setListError(r.error)
      setTransfers((cur) => r.value.reduce((acc, x) => upsertTransfer(acc, x), cur ?? []))
    })
    return () => {
      live = false
    }
  }, [api, wallet.id])

  useApiEvent('wallet:transfer', (x) => {
    if (x.walletId !== wallet.id) return
    setTransfers((cur) => upsertTransfer(cur ?? [], x))
  })

  useEffect(() => {
    if (step.kind === 'confirm') confirmRef.current?.focus()
  }, [step.kind])

  const quote = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    setTouched({ to: true, amount: true, comment: true })
    if (!request || busy) return
    setBusy(true)
    setError(null)
    const r = await api.wallet.commission({ id: wallet.id, to: request.to, amount: request.amount })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setStep({
      kind: 'confirm',
      quote: {
        request,
        commission: r.value.commission,
        total: r.value.total,
        clientRequestId: crypto.randomUUID()
      }
    })
  }

  const send = async (q: Quote): Promise<void> => {
    // A ref as well as state: a double click lands before React re-renders the disabled button.
    if (sending.current) return
    sending.current = true
    setBusy(true)
    setError(null)
    const r = await api.wallet.transfer({
      id: wallet.id,
      clientRequestId: q.clientRequestId,
      to: q.request.to,
      amount: q.request.amount,
      ...(q.request.comment ? { comment: q.request.comment } : {})
    })
    sending.current = false
    setBusy(false)
    if (!r.ok) {
      // The call itself failed: the core may or may not have recorded the transfer. Stay on
      // this confirmation (same id, so a retry cannot send twice) and show the list's truth.
      setError(r.error)
      void loadTransfers()
      return
    }
    setTransfers((cur) => upsertTransfer(cur ?? [], r.value))
    setStep({ kind: 'result', transferId: r.value.id })
  }

  const restart = (keepRecipient: boolean): void => {
    setForm(keepRecipient ? { ...emptyTransferForm, to: form.to } : emptyTransferForm)
    setTouched({ to: false, amount: false, comment: false })
    setError(null)
    setStep({ kind: 'form' })
  }

  const result = step.kind === 'result' ? (transfers ?? []).find((x) => x.id === step.transferId) : undefined

  return (
    <div className="wl-transfer-grid">
      <section className="card" aria-labelledby={`${ids}-t`} data-testid="wallet-transfer">
        <h2 id={`${ids}-t`}>{t('wallet.transfer.title')}</h2>
        {blocked && (
          <p className="wl-note wl-warn" data-testid="transfer-blocked">
            {t('wallet.blocked', { scope: t('wallet.scopes.payments') })}
          </p>
        )}

        {step.kind === 'form' && !blocked && (
          <form className="wl-form" onSubmit={(e) => void quote(e)} noValidate>
            <label htmlFor={`${ids}-to`}>{t('wallet.transfer.to')}</label>
            <div>
              <input
                id={`${ids}-to`}
                inputMode="tel"
                autoComplete="off"
                value={form.to}
                maxLength={24}
                placeholder="+7 900 765-43-21"
                onChange={(e) => setForm((f) => ({ ...f, to: e.target.value }))}
                onBlur={() => setTouched((x) => ({ ...x, to: true }))}
                aria-invalid={problem('to') !== null}
                aria-describedby={`${ids}-to-hint`}
              />
              <div id={`${ids}-to-hint`} className="muted" data-testid="transfer-to-preview">
                {preview ? t('wallet.transfer.toPreview', { phone: preview }) : t('wallet.transfer.toHint')}
              </div>
              {problem('to') && <div className="wl-field-error">{problem('to')}</div>}
            </div>

            <label htmlFor={`${ids}-amount`}>{t('wallet.transfer.amountRub')}</label>
            <div>
              <input
                id={`${ids}-amount`}
                inputMode="decimal"
                autoComplete="off"
                className="wl-amount"
                value={form.amount}
                placeholder="0,00"
                onChange={(e) => setForm((f) => ({ ...f, amount: sanitizeAmountInput(e.target.value) }))}
                onBlur={() => setTouched((x) => ({ ...x, amount: true }))}
                aria-invalid={problem('amount') !== null}
              />
              {request && (
                <div className="muted">{moneyText({ amount: request.amount, currency: RUB }, lang)}</div>
              )}
              {problem('amount') && <div className="wl-field-error">{problem('amount')}</div>}
            </div>

            <label htmlFor={`${ids}-comment`}>{t('wallet.transfer.comment')}</label>
            <div>
              <textarea
                id={`${ids}-comment`}
                rows={2}
                value={form.comment}
                maxLength={MAX_TRANSFER_COMMENT + 20}
                onChange={(e) => setForm((f) => ({ ...f, comment: e.target.value }))}
                onBlur={() => setTouched((x) => ({ ...x, comment: true }))}
                aria-invalid={problem('comment') !== null}
              />
              <div className="muted">
                {t('wallet.transfer.commentCount', { n: form.comment.length, max: MAX_TRANSFER_COMMENT })}
              </div>
              {problem('comment') && <div className="wl-field-error">{problem('comment')}</div>}
            </div>

            <span />
            <div className="wl-actions">
              <button type="submit" className="primary" disabled={busy} data-testid="transfer-continue">
                {busy ? t('wallet.transfer.quoting') : t('wallet.transfer.continue')}
              </button>
            </div>
          </form>
        )}

        {step.kind === 'confirm' && (
          <div className="wl-confirm-step" data-testid="transfer-confirm">
            <h3>{t('wallet.transfer.confirmTitle')}</h3>
            <dl className="wl-kv wl-confirm-kv">
              <dt>{t('wallet.transfer.to')}</dt>
              <dd className="wl-mono wl-big">{formatPhone(step.quote.request.to)}</dd>
              <dt>{t('wallet.transfer.amount')}</dt>
              <dd>{moneyText({ amount: step.quote.request.amount, currency: RUB }, lang)}</dd>
              <dt>{t('wallet.transfer.commission')}</dt>
              <dd data-testid="transfer-commission">
                {moneyText({ amount: step.quote.commission, currency: RUB }, lang)}
              </dd>
              <dt>{t('wallet.transfer.total')}</dt>
              <dd className="wl-big" data-testid="transfer-total">
                <strong>{moneyText({ amount: step.quote.total, currency: RUB }, lang)}</strong>
              </dd>
              {step.quote.request.comment && (
                <>
                  <dt>{t('wallet.transfer.comment')}</dt>
                  <dd className="wl-pre">{step.quote.request.comment}</dd>
                </>
              )}
            </dl>
            <p className="muted">{t('wallet.transfer.confirmNote')}</p>
            <div className="wl-actions">
              <button
                type="button"
                ref={confirmRef}
                className="primary"
                disabled={busy}
                onClick={() => void send(step.quote)}
                data-testid="transfer-confirm-send"
              >
                {busy
                  ? t('wallet.transfer.sending')
                  : error
                    ? t('wallet.transfer.retrySame')
                    : t('wallet.transfer.send')}
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => {
                  setError(null)
                  setStep({ kind: 'form' })
                }}
              >
                {t('wallet.transfer.edit')}
              </button>
            </div>
          </div>
        )}

        {step.kind === 'result' && (
          <div data-testid="transfer-result">
            {result ? (
              <TransferOutcome transfer={result} lang={lang} />
            ) : (
              <p className="muted">{t('wallet.common.loading')}</p>
            )}
            <div className="wl-actions">
              <button
                type="button"
                className="primary"
                onClick={() => restart(false)}
                data-testid="transfer-new"
              >
                {t('wallet.transfer.another')}
              </button>
              <button type="button" onClick={() => restart(true)}>
                {t('wallet.transfer.sameRecipient')}
              </button>
            </div>
          </div>
        )}

        {error && (
          <>
            <WalletError
              error={error}
              context={step.kind === 'confirm' ? 'transfer' : 'commission'}
              title={
                step.kind === 'confirm' ? t('wallet.transfer.callFailed') : t('wallet.transfer.quoteFailed')
              }
              testId="transfer-error"
            />
            {step.kind === 'confirm' && <p className="muted">{t('wallet.transfer.callFailedNote')}</p>}
          </>
        )}
      </section>

      <TransfersList transfers={transfers} error={listError} lang={lang} />
    </div>
  )
}

/** Transfers made from this desk (wallet:transfers), kept current by wallet:transfer events. */
function TransfersList({
  transfers,
  error,
  lang
}: {
  transfers: TransferView[] | null
  error: AppErrorData | null
  lang: Lang
}): React.JSX.Element {
  const { t } = useTranslation()
  const ids = useId()
  return (
    <section className="card" aria-labelledby={`${ids}-t`} data-testid="wallet-transfers">
      <h2 id={`${ids}-t`}>{t('wallet.transfers.title')}</h2>
      {error && <WalletError error={error} />}
      {transfers === null && !error && <p className="muted">{t('wallet.common.loading')}</p>}
      {transfers !== null && transfers.length === 0 && <p className="muted">{t('wallet.transfers.none')}</p>}
      {transfers !== null && transfers.length > 0 && (
        <div className="wl-table-wrap">
          <table className="wl-table">
            <thead>
              <tr>
                <th scope="col">{t('wallet.transfers.when')}</th>
                <th scope="col">{t('wallet.transfer.to')}</th>
                <th scope="col" className="wl-num">
                  {t('wallet.transfer.amount')}
                </th>
                <th scope="col">{t('wallet.transfers.state')}</th>
              </tr>
            </thead>
            <tbody>
              {transfers.map((x) => (
                <tr key={x.id} data-testid={`transfer-row-${x.id}`} data-state={x.state}>
                  <td className="wl-nowrap">{formatMoscow(x.createdAt, lang)}</td>
                  <td>
                    <div className="wl-mono wl-nowrap">{formatPhone(x.to)}</div>
                    {x.comment && <div className="muted wl-ellipsis">{x.comment}</div>}
                  </td>
                  <td className="wl-num">{moneyText({ amount: x.amount, currency: RUB }, lang)}</td>
                  <td>
                    <TransferStateBadge state={x.state} />
                    {x.txnId && <div className="muted wl-mono">{x.txnId}</div>}
                    {x.state === 'failed' && x.error && (
                      <div className="wl-code">
                        {x.error.message || t([`wallet.errors.${x.error.code}`, 'wallet.errors.generic'])} (
                        {x.error.code})
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
