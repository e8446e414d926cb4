/**
 * WalletService: the wallet owner's side of QIWI Desk over the personal API client
 * (electron/core/personal), the SQLite cache (0002_wallet.sql) and the keychain
 * (CredentialVault). Electron-free; the clock, sleep, randomness, transports and the
 * client factory are injectable so tests run it against the emulator in virtual time.
 *
 * - Login: a token is validated at once (profile) and its permissions probed; a CAS
 *   login+password gets a TGT first. Nothing is stored unless that succeeds; the
 *   secret goes to the keychain, the row keeps only its reference.
 * - Sync: incremental (only what is new since the newest cached item, with an
 *   overlap), cursor followed to the end, upsert by (txnId, type). Watermarks advance
 *   only after a complete sync, so an interrupted one leaves no gap.
 * - History, search, CSV and totals: from the cache only (work offline).
 * - Transfers to wallet 99: never doubled. The client id is allocated and committed
 *   with the row before sending; an unknown outcome becomes `waiting` and is resolved
 *   through history (trmTxnId = our id); the same id is re-sent only once history
 *   covering the attempt proves it never arrived. See docs/WALLET.md.
 */
import { randomUUID } from 'node:crypto'
import { AppError, isAppError } from '../../../shared/errors'
import type { ErrorCode } from '../../../shared/errors'
import { formatAmount, parseAmount } from '../../../shared/money'
import { normalizePhone, validateComment } from '../../../shared/validation'
import type {
  TransferView,
  WalletAccountView,
  WalletHistoryItemView,
  WalletMonthTotals,
  WalletView
} from '../../../shared/wallet'
import type { Db } from '../db/connection'
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import type { AuthProvider, CasHeaderScheme } from '../personal/auth'
import { CasSession, bearerAuth } from '../personal/auth'
import type { PersonalClientOptions } from '../personal/client'
import { PersonalClient } from '../personal/client'
import { DAY_MS, MOSCOW_OFFSET_MINUTES } from '../personal/dates'
import { PersonalApiError, envelopeText, personalErrorMessage } from '../personal/errors'
import type { RateLimiter, Sleep } from '../personal/limiter'
import { SlidingWindowLimiter, realSleep } from '../personal/limiter'
import type { HttpTransport } from '../personal/transport'
import { createNodeTransport } from '../personal/transport'
import { describeTxnError } from '../personal/txn-error-codes'
import type { Lang } from '../personal/txn-error-codes'
import type { HistorySource, PaymentHistoryItem, PermissionReport, Profile } from '../personal/types'
import { HISTORY_SOURCES } from '../personal/types'
import type { CredentialVault } from '../secrets/credential-vault'
import type { SecretError } from '../secrets/secret-errors'
import type { ApiResolver, CasOptions, ResolvedApi } from './api'
import { defaultCasBase, normalizeApi, originResolver } from './api'
import { historyCsv } from './csv'
import type { HistoryOperationFilter, HistoryQuery, Page } from './history.repository'
import {
  countHistory,
  countQuery,
  findByTrmTxnId,
  formatBigKopecks,
  instantOf,
  monthTotals,
  newestAt,
  oldestWaitingSince,
  queryHistory,
  toHistoryView,
  upsertHistory
} from './history.repository'
import { KeyedMutex } from './keyed-mutex'
import type { TransferOutcome, TransferRecord } from './transfers.repository'
import {
  claimAttempt,
  countOpenTransfers,
  createTransfer,
  getTransfer,
  getTransferByRequest,
  listOpenTransfers,
  listTransfers,
  recordOutcome,
  scheduleCheck,
  toTransferView
} from './transfers.repository'
import type { WalletPermissions, WalletRecord } from './wallets.repository'
import {
  deleteWallet,
  getWallet,
  getWalletByName,
  insertWallet,
  listWallets,
  recordSync
} from './wallets.repository'

/** Documented token lifetime (spec §2, P6). */
export const TOKEN_LIFETIME_DAYS = 180
export const TOKEN_WARN_DAYS = 14
export const DEFAULT_INITIAL_SYNC_DAYS = 90
export const DEFAULT_SYNC_OVERLAP_MS = 10 * 60_000
/** WAITING items younger than this are re-fetched by every sync until they settle. */
export const DEFAULT_WAITING_REFRESH_DAYS = 7
/**
 * Minimum time after a send before history may prove it never arrived. Far above the
 * request deadline (30 s), so a request still in flight — here or in another process —
 * cannot be mistaken for a lost one.
 */
export const DEFAULT_RESEND_AFTER_MS = 5 * 60_000
export const DEFAULT_RECONCILE_RETRY_MS = 60_000
export const DEFAULT_RECONCILE_INTERVAL_MS = 60_000

export interface WalletServiceOptions {
  db: Db
  vault: () => CredentialVault
  /** 'sandbox' → the embedded emulator's origin; origins → themselves (+ an optional CA). */
  resolveApi?: ApiResolver | undefined
  lang?: (() => Lang) | undefined
  logger?: Logger | undefined
  now?: (() => number) | undefined
  sleep?: Sleep | undefined
  random?: (() => number) | undefined
  /** Builds the API client; tests wrap it (count requests, point at an emulator). */
  clientFactory?: ((opts: PersonalClientOptions) => PersonalClient) | undefined
  /** Transport per resolved API. Default: node http/https (with the API's CA, if any). */
  transportFactory?: ((api: ResolvedApi) => HttpTransport) | undefined
  /** Passed to every client (deadlines, backoff policies, query-date offset). */
  clientOptions?:
    | Pick<
        PersonalClientOptions,
        | 'timeoutMs'
        | 'blockedRetry'
        | 'transientRetry'
        | 'zoneOffsetMinutes'
        | 'maxResponseBytes'
        | 'userAgent'
      >
    | undefined
  /** Client-side history pacing per wallet (spec §4.1: 100 per minute). */
  historyRateLimit?: { limit?: number; windowMs?: number; marginMs?: number } | undefined
  initialSyncDays?: number | undefined
  syncOverlapMs?: number | undefined
  waitingRefreshDays?: number | undefined
  resendAfterMs?: number | undefined
  reconcileRetryMs?: number | undefined
  tokenLifetimeDays?: number | undefined
  tokenWarnDays?: number | undefined
  /** Offset (minutes east of UTC) that defines a month for totals. Default 180 (Moscow). */
  totalsOffsetMinutes?: number | undefined
  /** Items per SQLite transaction during a sync. Default 200. */
  syncBatchSize?: number | undefined
  /** Every transfer state change (the app pushes `wallet:transfer`). */
  onTransferChanged?: ((view: TransferView) => void) | undefined
}

