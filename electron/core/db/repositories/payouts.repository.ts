/**
 * payouts: the write-ahead intent of every payout and its lifecycle.
 *
 * - `createIntent` allocates the transaction-number and inserts the row and its
 *   first journal entry in ONE immediate transaction, before anything is sent
 *   (Brandur's "atomic phase before the foreign mutation"). The same client request
 *   id (or batch key) returns the existing row: one user action, one intent.
 * - `transition` is the only way a payout changes: optimistic on the expected
 *   current state, journaled in the same transaction, and checked again by the
 *   triggers of 0001_init.sql.
 * - History queries build SQL from whitelisted fragments with bound parameters (the
 *   page limit, a checked integer, is the one literal) and are shaped to use the
 *   indexes of 0001_init.sql.
 */
import type Database from 'better-sqlite3'
import { AppError } from '../../../../shared/errors'
import type { Db } from '../connection'
import { prepared, readQuery, writeTransaction } from '../connection'
import { isFinalState, paySentFor } from '../payout-state'
import type { DbPayoutRow } from '../rows'
import { payoutFromRow, toBit } from '../rows'
import { allocateTransactionNumber } from '../txn-allocator'
import type {
  CreateIntentResult,
  DayReportRow,
  HourReportRow,
  NewPayout,
  NewPayoutEvent,
  Payout,
  PayoutFilter,
  PayoutPage,
  PayoutPageRequest,
  PayoutPatch,
  PayoutService,
  PayoutSortColumn,
  PayoutState,
  PayoutTotals,
  Totals
} from '../types'
import { PAYOUT_SERVICES, PAYOUT_SORT_COLUMNS, PAYOUT_STATES, SERVICE_IDS } from '../types'
import {
  clientRequestIdSchema,
  newPayoutSchema,
  parseInput,
  parsePayoutFilter,
  payoutPatchSchema,
  payoutStateSchema,
  timestamp
} from '../validate'
import { insertEvent } from './events.repository'

// ---------------------------------------------------------------------------
// Create

interface NormalizedPayout {
  terminalRef: string
  service: PayoutService
  account: string
  accountDisplay: string
  amountKopecks: number
  currency: string
  comment: string | null
  extras: string
  precheck: boolean
  batchKey: string | null
}

/** JSON with sorted keys, so equal extras compare equal as text. */
function canonicalExtras(extras: Record<string, string> | undefined): string {
  const sorted: Record<string, string> = {}
  for (const k of Object.keys(extras ?? {}).sort()) sorted[k] = (extras ?? {})[k] ?? ''
  return JSON.stringify(sorted)
}

function normalize(d: NewPayout): NormalizedPayout {
  return {
    terminalRef: d.terminalRef,
    service: d.service,
    account: d.account,
    accountDisplay: d.accountDisplay,
    amountKopecks: d.amountKopecks,
    currency: d.currency ?? 'RUB',
    comment: d.comment ?? null,
    extras: canonicalExtras(d.extras),
    precheck: d.precheck ?? false,
    batchKey: d.batchKey ?? null
  }
}

function firstDifference(row: DbPayoutRow, n: NormalizedPayout): string | null {
  const pairs: [string, unknown, unknown][] = [
    ['terminalRef', row.terminal_ref, n.terminalRef],
    ['service', row.service, n.service],
    ['account', row.account, n.account],
    ['accountDisplay', row.account_display, n.accountDisplay],
    ['amountKopecks', row.amount_kopecks, n.amountKopecks],
    ['currency', row.currency, n.currency],
    ['comment', row.comment, n.comment],
    ['extras', row.extras, n.extras],
    ['precheck', row.precheck, toBit(n.precheck)],
    ['batchKey', row.batch_key, n.batchKey]
  ]
  for (const [field, a, b] of pairs) if (a !== b) return field
  return null
}

function existing(
  row: DbPayoutRow,
  n: NormalizedPayout,
  via: 'clientRequestId' | 'batchKey'
): CreateIntentResult {
  const diff = firstDifference(row, n)
  if (diff !== null) {
    throw new AppError(
      'payout-exists',
      `${via} already belongs to payout ${row.id} with a different ${diff}; nothing was created`,
      { payoutId: row.id, via, field: diff }
    )
  }
  return { payout: payoutFromRow(row), created: false }
}

