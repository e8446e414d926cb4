/**
 * The durable payout engine (docs/ENGINE.md): a payout entered at the desk reaches a
 * QIWI final status exactly once, whatever happens to the network, the server or
 * this process in between.
 *
 * Three rules carry the weight:
 * 1. Write ahead. The intent (number + every detail) commits before anything is
 *    sent; every request is preceded by a committed reservation (queued → sending
 *    for a pay, a claimed poll slot for a status). A crash can therefore lose a reply
 *    but never a payout, and never sends what the database does not know about.
 * 2. Only a valid final reply decides (status 60 / > 100). Unknown outcomes poll the
 *    status; "not registered" re-sends the identical pay; fatal errors and 215 pause
 *    the terminal. A re-sent pay always carries the stored number and details.
 * 3. Pacing is durable: the next status time is committed before the request, and a
 *    non-loopback endpoint is never polled more than once per 10 minutes per payout.
 *
 * better-sqlite3 is synchronous: every state change is one immediate transaction
 * (with its journal entries) between awaits, never across one.
 */
import { AppError, isAppError } from '../../../shared/errors'
import type { ErrorCode } from '../../../shared/errors'
import { formatAmount } from '../../../shared/money'
import { PayoutCreateInput } from '../../../shared/payouts'
import { normalizePhone } from '../../../shared/validation'
import type {
  AlertView,
  BalanceView,
  PayoutEventView,
  PayoutView,
  PrecheckView
} from '../../../shared/payouts'
import { ok } from '../../../shared/result'
import type { Result } from '../../../shared/result'
import type { Db } from '../db/connection'
import { createGroupCommitter } from '../db/group-commit'
import { isFinalState } from '../db/payout-state'
import { raiseAlert } from '../db/repositories/alerts.repository'
import { listBalances, upsertBalance } from '../db/repositories/balances.repository'
import {
  activePayoutsPage,
  claimPayout,
  dueSendWork,
  payoutsByTransactionNumber
} from '../db/repositories/engine-queries'
import { listEventsForPayout } from '../db/repositories/events.repository'
import {
  createIntent,
  dueForWork,
  getPayout,
  getPayoutByTransactionNumber,
  transition
} from '../db/repositories/payouts.repository'
import {
  getTerminal,
  listTerminals,
  pauseTerminal,
  resumeTerminal as resumeTerminalRow
} from '../db/repositories/terminals.repository'
import type {
  NewAlert,
  NewPayout,
  NewPayoutEvent,
  Payout,
  PayoutPatch,
  PayoutState,
  Terminal
} from '../db/types'
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import { createTopupClient } from '../topup/client'
import type { TopupClient } from '../topup/client'
import { describePaymentCode, describeRequestCode } from '../topup/codes'
import { buildPayRequest } from '../topup/request-builder'
import { DEFAULT_TOTAL_TIMEOUT_MS } from '../topup/transport'
import type { Balances, ExchangeRecord, PayOutcome, TopupEndpointConfig } from '../topup/types'
import { decidePayExchange, decidePrecheck, decisionFlags, notSentCause } from './decide'
import type { DecisionFlags, PayDecision } from './decide'
import { EXTRA, normalizePayoutInput, payDetailsOf } from './normalize'
import { countNotFound, minPollIntervalMs, pollAllowed, QIWI_MIN_POLL_MS, scheduleAfter } from './pacing'
import { DEFAULT_ENGINE_CONFIG } from './types'
import type {
  CheckUserView,
  BatchEntry,
  CreatePayoutOptions,
  RecordedBatchEntry,
  EngineConfig,
  EngineDeps,
  Lang,
  PayoutEngine,
  PreparedPayout,
  RunReport
} from './types'
import { isLowBalance, toAlertView, toBalanceView, toEventView, toPayoutView } from './view'

/** A terminal ready for one request: client built from credentials read just now. */
interface Conn {
  terminal: Terminal
  client: TopupClient
  endpoint: TopupEndpointConfig
  minPollMs: number
  leaseMs: number
}

type StepResult = 'continue' | 'stop'

/**
 * Keeps a sender window in entry order: a step waits for `before` (its predecessor has
 * queued its reservation, or gave up) before queuing its own, and calls `queued()` once
 * it has. Reservations of a window thus share a commit, and requests start in entry order.
 */
interface Turn {
  before: Promise<void>
  queued: () => void
}

const NO_TURN: Turn = { before: Promise.resolve(), queued: () => undefined }

/** Terminals we could not reach (or not authenticate to) recently: skipped until `until`, then probed. */
interface Backoff {
  until: number
  delayMs: number
  cause: 'offline' | 'tls' | 'config' | 'credential'
}

/** Intents per all-or-nothing unit when a batch is recorded. */
const BATCH_CHUNK = 250

const STORAGE_CODES: ReadonlySet<ErrorCode> = new Set([
  'storage',
  'storage-busy',
  'storage-readonly',
  'storage-full'
])

/** A terminal must have answered within this window, or the sender pings it before a pay. */
const CONTACT_WINDOW_MS = 60_000

function emptyReport(): RunReport {
  return { prechecks: 0, pays: 0, polls: 0, finalized: 0, recovered: 0 }
}

function asAppError(e: unknown): AppError {
  if (isAppError(e)) return e
  return new AppError('internal', e instanceof Error ? e.message : String(e))
}

function requestEvent(x: ExchangeRecord): NewPayoutEvent {
  return { kind: 'request', requestType: x.requestType, body: x.requestXmlRedacted }
}

