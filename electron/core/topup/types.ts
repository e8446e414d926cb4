/**
 * Domain types of the QIWI Top-Up XML client (agent payouts).
 *
 * Conventions: money is integer kopecks going out and decimal strings coming back;
 * QIWI ids (transaction-number, txn_id) are strings of up to 20 digits; codes are
 * small integers. Spec: shared/spec/topup-xml.md.
 */

/** Payout products of the Top-Up API (spec §1). */
export type ServiceKind = 'wallet' | 'card' | 'card-spec' | 'card-foreign' | 'sbp' | 'mobile'

export const SERVICE_KINDS: readonly ServiceKind[] = [
  'wallet',
  'card',
  'card-spec',
  'card-foreign',
  'sbp',
  'mobile'
]

/** `to/service-id` constant of each product (spec §2.3). */
export const SERVICE_IDS = {
  wallet: '99',
  card: '34020',
  'card-spec': '32911',
  'card-foreign': '36655',
  sbp: '38413',
  mobile: '29130'
} as const satisfies Record<ServiceKind, string>

export type RequestType =
  'pay' | 'status' | 'check-deposit-possible' | 'check-user' | 'ping' | 'get-provider-by-phone-number'

export type SignatureAlgorithm = 'SHA1withRSA' | 'MD5withRSA'

/** Fields shared by every payout (spec §5.1–5.6). */
interface PayBase {
  /** Agent-side id, positive integer of 1–20 digits without leading zeros; the idempotency key. */
  transactionNumber: string
  /** Amount to credit (`to/amount`), integer kopecks > 0. */
  amountKopecks: number
  /** `to/account-number`, exactly as the product wants it (see each variant). */
  accountNumber: string
  /** `from/ccy`, agent account currency; default `RUB`. */
  fromCcy?: string | undefined
  /** `from/service-id`, optional channel id (positive integer). */
  fromServiceId?: string | undefined
}

/** QIWI Wallet top-up, service 99 (spec §5.1). `accountNumber` = phone without `+`. */
export interface WalletPayDetails extends PayBase {
  service: 'wallet'
  /**
   * `income_wire_transfer`: true = non-cash (1), false = cash (0). Required by the
   * current docs. `null` omits the extra, reproducing the pre-2020 protocol of seed 001;
   * use it only if QIWI confirms the terminal still runs that version.
   */
  incomeWireTransfer: boolean | null
  /** `to/ccy`; default `RUB`. */
  toCcy?: string | undefined
  /** Optional `<extra name="comment">` inside `<to>` (decision D4), ≤ 1000 characters. */
  comment?: string | undefined
}

/** Card of a Russian bank, service 34020 (spec §5.2). `accountNumber` = card digits. */
export interface CardPayDetails extends PayBase {
  service: 'card'
  toCcy?: string | undefined
}

/** Card "spec" variant, service 32911 (spec §5.3). `accountNumber` = phone WITH `+`. */
export interface CardSpecPayDetails extends PayBase {
  service: 'card-spec'
  /** Card number, sent as `<extra name="account1">`. */
  cardNumber: string
  toCcy?: string | undefined
}

/** Sender data required for foreign-card payouts (spec §5.4). */
export interface ForeignCardSender {
  firstName: string
  lastName: string
  address: string
  city: string
  /** ISO 3166-1 alpha-2. */
  countryCode: string
  zipCode: string
  resident: boolean
  /** dd.mm.yyyy */
  birthday: string
}

/**
 * Card of a foreign bank, service 36655 (spec §5.4). Suspended per the docs: the
 * builder refuses it unless `allowForeignCard: true` is passed in the build options.
 */
export interface ForeignCardPayDetails extends PayBase {
  service: 'card-foreign'
  sender: ForeignCardSender
  /** Required per the docs' table. */
  comment: string
  /** Recipient name in Latin letters, `LastName FirstName`. */
  cardHolder: string
  toCcy?: string | undefined
}

