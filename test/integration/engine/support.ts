/**
 * Shared set-up of the engine integration tests: a real SQLite file in a temp dir,
 * the real sandbox on loopback, a terminal row for its password terminal and an
 * engine over both with fast loopback pacing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase, openDatabase } from '../../../electron/core/db/connection'
import type { Db, OpenOptions } from '../../../electron/core/db/connection'
import { createTerminal } from '../../../electron/core/db/repositories/terminals.repository'
import type { NewTerminal, Terminal } from '../../../electron/core/db/types'
import { createEndpointResolver } from '../../../electron/core/engine/endpoint'
import { MemoryCredentialProvider } from '../../../electron/core/engine/credentials'
import { createPayoutEngine } from '../../../electron/core/engine/engine'
import type {
  EngineConfig,
  EngineDeps,
  EndpointResolver,
  PayoutEngine
} from '../../../electron/core/engine/types'
import { startSandbox } from '../../../electron/core/sandbox/sandbox'
import type { Sandbox, StartSandboxOptions } from '../../../electron/core/sandbox/sandbox'
import type { AlertView, PayoutView } from '../../../shared/payouts'
import { REPO_ROOT } from '../../support/paths'

export const MIGRATIONS_DIR = join(REPO_ROOT, 'resources', 'migrations')

/** Luhn-valid Visa test number (the sandbox accepts any 13–19 digits for service 34020). */
export const TEST_CARD = '4111111111111111'

export class ManualTime {
  constructor(public t: number) {}
  now = (): number => this.t
  advance(ms: number): void {
    this.t += ms
  }
}

export interface Rig {
  dir: string
  dbFile: string
  db: Db
  sandbox: Sandbox
  terminal: Terminal
  creds: MemoryCredentialProvider
  engine: PayoutEngine
  changes: PayoutView[]
  alerts: AlertView[]
  makeEngine(over?: Partial<EngineDeps>): PayoutEngine
  close(): Promise<void>
}

export interface RigOptions {
  sandbox?: StartSandboxOptions
  terminal?: Partial<NewTerminal>
  config?: Partial<EngineConfig>
  db?: OpenOptions
  clock?: { now(): number }
  random?: () => number
  resolver?: (sb: Sandbox) => EndpointResolver
  /** Request deadlines for the client (ms). */
  totalTimeoutMs?: number
}

export const FAST_CONFIG: Partial<EngineConfig> = {
  loopbackMinPollSeconds: 1,
  offlineRetrySeconds: 1,
  offlineRetryMaxSeconds: 2,
  leaseMarginMs: 200,
  balanceRefreshSeconds: 0,
  language: 'en'
}

export async function makeRig(opts: RigOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'qiwi-engine-'))
  const dbFile = join(dir, 'desk.db')
  const db = openDatabase(dbFile, { migrationsDir: MIGRATIONS_DIR, ...(opts.db ?? {}) })
  const sandbox = await startSandbox({
    tls: false,
    personal: false,
    processingMs: 0,
    ...(opts.sandbox ?? {})
  })
  const clock = opts.clock ?? { now: () => Date.now() }
  const terminal = createTerminal(
    db,
    {
      name: 'Desk 1',
      terminalId: sandbox.demo.topup.password.terminalId,
      endpoint: 'sandbox',
      authMode: 'password',
      passwordRef: 'terminal:test:password:0000000000000000',
      servicesAllowed: ['wallet', 'card', 'card-spec', 'sbp', 'mobile'],
      precheckAbsentWalletPolicy: 'pay',
      minPollSeconds: 1,
      ...(opts.terminal ?? {})
    },
    clock.now()
  )
  const creds = new MemoryCredentialProvider()
  creds.set(terminal.id, {
    auth: {
      mode: 'password',
      terminalId: terminal.terminalId,
      password: sandbox.demo.topup.password.password
    }
  })
  const changes: PayoutView[] = []
  const alerts: AlertView[] = []
  const resolver =
    opts.resolver?.(sandbox) ??
    createEndpointResolver({
      sandbox: {
        topupOrigin: sandbox.topupOrigin,
        topupTlsOrigin: sandbox.topupTlsOrigin,
        caCertPem: sandbox.caCertPem
      },
      connectTimeoutMs: 1000,
      totalTimeoutMs: opts.totalTimeoutMs ?? 1500
    })
  const makeEngine = (over: Partial<EngineDeps> = {}): PayoutEngine =>
    createPayoutEngine({
      db,
      credentials: creds,
      resolveEndpoint: resolver,
      clock,
      ...(opts.random ? { random: opts.random } : {}),
      onChange: (v) => changes.push(v),
      onAlert: (a) => alerts.push(a),
      config: { ...FAST_CONFIG, ...(opts.config ?? {}) },
      ...over
    })
  const engine = makeEngine()
  return {
    dir,
    dbFile,
    db,
    sandbox,
    terminal,
    creds,
    engine,
    changes,
    alerts,
    makeEngine,
    async close() {
      await sandbox.close()
      try {
        closeDatabase(db)
      } catch {
        // closed by the test
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

let seq = 0
/** A fresh client request id. */
export function crid(prefix = 'req'): string {
  seq += 1
  return `${prefix}-${process.pid}-${Date.now()}-${seq}`
}

/** A wallet phone unique to this process and counter (pays create the wallet in the sandbox). */
export function uniquePhone(i: number): string {
  return `7955${String(process.pid % 1000).padStart(3, '0')}${String(i % 10000).padStart(4, '0')}`
}

/** Runs passes until `done()` or the limit; real time passes between passes. */
export async function runUntil(
  engine: PayoutEngine,
  done: () => boolean,
  opts: { passes?: number; sleepMs?: number; advance?: () => void } = {}
): Promise<void> {
  const passes = opts.passes ?? 200
  for (let i = 0; i < passes && !done(); i++) {
    await engine.runOnce()
    if (done()) return
    opts.advance?.()
    if ((opts.sleepMs ?? 0) > 0) await new Promise((r) => setTimeout(r, opts.sleepMs))
  }
}
