import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

import '../../cashier.css'
import type { PayoutView } from '../../../../shared/payouts'
import { useApp } from '../../app-context'
import { useApiEvent } from '../../hooks/use-api-event'
import { moneyHuman, recipientHuman } from './format'
import { shouldToast } from './queue-model'

const TOAST_MS = 10_000

interface Toast {
  id: number
  payout: PayoutView
}

/**
 * In-app notification when a payout becomes final, on whichever page the cashier is.
 * Mounted once by App.tsx; one toast per payout.
 */
export function Toaster(): React.JSX.Element {
  const { t } = useTranslation()
  const { settings } = useApp()
  const lang = settings.language
  const [toasts, setToasts] = useState<Toast[]>([])
  const seen = useRef(new Set<number>())

  useApiEvent('payout:changed', (p) => {
    if (!shouldToast(seen.current, p)) return
    setToasts((cur) => [...cur.slice(-4), { id: p.id, payout: p }])
  })

  useEffect(() => {
    if (toasts.length === 0) return
    const id = window.setTimeout(() => setToasts((cur) => cur.slice(1)), TOAST_MS)
    return () => window.clearTimeout(id)
  }, [toasts])

  const text = (p: PayoutView): string => {
    const base = { number: p.transactionNumber, amount: moneyHuman(p.amount, lang) }
    if (p.state === 'succeeded') return t('cashier.toast.succeeded', { ...base, recipient: recipientHuman(p.service, p.account) })
    const message = p.resultMessage ?? p.error?.message ?? t(`cashier.stateHints.${p.state}`)
    return t(p.state === 'failed' ? 'cashier.toast.failed' : 'cashier.toast.declined', { ...base, message })
  }

  return (
    <div className="toaster" role="region" aria-label={t('cashier.toast.region')} aria-live="polite">
      {toasts.map((x) => (
        <div key={x.id} className={`toast toast-${x.payout.state}`} data-testid={`toast-${x.payout.transactionNumber}`}>
          <span>{text(x.payout)}</span>
          <button
            type="button"
            className="toast-close"
            aria-label={t('cashier.toast.dismiss')}
            onClick={() => setToasts((cur) => cur.filter((y) => y.id !== x.id))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  )
}
