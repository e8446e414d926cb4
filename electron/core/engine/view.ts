/**
 * Domain rows → the contract shapes of shared/payouts.ts (what the UI, the CLI and
 * scripts see). Never secrets: terminals expose which credentials exist, not values.
 */
import { formatAmount, parseWireAmount } from '../../../shared/money'
import type {
  AlertView,
  BalanceView,
  PayoutEventView,
  PayoutView,
  TerminalView
} from '../../../shared/payouts'
import { isFinalState } from '../db/payout-state'
import type { AgentBalance, Alert, Payout, PayoutEvent, Terminal } from '../db/types'
import { describePaymentCode, describeRequestCode, describeStatus } from '../topup/codes'
import type { Lang } from './types'

function resultMessage(p: Payout, lang: Lang): string | null {
  if (p.resultCode !== null && /^-?\d{1,6}$/.test(p.resultCode) && p.resultCode !== '0') {
    return describePaymentCode(p.service, Number(p.resultCode))[lang]
  }
  if (p.qiwiStatus !== null && /^-?\d{1,4}$/.test(p.qiwiStatus)) {
    return describeStatus(Number(p.qiwiStatus))[lang]
  }
  return null
}

/** A payout as the desk and the CLI show it. `terminal` null when the row's terminal is gone. */
export function toPayoutView(p: Payout, terminal: Terminal | null, lang: Lang = 'ru'): PayoutView {
  return {
    id: p.id,
    transactionNumber: p.transactionNumber,
    terminal: terminal?.name ?? p.terminalId,
    terminalRef: p.terminalRef,
    service: p.service,
    account: p.accountDisplay,
    amount: formatAmount(p.amountKopecks),
    amountKopecks: p.amountKopecks,
    currency: p.currency,
    comment: p.comment,
    state: p.state,
    final: isFinalState(p.state),
    status: p.qiwiStatus,
    resultCode: p.resultCode,
    resultMessage: resultMessage(p, lang),
    txnId: p.txnId,
    txnDate: p.txnDate,
    paused: terminal?.paused ?? false,
    nextCheckAt: p.nextCheckAt,
    attempts: p.attempts,
    error: p.errorCode !== null ? { code: p.errorCode, message: p.errorMessage ?? p.errorCode } : null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    finalAt: p.finalAt
  }
}

export function toEventView(e: PayoutEvent): PayoutEventView {
  return {
    id: e.id,
    at: e.at,
    kind: e.kind,
    requestType: e.requestType,
    httpStatus: e.httpStatus,
    body: e.body,
    classification: e.classification,
    fromState: e.fromState,
    toState: e.toState,
    message: e.message
  }
}

export function toAlertView(a: Alert): AlertView {
  return {
    id: a.id,
    terminalRef: a.terminalRef,
    payoutId: a.payoutId,
    kind: a.kind,
    code: a.code,
    message: a.message,
    count: a.count,
    createdAt: a.createdAt,
    lastAt: a.lastAt,
    acknowledgedAt: a.acknowledgedAt
  }
}

/** RUB is what the low-balance threshold is about. */
const RUB_CODES = new Set(['643', 'RUB'])

export function isLowBalance(
  b: Pick<AgentBalance, 'currency' | 'amount'>,
  terminal: Pick<Terminal, 'lowBalanceKopecks'>
): boolean {
  if (terminal.lowBalanceKopecks === null || !RUB_CODES.has(b.currency)) return false
  const k = parseWireAmount(b.amount)
  return k !== null && k < terminal.lowBalanceKopecks
}

export function toBalanceView(b: AgentBalance, terminal: Terminal): BalanceView {
  return {
    terminalRef: b.terminalRef,
    terminal: terminal.name,
    currency: b.currency,
    amount: b.amount,
    updatedAt: b.updatedAt,
    low: isLowBalance(b, terminal)
  }
}

/** Certificates expiring within 30 days are flagged. */
const EXPIRY_WARN_MS = 30 * 86_400_000

export function toTerminalView(t: Terminal, now: number = Date.now()): TerminalView {
  return {
    id: t.id,
    name: t.name,
    terminalId: t.terminalId,
    endpoint: t.endpoint,
    authMode: t.authMode,
    signatureAlg: t.signatureAlg,
    servicesAllowed: t.servicesAllowed,
    precheckAbsentWalletPolicy: t.precheckAbsentWalletPolicy,
    lowBalance: t.lowBalanceKopecks === null ? null : formatAmount(t.lowBalanceKopecks),
    minPollSeconds: t.minPollSeconds,
    deskPrefix: t.deskPrefix,
    paused: t.paused,
    pausedReason: t.pausedReason,
    pausedCode: t.pausedCode,
    credentials: {
      password: t.passwordRef !== null,
      signingKey: t.signingKeyRef !== null,
      clientCert: t.clientCertRef !== null,
      caCert: t.caCertRef !== null
    },
    certificate:
      t.certFingerprintSha256 === null && t.certSubject === null
        ? null
        : {
            subject: t.certSubject,
            issuer: t.certIssuer,
            fingerprintSha256: t.certFingerprintSha256,
            notAfter: t.certNotAfter,
            expiresSoon: t.certNotAfter !== null && t.certNotAfter - now <= EXPIRY_WARN_MS
          }
  }
}

/**
 * The CLI's stable JSON object for one payout (`pay --json`, `status --json`; history
 * adds createdAt/finalAt). Scripts depend on exactly these keys.
 */
export interface CliPayoutJson {
  transactionNumber: string
  terminal: string
  service: string
  account: string
  amount: string
  state: string
  final: boolean
  status: string | null
  resultCode: string | null
  txnId: string | null
  paused: boolean
  error: { code: string; message: string } | null
}

export function toCliJson(v: PayoutView): CliPayoutJson {
  return {
    transactionNumber: v.transactionNumber,
    terminal: v.terminal,
    service: v.service,
    account: v.account,
    amount: v.amount,
    state: v.state,
    final: v.final,
    status: v.status,
    resultCode: v.resultCode,
    txnId: v.txnId,
    paused: v.paused,
    error: v.error
  }
}

/** Message for a request-level code, for errors stored with a payout or an alert. */
export function requestCodeText(code: number, lang: Lang): string {
  return describeRequestCode(code)[lang]
}
