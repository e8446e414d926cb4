/**
 * Public types of the payout engine (docs/ENGINE.md).
 */
import type { Result } from '../../../shared/result'
import type {
  AlertView,
  BalanceView,
  PayoutCreateInput,
  PayoutEventView,
  PayoutView,
  PrecheckView
} from '../../../shared/payouts'
import type { Db } from '../db/connection'
import type { Payout, PayoutService, Terminal } from '../db/types'
import type { Logger } from '../log/logger'
import type { TopupAuth, TopupEndpointConfig } from '../topup/types'

export type Lang = 'ru' | 'en'

/** Credentials of one terminal for one request. */
export interface TopupCredentials {
  auth: TopupAuth
  /** Server CA stored with a client certificate (mode 3); replaces the default roots. */
  serverCa?: string | null | undefined
}

/**
 * Where the engine gets credentials. Read at EVERY request, so a rotated password or
 * certificate takes effect on the next request without a restart. Errors are data
 * ('credential-missing', 'keychain-locked', ...): nothing is sent then.
 */
export interface CredentialProvider {
  topupAuth(terminal: Terminal): Promise<Result<TopupCredentials>>
}

/** The connection settings for a terminal (origin, trust anchors, pins, deadlines). */
export type EndpointResolver = (terminal: Terminal) => Result<TopupEndpointConfig>

export interface EngineConfig {
  /** Status requests running at once (all terminals). Default 4. */
  pollConcurrency: number
  /**
   * Pre-checks and pays in flight at once per terminal. Reservations are committed and
   * requests started in entry order; with 1, QIWI also receives them strictly in that
   * order. Default 8.
   */
  sendConcurrency: number
  /**
   * Longest wait of a write for the replies still in flight, so their outcomes share one
   * durable commit (db/group-commit.ts). Only delays when a write becomes durable; nothing
   * acts on it before. Default 10 ms.
   */
  commitHoldMs: number
  /**
   * Floor of the status interval for loopback endpoints (the sandbox, a local
   * emulator). Non-loopback endpoints never go below 600 s whatever the terminal
   * says (QIWI: at most one status request per payment per 10 minutes). Default 1.
   */
  loopbackMinPollSeconds: number
  /** Upward jitter added to every scheduled status check, as a fraction of the interval. Default 0.1. */
  jitterFraction: number
  /** Retry delay of a check-deposit-possible that got no usable answer. Default 60 s (spec §9 #25). */
  precheckRetrySeconds: number
  /** First retry delay when a terminal's endpoint is unreachable; doubles up to the max. Default 5 s / 300 s. */
  offlineRetrySeconds: number
  offlineRetryMaxSeconds: number
  /**
   * A pay reservation ('sending') lives for the request deadline plus this margin;
   * a reservation older than that belongs to a process that died and is recovered
   * as "outcome unknown" (status polling). Default 30 s.
   */
  leaseMarginMs: number
  /** Agent balance refresh (ping) while started. Default 600 s; 0 = never. */
  balanceRefreshSeconds: number
  /** Decision D6: consecutive "not found" status replies before the identical pay is re-sent. Default 3. */
  notFoundResendThreshold: number
  /** Wake-up period of the started engine. Default 1000 ms. */
  tickMs: number
  /** Rows fetched per pass. Default 500. */
  batchLimit: number
  /** Language of messages stored with payouts and alerts. Default 'ru'. */
  language: Lang
  /** Foreign-card payouts (36655) are suspended per the docs. Default false. */
  allowForeignCard: boolean
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  pollConcurrency: 4,
  sendConcurrency: 8,
  commitHoldMs: 10,
  loopbackMinPollSeconds: 1,
  jitterFraction: 0.1,
  precheckRetrySeconds: 60,
  offlineRetrySeconds: 5,
  offlineRetryMaxSeconds: 300,
  leaseMarginMs: 30_000,
  balanceRefreshSeconds: 600,
  notFoundResendThreshold: 3,
  tickMs: 1000,
  batchLimit: 500,
  language: 'ru',
  allowForeignCard: false
}

export interface EngineClock {
  now(): number
}

