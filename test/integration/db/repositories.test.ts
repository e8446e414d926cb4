import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import type { Db } from '../../../electron/core/db/connection'
import {
  acknowledgeAlert,
  acknowledgeAllAlerts,
  countOpenAlerts,
  listAlerts,
  raiseAlert
} from '../../../electron/core/db/repositories/alerts.repository'
import {
  getBalance,
  listBalances,
  upsertBalance
} from '../../../electron/core/db/repositories/balances.repository'
import {
  appendEvent,
  listEventsForPayout,
  redactBody
} from '../../../electron/core/db/repositories/events.repository'
import { createIntent } from '../../../electron/core/db/repositories/payouts.repository'
import {
  deleteSetting,
  getSetting,
  listSettings,
  setSetting
} from '../../../electron/core/db/repositories/settings.repository'
import {
  createTerminal,
  deleteTerminal,
  getTerminal,
  getTerminalByName,
  listTerminals,
  pauseTerminal,
  resumeTerminal,
  updateTerminal
} from '../../../electron/core/db/repositories/terminals.repository'
import { T0, TempDirs, payoutInput, seedTerminal, terminalInput } from './helpers'

const tmp = new TempDirs()
let db: Db
beforeAll(() => {
  db = tmp.fresh().db
})
afterAll(() => tmp.cleanup())

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (isAppError(e)) return e.code
    throw e
  }
  throw new Error('expected an AppError, nothing was thrown')
}

describe('terminals repository', () => {
  it('creates with defaults and reads back domain types', () => {
    const t = createTerminal(db, terminalInput({ name: 'Main desk', servicesAllowed: ['wallet', 'sbp'] }), T0)
    expect(t).toMatchObject({
      name: 'Main desk',
      terminalId: '123456',
      endpoint: 'https://api.qiwi.com',
      authMode: 'password',
      signatureAlg: null,
      passwordRef: 'qiwi-desk/terminal/password',
      servicesAllowed: ['wallet', 'sbp'],
      serverSpkiPins: [],
      precheckAbsentWalletPolicy: 'decline',
      minPollSeconds: 600,
      deskPrefix: 10,
      paused: false,
      pausedReason: null,
      createdAt: T0,
      updatedAt: T0
    })
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(getTerminal(db, t.id)).toEqual(t)
    expect(getTerminalByName(db, 'Main desk')).toEqual(t)
    expect(listTerminals(db).map((x) => x.name)).toContain('Main desk')
  })

  it('refuses invalid or duplicate input with a field name', () => {
    expect(codeOf(() => createTerminal(db, terminalInput({ name: 'Main desk' }), T0))).toBe('conflict')
    expect(codeOf(() => createTerminal(db, terminalInput({ terminalId: '12a' }), T0))).toBe('invalid-input')
    expect(
      codeOf(() => createTerminal(db, terminalInput({ endpoint: 'https://api.qiwi.com/xml/topup.jsp' }), T0))
    ).toBe('invalid-input')
    expect(codeOf(() => createTerminal(db, terminalInput({ authMode: 'signature' }), T0))).toBe(
      'invalid-input'
    )
    expect(codeOf(() => createTerminal(db, terminalInput({ deskPrefix: 9 }), T0))).toBe('invalid-input')
    expect(
      codeOf(() =>
        createTerminal(db, terminalInput({ passwordRef: '-----BEGIN PRIVATE KEY-----\nMIIE' }), T0)
      )
    ).toBe('invalid-input')
    // the CHECK refuses key material even when the repository is bypassed
    expect(() =>
      db
        .prepare(
          `INSERT INTO terminals (id, name, terminal_id, endpoint, auth_mode, signing_key_ref, created_at, updated_at)
           VALUES ('00000000-0000-4000-8000-00000000000a', 'raw', '1', 'sandbox', 'password', ?, 0, 0)`
        )
        .run('-----BEGIN RSA PRIVATE KEY-----')
    ).toThrow(/CHECK/)
  })

  it('updates, pauses and resumes', () => {
    const t = seedTerminal(db)
    const u = updateTerminal(
      db,
      t.id,
      { authMode: 'signature', signatureAlg: 'SHA1withRSA', signingKeyRef: 'k1', minPollSeconds: 900 },
      T0 + 1
    )
    expect(u).toMatchObject({
      authMode: 'signature',
      signatureAlg: 'SHA1withRSA',
      signingKeyRef: 'k1',
      minPollSeconds: 900,
      updatedAt: T0 + 1
    })
    expect(codeOf(() => updateTerminal(db, t.id, { signatureAlg: null }, T0))).toBe('invalid-input')
    const p = pauseTerminal(db, t.id, 'result 150: wrong password', '150', T0 + 2)
    expect(p).toMatchObject({
      paused: true,
      pausedReason: 'result 150: wrong password',
      pausedCode: '150',
      pausedAt: T0 + 2
    })
    expect(pauseTerminal(db, t.id, 'again', '339', T0 + 3).pausedAt).toBe(T0 + 2)
    expect(resumeTerminal(db, t.id, T0 + 4)).toMatchObject({
      paused: false,
      pausedReason: null,
      pausedCode: null,
      pausedAt: null
    })
    expect(codeOf(() => pauseTerminal(db, '00000000-0000-4000-8000-000000000000', 'x', null, T0))).toBe(
      'unknown-terminal'
    )
  })

  it('keeps terminals with payouts: no delete, no terminal-id change', () => {
    const t = seedTerminal(db, { terminalId: '424242' })
    createIntent(db, payoutInput(t.id), 'term-keep-1', T0)
    expect(codeOf(() => deleteTerminal(db, t.id))).toBe('conflict')
    expect(codeOf(() => updateTerminal(db, t.id, { terminalId: '1' }, T0))).toBe('forbidden')
    expect(updateTerminal(db, t.id, { name: 'Renamed OK' }, T0).name).toBe('Renamed OK')
    const empty = seedTerminal(db)
    deleteTerminal(db, empty.id)
    expect(getTerminal(db, empty.id)).toBeNull()
  })
})

