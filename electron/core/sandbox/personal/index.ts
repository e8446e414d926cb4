/**
 * Emulator of QIWI's personal wallet JSON API (spec: shared/spec/personal-api.md),
 * mounted by the sandbox host on its personal port through `handle(req, res)`.
 * See docs/SANDBOX-PERSONAL.md for behaviour, the admin API and decisions.
 *
 * Endpoints: profile, balances (v2, v1), payment history (v2, v1) with every
 * filter and the nextTxnId/nextTxnDate cursor, totals (v2, v1), one
 * transaction, commission lookup, transfer to wallet 99, active webhook (for
 * permission probing), the CAS TGT/ST flow of seed 002 with both edge header
 * forms, and the legacy qiwi.com web session with proxy.action transfers.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { Logger } from '../../log/logger'
import { nullLogger } from '../../log/logger'
import { formatAmount } from '../../../../shared/money'
import { MAX_HISTORY_SPAN_MS, formatQiwiDate, parseQiwiDate } from '../../personal/dates'
import type { JsonValue } from '../../personal/json'
import { FORBIDDEN_KEYS, JsonNumber, parseJson, stringifyJson } from '../../personal/json'
import {
  casStRequestSchema,
  casTgtRequestSchema,
  commissionRequestSchema,
  legacyPaymentRequestSchema,
  paymentRequestSchema
} from '../../personal/schemas'
import { describeTxnError } from '../../personal/txn-error-codes'
import type { HistoryOperation, HistorySource, PersonalScope, TxnStatus, TxnType } from '../../personal/types'
import { HISTORY_OPERATIONS, HISTORY_SOURCES, PERSONAL_SCOPES } from '../../personal/types'
import { readJsonFile, writeFileAtomic } from '../json-store'
import { createRng } from '../rng'
import { generateHistory, statusText } from './demo-data'
import type { EmuAccount, EmuHistoryItem, EmuState, EmuWallet, TransferRecord } from './state'
import { allocTxnId, compareIds, emptyState, insertHistory, parseState } from './state'

export type { EmuHistoryItem, TransferRecord } from './state'

// ------------------------------------------------------------------ public types

export interface PersonalEmulatorOptions {
  /** Directory for `personal-emulator.json`; without it the state lives in memory only. */
  dataDir?: string | undefined
  /** Seed of the demo data and generated tokens. Default 1. */
  seed?: number | undefined
  /** Clock (ms). Default Date.now. Drives dates, rate limiting, ticket expiry, processing time. */
  now?: (() => number) | undefined
  /** History requests allowed per wallet per 60 s before 423 `request.blocked` (then blocked 5 min). Default 100. */
  rateLimitPerMinute?: number | undefined
  /** Create the demo wallets (default true). */
  demo?: boolean | undefined
  /** Items in the demo wallet's history. Default 3000. */
  demoHistoryCount?: number | undefined
  /** A new transfer reads WAITING for this long, then SUCCESS. Default 0 (SUCCESS at once). */
  paymentProcessingMs?: number | undefined
  logger?: Logger | undefined
}

export interface PersonalDemoCredentials {
  /** Wallet number (no '+'): thousands of history items, RUB/USD/KZT accounts. */
  wallet: string
  /** API token with all four permissions. */
  token: string
  /** CAS login (= wallet) and password for the legacy flow. */
  casLogin: string
  casPassword: string
  /** A second wallet that receives the demo's transfers. */
  recipientWallet: string
}

export type RouteName =
  | 'profile'
  | 'balance'
  | 'balance-v1'
  | 'history'
  | 'history-v1'
  | 'totals'
  | 'totals-v1'
  | 'transaction'
  | 'commission'
  | 'payment'
  | 'hooks'
  | 'cas-tgt'
  | 'cas-st'
  | 'web-session'
  | 'legacy-payment'

/** Fault matchers: a route, 'payments' (edge + legacy), 'history-all' (list, totals, transaction, v1), or 'any'. */
export type FaultMatch = RouteName | 'payments' | 'history-all' | 'any'

export type PersonalFault = {
  match: FaultMatch
  /** How many matching requests it hits. Default 1. */ times?: number
} & (
  | { kind: 'reset-before-processing' }
  /** Process the request (a payment is made), then reset the connection without answering. */
  | { kind: 'reset-after-processing' }
  | { kind: 'status'; status: number; body?: string }
  /** Wait (real time), then process normally. */
  | { kind: 'delay'; ms: number }
  /** Never answer (until close()). */
  | { kind: 'hang' }
  /** 423 with the long `request.blocked` envelope, without counting against the limit. */
  | { kind: 'blocked' }
  /** Process, then send half the body under the full Content-Length and close. */
  | { kind: 'truncate' }
  /** Process, then answer 200 with a body that is not JSON. */
  | { kind: 'malformed' }
)

export interface RequestLogEntry {
  atMs: number
  method: string
  path: string
  route: RouteName | null
  wallet: string | null
  status: number
  fault: PersonalFault['kind'] | null
}

export interface CreateWalletOptions {
  wallet: string
  /** Balances in minor units per currency. RUB defaults to 0; an account is created for each key given. */
  balances?: Partial<Record<'RUB' | 'USD' | 'EUR' | 'KZT', number>> | undefined
  /** Add a USD account whose balance appears only on the documented re-query. */
  nullBalanceAccount?: boolean | undefined
  casPassword?: string | undefined
  blocked?: boolean | undefined
  identificationLevel?: EmuWallet['identificationLevel'] | undefined
}

export interface HistoryItemInput {
  type: TxnType
  /** Minor units. */
  amountKopecks: number
  date: Date | number
  status?: TxnStatus | undefined
  errorCode?: number | undefined
  currency?: string | undefined
  commissionKopecks?: number | undefined
  account?: string | undefined
  comment?: string | undefined
  trmTxnId?: string | undefined
  providerId?: number | undefined
  source?: HistorySource | undefined
  /** Reuse a txnId (e.g. the other half of a conversion pair). */
  txnId?: string | undefined
  currencyRate?: string | undefined
}

export interface PersonalEmulatorAdmin {
  createWallet(opts: CreateWalletOptions): void
  hasWallet(wallet: string): boolean
  /** Balance of an account in minor units, null if no such account. */
  balance(wallet: string, currency: string): number | null
  setBalance(wallet: string, currency: string, kopecks: number): void
  setCasPassword(wallet: string, password: string | null): void
  /** Issues a token with the given permissions (default all four); returns it. */
  createToken(opts: {
    wallet: string
    scopes?: readonly PersonalScope[] | undefined
    token?: string | undefined
  }): string
  revokeToken(token: string): boolean
  addHistoryItem(wallet: string, item: HistoryItemInput): string
  generateHistory(
    wallet: string,
    opts: {
      count: number
      seed?: number | undefined
      endMs?: number | undefined
      spanDays?: number | undefined
      conversionShare?: number | undefined
    }
  ): number
  history(wallet: string): EmuHistoryItem[]
  injectFault(fault: PersonalFault): void
  clearFaults(): void
  pendingFaults(): number
  /** Transfers made (processed), oldest first. */
  transfers(filter?: { fromWallet?: string | undefined; clientId?: string | undefined }): TransferRecord[]
  requestLog(filter?: { route?: RouteName | undefined; wallet?: string | undefined }): RequestLogEntry[]
  clearRequestLog(): void
  /** Largest number of logged requests of `routes` inside any window of `windowMs` (default 60 s). */
  maxRequestsInWindow(opts: {
    routes: readonly RouteName[]
    wallet?: string | undefined
    windowMs?: number | undefined
  }): number
  /** Forget rate-limit counters and blocks. */
  resetRateLimit(wallet?: string): void
}

