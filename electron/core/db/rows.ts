/**
 * Row shapes as SQLite returns them (snake_case, 0/1, JSON text) and the mappers to
 * the domain types in types.ts. Repositories are the only users.
 */
import type {
  AgentBalance,
  Alert,
  AlertKind,
  AuthMode,
  AbsentWalletPolicy,
  EventKind,
  NextAction,
  Payout,
  PayoutEvent,
  PayoutService,
  PayoutState,
  SignatureAlg,
  Terminal
} from './types'

export type Bit = 0 | 1

export function toBool(v: number | bigint): boolean {
  return Number(v) === 1
}

export function toBit(b: boolean): Bit {
  return b ? 1 : 0
}

export interface DbTerminalRow {
  id: string
  name: string
  terminal_id: string
  endpoint: string
  auth_mode: string
  signature_alg: string | null
  password_ref: string | null
  signing_key_ref: string | null
  signing_passphrase_ref: string | null
  client_cert_ref: string | null
  client_cert_passphrase_ref: string | null
  ca_cert_ref: string | null
  cert_subject: string | null
  cert_issuer: string | null
  cert_fingerprint_sha256: string | null
  cert_not_after: number | null
  server_spki_pins: string
  services_allowed: string
  precheck_absent_wallet_policy: string
  low_balance_kopecks: number | null
  min_poll_seconds: number
  desk_prefix: number
  paused: number
  paused_reason: string | null
  paused_code: string | null
  paused_at: number | null
  created_at: number
  updated_at: number
}

function stringArray(json: string): string[] {
  const v: unknown = JSON.parse(json)
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

export function terminalFromRow(r: DbTerminalRow): Terminal {
  return {
    id: r.id,
    name: r.name,
    terminalId: r.terminal_id,
    endpoint: r.endpoint,
    authMode: r.auth_mode as AuthMode,
    signatureAlg: r.signature_alg as SignatureAlg | null,
    passwordRef: r.password_ref,
    signingKeyRef: r.signing_key_ref,
    signingPassphraseRef: r.signing_passphrase_ref,
    clientCertRef: r.client_cert_ref,
    clientCertPassphraseRef: r.client_cert_passphrase_ref,
    caCertRef: r.ca_cert_ref,
    certSubject: r.cert_subject,
    certIssuer: r.cert_issuer,
    certFingerprintSha256: r.cert_fingerprint_sha256,
    certNotAfter: r.cert_not_after,
    serverSpkiPins: stringArray(r.server_spki_pins),
    servicesAllowed: stringArray(r.services_allowed) as PayoutService[],
    precheckAbsentWalletPolicy: r.precheck_absent_wallet_policy as AbsentWalletPolicy,
    lowBalanceKopecks: r.low_balance_kopecks,
    minPollSeconds: r.min_poll_seconds,
    deskPrefix: r.desk_prefix,
    paused: toBool(r.paused),
    pausedReason: r.paused_reason,
    pausedCode: r.paused_code,
    pausedAt: r.paused_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

export interface DbPayoutRow {
  id: number
  client_request_id: string
  terminal_ref: string
  terminal_id: string
  transaction_number: string
  service: string
  service_id: number
  account: string
  account_display: string
  amount_kopecks: number
  currency: string
  comment: string | null
  extras: string
  precheck: number
  batch_key: string | null
  entry_seq: number
  state: string
  next_action: string | null
  pay_sent: number
  attempts: number
  next_check_at: number | null
  not_found_count: number
  last_not_found_at: number | null
  last_status_request_at: number | null
  qiwi_status: string | null
  result_code: string | null
  txn_id: string | null
  txn_date: string | null
  fatal: number
  error_code: string | null
  error_message: string | null
  created_at: number
  updated_at: number
  final_at: number | null
}

function stringRecord(json: string): Record<string, string> {
  const v: unknown = JSON.parse(json)
  const out: Record<string, string> = {}
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x
  }
  return out
}

export function payoutFromRow(r: DbPayoutRow): Payout {
  return {
    id: r.id,
    clientRequestId: r.client_request_id,
    terminalRef: r.terminal_ref,
    terminalId: r.terminal_id,
    transactionNumber: r.transaction_number,
    service: r.service as PayoutService,
    serviceId: r.service_id,
    account: r.account,
    accountDisplay: r.account_display,
    amountKopecks: r.amount_kopecks,
    currency: r.currency,
    comment: r.comment,
    extras: stringRecord(r.extras),
    precheck: toBool(r.precheck),
    batchKey: r.batch_key,
    entrySeq: r.entry_seq,
    state: r.state as PayoutState,
    nextAction: r.next_action as NextAction | null,
    paySent: toBool(r.pay_sent),
    attempts: r.attempts,
    nextCheckAt: r.next_check_at,
    notFoundCount: r.not_found_count,
    lastNotFoundAt: r.last_not_found_at,
    lastStatusRequestAt: r.last_status_request_at,
    qiwiStatus: r.qiwi_status,
    resultCode: r.result_code,
    txnId: r.txn_id,
    txnDate: r.txn_date,
    fatal: toBool(r.fatal),
    errorCode: r.error_code,
    errorMessage: r.error_message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finalAt: r.final_at
  }
}

export interface DbPayoutEventRow {
  id: number
  payout_id: number
  at: number
  kind: string
  request_type: string | null
  http_status: number | null
  body: string | null
  classification: string | null
  from_state: string | null
  to_state: string | null
  message: string | null
}

export function eventFromRow(r: DbPayoutEventRow): PayoutEvent {
  return {
    id: r.id,
    payoutId: r.payout_id,
    at: r.at,
    kind: r.kind as EventKind,
    requestType: r.request_type,
    httpStatus: r.http_status,
    body: r.body,
    classification: r.classification,
    fromState: r.from_state as PayoutState | null,
    toState: r.to_state as PayoutState | null,
    message: r.message
  }
}

export interface DbAlertRow {
  id: number
  terminal_ref: string | null
  payout_id: number | null
  kind: string
  code: string | null
  message: string
  count: number
  created_at: number
  last_at: number
  acknowledged_at: number | null
}

export function alertFromRow(r: DbAlertRow): Alert {
  return {
    id: r.id,
    terminalRef: r.terminal_ref,
    payoutId: r.payout_id,
    kind: r.kind as AlertKind,
    code: r.code,
    message: r.message,
    count: r.count,
    createdAt: r.created_at,
    lastAt: r.last_at,
    acknowledgedAt: r.acknowledged_at
  }
}

export interface DbAgentBalanceRow {
  terminal_ref: string
  currency: string
  amount: string
  updated_at: number
}

export function balanceFromRow(r: DbAgentBalanceRow): AgentBalance {
  return { terminalRef: r.terminal_ref, currency: r.currency, amount: r.amount, updatedAt: r.updated_at }
}

export interface DbSettingRow {
  key: string
  value: string
  updated_at: number
}