export interface AddTokenInput {
  name: string
  api: string
  token: string
  /** Wallet number, needed only when the token lacks the profile permission. */
  wallet?: string | undefined
}

export interface AddCasInput {
  name: string
  api: string
  login: string
  password: string
  /** CAS server origin; default: the API origin for the sandbox/loopback, else https://auth.qiwi.com. */
  authBase?: string | undefined
  headerScheme?: CasHeaderScheme | undefined
  /** Service the per-request ST is issued for; default per scheme (spec §10.1/§10.3). */
  service?: string | undefined
}

export interface SyncOptions {
  /** First sync only: how many days back. Default 90. */
  days?: number | undefined
}

export interface SyncResult {
  added: number
  updated: number
  /** Items in the cache after the sync. */
  total: number
  lastSyncAt: number
  /** The window fetched. */
  from: number
  to: number
}

export interface LiveHistoryQuery {
  from: number
  to: number
  operation?: HistoryOperationFilter | undefined
  sources?: readonly HistorySource[] | undefined
}

export interface TransferInput {
  walletId: string
  /** The UI's id for this user action: a replay returns the same transfer. */
  clientRequestId: string
  to: string
  /** Decimal rubles as typed ("100.50"). */
  amount: string
  comment?: string | undefined
}

export interface ReconcileSummary {
  checked: number
  resolved: number
  resent: number
  errors: number
}

type HistoryFilterInput = Omit<HistoryQuery, 'currencies' | 'statuses'> & {
  currencies?: readonly string[] | undefined
  statuses?: readonly ('WAITING' | 'SUCCESS' | 'ERROR')[] | undefined
}

const NAME_MAX = 60

export class WalletService {
  private readonly db: Db
  private readonly vaultOf: () => CredentialVault
  private readonly resolver: ApiResolver
  private readonly lang: () => Lang
  private readonly log: Logger
  private readonly now: () => number
  private readonly sleep: Sleep
  private readonly random: () => number
  private readonly factory: (opts: PersonalClientOptions) => PersonalClient
  private readonly transportFactory: (api: ResolvedApi) => HttpTransport
  private readonly clientOptions: NonNullable<WalletServiceOptions['clientOptions']>
  private readonly rate: NonNullable<WalletServiceOptions['historyRateLimit']>
  private readonly initialSyncDays: number
  private readonly overlapMs: number
  private readonly waitingRefreshMs: number
  private readonly resendAfterMs: number
  private readonly reconcileRetryMs: number
  private readonly tokenLifetimeMs: number
  private readonly tokenWarnMs: number
  private readonly totalsOffset: number
  private readonly batchSize: number
  private readonly onTransferChanged: (view: TransferView) => void
  private readonly transports = new Map<string, HttpTransport>()
  private readonly limiters = new Map<string, RateLimiter>()
  private readonly casSessions = new Map<string, CasSession>()
  private readonly mutex = new KeyedMutex()
  private reconcilerStop: (() => void) | null = null

  constructor(opts: WalletServiceOptions) {
    this.db = opts.db
    this.vaultOf = opts.vault
    this.resolver = opts.resolveApi ?? originResolver()
    this.lang = opts.lang ?? (() => 'en')
    this.log = opts.logger ?? nullLogger
    this.now = opts.now ?? Date.now
    this.sleep = opts.sleep ?? realSleep
    this.random = opts.random ?? Math.random
    this.factory = opts.clientFactory ?? ((o) => new PersonalClient(o))
    this.transportFactory = opts.transportFactory ?? ((api) => createNodeTransport({ ca: api.ca }))
    this.clientOptions = opts.clientOptions ?? {}
    this.rate = opts.historyRateLimit ?? {}
    this.initialSyncDays = opts.initialSyncDays ?? DEFAULT_INITIAL_SYNC_DAYS
    this.overlapMs = opts.syncOverlapMs ?? DEFAULT_SYNC_OVERLAP_MS
    this.waitingRefreshMs = (opts.waitingRefreshDays ?? DEFAULT_WAITING_REFRESH_DAYS) * DAY_MS
    this.resendAfterMs = opts.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS
    this.reconcileRetryMs = opts.reconcileRetryMs ?? DEFAULT_RECONCILE_RETRY_MS
    this.tokenLifetimeMs = (opts.tokenLifetimeDays ?? TOKEN_LIFETIME_DAYS) * DAY_MS
    this.tokenWarnMs = (opts.tokenWarnDays ?? TOKEN_WARN_DAYS) * DAY_MS
    this.totalsOffset = opts.totalsOffsetMinutes ?? MOSCOW_OFFSET_MINUTES
    this.batchSize = opts.syncBatchSize ?? 200
    this.onTransferChanged = opts.onTransferChanged ?? (() => undefined)
  }

  // ------------------------------------------------------------------ helpers

  private t(ru: string, en: string): string {
    return this.lang() === 'ru' ? ru : en
  }

  private vault(): CredentialVault {
    return this.vaultOf()
  }

  private secretError(e: SecretError): AppError {
    return new AppError(e.code, e.message[this.lang()], e.details)
  }

