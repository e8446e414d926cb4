/**
 * S4 / P5: the payout state machine is enforced by the database itself. A model
 * (payout-state.ts) predicts, for every random attempt, whether SQLite must accept
 * it; raw SQL bypasses the repository so the triggers and CHECKs are what is tested,
 * and repository transitions are mixed in to test the optimistic check.
 */
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import type { Db } from '../../../electron/core/db/connection'
import { mapSqliteError, writeTransaction } from '../../../electron/core/db/connection'
import { isFinalState, isLegalTransition, paySentFor } from '../../../electron/core/db/payout-state'
import { listEventsForPayout } from '../../../electron/core/db/repositories/events.repository'
import {
  createIntent,
  getPayout,
  transition
} from '../../../electron/core/db/repositories/payouts.repository'
import type { Payout, PayoutState, Terminal } from '../../../electron/core/db/types'
import { PAYOUT_STATES } from '../../../electron/core/db/types'
import { T0, TempDirs, payoutInput, seedTerminal } from './helpers'

const tmp = new TempDirs()
let db: Db
let file: string
let terminal: Terminal
let seq = 0

beforeAll(() => {
  const f = tmp.fresh()
  db = f.db
  file = f.file
  terminal = seedTerminal(db)
})
afterAll(() => tmp.cleanup())

function newPayout(): Payout {
  seq += 1
  return createIntent(db, payoutInput(terminal.id, { amountKopecks: 100 + seq }), `sm-${seq}`, T0 + seq)
    .payout
}

const stmts = new Map<string, Database.Statement>()
function sql(text: string): Database.Statement {
  let s = stmts.get(text)
  if (!s) {
    s = db.prepare(text)
    stmts.set(text, s)
  }
  return s
}

/** Runs fn; returns null if accepted, else the mapped error code. */
function attempt(fn: () => unknown): string | null {
  try {
    fn()
    return null
  } catch (e) {
    return mapSqliteError(e).code
  }
}

function stateOf(id: number): { state: PayoutState; paySent: boolean } {
  const p = getPayout(db, id)
  if (!p) throw new Error(`payout ${id} vanished`)
  return { state: p.state, paySent: p.paySent }
}

/** Columns consistent with `to`, so only (state, pay_sent) decide legality. */
function rawMove(id: number, to: PayoutState, paySent: boolean, now: number): void {
  const final = isFinalState(to)
  sql(
    `UPDATE payouts SET state = ?, pay_sent = ?, next_action = ?, next_check_at = ?, final_at = ?, updated_at = ?
     WHERE id = ?`
  ).run(
    to,
    paySent ? 1 : 0,
    final ? null : to === 'queued' ? 'pay' : 'status',
    final ? null : now,
    final ? now : null,
    now,
    id
  )
}

interface Model {
  state: PayoutState
  paySent: boolean
}
interface Real {
  id: number
}

const stats = {
  attempts: 0,
  illegalAttempts: 0,
  illegalAccepted: 0,
  legalAccepted: 0,
  legalRejected: 0,
  pairs: new Set<string>()
}

function record(legal: boolean, accepted: boolean, from: Model, to: PayoutState): void {
  stats.attempts++
  stats.pairs.add(`${from.state}/${from.paySent ? 1 : 0}->${to}`)
  if (legal) {
    if (accepted) stats.legalAccepted++
    else stats.legalRejected++
  } else {
    stats.illegalAttempts++
    if (accepted) stats.illegalAccepted++
  }
}

class RawMove implements fc.Command<Model, Real> {
  constructor(
    readonly to: PayoutState,
    readonly paySent: boolean
  ) {}
  check(): boolean {
    return true
  }
  run(m: Model, r: Real): void {
    const legal = isLegalTransition(m.state, m.paySent, this.to, this.paySent)
    const code = attempt(() => rawMove(r.id, this.to, this.paySent, T0 + stats.attempts))
    record(legal, code === null, m, this.to)
    expect(code === null, `raw ${m.state}/${m.paySent} -> ${this.to}/${this.paySent}`).toBe(legal)
    if (code === null) {
      m.state = this.to
      m.paySent = this.paySent
    } else {
      expect(['conflict', 'payout-final', 'invalid-input', 'forbidden']).toContain(code)
    }
    expect(stateOf(r.id)).toEqual(m)
  }
  toString(): string {
    return `raw(${this.to},${this.paySent ? 1 : 0})`
  }
}

