import { useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import { useApp } from '../../app-context'
import { ErrorNote } from './ErrorNote'

/** Where secrets live this run; with no keychain, an explicit opt-in to session-only secrets. */
export function KeychainPanel(): React.JSX.Element {
  const { t } = useTranslation()
  const { api, info } = useApp()
  const [asking, setAsking] = useState(false)
  const [error, setError] = useState<AppErrorData | null>(null)
  const mode = info.keychain

  const enable = async (): Promise<void> => {
    const r = await api.credentials.enableSessionOnly({})
    if (!r.ok) return setError(r.error)
    // The mode is part of app:info, which the shell reads once: reload to show it everywhere.
    window.location.reload()
  }

  return (
    <section className="card" aria-labelledby="keychain-title" data-testid="keychain-panel" data-mode={mode}>
      <h2 id="keychain-title">{t('cashier.settings.keychain.title')}</h2>
      <p className={mode === 'keychain' ? undefined : 'warn-note'}>{t(`cashier.settings.keychain.${mode}`)}</p>
      {info.keychainReason && mode !== 'keychain' && (
        <p className="muted">{t('cashier.settings.keychain.reason', { reason: info.keychainReason })}</p>
      )}
      {mode === 'unavailable' && !asking && (
        <button type="button" onClick={() => setAsking(true)} data-testid="session-only">
          {t('cashier.settings.keychain.enableSession')}
        </button>
      )}
      {mode === 'unavailable' && asking && (
        <div className="warn-note" role="alert">
          <p>{t('cashier.settings.keychain.enableWarning')}</p>
          <div className="form-actions">
            <button type="button" className="primary" onClick={() => void enable()} data-testid="session-only-confirm">
              {t('cashier.settings.keychain.enableSession')}
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              {t('cashier.common.cancel')}
            </button>
          </div>
        </div>
      )}
      {error && <ErrorNote error={error} />}
    </section>
  )
}