describe('events repository', () => {
  it('redacts passwords (both quote styles, any spacing) and private keys', () => {
    expect(redactBody('<extra name="password">p@ss</extra>')).toBe('<extra name="password">***</extra>')
    expect(redactBody("<extra  name = 'password' >p</extra >")).toBe(
      "<extra  name = 'password' >***</extra >"
    )
    expect(redactBody('a -----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY----- b')).toBe(
      'a [private key removed] b'
    )
    expect(redactBody('<extra name="comment">password</extra>')).toBe(
      '<extra name="comment">password</extra>'
    )
  })

  it('appends and lists in order, clipping oversized bodies instead of failing', () => {
    const t = seedTerminal(db)
    const p = createIntent(db, payoutInput(t.id), 'ev-1', T0).payout
    appendEvent(db, p.id, { kind: 'request', requestType: 'pay', body: '<request/>' }, T0 + 1)
    appendEvent(
      db,
      p.id,
      { kind: 'reply', requestType: 'pay', httpStatus: 200, body: 'x'.repeat(300_000) },
      T0 + 2
    )
    const ev = listEventsForPayout(db, p.id)
    expect(ev.map((e) => e.kind)).toEqual(['state', 'request', 'reply'])
    expect(ev[2]?.body?.length).toBe(256 * 1024)
    expect(ev[2]?.body).toMatch(/truncated by qiwi-desk -->$/)
    expect(codeOf(() => appendEvent(db, 987_654, { kind: 'note' }, T0))).toBe('conflict') // FK
  })
})

