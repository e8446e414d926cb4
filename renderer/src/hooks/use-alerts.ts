import { useCallback, useEffect, useState } from 'react'

import type { AlertView } from '../../../shared/payouts'
import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { useApiEvent } from './use-api-event'

/** Open operator alerts: alerts:list, alert:raised (upsert by id), acknowledge. */
export function useAlerts(): {
  alerts: AlertView[]
  error: AppErrorData | null
  ack: (id: number) => Promise<void>
} {
  const { api } = useApp()
  const [alerts, setAlerts] = useState<AlertView[]>([])
  const [error, setError] = useState<AppErrorData | null>(null)
  useEffect(() => {
    let live = true
    void api.alerts.list({}).then((r) => {
      if (!live) return
      if (r.ok) setAlerts(r.value.filter((a) => a.acknowledgedAt === null))
      else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [api])
  useApiEvent('alert:raised', (a) =>
    setAlerts((cur) => {
      const rest = cur.filter((x) => x.id !== a.id)
      return a.acknowledgedAt === null ? [a, ...rest] : rest
    })
  )
  const ack = useCallback(
    async (id: number) => {
      const r = await api.alerts.ack({ id })
      if (r.ok) {
        setAlerts((cur) => cur.filter((x) => x.id !== id))
        setError(null)
      } else setError(r.error)
    },
    [api]
  )
  return { alerts, error, ack }
}