/** SBP payout, service 38413 (spec §5.5). `accountNumber` = phone `7xxxxxxxxxx`. */
export interface SbpPayDetails extends PayBase {
  service: 'sbp'
  /** SBP id of the recipient bank, `<extra name="bankId">`. */
  bankId: string
  toCcy?: string | undefined
}

/** Transit description of a mobile payout: `id:<provider>;acc:<phone w/o country code>;sum:<amount>`. */
export interface MobileTransit {
  /** Provider id from get-provider-by-phone-number. */
  providerId: string
  /** Phone without country code. */
  account: string
  /** Amount charged to the customer incl. fees, kopecks. */
  sumKopecks: number
}

/** Mobile phone account, service 29130 (spec §5.6). `accountNumber` = wallet id (phone). */
export interface MobilePayDetails extends PayBase {
  service: 'mobile'
  /** `<extra name="account0">`, built as `id:…;acc:…;sum:…`. */
  transit: MobileTransit
  /** Optional for mobile (QIWI then checks the account exists); omitted when undefined. */
  toCcy?: string | undefined
}

export type PayDetails =
  | WalletPayDetails
  | CardPayDetails
  | CardSpecPayDetails
  | ForeignCardPayDetails
  | SbpPayDetails
  | MobilePayDetails

/** Status request (spec §5.7): the number and the account of the original pay (decision D5). */
export interface StatusQuery {
  transactionNumber: string
  accountNumber: string
}

export interface CheckDepositQuery {
  /** Phone, international format without `+`. */
  phone: string
  /** Must match the later pay. */
  incomeWireTransfer: boolean
  ccy?: string | undefined
}

export interface CheckUserQuery {
  phone: string
  ccy?: string | undefined
}

export interface GetProviderQuery {
  /** Phone without country code. */
  phoneNumber: string
}

/** Client TLS certificate material (mode 3). */
export type ClientCertificate =
  | { kind: 'pfx'; pfx: Buffer; passphrase?: string | undefined }
  | { kind: 'pem'; key: string | Buffer; cert: string | Buffer; passphrase?: string | undefined }

/**
 * Authentication (spec §3). Credentials are plain values handed in by the caller;
 * this module never reads a store.
 *
 * - `password`: terminal-id + `<extra name="password">`.
 * - `signature`: X-Digital-Sign over the exact body bytes; the password extra is
 *   omitted (decision D2) unless `sendPassword` is true and a password is given.
 * - `certificate`: mutual TLS; the password extra is still sent (decision D3).
 */
export type TopupAuth =
  | { mode: 'password'; terminalId: string; password: string }
  | {
      mode: 'signature'
      terminalId: string
      privateKeyPem: string | Buffer
      passphrase?: string | undefined
      algorithm: SignatureAlgorithm
      sendPassword?: boolean | undefined
      password?: string | undefined
    }
  | { mode: 'certificate'; terminalId: string; password: string; clientCert: ClientCertificate }

/** Where and how to connect. */
export interface TopupEndpointConfig {
  /**
   * Origin only, e.g. `https://api.qiwi.com` or `http://127.0.0.1:8123`; the client
   * appends `/xml/topup.jsp` or `/xml/xmlcp.jsp`. `http:` is accepted for loopback hosts only.
   */
  origin: string
  /** Trust anchors replacing the default roots (e.g. the QIWI CA of mode 3). */
  ca?: string | Buffer | Array<string | Buffer> | undefined
  /** SPKI SHA-256 pins (base64); when non-empty the server key must match one. */
  spkiPins?: readonly string[] | undefined
  /** TCP + TLS handshake deadline, ms (default 10 000). */
  connectTimeoutMs?: number | undefined
  /** Whole exchange deadline incl. the body, ms (default 60 000). */
  totalTimeoutMs?: number | undefined
  /** Reply body cap in bytes (default 64 KiB). */
  maxResponseBytes?: number | undefined
}

/** One element of `<balances>`: ISO 4217 numeric code → decimal string ("200.00"). */
export type Balances = Record<string, string>

export type PayOutcomeKind =
  'final-success' | 'final-failure' | 'not-final' | 'not-registered' | 'not-found' | 'unknown'

