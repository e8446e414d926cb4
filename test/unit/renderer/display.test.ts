import { describe, expect, it } from 'vitest'

import {
  certExpiry,
  displayState,
  errorKey,
  formatDateTime,
  isoDay,
  moneyHuman,
  recipientHuman,
  relativeIn,
  stateTone
} from '../../../renderer/src/components/cashier/format'
import {
  balanceChange,
  hourSeries,
  receiptLines,
  signedHuman,
  stateServiceTable
} from '../../../renderer/src/components/cashier/report-model'
import { newTerminalForm, terminalToForm, validateTerminalForm } from '../../../renderer/src/components/cashier/terminal-form'
import type { PayoutView, TerminalView } from '../../../shared/payouts'

describe('what a payout looks like', () => {
  it('paused and offline are shown over non-final states, never over a final one', () => {
    expect(displayState({ state: 'waiting', final: false, paused: true }, true)).toBe('paused')
    expect(displayState({ state: 'queued', final: false, paused: false }, false)).toBe('queued-offline')
    expect(displayState({ state: 'sending', final: false, paused: false }, false)).toBe('sending')
    expect(displayState({ state: 'failed', final: true, paused: true }, false)).toBe('failed')
    expect(stateTone('succeeded')).toBe('ok')
    expect(stateTone('failed')).toBe('bad')
    expect(stateTone('declined')).toBe('muted')
    expect(stateTone('waiting')).toBe('info')
  })
  it('money, recipients, times', () => {
    expect(moneyHuman('1115.00', 'ru')).toBe('1\u00a0115,00')
    expect(moneyHuman('1115.00', 'en')).toBe('1,115.00')
    expect(moneyHuman('n/a', 'en')).toBe('n/a')
    expect(recipientHuman('wallet', '79181234567')).toBe('+7 918 123-45-67')
    expect(recipientHuman('card-spec', '+79991112233')).toBe('+7 999 111-22-33')
    expect(recipientHuman('card', '4265 11** **** 4411')).toBe('4265 11** **** 4411')
    expect(relativeIn(10_000, 0)).toEqual({ key: 'inSeconds', params: { n: 10 } })
    expect(relativeIn(600_000, 0)).toEqual({ key: 'inMinutes', params: { n: 10 } })
    expect(relativeIn(3_900_000, 0)).toEqual({ key: 'inHours', params: { n: 1, m: 5 } })
    expect(relativeIn(0, 5_000)).toEqual({ key: 'now', params: {} })
    // The desk works in Moscow time (UTC+3, no DST): 21:00 UTC is already the next day.
    expect(isoDay(Date.UTC(2026, 0, 4, 21, 0))).toBe('2026-01-05')
    expect(isoDay(Date.UTC(2026, 0, 4, 20, 59))).toBe('2026-01-04')
    expect(formatDateTime(Date.UTC(2026, 0, 5, 6, 7, 3), 'ru')).toBe('05.01.2026, 09:07:03')
  })
  it('error codes map to strings, unknown ones to a fallback', () => {
    expect(errorKey('terminal-paused')).toBe('cashier.errors.terminal-paused')
    expect(errorKey('something-new')).toBe('cashier.errors.unknown')
  })
  it('certificate expiry warns 30 days ahead', () => {
    const day = 86_400_000
    expect(certExpiry(null, 0)).toBeNull()
    expect(certExpiry(31 * day, 0)).toBeNull()
    expect(certExpiry(30 * day, 0)).toBe('soon')
    expect(certExpiry(0, 1)).toBe('expired')
  })
})

describe('day report', () => {
  it('stacks the hours bottom-up: succeeded, pending, failed, declined', () => {
    const s = hourSeries([
      { hour: 9, state: 'succeeded', count: 3, amount: '30.00' },
      { hour: 9, state: 'waiting', count: 1, amount: '10.00' },
      { hour: 9, state: 'queued', count: 1, amount: '10.00' },
      { hour: 9, state: 'failed', count: 2, amount: '20.00' },
      { hour: 14, state: 'declined', count: 4, amount: '40.00' }
    ])
    expect(s.counts.pending[9]).toBe(2)
    expect([s.stacked.succeeded[9], s.stacked.pending[9], s.stacked.failed[9], s.stacked.declined[9]]).toEqual([3, 5, 7, 7])
    expect(s.stacked.declined[14]).toBe(4)
    expect(s.max).toBe(7)
    expect(s.hours).toHaveLength(24)
  })
  it('groups state × service rows and sums money in kopecks', () => {
    const t = stateServiceTable([
      { state: 'failed', service: 'card', count: 1, amount: '0.10' },
      { state: 'succeeded', service: 'wallet', count: 2, amount: '0.10' },
      { state: 'succeeded', service: 'card', count: 1, amount: '0.20' }
    ])
    expect(t.map((r) => [r.state, r.count, r.kopecks])).toEqual([
      ['succeeded', 3, 30],
      ['failed', 1, 10]
    ])
    expect(balanceChange('1000.00', '850.50')).toBe(-14950)
    expect(signedHuman(14950, 'en')).toBe('+149.50')
  })
})