function replyEvent(x: ExchangeRecord, classification: string, message: string | null): NewPayoutEvent {
  return {
    kind: 'reply',
    requestType: x.requestType,
    httpStatus: x.httpStatus ?? null,
    body: x.replyText ?? null,
    classification: classification.slice(0, 64),
    message: x.error ? `${x.error.kind}: ${x.error.message}` : message
  }
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await fn(item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}

export function createPayoutEngine(deps: EngineDeps): PayoutEngine {
  const db: Db = deps.db
  const cfg: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, ...(deps.config ?? {}) }
  const clock = deps.clock ?? { now: () => Date.now() }
  const random = deps.random ?? Math.random
  const log: Logger = deps.logger ?? nullLogger
  const lang: Lang = cfg.language

  /** Payouts with a request in flight in this process (never driven twice at once). */
  const inFlight = new Set<number>()
  /** Per-terminal sender lanes: one at a time, in entry order. */
  const lanes = new Map<string, Promise<unknown>>()
  const backoffs = new Map<string, Backoff>()
  const probes = new Map<string, Promise<boolean>>()
  const lastContact = new Map<string, number>()
  const lastPing = new Map<string, number>()
  let kickFn: (() => void) | null = null

  const now = (): number => clock.now()
  /**
   * Intents, reservations and outcomes queued in the same turn share one durable commit
   * (db/group-commit.ts); each still resolves only once it is on disk.
   */
  const commits = createGroupCommitter(db, {
    // Replies still in flight will bring their outcomes within milliseconds: let them
    // share the commit (never held longer than commitHoldMs).
    expectMore: () => inFlight.size > 0,
    maxHoldMs: cfg.commitHoldMs
  })

  // ---------------------------------------------------------------------------------------
  // notifications

  function safely(what: string, fn: () => void): void {
    try {
      fn()
    } catch (e) {
      log.warn({ err: e instanceof Error ? e.message : String(e) }, `${what} listener failed`)
    }
  }

  function viewOf(p: Payout): PayoutView {
    return toPayoutView(p, getTerminal(db, p.terminalRef), lang)
  }

  function changed(p: Payout): void {
    if (!deps.onChange) return
    const cb = deps.onChange
    safely('onChange', () => cb(viewOf(p)))
  }

  function alert(a: NewAlert): void {
    let view: AlertView
    try {
      view = toAlertView(raiseAlert(db, a, now()))
    } catch (e) {
      // The database itself may be what failed: the alert still reaches the operator.
      const t = now()
      log.error({ kind: a.kind, code: a.code, err: asAppError(e).code }, 'alert could not be stored')
      view = {
        id: 0,
        terminalRef: a.terminalRef ?? null,
        payoutId: a.payoutId ?? null,
        kind: a.kind,
        code: a.code ?? null,
        message: a.message,
        count: 1,
        createdAt: t,
        lastAt: t,
        acknowledgedAt: null
      }
    }
    if (deps.onAlert) {
      const cb = deps.onAlert
      safely('onAlert', () => cb(view))
    }
  }

  function storageTrouble(
    e: AppError,
    context: string,
    terminalRef: string | null,
    payoutId: number | null
  ): void {
    log.error({ code: e.code, context, payoutId }, 'storage error: nothing was sent')
    alert({
      kind: 'storage',
      code: e.code,
      terminalRef,
      payoutId,
      message:
        lang === 'ru'
          ? `Ошибка хранилища (${e.code}) при шаге «${context}»: ничего не отправлено. ${e.message}`
          : `Storage error (${e.code}) during "${context}": nothing was sent. ${e.message}`
    })
  }

  function isStorage(e: unknown): e is AppError {
    return isAppError(e) && STORAGE_CODES.has(e.code)
  }

  // ---------------------------------------------------------------------------------------
  // terminals: connection, reachability, pause

  async function connect(t: Terminal): Promise<Result<Conn>> {
    const ep = deps.resolveEndpoint(t)
    if (!ep.ok) return ep
    const creds = await deps.credentials.topupAuth(t)
    if (!creds.ok) return creds
    const ca = ep.value.ca ?? creds.value.serverCa ?? undefined
    const endpoint: TopupEndpointConfig = ca === undefined ? ep.value : { ...ep.value, ca }
    const client = createTopupClient({
      endpoint,
      auth: creds.value.auth,
      allowForeignCard: cfg.allowForeignCard,
      logger: log
    })
    if (!client.ok) return client
    return ok({
      terminal: t,
      client: client.value,
      endpoint,
      minPollMs: minPollIntervalMs(t, endpoint.origin, cfg.loopbackMinPollSeconds),
      leaseMs: (endpoint.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS) + cfg.leaseMarginMs
    })
  }

  /** The poll interval without credentials (recovery of dead reservations). */
  function minPollFor(t: Terminal): number {
    const ep = deps.resolveEndpoint(t)
    return ep.ok ? minPollIntervalMs(t, ep.value.origin, cfg.loopbackMinPollSeconds) : QIWI_MIN_POLL_MS
  }

  function setBackoff(t: Terminal, cause: Backoff['cause'], message: string): void {
    const prev = backoffs.get(t.id)
    const first = cfg.offlineRetrySeconds * 1000
    const delayMs = prev ? Math.min(prev.delayMs * 2, cfg.offlineRetryMaxSeconds * 1000) : first
    backoffs.set(t.id, { until: now() + delayMs, delayMs, cause })
    log.warn({ terminal: t.name, cause, retryInMs: delayMs }, 'terminal unreachable; its queue waits')
    if (cause !== 'offline') {
      alert({
        kind: 'other',
        code: cause === 'tls' ? 'tls-failure' : cause === 'credential' ? 'credential' : 'config',
        terminalRef: t.id,
        message
      })
    }
  }

  function connectTrouble(t: Terminal, e: { code: ErrorCode; message: string }): void {
    const cause: Backoff['cause'] = e.code === 'config' || e.code === 'forbidden' ? 'config' : 'credential'
    setBackoff(
      t,
      cause,
      lang === 'ru'
        ? `Терминал «${t.name}»: ${e.message} (${e.code}). Ничего не отправлено.`
        : `Terminal "${t.name}": ${e.message} (${e.code}). Nothing was sent.`
    )
  }

  function contact(t: Terminal): void {
    lastContact.set(t.id, now())
    backoffs.delete(t.id)
  }

  function pause(
    t: Terminal,
    code: string,
    reason: string,
    payoutId: number | null,
    duplicate: boolean
  ): void {
    try {
      const updated = pauseTerminal(db, t.id, reason, code, now())
      if (deps.onTerminalChange) {
        const cb = deps.onTerminalChange
        safely('onTerminalChange', () => cb(updated))
      }
    } catch (e) {
      log.error({ code: asAppError(e).code }, 'could not store the pause of a terminal')
    }
    alert({
      kind: duplicate ? 'duplicate-mismatch' : 'fatal',
      code,
      terminalRef: t.id,
      payoutId,
      message: reason
    })
  }

  function pauseReason(
    t: Terminal,
    flags: NonNullable<DecisionFlags['pause']>,
    outcome: PayOutcome | null
  ): string {
    if (flags.duplicateMismatch) {
      return lang === 'ru'
        ? `Терминал «${t.name}» приостановлен: код 215 — номер транзакции уже использован с другими реквизитами. Проверьте, не работает ли другая касса с этим терминалом и префиксом, затем возобновите очередь.`
        : `Terminal "${t.name}" paused: code 215 — the transaction-number was used with different details. Check that no other desk uses this terminal and prefix, then resume the queue.`
    }
    const n = Number(flags.code)
    const text = Number.isInteger(n) ? describeRequestCode(n)[lang] : (outcome?.requestMessage ?? flags.code)
    return lang === 'ru'
      ? `Терминал «${t.name}» приостановлен: фатальная ошибка ${flags.code} (${text}). Платежи не отклонены; после исправления возобновите очередь.`
      : `Terminal "${t.name}" paused: fatal error ${flags.code} (${text}). No payout was rejected; resume the queue once it is fixed.`
  }

  /**
   * Writes the balances a reply carried; a bad one is logged and skipped. Runs inside the
   * caller's transaction when there is one (the outcome's group commit).
   */
  function writeBalances(t: Terminal, balances: Balances): boolean {
    const entries = Object.entries(balances)
    if (entries.length === 0) return false
    let stored = false
    for (const [currency, amount] of entries) {
      try {
        upsertBalance(db, t.id, currency, amount, now())
        stored = true
      } catch (e) {
        const ae = asAppError(e)
        // A storage failure belongs to the surrounding transaction: let it abort it.
        if (STORAGE_CODES.has(ae.code) && db.inTransaction) throw ae
        log.warn({ code: ae.code, currency }, 'balance not stored')
      }
    }
    return stored
  }

  /** Balances seen in any reply: stored, pushed, checked against the low threshold. */
  function storeBalances(t: Terminal, balances: Balances): void {
    let stored: boolean
    try {
      stored = writeBalances(t, balances)
    } catch (e) {
      log.warn({ code: asAppError(e).code }, 'balances not stored')
      return
    }
    if (stored) announceBalances(t)
  }

  /** Pushes the terminal's stored balances and raises the low-balance alerts. */
  function announceBalances(t: Terminal): void {
    const views = listBalances(db, t.id).map((b) => toBalanceView(b, t))
    if (deps.onBalances) {
      const cb = deps.onBalances
      safely('onBalances', () => cb(views))
    }
    for (const b of listBalances(db, t.id)) {
      if (!isLowBalance(b, t) || t.lowBalanceKopecks === null) continue
      const limit = formatAmount(t.lowBalanceKopecks)
      alert({
        kind: 'low-balance',
        code: b.currency,
        terminalRef: t.id,
        message:
          lang === 'ru'
            ? `Баланс агента «${t.name}» ${b.amount} (валюта ${b.currency}) ниже порога ${limit}`
            : `Agent balance of "${t.name}" is ${b.amount} (currency ${b.currency}), below the threshold ${limit}`
      })
    }
  }

  /**
   * Whether the terminal's queue may send now. A terminal in backoff is probed with a
   * ping once its delay has passed; a terminal not heard from recently is pinged
   * before a pay, so payouts entered offline stay 'queued' (nothing sent) instead of
   * burning a reservation on a dead line.
   */
  async function reachable(t: Terminal, report: RunReport, requireContact: boolean): Promise<boolean> {
    const b = backoffs.get(t.id)
    if (b && b.until > now()) return false
    const seen = lastContact.get(t.id)
    if (!b && (!requireContact || (seen !== undefined && now() - seen < CONTACT_WINDOW_MS))) return true
    const running = probes.get(t.id)
    if (running) return running
    const probe = (async (): Promise<boolean> => {
      const c = await connect(t)
      if (!c.ok) {
        connectTrouble(t, c.error)
        return false
      }
      const r = await c.value.client.ping()
      if (!r.ok) {
        connectTrouble(t, r.error)
        return false
      }
      const cause = notSentCause(r.value.exchange)
      if (cause !== null) {
        setBackoff(t, cause, unreachableMessage(t, r.value.exchange))
        return false
      }
      contact(t)
      lastPing.set(t.id, now())
      const o = r.value.outcome
      if (o.ok) storeBalances(t, o.value.balances)
      else if (o.fatal && o.requestResultCode !== undefined) {
        pause(
          t,
          String(o.requestResultCode),
          pauseReason(t, { code: String(o.requestResultCode), duplicateMismatch: false }, null),
          null,
          false
        )
        return false
      }
      return true
    })()
    probes.set(t.id, probe)
    try {
      return await probe
    } finally {
      probes.delete(t.id)
    }
  }

  function unreachableMessage(t: Terminal, x: ExchangeRecord): string {
    const why = x.error ? `${x.error.kind}: ${x.error.message}` : 'no reply'
    return lang === 'ru'
      ? `Терминал «${t.name}»: сервер недоступен (${why}); ничего не отправлено, очередь ждёт.`
      : `Terminal "${t.name}": endpoint unreachable (${why}); nothing was sent, the queue waits.`
  }

  // ---------------------------------------------------------------------------------------
  // reply → patch

  function outcomeError(
    service: Payout['service'],
    o: PayOutcome,
    x: ExchangeRecord
  ): { code: ErrorCode; message: string } | null {
    if (x.error) {
      const map: Record<string, ErrorCode> = {
        timeout: 'timeout',
        'connect-timeout': 'timeout',
        tls: 'tls-failure',
        'pin-mismatch': 'tls-failure',
        'too-large': 'response-too-large',
        incomplete: 'network-failure',
        network: 'network-failure'
      }
      return { code: map[x.error.kind] ?? 'network-failure', message: x.error.message }
    }
    switch (o.kind) {
      case 'final-success':
      case 'not-final':
        return null
      case 'final-failure':
        return {
          code: 'qiwi-error',
          message:
            o.resultCode !== undefined
              ? describePaymentCode(service, o.resultCode)[lang]
              : (o.message ?? 'failed')
        }
      case 'not-registered':
      case 'not-found':
        return null
      case 'unknown':
        break
    }
    switch (o.reason) {
      case 'http-status':
        return { code: 'http-status', message: o.requestMessage ?? 'HTTP error' }
      case 'request-error': {
        const c = o.requestResultCode ?? 0
        return {
          code: o.fatal ? 'qiwi-fatal' : 'qiwi-error',
          message: `${c}: ${o.requestMessage ?? describeRequestCode(c)[lang]}`
        }
      }
      case 'duplicate-mismatch':
        return { code: 'qiwi-duplicate-mismatch', message: describePaymentCode(service, 215)[lang] }
      case 'too-large':
        return { code: 'response-too-large', message: 'reply too large' }
      case 'empty-body':
      case 'xml-invalid':
      case 'xml-rejected':
      case 'incomplete':
        return { code: 'xml-invalid', message: `reply unusable (${o.reason})` }
      default:
        return { code: 'protocol-error', message: `reply unusable (${o.reason})` }
    }
  }

  /** Fields a reply about OUR payment may set; nothing from a reply about another number. */
  function replyPatch(p: Payout, o: PayOutcome): PayoutPatch {
    const about =
      o.kind === 'final-success' ||
      o.kind === 'final-failure' ||
      o.kind === 'not-final' ||
      o.kind === 'not-registered'
    if (!about || o.transactionNumber !== p.transactionNumber) return {}
    const patch: PayoutPatch = {}
    const seenRegistered = p.qiwiStatus !== null && p.qiwiStatus !== '-1'
    // Rule 9 needs to remember that a status other than -1 was ever seen: -1 never overwrites it.
    if (o.status !== undefined && !(o.status === -1 && seenRegistered)) patch.qiwiStatus = String(o.status)
    if (o.resultCode !== undefined) patch.resultCode = String(o.resultCode)
    if (o.txnId !== undefined && o.txnId !== '') patch.txnId = o.txnId
    if (o.txnDate !== undefined && o.txnDate !== '') patch.txnDate = o.txnDate
    return patch
  }

  /**
   * Commits what an exchange taught us, as one transition from the state we left the
   * payout in (`from`). If another process moved it meanwhile (a dead-reservation
   * recovery racing a slow reply), the reply is re-applied to the current state: a
   * final reply is final whatever the local state says.
   */
  function commitResult(
    claimed: Payout,
    from: PayoutState,
    build: (cur: Payout) => { to: PayoutState; patch: PayoutPatch; events: NewPayoutEvent[] }
  ): Payout | null {
    let cur = claimed
    let state = from
    for (let attempt = 0; attempt < 3; attempt++) {
      const { to, patch, events } = build(cur)
      try {
        return transition(db, cur.id, state, to, patch, events, now())
      } catch (e) {
        const ae = asAppError(e)
        if (ae.code !== 'conflict') throw ae
        const fresh = getPayout(db, cur.id)
        if (!fresh || isFinalState(fresh.state)) return fresh
        cur = fresh
        state = fresh.state
      }
    }
    return null
  }

  function decisionNote(d: PayDecision, mode: 'pay' | 'status'): string | null {
    switch (d.kind) {
      case 'final':
        return d.state === 'succeeded' ? 'final: succeeded (status 60)' : 'final: failed (status > 100)'
      case 'poll':
        return mode === 'pay' ? 'outcome not final or unknown: status polling' : null
      case 'repay':
        return 'not registered (-1 / empty txn_id): the identical pay will be re-sent'
      case 'not-found':
        return null
      case 'not-sent':
        return `nothing was sent (${d.cause}): the same request will be repeated`
    }
  }

  /**
   * Applies a classified pay/status exchange to the payout: the outcome, its journal and
   * the balances the reply carried are one unit of a group commit.
   */
  async function applyExchange(
    t: Terminal,
    conn: Conn,
    claimed: Payout,
    mode: 'pay' | 'status',
    outcome: PayOutcome,
    exchange: ExchangeRecord,
    report: RunReport
  ): Promise<{ payout: Payout | null; decision: PayDecision; flags: DecisionFlags }> {
    const seenRegistered = claimed.qiwiStatus !== null && claimed.qiwiStatus !== '-1'
    const decision = decidePayExchange(outcome, exchange, { mode, seenRegistered })
    const flags = decisionFlags(outcome)
    const from: PayoutState = mode === 'pay' ? 'sending' : 'waiting'
    const errInfo = outcomeError(claimed.service, outcome, exchange)
    const classification = `${outcome.kind}:${outcome.reason}`
    let d6 = false

    let balancesStored = false
    const payout = await commits.run(() => {
      const out = commitResult(claimed, from, buildOutcome)
      balancesStored = writeBalances(t, outcome.balances)
      return out
    })
    function buildOutcome(cur: Payout): { to: PayoutState; patch: PayoutPatch; events: NewPayoutEvent[] } {
      const n = now()
      const patch: PayoutPatch = {
        ...replyPatch(cur, outcome),
        errorCode: errInfo?.code ?? null,
        errorMessage: errInfo?.message ?? null,
        fatal: flags.pause !== null
      }
      const foundPayment =
        outcome.kind !== 'unknown' && outcome.kind !== 'not-found' && decision.kind !== 'not-sent'
      if (foundPayment) patch.notFoundCount = 0
      let to: PayoutState = 'waiting'
      switch (decision.kind) {
        case 'final':
          to = decision.state
          break
        case 'poll':
          patch.nextAction = 'status'
          // A pay reply starts the pacing clock; a status request already reserved its slot.
          if (mode === 'pay' || cur.nextAction !== 'status') {
            patch.nextCheckAt = scheduleAfter(n, conn.minPollMs, cfg.jitterFraction, random)
          }
          break
        case 'repay':
          patch.nextAction = 'pay'
          patch.nextCheckAt = scheduleAfter(n, conn.minPollMs, cfg.jitterFraction, random)
          break
        case 'not-found': {
          const c = countNotFound(
            { count: cur.notFoundCount, lastAt: cur.lastNotFoundAt },
            n,
            conn.minPollMs,
            cfg.notFoundResendThreshold
          )
          patch.notFoundCount = c.count
          patch.lastNotFoundAt = c.lastAt
          if (c.resend) {
            d6 = true
            patch.nextAction = 'pay'
            patch.nextCheckAt = n
          } else {
            patch.nextAction = 'status'
          }
          break
        }
        case 'not-sent':
          // Nothing left this machine: the same action again once the terminal answers.
          patch.nextAction = mode === 'pay' ? 'pay' : 'status'
          if (mode === 'pay') patch.nextCheckAt = n
          break
      }
      if (cur.state === 'sending' && to === 'waiting' && patch.nextCheckAt === undefined) {
        patch.nextCheckAt = scheduleAfter(n, conn.minPollMs, cfg.jitterFraction, random)
      }
      const events: NewPayoutEvent[] = [
        requestEvent(exchange),
        replyEvent(exchange, classification, outcome.requestMessage ?? outcome.message ?? null)
      ]
      const note = d6
        ? `D6: ${cfg.notFoundResendThreshold} consecutive "not found" status replies; re-sending the identical pay (same number and details)`
        : decisionNote(decision, mode)
      if (note !== null) events.push({ kind: 'state', message: note })
      return { to, patch, events }
    }

    if (payout) {
      changed(payout)
      if (isFinalState(payout.state)) report.finalized += 1
    }
    if (notSentCause(exchange) === null) contact(t)
    if (balancesStored) announceBalances(t)
    if (d6) {
      alert({
        kind: 'not-found',
        code: 'D6',
        terminalRef: t.id,
        payoutId: claimed.id,
        message:
          lang === 'ru'
            ? `Платёж ${claimed.transactionNumber}: QIWI ${cfg.notFoundResendThreshold} раза не нашла платёж; повторно отправлен тот же запрос pay (тот же номер и реквизиты).`
            : `Payout ${claimed.transactionNumber}: QIWI did not find it ${cfg.notFoundResendThreshold} times; the identical pay (same number and details) is re-sent.`
      })
    }
    if (flags.pause) {
      pause(
        t,
        flags.pause.code,
        pauseReason(t, flags.pause, outcome),
        claimed.id,
        flags.pause.duplicateMismatch
      )
    }
    if (flags.manualReview) {
      alert({
        kind: 'manual-review',
        code: outcome.status !== undefined ? String(outcome.status) : null,
        terminalRef: t.id,
        payoutId: claimed.id,
        message:
          lang === 'ru'
            ? `Платёж ${claimed.transactionNumber}: недокументированный финальный статус ${String(outcome.status)}; опрос продолжается, нужна ручная проверка.`
            : `Payout ${claimed.transactionNumber}: undocumented final status ${String(outcome.status)}; polling continues, manual review needed.`
      })
    }
    if (decision.kind === 'not-sent') setBackoff(t, decision.cause, unreachableMessage(t, exchange))
    return { payout, decision, flags }
  }

  // ---------------------------------------------------------------------------------------
  // steps

  async function precheckStep(p: Payout, report: RunReport, turn: Turn = NO_TURN): Promise<StepResult> {
    const t = getTerminal(db, p.terminalRef)
    if (!t || t.paused) return 'stop'
    const c = await connect(t)
    if (!c.ok) {
      connectTrouble(t, c.error)
      return 'stop'
    }
    const conn = c.value
    let claimed: Payout | null
    await turn.before
    try {
      claimed = claimPayout(
        db,
        p.id,
        { state: 'queued', nextAction: 'precheck', nextCheckAt: p.nextCheckAt },
        'queued',
        { nextCheckAt: now() + conn.leaseMs },
        [],
        now()
      )
    } catch (e) {
      if (isStorage(e)) {
        storageTrouble(e, 'check reservation', t.id, p.id)
        return 'stop'
      }
      throw e
    }
    // The turn passes on only once this payout's pay is queued (or it ends otherwise), so
    // pays keep entry order even when some payouts need a pre-check first.
    if (!claimed) return 'continue'
    inFlight.add(p.id)
    let res: Awaited<ReturnType<TopupClient['checkDeposit']>>
    try {
      res = await conn.client.checkDeposit({
        phone: p.account,
        incomeWireTransfer: p.extras[EXTRA.incomeWireTransfer] === '1'
      })
    } finally {
      inFlight.delete(p.id)
    }
    report.prechecks += 1
    if (!res.ok) {
      // The request could not even be built: nothing was sent, a local decline is allowed.
      const out = transition(
        db,
        p.id,
        'queued',
        'declined',
        { errorCode: res.error.code, errorMessage: res.error.message },
        { kind: 'error', requestType: 'check-deposit-possible', message: res.error.message },
        now()
      )
      changed(out)
      report.finalized += 1
      return 'continue'
    }
    const { outcome, exchange } = res.value
    const decision = decidePrecheck(outcome, exchange, t.precheckAbsentWalletPolicy)
    const events: NewPayoutEvent[] = [
      requestEvent(exchange),
      replyEvent(exchange, `${outcome.kind}:${outcome.reason}`, outcome.requestMessage ?? null)
    ]
    const n = now()
    let out: Payout
    let result: StepResult = 'continue'
    const code = outcome.requestResultCode
    switch (decision.kind) {
      case 'pay':
        events.push({ kind: 'state', message: 'check-deposit-possible: payment possible' })
        out = transition(
          db,
          p.id,
          'queued',
          'queued',
          { nextAction: 'pay', nextCheckAt: n, errorCode: null, errorMessage: null },
          events,
          n
        )
        break
      case 'decline': {
        const why =
          decision.reason === 'wallet-absent'
            ? lang === 'ru'
              ? 'Кошелёк не существует; политика терминала — отклонять'
              : 'The wallet does not exist; the terminal policy is to decline'
            : code !== undefined && code !== 0
              ? `${code}: ${outcome.requestMessage ?? describeRequestCode(code)[lang]}`
              : lang === 'ru'
                ? 'QIWI: пополнение этого кошелька невозможно'
                : 'QIWI: this wallet cannot be topped up'
        events.push({ kind: 'state', message: `declined before pay (nothing sent): ${why}` })
        out = transition(
          db,
          p.id,
          'queued',
          'declined',
          {
            errorCode: decision.reason === 'wallet-absent' ? 'unknown-wallet' : 'qiwi-error',
            errorMessage: why,
            resultCode: decision.code === null ? null : String(decision.code)
          },
          events,
          n
        )
        report.finalized += 1
        break
      }
      case 'retry':
        // Nothing sent: due again at once, the terminal's backoff decides when.
        out = transition(
          db,
          p.id,
          'queued',
          'queued',
          { nextCheckAt: decision.notSent !== null ? n : n + cfg.precheckRetrySeconds * 1000 },
          events,
          n
        )
        if (decision.notSent !== null) {
          setBackoff(t, decision.notSent, unreachableMessage(t, exchange))
          result = 'stop'
        }
        break
      case 'pause':
        out = transition(
          db,
          p.id,
          'queued',
          'queued',
          { nextCheckAt: n + cfg.precheckRetrySeconds * 1000 },
          events,
          n
        )
        pause(
          t,
          decision.code,
          pauseReason(t, { code: decision.code, duplicateMismatch: false }, null),
          p.id,
          false
        )
        result = 'stop'
        break
    }
    if (notSentCause(exchange) === null) contact(t)
    changed(out)
    if (decision.kind === 'pay') return sendStep(out, report, turn)
    return result
  }

  async function payStep(p: Payout, report: RunReport, turn: Turn = NO_TURN): Promise<StepResult> {
    const t = getTerminal(db, p.terminalRef)
    if (!t || t.paused) return 'stop'
    const c = await connect(t)
    if (!c.ok) {
      connectTrouble(t, c.error)
      return 'stop'
    }
    const conn = c.value
    const details = payDetailsOf(p)
    // Nothing is reserved for a pay that cannot be built (it would never leave 'sending').
    const check = buildPayRequest({ terminalId: t.terminalId }, details, {
      allowForeignCard: cfg.allowForeignCard
    })
    if (!check.ok) {
      if (p.state === 'queued') {
        const out = transition(
          db,
          p.id,
          'queued',
          'declined',
          { errorCode: check.error.code, errorMessage: check.error.message },
          { kind: 'error', requestType: 'pay', message: `not sent: ${check.error.message}` },
          now()
        )
        changed(out)
        report.finalized += 1
        return 'continue'
      }
      alert({
        kind: 'manual-review',
        code: check.error.code,
        terminalRef: t.id,
        payoutId: p.id,
        message: check.error.message
      })
      const out = transition(
        db,
        p.id,
        p.state,
        'waiting',
        {
          nextAction: 'status',
          nextCheckAt: scheduleAfter(now(), conn.minPollMs, cfg.jitterFraction, random)
        },
        { kind: 'error', message: check.error.message },
        now()
      )
      changed(out)
      return 'continue'
    }
    await turn.before
    const n = now()
    let claimed: Payout
    try {
      // The reservation: committed BEFORE the first byte. After this point the payout can
      // only end through a QIWI final status.
      const reserved = commits.run(() =>
        transition(
          db,
          p.id,
          p.state,
          'sending',
          { nextAction: 'pay', attempts: p.attempts + 1, nextCheckAt: n + conn.leaseMs },
          { kind: 'state', requestType: 'pay', message: `pay about to be sent (attempt ${p.attempts + 1})` },
          n
        )
      )
      turn.queued()
      claimed = await reserved
    } catch (e) {
      const ae = asAppError(e)
      if (STORAGE_CODES.has(ae.code)) {
        storageTrouble(ae, 'pay reservation', t.id, p.id)
        return 'stop'
      }
      if (ae.code === 'conflict' || ae.code === 'payout-final') return 'continue'
      throw ae
    }
    changed(claimed)
    inFlight.add(p.id)
    let res: Awaited<ReturnType<TopupClient['pay']>>
    try {
      res = await conn.client.pay(details)
    } finally {
      inFlight.delete(p.id)
    }
    report.pays += 1
    if (!res.ok) {
      // Refused locally (e.g. credential text the builder rejects): nothing was sent.
      const out = commitResult(claimed, 'sending', () => ({
        to: 'waiting',
        patch: {
          nextAction: 'pay',
          nextCheckAt: now(),
          errorCode: res.error.code,
          errorMessage: res.error.message
        },
        events: [{ kind: 'error', requestType: 'pay', message: `not sent: ${res.error.message}` }]
      }))
      if (out) changed(out)
      connectTrouble(t, res.error)
      return 'stop'
    }
    const r = await applyExchange(t, conn, claimed, 'pay', res.value.outcome, res.value.exchange, report)
    if (r.decision.kind === 'not-sent' || r.flags.pause) return 'stop'
    return 'continue'
  }

  function sendStep(p: Payout, report: RunReport, turn: Turn = NO_TURN): Promise<StepResult> {
    if (p.state === 'queued' && p.nextAction === 'precheck') return precheckStep(p, report, turn)
    return payStep(p, report, turn)
  }

  async function pollStep(p: Payout, report: RunReport): Promise<void> {
    const t = getTerminal(db, p.terminalRef)
    if (!t || t.paused || inFlight.has(p.id)) return
    if (!(await reachable(t, report, false))) return
    const c = await connect(t)
    if (!c.ok) {
      connectTrouble(t, c.error)
      return
    }
    const conn = c.value
    const n = now()
    const expect = {
      state: p.state,
      nextAction: p.nextAction,
      nextCheckAt: p.nextCheckAt,
      lastStatusRequestAt: p.lastStatusRequestAt
    }
    if (!pollAllowed(p.lastStatusRequestAt, n, conn.minPollMs)) {
      // The hard floor holds whatever next_check_at says (another desk version, a clock jump).
      await commits.run(() =>
        claimPayout(
          db,
          p.id,
          expect,
          'waiting',
          {
            nextCheckAt: scheduleAfter(p.lastStatusRequestAt ?? n, conn.minPollMs, cfg.jitterFraction, random)
          },
          [],
          n
        )
      )
      return
    }
    let claimed: Payout | null
    try {
      claimed = await commits.run(() =>
        claimPayout(
          db,
          p.id,
          expect,
          'waiting',
          {
            lastStatusRequestAt: n,
            nextCheckAt: scheduleAfter(n, conn.minPollMs, cfg.jitterFraction, random)
          },
          [],
          n
        )
      )
    } catch (e) {
      if (isStorage(e)) {
        storageTrouble(e, 'status reservation', t.id, p.id)
        return
      }
      throw e
    }
    if (!claimed) return
    inFlight.add(p.id)
    let res: Awaited<ReturnType<TopupClient['status']>>
    try {
      res = await conn.client.status({ transactionNumber: p.transactionNumber, accountNumber: p.account })
    } finally {
      inFlight.delete(p.id)
    }
    report.polls += 1
    if (!res.ok) {
      log.error({ payoutId: p.id, code: res.error.code }, 'status request could not be built')
      connectTrouble(t, res.error)
      return
    }
    await applyExchange(t, conn, claimed, 'status', res.value.outcome, res.value.exchange, report)
  }

  /** A 'sending' reservation whose lease ran out belongs to a dead process: outcome unknown → status. */
  function recoverStep(p: Payout, report: RunReport): void {
    if (inFlight.has(p.id)) return
    const t = getTerminal(db, p.terminalRef)
    if (!t) return
    const n = now()
    const nextCheckAt = Math.max(n, scheduleAfter(p.updatedAt, minPollFor(t), cfg.jitterFraction, random))
    try {
      const out = claimPayout(
        db,
        p.id,
        { state: 'sending', nextAction: p.nextAction, nextCheckAt: p.nextCheckAt },
        'waiting',
        { nextAction: 'status', nextCheckAt },
        {
          kind: 'state',
          message:
            'reservation expired (the process died during the pay): outcome unknown, polling the status'
        },
        n
      )
      if (out) {
        report.recovered += 1
        changed(out)
      }
    } catch (e) {
      if (isStorage(e)) storageTrouble(e, 'recovery', t.id, p.id)
      else throw e
    }
  }

  // ---------------------------------------------------------------------------------------
  // lanes and passes

  function withLane<T>(terminalRef: string, fn: () => Promise<T>): Promise<T> {
    const prev = lanes.get(terminalRef) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const tail = next.catch(() => undefined)
    lanes.set(terminalRef, tail)
    void tail.then(() => {
      if (lanes.get(terminalRef) === tail) lanes.delete(terminalRef)
    })
    return next
  }

  /**
   * Sends the terminal's due pre-checks and pays in entry order, up to
   * `cfg.sendConcurrency` at once (their reservations share a commit); stops starting new
   * ones at the first sign of trouble and lets those in flight finish.
   */
  function runLane(terminalRef: string, report: RunReport, maxEntrySeq?: number): Promise<void> {
    const width = Math.max(1, Math.floor(cfg.sendConcurrency))
    return withLane(terminalRef, async () => {
      for (let round = 0; round < 10; round++) {
        const t = getTerminal(db, terminalRef)
        if (!t || t.paused) return
        const items = dueSendWork(db, terminalRef, now(), cfg.batchLimit, maxEntrySeq)
        if (items.length === 0) return
        if (!(await reachable(t, report, true))) return
        let stop = false
        const running = new Set<Promise<void>>()
        let previous: Promise<void> = Promise.resolve()
        for (const p of items) {
          if (stop) break
          if (inFlight.has(p.id)) continue
          const fresh = getPayout(db, p.id)
          if (
            !fresh ||
            isFinalState(fresh.state) ||
            fresh.nextAction === 'status' ||
            fresh.state === 'sending'
          ) {
            continue
          }
          if (fresh.nextCheckAt === null || fresh.nextCheckAt > now()) continue
          let markQueued: () => void = () => undefined
          const queued = new Promise<void>((resolve) => (markQueued = resolve))
          const turn: Turn = { before: previous, queued: markQueued }
          previous = queued
          const task = (async (): Promise<void> => {
            try {
              if ((await sendStep(fresh, report, turn)) === 'stop') stop = true
            } catch (e) {
              stop = true
              const ae = asAppError(e)
              if (STORAGE_CODES.has(ae.code)) storageTrouble(ae, 'send', terminalRef, p.id)
              else log.error({ payoutId: p.id, code: ae.code, err: ae.message }, 'send step failed')
            } finally {
              markQueued()
            }
          })()
          running.add(task)
          void task.then(() => running.delete(task))
          if (running.size >= width) await Promise.race(running)
        }
        await Promise.all(running)
        if (stop) return
      }
    })
  }

  async function runOnce(): Promise<RunReport> {
    const report = emptyReport()
    const n = now()
    let due: Payout[]
    try {
      due = dueForWork(db, n, cfg.batchLimit)
    } catch (e) {
      if (isStorage(e)) {
        storageTrouble(e, 'read queue', null, null)
        return report
      }
      throw e
    }
    for (const p of due) if (p.state === 'sending') recoverStep(p, report)
    const sendTerminals = new Set<string>()
    const polls: Payout[] = []
    for (const p of due) {
      if (p.state === 'queued' || (p.state === 'waiting' && p.nextAction === 'pay')) {
        sendTerminals.add(p.terminalRef)
      } else if (p.state === 'waiting' && p.nextAction === 'status') polls.push(p)
    }
    await Promise.all([
      ...[...sendTerminals].map((ref) => runLane(ref, report)),
      pool(polls, cfg.pollConcurrency, async (p) => {
        try {
          await pollStep(p, report)
        } catch (e) {
          const ae = asAppError(e)
          if (STORAGE_CODES.has(ae.code)) storageTrouble(ae, 'status', p.terminalRef, p.id)
          else log.error({ payoutId: p.id, code: ae.code, err: ae.message }, 'status step failed')
        }
      })
    ])
    return report
  }

  async function processPayout(id: number): Promise<PayoutView | null> {
    const p = getPayout(db, id)
    if (!p) return null
    if (isFinalState(p.state)) return viewOf(p)
    const t = getTerminal(db, p.terminalRef)
    if (!t || t.paused) return viewOf(p)
    const report = emptyReport()
    if (p.state === 'sending' && p.nextCheckAt !== null && p.nextCheckAt <= now()) recoverStep(p, report)
    const cur = getPayout(db, id)
    if (!cur) return null
    if (cur.state === 'queued' || (cur.state === 'waiting' && cur.nextAction === 'pay')) {
      await runLane(cur.terminalRef, report, cur.entrySeq)
    } else if (
      cur.state === 'waiting' &&
      cur.nextAction === 'status' &&
      cur.nextCheckAt !== null &&
      cur.nextCheckAt <= now()
    ) {
      await pollStep(cur, report)
    }
    const out = getPayout(db, id)
    return out ? viewOf(out) : null
  }

  // ---------------------------------------------------------------------------------------
  // entry

  function terminalOrThrow(ref: string): Terminal {
    const t = getTerminal(db, ref)
    if (!t) throw new AppError('unknown-terminal', `no terminal with id ${ref}`, { terminalRef: ref })
    return t
  }

  async function preparePayout(raw: PayoutCreateInput): Promise<PreparedPayout> {
    const parsed = PayoutCreateInput.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const field = issue ? issue.path.map(String).join('.') : 'input'
      throw new AppError('invalid-input', `${field}: ${issue?.message ?? 'invalid'}`, { field })
    }
    const input = parsed.data
    const t = terminalOrThrow(input.terminalRef)
    if (!t.servicesAllowed.includes(input.service)) {
      throw new AppError(
        'service-not-allowed',
        `service ${input.service} is not enabled for terminal "${t.name}"`,
        {
          service: input.service
        }
      )
    }
    const n = normalizePayoutInput({
      service: input.service,
      account: input.account,
      amount: input.amount,
      comment: input.comment,
      bankId: input.bankId,
      cardNumber: input.cardNumber,
      incomeWireTransfer: input.incomeWireTransfer,
      precheck: input.precheck
    })
    const extras = { ...n.extras }
    if (n.needsProvider) {
      // account0 of a mobile payout names the operator: part of the details, so it is
      // looked up before the intent (which makes mobile entry need the endpoint).
      const c = await connect(t)
      if (!c.ok) throw new AppError(c.error.code, c.error.message)
      const r = await c.value.client.getProvider({ phoneNumber: n.needsProvider.phoneWithoutCountry })
      if (!r.ok) throw new AppError(r.error.code, r.error.message)
      const o = r.value.outcome
      if (!o.ok) {
        throw new AppError(
          o.reason === 'request-error' ? 'qiwi-error' : 'network-failure',
          `the mobile operator of this phone could not be determined (${o.reason}${o.requestResultCode !== undefined ? ` ${o.requestResultCode}` : ''}); nothing was recorded`
        )
      }
      extras[EXTRA.providerId] = o.value.providerId
    }
    return {
      terminal: t,
      service: n.service,
      account: n.account,
      accountDisplay: n.accountDisplay,
      amountKopecks: n.amountKopecks,
      comment: n.comment,
      extras,
      precheck: n.precheck
    }
  }

  function intentOf(prepared: PreparedPayout, batchKey: string | null): NewPayout {
    return {
      terminalRef: prepared.terminal.id,
      service: prepared.service,
      account: prepared.account,
      accountDisplay: prepared.accountDisplay,
      amountKopecks: prepared.amountKopecks,
      currency: 'RUB',
      comment: prepared.comment,
      extras: prepared.extras,
      precheck: prepared.precheck,
      batchKey
    }
  }

  /**
   * Records many prepared payouts (a batch file): intents in chunks of BATCH_CHUNK, each
   * chunk one all-or-nothing unit of a group commit, every chunk durable before anything
   * of the batch is sent (a started engine is kicked once, at the end).
   */
  async function recordBatch(entries: readonly BatchEntry[]): Promise<RecordedBatchEntry[]> {
    const out: RecordedBatchEntry[] = []
    for (let i = 0; i < entries.length; i += BATCH_CHUNK) {
      const chunk = entries.slice(i, i + BATCH_CHUNK)
      let results: ReturnType<typeof createIntent>[]
      try {
        results = await commits.run(() =>
          chunk.map((e) =>
            createIntent(db, intentOf(e.prepared, e.batchKey ?? null), e.clientRequestId, now())
          )
        )
      } catch (e) {
        const ae = asAppError(e)
        if (STORAGE_CODES.has(ae.code)) {
          storageTrouble(ae, 'record intent', chunk[0]?.prepared.terminal.id ?? null, null)
        }
        throw ae
      }
      for (const r of results) {
        if (r.created) changed(r.payout)
        out.push({ view: viewOf(r.payout), created: r.created })
      }
    }
    if (entries.length > 0) kickFn?.()
    return out
  }

  async function recordPrepared(
    prepared: PreparedPayout,
    clientRequestId: string,
    opts: CreatePayoutOptions = {}
  ): Promise<PayoutView> {
    // crash-harness mutation point: send-before-persist (docs/CRASH-HARNESS.md; nothing here in a real build)
    let id: number
    try {
      const created = await commits.run(
        () => createIntent(db, intentOf(prepared, opts.batchKey ?? null), clientRequestId, now()),
        { urgent: true }
      )
      id = created.payout.id
      if (created.created) changed(created.payout)
    } catch (e) {
      const ae = asAppError(e)
      if (STORAGE_CODES.has(ae.code)) storageTrouble(ae, 'record intent', prepared.terminal.id, null)
      throw ae
    }
    if (opts.awaitSend === true) {
      const v = await processPayout(id)
      if (v) return v
    } else {
      kickFn?.()
    }
    const p = getPayout(db, id)
    if (!p) throw new AppError('internal', `payout ${id} vanished`)
    return viewOf(p)
  }

  async function createPayout(input: PayoutCreateInput, opts: CreatePayoutOptions = {}): Promise<PayoutView> {
    const prepared = await preparePayout(input)
    return recordPrepared(prepared, input.clientRequestId, opts)
  }

  async function precheck(input: {
    terminalRef: string
    service: Payout['service']
    account: string
    amount: string
    incomeWireTransfer?: boolean | undefined
  }): Promise<PrecheckView> {
    const t = terminalOrThrow(input.terminalRef)
    const base = { absentPolicy: t.precheckAbsentWalletPolicy }
    if (input.service !== 'wallet') {
      return { ...base, kind: 'not-applicable', exist: null, depositPossible: null, message: null }
    }
    const n = normalizePayoutInput({
      service: 'wallet',
      account: input.account,
      amount: input.amount,
      incomeWireTransfer: input.incomeWireTransfer
    })
    const c = await connect(t)
    if (!c.ok) throw new AppError(c.error.code, c.error.message)
    const r = await c.value.client.checkDeposit({
      phone: n.account,
      incomeWireTransfer: input.incomeWireTransfer === true
    })
    if (!r.ok) throw new AppError(r.error.code, r.error.message)
    const { outcome, exchange } = r.value
    if (notSentCause(exchange) === null) contact(t)
    const code = outcome.requestResultCode
    const message =
      code !== undefined && code !== 0
        ? `${code}: ${outcome.requestMessage ?? describeRequestCode(code)[lang]}`
        : exchange.error
          ? exchange.error.message
          : null
    const common = {
      ...base,
      exist: outcome.exist ?? null,
      depositPossible: outcome.depositPossible ?? null,
      message
    }
    switch (outcome.kind) {
      case 'possible':
        return { ...common, kind: outcome.exist === false ? 'absent' : 'possible' }
      case 'impossible':
        return { ...common, kind: 'impossible' }
      case 'retry':
        return { ...common, kind: 'retry' }
    }
  }

  async function checkUser(terminalRef: string, phoneInput: string): Promise<CheckUserView> {
    const t = terminalOrThrow(terminalRef)
    const phone = normalizePhone(phoneInput)
    if (!phone.ok) {
      throw new AppError('invalid-phone', `not a valid phone number (${phone.reason})`, {
        field: 'phone',
        reason: phone.reason
      })
    }
    const n = { account: phone.value }
    const c = await connect(t)
    if (!c.ok) throw new AppError(c.error.code, c.error.message)
    const r = await c.value.client.checkUser({ phone: n.account })
    if (!r.ok) throw new AppError(r.error.code, r.error.message)
    const o = r.value.outcome
    if (notSentCause(r.value.exchange) === null) contact(t)
    if (o.ok) {
      return {
        terminal: t.name,
        phone: n.account,
        exist: o.value.exist,
        ok: true,
        message: null,
        resultCode: '0'
      }
    }
    const code = o.requestResultCode
    return {
      terminal: t.name,
      phone: n.account,
      exist: null,
      ok: false,
      message:
        code !== undefined
          ? `${code}: ${o.requestMessage ?? describeRequestCode(code)[lang]}`
          : (r.value.exchange.error?.message ?? o.reason),
      resultCode: code !== undefined ? String(code) : null
    }
  }

  async function refreshBalance(terminalRef: string): Promise<BalanceView[]> {
    const t = terminalOrThrow(terminalRef)
    const c = await connect(t)
    if (!c.ok) throw new AppError(c.error.code, c.error.message)
    const r = await c.value.client.ping()
    if (!r.ok) throw new AppError(r.error.code, r.error.message)
    lastPing.set(t.id, now())
    const { outcome, exchange } = r.value
    const cause = notSentCause(exchange)
    if (cause !== null) {
      setBackoff(t, cause, unreachableMessage(t, exchange))
      throw new AppError(cause === 'tls' ? 'tls-failure' : 'network-failure', unreachableMessage(t, exchange))
    }
    contact(t)
    if (!outcome.ok) {
      const code = outcome.requestResultCode
      if (outcome.fatal && code !== undefined) {
        pause(
          t,
          String(code),
          pauseReason(t, { code: String(code), duplicateMismatch: false }, null),
          null,
          false
        )
        throw new AppError(
          code === 150 ? 'unauthorized' : 'qiwi-fatal',
          `${code}: ${describeRequestCode(code)[lang]}`
        )
      }
      if (exchange.error) throw new AppError('network-failure', exchange.error.message)
      throw new AppError(
        code !== undefined ? 'qiwi-error' : 'protocol-error',
        code !== undefined
          ? `${code}: ${describeRequestCode(code)[lang]}`
          : `ping reply unusable (${outcome.reason})`
      )
    }
    storeBalances(t, outcome.value.balances)
    const fresh = getTerminal(db, t.id) ?? t
    return listBalances(db, t.id).map((b) => toBalanceView(b, fresh))
  }

  async function pingDue(): Promise<void> {
    if (cfg.balanceRefreshSeconds <= 0) return
    const n = now()
    for (const t of listTerminals(db)) {
      const ref = t.id
      const last = lastPing.get(ref)
      if (last !== undefined && n - last < cfg.balanceRefreshSeconds * 1000) continue
      if (t.paused) continue
      const b = backoffs.get(ref)
      if (b && b.until > n) continue
      try {
        await refreshBalance(ref)
      } catch (e) {
        log.debug({ terminal: t.name, code: asAppError(e).code }, 'balance refresh failed')
      }
    }
  }

  function start(): () => Promise<void> {
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    let running: Promise<void> | null = null
    let again = false
    const schedule = (ms: number): void => {
      if (stopped) return
      if (timer) clearTimeout(timer)
      timer = setTimeout(tick, ms)
    }
    const tick = (): void => {
      timer = undefined
      if (stopped || running) return
      running = (async () => {
        try {
          const r = await runOnce()
          // A pass that sent a full batch stopped at its cap, not because the queue is empty.
          if (r.pays + r.prechecks >= cfg.batchLimit) again = true
          await pingDue()
        } catch (e) {
          log.error({ err: asAppError(e).message }, 'engine pass failed')
        }
      })()
      void running.then(() => {
        running = null
        const soon = again
        again = false
        schedule(soon ? 0 : cfg.tickMs)
      })
    }
    kickFn = () => {
      if (stopped) return
      if (running) {
        again = true
        return
      }
      schedule(0)
    }
    schedule(0)
    return async () => {
      stopped = true
      kickFn = null
      if (timer) clearTimeout(timer)
      timer = undefined
      if (running) await running
    }
  }

  function events(id: number): PayoutEventView[] {
    return listEventsForPayout(db, id).map(toEventView)
  }

  function getByNumber(transactionNumber: string, terminalRef?: string): PayoutView | null {
    if (terminalRef !== undefined) {
      const t = getTerminal(db, terminalRef)
      if (!t) return null
      const p = getPayoutByTransactionNumber(db, t.terminalId, transactionNumber)
      return p && p.terminalRef === terminalRef ? viewOf(p) : null
    }
    const all = payoutsByTransactionNumber(db, transactionNumber)
    const first = all[0]
    return first ? viewOf(first) : null
  }

  function resumeTerminal(terminalRef: string): Terminal {
    const t = resumeTerminalRow(db, terminalRef, now())
    backoffs.delete(terminalRef)
    if (deps.onTerminalChange) {
      const cb = deps.onTerminalChange
      safely('onTerminalChange', () => cb(t))
    }
    kickFn?.()
    return t
  }

  return {
    preparePayout,
    createPayout,
    recordPrepared,
    recordBatch,
    precheck,
    checkUser,
    get: (id) => {
      const p = getPayout(db, id)
      return p ? viewOf(p) : null
    },
    getByNumber,
    listQueue: (limit = 1000) => activePayoutsPage(db, Math.max(1, Math.min(limit, 10_000))).map(viewOf),
    events,
    runOnce,
    processPayout,
    start,
    kick: () => kickFn?.(),
    refreshBalance,
    resumeTerminal,
    toPayoutView: (payout, terminal, l) => toPayoutView(payout, terminal, l ?? lang)
  }
}
