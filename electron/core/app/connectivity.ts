/**
 * Is the endpoint reachable? A TCP connect to each distinct endpoint the terminals use
 * (no request is sent, so nothing counts against QIWI's pacing). The desk shows an
 * offline banner while it is not; the engine keeps payouts queued meanwhile.
 */
import { connect } from 'node:net'

export function probeTcp(origin: string, timeoutMs = 3000): Promise<boolean> {
  let u: URL
  try {
    u = new URL(origin)
  } catch {
    return Promise.resolve(false)
  }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80))
  const host = u.hostname.replace(/^\[|\]$/g, '')
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const done = (ok: boolean): void => {
      socket.removeAllListeners()
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

export interface ConnectivityMonitor {
  stop(): void
  check(): Promise<void>
  online(): boolean
}

export function startConnectivityMonitor(opts: {
  origins: () => string[]
  onChange: (online: boolean, endpoint: string) => void
  intervalMs?: number
}): ConnectivityMonitor {
  let online = true
  let running = false
  const check = async (): Promise<void> => {
    if (running) return
    running = true
    try {
      const origins = [...new Set(opts.origins())]
      if (origins.length === 0) return
      const results = await Promise.all(origins.map((o) => probeTcp(o)))
      const down = origins.find((_, i) => !results[i])
      const now = down === undefined
      if (now !== online) {
        online = now
        opts.onChange(online, down ?? origins[0] ?? '')
      }
    } finally {
      running = false
    }
  }
  const timer = setInterval(() => void check(), opts.intervalMs ?? 10_000)
  timer.unref()
  void check()
  return { stop: () => clearInterval(timer), check, online: () => online }
}
