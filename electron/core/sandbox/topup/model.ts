/**
 * Data model of the Top-Up emulator: persisted state, scenario rules, faults.
 * Everything here is plain JSON (kopecks as integers, ids as strings) so the
 * state file and the admin API share one shape. Inputs from the admin API are
 * validated with the zod schemas below.
 */
import { z } from 'zod'

export const SERVICE_IDS = ['99', '34020', '32911', '36655', '38413', '29130'] as const
export type ServiceId = (typeof SERVICE_IDS)[number]

export const REQUEST_KINDS = [
  'pay',
  'status',
  'check-deposit-possible',
  'check-user',
  'ping',
  'get-provider-by-phone-number'
] as const
export type RequestKind = (typeof REQUEST_KINDS)[number]

export type AuthMode = 'password' | 'signature' | 'certificate'

/** ISO 4217 alpha → numeric for the currencies the sandbox knows. */
export const CCY_NUMERIC: Readonly<Record<string, string>> = {
  RUB: '643',
  USD: '840',
  EUR: '978',
  KZT: '398',
  LVL: '428'
}

/** "RUB" / "643" → "643"; null when unknown. */
export function normalizeCcy(input: string): string | null {
  const s = input.trim().toUpperCase()
  if (/^\d{3}$/.test(s)) return Object.values(CCY_NUMERIC).includes(s) ? s : null
  return Object.prototype.hasOwnProperty.call(CCY_NUMERIC, s) ? (CCY_NUMERIC[s] ?? null) : null
}

export interface TerminalState {
  id: string
  /** Agent password; null = none configured (only signature/certificate auth then). */
  password: string | null
  auth: AuthMode
  /** SubjectPublicKeyInfo PEM for signature mode. */
  publicKeyPem: string | null
  /** SHA-256 fingerprint (Node's `fingerprint256` form) of the bound client certificate. */
  clientCertFingerprint256: string | null
  /** Payments are declined with 316 (blocked agent). */
  blocked: boolean
  allowedServices: ServiceId[]
  /** Request-level 339 when the sender's address is not listed; null = any address. */
  allowedIps: string[] | null
  /** Agent balances: ISO numeric currency → kopecks. */
  balances: Record<string, number>
  /** Fee debited on top of `to/amount`, in basis points (100 = 1 %). */
  feeBp: number
}

export type Identification = 'anonymous' | 'minimal' | 'full'

export interface WalletState {
  phone: string
  /** Accounts: ISO numeric currency → balance in kopecks. */
  accounts: Record<string, number>
  /** `anonymous` wallets cannot be topped up (204). */
  identification: Identification
  /** Top-ups prohibited (319; check-deposit-possible says 0). */
  blocked: boolean
  /** 702 when a credit would take the balance above it. */
  balanceLimitKopecks: number | null
  /** 700 when this calendar month's credits (by the sandbox clock) would exceed it. */
  monthlyLimitKopecks: number | null
  /** True when the wallet was created by a payment (docs: "created on registration"). */
  createdByPayment: boolean
}

export interface PlannedOutcome {
  status: number
  resultCode: number
  message: string
}

export interface PaymentState {
  terminalId: string
  transactionNumber: string
  service: string
  account: string
  toAmountKopecks: number
  toCcy: string
  fromCcy: string
  fromAmountKopecks: number
  /** Extras of the request (`to/…` and `from/…` by name). */
  extras: Record<string, string>
  incomeWireTransfer: string | null
  /** Canonical details; another pay with the same number and other details gets 215. */
  detailsKey: string
  /** Empty for payments declined before registration in QIWI's books. */
  txnId: string
  acceptedAt: number
  /** When the planned outcome is applied; null = held until an admin finalizes it. */
  finalAt: number | null
  /** Non-final status shown while held (0–59); 50/52 by schedule when not held. */
  holdStatus: number | null
  status: number
  final: boolean
  resultCode: number
  message: string
  fatalError: boolean
  planned: PlannedOutcome
  debitedKopecks: number
  refunded: boolean
  credited: boolean
  /** `pay` requests that named this payment with the same details (1 = the first). */
  payRequests: number
  /** `pay` requests with this number and different details (each answered 215). */
  mismatchedPayRequests: number
  /** Times the ledger created the payment: always 1; exposed so tests can assert it. */
  registrations: number
  statusRequests: number
  lastStatusRequestAt: number | null
  /** Status requests that came less than 10 minutes after the previous one. */
  statusIntervalViolations: number
  rrn: string | null
  billRegId: string | null
}

export interface ServiceLimits {
  minKopecks: number | null
  maxKopecks: number | null
}

