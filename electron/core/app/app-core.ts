/**
 * The composition root shared by both hosts (Electron main, loopback web host) and the
 * tests: opens the database and the secret store, starts the embedded sandbox and the
 * payout engine, and binds every contract call through the dispatcher. Nothing here
 * imports electron; host abilities (open a folder, show a notification) are passed in.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

import { calls, events } from '../../../shared/contract'
import type { AppInfo, Calls, Events, Language } from '../../../shared/contract'
import type { Handlers } from '../../../shared/contract-kit'
import { AppError } from '../../../shared/errors'
import type { PayoutView } from '../../../shared/payouts'
import { closeDatabase, openDatabase } from '../db/connection'
import type { Db } from '../db/connection'
import { getSetting, setSetting } from '../db/repositories/settings.repository'
import {
  createTerminal,
  getTerminal,
  listTerminals,
  updateTerminal
} from '../db/repositories/terminals.repository'
import { createEndpointResolver, createPayoutEngine, vaultCredentialProvider } from '../engine'
import type { PayoutEngine } from '../engine'
import { toTerminalView } from '../engine/view'
import { createDispatcher, EventBus } from '../ipc/dispatcher'
import type { Dispatch } from '../ipc/dispatcher'
import type { Logger } from '../log/logger'
import { logDir } from '../log/logger'
import { CredentialVault } from '../secrets/credential-vault'
import { MemorySecretStore } from '../secrets/memory-secret-store'
import { openSecretStore } from '../secrets/open-secret-store'
import type { OpenedSecretStore } from '../secrets/open-secret-store'
import { startConnectivityMonitor } from './connectivity'
import type { ConnectivityMonitor } from './connectivity'
import { EmbeddedSandbox } from './embedded-sandbox'
import { payoutHandlers } from './handlers/payouts'
import { sandboxHandlers } from './handlers/sandbox'
import { terminalHandlers } from './handlers/terminals'
import { createWalletHandlers } from './handlers/wallet'
import { originResolver } from '../wallet/api'
import { SettingsService } from './settings-service'

export interface AppCoreOptions {
  dataDir: string
  host: 'electron' | 'web'
  version: string
  logger: Logger
  /** Opens a folder in the OS file manager; absent in the web host (the path is shown instead). */
  openPath?: (path: string) => Promise<boolean>
  /** Shows a desktop notification (Electron); absent → the renderer shows an in-app toast only. */
  notify?: (title: string, body: string) => void
  /** Fall back to session-only secrets when the keychain is unusable (visibly marked). */
  allowSessionOnlySecrets: boolean
  /** Tests inject a secret store (e.g. a session store) instead of probing the keychain. */
  secretStore?: OpenedSecretStore
  /** Start the engine's timers (sender, poller, balance refresh). Default true. */
  startEngine?: boolean
  /** Sandbox payment processing time (accepted → final), ms. Default 3000. */
  sandboxProcessingMs?: number
}

export interface AppCore {
  dispatch: Dispatch
  events: EventBus<Events>
  db: Db
  engine: PayoutEngine
  vault(): CredentialVault
  sandbox: EmbeddedSandbox
  language(): Language
  close(): Promise<void>
}

export const DB_FILE = 'qiwi-desk.db'
const DEMO_SEEDED_KEY = 'sandbox.demoSeeded'