export interface PersonalEmulator {
  handle(req: IncomingMessage, res: ServerResponse): void
  readonly admin: PersonalEmulatorAdmin
  readonly demo: PersonalDemoCredentials | null
  /** Writes the state file now (atomic). No-op without dataDir. */
  flush(): void
  /** Flushes, ends hanging requests, stops timers. */
  close(): void
}

// --------------------------------------------------------------- constants

const STATE_FILE = 'personal-emulator.json'
const MAX_BODY = 64 * 1024
const BLOCK_MS = 5 * 60_000
const WINDOW_MS = 60_000
const TGT_MAX_MS = 8 * 3_600_000
const TGT_IDLE_MS = 2 * 3_600_000
const ST_TTL_MS = 5 * 60_000
const EDGE_SERVICES = new Set([
  'http://t.qiwi.com/j_spring_cas_security_check',
  'https://qiwi.com/j_cas_security_check'
])
const WEB_SERVICE = 'https://qiwi.com/j_spring_cas_security_check'
const HISTORY_ROUTES: ReadonlySet<RouteName> = new Set([
  'history',
  'history-v1',
  'totals',
  'totals-v1',
  'transaction'
])
const MIN_TRANSFER_KOPECKS = 100
const MAX_TRANSFER_KOPECKS = 15_000_000
const CURRENCY_BY_ALPHA: Record<string, string> = { RUB: '643', USD: '840', EUR: '978', KZT: '398' }
const ALPHA_BY_CURRENCY: Record<string, string> = { '643': 'RUB', '840': 'USD', '978': 'EUR', '398': 'KZT' }
const SOURCE_BY_CURRENCY: Record<string, HistorySource> = {
  '643': 'QW_RUB',
  '840': 'QW_USD',
  '978': 'QW_EUR',
  '398': 'QW_KZT'
}

interface EmuResponse {
  status: number
  body?: string | undefined
  headers?: Record<string, string | string[]> | undefined
}

interface Principal {
  wallet: string
  scopes: ReadonlySet<PersonalScope>
}

interface RouteMatch {
  name: RouteName
  params: string[]
}

interface Ctx {
  req: IncomingMessage
  url: URL
  route: RouteMatch
  body: string
  nowMs: number
  /** Filled once authentication succeeded (for the log). */
  wallet: string | null
}

// ----------------------------------------------------------------- helpers

function num(raw: string | number): JsonNumber {
  return new JsonNumber(String(raw))
}

/** Amount as QIWI prints it: shortest exact decimal (7000 → 70, 349750 → 3497.5). */
function amountJson(kopecks: number): JsonNumber {
  const s = formatAmount(kopecks).replace(/\.?0+$/, '')
  return new JsonNumber(s === '' || s === '-' ? '0' : s)
}

function json(status: number, value: unknown, headers?: Record<string, string | string[]>): EmuResponse {
  return { status, body: stringifyJson(value), headers }
}

function traceId(): string {
  return randomBytes(8).toString('hex')
}

function longError(
  status: number,
  serviceName: string,
  errorCode: string,
  userMessage: string,
  nowMs: number
): EmuResponse {
  return json(status, {
    serviceName,
    errorCode,
    userMessage,
    dateTime: formatQiwiDate(nowMs).replace(/(\+|-)(\d\d):(\d\d)$/, '.000$1$2:$3'),
    traceId: traceId()
  })
}

function shortError(status: number, code: number, nowMs: number, message?: string): EmuResponse {
  void nowMs
  return json(status, { code: `QWPRC-${code}`, message: message ?? describeTxnError(code, 'ru').message })
}

function serviceOf(route: RouteName): string {
  switch (route) {
    case 'profile':
      return 'person-profile'
    case 'balance':
    case 'balance-v1':
      return 'funding-sources'
    case 'history':
    case 'history-v1':
    case 'totals':
    case 'totals-v1':
    case 'transaction':
      return 'payment-history'
    case 'hooks':
      return 'payment-notifier'
    case 'cas-tgt':
    case 'cas-st':
    case 'web-session':
      return 'cas'
    default:
      return 'sinap'
  }
}

const ROUTES: { method: string; re: RegExp; name: RouteName }[] = [
  { method: 'GET', re: /^\/person-profile\/v1\/profile\/current$/, name: 'profile' },
  { method: 'GET', re: /^\/funding-sources\/v2\/persons\/([^/]+)\/accounts$/, name: 'balance' },
  { method: 'GET', re: /^\/funding-sources\/v1\/accounts\/([^/]+)$/, name: 'balance-v1' },
  { method: 'GET', re: /^\/payment-history\/v2\/persons\/([^/]+)\/payments$/, name: 'history' },
  { method: 'GET', re: /^\/payment-history\/v2\/persons\/([^/]+)\/payments\/total$/, name: 'totals' },
  { method: 'GET', re: /^\/payment-history\/v1\/persons\/([^/]+)\/payments$/, name: 'history-v1' },
  { method: 'GET', re: /^\/payment-history\/v1\/persons\/([^/]+)\/payments\/total$/, name: 'totals-v1' },
  { method: 'GET', re: /^\/payment-history\/v2\/transactions\/([^/]+)$/, name: 'transaction' },
  { method: 'POST', re: /^\/sinap\/providers\/([^/]+)\/onlineCommission$/, name: 'commission' },
  { method: 'POST', re: /^\/sinap\/api\/v2\/terms\/99\/payments$/, name: 'payment' },
  { method: 'GET', re: /^\/payment-notifier\/v1\/hooks\/active$/, name: 'hooks' },
  { method: 'POST', re: /^\/cas\/tgts$/, name: 'cas-tgt' },
  { method: 'GET', re: /^\/cas\/tgts$/, name: 'cas-tgt' },
  { method: 'DELETE', re: /^\/cas\/tgts$/, name: 'cas-tgt' },
  { method: 'POST', re: /^\/cas\/sts$/, name: 'cas-st' },
  { method: 'GET', re: /^\/j_spring_cas_security_check$/, name: 'web-session' },
  { method: 'POST', re: /^\/user\/sinap\/api\/terms\/99\/payments\/proxy\.action$/, name: 'legacy-payment' }
]

function matchRoute(method: string, path: string): RouteMatch | null {
  for (const r of ROUTES) {
    if (r.method !== method) continue
    const m = r.re.exec(path)
    if (m) return { name: r.name, params: m.slice(1).map((p) => decodeURIComponent(p)) }
  }
  return null
}

function faultMatches(match: FaultMatch, route: RouteName): boolean {
  if (match === 'any') return true
  if (match === 'payments') return route === 'payment' || route === 'legacy-payment'
  if (match === 'history-all') return HISTORY_ROUTES.has(route)
  return match === route
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (c: Buffer) => {
      if (done) return
      size += c.length
      if (size > MAX_BODY) {
        done = true
        resolve(null)
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      if (done) return
      done = true
      resolve(Buffer.concat(chunks).toString('utf8'))
    })
    req.on('error', () => {
      if (done) return
      done = true
      resolve(null)
    })
  })
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return out
}

function acceptOk(req: IncomingMessage, type: string): boolean {
  const a = header(req, 'accept')
  if (a === undefined) return type === 'application/json'
  return a.split(',').some((p) => {
    const t = p.split(';')[0]?.trim().toLowerCase()
    return t === type || (type === 'application/json' && t === '*/*')
  })
}

