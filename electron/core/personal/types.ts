/**
 * Domain types of the QIWI personal wallet API (spec: shared/spec/personal-api.md).
 *
 * Conventions: amounts are decimal strings with exactly two decimals ("3497.50")
 * plus integer kopecks; ids (txnId, personId, client ids, provider ids) are
 * strings of digits (they may exceed 2^53); dates are the ISO-8601 strings the
 * server sent (offset preserved, e.g. "2017-01-21T11:41:07+03:00"); currencies are
 * ISO 4217 numeric codes as strings ("643").
 */
import type { PersonalApiError } from './errors'

/** ISO 4217 numeric code as a string, e.g. "643" (RUB), "840" (USD), "398" (KZT), "978" (EUR). */
export type CurrencyCode = string

export interface Money {
  /** Decimal string with two decimals, e.g. "3497.50". */
  amount: string
  /** The same amount in minor units (kopecks / cents / tiyn). */
  kopecks: number
  currency: CurrencyCode
}

/** Token permissions as chosen on qiwi.com (spec §2). */
export type PersonalScope = 'profile' | 'balance' | 'history' | 'payments'
export const PERSONAL_SCOPES: readonly PersonalScope[] = ['profile', 'balance', 'history', 'payments']

export type HistoryOperation = 'ALL' | 'IN' | 'OUT' | 'QIWI_CARD'
export const HISTORY_OPERATIONS: readonly HistoryOperation[] = ['ALL', 'IN', 'OUT', 'QIWI_CARD']

/** `sources[n]` filter values (v2: QW_RUB, QW_USD, QW_EUR, CARD, MK; v1 adds QW_KZT). */
export type HistorySource = 'QW_RUB' | 'QW_USD' | 'QW_EUR' | 'QW_KZT' | 'CARD' | 'MK'
export const HISTORY_SOURCES: readonly HistorySource[] = [
  'QW_RUB',
  'QW_USD',
  'QW_EUR',
  'QW_KZT',
  'CARD',
  'MK'
]

export type TxnType = 'IN' | 'OUT' | 'QIWI_CARD'
export type TxnStatus = 'WAITING' | 'SUCCESS' | 'ERROR'

/** `provider` / `source` objects of a history item. */
export interface ProviderInfo {
  id: string | null
  shortName: string | null
  longName: string | null
  logoUrl: string | null
  description: string | null
  keys: string | null
  siteUrl: string | null
}

export interface PaymentHistoryItem {
  txnId: string
  personId: string
  date: string
  /** Spec §11.2 code; 0 = OK. */
  errorCode: number
  error: string | null
  status: TxnStatus
  type: TxnType
  statusText: string | null
  /** The client id of the payment request (`id`), when the payment was made through the API. */
  trmTxnId: string | null
  account: string | null
  sum: Money
  commission: Money | null
  total: Money
  provider: ProviderInfo | null
  source: ProviderInfo | null
  comment: string | null
  /** Conversion rate as a normalized decimal string ("1", "6.22665"), null when absent. */
  currencyRate: string | null
}

export interface TransactionFeatures {
  chequeReady: boolean | null
  bankDocumentAvailable: boolean | null
  bankDocumentReady: boolean | null
  repeatPaymentEnabled: boolean | null
  favoritePaymentEnabled: boolean | null
  regularPaymentEnabled: boolean | null
  chatAvailable: boolean | null
  greetingCardAttached: boolean | null
}

/** Single-transaction lookup (§4.3): a history item plus feature flags. */
export interface Transaction extends PaymentHistoryItem {
  features: TransactionFeatures | null
  view: { title: string | null; account: string | null } | null
}

export interface HistoryPage {
  data: PaymentHistoryItem[]
  /** Cursor for the next page; null on the last page. */
  nextTxnId: string | null
  nextTxnDate: string | null
}

export interface Totals {
  incomingTotal: Money[]
  outgoingTotal: Money[]
}

export interface Profile {
  authInfo: {
    personId: string | null
    registrationDate: string | null
    boundEmail: string | null
    ip: string | null
    lastLoginDate: string | null
    mobilePinUsed: boolean | null
    lastMobilePinChange: string | null
    nextMobilePinChange: string | null
    passwordUsed: boolean | null
    lastPassChange: string | null
    nextPassChange: string | null
    pinUsed: boolean | null
  } | null
  contractInfo: {
    blocked: boolean | null
    contractId: string | null
    creationDate: string | null
    identificationInfo: {
      bankAlias: string | null
      identificationLevel: string | null
      passportExpired: boolean | null
    }[]
  } | null
  userInfo: {
    defaultPayCurrency: CurrencyCode | null
    defaultPaySource: string | null
    email: string | null
    firstTxnId: string | null
    language: string | null
    operator: string | null
    phoneHash: string | null
    promoEnabled: string | null
  } | null
}

export interface Account {
  alias: string
  fsAlias: string | null
  bankAlias: string | null
  title: string | null
  type: { id: string | null; title: string | null } | null
  hasBalance: boolean
  /** null when the account has no balance, or QIWI did not return one even after the documented re-query. */
  balance: Money | null
  currency: CurrencyCode | null
}

export interface Commission {
  providerId: string
  withdrawSum: Money
  enrollmentSum: Money
  /** The fee (spec §6). */
  qwCommission: Money
  fundingSourceCommission: Money | null
  withdrawToEnrollmentRate: string | null
}

/** Reply of a payment request (`PaymentInfo`, §7.2). */
export interface PaymentInfo {
  /** Copy of the client id (a leading ':' as printed in the legacy doc is removed). */
  id: string
  terms: string | null
  fields: Record<string, string>
  sum: Money
  /** QIWI transaction id (the history `txnId`). */
  transactionId: string
  /** Only "Accepted" is documented; not final. */
  state: string
  source: string | null
  comment: string | null
}

export interface TransferRequest {
  /** Client id: 1..20 digits, unique and increasing per wallet; allocate and persist it before calling. */
  clientId: string
  /** Recipient wallet in international format (`+79121112233` or `79121112233`). */
  account: string
  /** Positive amount in kopecks (RUB). */
  amountKopecks: number
  comment?: string | undefined
}

/**
 * Outcome of a transfer. `unknown` means the request may have been processed
 * (connection reset or timeout after sending, 5xx, unreadable 2xx): never
 * re-send with a new id; reconcile with `findTransferByClientId` first (P3).
 */
export type TransferResult =
  | { status: 'accepted'; clientId: string; payment: PaymentInfo }
  | { status: 'rejected'; clientId: string; error: PersonalApiError }
  | { status: 'unknown'; clientId: string; error: PersonalApiError }

export type PermissionState = 'granted' | 'missing' | 'error'

export interface PermissionProbe {
  state: PermissionState
  /** Why the state is 'error' (network, unexpected status); absent otherwise. */
  error?: PersonalApiError | undefined
}

export interface PermissionReport {
  /** The token itself was refused (HTTP 401 on every probe): all permissions are moot. */
  tokenValid: boolean
  /** Wallet number from the profile, or the one supplied by the caller. */
  wallet: string | null
  profile: PermissionProbe
  balance: PermissionProbe
  history: PermissionProbe
  payments: PermissionProbe
}

/** v1 (legacy, seed 002) balance entry. */
export interface LegacyAccount {
  fsAlias: string | null
  title: string | null
  type: { id: string | null; title: string | null } | null
  currency: CurrencyCode | null
  balance: Money | null
}
