/**
 * wallet_history: the offline cache of a wallet's payment history, keyed by
 * (wallet, txnId, type) so both halves of a conversion pair are kept. Every query
 * here runs on the local file only (no network), so history, filters, search, CSV
 * and totals work with the API unreachable.
 */
import { AppError } from '../../../shared/errors'
import { CURRENCIES } from '../../../shared/money'
import type { WalletHistoryItemView } from '../../../shared/wallet'
import type { Db } from '../db/connection'
import { prepared, readQuery, writeTransaction } from '../db/connection'
import type { PaymentHistoryItem, TxnStatus, TxnType } from '../personal/types'

export type HistoryOperationFilter = 'ALL' | 'IN' | 'OUT' | 'QIWI_CARD'

/** Local filter (all optional). Dates are Unix ms, inclusive. */
export interface HistoryQuery {
  from?: number | undefined
  to?: number | undefined
  operation?: HistoryOperationFilter | undefined
  /** ISO 4217 numeric ("643") or alphabetic ("RUB") codes. */
  currencies?: readonly string[] | undefined
  statuses?: readonly TxnStatus[] | undefined
  /** Substring of txnId, trmTxnId, account, comment or provider name (case-insensitive). */
  search?: string | undefined
}

export interface Page {
  limit: number
  offset: number
}

export interface DbHistoryRow {
  id: number
  wallet_id: string
  txn_id: string
  type: TxnType
  status: TxnStatus
  status_text: string | null
  date: string
  at: number
  error_code: number
  error: string | null
  account: string | null
  person_id: string | null
  currency: string
  sum_kopecks: number
  sum_amount: string
  commission_kopecks: number | null
  commission_amount: string | null
  commission_currency: string | null
  total_kopecks: number
  total_amount: string
  total_currency: string
  provider_id: string | null
  provider_name: string | null
  comment: string | null
  trm_txn_id: string | null
  currency_rate: string | null
  fetched_at: number
  updated_at: number
}

/** Columns refreshed when QIWI sends an item again (status changes WAITING → SUCCESS/ERROR). */
const MUTABLE = [
  'status',
  'status_text',
  'date',
  'at',
  'error_code',
  'error',
  'account',
  'person_id',
  'currency',
  'sum_kopecks',
  'sum_amount',
  'commission_kopecks',
  'commission_amount',
  'commission_currency',
  'total_kopecks',
  'total_amount',
  'total_currency',
  'provider_id',
  'provider_name',
  'comment',
  'trm_txn_id',
  'currency_rate'
] as const

type MutableColumn = (typeof MUTABLE)[number]
type RowValues = Record<MutableColumn, string | number | null>

const INSERT_SQL = `INSERT INTO wallet_history (wallet_id, txn_id, type, ${MUTABLE.join(', ')}, fetched_at, updated_at)
  VALUES (?, ?, ?, ${MUTABLE.map(() => '?').join(', ')}, ?, ?)
  ON CONFLICT (wallet_id, txn_id, type) DO NOTHING`

const UPDATE_SQL = `UPDATE wallet_history SET ${MUTABLE.map((c) => `${c} = ?`).join(', ')}, fetched_at = ?, updated_at = ?
  WHERE wallet_id = ? AND txn_id = ? AND type = ? AND (${MUTABLE.map((c) => `${c} IS NOT ?`).join(' OR ')})`

/** Instant of a QIWI date (ISO with offset, validated by the client's schema). */
export function instantOf(date: string): number {
  const ms = Date.parse(date)
  if (!Number.isFinite(ms)) throw new AppError('protocol-error', `invalid history date: ${date.slice(0, 40)}`)
  return ms
}

function values(item: PaymentHistoryItem): RowValues {
  const provider = item.provider
  return {
    status: item.status,
    status_text: item.statusText,
    date: item.date,
    at: instantOf(item.date),
    error_code: item.errorCode,
    error: item.error,
    account: item.account,
    person_id: item.personId,
    currency: item.sum.currency,
    sum_kopecks: item.sum.kopecks,
    sum_amount: item.sum.amount,
    commission_kopecks: item.commission ? item.commission.kopecks : null,
    commission_amount: item.commission ? item.commission.amount : null,
    commission_currency: item.commission ? item.commission.currency : null,
    total_kopecks: item.total.kopecks,
    total_amount: item.total.amount,
    total_currency: item.total.currency,
    provider_id: provider?.id ?? null,
    provider_name: provider ? (provider.shortName ?? provider.longName) : null,
    comment: item.comment,
    trm_txn_id: item.trmTxnId,
    currency_rate: item.currencyRate
  }
}

