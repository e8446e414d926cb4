import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { mapSqliteError, sqliteCode } from '../../../electron/core/db/errors'
import {
  allowedNextStates,
  isFinalState,
  isLegalTransition,
  paySentFor
} from '../../../electron/core/db/payout-state'
import { PAYOUT_STATES } from '../../../electron/core/db/types'
import type { PayoutState } from '../../../electron/core/db/types'

describe('isLegalTransition', () => {
  it('matches the documented table exactly', () => {
    const legal = new Set([
      'queued->queued',
      'queued->sending',
      'queued->declined',
      'sending->sending',
      'sending->waiting',
      'sending->succeeded',
      'sending->failed',
      'waiting->waiting',
      'waiting->sending',
      'waiting->succeeded',
      'waiting->failed'
    ])
    for (const from of PAYOUT_STATES) {
      for (const to of PAYOUT_STATES) {
        const got = isLegalTransition(from, paySentFor(from), to, paySentFor(to))
        expect(got, `${from}->${to}`).toBe(legal.has(`${from}->${to}`))
      }
    }
  })

  it('pay_sent never goes back and declined needs an unsent payout', () => {
    for (const from of PAYOUT_STATES) {
      for (const to of PAYOUT_STATES) {
        expect(isLegalTransition(from, true, to, false)).toBe(false)
      }
    }
    expect(isLegalTransition('queued', true, 'declined', false)).toBe(false)
    expect(isLegalTransition('queued', false, 'declined', true)).toBe(false)
    // entering sending without flagging pay_sent is refused
    expect(isLegalTransition('queued', false, 'sending', false)).toBe(false)
  })

  it('finals have no successors', () => {
    const finals: PayoutState[] = ['succeeded', 'failed', 'declined']
    for (const f of finals) {
      expect(isFinalState(f)).toBe(true)
      expect(allowedNextStates(f)).toEqual([])
    }
    expect(isFinalState('waiting')).toBe(false)
  })
})

describe('mapSqliteError', () => {
  // SqliteError-shaped objects: the real ones are produced in test/integration/db.
  const sqliteErr = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code })

  it.each([
    ['SQLITE_BUSY', 'storage-busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'storage-busy'],
    ['SQLITE_LOCKED', 'storage-busy'],
    ['SQLITE_READONLY', 'storage-readonly'],
    ['SQLITE_READONLY_DBMOVED', 'storage-readonly'],
    ['SQLITE_FULL', 'storage-full'],
    ['SQLITE_IOERR', 'storage'],
    ['SQLITE_IOERR_WRITE', 'storage'],
    ['SQLITE_CORRUPT', 'storage'],
    ['SQLITE_NOTADB', 'storage'],
    ['SQLITE_CANTOPEN', 'storage'],
    ['SQLITE_CONSTRAINT_UNIQUE', 'conflict'],
    ['SQLITE_CONSTRAINT_FOREIGNKEY', 'conflict'],
    ['SQLITE_CONSTRAINT_CHECK', 'invalid-input'],
    ['SQLITE_CONSTRAINT_NOTNULL', 'invalid-input'],
    ['SQLITE_ERROR', 'internal']
  ])('%s → %s', (code, expected) => {
    const e = mapSqliteError(sqliteErr(code))
    expect(e.code).toBe(expected)
    expect(e.details).toEqual({ sqliteCode: code })
  })

  it('reads the code word of trigger messages', () => {
    expect(mapSqliteError(sqliteErr('SQLITE_CONSTRAINT_TRIGGER', 'payout-final: immutable')).code).toBe(
      'payout-final'
    )
    expect(mapSqliteError(sqliteErr('SQLITE_CONSTRAINT_TRIGGER', 'immutable: x')).code).toBe('forbidden')
    expect(mapSqliteError(sqliteErr('SQLITE_CONSTRAINT_TRIGGER', 'forbidden: x')).code).toBe('forbidden')
    expect(mapSqliteError(sqliteErr('SQLITE_CONSTRAINT_TRIGGER', 'illegal-transition: a -> b')).code).toBe(
      'conflict'
    )
    expect(mapSqliteError(sqliteErr('SQLITE_CONSTRAINT_TRIGGER', 'whatever')).code).toBe('conflict')
  })

  it('passes AppErrors through and turns other errors into internal', () => {
    const app = new AppError('timeout', 'slow')
    expect(mapSqliteError(app)).toBe(app)
    expect(mapSqliteError(new TypeError('boom')).code).toBe('internal')
    expect(mapSqliteError('str').code).toBe('internal')
    expect(sqliteCode({ code: 'ENOENT' })).toBeNull()
  })
})