describe('alerts repository', () => {
  it('raises, bumps a repeated open alert, acknowledges', () => {
    const t = seedTerminal(db)
    const a = raiseAlert(db, { terminalRef: t.id, kind: 'fatal', code: '150', message: 'auth' }, T0)
    const b = raiseAlert(
      db,
      { terminalRef: t.id, kind: 'fatal', code: '150', message: 'auth again' },
      T0 + 10
    )
    expect(b.id).toBe(a.id)
    expect(b).toMatchObject({ count: 2, createdAt: T0, lastAt: T0 + 10, message: 'auth again' })
    const c = raiseAlert(db, { terminalRef: t.id, kind: 'fatal', code: '339', message: 'ip' }, T0 + 20)
    expect(c.id).not.toBe(a.id)
    expect(countOpenAlerts(db)).toBe(2)
    expect(acknowledgeAlert(db, a.id, T0 + 30).acknowledgedAt).toBe(T0 + 30)
    expect(acknowledgeAlert(db, a.id, T0 + 40).acknowledgedAt).toBe(T0 + 30)
    // after acknowledgement the same condition opens a new alert
    expect(
      raiseAlert(db, { terminalRef: t.id, kind: 'fatal', code: '150', message: 'auth' }, T0 + 50).id
    ).not.toBe(a.id)
    expect(listAlerts(db, { openOnly: true }).map((x) => x.code)).toEqual(['150', '339'])
    expect(acknowledgeAllAlerts(db, T0 + 60)).toBe(2)
    expect(countOpenAlerts(db)).toBe(0)
    expect(codeOf(() => raiseAlert(db, { kind: 'Bad Kind' as 'other', message: 'x' }, T0))).toBe(
      'invalid-input'
    )
    expect(codeOf(() => acknowledgeAlert(db, 123_456, T0))).toBe('not-found')
  })
})

describe('balances repository', () => {
  it('stores normalized decimal strings and ignores older reports', () => {
    const t = seedTerminal(db)
    expect(upsertBalance(db, t.id, '643', '200', T0).amount).toBe('200.00')
    expect(upsertBalance(db, t.id, '840', '12.2', T0).amount).toBe('12.20')
    expect(upsertBalance(db, t.id, '643', '-3.50', T0 + 10).amount).toBe('-3.50')
    expect(upsertBalance(db, t.id, '643', '999.99', T0 + 5).amount).toBe('-3.50') // stale report
    expect(getBalance(db, t.id, '643')).toEqual({
      terminalRef: t.id,
      currency: '643',
      amount: '-3.50',
      updatedAt: T0 + 10
    })
    expect(listBalances(db, t.id).map((b) => b.currency)).toEqual(['643', '840'])
    expect(codeOf(() => upsertBalance(db, t.id, '643', '1.234', T0))).toBe('invalid-input')
    expect(codeOf(() => upsertBalance(db, t.id, 'rub', '1', T0))).toBe('invalid-input')
    expect(codeOf(() => upsertBalance(db, 'nope', '643', '1', T0))).toBe('unknown-terminal')
  })
})

describe('settings repository', () => {
  it('stores JSON values and refuses secret-looking keys', () => {
    setSetting(db, 'language', 'ru', T0)
    setSetting(db, 'ui.theme', { mode: 'dark', contrast: 1 }, T0)
    expect(getSetting(db, 'language')).toBe('ru')
    expect(getSetting(db, 'ui.theme')).toEqual({ mode: 'dark', contrast: 1 })
    expect(getSetting(db, 'missing')).toBeUndefined()
    expect(listSettings(db)).toMatchObject({ language: 'ru' })
    deleteSetting(db, 'language')
    expect(getSetting(db, 'language')).toBeUndefined()
    expect(codeOf(() => setSetting(db, 'qiwi.password', 'x', T0))).toBe('forbidden')
    expect(codeOf(() => setSetting(db, 'apiToken', 'x', T0))).toBe('forbidden')
    expect(codeOf(() => setSetting(db, 'bad key', 'x', T0))).toBe('invalid-input')
    expect(codeOf(() => setSetting(db, 'fn', () => 1, T0))).toBe('invalid-input')
  })
})
