/**
 * QIWI personal wallet API client (spec: shared/spec/personal-api.md).
 *
 * Electron-free: the transport, clock, sleep, randomness, rate limiter and
 * logger are injected. Every reply is strict-parsed and schema-validated
 * (schemas.ts); amounts never pass through floats.
 *
 * Retries: idempotent calls (GETs, the commission lookup) are retried on
 * `request.blocked`/423 with exponential backoff and jitter (capped), and on
 * 5xx / network errors with a short backoff. A payment is sent exactly once;
 * anything that may have reached QIWI without a readable answer is reported as
 * `unknown` and must be reconciled through history by its client id (P3).
 */
import { z } from 'zod'
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import type { AuthProvider } from './auth'
import {
  DAY_MS,
  MAX_HISTORY_SPAN_MS,
  MOSCOW_OFFSET_MINUTES,
  formatQiwiDate,
  parseQiwiDate,
  splitDateRange
} from './dates'
import { addKopecks, kopecksToDecimal, kopecksToJsonNumber } from './decimal'
import { PersonalApiError, httpError } from './errors'
import { decodeBody, exchange, isSuccess } from './exchange'
import { outcomeFromReply, outcomeFromSendError } from './payment-outcome'
import type { ExchangeResult } from './exchange'
import { stringifyJson } from './json'
import type { BackoffPolicy, RateLimiter, Sleep } from './limiter'
import { SlidingWindowLimiter, backoffDelay, realSleep } from './limiter'
import {
  balancesSchema,
  balancesV1Schema,
  commissionSchema,
  historyPageSchema,
  profileSchema,
  totalsSchema,
  transactionSchema
} from './schemas'
import type { HttpMethod, HttpTransport } from './transport'
import { createNodeTransport } from './transport'
import type {
  Account,
  Commission,
  HistoryOperation,
  HistoryPage,
  HistorySource,
  LegacyAccount,
  Money,
  PaymentHistoryItem,
  PermissionProbe,
  PermissionReport,
  Profile,
  Totals,
  Transaction,
  TransferRequest,
  TransferResult,
  TxnType
} from './types'
import { HISTORY_OPERATIONS, HISTORY_SOURCES } from './types'

export const DEFAULT_BASE_URL = 'https://edge.qiwi.com'

export interface PersonalClientOptions {
  auth: AuthProvider
  /** Default https://edge.qiwi.com; http only for loopback (the sandbox). */
  baseUrl?: string | undefined
  transport?: HttpTransport | undefined
  now?: (() => number) | undefined
  sleep?: Sleep | undefined
  random?: (() => number) | undefined
  logger?: Logger | undefined
  /** Deadline per request. Default 30 s. */
  timeoutMs?: number | undefined
  /** Response body cap. Default 1 MiB (a 50-row history page is ~60 KB). */
  maxResponseBytes?: number | undefined
  /**
   * Pacing of history requests (list, totals, one transaction). Default: 100 per
   * 60 s (+1 s margin). Share one limiter between all clients of one wallet.
   */
  limiter?: RateLimiter | undefined
  /** Backoff for `request.blocked` / 423 (the history block lasts 5 minutes). */
  blockedRetry?: Partial<BackoffPolicy> | undefined
  /** Backoff for 5xx and network errors on idempotent calls. */
  transientRetry?: Partial<BackoffPolicy> | undefined
  /** Offset of query dates in minutes east of UTC. Default 180 (Moscow). */
  zoneOffsetMinutes?: number | undefined
  /** Safety cap on pages per 90-day window when following the cursor. Default 100 000. */
  maxPagesPerWindow?: number | undefined
  userAgent?: string | undefined
}

export interface HistoryFilter {
  operation?: HistoryOperation | undefined
  sources?: readonly HistorySource[] | undefined
}

/** One page request (§4.1), sent as is (no splitting). */
export interface HistoryPageQuery extends HistoryFilter {
  /** 1..50. */
  rows: number
  startDate?: Date | undefined
  endDate?: Date | undefined
  nextTxnId?: string | undefined
  nextTxnDate?: string | undefined
}

/** A range of any length: split into ≤ 90-day windows, each followed to its last page. */
export interface HistoryRangeQuery extends HistoryFilter {
  startDate: Date
  endDate: Date
  /** Page size 1..50. Default 50. */
  rows?: number | undefined
}