/**
 * Persists a payout intent: allocates the transaction-number, inserts the row
 * (state 'queued', next action 'precheck' or 'pay', due now) and a journal entry,
 * all in one immediate transaction.
 *
 * Idempotent: if `clientRequestId` (or `details.batchKey`) already has a payout with
 * the same details, that payout is returned with `created: false`; with different
 * details it throws 'payout-exists' and creates nothing.
 *
 * Other errors: 'invalid-input', 'unknown-terminal', 'service-not-allowed',
 * 'storage-busy' / 'storage-readonly' / 'storage-full' / 'storage' (nothing written).
 */
export function createIntent(
  db: Db,
  details: NewPayout,
  clientRequestId: string,
  now: number = Date.now()
): CreateIntentResult {
  const d = parseInput(newPayoutSchema, details, 'payout')
  const crid = parseInput(clientRequestIdSchema, clientRequestId, 'clientRequestId')
  const n = normalize(d)
  return writeTransaction(db, () => {
    const byRequest = prepared(db, 'SELECT * FROM payouts WHERE client_request_id = ?').get(crid) as
      DbPayoutRow | undefined
    if (byRequest) return existing(byRequest, n, 'clientRequestId')
    if (n.batchKey !== null) {
      const byBatch = prepared(db, 'SELECT * FROM payouts WHERE batch_key = ?').get(n.batchKey) as
        DbPayoutRow | undefined
      if (byBatch) return existing(byBatch, n, 'batchKey')
    }
    const t = prepared(
      db,
      'SELECT terminal_id, desk_prefix, services_allowed FROM terminals WHERE id = ?'
    ).get(n.terminalRef) as { terminal_id: string; desk_prefix: number; services_allowed: string } | undefined
    if (!t) {
      throw new AppError('unknown-terminal', `no terminal with id ${n.terminalRef}`, {
        terminalRef: n.terminalRef
      })
    }
    const allowed: unknown = JSON.parse(t.services_allowed)
    if (!Array.isArray(allowed) || !allowed.includes(n.service)) {
      throw new AppError('service-not-allowed', `service ${n.service} is not enabled for this terminal`, {
        service: n.service
      })
    }
    const transactionNumber = allocateTransactionNumber(db, t.terminal_id, t.desk_prefix, now)
    const seq = prepared(
      db,
      'SELECT coalesce(max(entry_seq), 0) + 1 AS seq FROM payouts WHERE terminal_ref = ?'
    ).get(n.terminalRef) as { seq: number }
    const row = prepared(
      db,
      `INSERT INTO payouts (
         client_request_id, terminal_ref, terminal_id, transaction_number, service, service_id,
         account, account_display, amount_kopecks, currency, comment, extras, precheck, batch_key,
         entry_seq, state, next_action, pay_sent, attempts, next_check_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, 0, 0, ?, ?, ?)
       RETURNING *`
    ).get(
      crid,
      n.terminalRef,
      t.terminal_id,
      transactionNumber,
      n.service,
      SERVICE_IDS[n.service],
      n.account,
      n.accountDisplay,
      n.amountKopecks,
      n.currency,
      n.comment,
      n.extras,
      toBit(n.precheck),
      n.batchKey,
      seq.seq,
      n.precheck ? 'precheck' : 'pay',
      now,
      now,
      now
    ) as DbPayoutRow
    insertEvent(db, row.id, { kind: 'state', toState: 'queued', message: 'intent created' }, now)
    return { payout: payoutFromRow(row), created: true }
  })
}

// ---------------------------------------------------------------------------
// Read one

export function getPayout(db: Db, id: number): Payout | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM payouts WHERE id = ?').get(id) as DbPayoutRow | undefined
    return row ? payoutFromRow(row) : null
  })
}

export function getPayoutByClientRequestId(db: Db, clientRequestId: string): Payout | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM payouts WHERE client_request_id = ?').get(clientRequestId) as
      DbPayoutRow | undefined
    return row ? payoutFromRow(row) : null
  })
}

