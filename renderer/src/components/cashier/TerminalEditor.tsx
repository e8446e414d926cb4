import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { ServiceT, TerminalView } from '../../../../shared/payouts'
import type { AppErrorData } from '../../../../shared/result'
import { useApp } from '../../app-context'
import { ErrorNote } from './ErrorNote'
import { newTerminalForm, terminalToForm, validateTerminalForm } from './terminal-form'
import type { TerminalForm } from './terminal-form'

const ALL_SERVICES: ServiceT[] = ['wallet', 'card', 'card-spec', 'sbp', 'mobile', 'card-foreign']

/** Create or edit a terminal's non-secret settings (terminals:save). */
export function TerminalEditor({
  terminal,
  onSaved,
  onCancel
}: {
  terminal: TerminalView | null
  onSaved: (t: TerminalView) => void
  onCancel: () => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const { api } = useApp()
  const uid = useId()
  const [form, setForm] = useState<TerminalForm>(() => (terminal ? terminalToForm(terminal) : newTerminalForm()))
  const [submitted, setSubmitted] = useState(false)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<AppErrorData | null>(null)
  const { errors, input } = validateTerminalForm(form)
  const set = (patch: Partial<TerminalForm>): void => setForm((cur) => ({ ...cur, ...patch }))
  const err = (f: keyof typeof errors): React.JSX.Element | null =>
    submitted && errors[f] ? <div className="field-error">{t(`cashier.settings.validation.${f}`)}</div> : null

  const save = async (): Promise<void> => {
    setSubmitted(true)
    if (!input) return
    setSaving(true)
    const r = await api.terminals.save(input)
    setSaving(false)
    if (!r.ok) return setError(r.error)
    setError(null)
    onSaved(r.value)
  }

  return (
    <form
      className="card settings-form"
      aria-labelledby={`${uid}-title`}
      data-testid="terminal-editor"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel()
      }}
    >
      <h2 id={`${uid}-title`}>
        {terminal ? t('cashier.settings.editTitle', { name: terminal.name }) : t('cashier.settings.newTitle')}
      </h2>
      <div className="form-grid">
        <label htmlFor={`${uid}-name`}>{t('cashier.settings.fields.name')}</label>
        <div>
          <input id={`${uid}-name`} value={form.name} maxLength={60} onChange={(e) => set({ name: e.target.value })} />
          {err('name')}
        </div>

        <label htmlFor={`${uid}-tid`}>{t('cashier.settings.fields.terminalId')}</label>
        <div>
          <input
            id={`${uid}-tid`}
            className="mono"
            inputMode="numeric"
            value={form.terminalId}
            onChange={(e) => set({ terminalId: e.target.value.replace(/\D/g, '').slice(0, 20) })}
          />
          {err('terminalId')}
        </div>

        <span>{t('cashier.settings.fields.endpoint')}</span>
        <div>
          <div className="radios" role="radiogroup" aria-label={t('cashier.settings.fields.endpoint')}>
            <label>
              <input
                type="radio"
                name={`${uid}-ep`}
                checked={form.endpointKind === 'sandbox'}
                onChange={() => set({ endpointKind: 'sandbox' })}
              />
              {t('cashier.settings.fields.endpointSandbox')}
            </label>
            <label>
              <input
                type="radio"
                name={`${uid}-ep`}
                checked={form.endpointKind === 'custom'}
                onChange={() => set({ endpointKind: 'custom' })}
              />
              {t('cashier.settings.fields.endpointCustom')}
            </label>
          </div>
          {form.endpointKind === 'custom' && (
            <input
              aria-label={t('cashier.settings.fields.endpointUrl')}
              placeholder="https://api.qiwi.com"
              value={form.endpointUrl}
              onChange={(e) => set({ endpointUrl: e.target.value })}
            />
          )}
          {err('endpoint')}
        </div>

        <label htmlFor={`${uid}-auth`}>{t('cashier.settings.fields.authMode')}</label>
        <select
          id={`${uid}-auth`}
          value={form.authMode}
          onChange={(e) => set({ authMode: e.target.value as TerminalForm['authMode'] })}
        >
          {(['password', 'signature', 'certificate'] as const).map((m) => (
            <option key={m} value={m}>
              {t(`cashier.settings.authModes.${m}`)}
            </option>
          ))}
        </select>

        {form.authMode === 'signature' && (
          <>
            <label htmlFor={`${uid}-alg`}>{t('cashier.settings.fields.signatureAlg')}</label>
            <select
              id={`${uid}-alg`}
              value={form.signatureAlg}
              onChange={(e) => set({ signatureAlg: e.target.value as TerminalForm['signatureAlg'] })}
            >
              <option value="SHA1withRSA">SHA1withRSA</option>
              <option value="MD5withRSA">MD5withRSA</option>
            </select>
          </>
        )}

        <span>{t('cashier.settings.fields.services')}</span>
        <div>
          <div className="checks">
            {ALL_SERVICES.map((s) => (
              <label key={s}>
                <input
                  type="checkbox"
                  checked={form.servicesAllowed.includes(s)}
                  onChange={() =>
                    set({
                      servicesAllowed: form.servicesAllowed.includes(s)
                        ? form.servicesAllowed.filter((x) => x !== s)
                        : [...form.servicesAllowed, s]
                    })
                  }
                />
                {t(`cashier.services.${s}`)}
              </label>
            ))}
          </div>
          {err('services')}
        </div>

        <span>{t('cashier.settings.fields.policy')}</span>
        <div className="radios" role="radiogroup" aria-label={t('cashier.settings.fields.policy')}>
          <label>
            <input
              type="radio"
              name={`${uid}-policy`}
              checked={form.precheckAbsentWalletPolicy === 'pay'}
              onChange={() => set({ precheckAbsentWalletPolicy: 'pay' })}
            />
            {t('cashier.settings.fields.policyPay')}
          </label>
          <label>
            <input
              type="radio"
              name={`${uid}-policy`}
              checked={form.precheckAbsentWalletPolicy === 'decline'}
              onChange={() => set({ precheckAbsentWalletPolicy: 'decline' })}
            />
            {t('cashier.settings.fields.policyDecline')}
          </label>
        </div>

        <label htmlFor={`${uid}-low`}>{t('cashier.settings.fields.lowBalance')}</label>
        <div>
          <input id={`${uid}-low`} inputMode="decimal" value={form.lowBalance} onChange={(e) => set({ lowBalance: e.target.value })} />
          {err('lowBalance')}
        </div>

        <label htmlFor={`${uid}-poll`}>{t('cashier.settings.fields.minPoll')}</label>
        <div>
          <input
            id={`${uid}-poll`}
            inputMode="numeric"
            value={form.minPollSeconds}
            onChange={(e) => set({ minPollSeconds: e.target.value.replace(/\D/g, '').slice(0, 5) })}
          />
          {err('minPoll')}
          <div className="field-hint">{t('cashier.settings.minPollHint')}</div>
        </div>
      </div>
      {error && <ErrorNote error={error} />}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={saving} data-testid="terminal-save">
          {t('cashier.common.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cashier.common.cancel')}
        </button>
      </div>
    </form>
  )
}