export interface TotalsQuery extends HistoryFilter {
  startDate: Date
  endDate: Date
}

export interface FindTransferOptions {
  /** How far before `around` to look. Default 1 day. */
  beforeMs?: number | undefined
  /** How far after `around` to look. Default 1 day. */
  afterMs?: number | undefined
}

interface CallSpec<T> {
  method: HttpMethod
  path: string
  query?: [string, string][] | undefined
  body?: unknown
  schema: z.ZodType<T>
  /** Counted by the history limiter. */
  history: boolean
  /** Safe to repeat (no side effects). */
  idempotent: boolean
}

const DEFAULT_BLOCKED: BackoffPolicy = { maxRetries: 4, baseMs: 30_000, maxMs: 300_000 }
const DEFAULT_TRANSIENT: BackoffPolicy = { maxRetries: 2, baseMs: 500, maxMs: 5_000 }

const WALLET_RE = /^\d{5,15}$/

function assertWallet(wallet: string): void {
  if (!WALLET_RE.test(wallet)) {
    throw new PersonalApiError({
      kind: 'invalid-argument',
      message: 'wallet must be the number in international format without "+", digits only'
    })
  }
}

function invalid(message: string): PersonalApiError {
  return new PersonalApiError({ kind: 'invalid-argument', message })
}

function encodeQuery(q: [string, string][]): string {
  if (q.length === 0) return ''
  return `?${q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`
}

export class PersonalClient {
  readonly baseUrl: string
  private readonly auth: AuthProvider
  private readonly transport: HttpTransport
  private readonly ownsTransport: boolean
  private readonly now: () => number
  private readonly sleep: Sleep
  private readonly random: () => number
  private readonly log: Logger
  private readonly timeoutMs: number
  private readonly maxBytes: number
  private readonly limiter: RateLimiter
  private readonly blocked: BackoffPolicy
  private readonly transient: BackoffPolicy
  private readonly offset: number
  private readonly maxPages: number
  private readonly userAgent: string

