import { useEffect, useReducer, useState } from 'react'

import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { emptyQueue, FINAL_LINGER_MS, queueReducer, queueRows } from '../components/cashier/queue-model'
import type { QueueEntry } from '../components/cashier/queue-model'
import { useApiEvent } from './use-api-event'

/** The live queue: payouts:queue once, then payout:changed; finals linger, then leave. */
export function useQueue(): { rows: QueueEntry[]; error: AppErrorData | null; add: (p: QueueEntry['payout']) => void } {
  const { api } = useApp()
  const [state, dispatch] = useReducer(queueReducer, undefined, emptyQueue)
  const [error, setError] = useState<AppErrorData | null>(null)
  useEffect(() => {
    let live = true
    void api.payouts.queue({}).then((r) => {
      if (!live) return
      if (r.ok) dispatch({ type: 'snapshot', payouts: r.value, now: Date.now() })
      else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [api])
  useApiEvent('payout:changed', (p) => dispatch({ type: 'changed', payout: p, now: Date.now() }))
  useEffect(() => {
    const id = window.setInterval(() => dispatch({ type: 'expire', now: Date.now() }), Math.min(1000, FINAL_LINGER_MS))
    return () => window.clearInterval(id)
  }, [])
  return {
    rows: queueRows(state),
    error,
    add: (p) => dispatch({ type: 'changed', payout: p, now: Date.now() })
  }
}
