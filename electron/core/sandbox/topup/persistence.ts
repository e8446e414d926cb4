/** Loading and validating the persisted emulator state (topup-state.json). */
import { z } from 'zod'
import { readJsonFile, writeFileAtomic } from '../json-store'
import { emptyState } from './ledger'
import { DEFAULT_RESPONSE_STYLE, ScenarioRuleSchema, type TopupState } from './model'

const kop = z.number().int().safe()
const balances = z.record(z.string(), kop)

const TerminalSchema = z.object({
  id: z.string(),
  password: z.string().nullable(),
  auth: z.enum(['password', 'signature', 'certificate']),
  publicKeyPem: z.string().nullable(),
  clientCertFingerprint256: z.string().nullable(),
  blocked: z.boolean(),
  allowedServices: z.array(z.enum(['99', '34020', '32911', '36655', '38413', '29130'])),
  allowedIps: z.array(z.string()).nullable(),
  balances,
  feeBp: z.number().int()
})

const WalletSchema = z.object({
  phone: z.string(),
  accounts: balances,
  identification: z.enum(['anonymous', 'minimal', 'full']),
  blocked: z.boolean(),
  balanceLimitKopecks: kop.nullable(),
  monthlyLimitKopecks: kop.nullable(),
  createdByPayment: z.boolean()
})

const Outcome = z.object({ status: z.number().int(), resultCode: z.number().int(), message: z.string() })

const PaymentSchema = z.object({
  terminalId: z.string(),
  transactionNumber: z.string(),
  service: z.string(),
  account: z.string(),
  toAmountKopecks: kop,
  toCcy: z.string(),
  fromCcy: z.string(),
  fromAmountKopecks: kop,
  extras: z.record(z.string(), z.string()),
  incomeWireTransfer: z.string().nullable(),
  detailsKey: z.string(),
  txnId: z.string(),
  acceptedAt: z.number(),
  finalAt: z.number().nullable(),
  holdStatus: z.number().int().nullable(),
  status: z.number().int(),
  final: z.boolean(),
  resultCode: z.number().int(),
  message: z.string(),
  fatalError: z.boolean(),
  planned: Outcome,
  debitedKopecks: kop,
  refunded: z.boolean(),
  credited: z.boolean(),
  payRequests: z.number().int(),
  mismatchedPayRequests: z.number().int(),
  registrations: z.number().int(),
  statusRequests: z.number().int(),
  lastStatusRequestAt: z.number().nullable(),
  statusIntervalViolations: z.number().int(),
  rrn: z.string().nullable(),
  billRegId: z.string().nullable()
})

const StateSchema = z.object({
  version: z.literal(1),
  terminals: z.record(z.string(), TerminalSchema),
  wallets: z.record(z.string(), WalletSchema),
  payments: z.record(z.string(), PaymentSchema),
  rules: z.array(ScenarioRuleSchema),
  ruleUses: z.record(z.string(), z.number().int()),
  limits: z.record(z.string(), z.object({ minKopecks: kop.nullable(), maxKopecks: kop.nullable() })),
  providers: z.record(z.string(), z.string()),
  processingMs: z.number().int().min(0),
  nextTxnId: z.number().int().safe(),
  clockOffsetMs: z.number(),
  style: z
    .object({
      topLevelResultCode: z.boolean(),
      messages: z.boolean(),
      xmlDeclaration: z.boolean(),
      cyrillicResultCodeInStatus: z.boolean(),
      sbpWrapper: z.boolean()
    })
    .default({ ...DEFAULT_RESPONSE_STYLE })
})

/** Reads the state file; undefined when absent; throws with a clear message when corrupt. */
export function loadTopupState(path: string): TopupState | undefined {
  const raw = readJsonFile(path)
  if (raw === undefined) return undefined
  const r = StateSchema.safeParse(raw)
  if (!r.success) {
    throw new Error(
      `sandbox state file ${path} is invalid: ${r.error.issues[0]?.message ?? 'schema mismatch'}`
    )
  }
  const base = emptyState()
  return { ...base, ...r.data }
}

export function saveTopupState(path: string, state: TopupState): void {
  writeFileAtomic(path, JSON.stringify(state))
}
