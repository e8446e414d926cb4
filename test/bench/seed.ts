/**
 * Fast seeding of payout history for the benchmarks.
 *
 * createIntent costs ~0.25 ms a row (validation, allocator, journal, one FULL commit),
 * which makes 1M rows a 4-minute affair. Here every row still goes through the
 * schema's CHECKs and triggers (docs/STORAGE.md): it is INSERTed as `queued`/unsent,
 * then moved along legal transitions only (queued → sending → succeeded|failed|waiting,
 * queued → declined), but set-based: one INSERT … SELECT over a recursive CTE and two
 * UPDATEs, in one transaction on a connection with the rollback journal in memory and
 * synchronous=OFF (a seed file is rebuilt, never recovered). The file is switched back
 * to WAL before it is handed over, so openDatabase accepts it unchanged.
 *
 * Journal rows (payout_events) are not written: no benchmark reads them, and the
 * history screen never joins them.
 *
 * Values are deterministic functions of the row id (multiplicative hashing), so every
 * run queries the same data: ~5 payouts per customer, 5 services, mostly final states.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { closeDatabase, openDatabase } from '../../electron/core/db/connection'
import { createTerminal, getTerminal } from '../../electron/core/db/repositories/terminals.repository'
import type { Terminal } from '../../electron/core/db/types'
import { MIGRATIONS_DIR } from './util'

/** Bump when the generated data changes, so cached seed files are rebuilt. */
export const SEED_VERSION = 5

export const BENCH_TERMINAL_ID = '10001'
export const BENCH_TERMINAL_NAME = 'Bench desk'
const TERMINAL_REF = 'b0000000-0000-4000-8000-000000000001'

/**
 * history: the mix of a working desk (78% succeeded, 10% failed, 7% declined,
 * 3% waiting, 2% queued). final: only final states (a web host's engine finds nothing
 * to do). waiting: every payout waiting for a status request, due at `dueAt`.
 */
export type SeedMix = 'history' | 'final' | 'waiting'

export interface SeedOptions {
  count: number
  mix: SeedMix
  /** Newest created_at (ms); rows spread evenly over `spanDays` before it. */
  endMs: number
  spanDays: number
  /** next_check_at of waiting/queued rows (default endMs). */
  dueAt?: number | undefined
  log?: ((line: string) => void) | undefined
}

export interface SeedReport {
  file: string
  terminal: Terminal
  rows: number
  /** Wall time of the seeding itself (0 when a cached file was reused). */
  ms: number
  cached: boolean
  bytes: number
}

/**
 * Bucket 0..999 of a row id from the high bits of a multiplicative hash (ids < 2^32).
 * Each use has its own multiplier, so state, service and customer are independent.
 */
const bucket = (idExpr: string, mul: number, add: number): string =>
  `(((${idExpr}) * ${mul} + ${add}) % 4294967296 / 4294968)`
const STATE_BUCKET = bucket('id', 2654435761, 0)
const SERVICE_BUCKET = bucket('@base + i', 2246822519, 3266489917)

function stateSql(mix: SeedMix, h: string): string {
  switch (mix) {
    case 'history':
      return `CASE WHEN ${h} < 780 THEN 'succeeded' WHEN ${h} < 880 THEN 'failed' WHEN ${h} < 950 THEN 'declined' WHEN ${h} < 980 THEN 'waiting' ELSE 'queued' END`
    case 'final':
      return `CASE WHEN ${h} < 850 THEN 'succeeded' WHEN ${h} < 930 THEN 'failed' ELSE 'declined' END`
    case 'waiting':
      return `'waiting'`
  }
}

const SERVICE_SQL = `CASE WHEN ${SERVICE_BUCKET} < 420 THEN 'wallet' WHEN ${SERVICE_BUCKET} < 650 THEN 'card' WHEN ${SERVICE_BUCKET} < 800 THEN 'sbp' WHEN ${SERVICE_BUCKET} < 920 THEN 'mobile' ELSE 'card-spec' END`
const SERVICE_ID_SQL = `CASE service WHEN 'wallet' THEN 99 WHEN 'card' THEN 34020 WHEN 'sbp' THEN 38413 WHEN 'mobile' THEN 29130 WHEN 'card-spec' THEN 32911 END`

/**
 * Inserts `count` payouts for the bench terminal into an open raw connection (inside
 * the caller's transaction). Exported for the renderer/memory seeds.
 */