class RepoMove implements fc.Command<Model, Real> {
  constructor(
    readonly to: PayoutState,
    readonly staleFrom: PayoutState | null
  ) {}
  check(): boolean {
    return true
  }
  run(m: Model, r: Real): void {
    const from = this.staleFrom ?? m.state
    const legal = from === m.state && isLegalTransition(m.state, m.paySent, this.to, paySentFor(this.to))
    const eventsBefore = listEventsForPayout(db, r.id).length
    const code = attempt(() =>
      transition(
        db,
        r.id,
        from,
        this.to,
        { attempts: stats.attempts, nextAction: this.to === 'queued' ? 'pay' : 'status', nextCheckAt: T0 },
        { kind: 'note', message: 'fc' },
        T0 + stats.attempts
      )
    )
    record(legal, code === null, m, this.to)
    expect(code === null, `repo ${from}(actual ${m.state}) -> ${this.to}`).toBe(legal)
    const eventsAfter = listEventsForPayout(db, r.id).length
    if (code === null) {
      m.state = this.to
      m.paySent = paySentFor(this.to)
      expect(eventsAfter).toBe(eventsBefore + 1)
    } else {
      // nothing half-written: no journal entry for a refused transition
      expect(eventsAfter).toBe(eventsBefore)
      if (from !== m.state) expect(code).toBe(isFinalState(m.state) ? 'payout-final' : 'conflict')
    }
    expect(stateOf(r.id)).toEqual(m)
  }
  toString(): string {
    return `repo(${this.staleFrom ?? 'current'}->${this.to})`
  }
}

const IMMUTABLE: [string, string | number][] = [
  ['terminal_id', '999'],
  ['transaction_number', '1'],
  ['service', 'card'],
  ['service_id', 34020],
  ['account', '70000000000'],
  ['amount_kopecks', 1],
  ['currency', 'USD'],
  ['comment', 'changed'],
  ['extras', '{"bankId":"1"}'],
  ['client_request_id', 'other'],
  ['created_at', 1],
  ['account_display', 'x'],
  ['batch_key', 'bk'],
  ['entry_seq', 999999],
  ['precheck', 0]
]

class TouchImmutable implements fc.Command<Model, Real> {
  constructor(readonly col: number) {}
  check(): boolean {
    return true
  }
  run(m: Model, r: Real): void {
    const [column, value] = IMMUTABLE[this.col % IMMUTABLE.length] as [string, string | number]
    const code = attempt(() => sql(`UPDATE payouts SET ${column} = ? WHERE id = ?`).run(value, r.id))
    record(false, code === null, m, m.state)
    expect(code, column).toBe(isFinalState(m.state) ? 'payout-final' : 'forbidden')
    expect(stateOf(r.id)).toEqual(m)
  }
  toString(): string {
    return `immutable(${IMMUTABLE[this.col % IMMUTABLE.length]?.[0] ?? '?'})`
  }
}

class TouchMutable implements fc.Command<Model, Real> {
  check(): boolean {
    return true
  }
  run(m: Model, r: Real): void {
    const legal = !isFinalState(m.state)
    const code = attempt(() => sql('UPDATE payouts SET attempts = attempts + 1 WHERE id = ?').run(r.id))
    record(legal, code === null, m, m.state)
    expect(code === null).toBe(legal)
    if (!legal) expect(code).toBe('payout-final')
  }
  toString(): string {
    return 'touch(attempts)'
  }
}

class Delete implements fc.Command<Model, Real> {
  check(): boolean {
    return true
  }
  run(m: Model, r: Real): void {
    const code = attempt(() => sql('DELETE FROM payouts WHERE id = ?').run(r.id))
    record(false, code === null, m, m.state)
    expect(code).toBe('forbidden')
    expect(stateOf(r.id)).toEqual(m)
  }
  toString(): string {
    return 'delete'
  }
}

const stateArb = fc.constantFrom(...PAYOUT_STATES)
const commandArbs = [
  fc.tuple(stateArb, fc.boolean()).map(([to, ps]) => new RawMove(to, ps)),
  // bias towards the consistent pay_sent so legal paths are walked deep, not only refused
  stateArb.map((to) => new RawMove(to, paySentFor(to))),
  fc.tuple(stateArb, fc.option(stateArb, { freq: 4 })).map(([to, stale]) => new RepoMove(to, stale)),
  fc.nat().map((i) => new TouchImmutable(i)),
  fc.constant(new TouchMutable()),
  fc.constant(new Delete())
]

describe('payout state machine enforced by SQLite (S4)', () => {
  it('accepts exactly the legal moves over ≥ 10,000 random attempts', () => {
    const seed = 20261122
    process.stdout.write(`[state-machine] fast-check seed=${seed}\n`)
    fc.assert(
      fc.property(fc.commands(commandArbs, { maxCommands: 60, size: 'max' }), (cmds) => {
        const p = newPayout()
        // One transaction per run keeps 10^4 attempts fast (no fsync per statement). A
        // trigger's RAISE(ABORT) undoes only its own statement, so each attempt is still
        // judged on its own.
        writeTransaction(db, () => {
          fc.modelRun(() => ({ model: { state: p.state, paySent: p.paySent }, real: { id: p.id } }), cmds)
        })
      }),
      { seed, numRuns: 500 }
    )
    process.stdout.write(
      `[state-machine] attempts=${stats.attempts} illegal=${stats.illegalAttempts} ` +
        `illegalAccepted=${stats.illegalAccepted} legalAccepted=${stats.legalAccepted} ` +
        `legalRejected=${stats.legalRejected} distinctMoves=${stats.pairs.size}\n`
    )
    expect(stats.attempts).toBeGreaterThanOrEqual(10_000)
    expect(stats.illegalAttempts).toBeGreaterThanOrEqual(3_000)
    expect(stats.illegalAccepted).toBe(0)
    expect(stats.legalRejected).toBe(0)
    expect(stats.legalAccepted).toBeGreaterThanOrEqual(1_000)
    // every existing (state, pay_sent) × target state combination was tried
    expect(stats.pairs.size).toBe(PAYOUT_STATES.length * PAYOUT_STATES.length)
  }, 120_000)
})

