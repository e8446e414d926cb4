import { useCallback, useEffect, useState } from 'react'

import type { BalanceView } from '../../../shared/payouts'
import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { useApiEvent } from './use-api-event'

/** Agent balances: balances:list, balances:changed, and a refresh (ping) on demand. */
export function useBalances(): {
  balances: BalanceView[] | null
  refreshing: boolean
  error: AppErrorData | null
  refresh: () => Promise<void>
} {
  const { api } = useApp()
  const [balances, setBalances] = useState<BalanceView[] | null>(null)
  const [refreshing, setRefreshing] = useState(false)
  const [error, setError] = useState<AppErrorData | null>(null)
  useEffect(() => {
    let live = true
    void api.balances.list({}).then((r) => {
      if (!live) return
      if (r.ok) setBalances(r.value)
      else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [api])
  useApiEvent('balances:changed', (b) => setBalances(b))
  const refresh = useCallback(async () => {
    setRefreshing(true)
    const r = await api.balances.refresh({})
    setRefreshing(false)
    if (r.ok) {
      setBalances(r.value)
      setError(null)
    } else setError(r.error)
  }, [api])
  return { balances, refreshing, error, refresh }
}