/** The payout QIWI knows as (terminal-id, transaction-number). */
export function getPayoutByTransactionNumber(
  db: Db,
  terminalId: string,
  transactionNumber: string
): Payout | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM payouts WHERE terminal_id = ? AND transaction_number = ?').get(
      terminalId,
      transactionNumber
    ) as DbPayoutRow | undefined
    return row ? payoutFromRow(row) : null
  })
}

// ---------------------------------------------------------------------------
// Transition

const PATCH_COLUMNS: Record<keyof PayoutPatch, string> = {
  nextAction: 'next_action',
  paySent: 'pay_sent',
  attempts: 'attempts',
  nextCheckAt: 'next_check_at',
  notFoundCount: 'not_found_count',
  lastNotFoundAt: 'last_not_found_at',
  lastStatusRequestAt: 'last_status_request_at',
  qiwiStatus: 'qiwi_status',
  resultCode: 'result_code',
  txnId: 'txn_id',
  txnDate: 'txn_date',
  fatal: 'fatal',
  errorCode: 'error_code',
  errorMessage: 'error_message'
}

/** Text limits of the columns; server-derived text is cut rather than refused. */
const TEXT_LIMITS: Partial<Record<keyof PayoutPatch, number>> = {
  qiwiStatus: 16,
  resultCode: 16,
  txnId: 64,
  txnDate: 64,
  errorCode: 64,
  errorMessage: 2000
}

function clipPatch(patch: PayoutPatch): PayoutPatch {
  const out: Record<string, unknown> = { ...patch }
  for (const [key, max] of Object.entries(TEXT_LIMITS) as [keyof PayoutPatch, number][]) {
    const v = out[key]
    if (typeof v === 'string') out[key] = v.length > max ? v.slice(0, max) : v
  }
  // QIWI's empty txn_id means "not registered": store it as absent.
  if (out.txnId === '') out.txnId = null
  return out as PayoutPatch
}

/**
 * Moves payout `id` from `from` to `to` (which may equal `from` for a non-final
 * state, to update fields), applies `patch`, and appends `event` (one or several
 * journal entries; their fromState/toState default to from/to) in one immediate
 * transaction.
 *
 * Managed fields: updated_at = now; pay_sent defaults to what `to` requires (1 in
 * sending/waiting/succeeded/failed); entering a final state sets final_at = now and
 * clears next_action/next_check_at (patch values for those are ignored).
 *
 * Throws: 'not-found'; 'conflict' when the payout is not in `from` (another writer
 * won) or the move is illegal; 'payout-final' when it is already final;
 * 'forbidden' for identity columns; storage errors. Nothing is written on error.
 */
export function transition(
  db: Db,
  id: number,
  from: PayoutState,
  to: PayoutState,
  patch: PayoutPatch,
  event: NewPayoutEvent | readonly NewPayoutEvent[],
  now: number = Date.now()
): Payout {
  parseInput(payoutStateSchema, from, 'from')
  parseInput(payoutStateSchema, to, 'to')
  parseInput(timestamp, now, 'now')
  const p = parseInput(payoutPatchSchema, clipPatch(patch), 'patch')
  const events: readonly NewPayoutEvent[] = Array.isArray(event) ? event : [event as NewPayoutEvent]

  const sets: string[] = ['state = ?', 'updated_at = ?']
  const vals: (string | number | null)[] = [to, now]
  const final = isFinalState(to)
  const values: Record<string, string | number | null> = {}
  for (const key of Object.keys(p) as (keyof PayoutPatch)[]) {
    const v = p[key]
    if (v === undefined) continue
    values[PATCH_COLUMNS[key]] = typeof v === 'boolean' ? toBit(v) : v
  }
  if (!('pay_sent' in values)) values.pay_sent = toBit(paySentFor(to))
  if (final) {
    values.next_action = null
    values.next_check_at = null
    values.final_at = now
  }
  for (const [col, v] of Object.entries(values)) {
    sets.push(`${col} = ?`)
    vals.push(v)
  }

  return writeTransaction(db, () => {
    // cached: the set of patch shapes an engine uses is small, and compiling an UPDATE
    // of payouts (with its triggers) costs far more than running it
    const row = prepared(
      db,
      `UPDATE payouts SET ${sets.join(', ')} WHERE id = ? AND state = ? RETURNING *`
    ).get(...vals, id, from) as DbPayoutRow | undefined
    if (!row) {
      const cur = prepared(db, 'SELECT state FROM payouts WHERE id = ?').get(id) as
        { state: PayoutState } | undefined
      if (!cur) throw new AppError('not-found', `no payout with id ${id}`, { payoutId: id })
      if (isFinalState(cur.state)) {
        throw new AppError('payout-final', `payout ${id} is already ${cur.state}`, {
          payoutId: id,
          actual: cur.state
        })
      }
      throw new AppError('conflict', `payout ${id} is ${cur.state}, not ${from}`, {
        payoutId: id,
        expected: from,
        actual: cur.state
      })
    }
    for (const e of events) {
      insertEvent(db, id, { ...e, fromState: e.fromState ?? from, toState: e.toState ?? to }, now)
    }
    return payoutFromRow(row)
  })
}

