/**
 * The decision table (docs/ENGINE.md): what a classified exchange does to a payout.
 * Properties with fast-check (seed printed): only a final reply decides; an unknown
 * outcome never does, whatever flags, codes and reasons it carries; a re-send as if
 * "nothing happened" only follows a transport failure that provably sent nothing.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decidePayExchange,
  decidePrecheck,
  decisionFlags,
  notSentCause
} from '../../../electron/core/engine/decide'
import type {
  CheckDepositOutcome,
  ExchangeRecord,
  OutcomeReason,
  PayOutcome,
  PayOutcomeKind,
  TransportErrorKind
} from '../../../electron/core/topup/types'

const SEED = 8128
const x = (over: Partial<ExchangeRecord> = {}): ExchangeRecord => ({
  requestType: 'pay',
  url: 'http://127.0.0.1/xml/topup.jsp',
  requestXmlRedacted: '<request/>',
  httpStatus: 200,
  replyText: '<response/>',
  durationMs: 3,
  ...over
})
const out = (kind: PayOutcomeKind, over: Partial<PayOutcome> = {}): PayOutcome => ({
  kind,
  reason: 'ok',
  fatal: false,
  duplicateMismatch: false,
  balances: {},
  ...over
})

describe('decidePayExchange', () => {
  const ctx = { mode: 'pay' as const, seenRegistered: false }
  it.each([
    ['final-success', { kind: 'final', state: 'succeeded' }],
    ['final-failure', { kind: 'final', state: 'failed' }],
    ['not-final', { kind: 'poll' }],
    ['not-registered', { kind: 'repay' }],
    ['unknown', { kind: 'poll' }]
  ] as const)('pay reply %s → %j', (kind, want) => {
    expect(decidePayExchange(out(kind), x(), ctx)).toEqual(want)
  })

  it('rule 9: not registered after a registered status polls instead of re-sending', () => {
    expect(decidePayExchange(out('not-registered'), x(), { mode: 'status', seenRegistered: true })).toEqual({
      kind: 'poll'
    })
    expect(decidePayExchange(out('not-registered'), x(), { mode: 'status', seenRegistered: false })).toEqual({
      kind: 'repay'
    })
  })

  it('"not found" counts only for status replies (D6)', () => {
    expect(decidePayExchange(out('not-found'), x(), { mode: 'status', seenRegistered: false })).toEqual({
      kind: 'not-found'
    })
    expect(decidePayExchange(out('not-found'), x(), { mode: 'pay', seenRegistered: false })).toEqual({
      kind: 'poll'
    })
  })

  it('connection refused before the body: nothing sent, the same action again later', () => {
    const refused = x({
      httpStatus: undefined,
      replyText: undefined,
      error: { kind: 'network', code: 'ECONNREFUSED', message: 'refused', beforeSend: true }
    })
    expect(decidePayExchange(out('unknown', { reason: 'transport' }), refused, ctx)).toEqual({
      kind: 'not-sent',
      cause: 'offline'
    })
    const tls = x({
      httpStatus: undefined,
      error: { kind: 'pin-mismatch', message: 'pin', beforeSend: true }
    })
    expect(notSentCause(tls)).toBe('tls')
  })

  it('a failure after the body was written is unknown (poll), never "not sent"', () => {
    const reset = x({
      httpStatus: undefined,
      error: { kind: 'network', code: 'ECONNRESET', message: 'reset', beforeSend: false }
    })
    expect(decidePayExchange(out('unknown', { reason: 'transport' }), reset, ctx)).toEqual({ kind: 'poll' })
  })

  it('property: only final-success/final-failure ever produce a final decision', () => {
    const kinds: PayOutcomeKind[] = [
      'final-success',
      'final-failure',
      'not-final',
      'not-registered',
      'not-found',
      'unknown'
    ]
    const reasons: OutcomeReason[] = [
      'ok',
      'transport',
      'timeout',
      'tls',
      'http-status',
      'too-large',
      'empty-body',
      'xml-invalid',
      'xml-rejected',
      'request-error',
      'no-payment',
      'txn-mismatch',
      'ambiguous',
      'incomplete',
      'contradictory',
      'duplicate-mismatch',
      'final-unexpected-status'
    ]
    const tkinds: TransportErrorKind[] = [
      'refused-insecure',
      'bad-endpoint',
      'credential',
      'connect-timeout',
      'timeout',
      'tls',
      'pin-mismatch',
      'network',
      'too-large',
      'incomplete',
      'signing'
    ]
    process.stdout.write(`decide property seed ${SEED}\n`)
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.constantFrom(...reasons),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.integer({ min: -1, max: 999 }), { nil: undefined }),
        fc.option(fc.record({ kind: fc.constantFrom(...tkinds), beforeSend: fc.boolean() }), {
          nil: undefined
        }),
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        fc.constantFrom('pay' as const, 'status' as const),
        fc.boolean(),
        (kind, reason, fatal, dup, status, terr, http, mode, seen) => {
          const o = out(kind, { reason, fatal, duplicateMismatch: dup, status })
          const ex = x({ httpStatus: http, error: terr ? { ...terr, message: 'e' } : undefined })
          const d = decidePayExchange(o, ex, { mode, seenRegistered: seen })
          if (d.kind === 'final') {
            expect(['final-success', 'final-failure']).toContain(kind)
            expect(d.state).toBe(kind === 'final-success' ? 'succeeded' : 'failed')
          }
          if (kind === 'unknown') expect(d.kind === 'poll' || d.kind === 'not-sent').toBe(true)
          if (d.kind === 'not-sent') {
            expect(terr?.beforeSend).toBe(true)
            expect(http).toBeUndefined()
          }
        }
      ),
      { numRuns: 10_000, seed: SEED }
    )
  })
})

describe('decisionFlags', () => {
  it('fatal and 215 pause; a final failure does not, unless the code is about the agent (316)', () => {
    expect(
      decisionFlags(out('unknown', { reason: 'request-error', fatal: true, requestResultCode: 150 })).pause
    ).toEqual({ code: '150', duplicateMismatch: false })
    expect(
      decisionFlags(out('unknown', { reason: 'duplicate-mismatch', duplicateMismatch: true, fatal: true }))
        .pause
    ).toEqual({ code: '215', duplicateMismatch: true })
    expect(
      decisionFlags(out('final-failure', { fatal: true, resultCode: 241, status: 150 })).pause
    ).toBeNull()
    expect(decisionFlags(out('final-failure', { fatal: true, resultCode: 316, status: 150 })).pause).toEqual({
      code: '316',
      duplicateMismatch: false
    })
    expect(decisionFlags(out('not-final')).pause).toBeNull()
  })
  it('an undocumented final status asks for manual review', () => {
    expect(
      decisionFlags(out('unknown', { reason: 'final-unexpected-status', status: 70 })).manualReview
    ).toBe(true)
  })
})

describe('decidePrecheck', () => {
  const c = (over: Partial<CheckDepositOutcome>): CheckDepositOutcome => ({
    kind: 'possible',
    reason: 'ok',
    fatal: false,
    ...over
  })
  it.each([
    ['possible, wallet exists', c({ exist: true, depositPossible: true }), 'decline', { kind: 'pay' }],
    ['possible, no wallet, policy pay', c({ exist: false, depositPossible: true }), 'pay', { kind: 'pay' }],
    [
      'possible, no wallet, policy decline',
      c({ exist: false, depositPossible: true, requestResultCode: 0 }),
      'decline',
      { kind: 'decline', reason: 'wallet-absent', code: 0 }
    ],
    [
      'impossible (204)',
      c({ kind: 'impossible', reason: 'deposit-impossible', requestResultCode: 204, fatal: true }),
      'pay',
      { kind: 'decline', reason: 'deposit-impossible', code: 204 }
    ],
    [
      '150 pauses, never declines',
      c({ kind: 'impossible', reason: 'fatal-code', requestResultCode: 150, fatal: true }),
      'pay',
      { kind: 'pause', code: '150' }
    ],
    [
      '339 pauses',
      c({ kind: 'retry', reason: 'request-error', requestResultCode: 339, fatal: true }),
      'pay',
      { kind: 'pause', code: '339' }
    ],
    [
      '300 retries',
      c({ kind: 'retry', reason: 'request-error', requestResultCode: 300 }),
      'pay',
      { kind: 'retry', notSent: null }
    ]
  ] as const)('%s', (_n, o, policy, want) => {
    expect(decidePrecheck(o, x(), policy)).toEqual(want)
  })
  it('unreachable endpoint: retry, marked as not sent', () => {
    const refused = x({
      httpStatus: undefined,
      error: { kind: 'network', message: 'refused', beforeSend: true }
    })
    expect(decidePrecheck(c({ kind: 'retry', reason: 'transport' }), refused, 'pay')).toEqual({
      kind: 'retry',
      notSent: 'offline'
    })
  })
})
