/**
 * Domain types returned and accepted by the repositories. Pure TypeScript (no
 * node:, no better-sqlite3) so the lead can move what the renderer needs to shared/.
 *
 * Conventions: times are Unix milliseconds (number); money is integer kopecks
 * (number) or a decimal string; QIWI ids (terminal-id, transaction-number, txn_id)
 * are strings; booleans are booleans (the 0/1 of SQLite stays in the repositories).
 */

// ---------------------------------------------------------------------------
// Payout state machine (mirrors the triggers in resources/migrations/0001_init.sql)

export const PAYOUT_STATES = ['queued', 'sending', 'waiting', 'succeeded', 'failed', 'declined'] as const
export type PayoutState = (typeof PAYOUT_STATES)[number]

export const FINAL_STATES = ['succeeded', 'failed', 'declined'] as const
export type FinalPayoutState = (typeof FINAL_STATES)[number]
export type ActivePayoutState = Exclude<PayoutState, FinalPayoutState>

export const NEXT_ACTIONS = ['precheck', 'pay', 'status'] as const
export type NextAction = (typeof NEXT_ACTIONS)[number]

export const PAYOUT_SERVICES = ['wallet', 'card', 'card-spec', 'card-foreign', 'sbp', 'mobile'] as const
export type PayoutService = (typeof PAYOUT_SERVICES)[number]

/** QIWI `to/service-id` per product (spec §2.3); enforced by a CHECK. */
export const SERVICE_IDS: Readonly<Record<PayoutService, number>> = {
  wallet: 99,
  card: 34020,
  'card-spec': 32911,
  'card-foreign': 36655,
  sbp: 38413,
  mobile: 29130
}

// ---------------------------------------------------------------------------
// Terminals

export const AUTH_MODES = ['password', 'signature', 'certificate'] as const
export type AuthMode = (typeof AUTH_MODES)[number]

export const SIGNATURE_ALGS = ['SHA1withRSA', 'MD5withRSA'] as const
export type SignatureAlg = (typeof SIGNATURE_ALGS)[number]

export type AbsentWalletPolicy = 'pay' | 'decline'

/**
 * A configured QIWI agent connection. `*Ref` fields are keychain account names
 * (see the SecretStore), never secret values.
 */
export interface Terminal {
  /** UUID, primary key. */
  id: string
  /** User-facing, unique. */
  name: string
  /** QIWI agent id (`terminal-id`), digits. */
  terminalId: string
  /** 'sandbox' or an origin such as `https://api.qiwi.com`. */
  endpoint: string
  authMode: AuthMode
  signatureAlg: SignatureAlg | null
  passwordRef: string | null
  signingKeyRef: string | null
  signingPassphraseRef: string | null
  clientCertRef: string | null
  clientCertPassphraseRef: string | null
  caCertRef: string | null
  certSubject: string | null
  certIssuer: string | null
  certFingerprintSha256: string | null
  /** Certificate expiry, Unix ms. */
  certNotAfter: number | null
  /** base64 SHA-256 SPKI pins of the server key. */
  serverSpkiPins: string[]
  servicesAllowed: PayoutService[]
  precheckAbsentWalletPolicy: AbsentWalletPolicy
  lowBalanceKopecks: number | null
  minPollSeconds: number
  /** 10..99; the first two digits of every transaction-number this desk allocates. */
  deskPrefix: number
  paused: boolean
  pausedReason: string | null
  pausedCode: string | null
  pausedAt: number | null
  createdAt: number
  updatedAt: number
}

/** Fields accepted when creating a terminal; omitted optional fields take the defaults. */
export interface NewTerminal {
  /** Defaults to a random UUID. */
  id?: string
  name: string
  terminalId: string
  endpoint: string
  authMode: AuthMode
  signatureAlg?: SignatureAlg | null
  passwordRef?: string | null
  signingKeyRef?: string | null
  signingPassphraseRef?: string | null
  clientCertRef?: string | null
  clientCertPassphraseRef?: string | null
  caCertRef?: string | null
  certSubject?: string | null
  certIssuer?: string | null
  certFingerprintSha256?: string | null
  certNotAfter?: number | null
  serverSpkiPins?: string[]
  /** Default: none allowed. */
  servicesAllowed?: PayoutService[]
  /** Default 'decline'. */
  precheckAbsentWalletPolicy?: AbsentWalletPolicy
  lowBalanceKopecks?: number | null
  /** Default 600 (QIWI: at most one status request per payment per 10 minutes). */
  minPollSeconds?: number
  /** Default 10. */
  deskPrefix?: number
}

/** Editable terminal fields. Pausing goes through pause/resume. */
export type TerminalPatch = Partial<Omit<NewTerminal, 'id'>>

// ---------------------------------------------------------------------------
// Payouts

/** What the operator asked for. Everything here is immutable once stored. */
export interface NewPayout {
  /** terminals.id */
  terminalRef: string
  service: PayoutService
  /** Exactly what goes into `to/account-number`. */
  account: string
  /** What the UI shows (masked for cards). */
  accountDisplay: string
  amountKopecks: number
  /** Default 'RUB'. */
  currency?: string
  comment?: string | null
  /** Per-service extras (bankId, account0, income_wire_transfer, ...), values as strings. */
  extras?: Record<string, string>
  /** Run check-deposit-possible before pay (wallet). Default false. */
  precheck?: boolean
  /** Batch file hash + line number: re-running a batch never creates a second intent. */
  batchKey?: string | null
}

