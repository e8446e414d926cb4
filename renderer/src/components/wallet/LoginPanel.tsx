import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import { normalizePhone } from '../../../../shared/validation'
import type { WalletView } from '../../../../shared/wallet'
import { useApp } from '../../app-context'
import { WalletError } from './WalletError'
import { cleanToken, SCOPE_FEATURES, SCOPES } from './wallet-model'

/** The personal API base QIWI documents (spec §1). */
export const QIWI_EDGE = 'https://edge.qiwi.com'

type Mode = 'token' | 'cas'
type ApiChoice = 'sandbox' | 'edge' | 'custom'

/**
 * Log in to a wallet: paste an API token (validated by the core against the profile, with
 * each permission probed) or use the legacy CAS login (wallet phone + password, spec §10).
 * Secrets go in through the contract and never come back.
 */
export function LoginPanel({
  defaultName,
  onAdded,
  onCancel
}: {
  defaultName: string
  onAdded: (w: WalletView) => void
  onCancel?: () => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const { api, info } = useApp()
  const ids = useId()
  const [mode, setMode] = useState<Mode>('token')
  const [name, setName] = useState(defaultName)
  const [apiChoice, setApiChoice] = useState<ApiChoice>(
    info.defaultEndpoint.kind === 'sandbox' ? 'sandbox' : 'edge'
  )
  const [customApi, setCustomApi] = useState('')
  const [token, setToken] = useState('')
  const [showToken, setShowToken] = useState(false)
  const [login, setLogin] = useState('')
  const [password, setPassword] = useState('')
  const [authBase, setAuthBase] = useState('')
  const [touched, setTouched] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorData | null>(null)

  const apiValue = apiChoice === 'sandbox' ? 'sandbox' : apiChoice === 'edge' ? QIWI_EDGE : customApi.trim()
  const tokenValue = cleanToken(token)
  const phone = normalizePhone(login)

  const problems: string[] = []
  if (!name.trim()) problems.push('name')
  if (!apiValue) problems.push('api')
  if (mode === 'token' && tokenValue.length < 8) problems.push('token')
  if (mode === 'cas' && !phone.ok) problems.push('login')
  if (mode === 'cas' && !password) problems.push('password')
  const show = (f: string): boolean => touched && problems.includes(f)

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    setTouched(true)
    if (problems.length > 0 || busy) return
    setBusy(true)
    setError(null)
    const r =
      mode === 'token'
        ? await api.wallets.addToken({ name: name.trim(), api: apiValue, token: tokenValue })
        : await api.wallets.addCas({
            name: name.trim(),
            api: apiValue,
            login: phone.ok ? phone.value : login.trim(),
            password,
            ...(authBase.trim() ? { authBase: authBase.trim() } : {})
          })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setToken('')
    setPassword('')
    onAdded(r.value)
  }

  return (
    <section className="card wl-login" aria-labelledby={`${ids}-title`} data-testid="wallet-login">
      <h2 id={`${ids}-title`}>{t('wallet.login.title')}</h2>
      <p className="muted">{t('wallet.login.intro')}</p>

      <div className="wl-segmented" role="radiogroup" aria-label={t('wallet.login.mode')}>
        {(['token', 'cas'] as const).map((m) => (
          <label key={m} className={mode === m ? 'on' : undefined}>
            <input type="radio" name={`${ids}-mode`} checked={mode === m} onChange={() => setMode(m)} />
            {t(`wallet.login.mode_${m}`)}
          </label>
        ))}
      </div>

      <form className="wl-form" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={`${ids}-name`}>{t('wallet.login.name')}</label>
        <div>
          <input
            id={`${ids}-name`}
            value={name}
            maxLength={60}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={show('name')}
          />
          {show('name') && <div className="wl-field-error">{t('wallet.login.nameRequired')}</div>}
        </div>

        <label htmlFor={`${ids}-api`}>{t('wallet.login.api')}</label>
        <div>
          <select
            id={`${ids}-api`}
            value={apiChoice}
            onChange={(e) => setApiChoice(e.target.value as ApiChoice)}
          >
            <option value="sandbox">{t('wallet.login.apiSandbox')}</option>
            <option value="edge">{t('wallet.login.apiEdge', { url: QIWI_EDGE })}</option>
            <option value="custom">{t('wallet.login.apiCustom')}</option>
          </select>
          {apiChoice === 'custom' && (
            <input
              className="wl-mt"
              aria-label={t('wallet.login.apiCustomUrl')}
              placeholder="https://"
              value={customApi}
              maxLength={200}
              onChange={(e) => setCustomApi(e.target.value)}
              aria-invalid={show('api')}
            />
          )}
          {show('api') && <div className="wl-field-error">{t('wallet.login.apiRequired')}</div>}
        </div>

        {mode === 'token' ? (
          <>
            <label htmlFor={`${ids}-token`}>{t('wallet.login.token')}</label>
            <div>
              <div className="wl-inline">
                <input
                  id={`${ids}-token`}
                  className="wl-grow wl-mono"
                  type={showToken ? 'text' : 'password'}
                  autoComplete="off"
                  spellCheck={false}
                  value={token}
                  maxLength={400}
                  onChange={(e) => setToken(e.target.value)}
                  aria-invalid={show('token')}
                  aria-describedby={`${ids}-token-hint`}
                />
                <label className="wl-check">
                  <input
                    type="checkbox"
                    checked={showToken}
                    onChange={(e) => setShowToken(e.target.checked)}
                  />
                  {t('wallet.login.showToken')}
                </label>
              </div>
              <div id={`${ids}-token-hint`} className="muted">
                {t('wallet.login.tokenHint')}
              </div>
              {show('token') && <div className="wl-field-error">{t('wallet.login.tokenRequired')}</div>}
            </div>
          </>
        ) : (
          <>
            <label htmlFor={`${ids}-login`}>{t('wallet.login.casLogin')}</label>
            <div>
              <input
                id={`${ids}-login`}
                inputMode="tel"
                autoComplete="username"
                value={login}
                maxLength={20}
                placeholder="+7 900 123-45-67"
                onChange={(e) => setLogin(e.target.value)}
                aria-invalid={show('login')}
              />
              {login && !phone.ok && (
                <div className="wl-field-error">
                  {t(`wallet.phone.${phone.reason}`, { defaultValue: t('wallet.phone.format') })}
                </div>
              )}
              {show('login') && !login && <div className="wl-field-error">{t('wallet.phone.empty')}</div>}
            </div>
            <label htmlFor={`${ids}-password`}>{t('wallet.login.casPassword')}</label>
            <div>
              <input
                id={`${ids}-password`}
                type="password"
                autoComplete="current-password"
                value={password}
                maxLength={200}
                onChange={(e) => setPassword(e.target.value)}
                aria-invalid={show('password')}
              />
              {show('password') && <div className="wl-field-error">{t('wallet.login.passwordRequired')}</div>}
            </div>
            <label htmlFor={`${ids}-auth`}>{t('wallet.login.authBase')}</label>
            <div>
              <input
                id={`${ids}-auth`}
                value={authBase}
                maxLength={200}
                placeholder={t('wallet.login.authBasePlaceholder')}
                onChange={(e) => setAuthBase(e.target.value)}
              />
              <div className="muted">{t('wallet.login.casHint')}</div>
            </div>
          </>
        )}

        <span />
        <div className="wl-actions">
          <button type="submit" className="primary" disabled={busy} data-testid="wallet-login-submit">
            {busy
              ? t('wallet.login.checking')
              : mode === 'token'
                ? t('wallet.login.submitToken')
                : t('wallet.login.submitCas')}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel} disabled={busy}>
              {t('wallet.common.cancel')}
            </button>
          )}
        </div>
      </form>

      {error && <WalletError error={error} context="login" title={t('wallet.login.failed')} />}

      {mode === 'token' && (
        <div className="wl-scope-help">
          <h3>{t('wallet.login.scopesTitle')}</h3>
          <ul>
            {SCOPES.map((s) => (
              <li key={s}>
                <strong>{t(`wallet.scopes.${s}`)}</strong> —{' '}
                {SCOPE_FEATURES[s].map((f) => t(`wallet.features.${f}`)).join(', ')}
              </li>
            ))}
          </ul>
          <p className="muted">{t('wallet.login.lifetimeNote')}</p>
        </div>
      )}
    </section>
  )
}
