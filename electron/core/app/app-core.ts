/**
 * The composition root shared by both hosts (Electron main, loopback web host) and the
 * tests: opens the database and the secret store, builds the services, and binds the
 * contract handlers through the dispatcher. Nothing here imports electron; host-specific
 * abilities (open a folder, show a notification) are passed in.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'


import { calls, events } from '../../../shared/contract'
import type { Calls, Events, Language } from '../../../shared/contract'
import type { Handlers } from '../../../shared/contract-kit'
import { closeDatabase, openDatabase } from '../db/connection'
import type { Db } from '../db/connection'
import { createDispatcher, EventBus } from '../ipc/dispatcher'
import type { Dispatch } from '../ipc/dispatcher'
import type { Logger } from '../log/logger'
import { logDir } from '../log/logger'
import { openSecretStore } from '../secrets/open-secret-store'
import type { OpenedSecretStore } from '../secrets/open-secret-store'
import type { SecretStore } from '../secrets/secret-store'
import { SettingsService } from './settings-service'

export interface AppCoreOptions {
  dataDir: string
  host: 'electron' | 'web'
  version: string
  logger: Logger
  /** Opens a folder in the OS file manager; absent in the web host (the path is shown instead). */
  openPath?: (path: string) => Promise<boolean>
  /** Shows a desktop notification (Electron); absent → the renderer notifies. */
  notify?: (title: string, body: string) => void
  /** Fall back to session-only secrets when the keychain is unusable (visibly marked). */
  allowSessionOnlySecrets: boolean
  /** Tests inject a secret store (e.g. a session store) instead of probing the keychain. */
  secretStore?: OpenedSecretStore
}

export interface AppCore {
  dispatch: Dispatch
  events: EventBus<Events>
  db: Db
  secrets: SecretStore
  language(): Language
  close(): Promise<void>
}

export const DB_FILE = 'qiwi-desk.db'

export async function createAppCore(opts: AppCoreOptions): Promise<AppCore> {
  mkdirSync(opts.dataDir, { recursive: true })
  const logger = opts.logger
  const db = openDatabase(join(opts.dataDir, DB_FILE))
  const opened =
    opts.secretStore ?? (await openSecretStore({ allowSessionOnly: opts.allowSessionOnlySecrets, logger }))
  const bus = new EventBus(events, logger)
  const settings = new SettingsService(db)

  const handlers: Handlers<Calls> = {
    'app:info': async () => ({
      name: 'QIWI Desk',
      version: opts.version,
      host: opts.host,
      dataDir: opts.dataDir,
      logDir: logDir(opts.dataDir),
      defaultEndpoint: { kind: 'sandbox', label: 'sandbox' },
      keychain: opened.status,
      keychainReason: opened.reason ? opened.reason.code : null
    }),
    'app:openLogFolder': async () => {
      const path = logDir(opts.dataDir)
      mkdirSync(path, { recursive: true })
      const opened = opts.openPath ? await opts.openPath(path) : false
      return { opened, path }
    },
    'settings:get': async () => settings.get(),
    'settings:set': async (patch) => {
      const next = settings.set(patch)
      bus.emit('settings:changed', next)
      return next
    }
  }

  const dispatch = createDispatcher(calls, handlers, logger)
  logger.info({ host: opts.host, version: opts.version, keychain: opened.status }, 'core started')

  return {
    dispatch,
    events: bus,
    db,
    secrets: opened.store,
    language: () => settings.get().language,
    async close() {
      logger.info('core stopping')
      closeDatabase(db)
    }
  }
}
