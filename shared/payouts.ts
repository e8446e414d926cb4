/**
 * Cashier-side shapes that cross the contract (renderer ↔ main) and the CLI's JSON
 * output. Secrets never appear here: terminals carry only which credentials exist and
 * their non-secret metadata.
 */
import { z } from 'zod'

export const PayoutStateZ = z.enum(['queued', 'sending', 'waiting', 'succeeded', 'failed', 'declined'])
export type PayoutStateT = z.infer<typeof PayoutStateZ>
export const ServiceZ = z.enum(['wallet', 'card', 'card-spec', 'card-foreign', 'sbp', 'mobile'])
export type ServiceT = z.infer<typeof ServiceZ>
export const AuthModeZ = z.enum(['password', 'signature', 'certificate'])

/** Digits-only QIWI id (transaction-number, txn_id), up to 20 digits, always a string. */
export const QiwiId = z.string().regex(/^\d{1,20}$/)

/**
 * One payout as the desk, the CLI (`pay --json`, `status --json`) and scripts see it.
 * `waiting` = the outcome is unknown or not final yet and the poller owns it;
 * `declined` = a pre-check said no and nothing was sent.
 */
export const PayoutView = z.object({
  id: z.number().int(),
  transactionNumber: QiwiId,
  terminal: z.string(),
  terminalRef: z.string(),
  service: ServiceZ,
  /** As entered; cards masked. */
  account: z.string(),
  amount: z.string().regex(/^\d+\.\d{2}$/),
  amountKopecks: z.number().int().positive(),
  currency: z.string(),
  comment: z.string().nullable(),
  state: PayoutStateZ,
  final: z.boolean(),
  /** QIWI payment status ('50', '60', '160', '-1') or null. */
  status: z.string().nullable(),
  resultCode: z.string().nullable(),
  /** Localized text of the result code, when there is one. */
  resultMessage: z.string().nullable(),
  txnId: z.string().nullable(),
  txnDate: z.string().nullable(),
  paused: z.boolean(),
  nextCheckAt: z.number().nullable(),
  attempts: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  finalAt: z.number().nullable()
})
export type PayoutView = z.infer<typeof PayoutView>

export const PayoutEventView = z.object({
  id: z.number().int(),
  at: z.number(),
  kind: z.enum(['state', 'request', 'reply', 'error', 'note']),
  requestType: z.string().nullable(),
  httpStatus: z.number().nullable(),
  /** Redacted request XML or raw reply XML (never secrets). */
  body: z.string().nullable(),
  classification: z.string().nullable(),
  fromState: PayoutStateZ.nullable(),
  toState: PayoutStateZ.nullable(),
  message: z.string().nullable()
})
export type PayoutEventView = z.infer<typeof PayoutEventView>

export const PayoutCreateInput = z.object({
  /** One user action = one intent: the renderer makes a UUID per confirmation. */
  clientRequestId: z.string().min(8).max(100),
  terminalRef: z.string().min(1).max(100),
  service: ServiceZ,
  /** As typed; the core validates and normalizes per service. */
  account: z.string().min(1).max(64),
  /** Decimal string ("15.00"). */
  amount: z.string().min(1).max(20),
  comment: z.string().max(1000).optional(),
  /** SBP recipient bank id. */
  bankId: z.string().max(32).optional(),
  /** Card-spec: card number (account is the phone). */
  cardNumber: z.string().max(32).optional(),
  /** Wallet: cash (false) or non-cash (true) funds — income_wire_transfer. */
  incomeWireTransfer: z.boolean().optional(),
  /** Run check-deposit-possible before pay (wallet). */
  precheck: z.boolean().default(true)
})
export type PayoutCreateInput = z.input<typeof PayoutCreateInput>

export const PrecheckInput = z.object({
  terminalRef: z.string().min(1).max(100),
  service: ServiceZ,
  account: z.string().min(1).max(64),
  amount: z.string().min(1).max(20),
  incomeWireTransfer: z.boolean().optional()
})