// ---------------------------------------------------------------------------
// Work queue

// INDEXED BY: without ANALYZE statistics the planner prefers the (state, created_at)
// index and sorts; the partial index holds only non-final rows, already in due order.
const DUE_ALL_SQL = `SELECT p.* FROM payouts p INDEXED BY payouts_due
  WHERE p.state IN ('queued', 'sending', 'waiting') AND p.next_check_at <= ?
  ORDER BY p.next_check_at, p.id LIMIT ?`
const DUE_UNPAUSED_SQL = `SELECT p.* FROM payouts p INDEXED BY payouts_due JOIN terminals t ON t.id = p.terminal_ref
  WHERE p.state IN ('queued', 'sending', 'waiting') AND p.next_check_at <= ? AND t.paused = 0
  ORDER BY p.next_check_at, p.id LIMIT ?`

/** SQL of the work queue (exported so tests can EXPLAIN it). */
export function dueForWorkSql(includePaused: boolean): string {
  return includePaused ? DUE_ALL_SQL : DUE_UNPAUSED_SQL
}

/**
 * Non-final payouts whose next_check_at has come, oldest due first, skipping paused
 * terminals unless asked. Uses the partial index payouts_due.
 */
export function dueForWork(
  db: Db,
  now: number,
  limit: number,
  opts: { includePaused?: boolean } = {}
): Payout[] {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AppError('invalid-input', 'limit must be a positive integer')
  }
  return readQuery(db, () => {
    return (prepared(db, dueForWorkSql(opts.includePaused === true)).all(now, limit) as DbPayoutRow[]).map(
      payoutFromRow
    )
  })
}

/** Every non-final payout (startup recovery, reconciliation), in id order. */
export function listActivePayouts(db: Db): Payout[] {
  return readQuery(db, () =>
    (
      prepared(
        db,
        `SELECT * FROM payouts WHERE state IN ('queued', 'sending', 'waiting') ORDER BY id`
      ).all() as DbPayoutRow[]
    ).map(payoutFromRow)
  )
}

// ---------------------------------------------------------------------------
// History screen

type Param = string | number

interface Where {
  clauses: string[]
  params: Param[]
}

