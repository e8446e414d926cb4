import { useState } from 'react'
import { useTranslation } from 'react-i18next'

import '../cashier.css'
import type { TerminalView } from '../../../shared/payouts'
import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { AlertsPanel } from '../components/cashier/AlertsPanel'
import { BalancesPanel } from '../components/cashier/BalancesPanel'
import { ErrorNote } from '../components/cashier/ErrorNote'
import { PayoutForm } from '../components/cashier/PayoutForm'
import { QueuePanel } from '../components/cashier/QueuePanel'
import { useAlerts } from '../hooks/use-alerts'
import { useBalances } from '../hooks/use-balances'
import { useQueue } from '../hooks/use-queue'
import { useTerminals } from '../hooks/use-terminals'

function missingCredential(t: TerminalView): boolean {
  if (t.authMode === 'password') return !t.credentials.password
  if (t.authMode === 'signature') return !t.credentials.signingKey
  // Mode 3 keeps sending terminal-id + password alongside the client certificate (spec §3.3, D3).
  return !t.credentials.clientCert || !t.credentials.password
}

export function PayoutsPage(): React.JSX.Element {
  const { t } = useTranslation()
  const { api, online } = useApp()
  const { terminals, error: terminalsError } = useTerminals()
  const queue = useQueue()
  const alerts = useAlerts()
  const balances = useBalances()
  const [resumeError, setResumeError] = useState<AppErrorData | null>(null)

  const resume = async (id: string): Promise<void> => {
    const r = await api.terminals.resume({ id })
    setResumeError(r.ok ? null : r.error)
  }

  return (
    <section className="page cashier-page" aria-labelledby="payouts-title">
      <h1 id="payouts-title">{t('pages.payoutsTitle')}</h1>

      {!online && (
        <div className="banner banner-offline" role="alert" data-testid="offline-banner">
          {t('cashier.payouts.offline')}
        </div>
      )}
      {terminals
        ?.filter((x) => x.paused)
        .map((x) => (
          <div key={x.id} className="banner banner-paused" role="alert" data-testid={`paused-${x.id}`}>
            <span>
              {t('cashier.payouts.paused', { name: x.name, reason: x.pausedReason ?? x.pausedCode ?? '' })}
              {x.pausedCode && <span className="cashier-code">{t('cashier.common.supportCode', { code: x.pausedCode })}</span>}
            </span>
            <button type="button" onClick={() => void resume(x.id)}>
              {t('cashier.payouts.resume')}
            </button>
          </div>
        ))}
      {terminals
        ?.filter(missingCredential)
        .map((x) => (
          <div key={x.id} className="banner banner-paused" data-testid={`nocred-${x.id}`}>
            <span>
              {x.name}: {t('cashier.errors.credential-missing')}
            </span>
            <a href="#/settings">{t('cashier.payouts.toSettings')}</a>
          </div>
        ))}
      {resumeError && <ErrorNote error={resumeError} />}
      {terminalsError && <ErrorNote error={terminalsError} />}

      <div className="payouts-grid">
        <div className="payouts-main">
          {terminals === null ? (
            <p className="muted">{t('cashier.common.loading')}</p>
          ) : terminals.length === 0 ? (
            <div className="card">
              <p>{t('cashier.payouts.noTerminals')}</p>
              <a href="#/settings">{t('cashier.payouts.toSettings')}</a>
            </div>
          ) : (
            <PayoutForm terminals={terminals} onCreated={queue.add} />
          )}
          <QueuePanel queue={queue} />
        </div>
        <aside className="payouts-side">
          <AlertsPanel alerts={alerts} terminals={terminals ?? []} />
          <BalancesPanel balances={balances} />
        </aside>
      </div>
    </section>
  )
}