describe('invariants outside transitions', () => {
  it('a payout can only be inserted queued and unsent', () => {
    const p = newPayout()
    const code = attempt(() =>
      db
        .prepare(
          `INSERT INTO payouts (client_request_id, terminal_ref, terminal_id, transaction_number, service, service_id,
             account, account_display, amount_kopecks, entry_seq, state, next_action, pay_sent, next_check_at,
             created_at, updated_at)
           VALUES ('ins-1', ?, ?, '5', 'wallet', 99, '7', '7', 1, 100000, 'sending', 'status', 1, 1, 1, 1)`
        )
        .run(p.terminalRef, p.terminalId)
    )
    expect(code).toBe('conflict')
  })

  it("a payout's terminal_id copy must match its terminal", () => {
    const code = attempt(() =>
      db
        .prepare(
          `INSERT INTO payouts (client_request_id, terminal_ref, terminal_id, transaction_number, service, service_id,
             account, account_display, amount_kopecks, entry_seq, next_action, next_check_at, created_at, updated_at)
           VALUES ('ins-2', ?, '777', '5', 'wallet', 99, '7', '7', 1, 100001, 'pay', 1, 1, 1)`
        )
        .run(terminal.id)
    )
    expect(code).toBe('forbidden')
  })

  it('the journal is append-only', () => {
    const p = newPayout()
    const ev = listEventsForPayout(db, p.id)[0]
    expect(ev).toBeDefined()
    expect(attempt(() => db.prepare("UPDATE payout_events SET message = 'x' WHERE id = ?").run(ev?.id))).toBe(
      'forbidden'
    )
    expect(attempt(() => db.prepare('DELETE FROM payout_events WHERE id = ?').run(ev?.id))).toBe('forbidden')
    expect(listEventsForPayout(db, p.id)).toEqual([ev])
  })

  it('the transaction-number counter never moves backwards nor disappears', () => {
    const row = db.prepare('SELECT terminal_id, desk_prefix FROM txn_counters LIMIT 1').get() as {
      terminal_id: string
      desk_prefix: number
    }
    expect(
      attempt(() =>
        db
          .prepare(
            'UPDATE txn_counters SET last_number = last_number - 1 WHERE terminal_id = ? AND desk_prefix = ?'
          )
          .run(row.terminal_id, row.desk_prefix)
      )
    ).toBe('forbidden')
    expect(attempt(() => db.prepare('DELETE FROM txn_counters').run())).toBe('forbidden')
  })

  it('a refused transition inside a bigger transaction leaves nothing behind', () => {
    const p = newPayout()
    const code = attempt(() =>
      writeTransaction(db, () => {
        transition(
          db,
          p.id,
          'queued',
          'sending',
          { nextAction: 'pay' },
          { kind: 'state', message: 'pay about to be sent' },
          T0
        )
        // the second step is illegal, so the whole unit must roll back
        transition(db, p.id, 'sending', 'declined', {}, { kind: 'state' }, T0)
      })
    )
    expect(code).toBe('conflict')
    expect(stateOf(p.id)).toEqual({ state: 'queued', paySent: false })
    expect(listEventsForPayout(db, p.id)).toHaveLength(1)
  })

  it('a journal entry the database refuses rolls the transition back', () => {
    const p = newPayout()
    // message longer than the column allows is clipped, but an unknown kind is refused
    const code = attempt(() =>
      transition(
        db,
        p.id,
        'queued',
        'sending',
        { nextAction: 'pay' },
        [{ kind: 'state' }, { kind: 'bogus' as 'note' }],
        T0
      )
    )
    expect(code).toBe('invalid-input')
    expect(stateOf(p.id)).toEqual({ state: 'queued', paySent: false })
    expect(listEventsForPayout(db, p.id)).toHaveLength(1)
  })

  it('a second connection cannot bypass the rules either', () => {
    const p = newPayout()
    const other = new Database(file)
    try {
      expect(() => other.prepare("UPDATE payouts SET state = 'succeeded' WHERE id = ?").run(p.id)).toThrow(
        /illegal-transition|CHECK/
      )
      expect(() => other.prepare('DELETE FROM payouts WHERE id = ?').run(p.id)).toThrow(/forbidden/)
    } finally {
      other.close()
    }
    expect(isAppError(mapSqliteError(new Error('x')))).toBe(true)
  })
})