export async function createAppCore(opts: AppCoreOptions): Promise<AppCore> {
  mkdirSync(opts.dataDir, { recursive: true })
  const logger = opts.logger
  const db = openDatabase(join(opts.dataDir, DB_FILE), { logger })
  let opened =
    opts.secretStore ?? (await openSecretStore({ allowSessionOnly: opts.allowSessionOnlySecrets, logger }))
  let vault = new CredentialVault({ store: opened.store, logger })
  const bus = new EventBus(events, logger)
  const settings = new SettingsService(db)
  const lang = (): Language => settings.get().language

  const sandbox = new EmbeddedSandbox({
    dataDir: opts.dataDir,
    logger: logger.child({ area: 'sandbox' }),
    processingMs: opts.sandboxProcessingMs ?? 3000
  })
  await sandbox.start()

  const finalSeen = new Set<number>()
  const engine = createPayoutEngine({
    db,
    credentials: {
      // read at every request: a session-only switch or a rotated credential applies at once
      topupAuth: (t) => vaultCredentialProvider(vault, lang()).topupAuth(t)
    },
    resolveEndpoint: createEndpointResolver({ sandbox: () => sandbox.lastOrigins() }),
    logger: logger.child({ area: 'engine' }),
    onChange: (view: PayoutView) => {
      bus.emit('payout:changed', view)
      if (view.final && !finalSeen.has(view.id)) {
        finalSeen.add(view.id)
        notifyFinal(view)
      }
    },
    onAlert: (a) => bus.emit('alert:raised', a),
    onBalances: (b) => bus.emit('balances:changed', b),
    onTerminalChange: () =>
      bus.emit(
        'terminals:changed',
        listTerminals(db).map((t) => toTerminalView(t))
      ),
    config: { language: lang() }
  })

  function notifyFinal(view: PayoutView): void {
    if (!opts.notify) return
    const ru = lang() === 'ru'
    const verdict =
      view.state === 'succeeded'
        ? ru
          ? 'проведена'
          : 'succeeded'
        : view.state === 'failed'
          ? ru
            ? 'не проведена'
            : 'failed'
          : ru
            ? 'отклонена проверкой'
            : 'declined'
    opts.notify(
      'QIWI Desk',
      ru
        ? `Выплата ${view.transactionNumber} на ${view.amount}: ${verdict}`
        : `Payout ${view.transactionNumber} of ${view.amount}: ${verdict}`
    )
  }

  await seedDemoTerminal(db, vault, sandbox, logger)

  const info = (): AppInfo => ({
    name: 'QIWI Desk',
    version: opts.version,
    host: opts.host,
    dataDir: opts.dataDir,
    logDir: logDir(opts.dataDir),
    defaultEndpoint: { kind: 'sandbox', label: 'sandbox' },
    keychain: opened.status,
    keychainReason: opened.reason ? opened.reason.message[lang()] : null
  })

  const wallet = createWalletHandlers({
    db,
    vault: () => vault,
    lang,
    // wallets store a normalized api ('sandbox' or an origin checked by normalizeApi at login)
    resolveApi: originResolver(() => sandbox.lastOrigins().personalOrigin),
    onTransfer: (view) => bus.emit('wallet:transfer', view),
    logger: logger.child({ area: 'wallet' }),
    ...(opts.startEngine === false ? { reconcileIntervalMs: null } : {})
  })

  const handlers: Handlers<Calls> = {
    'app:info': async () => info(),
    'app:openLogFolder': async () => {
      const path = logDir(opts.dataDir)
      mkdirSync(path, { recursive: true })
      const shown = opts.openPath ? await opts.openPath(path) : false
      return { opened: shown, path }
    },
    'settings:get': async () => settings.get(),
    'settings:set': async (patch) => {
      const next = settings.set(patch)
      bus.emit('settings:changed', next)
      return next
    },
    'credentials:enableSessionOnly': async () => {
      if (opened.status === 'keychain') {
        throw new AppError('conflict', 'The OS keychain works; session-only mode is not needed')
      }
      opened = { store: new MemorySecretStore(), status: 'session', reason: opened.reason }
      vault = new CredentialVault({ store: opened.store, logger })
      logger.warn('secrets: session-only mode enabled by the user')
      return info()
    },
    ...terminalHandlers({
      db,
      vault: () => vault,
      lang,
      onTerminalsChanged: (views) => {
        bus.emit('terminals:changed', views)
        engine.kick()
      }
    }),
    ...payoutHandlers({ db, engine, lang, onBalances: (b) => bus.emit('balances:changed', b) }),
    ...wallet.handlers,
    ...sandboxHandlers({ sandbox, onReachability: () => void connectivity?.check() })
  }

  const dispatch = createDispatcher(calls, handlers, logger)

  const stopEngine = opts.startEngine === false ? null : engine.start()
  let connectivity: ConnectivityMonitor | null = null
  connectivity = startConnectivityMonitor({
    origins: () =>
      listTerminals(db).flatMap((t) => {
        if (t.endpoint !== 'sandbox') return [t.endpoint]
        const o = sandbox.lastOrigins().topupOrigin
        return o ? [o] : []
      }),
    onChange: (online, endpoint) => {
      bus.emit('app:connectivity', { online, endpoint, checkedAt: Date.now() })
      if (online) engine.kick()
    }
  })

  logger.info({ host: opts.host, version: opts.version, keychain: opened.status }, 'core started')

  return {
    dispatch,
    events: bus,
    db,
    engine,
    vault: () => vault,
    sandbox,
    language: lang,
    async close() {
      logger.info('core stopping')
      connectivity?.stop()
      wallet.stop()
      if (stopEngine) await stopEngine()
      await sandbox.close()
      closeDatabase(db)
    }
  }
}

/**
 * A fresh install gets one terminal on the embedded sandbox (password mode, the demo
 * agent), so every screen works out of the box. Seeded once: a removed demo terminal
 * stays removed.
 */
async function seedDemoTerminal(
  db: Db,
  vault: CredentialVault,
  sandbox: EmbeddedSandbox,
  logger: Logger
): Promise<void> {
  if (getSetting(db, DEMO_SEEDED_KEY) === true || listTerminals(db).length > 0) return
  const s = sandbox.running
  if (!s) return
  const demo = s.demo.topup.password
  const t = createTerminal(db, {
    name: 'Песочница',
    terminalId: demo.terminalId,
    endpoint: 'sandbox',
    authMode: 'password',
    servicesAllowed: ['wallet', 'card', 'card-spec', 'sbp', 'mobile'],
    precheckAbsentWalletPolicy: 'pay',
    lowBalanceKopecks: 100_000,
    minPollSeconds: 5
  })
  const saved = await vault.save(
    { type: 'terminal', id: t.id },
    { kind: 'terminal-password', password: demo.password },
    { commit: (ref) => void updateTerminal(db, t.id, { passwordRef: ref }) }
  )
  if (!saved.ok) logger.warn({ code: saved.error.code }, 'demo terminal: password not stored')
  setSetting(db, DEMO_SEEDED_KEY, true)
  logger.info({ terminal: getTerminal(db, t.id)?.name }, 'demo sandbox terminal created')
}