function inList(column: string, values: readonly string[], w: Where): void {
  if (values.length === 0) {
    w.clauses.push('0')
    return
  }
  w.clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`)
  w.params.push(...values)
}

function buildWhere(f: PayoutFilter): Where {
  const w: Where = { clauses: [], params: [] }
  if (f.from !== undefined) {
    w.clauses.push('created_at >= ?')
    w.params.push(f.from)
  }
  if (f.to !== undefined) {
    w.clauses.push('created_at < ?')
    w.params.push(f.to)
  }
  if (f.states) inList('state', f.states, w)
  if (f.services) inList('service', f.services, w)
  if (f.terminalRefs) inList('terminal_ref', f.terminalRefs, w)
  if (f.amountMinKopecks !== undefined) {
    w.clauses.push('amount_kopecks >= ?')
    w.params.push(f.amountMinKopecks)
  }
  if (f.amountMaxKopecks !== undefined) {
    w.clauses.push('amount_kopecks <= ?')
    w.params.push(f.amountMaxKopecks)
  }
  const q = f.search?.trim() ?? ''
  if (q !== '') {
    // Account prefix as a range, so the payouts_account index serves it.
    const upper = `${q}\uffff`
    if (/^\+?\d{1,20}$/.test(q)) {
      w.clauses.push('(transaction_number = ? OR txn_id = ? OR (account >= ? AND account < ?))')
      w.params.push(q, q, q, upper)
    } else {
      w.clauses.push('(account >= ? AND account < ?)')
      w.params.push(q, upper)
    }
  }
  return w
}

function whereSql(w: Where): string {
  return w.clauses.length > 0 ? `WHERE ${w.clauses.join(' AND ')}` : ''
}

/** Key columns per sort; each tuple is an index prefix (+ rowid), see 0001_init.sql. */
const SORT_KEYS: Record<PayoutSortColumn, readonly string[]> = {
  createdAt: ['created_at', 'id'],
  amountKopecks: ['amount_kopecks', 'id'],
  state: ['state', 'created_at', 'id'],
  service: ['service', 'created_at', 'id']
}

interface Cursor {
  s: PayoutSortColumn
  d: 'asc' | 'desc'
  k: Param[]
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url')
}

function decodeCursor(s: string, column: PayoutSortColumn, dir: 'asc' | 'desc'): Param[] {
  const bad = (): AppError => new AppError('invalid-input', 'invalid paging cursor', { field: 'cursor' })
  let v: unknown
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'))
  } catch {
    throw bad()
  }
  if (typeof v !== 'object' || v === null) throw bad()
  const c = v as Partial<Cursor>
  const keys = SORT_KEYS[column]
  if (c.s !== column || c.d !== dir || !Array.isArray(c.k) || c.k.length !== keys.length) throw bad()
  for (const x of c.k) {
    if (typeof x !== 'string' && !(typeof x === 'number' && Number.isSafeInteger(x))) throw bad()
  }
  return c.k
}

function rowKey(row: DbPayoutRow, column: PayoutSortColumn): Param[] {
  return SORT_KEYS[column].map((col) => row[col as keyof DbPayoutRow] as Param)
}

/**
 * The columns of payouts in table order (0001_init.sql), which is the order
 * `rowFromValues` reads a raw `SELECT *` row in. `historyStatement` checks it once per
 * statement, so a rebuilt table with another order fails loudly instead of shifting
 * values between fields. (Naming the 34 columns in the SQL instead would add ~0.5 KB
 * to build and hash per call, ~1 µs of a ~35 µs search.) Once per statement is enough:
 * the schema does not change under an open connection (migrations run in openDatabase).
 */
export const PAYOUT_COLUMNS = [
  'id',
  'client_request_id',
  'terminal_ref',
  'terminal_id',
  'transaction_number',
  'service',
  'service_id',
  'account',
  'account_display',
  'amount_kopecks',
  'currency',
  'comment',
  'extras',
  'precheck',
  'batch_key',
  'entry_seq',
  'state',
  'next_action',
  'pay_sent',
  'attempts',
  'next_check_at',
  'not_found_count',
  'last_not_found_at',
  'last_status_request_at',
  'qiwi_status',
  'result_code',
  'txn_id',
  'txn_date',
  'fatal',
  'error_code',
  'error_message',
  'created_at',
  'updated_at',
  'final_at'
] as const satisfies readonly (keyof DbPayoutRow)[]

const verifiedStatements = new WeakSet<Database.Statement>()

/** The cached raw-row statement of a history page, its column order checked on first use. */
function historyStatement(db: Db, sql: string): Database.Statement {
  const stmt = prepared(db, sql, { raw: true })
  if (!verifiedStatements.has(stmt)) {
    const names = stmt.columns().map((c) => c.name)
    // columns a later migration appends are ignored, as payoutFromRow ignores them
    if (PAYOUT_COLUMNS.some((name, i) => names[i] !== name)) {
      throw new AppError(
        'internal',
        `payouts columns are not in the order rowFromValues reads: ${names.join(', ')}`
      )
    }
    verifiedStatements.add(stmt)
  }
  return stmt
}

/**
 * The row object of a raw row (values in PAYOUT_COLUMNS order); exported for the
 * test that pins each position to its column.
 *
 * Why raw rows: better-sqlite3 builds an object row with V8's Object::New(names,
 * values), which makes a dictionary-mode object (34 hashed inserts per row, then slow
 * reads in payoutFromRow). Fetching arrays and copying them into this literal (a
 * fast-mode object) costs less than half as much per row (measured on 100-row pages).
 */
export function rowFromValues(v: readonly unknown[]): DbPayoutRow {
  const row = {
    id: v[0],
    client_request_id: v[1],
    terminal_ref: v[2],
    terminal_id: v[3],
    transaction_number: v[4],
    service: v[5],
    service_id: v[6],
    account: v[7],
    account_display: v[8],
    amount_kopecks: v[9],
    currency: v[10],
    comment: v[11],
    extras: v[12],
    precheck: v[13],
    batch_key: v[14],
    entry_seq: v[15],
    state: v[16],
    next_action: v[17],
    pay_sent: v[18],
    attempts: v[19],
    next_check_at: v[20],
    not_found_count: v[21],
    last_not_found_at: v[22],
    last_status_request_at: v[23],
    qiwi_status: v[24],
    result_code: v[25],
    txn_id: v[26],
    txn_date: v[27],
    fatal: v[28],
    error_code: v[29],
    error_message: v[30],
    created_at: v[31],
    updated_at: v[32],
    final_at: v[33]
  } satisfies Record<keyof DbPayoutRow, unknown>
  return row as DbPayoutRow
}

/** The SQL and parameters of a history page (exported so tests can EXPLAIN it). */
export function buildHistoryQuery(
  filter: PayoutFilter,
  page: PayoutPageRequest
): { sql: string; params: Param[] } {
  const f = parsePayoutFilter(filter)
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 1000) {
    throw new AppError('invalid-input', 'limit must be 1..1000', { field: 'limit' })
  }
  const column = page.sort?.column ?? 'createdAt'
  const dir = page.sort?.dir ?? 'desc'
  if (!(PAYOUT_SORT_COLUMNS as readonly string[]).includes(column) || (dir !== 'asc' && dir !== 'desc')) {
    throw new AppError('invalid-input', 'unknown sort', { field: 'sort' })
  }
  const w = buildWhere(f)
  const keys = SORT_KEYS[column]
  if (page.cursor) {
    const k = decodeCursor(page.cursor, column, dir)
    w.clauses.push(`(${keys.join(', ')}) ${dir === 'desc' ? '<' : '>'} (${keys.map(() => '?').join(', ')})`)
    w.params.push(...k)
  }
  const order = keys.map((c) => `${c} ${dir === 'desc' ? 'DESC' : 'ASC'}`).join(', ')
  // The limit is written into the SQL (a checked integer 1..1000), not bound: the bundled
  // SQLite (3.53) plans `LIMIT ?` with the bound value (sqlite3ExprIsInteger sets the
  // statement's expmask), so every rebind of it, equal or not, expires the statement and
  // the next step compiles it again (~90 µs, twice what a transaction-number search
  // costs). OFFSET ? is only evaluated, never planned with, and stays a parameter.
  let sql = `SELECT * FROM payouts ${whereSql(w)} ORDER BY ${order} LIMIT ${String(page.limit + 1)}`
  const params = w.params
  if (!page.cursor && page.offset !== undefined) {
    if (!Number.isInteger(page.offset) || page.offset < 0) {
      throw new AppError('invalid-input', 'offset must be a non-negative integer', { field: 'offset' })
    }
    sql += ' OFFSET ?'
    params.push(page.offset)
  }
  return { sql, params }
}

/**
 * One page of the history: filtered, searched, sorted by a whitelisted column and
 * paged by keyset cursor (or offset when no cursor is given).
 */
export function queryPayouts(db: Db, filter: PayoutFilter, page: PayoutPageRequest): PayoutPage {
  const { sql, params } = buildHistoryQuery(filter, page)
  const column = page.sort?.column ?? 'createdAt'
  const dir = page.sort?.dir ?? 'desc'
  return readQuery(db, () => {
    const rows = historyStatement(db, sql).all(...params) as unknown[][]
    const more = rows.length > page.limit
    const n = more ? page.limit : rows.length
    const items: Payout[] = []
    let last: DbPayoutRow | undefined
    for (let i = 0; i < n; i++) {
      last = rowFromValues(rows[i] as unknown[])
      items.push(payoutFromRow(last))
    }
    return {
      items,
      nextCursor: more && last ? encodeCursor({ s: column, d: dir, k: rowKey(last, column) }) : null
    }
  })
}

function safeNumber(v: bigint | number | null): number {
  if (v === null) return 0
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new AppError('internal', 'a total exceeds the safe integer range')
  return n
}

function aggregate(db: Db, sql: string, params: Param[]): Record<string, bigint | number | string | null>[] {
  return prepared(db, sql, { safeIntegers: true }).all(...params) as Record<
    string,
    bigint | number | string | null
  >[]
}

/** Count and amount of the filtered set, overall and per state. */
export function payoutTotals(db: Db, filter: PayoutFilter): PayoutTotals {
  const w = buildWhere(parsePayoutFilter(filter))
  return readQuery(db, () => {
    const rows = aggregate(
      db,
      `SELECT state, count(*) AS n, sum(amount_kopecks) AS total FROM payouts ${whereSql(w)} GROUP BY state`,
      w.params
    )
    const byState = Object.fromEntries(
      PAYOUT_STATES.map((s) => [s, { count: 0, amountKopecks: 0 }])
    ) as Record<PayoutState, Totals>
    let count = 0
    let amount = 0n
    for (const r of rows) {
      const state = r.state as PayoutState
      const n = safeNumber(r.n as bigint)
      const total = BigInt(r.total ?? 0)
      byState[state] = { count: n, amountKopecks: safeNumber(total) }
      count += n
      amount += total
    }
    // integer kopecks summed as BigInt; safeNumber refuses anything past 2^53, so no float rounding
    return { count, amountKopecks: safeNumber(amount), byState }
  })
}

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

function offsetMs(tzOffsetMinutes: number): number {
  if (!Number.isInteger(tzOffsetMinutes) || Math.abs(tzOffsetMinutes) > 14 * 60) {
    throw new AppError('invalid-input', 'tzOffsetMinutes must be an integer within ±840', {
      field: 'tzOffsetMinutes'
    })
  }
  return tzOffsetMinutes * 60_000
}

/**
 * Per day (in the given fixed UTC offset, e.g. +180 for Moscow), state and service:
 * count and amount of the filtered payouts, by creation time.
 */
export function reportByDay(db: Db, filter: PayoutFilter, tzOffsetMinutes: number): DayReportRow[] {
  const off = offsetMs(tzOffsetMinutes)
  const w = buildWhere(parsePayoutFilter(filter))
  return readQuery(db, () =>
    aggregate(
      db,
      `SELECT (created_at + CAST(? AS INTEGER)) / ${DAY_MS} AS d, state, service, count(*) AS n, sum(amount_kopecks) AS total
       FROM payouts ${whereSql(w)} GROUP BY d, state, service ORDER BY d, state, service`,
      [off, ...w.params]
    ).map((r) => ({
      day: new Date(Number(r.d) * DAY_MS).toISOString().slice(0, 10),
      state: r.state as PayoutState,
      service: r.service as PayoutService,
      count: safeNumber(r.n as bigint),
      amountKopecks: safeNumber(r.total as bigint)
    }))
  )
}

/** Per hour bucket (aligned to the given UTC offset) and state: count and amount. */
export function reportByHour(db: Db, filter: PayoutFilter, tzOffsetMinutes: number): HourReportRow[] {
  const off = offsetMs(tzOffsetMinutes)
  const w = buildWhere(parsePayoutFilter(filter))
  return readQuery(db, () =>
    aggregate(
      db,
      `SELECT (created_at + CAST(? AS INTEGER)) / ${HOUR_MS} AS h, state, count(*) AS n, sum(amount_kopecks) AS total
       FROM payouts ${whereSql(w)} GROUP BY h, state ORDER BY h, state`,
      [off, ...w.params]
    ).map((r) => ({
      hourStart: Number(r.h) * HOUR_MS - off,
      state: r.state as PayoutState,
      count: safeNumber(r.n as bigint),
      amountKopecks: safeNumber(r.total as bigint)
    }))
  )
}

/** All known services (for filters in the UI). */
export const SERVICES: readonly PayoutService[] = PAYOUT_SERVICES
