/**
 * Group commit (electron/core/db/group-commit.ts) on a real database file: units queued
 * together share one durable commit, each unit is all-or-nothing on its own, a failed
 * group leaves nothing behind, and nothing is visible (or reported done) before COMMIT.
 */
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { createGroupCommitter } from '../../../electron/core/db/group-commit'
import { createIntent, getPayout } from '../../../electron/core/db/repositories/payouts.repository'
import { getSetting, setSetting } from '../../../electron/core/db/repositories/settings.repository'
import { T0, TempDirs, payoutInput, seedTerminal } from './helpers'

const tmp = new TempDirs()
afterAll(() => tmp.cleanup())

/** What a second connection (another process) sees committed. */
function committedKeys(file: string): string[] {
  const other = new Database(file, { readonly: true })
  try {
    return (other.prepare('SELECT key FROM settings ORDER BY key').all() as { key: string }[]).map(
      (r) => r.key
    )
  } finally {
    other.close()
  }
}

describe('group commit', () => {
  it('units queued in the same turn share one commit; each resolves with its own result once durable', async () => {
    const { db, file } = tmp.fresh()
    const gc = createGroupCommitter(db)
    const promises = Array.from({ length: 20 }, (_, i) =>
      gc.run(() => {
        setSetting(db, `k${String(i).padStart(2, '0')}`, i, T0)
        return i * 10
      })
    )
    // Queued, not yet committed: another connection sees nothing.
    expect(gc.pending()).toBe(20)
    expect(committedKeys(file)).toEqual([])
    const results = await Promise.all(promises)
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 10))
    expect(gc.stats()).toEqual({ groups: 1, units: 20 })
    expect(committedKeys(file)).toHaveLength(20)
  })

  it('a unit that throws rolls back only its own writes; the others of its group commit', async () => {
    const { db, file } = tmp.fresh()
    const t = seedTerminal(db)
    const gc = createGroupCommitter(db)
    const good1 = gc.run(() => setSetting(db, 'a', 1, T0))
    const bad = gc.run(() => {
      setSetting(db, 'b', 2, T0)
      // a payout for a terminal that does not exist: the repository refuses it
      return createIntent(db, payoutInput('no-such-terminal'), 'crid-bad', T0)
    })
    const good2 = gc.run(() => createIntent(db, payoutInput(t.id), 'crid-good', T0))
    await expect(bad).rejects.toSatisfy((e: unknown) => isAppError(e) && e.code === 'unknown-terminal')
    await good1
    const created = await good2
    expect(committedKeys(file)).toEqual(['a'])
    expect(getSetting(db, 'b')).toBeUndefined()
    expect(getPayout(db, created.payout.id)?.state).toBe('queued')
    expect(gc.stats()).toEqual({ groups: 1, units: 3 })
  })

  it('a group that cannot commit rejects every unit with the storage error and writes nothing', async () => {
    const { db, file } = tmp.fresh({ busyTimeoutMs: 50 })
    const gc = createGroupCommitter(db)
    // Another process holds the write lock for the whole flush.
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    const units = [gc.run(() => setSetting(db, 'x', 1, T0)), gc.run(() => setSetting(db, 'y', 2, T0))]
    const settled = await Promise.allSettled(units)
    other.exec('ROLLBACK')
    other.close()
    for (const s of settled) {
      expect(s.status).toBe('rejected')
      if (s.status === 'rejected') expect(isAppError(s.reason) && s.reason.code).toBe('storage-busy')
    }
    expect(committedKeys(file)).toEqual([])
    // The committer keeps working once the lock is gone.
    await gc.run(() => setSetting(db, 'z', 3, T0))
    expect(committedKeys(file)).toEqual(['z'])
  })

  it('splits a long queue into groups of maxGroup', async () => {
    const { db, file } = tmp.fresh()
    const gc = createGroupCommitter(db, { maxGroup: 7 })
    await Promise.all(Array.from({ length: 20 }, (_, i) => gc.run(() => setSetting(db, `m${i}`, i, T0))))
    expect(gc.stats()).toEqual({ groups: 3, units: 20 })
    expect(committedKeys(file)).toHaveLength(20)
  })

  it('holds the flush while more units are expected, never past maxHoldMs', async () => {
    const { db } = tmp.fresh()
    // Expected: a second unit arrives a few ms later and joins the first one's commit.
    let expecting = true
    const held = createGroupCommitter(db, { expectMore: () => expecting, maxHoldMs: 2_000 })
    const first = held.run(() => setSetting(db, 'h1', 1, T0))
    await new Promise((r) => setTimeout(r, 15))
    expect(held.stats().groups).toBe(0)
    const second = held.run(() => setSetting(db, 'h2', 2, T0))
    expecting = false
    await Promise.all([first, second])
    expect(held.stats()).toEqual({ groups: 1, units: 2 })

    // Not expected: each unit commits on its own turn.
    const eager = createGroupCommitter(db)
    await eager.run(() => setSetting(db, 'e1', 1, T0))
    await eager.run(() => setSetting(db, 'e2', 2, T0))
    expect(eager.stats()).toEqual({ groups: 2, units: 2 })

    // An urgent unit is never held, and takes the held ones along.
    const urgentGc = createGroupCommitter(db, { expectMore: () => true, maxHoldMs: 60_000 })
    const heldUnit = urgentGc.run(() => setSetting(db, 'u1', 1, T0))
    const urgentUnit = urgentGc.run(() => setSetting(db, 'u2', 2, T0), { urgent: true })
    await Promise.all([heldUnit, urgentUnit])
    expect(urgentGc.stats()).toEqual({ groups: 1, units: 2 })

    // Always expecting: the hold ends at maxHoldMs.
    const capped = createGroupCommitter(db, { expectMore: () => true, maxHoldMs: 20 })
    const t0 = performance.now()
    await capped.run(() => setSetting(db, 'c1', 1, T0))
    expect(performance.now() - t0).toBeGreaterThanOrEqual(19)
    expect(capped.stats()).toEqual({ groups: 1, units: 1 })
  })
})
