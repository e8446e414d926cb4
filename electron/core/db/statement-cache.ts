/**
 * The bounded, per-connection cache of prepared statements behind `prepared()`
 * (connection.ts). It holds the repositories' fixed SQL and the SQL generated from
 * input — the history screen's filters, sorts and page sizes each produce their own
 * text, so the set is open-ended and an unbounded cache would grow with every
 * combination a user tries.
 *
 * Why cache at all: compiling the history SELECT costs ~90 µs on this schema, while a
 * search by transaction-number runs in ~40 µs (docs/BENCHMARKS.md, "Local payout
 * history"), and compiling an UPDATE of payouts (with its triggers) costs far more than
 * running it.
 *
 * The least recently used statement is dropped first; the capacity leaves room for the
 * fixed SQL (about a hundred statements) next to the generated shapes in use. An
 * evicted statement holds no lock or open cursor (callers use `.all()`/`.get()`/`.run()`,
 * which reset it), and better-sqlite3 finalizes it when it is garbage-collected or the
 * connection closes.
 */
import type Database from 'better-sqlite3'
import type { Db } from './connection'
import { mapSqliteError } from './errors'

export const DEFAULT_STATEMENT_CACHE_SIZE = 160

export interface StatementOptions {
  /** INTEGER columns come back as BigInt (for values that may exceed 2^53). */
  safeIntegers?: boolean
  /** Rows come back as arrays of column values, in the order of the SELECT list. */
  raw?: boolean
}

export interface StatementCacheStats {
  size: number
  capacity: number
  hits: number
  misses: number
}

interface Entry {
  stmt: Database.Statement
  /** Value of the cache's clock at the last use. */
  used: number
}

export class StatementCache {
  // One map per mode (bit 0: safeIntegers, bit 1: raw), so a lookup hashes the SQL as
  // given instead of a prefixed copy of it.
  private readonly maps = [0, 1, 2, 3].map(() => new Map<string, Entry>())
  private size = 0
  private clock = 0
  private hits = 0
  private misses = 0

  constructor(
    private readonly db: Database.Database,
    readonly capacity: number = DEFAULT_STATEMENT_CACHE_SIZE
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('statement cache capacity must be a positive integer')
    }
  }

  /**
   * The statement for `sql` in the given modes, prepared on first use. The modes are
   * part of the key: they are settings of the statement object, not of one call.
   * Throws the AppError of `mapSqliteError` when the SQL does not compile.
   */
  get(sql: string, opts: StatementOptions = {}): Database.Statement {
    const safe = opts.safeIntegers === true
    const raw = opts.raw === true
    const map = this.maps[(safe ? 1 : 0) | (raw ? 2 : 0)] as Map<string, Entry>
    const hit = map.get(sql)
    if (hit !== undefined) {
      // a hit only stamps its entry; the scan for the oldest is left to the (rare) miss
      hit.used = ++this.clock
      this.hits++
      return hit.stmt
    }
    this.misses++
    let stmt: Database.Statement
    try {
      stmt = this.db.prepare(sql)
      if (safe) stmt.safeIntegers(true)
      if (raw) stmt.raw(true)
    } catch (e) {
      throw mapSqliteError(e)
    }
    if (this.size >= this.capacity) this.evictOldest()
    map.set(sql, { stmt, used: ++this.clock })
    this.size++
    return stmt
  }

  private evictOldest(): void {
    let oldest: { map: Map<string, Entry>; sql: string; used: number } | null = null
    for (const map of this.maps) {
      for (const [sql, e] of map) {
        if (oldest === null || e.used < oldest.used) oldest = { map, sql, used: e.used }
      }
    }
    if (oldest !== null) {
      oldest.map.delete(oldest.sql)
      this.size--
    }
  }

  stats(): StatementCacheStats {
    return { size: this.size, capacity: this.capacity, hits: this.hits, misses: this.misses }
  }
}

const caches = new WeakMap<Database.Database, StatementCache>()

/** The connection's statement cache (created on first use). */
export function statementCache(db: Db): StatementCache {
  let cache = caches.get(db)
  if (cache === undefined) {
    cache = new StatementCache(db)
    caches.set(db, cache)
  }
  return cache
}