export interface UpsertResult {
  added: number
  updated: number
}

/** Inserts new items and refreshes changed ones, in one immediate transaction. */
export function upsertHistory(
  db: Db,
  walletId: string,
  items: readonly PaymentHistoryItem[],
  now: number
): UpsertResult {
  if (items.length === 0) return { added: 0, updated: 0 }
  return writeTransaction(db, () => {
    const ins = prepared(db, INSERT_SQL)
    const upd = prepared(db, UPDATE_SQL)
    let added = 0
    let updated = 0
    for (const item of items) {
      const v = values(item)
      const cols = MUTABLE.map((c) => v[c])
      if (ins.run(walletId, item.txnId, item.type, ...cols, now, now).changes > 0) {
        added++
        continue
      }
      if (upd.run(...cols, now, now, walletId, item.txnId, item.type, ...cols).changes > 0) updated++
    }
    return { added, updated }
  })
}

export function countHistory(db: Db, walletId: string): number {
  return readQuery(
    db,
    () =>
      (
        prepared(db, 'SELECT count(*) AS n FROM wallet_history WHERE wallet_id = ?').get(walletId) as {
          n: number
        }
      ).n
  )
}

/** Date of the newest cached item, or null. */
export function newestAt(db: Db, walletId: string): number | null {
  return readQuery(db, () => {
    const r = prepared(db, 'SELECT max(at) AS at FROM wallet_history WHERE wallet_id = ?').get(walletId) as {
      at: number | null
    }
    return r.at
  })
}

/** Date of the oldest item still WAITING at or after `since`, or null. */
export function oldestWaitingSince(db: Db, walletId: string, since: number): number | null {
  return readQuery(db, () => {
    const r = prepared(
      db,
      "SELECT min(at) AS at FROM wallet_history WHERE wallet_id = ? AND status = 'WAITING' AND at >= ?"
    ).get(walletId, since) as { at: number | null }
    return r.at
  })
}

/** The cached OUT item carrying our client id as trmTxnId (reconciliation by cache). */
export function findByTrmTxnId(db: Db, walletId: string, trmTxnId: string): DbHistoryRow | null {
  return readQuery(db, () => {
    const r = prepared(
      db,
      "SELECT * FROM wallet_history WHERE wallet_id = ? AND trm_txn_id = ? AND type = 'OUT' ORDER BY at DESC LIMIT 1"
    ).get(walletId, trmTxnId) as DbHistoryRow | undefined
    return r ?? null
  })
}

const ALPHA_TO_NUMERIC: Record<string, string> = Object.fromEntries(
  Object.entries(CURRENCIES).map(([num, alpha]) => [alpha, num])
)

/** "RUB" → "643"; numeric codes pass; anything else is refused. */
export function normalizeCurrency(c: string): string {
  const s = c.trim().toUpperCase()
  if (/^\d{3}$/.test(s)) return s
  if (/^[A-Z]{3}$/.test(s)) return ALPHA_TO_NUMERIC[s] ?? s
  throw new AppError('invalid-input', `unknown currency: ${c.slice(0, 10)}`, { field: 'currencies' })
}

