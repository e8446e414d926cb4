/**
 * State of the personal-API emulator: wallets (accounts, history), tokens and
 * the transfer ledger. Plain data (kopecks as safe integers, ids as strings), so
 * it persists as one JSON file written atomically (sandbox/json-store.ts).
 */
import { z } from 'zod'
import type { HistorySource, PersonalScope, TxnStatus, TxnType } from '../../personal/types'

export interface EmuAccount {
  alias: string
  fsAlias: string
  title: string
  typeId: string
  typeTitle: string
  /** ISO 4217 numeric. */
  currency: string
  hasBalance: boolean
  kopecks: number
  /**
   * The plain account list shows `balance: null` for this account; only the
   * documented re-query (`?timeout=1000&alias=…`) returns the amount (spec §5.1, P13).
   */
  balanceOnlyOnRequery: boolean
}

export interface EmuHistoryItem {
  txnId: string
  type: TxnType
  /** Final status; WAITING items with `waitingUntilMs` become this when the time has come. */
  status: TxnStatus
  errorCode: number
  dateMs: number
  /** While now < waitingUntilMs the item reads as WAITING (payment processing time). */
  waitingUntilMs: number | null
  account: string
  currency: string
  sumKopecks: number
  commissionKopecks: number
  providerId: number
  providerShortName: string
  providerLongName: string
  source: HistorySource
  comment: string
  trmTxnId: string | null
  /** Normalized decimal. */
  currencyRate: string
}

export interface EmuWallet {
  wallet: string
  createdMs: number
  blocked: boolean
  identificationLevel: 'ANONYMOUS' | 'SIMPLE' | 'VERIFIED' | 'FULL'
  email: string | null
  operator: string
  accounts: EmuAccount[]
  /** Sorted newest first: date desc, txnId desc, OUT before IN. */
  history: EmuHistoryItem[]
  casPassword: string | null
}

export interface EmuToken {
  token: string
  wallet: string
  scopes: PersonalScope[]
  createdMs: number
}

export interface TransferRecord {
  clientId: string
  fromWallet: string
  /** Recipient as sent in fields.account. */
  toAccount: string
  kopecks: number
  commissionKopecks: number
  currency: string
  comment: string | null
  txnId: string
  createdMs: number
  /** Requests that carried this client id (1 + replays + refused different-detail repeats). */
  requestCount: number
  via: 'edge' | 'legacy-web'
}

export interface EmuState {
  version: 1
  nextTxnId: number
  wallets: Record<string, EmuWallet>
  tokens: Record<string, EmuToken>
  transfers: TransferRecord[]
}

export function emptyState(): EmuState {
  return { version: 1, nextTxnId: 20_000_000_000, wallets: {}, tokens: {}, transfers: [] }
}

export function allocTxnId(s: EmuState): string {
  const id = s.nextTxnId
  s.nextTxnId = id + 1
  return String(id)
}

export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/** Newest first; ties on date by txnId desc; a conversion pair (same txnId) OUT before IN. */
export function compareItems(a: EmuHistoryItem, b: EmuHistoryItem): number {
  if (a.dateMs !== b.dateMs) return b.dateMs - a.dateMs
  const c = compareIds(b.txnId, a.txnId)
  if (c !== 0) return c
  return typeOrder(a.type) - typeOrder(b.type)
}

function typeOrder(t: TxnType): number {
  return t === 'OUT' ? 0 : t === 'QIWI_CARD' ? 1 : 2
}

export function insertHistory(w: EmuWallet, item: EmuHistoryItem): void {
  // Binary search for the insertion point keeps the list sorted in O(log n) comparisons.
  let lo = 0
  let hi = w.history.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const m = w.history[mid]
    if (m && compareItems(m, item) <= 0) lo = mid + 1
    else hi = mid
  }
  w.history.splice(lo, 0, item)
}

// ------------------------------------------------------------ persistence

const scopeSchema = z.enum(['profile', 'balance', 'history', 'payments'])
const kop = z.number().int().refine(Number.isSafeInteger)

const stateSchema = z.object({
  version: z.literal(1),
  nextTxnId: kop,
  wallets: z.record(
    z.string(),
    z.object({
      wallet: z.string().regex(/^\d{5,15}$/),
      createdMs: kop,
      blocked: z.boolean(),
      identificationLevel: z.enum(['ANONYMOUS', 'SIMPLE', 'VERIFIED', 'FULL']),
      email: z.string().nullable(),
      operator: z.string(),
      accounts: z.array(
        z.object({
          alias: z.string(),
          fsAlias: z.string(),
          title: z.string(),
          typeId: z.string(),
          typeTitle: z.string(),
          currency: z.string().regex(/^\d{3}$/),
          hasBalance: z.boolean(),
          kopecks: kop,
          balanceOnlyOnRequery: z.boolean()
        })
      ),
      history: z.array(
        z.object({
          txnId: z.string().regex(/^\d{1,20}$/),
          type: z.enum(['IN', 'OUT', 'QIWI_CARD']),
          status: z.enum(['WAITING', 'SUCCESS', 'ERROR']),
          errorCode: z.number().int(),
          dateMs: kop,
          waitingUntilMs: kop.nullable(),
          account: z.string(),
          currency: z.string().regex(/^\d{3}$/),
          sumKopecks: kop,
          commissionKopecks: kop,
          providerId: z.number().int(),
          providerShortName: z.string(),
          providerLongName: z.string(),
          source: z.enum(['QW_RUB', 'QW_USD', 'QW_EUR', 'QW_KZT', 'CARD', 'MK']),
          comment: z.string(),
          trmTxnId: z.string().nullable(),
          currencyRate: z.string()
        })
      ),
      casPassword: z.string().nullable()
    })
  ),
  tokens: z.record(
    z.string(),
    z.object({ token: z.string(), wallet: z.string(), scopes: z.array(scopeSchema), createdMs: kop })
  ),
  transfers: z.array(
    z.object({
      clientId: z.string(),
      fromWallet: z.string(),
      toAccount: z.string(),
      kopecks: kop,
      commissionKopecks: kop,
      currency: z.string(),
      comment: z.string().nullable(),
      txnId: z.string(),
      createdMs: kop,
      requestCount: z.number().int(),
      via: z.enum(['edge', 'legacy-web'])
    })
  )
})

/** Validates a persisted state (our own file; still checked, since a half-edited file must not crash the app). */
export function parseState(v: unknown): EmuState | null {
  const r = stateSchema.safeParse(v)
  if (!r.success) return null
  const s = r.data as EmuState
  for (const w of Object.values(s.wallets)) w.history.sort(compareItems)
  return s
}
