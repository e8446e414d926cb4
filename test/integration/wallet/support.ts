/**
 * Shared by the wallet integration tests: the personal-API emulator on a real loopback
 * HTTP server (port 0), a real SQLite file in a temp dir, a session secret store, and a
 * virtual clock shared by the emulator, the service and its clients (rate limits and
 * "5 minutes later" run in virtual time; the network and the database are real).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase, openDatabase } from '../../../electron/core/db/connection'
import type { Db } from '../../../electron/core/db/connection'
import type { HttpRequest, HttpTransport } from '../../../electron/core/personal/transport'
import { createNodeTransport } from '../../../electron/core/personal/transport'
import { createPersonalEmulator } from '../../../electron/core/sandbox/personal'
import type { PersonalEmulator, PersonalEmulatorOptions } from '../../../electron/core/sandbox/personal'
import { createRng } from '../../../electron/core/sandbox/rng'
import { CredentialVault } from '../../../electron/core/secrets/credential-vault'
import { MemorySecretStore } from '../../../electron/core/secrets/memory-secret-store'
import type { SecretStore } from '../../../electron/core/secrets/secret-store'
import { originResolver } from '../../../electron/core/wallet/api'
import type { WalletServiceOptions } from '../../../electron/core/wallet/wallet-service'
import { WalletService } from '../../../electron/core/wallet/wallet-service'
import type { TransferView } from '../../../shared/wallet'

export const WALLET = '79161112233'
export const RECIPIENT = '79262223344'

export class VirtualClock {
  t: number
  readonly sleeps: number[] = []
  constructor(start = Date.UTC(2024, 5, 15, 9, 0, 0)) {
    this.t = start
  }
  now = (): number => this.t
  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms)
    this.t += Math.max(0, ms)
    return Promise.resolve()
  }
  advance(ms: number): void {
    this.t += ms
  }
}

export interface Emu {
  emu: PersonalEmulator
  url: string
  server: Server
  running: boolean
  stop(): Promise<void>
}

export async function startEmu(clock: VirtualClock, opts: PersonalEmulatorOptions = {}): Promise<Emu> {
  const emu = createPersonalEmulator({ demo: false, now: clock.now, ...opts })
  const server = createServer((req, res) => emu.handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const h: Emu = {
    emu,
    url: `http://127.0.0.1:${port}`,
    server,
    running: true,
    async stop() {
      if (!h.running) return
      h.running = false
      emu.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  return h
}

/** The real node transport, recording every request URL it sends. */
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

export function tempDir(prefix = 'qiwi-wallet-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface Rig {
  clock: VirtualClock
  h: Emu
  db: Db
  dbFile: string
  dir: string
  store: SecretStore
  vault: CredentialVault
  transport: HttpTransport & { sent: HttpRequest[] }
  events: TransferView[]
  service: WalletService
  /** A new service over the same database and keychain: a restart of the app. */
  restart(over?: Partial<WalletServiceOptions>): WalletService
  close(): Promise<void>
}

export async function makeRig(
  opts: {
    emu?: PersonalEmulatorOptions
    service?: Partial<WalletServiceOptions>
    store?: SecretStore
    clock?: VirtualClock
  } = {}
): Promise<Rig> {
  const clock = opts.clock ?? new VirtualClock()
  const h = await startEmu(clock, opts.emu)
  const tmp = tempDir()
  const dbFile = join(tmp.dir, 'qiwi-desk.db')
  const db = openDatabase(dbFile)
  const store = opts.store ?? new MemorySecretStore()
  const vault = new CredentialVault({ store })
  const transport = recordingTransport()
  const events: TransferView[] = []
  const services: WalletService[] = []
  const rng = createRng(11)
  const build = (over: Partial<WalletServiceOptions> = {}): WalletService => {
    const s = new WalletService({
      db,
      vault: () => vault,
      resolveApi: originResolver(() => h.url),
      now: clock.now,
      sleep: clock.sleep,
      random: () => rng.next(),
      // Shared by every service of the rig; only the rig closes it.
      transportFactory: () => ({ request: (r) => transport.request(r) }),
      onTransferChanged: (v) => events.push(v),
      ...opts.service,
      ...over
    })
    services.push(s)
    return s
  }
  const service = build()
  return {
    clock,
    h,
    db,
    dbFile,
    dir: tmp.dir,
    store,
    vault,
    transport,
    events,
    service,
    restart: build,
    async close() {
      for (const s of services) s.close()
      transport.close?.()
      await h.stop()
      closeDatabase(db)
      tmp.cleanup()
    }
  }
}

/** Requests of one kind that went out through the recording transport. */
export function sentTo(t: { sent: HttpRequest[] }, pathPart: string): HttpRequest[] {
  return t.sent.filter((r) => new URL(r.url).pathname.includes(pathPart))
}

export function historyRequests(t: { sent: HttpRequest[] }): URL[] {
  return t.sent
    .map((r) => new URL(r.url))
    .filter((u) => /\/payment-history\/v2\/persons\/\d+\/payments$/.test(u.pathname))
}