/** An FTS5 phrase: the text between double quotes, quotes doubled. */
function ftsPhrase(s: string): string {
  return `"${s.replace(/"/g, '""')}"`
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

interface Where {
  sql: string
  params: (string | number)[]
}

function buildWhere(walletId: string, q: HistoryQuery): Where {
  const parts = ['wallet_id = ?']
  const params: (string | number)[] = [walletId]
  if (q.from !== undefined) {
    parts.push('at >= ?')
    params.push(q.from)
  }
  if (q.to !== undefined) {
    parts.push('at <= ?')
    params.push(q.to)
  }
  if (q.operation !== undefined && q.operation !== 'ALL') {
    parts.push('type = ?')
    params.push(q.operation)
  }
  if (q.currencies && q.currencies.length > 0) {
    const cs = [...new Set(q.currencies.map(normalizeCurrency))]
    parts.push(`currency IN (${cs.map(() => '?').join(', ')})`)
    params.push(...cs)
  }
  if (q.statuses && q.statuses.length > 0) {
    const ss = [...new Set(q.statuses)]
    parts.push(`status IN (${ss.map(() => '?').join(', ')})`)
    params.push(...ss)
  }
  const search = q.search?.trim() ?? ''
  if (search.length >= 3) {
    // The trigram index answers any substring of 3+ characters, case-folded (Cyrillic too).
    parts.push('id IN (SELECT rowid FROM wallet_history_fts WHERE wallet_history_fts MATCH ?)')
    params.push(ftsPhrase(search))
  } else if (search.length > 0) {
    // 1–2 characters: too short for trigrams; a scan of this wallet's rows.
    const like = `%${likeEscape(search)}%`
    parts.push(
      "(txn_id LIKE ? ESCAPE '\\' OR coalesce(trm_txn_id, '') LIKE ? ESCAPE '\\' OR coalesce(account, '') LIKE ? ESCAPE '\\'" +
        " OR coalesce(comment, '') LIKE ? ESCAPE '\\' OR coalesce(provider_name, '') LIKE ? ESCAPE '\\')"
    )
    params.push(like, like, like, like, like)
  }
  return { sql: parts.join(' AND '), params }
}

const ORDER = 'ORDER BY at DESC, length(txn_id) DESC, txn_id DESC, type DESC'

/** Newest first. `page` undefined = every matching row (CSV export). */
export function queryHistory(db: Db, walletId: string, q: HistoryQuery, page?: Page): DbHistoryRow[] {
  const w = buildWhere(walletId, q)
  return readQuery(db, () => {
    if (page) {
      return prepared(db, `SELECT * FROM wallet_history WHERE ${w.sql} ${ORDER} LIMIT ? OFFSET ?`).all(
        ...w.params,
        page.limit,
        page.offset
      ) as DbHistoryRow[]
    }
    return prepared(db, `SELECT * FROM wallet_history WHERE ${w.sql} ${ORDER}`).all(
      ...w.params
    ) as DbHistoryRow[]
  })
}

export function countQuery(db: Db, walletId: string, q: HistoryQuery): number {
  const w = buildWhere(walletId, q)
  return readQuery(
    db,
    () =>
      (
        prepared(db, `SELECT count(*) AS n FROM wallet_history WHERE ${w.sql}`).get(...w.params) as {
          n: number
        }
      ).n
  )
}

export interface MonthTotalsRow {
  /** "YYYY-MM" in the given offset. */
  month: string
  currency: string
  /** Exact sums in minor units (BigInt: SQLite sums 64-bit integers). */
  incoming: bigint
  outgoing: bigint
}

/**
 * Incoming vs outgoing per month and currency over SUCCESS items, summed by SQLite as
 * 64-bit integers (exact; an overflow is an error, never a rounded value). Outgoing
 * counts OUT and QIWI_CARD; amounts are `sum` (without commission), as QIWI's own
 * totals (§4.2) are.
 */
export function monthTotals(
  db: Db,
  walletId: string,
  from: number,
  to: number,
  offsetMinutes: number
): MonthTotalsRow[] {
  return readQuery(db, () => {
    const rows = prepared(
      db,
      `SELECT strftime('%Y-%m', (at + ?) / 1000, 'unixepoch') AS month, currency,
         sum(CASE WHEN type = 'IN' THEN sum_kopecks ELSE 0 END) AS incoming,
         sum(CASE WHEN type = 'IN' THEN 0 ELSE sum_kopecks END) AS outgoing
       FROM wallet_history
       WHERE wallet_id = ? AND status = 'SUCCESS' AND at >= ? AND at <= ?
       GROUP BY month, currency
       ORDER BY month, currency`,
      { safeIntegers: true }
    ).all(BigInt(offsetMinutes * 60_000), walletId, BigInt(from), BigInt(to)) as {
      month: string
      currency: string
      incoming: bigint
      outgoing: bigint
    }[]
    return rows.map((r) => ({
      month: r.month,
      currency: r.currency,
      incoming: r.incoming,
      outgoing: r.outgoing
    }))
  })
}

/** Exact kopecks (BigInt) → "1234.56". */
export function formatBigKopecks(k: bigint): string {
  const neg = k < 0n
  const abs = neg ? -k : k
  return `${neg ? '-' : ''}${(abs / 100n).toString()}.${(abs % 100n).toString().padStart(2, '0')}`
}

export function toHistoryView(r: DbHistoryRow): WalletHistoryItemView {
  return {
    txnId: r.txn_id,
    type: r.type,
    status: r.status,
    date: r.date,
    at: r.at,
    account: r.account,
    sum: { amount: r.sum_amount, currency: r.currency },
    commission:
      r.commission_amount !== null && r.commission_currency !== null
        ? { amount: r.commission_amount, currency: r.commission_currency }
        : null,
    total: { amount: r.total_amount, currency: r.total_currency },
    provider: r.provider_name,
    comment: r.comment,
    trmTxnId: r.trm_txn_id,
    errorCode: r.error_code,
    error: r.error
  }
}
