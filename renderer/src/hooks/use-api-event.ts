import { useEffect, useRef } from 'react'

import type { Events } from '../../../shared/contract'
import type { EventPayload } from '../../../shared/contract-kit'
import { useApp } from '../app-context'

/** Subscribes to one contract event for the lifetime of the component (latest listener wins). */
export function useApiEvent<K extends keyof Events>(
  name: K,
  listener: (payload: EventPayload<Events, K>) => void
): void {
  const { api } = useApp()
  const ref = useRef(listener)
  useEffect(() => {
    ref.current = listener
  })
  useEffect(() => api.events.on(name, (p) => ref.current(p)), [api, name])
}