function insertRows(raw: Database.Database, opts: SeedOptions): void {
  const spanMs = opts.spanDays * 86_400_000
  const step = Math.max(1, Math.floor(spanMs / Math.max(1, opts.count)))
  const start = opts.endMs - step * (opts.count - 1)
  const base = Number(
    (raw.prepare('SELECT coalesce(max(id), 0) + 1 AS b FROM payouts').get() as { b: number }).b
  )
  const customers = Math.max(1000, Math.floor(opts.count / 5))
  const due = opts.dueAt ?? opts.endMs
  // customer → account: phones for wallet/mobile/sbp/card-spec, a card number for card.
  const cust = `(((@base + i) * 3266489917 + 668265263) % 4294967296 % ${customers})`
  const chunk = 200_000
  const insert = raw.prepare(`
    WITH RECURSIVE s(i) AS (SELECT @from UNION ALL SELECT i + 1 FROM s WHERE i + 1 < @to),
    r AS (
      SELECT i, @base + i AS id, @start + i * @step AS created, ${SERVICE_SQL} AS service,
             ${cust} AS c FROM s)
    INSERT INTO payouts (id, client_request_id, terminal_ref, terminal_id, transaction_number, service, service_id,
      account, account_display, amount_kopecks, currency, comment, extras, precheck, batch_key, entry_seq,
      state, next_action, pay_sent, attempts, next_check_at, created_at, updated_at)
    SELECT id, printf('bench-%010d', id), @ref, @tid, '10' || printf('%013d', created) || printf('%03d', id % 1000),
      service, ${SERVICE_ID_SQL},
      CASE service WHEN 'card' THEN '4' || printf('%015d', (c * 4999999949 + 17) % 1000000000000000)
                   ELSE '79' || printf('%09d', (c * 7919 + 13) % 1000000000) END,
      CASE service WHEN 'card' THEN '4' || substr(printf('%015d', (c * 4999999949 + 17) % 1000000000000000), 1, 5) || '******' || substr(printf('%015d', (c * 4999999949 + 17) % 1000000000000000), 12, 4)
                   ELSE '+79' || printf('%09d', (c * 7919 + 13) % 1000000000) END,
      100 + (id * 48271) % 2000000, 'RUB', CASE WHEN id % 7 = 0 THEN 'bench ' || id ELSE NULL END, '{}', 0, NULL, id,
      'queued', 'pay', 0, 0, @due, created, created
    FROM r`)
  for (let from = 0; from < opts.count; from += chunk) {
    const to = Math.min(opts.count, from + chunk)
    insert.run({ from, to, base, start, step, ref: TERMINAL_REF, tid: BENCH_TERMINAL_ID, due })
    opts.log?.(`  seeded ${to.toLocaleString('en-US')} / ${opts.count.toLocaleString('en-US')} rows (insert)`)
  }
  const state = stateSql(opts.mix, STATE_BUCKET)
  const lo = base
  const hi = base + opts.count - 1
  // Legal moves only: pay sent (queued → sending), then its outcome.
  raw
    .prepare(
      `UPDATE payouts SET state = 'sending', pay_sent = 1, attempts = 1, updated_at = created_at + 700
       WHERE id BETWEEN @lo AND @hi AND ${state} IN ('succeeded', 'failed', 'waiting')`
    )
    .run({ lo, hi })
  opts.log?.('  seeded: queued → sending')
  raw
    .prepare(
      `UPDATE payouts SET
         state = ${state},
         next_action = CASE ${state} WHEN 'waiting' THEN 'status' ELSE NULL END,
         next_check_at = CASE ${state} WHEN 'waiting' THEN @due ELSE NULL END,
         final_at = CASE ${state} WHEN 'waiting' THEN NULL ELSE created_at + 2500 END,
         updated_at = created_at + 2500,
         qiwi_status = CASE ${state} WHEN 'succeeded' THEN '60' WHEN 'failed' THEN '160' WHEN 'waiting' THEN '50' ELSE NULL END,
         result_code = CASE ${state} WHEN 'succeeded' THEN '0' WHEN 'failed' THEN '300' WHEN 'declined' THEN '319' ELSE NULL END,
         txn_id = CASE WHEN ${state} IN ('succeeded', 'failed', 'waiting') THEN CAST(20000000000 + id * 3 AS TEXT) ELSE NULL END,
         txn_date = CASE WHEN ${state} IN ('succeeded', 'failed', 'waiting') THEN strftime('%Y-%m-%dT%H:%M:%S+03:00', created_at / 1000 + 10800, 'unixepoch') ELSE NULL END,
         error_code = CASE ${state} WHEN 'failed' THEN 'qiwi-error' WHEN 'declined' THEN 'qiwi-error' ELSE NULL END,
         error_message = CASE ${state} WHEN 'failed' THEN 'Карта не найдена' WHEN 'declined' THEN 'Пополнение запрещено' ELSE NULL END
       WHERE id BETWEEN @lo AND @hi AND ${state} <> 'queued'`
    )
    .run({ lo, hi, due })
  opts.log?.('  seeded: outcomes')
}

