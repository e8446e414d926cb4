import { useCallback, useEffect, useState } from 'react'

import type { TerminalView } from '../../../shared/payouts'
import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { useApiEvent } from './use-api-event'

export interface TerminalsState {
  terminals: TerminalView[] | null
  error: AppErrorData | null
  reload: () => Promise<void>
}

/** terminals:list, kept fresh by terminals:changed. */
export function useTerminals(): TerminalsState {
  const { api } = useApp()
  const [terminals, setTerminals] = useState<TerminalView[] | null>(null)
  const [error, setError] = useState<AppErrorData | null>(null)
  const reload = useCallback(async () => {
    const r = await api.terminals.list({})
    if (r.ok) {
      setTerminals(r.value)
      setError(null)
    } else setError(r.error)
  }, [api])
  useEffect(() => {
    let live = true
    void api.terminals.list({}).then((r) => {
      if (!live) return
      if (r.ok) setTerminals(r.value)
      else setError(r.error)
    })
    return () => {
      live = false
    }
  }, [api])
  useApiEvent('terminals:changed', (list) => setTerminals(list))
  return { terminals, error, reload }
}
