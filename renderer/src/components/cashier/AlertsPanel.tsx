import { useTranslation } from 'react-i18next'

import type { AlertView, TerminalView } from '../../../../shared/payouts'
import { useApp } from '../../app-context'
import { ErrorNote } from './ErrorNote'
import { formatDateTime } from './format'
import type { useAlerts } from '../../hooks/use-alerts'

/** Alert kinds the engine raises (electron/core/engine); anything else reads "Attention". */
const KNOWN_KINDS = new Set(['fatal', 'duplicate-mismatch', 'low-balance', 'manual-review', 'not-found', 'storage'])

function alertTitleKey(a: AlertView): string {
  if (a.code === '215') return 'cashier.alerts.kinds.215'
  return `cashier.alerts.kinds.${KNOWN_KINDS.has(a.kind) ? a.kind : 'other'}`
}

function alertTone(a: AlertView): 'bad' | 'warn' {
  return a.kind === 'low-balance' || a.kind === 'not-found' ? 'warn' : 'bad'
}

/** Operator alerts (fatal errors, code 215, low balance, …) until acknowledged. */
export function AlertsPanel({
  alerts,
  terminals
}: {
  alerts: ReturnType<typeof useAlerts>
  terminals: TerminalView[]
}): React.JSX.Element | null {
  const { t } = useTranslation()
  const { settings } = useApp()
  if (alerts.alerts.length === 0 && !alerts.error) return null
  return (
    <section className="alerts-panel" aria-labelledby="alerts-title" data-testid="alerts">
      <h2 id="alerts-title">{t('cashier.alerts.title')}</h2>
      {alerts.error && <ErrorNote error={alerts.error} />}
      <ul>
        {alerts.alerts.map((a) => {
          const term = terminals.find((x) => x.id === a.terminalRef)
          return (
            <li key={a.id} className={`alert-item tone-${alertTone(a)}`} data-testid={`alert-${a.id}`} data-kind={a.kind} role="alert">
              <div className="alert-head">
                <strong>{t(alertTitleKey(a))}</strong>
                {/* a low-balance alert's code is a currency, not something for support */}
                {a.code && a.kind !== 'low-balance' && (
                  <span className="cashier-code">{t('cashier.common.supportCode', { code: a.code })}</span>
                )}
              </div>
              <div>{a.message}</div>
              <div className="muted">
                {formatDateTime(a.lastAt, settings.language)}
                {term && <> · {t('cashier.alerts.terminal', { name: term.name })}</>}
                {a.payoutId !== null && <> · {t('cashier.alerts.payout', { id: a.payoutId })}</>}
                {a.count > 1 && <> · {t('cashier.alerts.count', { n: a.count })}</>}
              </div>
              <button type="button" onClick={() => void alerts.ack(a.id)} data-testid={`ack-${a.id}`}>
                {t('cashier.alerts.ack')}
              </button>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
