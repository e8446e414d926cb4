/**
 * The preload builds `window.api` from the shared contract's channel names
 * (shared/channels.ts, no schemas: main validates every call): one named function per
 * declared call (`api.settings.get({})`) and `api.events.on(name, cb)` for declared
 * events only. No raw send/invoke/on is exposed (STYLE.md §3); listeners never see the
 * IPC event object.
 */
import { contextBridge, ipcRenderer } from 'electron'

import { CALL_CHANNELS, isEventChannel } from '../../shared/channels'
import type { Calls, RendererApi } from '../../shared/contract'
import { buildClientApi, transportError } from '../../shared/contract-kit'
import type { Result } from '../../shared/result'

/** The single channel main uses to push contract events ({ event, payload }). */
const EVENT_CHANNEL = 'contract:event'

type Listener = (payload: unknown) => void
const listeners = new Map<string, Set<Listener>>()

ipcRenderer.on(EVENT_CHANNEL, (_event, message: unknown) => {
  if (typeof message !== 'object' || message === null) return
  const { event, payload } = message as { event?: unknown; payload?: unknown }
  if (!isEventChannel(event)) return
  for (const l of listeners.get(event) ?? []) l(payload)
})

const api: RendererApi = {
  ...buildClientApi<Calls>(CALL_CHANNELS, async (channel, input): Promise<Result<unknown>> => {
    try {
      return (await ipcRenderer.invoke(channel, input)) as Result<unknown>
    } catch (e) {
      return transportError(e instanceof Error ? e.message : 'IPC failure')
    }
  }),
  events: {
    on(event, listener) {
      if (!isEventChannel(event)) throw new Error(`unknown event: ${String(event)}`)
      const set = listeners.get(event) ?? new Set<Listener>()
      const l = listener as Listener
      set.add(l)
      listeners.set(event, set)
      return () => {
        set.delete(l)
      }
    }
  },
  host: 'electron'
}

contextBridge.exposeInMainWorld('api', api)
