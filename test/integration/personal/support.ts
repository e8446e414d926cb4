/**
 * Shared by the personal-API integration tests: the emulator on a real
 * loopback HTTP server (port 0), a virtual clock shared by server and client,
 * and a recording wrapper around the real node transport.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRng } from '../../../electron/core/sandbox/rng'
import { createPersonalEmulator } from '../../../electron/core/sandbox/personal'
import type { PersonalEmulator, PersonalEmulatorOptions } from '../../../electron/core/sandbox/personal'
import {
  PersonalClient,
  SlidingWindowLimiter,
  bearerAuth,
  createNodeTransport
} from '../../../electron/core/personal'
import type {
  AuthProvider,
  HttpRequest,
  HttpTransport,
  PersonalClientOptions
} from '../../../electron/core/personal'

export class VirtualClock {
  t: number
  readonly sleeps: number[] = []
  constructor(start = Date.UTC(2024, 5, 1, 9, 0, 0)) {
    this.t = start
  }
  now = (): number => this.t
  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms)
    this.t += Math.max(0, ms)
    return Promise.resolve()
  }
}

export interface Harness {
  emu: PersonalEmulator
  url: string
  server: Server
  clock: VirtualClock
  close(): Promise<void>
}

export async function startEmulator(
  opts: PersonalEmulatorOptions = {},
  clock = new VirtualClock()
): Promise<Harness> {
  const emu = createPersonalEmulator({ demo: false, now: clock.now, ...opts })
  const server = createServer((req, res) => emu.handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    emu,
    url: `http://127.0.0.1:${port}`,
    server,
    clock,
    async close() {
      emu.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** The real node transport, recording every request it sends. */
export function recordingTransport(): HttpTransport & { sent: HttpRequest[] } {
  const inner = createNodeTransport()
  const sent: HttpRequest[] = []
  return {
    sent,
    request(req) {
      sent.push(req)
      return inner.request(req)
    },
    close() {
      inner.close?.()
    }
  }
}

export function makeClient(
  h: Harness,
  auth: AuthProvider | string,
  extra: Partial<PersonalClientOptions> = {}
): { client: PersonalClient; transport: HttpTransport & { sent: HttpRequest[] } } {
  const transport = recordingTransport()
  const rng = createRng(7)
  const client = new PersonalClient({
    auth: typeof auth === 'string' ? bearerAuth(auth) : auth,
    baseUrl: h.url,
    transport,
    now: h.clock.now,
    sleep: h.clock.sleep,
    random: () => rng.next(),
    limiter: new SlidingWindowLimiter({ now: h.clock.now, sleep: h.clock.sleep }),
    ...extra
  })
  return { client, transport }
}

export const WALLET = '79161112233'
export const RECIPIENT = '79262223344'