function contentTypeOk(req: IncomingMessage): boolean {
  const c = (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  return c === 'application/json'
}

function parseBody(text: string): JsonValue | null {
  const r = parseJson(text, { maxLength: MAX_BODY, maxDepth: 16 })
  return r.ok ? r.value : null
}

// ------------------------------------------------------------------ factory

export function createPersonalEmulator(opts: PersonalEmulatorOptions = {}): PersonalEmulator {
  const now = opts.now ?? Date.now
  const seed = opts.seed ?? 1
  const limit = opts.rateLimitPerMinute ?? 100
  const processingMs = opts.paymentProcessingMs ?? 0
  const log = opts.logger ?? nullLogger
  const statePath = opts.dataDir ? join(opts.dataDir, STATE_FILE) : null

  let state: EmuState = emptyState()
  let loaded = false
  if (statePath) {
    const raw = readJsonFile(statePath)
    if (raw !== undefined) {
      const s = parseState(raw)
      if (!s) throw new Error(`personal emulator: ${statePath} is not a valid state file`)
      state = s
      loaded = true
    }
  }

  const faults: (PersonalFault & { remaining: number })[] = []
  const requestLog: RequestLogEntry[] = []
  const rate = new Map<string, { log: number[]; blockedUntil: number }>()
  const tgts = new Map<string, { login: string; createdMs: number; lastUsedMs: number }>()
  const sts = new Map<string, { login: string; service: string; createdMs: number }>()
  const webSessions = new Map<string, { login: string; createdMs: number }>()
  const hanging = new Set<ServerResponse>()
  let flushTimer: NodeJS.Timeout | null = null
  let closed = false
  let ticketCounter = 1

  const tokenRng = createRng(seed ^ 0x5eed)
  function seededToken(len: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    let s = ''
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(tokenRng.next() * alphabet.length)] ?? 'A'
    return s
  }

  function markDirty(): void {
    if (!statePath || closed || flushTimer) return
    flushTimer = setTimeout(() => {
      flushTimer = null
      flush()
    }, 250)
    flushTimer.unref()
  }

  function flush(): void {
    if (flushTimer) {
      clearTimeout(flushTimer)
      flushTimer = null
    }
    if (!statePath) return
    writeFileAtomic(statePath, JSON.stringify(state))
  }

  // ----------------------------------------------------------- wallets

  function makeAccount(currency: string, kopecks: number, requery: boolean): EmuAccount {
    const alpha = (ALPHA_BY_CURRENCY[currency] ?? currency).toLowerCase()
    return {
      alias: `qw_wallet_${alpha}`,
      fsAlias: 'qb_wallet',
      title: 'WALLET',
      typeId: 'WALLET',
      typeTitle: 'QIWI Wallet',
      currency,
      hasBalance: true,
      kopecks,
      balanceOnlyOnRequery: requery
    }
  }

  function createWallet(o: CreateWalletOptions): EmuWallet {
    if (!/^\d{5,15}$/.test(o.wallet)) throw new Error('wallet must be 5..15 digits')
    if (state.wallets[o.wallet]) throw new Error(`wallet ${o.wallet} exists`)
    const accounts: EmuAccount[] = []
    const balances = o.balances ?? { RUB: 0 }
    if (balances.RUB === undefined) accounts.push(makeAccount('643', 0, false))
    for (const [alpha, k] of Object.entries(balances)) {
      if (k === undefined) continue
      if (!Number.isSafeInteger(k)) throw new Error('balances are integer minor units')
      const cur = CURRENCY_BY_ALPHA[alpha]
      if (!cur) throw new Error(`unknown currency ${alpha}`)
      accounts.push(makeAccount(cur, k, false))
    }
    if (o.nullBalanceAccount) {
      const usd = accounts.find((a) => a.currency === '840')
      if (usd) usd.balanceOnlyOnRequery = true
      else accounts.push(makeAccount('840', 0, true))
    }
    accounts.push({
      alias: 'mc_beeline_rub',
      fsAlias: 'qb_mc_beeline',
      title: 'MC',
      typeId: 'MC',
      typeTitle: 'Счет мобильного кошелька',
      currency: '643',
      hasBalance: false,
      kopecks: 0,
      balanceOnlyOnRequery: false
    })
    const w: EmuWallet = {
      wallet: o.wallet,
      createdMs: Math.floor(now() / 1000) * 1000 - 400 * 86_400_000,
      blocked: o.blocked ?? false,
      identificationLevel: o.identificationLevel ?? 'VERIFIED',
      email: null,
      operator: 'Beeline',
      accounts,
      history: [],
      casPassword: o.casPassword ?? null
    }
    state.wallets[o.wallet] = w
    markDirty()
    return w
  }

  function getWallet(wallet: string): EmuWallet {
    const w = state.wallets[wallet]
    if (!w) throw new Error(`no wallet ${wallet}`)
    return w
  }

  function createToken(o: {
    wallet: string
    scopes?: readonly PersonalScope[] | undefined
    token?: string | undefined
  }): string {
    getWallet(o.wallet)
    const token = o.token ?? seededToken(32)
    if (!/^[\x21-\x7e]{8,256}$/.test(token) || FORBIDDEN_KEYS.has(token)) {
      throw new Error('token must be 8..256 visible ASCII characters')
    }
    const scopes = [...new Set(o.scopes ?? PERSONAL_SCOPES)]
    for (const s of scopes) if (!PERSONAL_SCOPES.includes(s)) throw new Error(`unknown scope ${String(s)}`)
    state.tokens[token] = { token, wallet: o.wallet, scopes, createdMs: now() }
    markDirty()
    return token
  }

  // --------------------------------------------------------------- demo

  let demo: PersonalDemoCredentials | null = null
  if (opts.demo ?? true) {
    const wallet = '79001234567'
    const recipientWallet = '79007654321'
    const casPassword = 'demo-password'
    if (!loaded) {
      const w = createWallet({
        wallet,
        balances: { RUB: 12_500_000, KZT: 4_532_015 },
        nullBalanceAccount: true,
        casPassword,
        identificationLevel: 'VERIFIED'
      })
      const usd = w.accounts.find((a) => a.currency === '840')
      if (usd) usd.kopecks = 123_456
      w.email = 'demo@example.com'
      generateHistory(state, w, { count: opts.demoHistoryCount ?? 3000, seed, endMs: now() - 60_000 })
      createWallet({ wallet: recipientWallet, balances: { RUB: 100_000 }, casPassword })
      createToken({ wallet, token: `demo-${seededToken(24)}` })
      createToken({ wallet: recipientWallet, token: `demo-${seededToken(24)}` })
    }
    const token = Object.values(state.tokens).find((t) => t.wallet === wallet && t.scopes.length === 4)?.token
    if (state.wallets[wallet] && token) {
      demo = { wallet, token, casLogin: wallet, casPassword, recipientWallet }
    }
  }

  // ------------------------------------------------------------- auth

  function resolvePrincipal(ctx: Ctx): Principal | EmuResponse {
    const auth = header(ctx.req, 'authorization') ?? ''
    const svc = serviceOf(ctx.route.name)
    const unauthorized = (): EmuResponse =>
      longError(401, svc, 'auth.unauthorized', 'Ошибка авторизации', ctx.nowMs)
    const sp = auth.indexOf(' ')
    if (sp <= 0) return unauthorized()
    const scheme = auth.slice(0, sp)
    const cred = auth.slice(sp + 1).trim()
    if (scheme === 'Bearer') {
      const t = Object.prototype.hasOwnProperty.call(state.tokens, cred) ? state.tokens[cred] : undefined
      if (!t || !state.wallets[t.wallet]) return unauthorized()
      return { wallet: t.wallet, scopes: new Set(t.scopes) }
    }
    let ticket: string
    let service: string | null = null
    if (scheme === 'Token') {
      ticket = cred
    } else if (scheme === 'ST') {
      const decoded = Buffer.from(cred, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon <= 0) return unauthorized()
      ticket = decoded.slice(0, colon)
      service = decoded.slice(colon + 1)
    } else {
      return unauthorized()
    }
    const st = sts.get(ticket)
    if (!st) return unauthorized()
    sts.delete(ticket) // single use
    if (ctx.nowMs - st.createdMs > ST_TTL_MS) return unauthorized()
    if (!EDGE_SERVICES.has(st.service)) return unauthorized()
    if (service !== null && service !== st.service) return unauthorized()
    if (!state.wallets[st.login]) return unauthorized()
    return { wallet: st.login, scopes: new Set(PERSONAL_SCOPES) }
  }

  /** Authenticates, checks the permission and (when the path names one) the wallet. */
  function authorize(ctx: Ctx, scope: PersonalScope, pathWallet?: string): Principal | EmuResponse {
    const p = resolvePrincipal(ctx)
    if ('status' in p) return p
    ctx.wallet = p.wallet
    const svc = serviceOf(ctx.route.name)
    if (!p.scopes.has(scope)) {
      return longError(403, svc, 'auth.forbidden', 'Недостаточно прав для выполнения операции', ctx.nowMs)
    }
    if (pathWallet !== undefined && pathWallet !== p.wallet && pathWallet !== 'current') {
      if (!state.wallets[pathWallet]) {
        return longError(404, svc, 'wallet.not.found', 'Кошелек не найден', ctx.nowMs)
      }
      return longError(403, svc, 'auth.forbidden', 'Нет доступа к этому кошельку', ctx.nowMs)
    }
    return p
  }

  function rateCheck(ctx: Ctx, wallet: string): EmuResponse | null {
    if (!HISTORY_ROUTES.has(ctx.route.name)) return null
    let r = rate.get(wallet)
    if (!r) {
      r = { log: [], blockedUntil: 0 }
      rate.set(wallet, r)
    }
    const t = ctx.nowMs
    if (t < r.blockedUntil) return blockedResponse(t)
    while (r.log.length > 0 && (r.log[0] ?? 0) <= t - WINDOW_MS) r.log.shift()
    if (r.log.length >= limit) {
      r.blockedUntil = t + BLOCK_MS
      return blockedResponse(t)
    }
    r.log.push(t)
    return null
  }

  function blockedResponse(t: number): EmuResponse {
    return longError(423, 'payment-history', 'request.blocked', 'request blocked, try again later', t)
  }

  // ------------------------------------------------------- rendering

  function effectiveStatus(it: EmuHistoryItem, t: number): TxnStatus {
    if (it.waitingUntilMs !== null && t < it.waitingUntilMs) return 'WAITING'
    return it.status
  }

  function providerJson(id: number, shortName: string, longName: string): Record<string, unknown> {
    return {
      id: num(id),
      shortName,
      longName,
      logoUrl: null,
      description: null,
      keys: null,
      siteUrl: null,
      extras: []
    }
  }

  function renderItem(
    w: EmuWallet,
    it: EmuHistoryItem,
    t: number,
    offset: number,
    v1: boolean
  ): Record<string, unknown> {
    const status = effectiveStatus(it, t)
    const errorCode = status === 'ERROR' ? it.errorCode : 0
    const cur = v1 ? (ALPHA_BY_CURRENCY[it.currency] ?? it.currency) : num(it.currency)
    const money = (k: number): Record<string, unknown> => ({ amount: amountJson(k), currency: cur })
    const item: Record<string, unknown> = {
      txnId: num(it.txnId),
      personId: num(w.wallet),
      date: formatQiwiDate(it.dateMs, offset),
      errorCode: num(errorCode),
      error: status === 'ERROR' ? describeTxnError(errorCode, 'ru').message : null,
      status,
      type: it.type,
      statusText: statusText(status, errorCode),
      trmTxnId: it.trmTxnId,
      account: it.account,
      sum: money(it.sumKopecks),
      commission: money(it.commissionKopecks),
      total: money(it.sumKopecks + it.commissionKopecks),
      provider: providerJson(it.providerId, it.providerShortName, it.providerLongName),
      comment: it.comment,
      currencyRate: new JsonNumber(it.currencyRate)
    }
    if (v1) {
      Object.assign(item, {
        extras: null,
        chequeReady: status === 'SUCCESS',
        bankDocumentAvailable: false,
        bankDocumentReady: false,
        repeatPaymentEnabled: false
      })
    } else {
      item.source = providerJson(7, 'QIWI Wallet', 'QIWI Wallet')
    }
    return item
  }

  // -------------------------------------------------------- handlers

  function profile(ctx: Ctx): EmuResponse {
    const p = authorize(ctx, 'profile')
    if ('status' in p) return p
    const w = getWallet(p.wallet)
    const flag = (name: string): boolean => ctx.url.searchParams.get(name) !== 'false'
    const iso = (ms: number): string => new Date(ms).toISOString()
    const out: Record<string, unknown> = {}
    if (flag('authInfoEnabled')) {
      out.authInfo = {
        boundEmail: w.email,
        ip: '127.0.0.1',
        lastLoginDate: iso(ctx.nowMs - 3_600_000),
        mobilePinInfo: {
          lastMobilePinChange: iso(w.createdMs),
          mobilePinUsed: true,
          nextMobilePinChange: iso(w.createdMs + 365 * 86_400_000)
        },
        passInfo: {
          lastPassChange: iso(w.createdMs),
          nextPassChange: iso(w.createdMs + 365 * 86_400_000),
          passwordUsed: w.casPassword !== null
        },
        personId: num(w.wallet),
        pinInfo: { pinUsed: true },
        registrationDate: iso(w.createdMs)
      }
    }
    if (flag('contractInfoEnabled')) {
      out.contractInfo = {
        blocked: w.blocked,
        contractId: num(w.wallet),
        creationDate: iso(w.createdMs),
        features: [],
        identificationInfo: [
          { bankAlias: 'QIWI', identificationLevel: w.identificationLevel, passportExpired: false }
        ]
      }
    }
    if (flag('userInfoEnabled')) {
      const first = w.history[w.history.length - 1]
      out.userInfo = {
        defaultPayCurrency: num(643),
        defaultPaySource: num(7),
        email: w.email,
        firstTxnId: first ? num(first.txnId) : null,
        language: 'ru',
        operator: w.operator,
        phoneHash: randomBytesFor(w.wallet),
        promoEnabled: null
      }
    }
    return json(200, out)
  }

  function randomBytesFor(wallet: string): string {
    let h = 0x811c9dc5
    for (const c of wallet) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0
    return h.toString(36)
  }

  function balances(ctx: Ctx): EmuResponse {
    const p = authorize(ctx, 'balance', ctx.route.params[0])
    if ('status' in p) return p
    const w = getWallet(p.wallet)
    const alias = ctx.url.searchParams.get('alias')
    const requery = alias !== null
    const list = requery ? w.accounts.filter((a) => a.alias === alias) : w.accounts
    return json(200, {
      accounts: list.map((a) => ({
        alias: a.alias,
        fsAlias: a.fsAlias,
        bankAlias: 'QIWI',
        title: a.title,
        type: { id: a.typeId, title: a.typeTitle },
        hasBalance: a.hasBalance,
        balance:
          a.hasBalance && (requery || !a.balanceOnlyOnRequery)
            ? { amount: amountJson(a.kopecks), currency: num(a.currency) }
            : null,
        currency: num(a.currency)
      }))
    })
  }

  function balancesV1(ctx: Ctx): EmuResponse {
    const p = authorize(ctx, 'balance', ctx.route.params[0])
    if ('status' in p) return p
    const w = getWallet(p.wallet)
    return json(200, {
      accounts: w.accounts
        .filter((a) => a.hasBalance)
        .map((a) => ({
          fsAlias: a.fsAlias,
          title: 'Qiwi Account',
          type: { id: a.typeId, title: 'Visa QIWI Wallet' },
          currencyId: num(a.currency),
          balance: { amount: amountJson(a.kopecks), currencyId: num(a.currency) }
        }))
    })
  }

  interface HistoryParams {
    operation: HistoryOperation
    sources: HistorySource[]
    startMs: number | null
    endMs: number | null
    offset: number
  }

  /** Parses operation/sources/startDate/endDate; `requireDates` for totals. */
  function historyParams(
    ctx: Ctx,
    v1: boolean,
    requireDates: boolean,
    defaultStart: (t: number) => number
  ): HistoryParams | EmuResponse {
    const q = ctx.url.searchParams
    const bad = (msg: string): EmuResponse =>
      longError(400, 'payment-history', 'validation.error', msg, ctx.nowMs)
    const opRaw = q.get('operation') ?? 'ALL'
    if (!HISTORY_OPERATIONS.includes(opRaw as HistoryOperation)) {
      return bad(`Неверное значение operation: ${opRaw}`)
    }
    const sources: HistorySource[] = []
    const allowed = v1 ? HISTORY_SOURCES : HISTORY_SOURCES.filter((s) => s !== 'QW_KZT')
    for (const [k, v] of q) {
      const m = /^sources\[(\d+)\]$/.exec(k)
      if (!m) continue
      if (!allowed.includes(v as HistorySource)) return bad(`Неверное значение sources: ${v}`)
      sources.push(v as HistorySource)
    }
    const s = q.get('startDate')
    const e = q.get('endDate')
    if ((s === null) !== (e === null)) return bad('startDate и endDate передаются вместе')
    let startMs: number | null = null
    let endMs: number | null = null
    let offset = 180
    if (s !== null && e !== null) {
      const ps = parseQiwiDate(s)
      const pe = parseQiwiDate(e)
      if (!ps || !pe) return bad('Неверный формат даты')
      if (ps.offsetMinutes !== pe.offsetMinutes) {
        return bad('startDate и endDate должны быть в одном часовом поясе')
      }
      if (ps.ms > pe.ms) return bad('startDate позже endDate')
      if (pe.ms - ps.ms > MAX_HISTORY_SPAN_MS) return bad('Период не может превышать 90 дней')
      startMs = ps.ms
      endMs = pe.ms
      offset = ps.offsetMinutes
    } else if (requireDates) {
      startMs = defaultStart(ctx.nowMs)
      endMs = ctx.nowMs
    }
    return { operation: opRaw as HistoryOperation, sources, startMs, endMs, offset }
  }

  function itemMatches(it: EmuHistoryItem, p: HistoryParams): boolean {
    if (p.operation !== 'ALL' && it.type !== p.operation) return false
    if (p.sources.length > 0 && !p.sources.includes(it.source)) return false
    if (p.startMs !== null && it.dateMs < p.startMs) return false
    if (p.endMs !== null && it.dateMs > p.endMs) return false
    return true
  }

  function history(ctx: Ctx, v1: boolean): EmuResponse {
    const p = authorize(ctx, 'history', ctx.route.params[0])
    if ('status' in p) return p
    const limited = rateCheck(ctx, p.wallet)
    if (limited) return limited
    const q = ctx.url.searchParams
    const bad = (msg: string): EmuResponse =>
      longError(400, 'payment-history', 'validation.error', msg, ctx.nowMs)
    const rowsRaw = q.get('rows')
    if (rowsRaw === null || !/^\d{1,2}$/.test(rowsRaw) || Number(rowsRaw) < 1 || Number(rowsRaw) > 50) {
      return bad('rows: целое число от 1 до 50')
    }
    const rows = Number(rowsRaw)
    const nid = q.get('nextTxnId')
    const ndate = q.get('nextTxnDate')
    if ((nid === null) !== (ndate === null)) return bad('nextTxnId и nextTxnDate передаются вместе')
    let cursor: { id: string; ms: number } | null = null
    if (nid !== null && ndate !== null) {
      const pd = parseQiwiDate(ndate)
      if (!/^\d{1,20}$/.test(nid) || !pd) return bad('Неверный nextTxnId/nextTxnDate')
      cursor = { id: nid, ms: pd.ms }
    }
    // Without dates and without a cursor: the documented default (the last day);
    // a cursor alone continues the full list (the docs' example 6 omits the dates).
    const hp = historyParams(ctx, v1, cursor === null, (t) => t - 86_400_000)
    if ('status' in hp) return hp
    const w = getWallet(p.wallet)
    const picked: EmuHistoryItem[] = []
    for (const it of w.history) {
      if (hp.endMs !== null && it.dateMs > hp.endMs) continue
      if (hp.startMs !== null && it.dateMs < hp.startMs) break
      if (
        cursor &&
        (it.dateMs > cursor.ms || (it.dateMs === cursor.ms && compareIds(it.txnId, cursor.id) > 0))
      ) {
        continue
      }
      if (!itemMatches(it, hp)) continue
      picked.push(it)
      if (picked.length > rows) break
    }
    if (picked.length === 0 && cursor === null) {
      return longError(
        404,
        'payment-history',
        'payments.not.found',
        'Платежи с указанными признаками не найдены',
        ctx.nowMs
      )
    }
    const page = picked.slice(0, rows)
    const next = picked[rows]
    return json(200, {
      data: page.map((it) => renderItem(w, it, ctx.nowMs, hp.offset, v1)),
      nextTxnId: next ? num(next.txnId) : null,
      nextTxnDate: next ? formatQiwiDate(next.dateMs, 180) : null
    })
  }

  function totals(ctx: Ctx, v1: boolean): EmuResponse {
    const p = authorize(ctx, 'history', ctx.route.params[0])
    if ('status' in p) return p
    const limited = rateCheck(ctx, p.wallet)
    if (limited) return limited
    const q = ctx.url.searchParams
    if (!v1 && (q.get('startDate') === null || q.get('endDate') === null)) {
      return longError(
        400,
        'payment-history',
        'validation.error',
        'startDate и endDate обязательны',
        ctx.nowMs
      )
    }
    const hp = historyParams(ctx, v1, true, (t) => {
      // v1 default: the first day of the current month (Moscow).
      const d = new Date(t + 180 * 60_000)
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - 180 * 60_000
    })
    if ('status' in hp) return hp
    const w = getWallet(p.wallet)
    const inc = new Map<string, number>()
    const out = new Map<string, number>()
    for (const it of w.history) {
      if (!itemMatches(it, hp) || effectiveStatus(it, ctx.nowMs) !== 'SUCCESS') continue
      const m = it.type === 'IN' ? inc : out
      m.set(it.currency, (m.get(it.currency) ?? 0) + it.sumKopecks)
    }
    const list = (m: Map<string, number>): unknown[] =>
      [...m.entries()].map(([c, k]) => ({
        amount: amountJson(k),
        currency: v1 ? (ALPHA_BY_CURRENCY[c] ?? c) : num(c)
      }))
    return json(200, { incomingTotal: list(inc), outgoingTotal: list(out) })
  }

  function transaction(ctx: Ctx): EmuResponse {
    const p = authorize(ctx, 'history')
    if ('status' in p) return p
    const limited = rateCheck(ctx, p.wallet)
    if (limited) return limited
    const id = ctx.route.params[0] ?? ''
    const type = ctx.url.searchParams.get('type')
    if (type !== null && type !== 'IN' && type !== 'OUT' && type !== 'QIWI_CARD') {
      return longError(400, 'payment-history', 'validation.error', 'Неверный type', ctx.nowMs)
    }
    const w = getWallet(p.wallet)
    const it = w.history.find((h) => h.txnId === id && (type === null || h.type === type))
    if (!it) {
      return longError(404, 'payment-history', 'transaction.not.found', 'Транзакция не найдена', ctx.nowMs)
    }
    const status = effectiveStatus(it, ctx.nowMs)
    return json(200, {
      ...renderItem(w, it, ctx.nowMs, 180, false),
      extras: [],
      paymentExtras: [],
      features: {
        chequeReady: status === 'SUCCESS',
        bankDocumentAvailable: false,
        bankDocumentReady: false,
        repeatPaymentEnabled: it.type === 'OUT',
        favoritePaymentEnabled: it.type === 'OUT',
        regularPaymentEnabled: false,
        chatAvailable: false,
        greetingCardAttached: false
      },
      serviceExtras: {},
      view: { title: it.providerShortName, account: it.account }
    })
  }

  function fee(kopecks: number): number {
    // The emulator's fee schedule for provider 99: 1 %, rounded up to a kopeck (matches the documented example 1001 → 10.01).
    return Math.ceil(kopecks / 100)
  }

  function commission(ctx: Ctx): EmuResponse {
    const p = authorize(ctx, 'payments')
    if ('status' in p) return p
    if (!contentTypeOk(ctx.req)) {
      return longError(400, 'sinap', 'validation.error', 'Content-Type: application/json', ctx.nowMs)
    }
    const v = parseBody(ctx.body)
    const r = v === null ? null : commissionRequestSchema.safeParse(v)
    if (!r || !r.success) {
      return longError(400, 'sinap', 'validation.error', 'Неверный формат запроса', ctx.nowMs)
    }
    const amount = r.data.purchaseTotals.total.amount
    const f = ctx.route.params[0] === '99' ? fee(amount) : 0
    const m = (k: number): Record<string, unknown> => ({ amount: amountJson(k), currency: '643' })
    return json(200, {
      providerId: num(ctx.route.params[0] ?? '99'),
      withdrawSum: m(amount + f),
      enrollmentSum: m(amount),
      qwCommission: m(f),
      fundingSourceCommission: m(0),
      withdrawToEnrollmentRate: num(1)
    })
  }

  interface TransferInput {
    clientId: string
    kopecks: number
    comment: string | null
    recipient: string
    via: TransferRecord['via']
  }

  /** Shared by the edge payment and the legacy proxy.action. Returns the reply or a refusal. */
  function makeTransfer(ctx: Ctx, from: string, t: TransferInput): EmuResponse | TransferRecord {
    const w = getWallet(from)
    const existing = state.transfers.find((x) => x.fromWallet === from && x.clientId === t.clientId)
    if (existing) {
      existing.requestCount++
      markDirty()
      const same =
        existing.kopecks === t.kopecks &&
        existing.toAccount === t.recipient &&
        (existing.comment ?? '') === (t.comment ?? '')
      // Repeated id: the same payment is answered again (no second transfer); other details are refused.
      if (same) return existing
      return shortError(400, 408, ctx.nowMs, 'Платеж с таким идентификатором уже существует')
    }
    if (w.blocked) return shortError(400, 319, ctx.nowMs)
    if (t.kopecks < MIN_TRANSFER_KOPECKS) return shortError(400, 241, ctx.nowMs)
    if (t.kopecks > MAX_TRANSFER_KOPECKS) return shortError(400, 242, ctx.nowMs)
    const digits = t.recipient.replace(/^\+/, '')
    if (!/^\d{10,15}$/.test(digits)) return shortError(400, 4, ctx.nowMs)
    if (digits === from) {
      return shortError(400, 300, ctx.nowMs, 'Техническая ошибка: отправитель и получатель совпадают')
    }
    const rub = w.accounts.find((a) => a.currency === '643' && a.hasBalance)
    const f = fee(t.kopecks)
    if (!rub || rub.kopecks < t.kopecks + f) return shortError(400, 220, ctx.nowMs)
    rub.kopecks -= t.kopecks + f
    const txnId = allocTxnId(state)
    const dateMs = Math.floor(ctx.nowMs / 1000) * 1000
    const waitingUntilMs = processingMs > 0 ? dateMs + processingMs : null
    insertHistory(w, {
      txnId,
      type: 'OUT',
      status: 'SUCCESS',
      errorCode: 0,
      dateMs,
      waitingUntilMs,
      account: `+${digits}`,
      currency: '643',
      sumKopecks: t.kopecks,
      commissionKopecks: f,
      providerId: 99,
      providerShortName: 'QIWI Кошелек',
      providerLongName: 'Перевод на QIWI Кошелек',
      source: 'QW_RUB',
      comment: t.comment ?? '',
      trmTxnId: t.clientId,
      currencyRate: '1'
    })
    const to = state.wallets[digits]
    if (to) {
      let acc = to.accounts.find((a) => a.currency === '643' && a.hasBalance)
      if (!acc) {
        acc = makeAccount('643', 0, false)
        to.accounts.unshift(acc)
      }
      acc.kopecks += t.kopecks
      insertHistory(to, {
        txnId,
        type: 'IN',
        status: 'SUCCESS',
        errorCode: 0,
        dateMs,
        waitingUntilMs,
        account: `+${from}`,
        currency: '643',
        sumKopecks: t.kopecks,
        commissionKopecks: 0,
        providerId: 99,
        providerShortName: 'QIWI Кошелек',
        providerLongName: 'Перевод на QIWI Кошелек',
        source: 'QW_RUB',
        comment: t.comment ?? '',
        trmTxnId: null,
        currencyRate: '1'
      })
    }
    const rec: TransferRecord = {
      clientId: t.clientId,
      fromWallet: from,
      toAccount: t.recipient,
      kopecks: t.kopecks,
      commissionKopecks: f,
      currency: '643',
      comment: t.comment,
      txnId,
      createdMs: ctx.nowMs,
      requestCount: 1,
      via: t.via
    }
    state.transfers.push(rec)
    markDirty()
    log.info({ from, txnId, via: t.via }, 'sandbox personal transfer')
    return rec
  }

  function payment(ctx: Ctx): EmuResponse {
    const p = authorize(ctx, 'payments')
    if ('status' in p) return p
    if (!acceptOk(ctx.req, 'application/json') || !contentTypeOk(ctx.req)) {
      return longError(400, 'sinap', 'validation.error', 'Поддерживается только application/json', ctx.nowMs)
    }
    const v = parseBody(ctx.body)
    const r = v === null ? null : paymentRequestSchema.safeParse(v)
    if (!r || !r.success) {
      return longError(400, 'sinap', 'validation.error', 'Неверный формат запроса', ctx.nowMs)
    }
    const b = r.data
    if (b.sum.currency !== '643' || b.paymentMethod.accountId !== '643') {
      return shortError(400, 300, ctx.nowMs, 'Поддерживается только валюта 643')
    }
    const account = b.fields.account
    if (account === undefined) {
      return longError(400, 'sinap', 'validation.error', 'fields.account обязателен', ctx.nowMs)
    }
    const out = makeTransfer(ctx, p.wallet, {
      clientId: b.id,
      kopecks: b.sum.amount,
      comment: b.comment ?? null,
      recipient: account,
      via: 'edge'
    })
    if ('status' in out) return out
    return json(200, paymentInfoJson(out, '99', true))
  }

  function paymentInfoJson(
    rec: TransferRecord,
    terms: string | null,
    withTerms: boolean
  ): Record<string, unknown> {
    const o: Record<string, unknown> = { id: rec.clientId }
    if (withTerms && terms) o.terms = terms
    o.fields = { account: rec.toAccount }
    o.sum = { amount: amountJson(rec.kopecks), currency: '643' }
    o.transaction = { id: rec.txnId, state: { code: 'Accepted' } }
    o.source = 'account_643'
    if (rec.comment !== null) o.comment = rec.comment
    return o
  }

  function hooks(ctx: Ctx): EmuResponse {
    const p = authorize(ctx, 'payments')
    if ('status' in p) return p
    return longError(404, 'payment-notifier', 'hook.not.found', 'Активный хук не найден', ctx.nowMs)
  }

  // ------------------------------------------------------------- CAS

  function casAcceptOk(ctx: Ctx): boolean {
    return acceptOk(ctx.req, 'application/vnd.qiwi.sso-v1+json')
  }

  function liveTgt(
    ticket: string,
    t: number
  ): { login: string; createdMs: number; lastUsedMs: number } | null {
    const g = tgts.get(ticket)
    if (!g) return null
    if (t - g.createdMs > TGT_MAX_MS || t - g.lastUsedMs > TGT_IDLE_MS) {
      tgts.delete(ticket)
      return null
    }
    return g
  }

  function casTgt(ctx: Ctx): EmuResponse {
    const method = ctx.req.method
    if (!casAcceptOk(ctx)) {
      return longError(400, 'cas', 'validation.error', 'Accept: application/vnd.qiwi.sso-v1+json', ctx.nowMs)
    }
    if (method === 'GET') {
      const c = cookies(ctx.req).get('CASTGC')
      const g = c ? liveTgt(c, ctx.nowMs) : null
      if (!c || !g) return longError(404, 'cas', 'ticket.not.found', 'Нет активной сессии', ctx.nowMs)
      return json(
        200,
        { entity: { user: g.login, ticket: c }, links: [] },
        { 'Set-Cookie': `CASTGC=${c}; Path=/cas; HttpOnly` }
      )
    }
    const v = parseBody(ctx.body)
    if (method === 'DELETE') {
      const r = v === null ? null : casStRequestSchema.safeParse(v)
      if (!r || !r.success) {
        return longError(400, 'cas', 'validation.error', 'Неверный формат запроса', ctx.nowMs)
      }
      const existed = tgts.delete(r.data.ticket)
      return existed ? json(200, {}) : longError(404, 'cas', 'ticket.not.found', 'Тикет не найден', ctx.nowMs)
    }
    if (!contentTypeOk(ctx.req)) {
      return longError(400, 'cas', 'validation.error', 'Content-Type: application/json', ctx.nowMs)
    }
    const r = v === null ? null : casTgtRequestSchema.safeParse(v)
    if (!r || !r.success) {
      return longError(400, 'cas', 'validation.error', 'Нужны login и password', ctx.nowMs)
    }
    const w = state.wallets[r.data.login]
    if (!w || w.casPassword === null || w.casPassword !== r.data.password) {
      return longError(401, 'cas', 'auth.unauthorized', 'Неверный логин или пароль', ctx.nowMs)
    }
    ctx.wallet = w.wallet
    const ticket = `TGT-${ticketCounter++}-${randomBytes(12).toString('hex')}`
    tgts.set(ticket, { login: w.wallet, createdMs: ctx.nowMs, lastUsedMs: ctx.nowMs })
    const origin = `http://${header(ctx.req, 'host') ?? '127.0.0.1'}`
    return json(
      201,
      { entity: { user: w.wallet, ticket }, links: [{ rel: 'sts', href: `${origin}/cas/sts` }] },
      { 'Set-Cookie': `CASTGC=${ticket}; Path=/cas; HttpOnly` }
    )
  }

  function casSt(ctx: Ctx): EmuResponse {
    if (!casAcceptOk(ctx) || !contentTypeOk(ctx.req)) {
      return longError(400, 'cas', 'validation.error', 'Accept: application/vnd.qiwi.sso-v1+json', ctx.nowMs)
    }
    const v = parseBody(ctx.body)
    const r = v === null ? null : casStRequestSchema.safeParse(v)
    if (!r || !r.success) {
      return longError(400, 'cas', 'validation.error', 'Нужны service и ticket', ctx.nowMs)
    }
    const g = liveTgt(r.data.ticket, ctx.nowMs)
    if (!g) return longError(401, 'cas', 'ticket.invalid', 'TGT недействителен или истёк', ctx.nowMs)
    g.lastUsedMs = ctx.nowMs
    ctx.wallet = g.login
    const st = `ST-${ticketCounter++}-${randomBytes(12).toString('hex')}`
    sts.set(st, { login: g.login, service: r.data.service, createdMs: ctx.nowMs })
    return json(200, { entity: { ticket: st }, links: [] })
  }

  function webSession(ctx: Ctx): EmuResponse {
    const ticket = ctx.url.searchParams.get('ticket') ?? ''
    const st = sts.get(ticket)
    if (!st) return longError(401, 'cas', 'ticket.invalid', 'Тикет недействителен', ctx.nowMs)
    sts.delete(ticket)
    if (ctx.nowMs - st.createdMs > ST_TTL_MS || st.service !== WEB_SERVICE) {
      return longError(401, 'cas', 'ticket.invalid', 'Тикет выдан для другого сервиса', ctx.nowMs)
    }
    ctx.wallet = st.login
    const sid = randomBytes(16).toString('hex')
    webSessions.set(sid, { login: st.login, createdMs: ctx.nowMs })
    return json(200, {}, { 'Set-Cookie': [`JSESSIONID=${sid}; Path=/; HttpOnly`] })
  }

  function legacyPayment(ctx: Ctx): EmuResponse {
    const sid = cookies(ctx.req).get('JSESSIONID')
    const s = sid ? webSessions.get(sid) : undefined
    if (!s || ctx.nowMs - s.createdMs > TGT_IDLE_MS) {
      return longError(401, 'sinap', 'auth.unauthorized', 'Сессия не найдена', ctx.nowMs)
    }
    ctx.wallet = s.login
    if (!acceptOk(ctx.req, 'application/vnd.qiwi.v2+json') || !contentTypeOk(ctx.req)) {
      return longError(400, 'sinap', 'validation.error', 'Accept: application/vnd.qiwi.v2+json', ctx.nowMs)
    }
    const v = parseBody(ctx.body)
    const r = v === null ? null : legacyPaymentRequestSchema.safeParse(v)
    if (!r || !r.success) {
      return longError(400, 'sinap', 'validation.error', 'Неверный формат запроса', ctx.nowMs)
    }
    const local = r.data.fields.account ?? ''
    if (!/^\d{10}$/.test(local)) return shortError(400, 303, ctx.nowMs)
    const out = makeTransfer(ctx, s.login, {
      clientId: r.data.id,
      kopecks: r.data.sum.amount,
      comment: r.data.comment ?? null,
      recipient: `+7${local}`,
      via: 'legacy-web'
    })
    if ('status' in out) return out
    const o = paymentInfoJson(out, null, false)
    o.fields = { account: local }
    return json(200, o)
  }

  // -------------------------------------------------------- dispatch

  function route(ctx: Ctx): EmuResponse {
    switch (ctx.route.name) {
      case 'profile':
        return profile(ctx)
      case 'balance':
        return balances(ctx)
      case 'balance-v1':
        return balancesV1(ctx)
      case 'history':
        return history(ctx, false)
      case 'history-v1':
        return history(ctx, true)
      case 'totals':
        return totals(ctx, false)
      case 'totals-v1':
        return totals(ctx, true)
      case 'transaction':
        return transaction(ctx)
      case 'commission':
        return commission(ctx)
      case 'payment':
        return payment(ctx)
      case 'hooks':
        return hooks(ctx)
      case 'cas-tgt':
        return casTgt(ctx)
      case 'cas-st':
        return casSt(ctx)
      case 'web-session':
        return webSession(ctx)
      case 'legacy-payment':
        return legacyPayment(ctx)
    }
  }

  function takeFault(name: RouteName): PersonalFault | null {
    const i = faults.findIndex((f) => f.remaining > 0 && faultMatches(f.match, name))
    if (i < 0) return null
    const f = faults[i]
    if (!f) return null
    f.remaining--
    if (f.remaining <= 0) faults.splice(i, 1)
    return f
  }

  function record(entry: RequestLogEntry): void {
    requestLog.push(entry)
    if (requestLog.length > 200_000) requestLog.splice(0, requestLog.length - 100_000)
  }

  function write(res: ServerResponse, out: EmuResponse): void {
    if (res.destroyed || res.headersSent) return
    const body = Buffer.from(out.body ?? '', 'utf8')
    res.writeHead(out.status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': String(body.length),
      ...out.headers
    })
    res.end(body)
  }

  function reset(req: IncomingMessage): void {
    const s = req.socket
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy()
    else s.destroy()
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = now()
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid')
    const rm = matchRoute(req.method ?? 'GET', url.pathname)
    const body = await readBody(req)
    const entry: RequestLogEntry = {
      atMs: arrived,
      method: req.method ?? '',
      path: url.pathname,
      route: rm?.name ?? null,
      wallet: null,
      status: 0,
      fault: null
    }
    if (body === null) {
      entry.status = 400
      record(entry)
      write(res, longError(400, 'edge', 'validation.error', 'Тело запроса слишком большое', arrived))
      return
    }
    if (!rm) {
      entry.status = 404
      record(entry)
      write(res, longError(404, 'edge', 'not.found', 'Метод не найден', arrived))
      return
    }
    const fault = takeFault(rm.name)
    entry.fault = fault?.kind ?? null
    if (fault?.kind === 'delay') await new Promise<void>((r) => setTimeout(r, fault.ms).unref())
    if (closed) return
    if (fault?.kind === 'hang') {
      hanging.add(res)
      res.on('close', () => hanging.delete(res))
      record(entry)
      return
    }
    if (fault?.kind === 'reset-before-processing') {
      record(entry)
      reset(req)
      return
    }
    if (fault?.kind === 'status') {
      entry.status = fault.status
      record(entry)
      write(
        res,
        fault.body !== undefined
          ? { status: fault.status, body: fault.body }
          : longError(fault.status, serviceOf(rm.name), 'internal.error', 'Внутренняя ошибка', arrived)
      )
      return
    }
    if (fault?.kind === 'blocked') {
      entry.status = 423
      record(entry)
      write(res, blockedResponse(arrived))
      return
    }
    const ctx: Ctx = { req, url, route: rm, body, nowMs: arrived, wallet: null }
    let out: EmuResponse
    try {
      out = route(ctx)
    } catch (e) {
      log.error(
        { err: e instanceof Error ? e.message : String(e), route: rm.name },
        'personal emulator handler failed'
      )
      out = longError(500, serviceOf(rm.name), 'internal.error', 'Внутренняя ошибка', arrived)
    }
    entry.wallet = ctx.wallet
    entry.status = out.status
    record(entry)
    if (fault?.kind === 'reset-after-processing') {
      reset(req)
      return
    }
    if (fault?.kind === 'truncate') {
      const b = Buffer.from(out.body ?? '', 'utf8')
      res.writeHead(out.status, {
        'Content-Type': 'application/json;charset=UTF-8',
        'Content-Length': String(b.length)
      })
      res.write(b.subarray(0, Math.floor(b.length / 2)), () => req.socket.destroy())
      return
    }
    if (fault?.kind === 'malformed') {
      write(res, { status: 200, body: '{"data":[{"txnId":' })
      return
    }
    write(res, out)
  }

  // ------------------------------------------------------------ admin

  const admin: PersonalEmulatorAdmin = {
    createWallet(o) {
      createWallet(o)
    },
    hasWallet: (wallet) => state.wallets[wallet] !== undefined,
    balance(wallet, currency) {
      const w = state.wallets[wallet]
      const cur = CURRENCY_BY_ALPHA[currency] ?? currency
      const a = w?.accounts.find((x) => x.currency === cur && x.hasBalance)
      return a ? a.kopecks : null
    },
    setBalance(wallet, currency, kopecks) {
      if (!Number.isSafeInteger(kopecks)) throw new Error('kopecks must be a safe integer')
      const w = getWallet(wallet)
      const cur = CURRENCY_BY_ALPHA[currency] ?? currency
      const a = w.accounts.find((x) => x.currency === cur && x.hasBalance)
      if (a) a.kopecks = kopecks
      else w.accounts.push(makeAccount(cur, kopecks, false))
      markDirty()
    },
    setCasPassword(wallet, password) {
      getWallet(wallet).casPassword = password
      markDirty()
    },
    createToken,
    revokeToken(token) {
      if (!Object.prototype.hasOwnProperty.call(state.tokens, token)) return false
      delete state.tokens[token]
      markDirty()
      return true
    },
    addHistoryItem(wallet, i) {
      const w = getWallet(wallet)
      if (!Number.isSafeInteger(i.amountKopecks) || i.amountKopecks < 0) {
        throw new Error('amountKopecks must be a non-negative safe integer')
      }
      const dateMs = Math.floor((i.date instanceof Date ? i.date.getTime() : i.date) / 1000) * 1000
      const currency = CURRENCY_BY_ALPHA[i.currency ?? ''] ?? i.currency ?? '643'
      const txnId = i.txnId ?? allocTxnId(state)
      insertHistory(w, {
        txnId,
        type: i.type,
        status: i.status ?? 'SUCCESS',
        errorCode: i.errorCode ?? 0,
        dateMs,
        waitingUntilMs: null,
        account: i.account ?? '+79990000000',
        currency,
        sumKopecks: i.amountKopecks,
        commissionKopecks: i.commissionKopecks ?? 0,
        providerId: i.providerId ?? 99,
        providerShortName: 'QIWI Кошелек',
        providerLongName: 'Перевод на QIWI Кошелек',
        source: i.source ?? SOURCE_BY_CURRENCY[currency] ?? 'QW_RUB',
        comment: i.comment ?? '',
        trmTxnId: i.trmTxnId ?? null,
        currencyRate: i.currencyRate ?? '1'
      })
      markDirty()
      return txnId
    },
    generateHistory(wallet, o) {
      const w = getWallet(wallet)
      const n = generateHistory(state, w, {
        count: o.count,
        seed: o.seed ?? seed,
        endMs: o.endMs ?? now(),
        spanDays: o.spanDays,
        conversionShare: o.conversionShare
      }).length
      markDirty()
      return n
    },
    history: (wallet) => getWallet(wallet).history.map((h) => ({ ...h })),
    injectFault(f) {
      const times = f.times ?? 1
      if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer')
      faults.push({ ...f, remaining: times })
    },
    clearFaults() {
      faults.length = 0
    },
    pendingFaults: () => faults.reduce((n, f) => n + f.remaining, 0),
    transfers(filter = {}) {
      return state.transfers
        .filter(
          (t) =>
            (filter.fromWallet === undefined || t.fromWallet === filter.fromWallet) &&
            (filter.clientId === undefined || t.clientId === filter.clientId)
        )
        .map((t) => ({ ...t }))
    },
    requestLog(filter = {}) {
      return requestLog
        .filter(
          (e) =>
            (filter.route === undefined || e.route === filter.route) &&
            (filter.wallet === undefined || e.wallet === filter.wallet)
        )
        .map((e) => ({ ...e }))
    },
    clearRequestLog() {
      requestLog.length = 0
    },
    maxRequestsInWindow(o) {
      const windowMs = o.windowMs ?? WINDOW_MS
      const times = requestLog
        .filter(
          (e) =>
            e.route !== null &&
            o.routes.includes(e.route) &&
            (o.wallet === undefined || e.wallet === o.wallet)
        )
        .map((e) => e.atMs)
        .sort((a, b) => a - b)
      let best = 0
      let lo = 0
      for (let hi = 0; hi < times.length; hi++) {
        while ((times[hi] ?? 0) - (times[lo] ?? 0) >= windowMs) lo++
        best = Math.max(best, hi - lo + 1)
      }
      return best
    },
    resetRateLimit(wallet) {
      if (wallet === undefined) rate.clear()
      else rate.delete(wallet)
    }
  }

  return {
    handle(req, res) {
      dispatch(req, res).catch((e: unknown) => {
        log.error({ err: e instanceof Error ? e.message : String(e) }, 'personal emulator dispatch failed')
        if (!res.headersSent && !res.destroyed) {
          write(res, longError(500, 'edge', 'internal.error', 'Внутренняя ошибка', now()))
        }
      })
    },
    admin,
    demo,
    flush,
    close() {
      if (closed) return
      closed = true
      flush()
      for (const r of hanging) r.destroy()
      hanging.clear()
    }
  }
}