export const RuleOutcomeSchema = z.discriminatedUnion('phase', [
  z.object({
    /** Declined at registration: no debit, final at once. */
    phase: z.literal('decline'),
    status: z.number().int().min(101).max(999).default(150),
    resultCode: z.number().int().min(1).max(9999),
    message: z.string().max(500).optional(),
    fatal: z.boolean().optional()
  }),
  z.object({
    /** Accepted and debited, later final failure (status > 100), money returned. */
    phase: z.literal('fail'),
    status: z.number().int().min(101).max(999).default(160),
    resultCode: z.number().int().min(1).max(9999).default(300),
    message: z.string().max(500).optional()
  }),
  z.object({ phase: z.literal('success') }),
  z.object({
    /** Accepted and debited, stays non-final until an admin finalizes it. */
    phase: z.literal('hold'),
    status: z.number().int().min(0).max(59).default(50)
  })
])
export type RuleOutcome = z.infer<typeof RuleOutcomeSchema>

const amountString = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'amount like "100.00"')

export const RuleMatchSchema = z
  .object({
    terminalId: z.string().min(1).max(64).optional(),
    service: z.union([z.enum(SERVICE_IDS), z.array(z.enum(SERVICE_IDS))]).optional(),
    account: z.string().min(1).max(64).optional(),
    accountPrefix: z.string().min(1).max(64).optional(),
    /** Matches the card in `account1` (32911) as well as `account-number`. */
    amountAtLeast: amountString.optional(),
    amountAtMost: amountString.optional(),
    ccy: z.string().min(3).max(3).optional()
  })
  .strict()
export type RuleMatch = z.infer<typeof RuleMatchSchema>

export const ScenarioRuleSchema = z
  .object({
    id: z.string().min(1).max(64).optional(),
    match: RuleMatchSchema.default({}),
    outcome: RuleOutcomeSchema,
    /** Time from acceptance to the final status for this rule; default the sandbox's. */
    processingMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .optional(),
    /** Number of payments the rule applies to; omitted = unlimited. */
    times: z.number().int().min(1).max(1_000_000).optional()
  })
  .strict()
export type ScenarioRuleInput = z.input<typeof ScenarioRuleSchema>
export type ScenarioRule = z.infer<typeof ScenarioRuleSchema>

export const FAULT_KINDS = [
  'hang',
  'delay',
  'reset-before',
  'reset-after',
  'http-status',
  'empty-body',
  'truncate-length',
  'truncate-close',
  'malformed-xml',
  'trickle',
  'request-error',
  'temporary',
  'not-found'
] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export const FaultSpecSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    /**
     * Whether the request reaches the ledger before the fault (a payment gets
     * registered but the client never hears). Defaults: true for reset-after,
     * delay, trickle and the truncations; false otherwise.
     */
    process: z.boolean().optional(),
    /** http-status: the HTTP status (default 503). */
    status: z.number().int().min(200).max(599).optional(),
    /** hang: destroy the socket after this long (default: never, until the client or close()); delay: wait; trickle: pause between chunks (default 200). */
    ms: z.number().int().min(0).max(3_600_000).optional(),
    /** truncate-*: bytes of the real reply sent (default half); trickle: bytes per chunk (default 1). */
    bytes: z.number().int().min(0).max(1_000_000).optional(),
    /** request-error: request-level result code (default 300). */
    code: z.number().int().min(1).max(9999).optional(),
    fatal: z.boolean().optional(),
    message: z.string().max(500).optional()
  })
  .strict()
export type FaultSpec = z.infer<typeof FaultSpecSchema>

export const FaultMatchSchema = z
  .object({
    request: z.union([z.enum(REQUEST_KINDS), z.literal('any')]).optional(),
    terminalId: z.string().min(1).max(64).optional(),
    transactionNumber: z
      .string()
      .regex(/^\d{1,20}$/)
      .optional(),
    service: z.enum(SERVICE_IDS).optional(),
    listener: z.enum(['http', 'tls']).optional()
  })
  .strict()
export type FaultMatch = z.infer<typeof FaultMatchSchema>

export const ScriptedFaultSchema = z
  .object({
    match: FaultMatchSchema.default({}),
    fault: FaultSpecSchema,
    /** How many matching requests consume this entry (default 1). */
    times: z.number().int().min(1).max(1_000_000).default(1)
  })
  .strict()
export type ScriptedFaultInput = z.input<typeof ScriptedFaultSchema>
export type ScriptedFault = z.infer<typeof ScriptedFaultSchema>