  /** PersonalApiError → an AppError with the text in the caller's language; others pass. */
  private localize(e: unknown): unknown {
    if (e instanceof PersonalApiError) {
      const extra = envelopeText(e.envelope)
      return new AppError(
        e.code,
        `${personalErrorMessage(e.kind, this.lang())}${extra ? ` (${extra.slice(0, 200)})` : ''}`,
        { ...e.details, ...(e.httpStatus !== null ? { httpStatus: e.httpStatus } : {}) }
      )
    }
    return e
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      throw this.localize(e)
    }
  }

  private mustGet(id: string): WalletRecord {
    const w = getWallet(this.db, id)
    if (!w) {
      throw new AppError('unknown-wallet', this.t(`Кошелёк не найден: ${id}`, `No such wallet: ${id}`), {
        walletId: id
      })
    }
    return w
  }

  private resolve(api: string): ResolvedApi {
    return this.resolver(api)
  }

  private transport(api: ResolvedApi): HttpTransport {
    const key = `${api.origin}|${api.ca ?? ''}`
    let t = this.transports.get(key)
    if (!t) {
      t = this.transportFactory(api)
      this.transports.set(key, t)
    }
    return t
  }

  private limiter(walletId: string): RateLimiter {
    let l = this.limiters.get(walletId)
    if (!l) {
      l = new SlidingWindowLimiter({ ...this.rate, now: this.now, sleep: this.sleep })
      this.limiters.set(walletId, l)
    }
    return l
  }

  private makeClient(api: ResolvedApi, auth: AuthProvider, limiter: RateLimiter): PersonalClient {
    return this.factory({
      ...this.clientOptions,
      auth,
      baseUrl: api.origin,
      transport: this.transport(api),
      now: this.now,
      sleep: this.sleep,
      random: this.random,
      logger: this.log,
      limiter
    })
  }

  private casSession(login: string, password: string, cas: CasOptions): CasSession {
    const base = this.resolve(cas.casBaseUrl)
    return new CasSession({
      login,
      password,
      transport: this.transport(base),
      casBaseUrl: base.origin,
      headerScheme: cas.headerScheme,
      service: cas.service ?? undefined,
      timeoutMs: this.clientOptions.timeoutMs,
      logger: this.log
    })
  }

  private async authFor(w: WalletRecord): Promise<AuthProvider> {
    const vault = this.vault()
    if (w.authKind === 'token') {
      const r = await vault.loadWalletToken(w.credentialRef)
      if (!r.ok) throw this.secretError(r.error)
      return bearerAuth(r.value)
    }
    const cached = this.casSessions.get(w.id)
    if (cached) return cached
    const r = await vault.loadCasCredentials(w.credentialRef)
    if (!r.ok) throw this.secretError(r.error)
    if (!w.cas) throw new AppError('internal', 'CAS wallet without CAS options')
    const s = this.casSession(r.value.login, r.value.password, w.cas)
    this.casSessions.set(w.id, s)
    return s
  }

  /** A client for a stored wallet (credentials loaded from the keychain). */
  private async clientFor(w: WalletRecord): Promise<PersonalClient> {
    const auth = await this.authFor(w)
    return this.makeClient(this.resolve(w.api), auth, this.limiter(w.id))
  }

  private view(w: WalletRecord): WalletView {
    const expires = w.tokenAddedAt !== null ? w.tokenAddedAt + this.tokenLifetimeMs : null
    return {
      id: w.id,
      name: w.name,
      wallet: w.wallet,
      api: w.api,
      authKind: w.authKind,
      permissions: { ...w.permissions },
      tokenAddedAt: w.tokenAddedAt,
      tokenExpiresAt: expires,
      tokenExpiresSoon: expires !== null && this.now() >= expires - this.tokenWarnMs,
      lastSyncAt: w.lastSyncAt,
      itemCount: countHistory(this.db, w.id)
    }
  }

  private emit(t: TransferRecord): TransferView {
    const v = toTransferView(t)
    try {
      this.onTransferChanged(v)
    } catch (e) {
      this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'transfer listener failed')
    }
    return v
  }

  private validName(name: string): string {
    const n = name.trim()
    if (n.length < 1 || n.length > NAME_MAX) {
      throw new AppError(
        'invalid-input',
        this.t(`Имя кошелька: от 1 до ${NAME_MAX} символов`, `Wallet name must be 1..${NAME_MAX} characters`),
        { field: 'name' }
      )
    }
    return n
  }

  private assertNameFree(name: string): void {
    if (getWalletByName(this.db, name)) {
      throw new AppError(
        'conflict',
        this.t(`Кошелёк с именем «${name}» уже есть`, `A wallet named "${name}" already exists`),
        { field: 'name' }
      )
    }
  }

  private permissionsOf(report: PermissionReport): WalletPermissions {
    return {
      profile: report.profile.state,
      balance: report.balance.state,
      history: report.history.state,
      payments: report.payments.state
    }
  }

  private async defaultCurrency(client: PersonalClient, report: PermissionReport): Promise<string | null> {
    if (report.profile.state !== 'granted') return null
    try {
      const p = await client.profile({ authInfo: false, contractInfo: false, userInfo: true })
      const c = p.userInfo?.defaultPayCurrency ?? null
      return c !== null && /^\d{3}$/.test(c) ? c : null
    } catch {
      return null
    }
  }

  // -------------------------------------------------------------------- login

  /**
   * Logs in with an API token: validates it against the profile at once, probes the
   * four permissions, stores the token in the keychain and the wallet row in SQLite.
   * A refused token (401) stores nothing.
   */
  addWithToken(input: AddTokenInput): Promise<WalletView> {
    return this.guard(async () => {
      const name = this.validName(input.name)
      const api = normalizeApi(input.api)
      const vault = this.vault()
      const v = vault.validate({ kind: 'wallet-token', token: input.token })
      if (!v.ok) throw this.secretError(v.error)
      if (v.value.material.kind !== 'wallet-token') throw new AppError('internal', 'unexpected material')
      const token = v.value.material.token
      let hint: string | undefined
      if (input.wallet !== undefined) {
        const p = normalizePhone(input.wallet)
        if (!p.ok) {
          throw new AppError('invalid-phone', this.t('Неверный номер кошелька', 'Invalid wallet number'))
        }
        hint = p.value
      }
      this.assertNameFree(name)
      const resolved = this.resolve(api)
      // The probe's history requests count against the wallet's limit: the same limiter
      // becomes the wallet's own once it is saved, so a first sync right after login cannot
      // push QIWI past 100 requests in a minute (request.blocked, a 5-minute block).
      const probeLimiter = new SlidingWindowLimiter({ ...this.rate, now: this.now, sleep: this.sleep })
      const client = this.makeClient(resolved, bearerAuth(token), probeLimiter)
      const report = await client.probePermissions(hint)
      if (!report.tokenValid) {
        throw new AppError(
          'unauthorized',
          this.t(
            'QIWI отклонил токен (HTTP 401): он неверный, отозван или истёк (срок — 180 дней). Ничего не сохранено',
            'QIWI refused the token (HTTP 401): it is wrong, revoked or expired (valid 180 days). Nothing was stored'
          )
        )
      }
      if (
        report.profile.state === 'error' &&
        report.profile.error &&
        report.profile.error.kind !== 'invalid-argument'
      ) {
        throw report.profile.error
      }
      const wallet = report.wallet
      if (wallet === null) {
        throw new AppError(
          'forbidden',
          this.t(
            'У токена нет разрешения на профиль: укажите номер кошелька',
            'The token lacks the profile permission: give the wallet number'
          ),
          { permission: 'profile' }
        )
      }
      if (hint !== undefined && wallet !== hint) {
        throw new AppError(
          'invalid-input',
          this.t(
            `Токен принадлежит кошельку ${wallet}, а не ${hint}`,
            `The token belongs to wallet ${wallet}, not ${hint}`
          ),
          { field: 'wallet' }
        )
      }
      const defaultCurrency = await this.defaultCurrency(client, report)
      const id = randomUUID()
      this.limiters.set(id, probeLimiter)
      const now = this.now()
      const saved = await vault.save(
        { type: 'wallet', id },
        { kind: 'wallet-token', token },
        {
          commit: (ref) => {
            insertWallet(
              this.db,
              {
                id,
                name,
                wallet,
                api,
                authKind: 'token',
                credentialRef: ref,
                cas: null,
                permissions: this.permissionsOf(report),
                defaultCurrency,
                tokenAddedAt: now
              },
              now
            )
          }
        }
      )
      if (!saved.ok) throw this.conflictOrSecret(saved.error, name)
      this.log.info({ walletId: id, api, permissions: this.permissionsOf(report) }, 'wallet added (token)')
      return this.view(this.mustGet(id))
    })
  }

  /** Re-checks the name/number clash for a clearer message when the row insert lost a race. */
  private conflictOrSecret(e: SecretError, name: string): AppError {
    if (e.code === 'conflict') {
      return new AppError(
        'conflict',
        this.t(`Кошелёк «${name}» уже добавлен`, `Wallet "${name}" is already added`)
      )
    }
    return this.secretError(e)
  }

  /**
   * Logs in through the legacy CAS flow (spec §10): login + password → TGT (checked
   * now), then a fresh ST per request with the configured header scheme and service.
   */
  addWithCas(input: AddCasInput): Promise<WalletView> {
    return this.guard(async () => {
      const name = this.validName(input.name)
      const api = normalizeApi(input.api)
      const vault = this.vault()
      const v = vault.validate({ kind: 'cas-login', login: input.login, password: input.password })
      if (!v.ok) throw this.secretError(v.error)
      if (v.value.material.kind !== 'cas-login') throw new AppError('internal', 'unexpected material')
      const { login, password } = v.value.material
      const cas: CasOptions = {
        casBaseUrl:
          input.authBase !== undefined ? normalizeApi(input.authBase, 'authBase') : defaultCasBase(api),
        headerScheme: input.headerScheme ?? 'token',
        service: input.service ?? null
      }
      if (cas.service !== null && !/^https?:\/\/\S{1,200}$/.test(cas.service)) {
        throw new AppError('invalid-input', this.t('Неверный CAS service URL', 'Invalid CAS service URL'), {
          field: 'service'
        })
      }
      this.assertNameFree(name)
      const session = this.casSession(login, password, cas)
      try {
        await session.loginNow()
      } catch (e) {
        if (e instanceof PersonalApiError && e.kind === 'cas-login-failed') {
          throw new AppError(
            'credential-invalid',
            this.t(
              'CAS отклонил логин или пароль кошелька. Ничего не сохранено',
              'CAS refused the wallet login or password. Nothing was stored'
            ),
            { httpStatus: e.httpStatus }
          )
        }
        throw e
      }
      const probeLimiter = new SlidingWindowLimiter({ ...this.rate, now: this.now, sleep: this.sleep })
      const client = this.makeClient(this.resolve(api), session, probeLimiter)
      const report = await client.probePermissions(login)
      if (!report.tokenValid) {
        throw new AppError(
          'unauthorized',
          this.t(
            'API отклонил сервисный билет CAS (HTTP 401): проверьте схему заголовка и service URL',
            'The API refused the CAS service ticket (HTTP 401): check the header scheme and service URL'
          )
        )
      }
      const wallet = report.wallet ?? login
      const defaultCurrency = await this.defaultCurrency(client, report)
      const id = randomUUID()
      this.limiters.set(id, probeLimiter)
      const now = this.now()
      const saved = await vault.save(
        { type: 'wallet', id },
        { kind: 'cas-login', login, password },
        {
          commit: (ref) => {
            insertWallet(
              this.db,
              {
                id,
                name,
                wallet,
                api,
                authKind: 'cas',
                credentialRef: ref,
                cas,
                permissions: this.permissionsOf(report),
                defaultCurrency,
                tokenAddedAt: null
              },
              now
            )
          }
        }
      )
      if (!saved.ok) {
        await session.logout().catch(() => undefined)
        throw this.conflictOrSecret(saved.error, name)
      }
      this.casSessions.set(id, session)
      this.log.info({ walletId: id, api, headerScheme: cas.headerScheme }, 'wallet added (CAS)')
      return this.view(this.mustGet(id))
    })
  }

  // ------------------------------------------------------------- list/remove

  list(): WalletView[] {
    return listWallets(this.db).map((w) => this.view(w))
  }

  get(id: string): WalletView {
    return this.view(this.mustGet(id))
  }

  /** The wallet with this name, or null (the CLI addresses wallets by name). */
  findByName(name: string): WalletView | null {
    const w = getWalletByName(this.db, name.trim())
    return w ? this.view(w) : null
  }

  /**
   * Logout: deletes the keychain entry first (a secret must not outlive the logout),
   * then the row with its cached history. Refused while a transfer is not final: its
   * outcome can only be settled with the wallet's credentials.
   */
  remove(id: string): Promise<{ removed: boolean }> {
    return this.guard(async () => {
      const w = getWallet(this.db, id)
      if (!w) return { removed: false }
      return this.mutex.run(w.id, async () => {
        const open = countOpenTransfers(this.db, w.id)
        if (open > 0) {
          throw new AppError(
            'conflict',
            this.t(
              `Есть незавершённые переводы (${open}): дождитесь сверки с историей, затем удалите кошелёк`,
              `${open} transfer(s) are not final yet: let them reconcile through history, then remove the wallet`
            ),
            { openTransfers: open }
          )
        }
        const session = this.casSessions.get(w.id)
        this.casSessions.delete(w.id)
        if (session) {
          try {
            await session.logout()
          } catch (e) {
            this.log.warn(
              { walletId: w.id, err: e instanceof Error ? e.message : String(e) },
              'CAS logout failed'
            )
          }
        }
        const del = await this.vault().delete(w.credentialRef)
        if (!del.ok) throw this.secretError(del.error)
        const removed = deleteWallet(this.db, w.id)
        this.limiters.delete(w.id)
        this.log.info({ walletId: w.id, keychainEntryDeleted: del.value.deleted }, 'wallet removed')
        return { removed }
      })
    })
  }

  // ------------------------------------------------------------------ online

  profile(id: string): Promise<Profile> {
    return this.guard(async () => {
      const w = this.mustGet(id)
      return (await this.clientFor(w)).profile()
    })
  }

  balances(id: string): Promise<WalletAccountView[]> {
    return this.guard(async () => {
      const w = this.mustGet(id)
      const accounts = await (await this.clientFor(w)).balances(w.wallet)
      const defaultCurrency = w.defaultCurrency ?? '643'
      let defaultGiven = false
      return accounts.map((a) => {
        const currency = a.currency ?? a.balance?.currency ?? ''
        const isDefault = !defaultGiven && a.hasBalance && currency === defaultCurrency
        if (isDefault) defaultGiven = true
        return { alias: a.alias, title: a.title, currency, balance: a.balance?.amount ?? null, isDefault }
      })
    })
  }

  /**
   * Incremental sync. First run: the last `days` (default 90). Later runs: from the
   * newest cached item (or the covered watermark, whichever is older) minus the overlap,
   * and back to the oldest recent WAITING item so its final status arrives. Each window
   * is followed to the end of its cursor; items are upserted by (txnId, type).
   */
  sync(id: string, opts: SyncOptions = {}): Promise<SyncResult> {
    return this.guard(async () => {
      const w0 = this.mustGet(id)
      return this.mutex.run(w0.id, async () => {
        const w = this.mustGet(id)
        const now = this.now()
        let from: number
        if (w.syncedUntil === null) {
          const days = opts.days ?? this.initialSyncDays
          if (!Number.isFinite(days) || days <= 0 || days > 3650) {
            throw new AppError(
              'invalid-input',
              this.t('Глубина синхронизации: 1..3650 дней', 'Sync depth must be 1..3650 days')
            )
          }
          from = now - days * DAY_MS
        } else {
          const newest = newestAt(this.db, w.id)
          from = Math.min(newest ?? w.syncedUntil, w.syncedUntil) - this.overlapMs
          const waiting = oldestWaitingSince(this.db, w.id, now - this.waitingRefreshMs)
          if (waiting !== null) from = Math.min(from, waiting)
        }
        from = Math.min(from, now)
        const client = await this.clientFor(w)
        let added = 0
        let updated = 0
        let batch: PaymentHistoryItem[] = []
        const flush = (): void => {
          if (batch.length === 0) return
          const r = upsertHistory(this.db, w.id, batch, this.now())
          added += r.added
          updated += r.updated
          batch = []
        }
        try {
          for await (const item of client.history(w.wallet, {
            startDate: new Date(from),
            endDate: new Date(now)
          })) {
            batch.push(item)
            if (batch.length >= this.batchSize) flush()
          }
        } finally {
          // Whatever arrived is kept even if the sync fails; the watermarks do not move,
          // so the next sync fetches the same window again (no gap).
          flush()
        }
        recordSync(this.db, w.id, now, { from, until: now })
        this.log.info({ walletId: w.id, added, updated, from, to: now }, 'wallet history synced')
        return { added, updated, total: countHistory(this.db, w.id), lastSyncAt: now, from, to: now }
      })
    })
  }

  /**
   * A live query (filters applied by QIWI, incl. `sources`, which the cache cannot
   * answer); the items are also stored in the cache. Newest first.
   */
  fetchHistory(id: string, q: LiveHistoryQuery): Promise<WalletHistoryItemView[]> {
    return this.guard(async () => {
      const w = this.mustGet(id)
      if (!(q.from <= q.to)) {
        throw new AppError(
          'invalid-input',
          this.t('Начало периода позже конца', 'The period starts after it ends')
        )
      }
      for (const s of q.sources ?? []) {
        if (!HISTORY_SOURCES.includes(s)) throw new AppError('invalid-input', `unknown source ${String(s)}`)
      }
      const client = await this.clientFor(w)
      const items: PaymentHistoryItem[] = []
      for await (const item of client.history(w.wallet, {
        startDate: new Date(q.from),
        endDate: new Date(q.to),
        operation: q.operation,
        sources: q.sources
      })) {
        items.push(item)
      }
      for (let i = 0; i < items.length; i += this.batchSize) {
        upsertHistory(this.db, w.id, items.slice(i, i + this.batchSize), this.now())
      }
      return items.map(itemToView)
    })
  }

  // ----------------------------------------------------------------- offline

  /** Cached history, filtered and paged locally. Works with the API unreachable. */
  history(
    id: string,
    filter: HistoryFilterInput,
    page: Page
  ): { rows: WalletHistoryItemView[]; count: number } {
    const w = this.mustGet(id)
    const q = this.query(filter)
    return {
      rows: queryHistory(this.db, w.id, q, page).map(toHistoryView),
      count: countQuery(this.db, w.id, q)
    }
  }

  /** Every cached item matching the filter, newest first (no paging). */
  historyAll(id: string, filter: HistoryFilterInput): WalletHistoryItemView[] {
    const w = this.mustGet(id)
    return queryHistory(this.db, w.id, this.query(filter)).map(toHistoryView)
  }

  exportCsv(id: string, filter: HistoryFilterInput): { csv: string; rows: number; fileName: string } {
    const w = this.mustGet(id)
    const items = queryHistory(this.db, w.id, this.query(filter)).map(toHistoryView)
    const day = new Date(this.now()).toISOString().slice(0, 10).replace(/-/g, '')
    const safe = w.name.replace(/[^\p{L}\p{N}_-]+/gu, '_').slice(0, 40) || 'wallet'
    return { csv: historyCsv(items), rows: items.length, fileName: `qiwi-wallet-${safe}-${day}.csv` }
  }

  /** Incoming vs outgoing per month (Moscow months by default) and currency, from the cache. */
  totals(id: string, from: number, to: number): WalletMonthTotals[] {
    const w = this.mustGet(id)
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > to) {
      throw new AppError('invalid-input', this.t('Неверный период', 'Invalid period'))
    }
    return monthTotals(this.db, w.id, from, to, this.totalsOffset).map((r) => ({
      month: r.month,
      currency: r.currency,
      incoming: formatBigKopecks(r.incoming),
      outgoing: formatBigKopecks(r.outgoing)
    }))
  }

  private query(f: HistoryFilterInput): HistoryQuery {
    if (f.from !== undefined && f.to !== undefined && f.from > f.to) {
      throw new AppError(
        'invalid-input',
        this.t('Начало периода позже конца', 'The period starts after it ends')
      )
    }
    return {
      from: f.from,
      to: f.to,
      operation: f.operation,
      currencies: f.currencies,
      statuses: f.statuses,
      search: f.search
    }
  }

  // --------------------------------------------------------------- transfers

  private parseTransfer(
    to: string,
    amount: string,
    comment: string | undefined
  ): {
    to: string
    kopecks: number
    comment: string | null
  } {
    const phone = normalizePhone(to)
    if (!phone.ok) {
      throw new AppError(
        'invalid-phone',
        this.t('Неверный номер кошелька получателя', 'Invalid recipient wallet number'),
        { field: 'to', reason: phone.reason }
      )
    }
    const a = parseAmount(amount)
    if (!a.ok) {
      throw new AppError('invalid-amount', this.t('Неверная сумма', 'Invalid amount'), {
        field: 'amount',
        reason: a.reason
      })
    }
    let c: string | null = null
    if (comment !== undefined && comment !== '') {
      const v = validateComment(comment)
      if (!v.ok) {
        throw new AppError('invalid-input', this.t('Недопустимый комментарий', 'Invalid comment'), {
          field: 'comment',
          reason: v.reason
        })
      }
      c = v.value
    }
    return { to: phone.value, kopecks: a.kopecks, comment: c }
  }

  /** QIWI's fee for a transfer before confirming (POST onlineCommission, provider 99). */
  commission(id: string, to: string, amount: string): Promise<{ commission: string; total: string }> {
    return this.guard(async () => {
      const p = this.parseTransfer(to, amount, undefined)
      const w = this.mustGet(id)
      const c = await (
        await this.clientFor(w)
      ).commission({
        account: `+${p.to}`,
        amountKopecks: p.kopecks,
        providerId: '99'
      })
      return { commission: c.qwCommission.amount, total: c.withdrawSum.amount }
    })
  }

  transfers(id: string): TransferView[] {
    const w = this.mustGet(id)
    return listTransfers(this.db, w.id).map(toTransferView)
  }

  transferView(walletId: string, clientId: string): TransferView | null {
    const t = getTransfer(this.db, walletId, clientId)
    return t ? toTransferView(t) : null
  }

  /**
   * Transfer to a QIWI wallet, never sent twice. Inputs are validated and the
   * credential loaded first (nothing is recorded on a bad input or a missing token);
   * then the client id is allocated and committed with the pending row; then it is
   * sent once. Replaying the same clientRequestId returns the same transfer.
   */
  transfer(input: TransferInput): Promise<TransferView> {
    return this.guard(async () => {
      const crid = input.clientRequestId
      if (crid.length < 1 || crid.length > 128) {
        throw new AppError('invalid-input', 'clientRequestId must be 1..128 characters', {
          field: 'clientRequestId'
        })
      }
      const p = this.parseTransfer(input.to, input.amount, input.comment)
      const w = this.mustGet(input.walletId)
      if (p.to === w.wallet) {
        throw new AppError(
          'invalid-phone',
          this.t('Нельзя перевести на тот же кошелёк', 'Cannot transfer to the same wallet'),
          {
            field: 'to'
          }
        )
      }
      const known = getTransferByRequest(this.db, w.id, crid)
      if (known) return this.replay(known, p)
      const client = await this.clientFor(w)
      return this.mutex.run(w.id, async () => {
        const { transfer, created } = createTransfer(
          this.db,
          {
            walletId: w.id,
            walletNumber: w.wallet,
            clientRequestId: crid,
            to: p.to,
            amountKopecks: p.kopecks,
            comment: p.comment
          },
          this.now()
        )
        if (!created) return this.replay(transfer, p)
        this.log.info(
          { walletId: w.id, clientId: transfer.clientId, amount: formatAmount(p.kopecks) },
          'transfer recorded'
        )
        this.emit(transfer)
        return this.send(client, w, transfer)
      })
    })
  }

  private replay(
    t: TransferRecord,
    p: { to: string; kopecks: number; comment: string | null }
  ): TransferView {
    if (t.to !== p.to || t.amountKopecks !== p.kopecks || t.comment !== p.comment) {
      throw new AppError(
        'conflict',
        this.t(
          'Этот идентификатор запроса уже использован для другого перевода',
          'This request id was already used for a different transfer'
        ),
        { field: 'clientRequestId', transferId: t.clientId }
      )
    }
    return toTransferView(t)
  }

  /** One send of a committed transfer, under the wallet's mutex. */
  private async send(client: PersonalClient, w: WalletRecord, t: TransferRecord): Promise<TransferView> {
    const claimed = claimAttempt(this.db, w.id, t.clientId, t.attempts, this.now())
    if (!claimed) {
      // Another process (or pass) sent it meanwhile: report what it recorded.
      const cur = getTransfer(this.db, w.id, t.clientId)
      if (!cur) throw new AppError('internal', 'transfer vanished')
      return toTransferView(cur)
    }
    const outcome = await this.sendOnce(client, claimed)
    const rec = recordOutcome(this.db, w.id, t.clientId, outcome, this.now())
    this.log.info(
      { walletId: w.id, clientId: t.clientId, attempt: claimed.attempts, state: rec.state, txnId: rec.txnId },
      'transfer sent'
    )
    return this.emit(rec)
  }

  private async sendOnce(client: PersonalClient, t: TransferRecord): Promise<TransferOutcome> {
    const unknown = (e: unknown): TransferOutcome => ({
      state: 'waiting',
      nextCheckAt: this.now() + this.resendAfterMs,
      error: {
        code: isAppError(e) ? e.code : 'network-failure',
        message: this.t(
          'Результат неизвестен: проверим по истории платежей, повторно с тем же id — только если платёж не дошёл',
          'Outcome unknown: it will be checked in the payment history and re-sent with the same id only if it never arrived'
        )
      }
    })
    let result
    try {
      result = await client.transferToWallet({
        clientId: t.clientId,
        account: `+${t.to}`,
        amountKopecks: t.amountKopecks,
        comment: t.comment ?? undefined
      })
    } catch (e) {
      // invalid-argument is raised before any byte is sent; anything else may have left.
      if (e instanceof PersonalApiError && e.kind === 'invalid-argument') {
        return { state: 'failed', error: { code: e.code, message: e.message } }
      }
      return unknown(e)
    }
    switch (result.status) {
      case 'accepted':
        return { state: 'accepted', txnId: result.payment.transactionId, error: null }
      case 'unknown':
        return unknown(result.error)
      case 'rejected': {
        const qiwiCode = qwprcCode(result.error)
        if (qiwiCode === 408) {
          // "Same payment already exists": a payment with our id is at QIWI. Never a failure.
          return unknown(result.error)
        }
        return { state: 'failed', error: this.refusal(result.error, qiwiCode) }
      }
    }
  }

  private refusal(e: PersonalApiError, qiwiCode: number | null): { code: ErrorCode; message: string } {
    if (qiwiCode !== null) {
      return {
        code: 'qiwi-error',
        message: `${describeTxnError(qiwiCode, this.lang()).message} (QWPRC-${qiwiCode})`
      }
    }
    const extra = envelopeText(e.envelope)
    return {
      code: e.code,
      message: `${personalErrorMessage(e.kind, this.lang())}${extra ? ` (${extra.slice(0, 200)})` : ''}`
    }
  }

  /**
   * Settles one transfer that is not final:
   * - pending with no attempt → it was never sent: send it now;
   * - otherwise look for trmTxnId = our id in the cache, then in QIWI's history around
   *   the first attempt; found → accepted (or failed if QIWI reports ERROR);
   * - not found and the last send is older than `resendAfterMs` → history proves it
   *   never arrived: send again with the SAME id;
   * - not found yet → stay `waiting` until then.
   */
  reconcileTransfer(walletId: string, clientId: string): Promise<TransferView> {
    return this.guard(async () => {
      const w = this.mustGet(walletId)
      return this.mutex.run(w.id, async () => {
        const t = getTransfer(this.db, w.id, clientId)
        if (!t) {
          throw new AppError('not-found', this.t(`Перевод ${clientId} не найден`, `No transfer ${clientId}`))
        }
        if (t.state === 'accepted' || t.state === 'failed') return toTransferView(t)
        const client = await this.clientFor(w)
        if (t.state === 'pending' && t.attempts === 0) return this.send(client, w, t)
        return this.settle(client, w, t)
      })
    })
  }

  private async settle(client: PersonalClient, w: WalletRecord, t: TransferRecord): Promise<TransferView> {
    const first = t.firstAttemptAt ?? t.createdAt
    const last = t.lastAttemptAt ?? first
    const cached = findByTrmTxnId(this.db, w.id, t.clientId)
    let found: PaymentHistoryItem | null = null
    if (!cached) {
      const now = this.now()
      try {
        found = await client.findTransferByClientId(w.wallet, t.clientId, new Date(first), {
          beforeMs: DAY_MS,
          afterMs: Math.max(DAY_MS, now - first + DAY_MS)
        })
      } catch (e) {
        // No proof either way: keep it open and look again later.
        const next = this.now() + this.reconcileRetryMs
        if (t.state === 'pending') {
          const rec = recordOutcome(
            this.db,
            w.id,
            t.clientId,
            {
              state: 'waiting',
              nextCheckAt: next,
              error: {
                code: isAppError(e) ? e.code : 'network-failure',
                message: this.t('Сверка с историей не удалась, повторим', 'History check failed; will retry')
              }
            },
            this.now()
          )
          this.emit(rec)
        } else {
          scheduleCheck(this.db, w.id, t.clientId, next, this.now())
        }
        throw e
      }
      if (found) upsertHistory(this.db, w.id, [found], this.now())
    }
    const match = cached
      ? {
          txnId: cached.txn_id,
          status: cached.status,
          errorCode: cached.error_code,
          kopecks: cached.sum_kopecks,
          currency: cached.currency,
          account: cached.account
        }
      : found
        ? {
            txnId: found.txnId,
            status: found.status,
            errorCode: found.errorCode,
            kopecks: found.sum.kopecks,
            currency: found.sum.currency,
            account: found.account
          }
        : null
    if (match) {
      const digits = match.account?.replace(/\D/g, '') ?? null
      if (
        match.kopecks !== t.amountKopecks ||
        match.currency !== t.currency ||
        (digits !== null && digits !== '' && digits !== t.to)
      ) {
        // Another payment carries our id (another app using the same id scheme): ours cannot
        // have been made under it, and re-sending would collide. Stop, never double.
        const rec = recordOutcome(
          this.db,
          w.id,
          t.clientId,
          {
            state: 'failed',
            txnId: null,
            error: {
              code: 'qiwi-duplicate-mismatch',
              message: this.t(
                `В истории платёж с этим id (${t.clientId}) с другими реквизитами; перевод не выполнен`,
                `History shows a different payment under this id (${t.clientId}); the transfer was not made`
              )
            }
          },
          this.now()
        )
        return this.emit(rec)
      }
      const outcome: TransferOutcome =
        match.status === 'ERROR'
          ? {
              state: 'failed',
              txnId: match.txnId,
              error: { code: 'qiwi-error', message: describeTxnError(match.errorCode, this.lang()).message }
            }
          : { state: 'accepted', txnId: match.txnId, error: null }
      const rec = recordOutcome(this.db, w.id, t.clientId, outcome, this.now())
      this.log.info(
        { walletId: w.id, clientId: t.clientId, state: rec.state },
        'transfer reconciled from history'
      )
      return this.emit(rec)
    }
    const now = this.now()
    if (now - last >= this.resendAfterMs) {
      this.log.warn(
        { walletId: w.id, clientId: t.clientId, attempts: t.attempts },
        'history proves the transfer never arrived: re-sending with the same id'
      )
      return this.send(client, w, t)
    }
    const due = last + this.resendAfterMs
    if (t.state === 'pending') {
      const rec = recordOutcome(
        this.db,
        w.id,
        t.clientId,
        {
          state: 'waiting',
          nextCheckAt: due,
          error: {
            code: 'network-failure',
            message: this.t(
              'Отправка была прервана; результат проверяется по истории',
              'The send was interrupted; the outcome is being checked in history'
            )
          }
        },
        now
      )
      return this.emit(rec)
    }
    scheduleCheck(this.db, w.id, t.clientId, due, now)
    const cur = getTransfer(this.db, w.id, t.clientId)
    return toTransferView(cur ?? t)
  }

  /** One pass over every open transfer that is due (crash recovery, the periodic pass). */
  async reconcileAll(opts: { force?: boolean } = {}): Promise<ReconcileSummary> {
    const summary: ReconcileSummary = { checked: 0, resolved: 0, resent: 0, errors: 0 }
    const now = this.now()
    for (const t of listOpenTransfers(this.db)) {
      const due = opts.force === true || t.attempts === 0 || t.nextCheckAt === null || t.nextCheckAt <= now
      if (!due) continue
      summary.checked++
      try {
        const before = t.attempts
        const v = await this.reconcileTransfer(t.walletId, t.clientId)
        if (v.state === 'accepted' || v.state === 'failed') summary.resolved++
        const after = getTransfer(this.db, t.walletId, t.clientId)
        if (after && after.attempts > before && before > 0) summary.resent++
      } catch (e) {
        summary.errors++
        this.log.warn(
          { walletId: t.walletId, clientId: t.clientId, code: isAppError(e) ? e.code : 'internal' },
          'transfer reconciliation failed'
        )
      }
    }
    return summary
  }

  /**
   * Starts the periodic pass (first run at once: transfers left open by a crash are
   * settled on start). Returns the stopper; close() stops it too.
   */
  startReconciler(
    opts: { intervalMs?: number | undefined; isOpen?: (() => boolean) | undefined } = {}
  ): () => void {
    this.reconcilerStop?.()
    let running = false
    const isOpen = opts.isOpen ?? (() => this.db.open)
    const pass = (): void => {
      if (running) return
      if (!isOpen()) {
        // The host closed the database without stopping us: stop quietly.
        stop()
        return
      }
      running = true
      void this.reconcileAll()
        .catch((e: unknown) => {
          this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'reconcile pass failed')
        })
        .finally(() => {
          running = false
        })
    }
    let timer: NodeJS.Timeout | null = null
    const stop = (): void => {
      if (timer) clearInterval(timer)
      timer = null
      if (this.reconcilerStop === stop) this.reconcilerStop = null
    }
    this.reconcilerStop = stop
    timer = setInterval(pass, opts.intervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS)
    timer.unref()
    pass()
    return stop
  }

  /** Stops the reconciler and releases pooled connections. */
  close(): void {
    this.reconcilerStop?.()
    for (const t of this.transports.values()) t.close?.()
    this.transports.clear()
    this.casSessions.clear()
  }
}

/** QIWI's business refusal code from the short envelope `{"code":"QWPRC-220"}`, if any. */
function qwprcCode(e: PersonalApiError): number | null {
  const env = e.envelope
  if (env?.shape !== 'short') return null
  const m = /^QWPRC-(\d{1,6})$/.exec(env.code)
  return m ? Number(m[1]) : null
}

/** A fetched history item as the contract's view (same mapping as the cache's). */
export function itemToView(i: PaymentHistoryItem): WalletHistoryItemView {
  return {
    txnId: i.txnId,
    type: i.type,
    status: i.status,
    date: i.date,
    at: instantOf(i.date),
    account: i.account,
    sum: { amount: i.sum.amount, currency: i.sum.currency },
    commission: i.commission ? { amount: i.commission.amount, currency: i.commission.currency } : null,
    total: { amount: i.total.amount, currency: i.total.currency },
    provider: i.provider ? (i.provider.shortName ?? i.provider.longName) : null,
    comment: i.comment,
    trmTxnId: i.trmTxnId,
    errorCode: i.errorCode,
    error: i.error
  }
}