describe('receipt', () => {
  it('lists what a customer needs, in the language it is given', () => {
    const p: PayoutView = {
      id: 1,
      transactionNumber: '1000000000001',
      terminal: 'Demo',
      terminalRef: 't1',
      service: 'wallet',
      account: '79181234567',
      amount: '1500.00',
      amountKopecks: 150000,
      currency: 'RUB',
      comment: null,
      state: 'succeeded',
      final: true,
      status: '60',
      resultCode: '0',
      resultMessage: 'Ok',
      txnId: '6060',
      txnDate: '02.03.2011 14:35:46',
      paused: false,
      nextCheckAt: null,
      attempts: 1,
      error: null,
      createdAt: 0,
      updatedAt: 0,
      finalAt: 0
    }
    const lines = receiptLines(p, undefined, (k) => k.split('.').pop() ?? k)
    const map = new Map(lines)
    expect(map.get('number')).toBe('1000000000001')
    expect(map.get('recipient')).toBe('+7 918 123-45-67')
    expect(map.get('amount')).toBe('1\u00a0500,00 ₽')
    expect(map.get('txnId')).toBe('6060')
    expect(map.has('result')).toBe(false)
  })
})

describe('terminal editor', () => {
  it('validates to the contract input', () => {
    const f = { ...newTerminalForm(), name: ' Касса 1 ', terminalId: '10001', lowBalance: '1 000', minPollSeconds: '600' }
    expect(validateTerminalForm(f).input).toEqual({
      name: 'Касса 1',
      terminalId: '10001',
      endpoint: 'sandbox',
      authMode: 'password',
      signatureAlg: null,
      servicesAllowed: ['wallet', 'card', 'sbp'],
      precheckAbsentWalletPolicy: 'decline',
      lowBalance: '1000.00',
      minPollSeconds: 600
    })
  })
  it('rejects what the core would reject', () => {
    const bad = validateTerminalForm({
      ...newTerminalForm(),
      terminalId: '12a',
      endpointKind: 'custom',
      endpointUrl: 'http://api.qiwi.com/xml',
      servicesAllowed: [],
      minPollSeconds: '999999'
    })
    expect(Object.keys(bad.errors).sort()).toEqual(['endpoint', 'minPoll', 'name', 'services', 'terminalId'])
    expect(validateTerminalForm({ ...newTerminalForm(), name: 'x', terminalId: '1', endpointKind: 'custom', endpointUrl: 'https://api.qiwi.com/' }).input?.endpoint).toBe(
      'https://api.qiwi.com'
    )
    expect(validateTerminalForm({ ...newTerminalForm(), name: 'x', terminalId: '1', endpointKind: 'custom', endpointUrl: 'http://127.0.0.1:8080' }).input?.endpoint).toBe(
      'http://127.0.0.1:8080'
    )
  })
  it('round-trips a terminal view', () => {
    const v: TerminalView = {
      id: 'u1',
      name: 'Sig',
      terminalId: '10002',
      endpoint: 'https://api.qiwi.com',
      authMode: 'signature',
      signatureAlg: 'MD5withRSA',
      servicesAllowed: ['wallet'],
      precheckAbsentWalletPolicy: 'pay',
      lowBalance: '500.00',
      minPollSeconds: 900,
      deskPrefix: 10,
      paused: false,
      pausedReason: null,
      pausedCode: null,
      credentials: { password: false, signingKey: true, clientCert: false, caCert: false },
      certificate: null
    }
    expect(validateTerminalForm(terminalToForm(v)).input).toEqual({
      id: 'u1',
      name: 'Sig',
      terminalId: '10002',
      endpoint: 'https://api.qiwi.com',
      authMode: 'signature',
      signatureAlg: 'MD5withRSA',
      servicesAllowed: ['wallet'],
      precheckAbsentWalletPolicy: 'pay',
      lowBalance: '500.00',
      minPollSeconds: 900
    })
  })
})