  constructor(opts: PersonalClientOptions) {
    this.baseUrl = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '')
    this.auth = opts.auth
    this.ownsTransport = opts.transport === undefined
    this.transport = opts.transport ?? createNodeTransport()
    this.now = opts.now ?? Date.now
    this.sleep = opts.sleep ?? realSleep
    this.random = opts.random ?? Math.random
    this.log = opts.logger ?? nullLogger
    this.timeoutMs = opts.timeoutMs ?? 30_000
    this.maxBytes = opts.maxResponseBytes ?? 1024 * 1024
    this.limiter = opts.limiter ?? new SlidingWindowLimiter({ now: this.now, sleep: this.sleep })
    this.blocked = { ...DEFAULT_BLOCKED, ...opts.blockedRetry }
    this.transient = { ...DEFAULT_TRANSIENT, ...opts.transientRetry }
    this.offset = opts.zoneOffsetMinutes ?? MOSCOW_OFFSET_MINUTES
    this.maxPages = opts.maxPagesPerWindow ?? 100_000
    this.userAgent = opts.userAgent ?? 'qiwi-desk'
  }

  /** Releases the transport if this client created it. */
  close(): void {
    if (this.ownsTransport) this.transport.close?.()
  }

  // ------------------------------------------------------------------ core

  private async send(spec: Omit<CallSpec<unknown>, 'schema'>): Promise<ExchangeResult> {
    const url = `${this.baseUrl}${spec.path}${encodeQuery(spec.query ?? [])}`
    let authorization: string
    try {
      authorization = await this.auth.authorization()
    } catch (e) {
      // Obtaining credentials (a CAS ticket) failed: this request itself never left.
      const err =
        e instanceof PersonalApiError ? e : new PersonalApiError({ kind: 'network', message: String(e) })
      throw new PersonalApiError({
        kind: err.kind,
        httpStatus: err.httpStatus ?? undefined,
        envelope: err.envelope,
        requestSent: false,
        message: `authorization failed: ${err.message}`,
        cause: err
      })
    }
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': this.userAgent,
      Authorization: authorization
    }
    let body: string | undefined
    if (spec.body !== undefined) {
      body = stringifyJson(spec.body)
      headers['Content-Type'] = 'application/json'
    }
    const started = this.now()
    const r = await exchange(this.transport, {
      method: spec.method,
      url,
      headers,
      body,
      timeoutMs: this.timeoutMs,
      maxResponseBytes: this.maxBytes,
      freshConnection: !spec.idempotent
    })
    this.log.debug(
      { method: spec.method, path: spec.path, status: r.status, ms: this.now() - started },
      'personal api'
    )
    return r
  }

  /** Sends with pacing, auth recovery and (for idempotent calls) retries; returns the decoded 2xx body. */
  private async call<T>(spec: CallSpec<T>): Promise<T> {
    let blockedRetries = 0
    let transientRetries = 0
    let authRetried = false
    let attempts = 0
    for (;;) {
      attempts++
      if (spec.history) await this.limiter.acquire('history')
      let r: ExchangeResult
      try {
        r = await this.send(spec)
      } catch (e) {
        const err =
          e instanceof PersonalApiError
            ? e
            : new PersonalApiError({ kind: 'network', message: String(e), requestSent: true })
        if (
          spec.idempotent &&
          (err.kind === 'network' || err.kind === 'timeout') &&
          transientRetries < this.transient.maxRetries
        ) {
          transientRetries++
          await this.sleep(backoffDelay(transientRetries, this.transient, this.random))
          continue
        }
        throw err
      }
      if (isSuccess(r.status)) return decodeBody(spec.schema, r, this.maxBytes)
      const err = httpError(r.status, r.text)
      if (err.kind === 'unauthorized' && !authRetried && this.auth.onUnauthorized()) {
        authRetried = true
        continue
      }
      if (spec.idempotent && err.kind === 'blocked' && blockedRetries < this.blocked.maxRetries) {
        blockedRetries++
        const delay = Math.max(backoffDelay(blockedRetries, this.blocked, this.random), retryAfterMs(r))
        this.log.warn(
          { path: spec.path, retry: blockedRetries, delayMs: delay },
          'request.blocked: backing off'
        )
        await this.sleep(delay)
        continue
      }
      if (spec.idempotent && err.kind === 'server-error' && transientRetries < this.transient.maxRetries) {
        transientRetries++
        await this.sleep(backoffDelay(transientRetries, this.transient, this.random))
        continue
      }
      if (err.kind === 'blocked') {
        throw new PersonalApiError({
          kind: 'blocked',
          httpStatus: err.httpStatus ?? undefined,
          envelope: err.envelope,
          attempts,
          message: `${err.message}; gave up after ${attempts} attempts`
        })
      }
      throw err
    }
  }

  // --------------------------------------------------------------- profile

  /** GET /person-profile/v1/profile/current (§3.1). */
  profile(opts: { authInfo?: boolean; contractInfo?: boolean; userInfo?: boolean } = {}): Promise<Profile> {
    return this.call({
      method: 'GET',
      path: '/person-profile/v1/profile/current',
      query: [
        ['authInfoEnabled', String(opts.authInfo ?? true)],
        ['contractInfoEnabled', String(opts.contractInfo ?? true)],
        ['userInfoEnabled', String(opts.userInfo ?? true)]
      ],
      schema: profileSchema,
      history: false,
      idempotent: true
    })
  }

  // -------------------------------------------------------------- balances

  /**
   * GET /funding-sources/v2/persons/{wallet}/accounts (§5.1). An account with
   * `hasBalance: true` but no balance (null or {}) is re-queried with
   * `?timeout=1000&alias=<alias>` as documented (P13), up to `requeryAttempts` times.
   */
  async balances(wallet: string, opts: { requeryAttempts?: number } = {}): Promise<Account[]> {
    assertWallet(wallet)
    const path = `/funding-sources/v2/persons/${wallet}/accounts`
    const first = await this.call({
      method: 'GET',
      path,
      schema: balancesSchema,
      history: false,
      idempotent: true
    })
    const accounts = first.accounts
    const attempts = opts.requeryAttempts ?? 2
    for (let i = 0; i < accounts.length; i++) {
      const acc = accounts[i]
      if (!acc || !acc.hasBalance || acc.balance !== null) continue
      for (let a = 0; a < attempts; a++) {
        const again = await this.call({
          method: 'GET',
          path,
          query: [
            ['timeout', '1000'],
            ['alias', acc.alias]
          ],
          schema: balancesSchema,
          history: false,
          idempotent: true
        })
        const found = again.accounts.find((x) => x.alias === acc.alias)
        if (found?.balance) {
          accounts[i] = { ...acc, balance: found.balance }
          break
        }
      }
    }
    return accounts
  }

  // --------------------------------------------------------------- history

  private historyFilterQuery(f: HistoryFilter): [string, string][] {
    const q: [string, string][] = []
    if (f.operation !== undefined) {
      if (!HISTORY_OPERATIONS.includes(f.operation)) throw invalid(`unknown operation ${String(f.operation)}`)
      q.push(['operation', f.operation])
    }
    if (f.sources) {
      if (f.sources.length > HISTORY_SOURCES.length) throw invalid('too many sources')
      f.sources.forEach((s, i) => {
        if (!HISTORY_SOURCES.includes(s)) throw invalid(`unknown source ${String(s)}`)
        q.push([`sources[${i}]`, s])
      })
    }
    return q
  }

  private dateRangeQuery(start: Date | undefined, end: Date | undefined): [string, string][] {
    if ((start === undefined) !== (end === undefined)) throw invalid('startDate and endDate go together')
    if (!start || !end) return []
    const s = start.getTime()
    const e = end.getTime()
    if (!Number.isFinite(s) || !Number.isFinite(e)) throw invalid('invalid date')
    if (s > e) throw invalid('startDate is after endDate')
    // The wire has whole seconds; compare what will actually be sent.
    if (Math.floor(e / 1000) - Math.floor(s / 1000) > MAX_HISTORY_SPAN_MS / 1000) {
      throw invalid('startDate..endDate exceeds 90 days (use history() to split automatically)')
    }
    return [
      ['startDate', formatQiwiDate(s, this.offset)],
      ['endDate', formatQiwiDate(e, this.offset)]
    ]
  }

  /** GET /payment-history/v2/persons/{wallet}/payments: one page, as asked (§4.1). */
  historyPage(wallet: string, q: HistoryPageQuery): Promise<HistoryPage> {
    assertWallet(wallet)
    if (!Number.isInteger(q.rows) || q.rows < 1 || q.rows > 50) throw invalid('rows must be 1..50')
    const query: [string, string][] = [['rows', String(q.rows)], ...this.historyFilterQuery(q)]
    query.push(...this.dateRangeQuery(q.startDate, q.endDate))
    if ((q.nextTxnId === undefined) !== (q.nextTxnDate === undefined)) {
      throw invalid('nextTxnId and nextTxnDate go together')
    }
    if (q.nextTxnId !== undefined && q.nextTxnDate !== undefined) {
      if (!/^\d{1,20}$/.test(q.nextTxnId)) throw invalid('nextTxnId must be digits')
      if (parseQiwiDate(q.nextTxnDate) === null) throw invalid('nextTxnDate is not a date-time with offset')
      query.push(['nextTxnId', q.nextTxnId], ['nextTxnDate', q.nextTxnDate])
    }
    return this.call({
      method: 'GET',
      path: `/payment-history/v2/persons/${wallet}/payments`,
      query,
      schema: historyPageSchema,
      history: true,
      idempotent: true
    })
  }

  /**
   * Every item of [startDate, endDate] matching the filter, newest first. The
   * range is split into ≤ 90-day windows; each window's cursor is followed to
   * the last page (empty data, a missing/null nextTxnId or nextTxnDate, or a
   * short page — decision P1). Items are de-duplicated by (txnId, type), so both
   * halves of a conversion pair (same txnId, IN and OUT) are kept while an item
   * a server repeats across a page boundary is yielded once.
   */
  async *history(wallet: string, q: HistoryRangeQuery): AsyncGenerator<PaymentHistoryItem, void, undefined> {
    assertWallet(wallet)
    const rows = q.rows ?? 50
    if (!Number.isInteger(rows) || rows < 1 || rows > 50) throw invalid('rows must be 1..50')
    const s = q.startDate.getTime()
    const e = q.endDate.getTime()
    if (!Number.isFinite(s) || !Number.isFinite(e) || s > e) throw invalid('invalid date range')
    const seen = new Set<string>()
    for (const w of splitDateRange(s, e)) {
      let cursor: { id: string; date: string } | null = null
      for (let pages = 1; ; pages++) {
        let page: HistoryPage
        try {
          page = await this.historyPage(wallet, {
            rows,
            operation: q.operation,
            sources: q.sources,
            startDate: new Date(w.startMs),
            endDate: new Date(w.endMs),
            nextTxnId: cursor?.id,
            nextTxnDate: cursor?.date
          })
        } catch (e) {
          // 404 = "no payments match" (spec §11.1): an empty window, not a failure.
          if (e instanceof PersonalApiError && e.kind === 'not-found') break
          throw e
        }
        for (const item of page.data) {
          const key = `${item.txnId}:${item.type}`
          if (seen.has(key)) continue
          seen.add(key)
          yield item
        }
        if (
          page.data.length === 0 ||
          page.nextTxnId === null ||
          page.nextTxnDate === null ||
          page.data.length < rows
        ) {
          break
        }
        if (cursor && cursor.id === page.nextTxnId && cursor.date === page.nextTxnDate) {
          throw new PersonalApiError({ kind: 'protocol', message: 'history cursor did not advance' })
        }
        if (pages >= this.maxPages) {
          throw new PersonalApiError({
            kind: 'protocol',
            message: `more than ${this.maxPages} pages in one window`
          })
        }
        cursor = { id: page.nextTxnId, date: page.nextTxnDate }
      }
    }
  }

  /** `history()` collected into an array. */
  async historyAll(wallet: string, q: HistoryRangeQuery): Promise<PaymentHistoryItem[]> {
    const out: PaymentHistoryItem[] = []
    for await (const item of this.history(wallet, q)) out.push(item)
    return out
  }

  /**
   * GET …/payments/total (§4.2). A range longer than 90 days is split and the
   * per-currency totals are summed exactly (kopecks).
   */
  async totals(wallet: string, q: TotalsQuery): Promise<Totals> {
    assertWallet(wallet)
    const s = q.startDate.getTime()
    const e = q.endDate.getTime()
    if (!Number.isFinite(s) || !Number.isFinite(e) || s > e) throw invalid('invalid date range')
    const inSum = new Map<string, number>()
    const outSum = new Map<string, number>()
    const filter = this.historyFilterQuery(q)
    for (const w of splitDateRange(s, e)) {
      const t = await this.call({
        method: 'GET',
        path: `/payment-history/v2/persons/${wallet}/payments/total`,
        query: [...this.dateRangeQuery(new Date(w.startMs), new Date(w.endMs)), ...filter],
        schema: totalsSchema,
        history: true,
        idempotent: true
      })
      for (const m of t.incomingTotal) {
        inSum.set(m.currency, addKopecks(inSum.get(m.currency) ?? 0, m.kopecks))
      }
      for (const m of t.outgoingTotal) {
        outSum.set(m.currency, addKopecks(outSum.get(m.currency) ?? 0, m.kopecks))
      }
    }
    const toMoney = (m: Map<string, number>): Money[] =>
      [...m.entries()].map(([currency, kopecks]) => ({
        currency,
        kopecks,
        amount: kopecksToDecimal(kopecks)
      }))
    return { incomingTotal: toMoney(inSum), outgoingTotal: toMoney(outSum) }
  }

  /** GET /payment-history/v2/transactions/{txnId}?type=IN|OUT (§4.3). */
  transaction(txnId: string, type?: TxnType): Promise<Transaction> {
    if (!/^\d{1,20}$/.test(txnId)) throw invalid('txnId must be 1..20 digits')
    return this.call({
      method: 'GET',
      path: `/payment-history/v2/transactions/${txnId}`,
      query: type ? [['type', type]] : [],
      schema: transactionSchema,
      history: true,
      idempotent: true
    })
  }

  // -------------------------------------------------------------- payments

  /** POST /sinap/providers/{id}/onlineCommission (§6): the full fee for a payment. No side effects. */
  commission(opts: { account: string; amountKopecks: number; providerId?: string }): Promise<Commission> {
    const providerId = opts.providerId ?? '99'
    if (!/^\d{1,10}$/.test(providerId)) throw invalid('providerId must be digits')
    if (!Number.isSafeInteger(opts.amountKopecks) || opts.amountKopecks <= 0) {
      throw invalid('amount must be a positive number of kopecks')
    }
    if (opts.account.length === 0 || opts.account.length > 64) {
      throw invalid('account must be 1..64 characters')
    }
    return this.call({
      method: 'POST',
      path: `/sinap/providers/${providerId}/onlineCommission`,
      body: {
        account: opts.account,
        paymentMethod: { type: 'Account', accountId: '643' },
        // JsonNumber carries the exact decimal text ("100.50") into the JSON body: never a JS float
        purchaseTotals: { total: { amount: kopecksToJsonNumber(opts.amountKopecks), currency: '643' } }
      },
      schema: commissionSchema,
      history: false,
      idempotent: true
    })
  }

  /**
   * Transfer to a QIWI wallet: POST /sinap/api/v2/terms/99/payments (§7.3).
   * Sent once, never retried with a different id. Result:
   * - `accepted`: QIWI accepted it (not final: follow the history status);
   * - `rejected`: QIWI refused it (400/401/403/404/422) or it was never sent;
   * - `unknown`: it may have been processed — reconcile with findTransferByClientId.
   */
  async transferToWallet(req: TransferRequest): Promise<TransferResult> {
    const clientId = req.clientId
    if (!/^\d{1,20}$/.test(clientId)) throw invalid('clientId must be 1..20 digits (a string)')
    if (!Number.isSafeInteger(req.amountKopecks) || req.amountKopecks <= 0) {
      throw invalid('amount must be a positive number of kopecks')
    }
    const digits = req.account.replace(/^\+/, '')
    if (!/^\d{10,15}$/.test(digits)) {
      throw invalid('recipient must be a wallet number in international format')
    }
    if (req.comment !== undefined && req.comment.length > 1000) throw invalid('comment too long')
    const body: Record<string, unknown> = {
      id: clientId,
      // JsonNumber carries the exact decimal text ("100.50") into the JSON body: never a JS float
      sum: { amount: kopecksToJsonNumber(req.amountKopecks), currency: '643' },
      paymentMethod: { type: 'Account', accountId: '643' },
      fields: { account: `+${digits}` }
    }
    if (req.comment !== undefined) body.comment = req.comment
    return this.sendPayment(clientId, '/sinap/api/v2/terms/99/payments', body)
  }

  private async sendPayment(clientId: string, path: string, body: unknown): Promise<TransferResult> {
    let authRetried = false
    for (;;) {
      let r: ExchangeResult
      try {
        r = await this.send({ method: 'POST', path, body, history: false, idempotent: false })
      } catch (e) {
        const out = outcomeFromSendError(clientId, e)
        if (out.status === 'unknown') {
          this.log.warn({ clientId, kind: out.error.kind }, 'payment outcome unknown')
        }
        return out
      }
      if (r.status === 401 && !authRetried && this.auth.onUnauthorized()) {
        // 401: refused before processing; the same id may be sent with a new ticket.
        authRetried = true
        continue
      }
      const out = outcomeFromReply(clientId, r, this.maxBytes)
      if (out.status === 'unknown') {
        this.log.warn({ clientId, kind: out.error.kind, status: r.status }, 'payment outcome unknown')
      }
      return out
    }
  }

  /**
   * Reconciliation (P3): looks for an outgoing payment whose `trmTxnId` equals
   * `clientId` in [around − beforeMs, around + afterMs]. null = not in that window.
   */
  async findTransferByClientId(
    wallet: string,
    clientId: string,
    around: Date,
    opts: FindTransferOptions = {}
  ): Promise<PaymentHistoryItem | null> {
    if (!/^\d{1,20}$/.test(clientId)) throw invalid('clientId must be 1..20 digits')
    const t = around.getTime()
    if (!Number.isFinite(t)) throw invalid('invalid date')
    const start = new Date(t - (opts.beforeMs ?? DAY_MS))
    const end = new Date(t + (opts.afterMs ?? DAY_MS))
    for await (const item of this.history(wallet, { startDate: start, endDate: end, operation: 'OUT' })) {
      if (item.trmTxnId === clientId) return item
    }
    return null
  }

  // ------------------------------------------------------ permission probe

  /**
   * Probes what a token may do, without making a payment: profile, balance,
   * history (1 row), and payments through GET /payment-notifier/v1/hooks/active
   * (webhooks are covered by the "payments without SMS" permission, §2; 404 =
   * no hook = allowed). 404 on history means "no payments match" = allowed.
   */
  async probePermissions(walletHint?: string): Promise<PermissionReport> {
    let tokenValid = true
    const classify = async (
      fn: () => Promise<unknown>,
      notFoundIsGranted: boolean
    ): Promise<PermissionProbe> => {
      try {
        await fn()
        return { state: 'granted' }
      } catch (e) {
        const err =
          e instanceof PersonalApiError ? e : new PersonalApiError({ kind: 'network', message: String(e) })
        if (err.kind === 'forbidden') return { state: 'missing' }
        if (err.kind === 'not-found' && notFoundIsGranted) return { state: 'granted' }
        if (err.kind === 'unauthorized') tokenValid = false
        return { state: 'error', error: err }
      }
    }
    let wallet: string | null = walletHint ?? null
    const profile = await classify(async () => {
      const p = await this.profile({ authInfo: true, contractInfo: false, userInfo: false })
      wallet = p.authInfo?.personId ?? wallet
    }, false)
    const noWallet = (): PermissionProbe => ({
      state: 'error',
      error: invalid('wallet number unknown: the profile permission is missing, pass the wallet number')
    })
    const w = wallet as string | null
    const balance = w
      ? await classify(
          () =>
            this.call({
              method: 'GET',
              path: `/funding-sources/v2/persons/${w}/accounts`,
              schema: balancesSchema,
              history: false,
              idempotent: true
            }),
          false
        )
      : noWallet()
    const history = w ? await classify(() => this.historyPage(w, { rows: 1 }), true) : noWallet()
    const payments = await classify(
      () =>
        this.call({
          method: 'GET',
          path: '/payment-notifier/v1/hooks/active',
          schema: anyJsonSchema,
          history: false,
          idempotent: true
        }),
      true
    )
    return { tokenValid, wallet: w, profile, balance, history, payments }
  }

  // ------------------------------------------------- legacy v1 (seed 002)

  /** GET /payment-history/v1/persons/{wallet}/payments (§10.2): one page. */
  historyPageV1(wallet: string, q: HistoryPageQuery): Promise<HistoryPage> {
    assertWallet(wallet)
    if (!Number.isInteger(q.rows) || q.rows < 1 || q.rows > 50) throw invalid('rows must be 1..50')
    const query: [string, string][] = [
      ['rows', String(q.rows)],
      ...this.historyFilterQuery(q),
      ...this.dateRangeQuery(q.startDate, q.endDate)
    ]
    if ((q.nextTxnId === undefined) !== (q.nextTxnDate === undefined)) {
      throw invalid('nextTxnId and nextTxnDate go together')
    }
    if (q.nextTxnId !== undefined && q.nextTxnDate !== undefined) {
      query.push(['nextTxnId', q.nextTxnId], ['nextTxnDate', q.nextTxnDate])
    }
    return this.call({
      method: 'GET',
      path: `/payment-history/v1/persons/${wallet}/payments`,
      query,
      schema: historyPageSchema,
      history: true,
      idempotent: true
    })
  }

  /** GET /payment-history/v1/persons/{wallet}/payments/total (§10.2). */
  totalsV1(wallet: string, q: TotalsQuery): Promise<Totals> {
    assertWallet(wallet)
    return this.call({
      method: 'GET',
      path: `/payment-history/v1/persons/${wallet}/payments/total`,
      query: [...this.dateRangeQuery(q.startDate, q.endDate), ...this.historyFilterQuery(q)],
      schema: totalsSchema,
      history: true,
      idempotent: true
    })
  }

  /** GET /funding-sources/v1/accounts/{wallet} (§10.2). */
  async balancesV1(wallet: string): Promise<LegacyAccount[]> {
    assertWallet(wallet)
    const r = await this.call({
      method: 'GET',
      path: `/funding-sources/v1/accounts/${wallet}`,
      schema: balancesV1Schema,
      history: false,
      idempotent: true
    })
    return r.accounts
  }
}

/** Any JSON (the hooks/active probe only needs the status). */
const anyJsonSchema: z.ZodType<unknown> = z.unknown()

function retryAfterMs(r: ExchangeResult): number {
  const h = r.headers['retry-after']
  const v = Array.isArray(h) ? h[0] : h
  if (v === undefined) return 0
  const s = Number(v)
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 600) * 1000 : 0
}

/**
 * Reconciliation helper (P3) as a free function: the outgoing history item whose
 * trmTxnId is `clientId`, searched ±1 day (configurable) around `around`; null if absent.
 */
export function findTransferByClientId(
  client: PersonalClient,
  wallet: string,
  clientId: string,
  around: Date,
  opts?: FindTransferOptions
): Promise<PaymentHistoryItem | null> {
  return client.findTransferByClientId(wallet, clientId, around, opts)
}

export function createPersonalClient(opts: PersonalClientOptions): PersonalClient {
  return new PersonalClient(opts)
}
