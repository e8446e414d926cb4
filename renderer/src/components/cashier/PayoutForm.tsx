import { useEffect, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

import '../../cashier.css'
import { formatAmountHuman } from '../../../../shared/money'
import type { PayoutView, PrecheckView, TerminalView } from '../../../../shared/payouts'
import type { AppErrorData } from '../../../../shared/result'
import { useApp } from '../../app-context'
import { ErrorNote } from './ErrorNote'
import type { Lang } from './format'
import {
  amountLimitsHuman,
  buildCreateInput,
  buildPrecheckInput,
  cardBrandOf,
  emptyForm,
  fieldsFor,
  FORM_SERVICES,
  isFormService,
  maskAmount,
  maskCard,
  maskPhone,
  maskSbpBankId,
  phonePreview,
  precheckVerdict,
  recipientLines,
  settleAmount,
  validateForm,
  visibleIssue
} from './payout-form'
import type { FieldIssue, FieldName, FormService, NormalizedPayout, PayoutFormValues } from './payout-form'

/** One confirmation = one client request id: a retry of the same confirmation reuses it. */
function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

/** Arming delay of the Pay button: a double Enter on the form never skips the review. */
const ARM_MS = 350

type Precheck = { status: 'loading' } | { status: 'done'; view: PrecheckView } | { status: 'error'; error: AppErrorData }

interface Confirmation {
  normalized: NormalizedPayout
  terminal: TerminalView
  clientRequestId: string
  precheck: Precheck | null
}

export function PayoutForm({
  terminals,
  onCreated
}: {
  terminals: TerminalView[]
  onCreated: (p: PayoutView) => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang: Lang = settings.language
  const uid = useId()

  const [terminalRef, setTerminalRef] = useState<string>(terminals[0]?.id ?? '')
  const terminal = terminals.find((x) => x.id === terminalRef) ?? terminals[0]
  const allowed = FORM_SERVICES.filter((s) => terminal?.servicesAllowed.includes(s))
  const [values, setValues] = useState<PayoutFormValues>(() => emptyForm(allowed[0] ?? 'wallet'))
  const service: FormService = allowed.includes(values.service) ? values.service : (allowed[0] ?? values.service)
  const v: PayoutFormValues = { ...values, service }

  const [touched, setTouched] = useState<ReadonlySet<FieldName>>(new Set())
  const [submitted, setSubmitted] = useState(false)
  const [confirm, setConfirm] = useState<Confirmation | null>(null)
  const [armed, setArmed] = useState(false)
  const [paying, setPaying] = useState(false)
  const payingRef = useRef(false)
  const [createError, setCreateError] = useState<AppErrorData | null>(null)
  const [created, setCreated] = useState<PayoutView | null>(null)
  const [focusTick, setFocusTick] = useState(0)

  const accountRef = useRef<HTMLInputElement>(null)
  const cardRef = useRef<HTMLInputElement>(null)
  const bankRef = useRef<HTMLInputElement>(null)
  const amountRef = useRef<HTMLInputElement>(null)
  const commentRef = useRef<HTMLInputElement>(null)
  const confirmTitleRef = useRef<HTMLHeadingElement>(null)
  const payRef = useRef<HTMLButtonElement>(null)
  const refs: Record<FieldName, React.RefObject<HTMLInputElement | null>> = {
    account: accountRef,
    cardNumber: cardRef,
    bankId: bankRef,
    amount: amountRef,
    comment: commentRef
  }

  const { issues } = validateForm(v, lang)
  const limits = amountLimitsHuman(service, lang)
  const verdict = confirm?.precheck?.status === 'done' ? precheckVerdict(confirm.precheck.view) : null
  const precheckPending = confirm?.precheck?.status === 'loading'
  const payDisabled = !armed || paying || precheckPending || (verdict?.blocks ?? false)

  // Focus: the first field on start and after every payout / clear; the review when it opens.
  useEffect(() => {
    if (focusTick > 0) accountRef.current?.focus()
  }, [focusTick])
  useEffect(() => {
    if (!confirm) return
    confirmTitleRef.current?.focus()
    const id = window.setTimeout(() => setArmed(true), ARM_MS)
    return () => window.clearTimeout(id)
  }, [confirm?.clientRequestId]) // eslint-disable-line react-hooks/exhaustive-deps -- re-arm per confirmation only
  useEffect(() => {
    if (confirm && !payDisabled) payRef.current?.focus()
  }, [confirm, payDisabled])

  const set = (patch: Partial<PayoutFormValues>): void => {
    setValues((cur) => ({ ...cur, service, ...patch }))
    setCreated(null)
  }
  const touch = (f: FieldName): void => setTouched((cur) => (cur.has(f) ? cur : new Set([...cur, f])))

  const clear = (): void => {
    setValues((cur) => ({ ...emptyForm(service), incomeWireTransfer: cur.incomeWireTransfer }))
    setTouched(new Set())
    setSubmitted(false)
    setConfirm(null)
    setArmed(false)
    setCreateError(null)
    setFocusTick((n) => n + 1)
  }

  const backToEdit = (): void => {
    setConfirm(null)
    setArmed(false)
    setCreateError(null)
    setFocusTick((n) => n + 1)
  }

  const review = (): void => {
    // A second Enter that lands on the fresh, empty form after a payout is not a new attempt.
    if (created && v.account === '' && v.amount === '' && v.cardNumber === '' && v.bankId === '' && v.comment === '') return
    setSubmitted(true)
    setCreated(null)
    const r = validateForm(v, lang)
    if (!r.value || !terminal) {
      const first = fieldsFor(service).find((f) => r.issues[f])
      if (first) refs[first].current?.focus()
      return
    }
    const normalized = r.value
    const c: Confirmation = {
      normalized,
      terminal,
      clientRequestId: newRequestId(),
      precheck: normalized.service === 'wallet' ? { status: 'loading' } : null
    }
    setArmed(false)
    setCreateError(null)
    setConfirm(c)
    if (normalized.service === 'wallet') {
      void api.payouts.precheck(buildPrecheckInput(normalized, terminal.id)).then((res) => {
        setConfirm((cur) =>
          cur && cur.clientRequestId === c.clientRequestId
            ? { ...cur, precheck: res.ok ? { status: 'done', view: res.value } : { status: 'error', error: res.error } }
            : cur
        )
      })
    }
  }

  const pay = async (): Promise<void> => {
    // The ref closes the window between a click and the re-render that disables the button.
    if (!confirm || payingRef.current || payDisabled) return
    payingRef.current = true
    setPaying(true)
    setCreateError(null)
    const r = await api.payouts.create(buildCreateInput(confirm.normalized, confirm.terminal.id, confirm.clientRequestId))
    payingRef.current = false
    setPaying(false)
    if (!r.ok) {
      setCreateError(r.error)
      return
    }
    onCreated(r.value)
    setCreated(r.value)
    setValues((cur) => ({ ...emptyForm(service), incomeWireTransfer: cur.incomeWireTransfer }))
    setTouched(new Set())
    setSubmitted(false)
    setConfirm(null)
    setArmed(false)
    setFocusTick((n) => n + 1)
  }

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (e.key !== 'Escape') return
    e.preventDefault()
    if (paying) return
    if (confirm) backToEdit()
    else clear()
  }

  if (!terminal) {
    return <p className="muted">{t('cashier.payouts.noTerminals')}</p>
  }

  if (confirm) {
    const lines = recipientLines(confirm.normalized)
    const n = confirm.normalized
    return (
      <section className="card confirm-panel" aria-labelledby={`${uid}-confirm`} onKeyDown={onKeyDown} data-testid="confirm-panel">
        <h2 id={`${uid}-confirm`} ref={confirmTitleRef} tabIndex={-1}>
          {t('cashier.confirm.title')}
        </h2>
        <dl className="confirm-list">
          <dt>{t('cashier.confirm.terminal')}</dt>
          <dd data-testid="confirm-terminal">
            {confirm.terminal.name} <span className="muted">({confirm.terminal.terminalId})</span>
          </dd>
          <dt>{t('cashier.confirm.service')}</dt>
          <dd data-testid="confirm-service">{t(`cashier.services.${n.service}`)}</dd>
          {lines.phone && (
            <>
              <dt>{t('cashier.confirm.recipient')}</dt>
              <dd className="confirm-recipient" data-testid="confirm-recipient">
                {lines.phone}
              </dd>
            </>
          )}
          {lines.card && (
            <>
              <dt>{t('cashier.confirm.card')}</dt>
              <dd className="confirm-recipient" data-testid="confirm-card">
                {lines.card} <span className="brand-chip">{t(`cashier.brands.${n.cardBrand ?? 'unknown'}`)}</span>
              </dd>
            </>
          )}
          {n.bankId && (
            <>
              <dt>{t('cashier.confirm.bank')}</dt>
              <dd data-testid="confirm-bank">{n.bankId}</dd>
            </>
          )}
          {n.incomeWireTransfer !== undefined && (
            <>
              <dt>{t('cashier.confirm.funds')}</dt>
              <dd>{n.incomeWireTransfer ? t('cashier.payouts.fundsWire') : t('cashier.payouts.fundsCash')}</dd>
            </>
          )}
          <dt>{t('cashier.confirm.amount')}</dt>
          <dd className="confirm-amount" data-testid="confirm-amount">
            {formatAmountHuman(n.amountKopecks, lang)} <span className="currency">₽</span>
          </dd>
          {n.comment && (
            <>
              <dt>{t('cashier.confirm.comment')}</dt>
              <dd className="confirm-comment">{n.comment}</dd>
            </>
          )}
        </dl>

        {confirm.precheck && (
          <div
            className={`precheck tone-${verdict?.tone ?? (confirm.precheck.status === 'error' ? 'warn' : 'info')}`}
            data-testid="precheck"
            data-kind={confirm.precheck.status === 'done' ? confirm.precheck.view.kind : confirm.precheck.status}
            role="status"
          >
            <strong>{t('cashier.confirm.precheck')}: </strong>
            {confirm.precheck.status === 'loading' && t('cashier.confirm.checking')}
            {verdict && t(`cashier.precheck.${verdict.key}`)}
            {confirm.precheck.status === 'done' && confirm.precheck.view.message && (
              <span className="muted"> — {confirm.precheck.view.message}</span>
            )}
            {confirm.precheck.status === 'error' && (
              <ErrorNote error={confirm.precheck.error} title={t('cashier.precheck.error')} testId="precheck-error" />
            )}
          </div>
        )}
        {!confirm.precheck && (
          <div className="precheck tone-info" data-testid="precheck" data-kind="not-applicable">
            <strong>{t('cashier.confirm.precheck')}: </strong>
            {t('cashier.precheck.notApplicable')}
          </div>
        )}

        {createError && <ErrorNote error={createError} title={t('cashier.confirm.failed')} testId="create-error" />}
        {verdict?.blocks && <p className="tone-text-bad">{t('cashier.confirm.blocked')}</p>}

        <div className="confirm-actions">
          <button
            ref={payRef}
            type="button"
            className="primary pay-button"
            data-testid="pay-button"
            disabled={payDisabled}
            aria-busy={paying}
            onClick={() => void pay()}
          >
            {paying ? t('cashier.confirm.paying') : t('cashier.confirm.pay', { amount: formatAmountHuman(n.amountKopecks, lang) })}
          </button>
          <button type="button" onClick={backToEdit} disabled={paying}>
            {t('cashier.confirm.back')}
          </button>
          <span className="muted keys-hint">{t('cashier.confirm.keysHint')}</span>
        </div>
      </section>
    )
  }

  const issueOf = (f: FieldName): FieldIssue | null => visibleIssue(issues[f], touched.has(f), submitted)
  const describe = (f: FieldName, hint: boolean): string | undefined =>
    [issueOf(f) ? `${uid}-${f}-err` : null, hint ? `${uid}-${f}-hint` : null].filter(Boolean).join(' ') || undefined
  const errorLine = (f: FieldName): React.JSX.Element | null => {
    const issue = issueOf(f)
    return issue ? (
      <div id={`${uid}-${f}-err`} className="field-error" data-testid={`error-${f}`}>
        {t(`cashier.validation.${issue.key}`, issue.params ?? {})}
      </div>
    ) : null
  }

  const accountLabel =
    service === 'card'
      ? t('cashier.payouts.cardNumber')
      : service === 'sbp'
        ? t('cashier.payouts.phoneSbp')
        : service === 'mobile'
          ? t('cashier.payouts.phoneMobile')
          : service === 'card-spec'
            ? t('cashier.payouts.phoneCardSpec')
            : t('cashier.payouts.phone')
  const preview = service === 'card' ? null : phonePreview(v.account)
  const brand = service === 'card' ? cardBrandOf(v.account) : service === 'card-spec' ? cardBrandOf(v.cardNumber) : null

  const onPhoneOrCard =
    (field: 'account' | 'cardNumber', card: boolean) =>
    (e: React.ChangeEvent<HTMLInputElement>): void => {
      const el = e.target
      const atEnd = el.selectionStart === el.value.length
      // Reformat only while typing at the end, so editing in the middle keeps the caret.
      const next = atEnd ? (card ? maskCard(el.value) : maskPhone(el.value, v[field])) : el.value
      set({ [field]: next })
    }

  return (
    <form
      className="card payout-form"
      aria-label={t('cashier.payouts.title')}
      noValidate
      onKeyDown={onKeyDown}
      onSubmit={(e) => {
        e.preventDefault()
        review()
      }}
    >
      <div className="form-row">
        <label htmlFor={`${uid}-terminal`}>{t('cashier.payouts.terminal')}</label>
        <select
          id={`${uid}-terminal`}
          data-testid="terminal-select"
          value={terminal.id}
          onChange={(e) => {
            setTerminalRef(e.target.value)
            setCreated(null)
          }}
        >
          {terminals.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name} ({x.terminalId}){x.paused ? ` — ${t('cashier.states.paused')}` : ''}
            </option>
          ))}
        </select>
      </div>

      <div className="form-row">
        <span className="row-label" id={`${uid}-service-label`}>
          {t('cashier.payouts.service')}
        </span>
        <div className="service-options" role="radiogroup" aria-labelledby={`${uid}-service-label`}>
          {allowed.map((s) => (
            <label key={s} className={s === service ? 'service-option checked' : 'service-option'}>
              <input
                type="radio"
                name={`${uid}-service`}
                value={s}
                checked={s === service}
                data-testid={`service-${s}`}
                onChange={() => {
                  if (isFormService(s)) set({ service: s })
                  setTouched(new Set())
                  setSubmitted(false)
                }}
              />
              {t(`cashier.services.${s}`)}
            </label>
          ))}
        </div>
      </div>

      <div className="form-row">
        <label htmlFor={`${uid}-account`}>{accountLabel}</label>
        <div>
          <input
            id={`${uid}-account`}
            ref={accountRef}
            data-testid="field-account"
            className={service === 'card' ? 'mono wide' : 'mono'}
            inputMode={service === 'card' ? 'numeric' : 'tel'}
            autoComplete="off"
            autoFocus
            spellCheck={false}
            value={v.account}
            placeholder={service === 'card' ? '2200 0000 0000 0000' : '+7 9__ ___-__-__'}
            aria-invalid={issueOf('account') ? true : undefined}
            aria-describedby={describe('account', Boolean(preview || (service === 'card' && brand)))}
            onChange={onPhoneOrCard('account', service === 'card')}
            onBlur={() => touch('account')}
          />
          {errorLine('account')}
          {!issueOf('account') && service !== 'card' && preview && (
            <div id={`${uid}-account-hint`} className="field-hint">
              {t('cashier.payouts.phonePreview', { phone: preview })}
            </div>
          )}
          {!issueOf('account') && service === 'card' && brand && (
            <div id={`${uid}-account-hint`} className="field-hint" data-testid="card-brand" data-brand={brand}>
              {t('cashier.payouts.cardBrand', { brand: t(`cashier.brands.${brand}`) })}
            </div>
          )}
        </div>
      </div>

      {service === 'card-spec' && (
        <div className="form-row">
          <label htmlFor={`${uid}-cardNumber`}>{t('cashier.payouts.cardNumber')}</label>
          <div>
            <input
              id={`${uid}-cardNumber`}
              ref={cardRef}
              data-testid="field-cardNumber"
              className="mono wide"
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              value={v.cardNumber}
              aria-invalid={issueOf('cardNumber') ? true : undefined}
              aria-describedby={describe('cardNumber', Boolean(brand))}
              onChange={onPhoneOrCard('cardNumber', true)}
              onBlur={() => touch('cardNumber')}
            />
            {errorLine('cardNumber')}
            {!issueOf('cardNumber') && brand && (
              <div id={`${uid}-cardNumber-hint`} className="field-hint" data-testid="card-brand" data-brand={brand}>
                {t('cashier.payouts.cardBrand', { brand: t(`cashier.brands.${brand}`) })}
              </div>
            )}
          </div>
        </div>
      )}

      {service === 'sbp' && (
        <div className="form-row">
          <label htmlFor={`${uid}-bankId`}>{t('cashier.payouts.bankId')}</label>
          <div>
            <input
              id={`${uid}-bankId`}
              ref={bankRef}
              data-testid="field-bankId"
              className="mono"
              inputMode="numeric"
              autoComplete="off"
              value={v.bankId}
              aria-invalid={issueOf('bankId') ? true : undefined}
              aria-describedby={describe('bankId', true)}
              onChange={(e) => set({ bankId: maskSbpBankId(e.target.value) })}
              onBlur={() => touch('bankId')}
            />
            {errorLine('bankId')}
            <div id={`${uid}-bankId-hint`} className="field-hint">
              {t('cashier.payouts.bankIdHint')}
            </div>
          </div>
        </div>
      )}

      <div className="form-row">
        <label htmlFor={`${uid}-amount`}>{t('cashier.payouts.amount')}</label>
        <div>
          <input
            id={`${uid}-amount`}
            ref={amountRef}
            data-testid="field-amount"
            className="amount-input"
            inputMode="decimal"
            autoComplete="off"
            value={v.amount}
            placeholder="0,00"
            aria-invalid={issueOf('amount') ? true : undefined}
            aria-describedby={describe('amount', true)}
            onChange={(e) => set({ amount: maskAmount(e.target.value) })}
            onBlur={() => {
              touch('amount')
              set({ amount: settleAmount(v.amount, lang) })
            }}
          />
          {errorLine('amount')}
          <div id={`${uid}-amount-hint`} className="field-hint">
            {t('cashier.payouts.amountHint', limits)}
          </div>
        </div>
      </div>

      {service === 'wallet' && (
        <div className="form-row">
          <span className="row-label" id={`${uid}-funds-label`}>
            {t('cashier.payouts.funds')}
          </span>
          <div className="funds-options" role="radiogroup" aria-labelledby={`${uid}-funds-label`}>
            <label>
              <input
                type="radio"
                name={`${uid}-funds`}
                checked={!v.incomeWireTransfer}
                data-testid="funds-cash"
                onChange={() => set({ incomeWireTransfer: false })}
              />
              {t('cashier.payouts.fundsCash')}
            </label>
            <label>
              <input
                type="radio"
                name={`${uid}-funds`}
                checked={v.incomeWireTransfer}
                data-testid="funds-wire"
                onChange={() => set({ incomeWireTransfer: true })}
              />
              {t('cashier.payouts.fundsWire')}
            </label>
          </div>
        </div>
      )}

      <div className="form-row">
        <label htmlFor={`${uid}-comment`}>{t('cashier.payouts.comment')}</label>
        <div>
          <input
            id={`${uid}-comment`}
            ref={commentRef}
            data-testid="field-comment"
            className="wide"
            autoComplete="off"
            maxLength={1000}
            value={v.comment}
            aria-invalid={issueOf('comment') ? true : undefined}
            aria-describedby={describe('comment', true)}
            onChange={(e) => set({ comment: e.target.value })}
            onBlur={() => touch('comment')}
          />
          {errorLine('comment')}
          <div id={`${uid}-comment-hint`} className="field-hint">
            {t('cashier.payouts.commentHint')}
          </div>
        </div>
      </div>

      <div className="form-actions">
        <button type="submit" className="primary" data-testid="review-button">
          {t('cashier.payouts.next')}
        </button>
        <button type="button" onClick={clear}>
          {t('cashier.payouts.clear')}
        </button>
        <span className="muted keys-hint">{t('cashier.payouts.keysHint')}</span>
      </div>
      {created && (
        <div className="created-note" role="status" data-testid="created-note">
          {t('cashier.payouts.created', { number: created.transactionNumber })}
        </div>
      )}
    </form>
  )
}
