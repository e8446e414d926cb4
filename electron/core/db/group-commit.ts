/**
 * Group commit: write units queued in the same turn of the event loop share ONE durable
 * commit (BEGIN IMMEDIATE … COMMIT, one WAL fsync under synchronous=FULL).
 *
 * Why: a FULL commit of a payout row costs an fsync of every page it dirtied (the row,
 * a dozen history indexes, the journal), and that cost hardly grows with the number of
 * rows in the commit. The engine's intent, reservation and outcome writes for many
 * payouts arrive within the same millisecond once the sender runs several requests at
 * once; committing them together keeps every guarantee and divides the fsyncs.
 *
 * Guarantees, unit by unit:
 * - `run(fn)` resolves only after the COMMIT that contains fn's writes returned: a caller
 *   that sends a request after `await run(reserve)` still sends after the reservation is
 *   durable (persist before send holds).
 * - Each unit runs in its own SAVEPOINT: a unit that throws rolls back its own writes and
 *   rejects its own promise; the other units of the group still commit.
 * - If the group's transaction itself fails (BEGIN/COMMIT error, or SQLite rolled the
 *   whole transaction back after a unit's I/O or full-disk error), every unit of the
 *   group rejects with the storage error: nothing was written, nobody believes otherwise.
 * - Units run in the order they were queued, synchronously, on this connection.
 */
import type { Db } from './connection'
import { mapSqliteError } from './errors'

export interface GroupCommitter {
  /**
   * Queues a synchronous write unit; resolves with its result once it is durable. An
   * `urgent` unit (someone is waiting for it, e.g. a cashier's entry) is never held: its
   * group commits on the next turn, taking along whatever else is queued.
   */
  run<T>(fn: () => T, opts?: { urgent?: boolean }): Promise<T>
  /** Commits what is queued now (normally done on the next turn of the event loop). */
  flush(): void
  /** Units queued and not yet committed. */
  pending(): number
  /** Groups committed so far and the units they carried (diagnostics, benchmarks). */
  stats(): { groups: number; units: number }
}

export interface GroupCommitOptions {
  /** Most units per commit; the rest go into the next group. Default 256. */
  maxGroup?: number
  /**
   * Whether more units are about to arrive (e.g. replies to requests in flight): the flush
   * then waits, re-checking every millisecond, up to `maxHoldMs` after the oldest queued
   * unit. Holding only delays when a unit becomes durable; nothing acts on a unit before
   * its commit. Default: never hold.
   */
  expectMore?: () => boolean
  /** Longest hold, ms. Default 4. */
  maxHoldMs?: number
  /** Clock for the hold (ms). Default performance.now. */
  now?: () => number
}

interface Unit {
  fn: () => unknown
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/** Thrown inside the group when SQLite has already rolled the whole transaction back. */
class GroupAborted extends Error {
  constructor(readonly inner: unknown) {
    super('the group transaction was rolled back')
  }
}

export function createGroupCommitter(db: Db, opts: GroupCommitOptions = {}): GroupCommitter {
  const maxGroup = Math.max(1, opts.maxGroup ?? 256)
  const expectMore = opts.expectMore ?? ((): boolean => false)
  const maxHoldMs = Math.max(0, opts.maxHoldMs ?? 4)
  const clock = opts.now ?? ((): number => performance.now())
  const queue: Unit[] = []
  let scheduled = false
  let oldestAt = 0
  let urgent = false
  let groups = 0
  let units = 0

  // One savepoint wrapper reused for every unit (better-sqlite3 turns a nested
  // transaction into SAVEPOINT … RELEASE, and ROLLBACK TO on a throw).
  const inSavepoint = db.transaction((fn: () => unknown) => fn())
  const group = db.transaction((batch: readonly Unit[]): Outcome[] => {
    const out: Outcome[] = []
    for (const u of batch) {
      try {
        out.push({ ok: true, value: inSavepoint(u.fn) })
      } catch (e) {
        // SQLITE_FULL / IOERR / NOMEM may roll back the whole transaction, not just
        // the savepoint: then nothing of this group can commit.
        if (!db.inTransaction) throw new GroupAborted(e)
        out.push({ ok: false, error: e })
      }
    }
    return out
  })

  function settleAll(batch: readonly Unit[], error: unknown): void {
    for (const u of batch) u.reject(error)
  }

  function tick(): void {
    if (
      !urgent &&
      queue.length > 0 &&
      queue.length < maxGroup &&
      clock() - oldestAt < maxHoldMs &&
      expectMore()
    ) {
      setTimeout(tick, 1)
      return
    }
    flush()
  }

  function flush(): void {
    scheduled = false
    urgent = false
    while (queue.length > 0) {
      const batch = queue.splice(0, maxGroup)
      let results: Outcome[]
      try {
        results = group.immediate(batch)
      } catch (e) {
        settleAll(batch, mapSqliteError(e instanceof GroupAborted ? e.inner : e))
        continue
      }
      groups += 1
      units += batch.length
      batch.forEach((u, i) => {
        const r = results[i] as Outcome
        if (r.ok) u.resolve(r.value)
        else u.reject(mapSqliteError(r.error))
      })
    }
  }

  return {
    run<T>(fn: () => T, runOpts: { urgent?: boolean } = {}): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (runOpts.urgent === true) urgent = true
        if (queue.length === 0) oldestAt = clock()
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject })
        if (!scheduled) {
          scheduled = true
          setImmediate(tick)
        }
      })
    },
    flush,
    pending: () => queue.length,
    stats: () => ({ groups, units })
  }
}