export const PrecheckView = z.object({
  /** possible: go on; impossible: QIWI says no; absent: wallet does not exist (policy decides); retry: no answer now. */
  kind: z.enum(['possible', 'impossible', 'absent', 'retry', 'not-applicable']),
  exist: z.boolean().nullable(),
  depositPossible: z.boolean().nullable(),
  /** What the terminal's policy will do with an absent wallet. */
  absentPolicy: z.enum(['pay', 'decline']),
  message: z.string().nullable()
})
export type PrecheckView = z.infer<typeof PrecheckView>

export const TerminalView = z.object({
  id: z.string(),
  name: z.string(),
  terminalId: z.string(),
  endpoint: z.string(),
  authMode: AuthModeZ,
  signatureAlg: z.enum(['SHA1withRSA', 'MD5withRSA']).nullable(),
  servicesAllowed: z.array(ServiceZ),
  precheckAbsentWalletPolicy: z.enum(['pay', 'decline']),
  lowBalance: z.string().nullable(),
  minPollSeconds: z.number().int(),
  deskPrefix: z.number().int(),
  paused: z.boolean(),
  pausedReason: z.string().nullable(),
  pausedCode: z.string().nullable(),
  /** Which credentials are stored (never their values). */
  credentials: z.object({
    password: z.boolean(),
    signingKey: z.boolean(),
    clientCert: z.boolean(),
    caCert: z.boolean()
  }),
  certificate: z
    .object({
      subject: z.string().nullable(),
      issuer: z.string().nullable(),
      fingerprintSha256: z.string().nullable(),
      notAfter: z.number().nullable(),
      expiresSoon: z.boolean()
    })
    .nullable()
})
export type TerminalView = z.infer<typeof TerminalView>

export const BalanceView = z.object({
  terminalRef: z.string(),
  terminal: z.string(),
  currency: z.string(),
  amount: z.string(),
  updatedAt: z.number(),
  low: z.boolean()
})
export type BalanceView = z.infer<typeof BalanceView>

export const AlertView = z.object({
  id: z.number().int(),
  terminalRef: z.string().nullable(),
  payoutId: z.number().int().nullable(),
  kind: z.string(),
  code: z.string().nullable(),
  message: z.string(),
  count: z.number().int(),
  createdAt: z.number(),
  lastAt: z.number(),
  acknowledgedAt: z.number().nullable()
})
export type AlertView = z.infer<typeof AlertView>

export const HistoryFilter = z.object({
  from: z.number().optional(),
  to: z.number().optional(),
  states: z.array(PayoutStateZ).max(6).optional(),
  services: z.array(ServiceZ).max(6).optional(),
  terminalRefs: z.array(z.string().max(100)).max(100).optional(),
  amountMin: z.string().max(20).optional(),
  amountMax: z.string().max(20).optional(),
  search: z.string().max(64).optional()
})
export type HistoryFilter = z.infer<typeof HistoryFilter>

export const HistorySort = z.object({
  column: z.enum(['createdAt', 'amountKopecks', 'state', 'service']),
  dir: z.enum(['asc', 'desc'])
})
export type HistorySort = z.infer<typeof HistorySort>

export const TotalsView = z.object({
  count: z.number().int(),
  amount: z.string(),
  byState: z.record(z.string(), z.object({ count: z.number().int(), amount: z.string() }))
})
export type TotalsView = z.infer<typeof TotalsView>

export const DayReportView = z.object({
  date: z.string(),
  byStateService: z.array(
    z.object({ state: PayoutStateZ, service: ServiceZ, count: z.number().int(), amount: z.string() })
  ),
  byHour: z.array(z.object({ hour: z.number().int(), state: PayoutStateZ, count: z.number().int(), amount: z.string() })),
  totals: TotalsView,
  /** Agent balance movement reported by QIWI over the day (first/last seen), per currency. */
  balanceMovement: z.array(z.object({ terminal: z.string(), currency: z.string(), first: z.string(), last: z.string() })),
  /** Things a cashier must look at: non-final payouts, paused terminals, alerts. */
  discrepancies: z.array(z.object({ kind: z.string(), message: z.string(), payoutId: z.number().int().nullable() }))
})
export type DayReportView = z.infer<typeof DayReportView>