/**
 * Why an outcome was chosen; `ok` for a well-formed reply that was classified on
 * its payment. Any other reason comes with kind `unknown` (or `not-found`).
 */
export type OutcomeReason =
  | 'ok'
  | 'transport'
  | 'timeout'
  | 'tls'
  | 'http-status'
  | 'too-large'
  | 'empty-body'
  | 'xml-invalid'
  | 'xml-rejected'
  | 'request-error'
  | 'no-payment'
  | 'txn-mismatch'
  | 'ambiguous'
  | 'incomplete'
  | 'contradictory'
  | 'duplicate-mismatch'
  | 'final-unexpected-status'

/** Classification of a pay or status exchange (see docs/CLASSIFIER.md). */
export interface PayOutcome {
  kind: PayOutcomeKind
  reason: OutcomeReason
  /** fatal="true" / fatal-error="true" or a fatal code (150, 339…): pause and alert, never fail. */
  fatal: boolean
  /** Payment result code 215: same number, different details (client bug). */
  duplicateMismatch: boolean
  /** Request-level `<result-code>` (0 when absent and a payment was present). */
  requestResultCode?: number | undefined
  /** Request-level message (decoded text). */
  requestMessage?: string | undefined
  transactionNumber?: string | undefined
  txnId?: string | undefined
  txnDate?: string | undefined
  status?: number | undefined
  /** Payment-level result code. */
  resultCode?: number | undefined
  finalStatus?: boolean | undefined
  message?: string | undefined
  fromAmount?: string | undefined
  fromCcy?: string | undefined
  toAmount?: string | undefined
  toCcy?: string | undefined
  toServiceId?: string | undefined
  toAccountNumber?: string | undefined
  /** Card payouts: payment id in the card scheme (`extra name="rrn"`). */
  rrn?: string | undefined
  /** Card payouts: payment id in the recipient bank (`extra name="billRegId"`). */
  billRegId?: string | undefined
  balances: Balances
}

/** Result of check-deposit-possible under the rule of spec §5.9. */
export interface CheckDepositOutcome {
  /** `possible`: pay allowed; `impossible`: do not pay (nothing was sent); `retry`: check again later. */
  kind: 'possible' | 'impossible' | 'retry'
  reason: OutcomeReason | 'deposit-impossible' | 'fatal-code'
  exist?: boolean | undefined
  depositPossible?: boolean | undefined
  requestResultCode?: number | undefined
  requestMessage?: string | undefined
  fatal: boolean
}

/** Generic outcome for check-user, ping and get-provider. */
export type QueryOutcome<T> =
  | { ok: true; value: T; requestResultCode: number }
  | {
      ok: false
      reason: OutcomeReason
      fatal: boolean
      requestResultCode?: number | undefined
      requestMessage?: string | undefined
    }

export interface CheckUserValue {
  exist: boolean
}
export interface PingValue {
  balances: Balances
}
export interface ProviderValue {
  providerId: string
}

/** Transport-level failure kinds. */
export type TransportErrorKind =
  | 'refused-insecure'
  | 'bad-endpoint'
  | 'credential'
  | 'connect-timeout'
  | 'timeout'
  | 'tls'
  | 'pin-mismatch'
  | 'network'
  | 'too-large'
  | 'incomplete'
  | 'signing'

export interface TransportError {
  kind: TransportErrorKind
  /** Node error code when there was one (e.g. ERR_TLS_CERT_ALTNAME_INVALID). */
  code?: string | undefined
  message: string
  /** True when the failure happened before any request byte could have left. */
  beforeSend: boolean
}

/** What the caller may journal for one exchange: never secrets. */
export interface ExchangeRecord {
  requestType: RequestType
  url: string
  /** The request XML with the password extra replaced by `***`. */
  requestXmlRedacted: string
  httpStatus?: number | undefined
  /** Raw reply text (UTF-8 decoded, lossy) when a body was received. */
  replyText?: string | undefined
  error?: TransportError | undefined
  durationMs: number
}

export interface ClientResult<T> {
  outcome: T
  exchange: ExchangeRecord
}