function schemaHash(): string {
  const h = createHash('sha256')
  h.update(`seed-v${SEED_VERSION}\n`)
  for (const f of readdirSync(MIGRATIONS_DIR)
    .filter((n) => n.endsWith('.sql'))
    .sort()) {
    h.update(f)
    h.update(readFileSync(join(MIGRATIONS_DIR, f)))
  }
  return h.digest('hex').slice(0, 16)
}

/** Creates (or finds) the bench terminal in a migrated database. */
export function ensureBenchTerminal(file: string, minPollSeconds = 1): Terminal {
  const db = openDatabase(file, { migrationsDir: MIGRATIONS_DIR })
  try {
    const found = getTerminal(db, TERMINAL_REF)
    if (found) return found
    return createTerminal(db, {
      id: TERMINAL_REF,
      name: BENCH_TERMINAL_NAME,
      terminalId: BENCH_TERMINAL_ID,
      endpoint: 'sandbox',
      authMode: 'password',
      passwordRef: 'terminal:bench:password:0000000000000000',
      servicesAllowed: ['wallet', 'card', 'card-spec', 'sbp', 'mobile'],
      precheckAbsentWalletPolicy: 'pay',
      minPollSeconds
    })
  } finally {
    closeDatabase(db)
  }
}

/**
 * Seeds `file` (created and migrated through openDatabase first) with the bench
 * terminal and `opts.count` payouts. Returns the wall time of the seeding.
 */
export function seedPayoutsFile(file: string, opts: SeedOptions): SeedReport {
  const terminal = ensureBenchTerminal(file)
  const t0 = performance.now()
  const raw = new Database(file)
  try {
    raw.pragma('journal_mode = DELETE')
    raw.pragma('journal_mode = MEMORY')
    raw.pragma('synchronous = OFF')
    raw.pragma('foreign_keys = ON')
    raw.pragma('temp_store = MEMORY')
    raw.pragma('cache_size = -786432')
    raw.transaction(() => insertRows(raw, opts))()
    const n = Number((raw.prepare('SELECT count(*) AS n FROM payouts').get() as { n: number }).n)
    if (n < opts.count) throw new Error(`seed wrote ${n} rows, expected ${opts.count}`)
    // Planner statistics as a long-lived desk has them (closeDatabase runs PRAGMA optimize at
    // every close); without this the first run after seeding would plan without them and
    // later runs with them.
    raw.exec('ANALYZE')
    raw.pragma('journal_mode = WAL')
  } finally {
    raw.close()
  }
  const ms = performance.now() - t0
  return { file, terminal, rows: opts.count, ms, cached: false, bytes: fileBytes(file) }
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

export const SEED_CACHE_DIR = join(tmpdir(), 'qiwi-desk-bench-cache')

/**
 * A seeded file for read-only benchmarks, reused across runs: keyed by the migrations'
 * text, the generator version and the options. The first run pays the seeding.
 */
export function cachedSeed(opts: SeedOptions & { key: string }): SeedReport {
  mkdirSync(SEED_CACHE_DIR, { recursive: true })
  const file = join(SEED_CACHE_DIR, `${opts.key}-${opts.mix}-${opts.count}-${schemaHash()}.db`)
  if (existsSync(file)) {
    const terminal = ensureBenchTerminal(file)
    return { file, terminal, rows: opts.count, ms: 0, cached: true, bytes: fileBytes(file) }
  }
  // earlier generations of this key (other schema or generator version) are dead weight
  const prefix = `${opts.key}-${opts.mix}-${opts.count}-`
  for (const old of readdirSync(SEED_CACHE_DIR)) {
    if (old.startsWith(prefix) && join(SEED_CACHE_DIR, old) !== file) {
      rmSync(join(SEED_CACHE_DIR, old), { force: true })
    }
  }
  const tmp = `${file}.partial`
  for (const s of ['', '-wal', '-shm']) rmSync(tmp + s, { force: true })
  const r = seedPayoutsFile(tmp, opts)
  for (const s of ['-wal', '-shm']) rmSync(tmp + s, { force: true })
  renameSync(tmp, file)
  return { ...r, file }
}
