import { useTranslation } from 'react-i18next'

import { useApp } from '../../app-context'
import { useNow } from '../../hooks/use-now'
import type { useQueue } from '../../hooks/use-queue'
import { ErrorNote } from './ErrorNote'
import { displayState, formatTime, moneyHuman, recipientHuman, relativeIn } from './format'
import type { QueueEntry } from './queue-model'
import { StateBadge } from './StateBadge'

/** The queue: every payout not final yet, and each final outcome for a moment. */
export function QueuePanel({ queue }: { queue: ReturnType<typeof useQueue> }): React.JSX.Element {
  const { t } = useTranslation()
  const { online, settings } = useApp()
  const lang = settings.language
  const now = useNow(1000)

  const hint = (e: QueueEntry): string => {
    const p = e.payout
    const s = displayState(p, online)
    if (s === 'waiting' && p.nextCheckAt !== null) {
      const rel = relativeIn(p.nextCheckAt, now)
      return t('cashier.stateHints.waitingAt', {
        when: `${t(`cashier.time.${rel.key}`, rel.params)} (${formatTime(p.nextCheckAt, lang)})`
      })
    }
    if (s === 'failed' || s === 'declined') return p.resultMessage ?? p.error?.message ?? t(`cashier.stateHints.${s}`)
    if (s === 'paused') return p.error ? `${t('cashier.stateHints.paused')}: ${p.error.message}` : t('cashier.stateHints.paused')
    return t(`cashier.stateHints.${s}`)
  }

  return (
    <section className="card queue-panel" aria-labelledby="queue-title" data-testid="queue">
      <h2 id="queue-title">{t('cashier.queue.title')}</h2>
      {queue.error && <ErrorNote error={queue.error} />}
      {queue.rows.length === 0 ? (
        <p className="muted" data-testid="queue-empty">
          {t('cashier.queue.empty')}
        </p>
      ) : (
        <table className="queue-table">
          <thead>
            <tr>
              <th scope="col">{t('cashier.queue.number')}</th>
              <th scope="col">{t('cashier.queue.created')}</th>
              <th scope="col">{t('cashier.queue.recipient')}</th>
              <th scope="col" className="num">
                {t('cashier.queue.amount')}
              </th>
              <th scope="col">{t('cashier.queue.state')}</th>
            </tr>
          </thead>
          <tbody>
            {queue.rows.map((e) => {
              const p = e.payout
              const s = displayState(p, online)
              return (
                <tr
                  key={p.id}
                  className={`queue-row state-${s}${p.final ? ' final' : ''}`}
                  data-testid={`queue-row-${p.transactionNumber}`}
                  data-state={s}
                >
                  <td className="mono">{p.transactionNumber}</td>
                  <td>{formatTime(p.createdAt, lang)}</td>
                  <td>
                    <div className="mono">{recipientHuman(p.service, p.account)}</div>
                    <div className="muted">{t(`cashier.services.${p.service}`)} · {p.terminal}</div>
                  </td>
                  <td className="num amount-cell">{moneyHuman(p.amount, lang)}</td>
                  <td>
                    <StateBadge state={s} />
                    <div className={s === 'failed' ? 'state-hint tone-text-bad' : 'state-hint muted'} data-testid="state-hint">
                      {hint(e)}
                    </div>
                    {p.attempts > 1 && !p.final && <div className="muted">{t('cashier.queue.attempts', { n: p.attempts })}</div>}
                    {p.txnId && <div className="muted mono">{t('cashier.queue.txnId', { id: p.txnId })}</div>}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}
