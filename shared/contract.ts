/**
 * THE contract between the renderer and the main process. Every call the renderer can
 * make and every event main can push is declared here once, with runtime schemas.
 *
 * - Electron: electron/main/ipc.ts registers one handler per call through a single helper
 *   (sender-frame check + input validation).
 * - Web host: electron/web-host serves the same calls as POST /api/<channel> and the events
 *   as a server-sent-event stream; renderer/src/api/web-client.ts builds the same object.
 * - The preload and the web client build `window.api` from the names alone
 *   (shared/channels.ts), so zod stays out of the renderer and preload bundles; a new
 *   channel goes in both files (the `satisfies` clauses below refuse to compile otherwise).
 *
 * Calls return `{ ok: true, value } | { ok: false, error: { code, message } }`, never throw.
 * Channel names are `domain:verb`; append new ones, never rename (the web host URL is the name).
 */
import { z } from 'zod'

import type { CallChannel, EventChannel } from './channels'
import { call } from './contract-kit'
import type { CallSpec, ClientApi, EventsApi } from './contract-kit'
import {
  AlertView,
  BalanceView,
  DayReportView,
  HistoryFilter,
  HistorySort,
  PayoutCreateInput,
  PayoutEventView,
  PayoutView,
  PrecheckInput,
  PrecheckView,
  ServiceZ,
  TerminalView,
  TotalsView
} from './payouts'
import {
  TransferView,
  WalletAccountView,
  WalletHistoryFilter,
  WalletHistoryItemView,
  WalletMonthTotals,
  WalletView
} from './wallet'

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
const Id = z.object({ id: z.string().min(1).max(100) }).strict()
const NumId = z.object({ id: z.number().int().positive() }).strict()

/** Terminal settings the renderer may edit (credentials go through `credentials:*`). */
export const TerminalInput = z
  .object({
    id: z.string().max(100).optional(),
    name: z.string().trim().min(1).max(60),
    terminalId: z.string().regex(/^\d{1,20}$/),
    endpoint: z.string().min(1).max(200),
    authMode: z.enum(['password', 'signature', 'certificate']),
    signatureAlg: z.enum(['SHA1withRSA', 'MD5withRSA']).nullable().optional(),
    servicesAllowed: z.array(ServiceZ).min(1).max(6),
    precheckAbsentWalletPolicy: z.enum(['pay', 'decline']),
    lowBalance: z.string().max(20).nullable().optional(),
    minPollSeconds: z.number().int().min(0).max(86_400).optional()
  })
  .strict()
export type TerminalInput = z.infer<typeof TerminalInput>

/** Credential material the user hands in (file contents base64); never returned. */
export const CredentialInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password'), terminalRef: z.string(), password: z.string().min(1).max(200) }).strict(),
  z
    .object({
      kind: z.literal('signing-key'),
      terminalRef: z.string(),
      keyPemBase64: z.string().min(1).max(100_000),
      passphrase: z.string().max(200).optional()
    })
    .strict(),
  z
    .object({
      kind: z.literal('client-pfx'),
      terminalRef: z.string(),
      pfxBase64: z.string().min(1).max(200_000),
      passphrase: z.string().max(200).optional(),
      caPemBase64: z.string().max(100_000).optional()
    })
    .strict(),
  z
    .object({
      kind: z.literal('client-pem'),
      terminalRef: z.string(),
      keyPemBase64: z.string().min(1).max(100_000),
      certPemBase64: z.string().min(1).max(100_000),
      passphrase: z.string().max(200).optional(),
      caPemBase64: z.string().max(100_000).optional()
    })
    .strict()
])
export type CredentialInput = z.infer<typeof CredentialInput>

export const SANDBOX_FAULTS = [
  'hang',
  'reset-before',
  'reset-after',
  'http-status',
  'empty-body',
  'truncate-length',
  'malformed-xml',
  'request-error',
  'temporary',
  'not-found',
  /** request-level 150, fatal: wrong login/password (pauses the terminal) */
  'fatal-auth',
  /** request-level 339, fatal: IP address blocked */
  'fatal-ip'
] as const