export interface EngineDeps {
  db: Db
  credentials: CredentialProvider
  resolveEndpoint: EndpointResolver
  /** Wall clock for every stored time and every schedule (tests inject a manual one). */
  clock?: EngineClock | undefined
  /** [0, 1) source for the poll jitter. */
  random?: (() => number) | undefined
  logger?: Logger | undefined
  /** A payout changed (state, schedule, reply fields). */
  onChange?: ((view: PayoutView) => void) | undefined
  /** An operator alert was raised (persisted, or transient when the database itself failed). */
  onAlert?: ((alert: AlertView) => void) | undefined
  /** Agent balances changed (ping or a pay/status reply). */
  onBalances?: ((balances: BalanceView[]) => void) | undefined
  /** A terminal was paused or resumed. */
  onTerminalChange?: ((terminal: Terminal) => void) | undefined
  config?: Partial<EngineConfig> | undefined
}

/** A validated, normalized payout ready to be recorded (see `preparePayout`). */
export interface PreparedPayout {
  terminal: Terminal
  service: PayoutService
  account: string
  accountDisplay: string
  amountKopecks: number
  comment: string | null
  extras: Record<string, string>
  precheck: boolean
}

export interface RunReport {
  /** check-deposit-possible requests made. */
  prechecks: number
  /** pay requests made. */
  pays: number
  /** status requests made. */
  polls: number
  /** Payouts that reached a final state in this pass. */
  finalized: number
  /** 'sending' reservations of dead processes turned into status polling. */
  recovered: number
}

export interface CheckUserView {
  terminal: string
  phone: string
  exist: boolean | null
  ok: boolean
  message: string | null
  resultCode: string | null
}

export interface PayoutEngine {
  /** Validates and normalizes per service; throws AppError (invalid-*, unknown-terminal, service-not-allowed, ...). */
  preparePayout(input: PayoutCreateInput): Promise<PreparedPayout>
  /**
   * Records the intent (number + every detail committed before the first byte) and
   * sends it: with `awaitSend` the first exchange (pre-check and pay) runs before this
   * resolves; otherwise a started engine sends it in the background. One intent per
   * clientRequestId: a repeated id returns the payout it already created.
   */
  createPayout(input: PayoutCreateInput, opts?: CreatePayoutOptions): Promise<PayoutView>
  /** Records an already prepared payout (batch files validate every row first). */
  recordPrepared(
    prepared: PreparedPayout,
    clientRequestId: string,
    opts?: CreatePayoutOptions
  ): Promise<PayoutView>
  /**
   * Records many prepared payouts at once (batch files): every intent durable before any of
   * them is sent, in all-or-nothing chunks sharing commits; one result per entry, in order
   * (`created: false` when its clientRequestId/batchKey was recorded before).
   */
  recordBatch(entries: readonly BatchEntry[]): Promise<RecordedBatchEntry[]>
  /** check-deposit-possible (wallets) with the terminal's absent-wallet policy; nothing is recorded. */
  precheck(input: {
    terminalRef: string
    service: PayoutService
    account: string
    amount: string
    incomeWireTransfer?: boolean | undefined
  }): Promise<PrecheckView>
  checkUser(terminalRef: string, phone: string): Promise<CheckUserView>
  get(id: number): PayoutView | null
  /** By transaction-number (any terminal, or the given one). */
  getByNumber(transactionNumber: string, terminalRef?: string): PayoutView | null
  /** Non-final payouts, oldest first, at most `limit` (default 1000). */
  listQueue(limit?: number): PayoutView[]
  events(id: number): PayoutEventView[]
  /** One pass of sender + poller (the CLI's `poll --once`). */
  runOnce(): Promise<RunReport>
  /**
   * Drives one payout now, as far as it is due: earlier entries of its terminal are
   * sent first (entry order), then its own pre-check/pay, or a status request if due.
   */
  processPayout(id: number): Promise<PayoutView | null>
  /** Starts the timers; returns the stopper, which waits for the pass in progress. */
  start(): () => Promise<void>
  /** Asks a started engine to run a pass soon (a payout was entered, a terminal resumed). */
  kick(): void
  /** ping: stores the balances, raises a low-balance alert when below the terminal's threshold. */
  refreshBalance(terminalRef: string): Promise<BalanceView[]>
  /** Un-pauses a terminal (after an operator fixed what a fatal error or 215 reported). */
  resumeTerminal(terminalRef: string): Terminal
  toPayoutView(payout: Payout, terminal: Terminal | null, lang?: Lang): PayoutView
}

export interface BatchEntry {
  prepared: PreparedPayout
  clientRequestId: string
  batchKey?: string | null | undefined
}

export interface RecordedBatchEntry {
  view: PayoutView
  created: boolean
}

export interface CreatePayoutOptions {
  awaitSend?: boolean | undefined
  /** Batch file hash + line: re-running a file never creates a second intent. */
  batchKey?: string | null | undefined
}