export const RandomFaultSchema = z
  .object({
    match: FaultMatchSchema.default({}),
    fault: FaultSpecSchema,
    probability: z.number().min(0).max(1)
  })
  .strict()
export type RandomFaultInput = z.input<typeof RandomFaultSchema>
export type RandomFault = z.infer<typeof RandomFaultSchema>

export interface ResponseStyle {
  /** `<result-code fatal="false">0</result-code>` in successful replies (newer ru examples). */
  topLevelResultCode: boolean
  /** `message`/`msg` attributes (newer ru examples). */
  messages: boolean
  /** `<?xml version="1.0" encoding="utf-8"?>` prolog. */
  xmlDeclaration: boolean
  /** Reproduce the docs' `result-сode` (Cyrillic с) attribute in status replies. */
  cyrillicResultCodeInStatus: boolean
  /** SBP replies wrap `<payment>` in `<payments>` and add balances-ovd/f/lk-status, as printed. */
  sbpWrapper: boolean
}

export const ResponseStyleSchema = z
  .object({
    topLevelResultCode: z.boolean(),
    messages: z.boolean(),
    xmlDeclaration: z.boolean(),
    cyrillicResultCodeInStatus: z.boolean(),
    sbpWrapper: z.boolean()
  })
  .partial()
  .strict()

export const DEFAULT_RESPONSE_STYLE: ResponseStyle = {
  topLevelResultCode: true,
  messages: true,
  xmlDeclaration: true,
  cyrillicResultCodeInStatus: false,
  sbpWrapper: true
}

/** Everything persisted in `topup-state.json`. Faults are deliberately not persisted. */
export interface TopupState {
  version: 1
  terminals: Record<string, TerminalState>
  wallets: Record<string, WalletState>
  /** Key: `${terminalId}:${transactionNumber}`. */
  payments: Record<string, PaymentState>
  rules: ScenarioRule[]
  /** Uses consumed per rule index/id, for `times`. */
  ruleUses: Record<string, number>
  limits: Record<string, ServiceLimits>
  /** Phone prefix (without country code) → provider id, longest prefix wins. */
  providers: Record<string, string>
  processingMs: number
  nextTxnId: number
  /** Offset added to the base clock by admin `advanceClock` (persisted so restarts keep time). */
  clockOffsetMs: number
  style: ResponseStyle
}

export function paymentKey(terminalId: string, transactionNumber: string): string {
  return `${terminalId}:${transactionNumber}`
}

// ---- admin input schemas ---------------------------------------------------

const balancesInput = z.record(z.string().min(3).max(3), amountString)

export const TerminalInputSchema = z
  .object({
    id: z.string().min(1).max(64),
    password: z.string().max(256).nullable().optional(),
    auth: z.enum(['password', 'signature', 'certificate']).optional(),
    publicKeyPem: z.string().max(16_384).nullable().optional(),
    clientCertFingerprint256: z.string().max(200).nullable().optional(),
    blocked: z.boolean().optional(),
    allowedServices: z.array(z.enum(SERVICE_IDS)).optional(),
    allowedIps: z.array(z.string().min(1).max(64)).nullable().optional(),
    /** Currency (alpha or numeric) → amount "1000.00"; replaces the given currencies only. */
    balances: balancesInput.optional(),
    feeBp: z.number().int().min(0).max(10_000).optional()
  })
  .strict()
export type TerminalInput = z.input<typeof TerminalInputSchema>

export const WalletInputSchema = z
  .object({
    phone: z.string().regex(/^\d{10,15}$/),
    /** Currency → balance; the keys are the wallet's accounts. Default { RUB: "0.00" }. */
    accounts: balancesInput.optional(),
    identification: z.enum(['anonymous', 'minimal', 'full']).optional(),
    blocked: z.boolean().optional(),
    balanceLimit: amountString.nullable().optional(),
    monthlyLimit: amountString.nullable().optional()
  })
  .strict()
export type WalletInput = z.input<typeof WalletInputSchema>

export const LimitsInputSchema = z
  .object({
    service: z.enum(SERVICE_IDS),
    min: amountString.nullable().optional(),
    max: amountString.nullable().optional()
  })
  .strict()
export type LimitsInput = z.input<typeof LimitsInputSchema>

export const FinalizeInputSchema = z
  .object({
    outcome: z.enum(['planned', 'success', 'fail']).default('planned'),
    status: z.number().int().min(101).max(999).optional(),
    resultCode: z.number().int().min(0).max(9999).optional(),
    message: z.string().max(500).optional()
  })
  .strict()
export type FinalizeInput = z.input<typeof FinalizeInputSchema>