export const SandboxInfo = z.object({
  enabled: z.boolean(),
  reachable: z.boolean(),
  topupOrigin: z.string().nullable(),
  personalOrigin: z.string().nullable(),
  demo: z
    .object({
      terminalId: z.string(),
      wallets: z.record(z.string(), z.string()),
      cards: z.record(z.string(), z.string()),
      sbp: z.record(z.string(), z.string()),
      personal: z
        .object({ wallet: z.string(), token: z.string(), casLogin: z.string(), casPassword: z.string() })
        .nullable()
    })
    .nullable()
})
export type SandboxInfo = z.infer<typeof SandboxInfo>

const Page = z.object({ limit: z.number().int().min(1).max(1000), offset: z.number().int().min(0).max(10_000_000) })

export const calls = {
  /** Product, host and data-directory facts for the status bar and Settings. */
  'app:info': call(Empty, AppInfo, 'Product, host, data directory, default endpoint, keychain mode'),
  /** Opens the log folder in the OS file manager (Electron) or returns its path (web host). */
  'app:openLogFolder': call(Empty, z.object({ opened: z.boolean(), path: z.string() }), 'Open the log folder'),
  'settings:get': call(Empty, Settings, 'Read the non-secret app settings'),
  'settings:set': call(Settings.partial().strict(), Settings, 'Change language and/or theme; returns the new settings'),

  // ── terminals and their credentials (secrets go in, never out) ──
  'terminals:list': call(Empty, z.array(TerminalView), 'Configured terminals (non-secret view)'),
  'terminals:save': call(TerminalInput, TerminalView, 'Create or update a terminal'),
  'terminals:remove': call(Id, z.object({ removed: z.boolean() }), 'Remove a terminal and its keychain entries'),
  'terminals:resume': call(Id, TerminalView, 'Resume a terminal paused by a fatal error or code 215'),
  'credentials:save': call(CredentialInput, TerminalView, 'Validate and store a credential in the keychain'),
  'credentials:delete': call(
    z.object({ terminalRef: z.string(), kind: z.enum(['password', 'signing-key', 'client-cert']) }).strict(),
    TerminalView,
    'Delete a stored credential'
  ),
  'credentials:exportPublicKey': call(
    z.object({ terminalRef: z.string() }).strict(),
    z.object({ pem: z.string() }),
    'The public half of the signing key, for registration with QIWI'
  ),
  'credentials:enableSessionOnly': call(
    Empty,
    AppInfo,
    'Keep secrets in memory for this run only (when no keychain is available)'
  ),

  // ── payouts ──
  'payouts:precheck': call(PrecheckInput, PrecheckView, 'check-deposit-possible / check-user before paying'),
  'payouts:create': call(PayoutCreateInput, PayoutView, 'Record the intent (persisted first) and send it'),
  'payouts:get': call(NumId, z.object({ payout: PayoutView, events: z.array(PayoutEventView) }), 'One payout with its timeline'),
  'payouts:queue': call(Empty, z.array(PayoutView), 'Payouts not final yet'),
  'history:query': call(
    z.object({ filter: HistoryFilter, sort: HistorySort, page: Page }).strict(),
    z.object({ rows: z.array(PayoutView), total: TotalsView }),
    'Local payout history: filtered, sorted, paged, with totals of the filtered set'
  ),
  'history:exportCsv': call(
    z.object({ filter: HistoryFilter, sort: HistorySort }).strict(),
    z.object({ csv: z.string(), rows: z.number().int(), fileName: z.string() }),
    'CSV of the filtered set'
  ),
  'balances:list': call(Empty, z.array(BalanceView), 'Last known agent balances'),
  'balances:refresh': call(z.object({ terminalRef: z.string().optional() }).strict(), z.array(BalanceView), 'Ping now'),
  'alerts:list': call(Empty, z.array(AlertView), 'Open alerts'),
  'alerts:ack': call(NumId, z.object({ ok: z.boolean() }), 'Acknowledge an alert'),
  'report:day': call(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).strict(), DayReportView, 'End-of-day report'),

  // ── wallet owner ──
  'wallets:list': call(Empty, z.array(WalletView), 'Wallets logged in on this desk'),
  'wallets:addToken': call(
    z.object({ name: z.string().trim().min(1).max(60), api: z.string().min(1).max(200), token: z.string().min(8).max(200) }).strict(),
    WalletView,
    'Log in with an API token (validated against the profile, permissions probed)'
  ),
  'wallets:addCas': call(
    z
      .object({
        name: z.string().trim().min(1).max(60),
        api: z.string().min(1).max(200),
        authBase: z.string().max(200).optional(),
        login: z.string().min(5).max(20),
        password: z.string().min(1).max(200)
      })
      .strict(),
    WalletView,
    'Log in through the legacy CAS ticket flow'
  ),
  'wallets:remove': call(Id, z.object({ removed: z.boolean() }), 'Log out: remove the wallet, its token and cache'),
  'wallet:balances': call(Id, z.array(WalletAccountView), 'Balances per account'),
  'wallet:sync': call(Id, z.object({ added: z.number().int(), total: z.number().int(), lastSyncAt: z.number() }), 'Fetch new history'),
  'wallet:history': call(
    z.object({ filter: WalletHistoryFilter, page: Page }).strict(),
    z.object({ rows: z.array(WalletHistoryItemView), count: z.number().int() }),
    'Cached history, filtered locally (works offline)'
  ),
  'wallet:exportCsv': call(
    z.object({ filter: WalletHistoryFilter }).strict(),
    z.object({ csv: z.string(), rows: z.number().int(), fileName: z.string() }),
    'CSV of the filtered cached history'
  ),
  'wallet:totals': call(
    z.object({ id: z.string(), from: z.number(), to: z.number() }).strict(),
    z.array(WalletMonthTotals),
    'Incoming vs outgoing per month and currency'
  ),
  'wallet:commission': call(
    z.object({ id: z.string(), to: z.string().max(20), amount: z.string().max(20) }).strict(),
    z.object({ commission: z.string(), total: z.string() }),
    'Commission of a transfer before confirming'
  ),
  'wallet:transfer': call(
    z
      .object({
        id: z.string(),
        clientRequestId: z.string().min(8).max(100),
        to: z.string().max(20),
        amount: z.string().max(20),
        comment: z.string().max(500).optional()
      })
      .strict(),
    TransferView,
    'Transfer to a QIWI wallet (never sent twice)'
  ),
  'wallet:transfers': call(Id, z.array(TransferView), 'Transfers made from this desk'),

  // ── embedded sandbox (training, demos, tests): only the emulator, never a real endpoint ──
  'sandbox:info': call(Empty, SandboxInfo, 'Embedded sandbox origins and its demo accounts'),
  'sandbox:injectFault': call(
    z
      .object({
        request: z.enum(['pay', 'status', 'check-deposit-possible', 'check-user', 'ping', 'any']),
        kind: z.enum(SANDBOX_FAULTS),
        times: z.number().int().min(1).max(1000).default(1)
      })
      .strict(),
    z.object({ queued: z.number().int() }),
    'Script a fault for the next matching Top-Up requests (training, tests)'
  ),
  'sandbox:finalizeAll': call(Empty, z.object({ finalized: z.number().int() }), 'Finish every payment still processing'),
  'sandbox:setReachable': call(
    z.object({ reachable: z.boolean() }).strict(),
    SandboxInfo,
    'Take the sandbox off the network (offline drill) or bring it back'
  )
  // exactly the names in shared/channels.ts (a missing or an extra channel fails to compile)
} as const satisfies Record<CallChannel, CallSpec>

export type Calls = typeof calls

export const events = {
  /** The app settings changed (another window, the CLI, Settings page). */
  'settings:changed': Settings,
  /** Endpoint reachability as seen by the sender and the poller. */
  'app:connectivity': z.object({ online: z.boolean(), endpoint: z.string(), checkedAt: z.number() }),
  /** A payout changed state (or its next check time). */
  'payout:changed': PayoutView,
  /** An operator alert was raised (fatal error, 215, low balance, …). */
  'alert:raised': AlertView,
  'balances:changed': z.array(BalanceView),
  'terminals:changed': z.array(TerminalView),
  'wallet:transfer': TransferView
} as const satisfies Record<EventChannel, z.ZodType>

export type Events = typeof events

/** What `window.api` is in both hosts. */
export type RendererApi = ClientApi<Calls> & { events: EventsApi<Events>; host: 'electron' | 'web' }
