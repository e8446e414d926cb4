/**
 * THE contract between the renderer and the main process. Every call the renderer can
 * make and every event main can push is declared here once, with runtime schemas.
 *
 * - Electron: electron/main/ipc.ts registers one handler per call through a single helper
 *   (sender-frame check + input validation); electron/preload builds `window.api` from it.
 * - Web host: electron/web-host serves the same calls as POST /api/<channel> and the events
 *   as a server-sent-event stream; renderer/src/api/web-client.ts builds the same object.
 *
 * Calls return `{ ok: true, value } | { ok: false, error: { code, message } }`, never throw.
 * Channel names are `domain:verb`; append new ones, never rename (the web host URL is the name).
 */
import { z } from 'zod'

import { call } from './contract-kit'
import type { ClientApi, EventsApi } from './contract-kit'

export const Language = z.enum(['ru', 'en'])
export type Language = z.infer<typeof Language>
export const Theme = z.enum(['light', 'dark', 'system'])
export type Theme = z.infer<typeof Theme>

export const Settings = z.object({
  language: Language,
  theme: Theme
})
export type Settings = z.infer<typeof Settings>

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'web']),
  /** Where the database, logs and exported files live. */
  dataDir: z.string(),
  logDir: z.string(),
  /** The endpoint new terminals and wallets use by default. */
  defaultEndpoint: z.object({ kind: z.enum(['sandbox', 'custom']), label: z.string() }),
  /** How secrets are kept this run. `session` = memory only, visibly marked in the UI. */
  keychain: z.enum(['keychain', 'session', 'unavailable']),
  keychainReason: z.string().nullable()
})
export type AppInfo = z.infer<typeof AppInfo>

const Empty = z.object({}).strict()

export const calls = {
  /** Product, host and data-directory facts for the status bar and Settings. */
  'app:info': call(Empty, AppInfo, 'Product, host, data directory, default endpoint, keychain mode'),
  /** Opens the log folder in the OS file manager (Electron) or returns its path (web host). */
  'app:openLogFolder': call(Empty, z.object({ opened: z.boolean(), path: z.string() }), 'Open the log folder'),
  'settings:get': call(Empty, Settings, 'Read the non-secret app settings'),
  'settings:set': call(Settings.partial().strict(), Settings, 'Change language and/or theme; returns the new settings')
} as const

export type Calls = typeof calls

export const events = {
  /** The app settings changed (another window, the CLI, Settings page). */
  'settings:changed': Settings,
  /** Endpoint reachability as seen by the sender and the poller. */
  'app:connectivity': z.object({ online: z.boolean(), endpoint: z.string(), checkedAt: z.number() })
} as const

export type Events = typeof events

/** What `window.api` is in both hosts. */
export type RendererApi = ClientApi<Calls> & { events: EventsApi<Events>; host: 'electron' | 'web' }
