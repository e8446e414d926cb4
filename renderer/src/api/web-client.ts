/**
 * The web host's binding of the contract: the same `api.domain.verb(input)` object the
 * preload exposes in Electron, over POST /api/call/<channel> and a server-sent-event
 * stream read with fetch (the token travels in a header, never in a URL).
 */
import { CALL_CHANNELS, isEventChannel } from '../../../shared/channels'
import type { Calls, RendererApi } from '../../../shared/contract'
import { buildClientApi, transportError } from '../../../shared/contract-kit'
import type { Result } from '../../../shared/result'

const TOKEN_KEY = 'qiwi-desk-token'

/** Takes the token from `#token=…` once, keeps it for this tab only, and cleans the URL. */
export function takeToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash)
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1])
    window.history.replaceState(null, '', window.location.pathname + window.location.search + '#/payouts')
    return m[1]
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

type Listener = (payload: unknown) => void

export function createWebApi(token: string): RendererApi {
  const listeners = new Map<string, Set<Listener>>()
  let streaming = false

  async function stream(): Promise<void> {
    if (streaming) return
    streaming = true
    for (;;) {
      try {
        const res = await fetch('/api/events', { headers: { Authorization: `Bearer ${token}` } })
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`)
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        let buf = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buf += value
          let i: number
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i)
            buf = buf.slice(i + 2)
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n')
            if (!data) continue
            const msg = JSON.parse(data) as { event?: unknown; payload?: unknown }
            if (isEventChannel(msg.event)) {
              for (const l of listeners.get(msg.event) ?? []) l(msg.payload)
            }
          }
        }
      } catch {
        // Host restarting or offline: retry calmly.
      }
      await new Promise((r) => setTimeout(r, 1000))
    }
  }

  return {
    ...buildClientApi<Calls>(CALL_CHANNELS, async (channel, input): Promise<Result<unknown>> => {
      try {
        const res = await fetch(`/api/call/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(input ?? {})
        })
        const body = (await res.json()) as Result<unknown>
        return body
      } catch (e) {
        return transportError(e instanceof Error ? e.message : 'network failure')
      }
    }),
    events: {
      on(event, listener) {
        if (!isEventChannel(event)) throw new Error(`unknown event: ${String(event)}`)
        const set = listeners.get(event) ?? new Set<Listener>()
        set.add(listener as Listener)
        listeners.set(event, set)
        void stream()
        return () => {
          set.delete(listener as Listener)
        }
      }
    },
    host: 'web'
  }
}