export interface Payout {
  id: number
  clientRequestId: string
  terminalRef: string
  terminalId: string
  /** Up to 20 digits; a string, never a JS number. */
  transactionNumber: string
  service: PayoutService
  serviceId: number
  account: string
  accountDisplay: string
  amountKopecks: number
  currency: string
  comment: string | null
  extras: Record<string, string>
  precheck: boolean
  batchKey: string | null
  /** Order of entry per terminal, 1-based. */
  entrySeq: number
  state: PayoutState
  nextAction: NextAction | null
  /** True once a pay request may have left the machine; never goes back. */
  paySent: boolean
  attempts: number
  nextCheckAt: number | null
  notFoundCount: number
  lastNotFoundAt: number | null
  lastStatusRequestAt: number | null
  /** payment/@status as received ('-1', '50', '60', '160'). */
  qiwiStatus: string | null
  resultCode: string | null
  txnId: string | null
  txnDate: string | null
  fatal: boolean
  errorCode: string | null
  errorMessage: string | null
  createdAt: number
  updatedAt: number
  finalAt: number | null
}

/**
 * Mutable payout fields a transition may set. `finalAt`, `updatedAt` and, for finals,
 * `nextAction`/`nextCheckAt` are managed by the repository.
 */
export interface PayoutPatch {
  nextAction?: NextAction | null
  paySent?: boolean
  attempts?: number
  nextCheckAt?: number | null
  notFoundCount?: number
  lastNotFoundAt?: number | null
  lastStatusRequestAt?: number | null
  qiwiStatus?: string | null
  resultCode?: string | null
  txnId?: string | null
  txnDate?: string | null
  fatal?: boolean
  errorCode?: string | null
  errorMessage?: string | null
}

export interface CreateIntentResult {
  payout: Payout
  /** false when the client request id or batch key already had an intent. */
  created: boolean
}

// ---------------------------------------------------------------------------
// Journal

export const EVENT_KINDS = ['state', 'request', 'reply', 'error', 'note'] as const
export type EventKind = (typeof EVENT_KINDS)[number]

export interface NewPayoutEvent {
  kind: EventKind
  /** 'pay', 'status', 'check-deposit-possible', ... */
  requestType?: string | null
  httpStatus?: number | null
  /** Request XML (the password is redacted on write) or raw reply XML. */
  body?: string | null
  /** Classifier verdict, e.g. 'success', 'unknown', 'not-found'. */
  classification?: string | null
  fromState?: PayoutState | null
  toState?: PayoutState | null
  message?: string | null
}

export interface PayoutEvent {
  id: number
  payoutId: number
  at: number
  kind: EventKind
  requestType: string | null
  httpStatus: number | null
  body: string | null
  classification: string | null
  fromState: PayoutState | null
  toState: PayoutState | null
  message: string | null
}

// ---------------------------------------------------------------------------
// History screen

export interface PayoutFilter {
  /** created_at >= from (ms). */
  from?: number
  /** created_at < to (ms). */
  to?: number
  states?: readonly PayoutState[]
  services?: readonly PayoutService[]
  terminalRefs?: readonly string[]
  amountMinKopecks?: number
  amountMaxKopecks?: number
  /**
   * Digits or '+digits': exact transaction-number, exact txn_id, or account prefix.
   * Anything else: account prefix.
   */
  search?: string
}

/** Sortable columns; each is backed by an index so paging never sorts the whole table. */
export const PAYOUT_SORT_COLUMNS = ['createdAt', 'amountKopecks', 'state', 'service'] as const
export type PayoutSortColumn = (typeof PAYOUT_SORT_COLUMNS)[number]

export interface PayoutPageRequest {
  /** Default { column: 'createdAt', dir: 'desc' }. */
  sort?: { column: PayoutSortColumn; dir: 'asc' | 'desc' }
  /** 1..1000 */
  limit: number
  /** Keyset cursor from a previous page (preferred). */
  cursor?: string | null
  /** Offset paging (ignored when a cursor is given). */
  offset?: number
}

export interface PayoutPage {
  items: Payout[]
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null
}

export interface Totals {
  count: number
  amountKopecks: number
}

export interface PayoutTotals extends Totals {
  byState: Record<PayoutState, Totals>
}

export interface DayReportRow {
  /** 'YYYY-MM-DD' in the requested UTC offset. */
  day: string
  state: PayoutState
  service: PayoutService
  count: number
  amountKopecks: number
}

export interface HourReportRow {
  /** Start of the hour bucket, Unix ms. */
  hourStart: number
  state: PayoutState
  count: number
  amountKopecks: number
}

// ---------------------------------------------------------------------------
// Alerts, balances

/** Known alert kinds; the column accepts any lower-case dashed word so new kinds need no migration. */
export type AlertKind =
  | 'fatal'
  | 'duplicate-mismatch'
  | 'low-balance'
  | 'storage'
  | 'manual-review'
  | 'not-found'
  | 'certificate-expiry'
  | 'other'

export interface NewAlert {
  terminalRef?: string | null
  payoutId?: number | null
  kind: AlertKind
  code?: string | null
  message: string
}

export interface Alert {
  id: number
  terminalRef: string | null
  payoutId: number | null
  kind: AlertKind
  code: string | null
  message: string
  /** How many times it was raised while open. */
  count: number
  createdAt: number
  lastAt: number
  acknowledgedAt: number | null
}

export interface AgentBalance {
  terminalRef: string
  /** As QIWI sends it: ISO 4217 numeric ('643') or alphabetic. */
  currency: string
  /** Decimal string with two fraction digits, e.g. '200.00', '-3.50'. */
  amount: string
  updatedAt: number
}
