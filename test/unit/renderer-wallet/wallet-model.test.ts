import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  accountKind,
  chartData,
  cleanToken,
  DAY_MS,
  defaultTotalsPeriod,
  emptyHistoryForm,
  featureBlocked,
  filterKey,
  formatMoscow,
  initialTotalsPeriod,
  isOfflineError,
  missingScopes,
  moneyText,
  monthLabel,
  monthRange,
  monthRows,
  monthsBetween,
  moscowDayEnd,
  moscowDayStart,
  moscowYmd,
  nextYm,
  pagesToEvict,
  pagesToLoad,
  phonePreview,
  signedMoneyText,
  sumRows,
  supportDetails,
  tokenState,
  toWalletFilter,
  totalsCurrencies,
  transferTone,
  upsertTransfer,
  validateTransfer
} from '../../../renderer/src/components/wallet/wallet-model'
import type { TransferView, WalletMonthTotals, WalletView } from '../../../shared/wallet'

const SEED = 20250314
// eslint-disable-next-line no-console -- the seed is printed so a failing property run can be replayed
console.log(`[fast-check] renderer-wallet: seed=${SEED}`)

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0)

function token(
  over: Partial<Pick<WalletView, 'authKind' | 'tokenAddedAt' | 'tokenExpiresAt' | 'tokenExpiresSoon'>>
) {
  return {
    authKind: 'token' as const,
    tokenAddedAt: T0,
    tokenExpiresAt: T0 + 180 * DAY_MS,
    tokenExpiresSoon: false,
    ...over
  }
}

describe('token lifetime (spec §2: 180 days)', () => {
  it('reports age and days left of a fresh token', () => {
    expect(tokenState(token({}), T0 + 10 * DAY_MS + 5)).toEqual({
      kind: 'valid',
      addedAt: T0,
      expiresAt: T0 + 180 * DAY_MS,
      ageDays: 10,
      daysLeft: 170
    })
  })
  it('falls back to added + 180 days when the core gives no expiry', () => {
    const s = tokenState(token({ tokenExpiresAt: null }), T0)
    expect(s.kind === 'valid' && s.expiresAt).toBe(T0 + 180 * DAY_MS)
  })
  it('warns ahead of time: 14 days before, or whenever the core says so', () => {
    expect(tokenState(token({}), T0 + 165 * DAY_MS).kind).toBe('valid')
    expect(tokenState(token({}), T0 + 166 * DAY_MS).kind).toBe('soon')
    const s = tokenState(token({}), T0 + 179 * DAY_MS + 1)
    expect(s).toMatchObject({ kind: 'soon', daysLeft: 1 })
    expect(tokenState(token({ tokenExpiresSoon: true }), T0).kind).toBe('soon')
  })
  it('is expired from the expiry instant on', () => {
    expect(tokenState(token({}), T0 + 180 * DAY_MS - 1).kind).toBe('soon')
    expect(tokenState(token({}), T0 + 180 * DAY_MS)).toMatchObject({
      kind: 'expired',
      daysLeft: 0,
      ageDays: 180
    })
  })
  it('does not apply to CAS logins or unknown dates', () => {
    expect(tokenState(token({ authKind: 'cas' }), T0)).toEqual({ kind: 'cas' })
    expect(tokenState(token({ tokenAddedAt: null }), T0)).toEqual({ kind: 'unknown' })
  })
  it('cleans a pasted token', () => {
    expect(cleanToken('  Bearer U1QtOTkwMTAyLWNud3FpdWhmbzg3M\n')).toBe('U1QtOTkwMTAyLWNud3FpdWhmbzg3M')
    expect(cleanToken('Authorization: Bearer abcdefgh')).toBe('abcdefgh')
    expect(cleanToken('bearerish-token')).toBe('bearerish-token')
  })
})

describe('permissions', () => {
  const perms: WalletView['permissions'] = {
    profile: 'granted',
    balance: 'missing',
    history: 'error',
    payments: 'granted'
  }
  it('blocks only what a missing permission disables', () => {
    expect(featureBlocked(perms, 'balances')).toBe(true)
    // a probe that failed (offline at login) lets the user try
    expect(featureBlocked(perms, 'history')).toBe(false)
    expect(featureBlocked(perms, 'totals')).toBe(false)
    expect(featureBlocked(perms, 'transfer')).toBe(false)
    expect(featureBlocked({ ...perms, payments: 'missing' }, 'transfer')).toBe(true)
    expect(featureBlocked({ ...perms, history: 'missing' }, 'export')).toBe(true)
    expect(missingScopes(perms)).toEqual(['balance'])
  })
})

describe('Moscow time', () => {
  it('maps a Moscow calendar day to Unix ms', () => {
    expect(moscowDayStart('2025-03-14')).toBe(Date.UTC(2025, 2, 13, 21, 0, 0))
    expect(moscowDayEnd('2025-03-14')).toBe(Date.UTC(2025, 2, 14, 21, 0, 0) - 1)
    for (const bad of ['2025-02-30', '2025-13-01', '2025-3-14', '', 'x']) {
      expect(moscowDayStart(bad), bad).toBeNull()
    }
    expect(moscowDayStart('2024-02-29')).not.toBeNull()
  })
  it('formats in Moscow time whatever the machine zone', () => {
    const ms = Date.parse('2017-01-21T11:41:07+03:00')
    expect(formatMoscow(ms, 'ru')).toBe('21.01.2017 11:41')
    expect(formatMoscow(ms, 'en')).toBe('2017-01-21 11:41')
    // 22:30 UTC is already the next day in Moscow
    expect(moscowYmd(Date.UTC(2025, 11, 31, 22, 30))).toBe('2026-01-01')
  })
  it('round-trips every day', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2040, 0, 1) }), (ms) => {
        const day = moscowYmd(ms)
        const s = moscowDayStart(day)
        const e = moscowDayEnd(day)
        return s !== null && e !== null && s <= ms && ms <= e && e - s === DAY_MS - 1
      }),
      { seed: SEED, numRuns: 500 }
    )
  })
  it('lists months and whole-month ranges', () => {
    expect(monthsBetween('2024-11', '2025-02')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02'])
    expect(monthsBetween('2025-02', '2024-11')).toEqual([])
    expect(nextYm('2024-12')).toBe('2025-01')
    expect(monthRange('2025-01', '2025-01')).toEqual({
      from: Date.UTC(2024, 11, 31, 21),
      to: Date.UTC(2025, 0, 31, 21) - 1
    })
    expect(monthRange('2025-03', '2025-01')).toBeNull()
    expect(monthRange('2025-1', '2025-01')).toBeNull()
    expect(defaultTotalsPeriod(Date.UTC(2025, 5, 15))).toEqual({ fromYm: '2024-07', toYm: '2025-06' })
    expect(defaultTotalsPeriod(Date.UTC(2025, 11, 15))).toEqual({ fromYm: '2025-01', toYm: '2025-12' })
    expect(
      monthsBetween(...(Object.values(defaultTotalsPeriod(Date.UTC(2025, 5, 15))) as [string, string]))
    ).toHaveLength(12)
    // the first sync keeps ~90 days: the period starts with the oldest saved month
    const now = Date.UTC(2025, 5, 15)
    expect(initialTotalsPeriod(Date.UTC(2025, 2, 20), now)).toEqual({ fromYm: '2025-03', toYm: '2025-06' })
    expect(initialTotalsPeriod(Date.UTC(2020, 0, 1), now)).toEqual({ fromYm: '2024-07', toYm: '2025-06' })
    expect(initialTotalsPeriod(null, now)).toEqual(defaultTotalsPeriod(now))
    expect(monthLabel('2025-03', 'ru')).toBe('мар 2025')
    expect(monthLabel('2025-03', 'en')).toBe('Mar 2025')
  })
})

describe('history filter', () => {
  it('sends only what the user set', () => {
    expect(toWalletFilter('w1', emptyHistoryForm)).toEqual({ filter: { walletId: 'w1' }, problems: [] })
    const { filter, problems } = toWalletFilter('w1', {
      from: '2025-03-01',
      to: '2025-03-31',
      operation: 'OUT',
      currencies: ['840', '643'],
      statuses: ['ERROR'],
      search: '  аренда  '
    })
    expect(problems).toEqual([])
    expect(filter).toEqual({
      walletId: 'w1',
      from: moscowDayStart('2025-03-01'),
      to: moscowDayEnd('2025-03-31'),
      operation: 'OUT',
      currencies: ['643', '840'],
      statuses: ['ERROR'],
      search: 'аренда'
    })
  })
  it('leaves out a reversed or invalid period and says why', () => {
    const r = toWalletFilter('w1', { ...emptyHistoryForm, from: '2025-04-01', to: '2025-03-01' })
    expect(r.problems).toEqual(['range'])
    expect(r.filter.from).toBeUndefined()
    expect(r.filter.to).toBeUndefined()
    expect(toWalletFilter('w1', { ...emptyHistoryForm, from: '2025-02-30' }).problems).toEqual(['from'])
  })
  it('treats all statuses as no status filter and caps the search', () => {
    const r = toWalletFilter('w1', {
      ...emptyHistoryForm,
      statuses: ['ERROR', 'SUCCESS', 'WAITING'],
      search: 'x'.repeat(300)
    })
    expect(r.filter.statuses).toBeUndefined()
    expect(r.filter.search).toHaveLength(100)
  })
  it('gives equal filters equal keys and different filters different keys', () => {
    const a = toWalletFilter('w1', { ...emptyHistoryForm, currencies: ['840', '643'] }).filter
    const b = toWalletFilter('w1', { ...emptyHistoryForm, currencies: ['643', '840'] }).filter
    expect(filterKey(a)).toBe(filterKey(b))
    expect(filterKey(a)).not.toBe(filterKey({ ...a, search: 'x' }))
    expect(filterKey(a)).not.toBe(filterKey({ ...a, walletId: 'w2' }))
  })
})

describe('history paging', () => {
  it('loads the pages a visible range needs, once', () => {
    expect(pagesToLoad(0, 20, 3000, new Set())).toEqual([0])
    expect(pagesToLoad(90, 210, 3000, new Set([1]))).toEqual([0, 2])
    expect(pagesToLoad(2950, 3100, 3000, new Set())).toEqual([29])
    expect(pagesToLoad(0, 10, 0, new Set())).toEqual([])
  })
  it('covers every row of the range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 20 }),
        (count, start, len, had) => {
          const have = new Set(had)
          const load = pagesToLoad(start, start + len, count, have, 100)
          for (let i = start; i <= Math.min(start + len, count - 1); i++) {
            const p = Math.floor(i / 100)
            if (!have.has(p) && !load.includes(p)) return false
          }
          return load.every((p) => !have.has(p) && p * 100 < count)
        }
      ),
      { seed: SEED, numRuns: 300 }
    )
  })
  it('evicts the pages farthest from the one just loaded', () => {
    expect(pagesToEvict([0, 1, 2], 1, 12)).toEqual([])
    const pages = Array.from({ length: 15 }, (_, i) => i)
    expect(pagesToEvict(pages, 14, 12).sort((a, b) => a - b)).toEqual([0, 1, 2])
    expect(pagesToEvict(pages, 0, 12).sort((a, b) => a - b)).toEqual([12, 13, 14])
  })
})

describe('money', () => {
  it('formats wire decimals for people without floats', () => {
    expect(moneyText({ amount: '1500', currency: '643' }, 'ru')).toBe('1\u00a0500,00 ₽')
    expect(moneyText({ amount: '3497.5', currency: '643' }, 'en')).toBe('3,497.50 ₽')
    expect(moneyText({ amount: '0.1', currency: '840' }, 'en')).toBe('0.10 $')
    expect(moneyText({ amount: '12', currency: 'KZT' }, 'ru')).toBe('12,00 ₸')
    expect(moneyText({ amount: 'n/a', currency: '999' }, 'ru')).toBe('n/a 999')
  })
  it('signs amounts by direction', () => {
    expect(signedMoneyText({ type: 'IN', sum: { amount: '70', currency: '643' } }, 'ru')).toBe('+70,00 ₽')
    expect(signedMoneyText({ type: 'OUT', sum: { amount: '70', currency: '643' } }, 'ru')).toBe('−70,00 ₽')
    expect(signedMoneyText({ type: 'QIWI_CARD', sum: { amount: '-5', currency: '643' } }, 'en')).toBe(
      '−5.00 ₽'
    )
  })
})

describe('accounts', () => {
  it('names accounts by their alias, not the bare type code', () => {
    expect(accountKind('qw_wallet_rub')).toBe('wallet')
    expect(accountKind('mc_beeline_rub')).toBe('mobile')
    expect(accountKind('qvc_card')).toBe('card')
    expect(accountKind('something')).toBe('other')
  })
})

describe('errors', () => {
  it('treats unreachable servers as offline, nothing else', () => {
    expect(isOfflineError({ code: 'network-failure' })).toBe(true)
    expect(isOfflineError({ code: 'timeout' })).toBe(true)
    expect(isOfflineError({ code: 'unauthorized' })).toBe(false)
    expect(isOfflineError({ code: 'rate-limited' })).toBe(false)
  })
  it('shows QIWI code and HTTP status for support', () => {
    expect(
      supportDetails({ details: { qiwiErrorCode: 'QWPRC-220', httpStatus: 400, kind: 'bad-request' } })
    ).toEqual(['QIWI QWPRC-220', 'HTTP 400'])
    expect(supportDetails({})).toEqual([])
  })
})

describe('transfer form', () => {
  const ok = (to: string, amount: string, comment = '') => validateTransfer({ to, amount, comment })
  it('normalizes the recipient and the amount', () => {
    expect(ok('8 (900) 765-43-21', '100,5', '  за обед ').request).toEqual({
      to: '79007654321',
      amount: '100.50',
      kopecks: 10050,
      comment: 'за обед'
    })
    expect(ok('+79007654321', '1').request).toMatchObject({ amount: '1.00', comment: undefined })
    expect(phonePreview('89007654321')).toBe('+7 900 765-43-21')
    expect(phonePreview('12')).toBeNull()
  })
  it('names each problem', () => {
    const reasons = (f: Parameters<typeof validateTransfer>[0]) =>
      validateTransfer(f).problems.map((p) => `${p.field}:${p.reason}`)
    expect(reasons({ to: '', amount: '', comment: '' })).toEqual(['to:empty', 'amount:empty'])
    expect(reasons({ to: '+380501234567', amount: '1.005', comment: '' })).toEqual([
      'to:country',
      'amount:too-many-decimals'
    ])
    expect(reasons({ to: '7900', amount: '0.99', comment: 'x'.repeat(501) })).toEqual([
      'to:length',
      'amount:below-min',
      'comment:too-long'
    ])
    expect(reasons({ to: '79007654321', amount: '-1', comment: 'a\u0001' })).toEqual([
      'amount:negative',
      'comment:format'
    ])
    expect(validateTransfer({ to: '79007654321', amount: '0', comment: '' }).request).toBeNull()
  })
  it('never accepts an amount it would round (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 99_999_999 }), fc.integer({ min: 1, max: 9 }), (k, extra) => {
        const whole = Math.floor(k / 100)
        const frac = String(k % 100).padStart(2, '0')
        const exact = validateTransfer({ to: '79007654321', amount: `${whole},${frac}`, comment: '' })
        const third = validateTransfer({ to: '79007654321', amount: `${whole}.${frac}${extra}`, comment: '' })
        return (
          exact.request?.kopecks === k &&
          exact.request.amount === `${whole}.${frac}` &&
          third.request === null
        )
      }),
      { seed: SEED, numRuns: 300 }
    )
  })
})

function tv(id: string, over: Partial<TransferView> = {}): TransferView {
  return {
    id,
    walletId: 'w1',
    to: '79007654321',
    amount: '10.00',
    comment: null,
    state: 'pending',
    txnId: null,
    error: null,
    createdAt: Number(id),
    updatedAt: Number(id),
    ...over
  }
}

describe('transfers list', () => {
  it('inserts newest first, replaces by id, ignores older snapshots', () => {
    let list = upsertTransfer([], tv('100'))
    list = upsertTransfer(list, tv('200'))
    expect(list.map((x) => x.id)).toEqual(['200', '100'])
    list = upsertTransfer(list, tv('100', { state: 'waiting', updatedAt: 150 }))
    expect(list.find((x) => x.id === '100')?.state).toBe('waiting')
    // a list call answered before the event: its older snapshot must not undo the event
    list = upsertTransfer(list, tv('100', { state: 'pending', updatedAt: 120 }))
    expect(list.find((x) => x.id === '100')?.state).toBe('waiting')
    list = upsertTransfer(list, tv('100', { state: 'accepted', txnId: '11155897070', updatedAt: 300 }))
    expect(list.find((x) => x.id === '100')).toMatchObject({ state: 'accepted', txnId: '11155897070' })
    expect(list).toHaveLength(2)
  })
  it('never calls an unknown outcome a failure', () => {
    expect(transferTone('waiting')).toBe('pending')
    expect(transferTone('pending')).toBe('pending')
    expect(transferTone('accepted')).toBe('ok')
    expect(transferTone('failed')).toBe('bad')
  })
})

describe('totals', () => {
  const rows: WalletMonthTotals[] = [
    { month: '2025-01', currency: '643', incoming: '3500', outgoing: '3497.5' },
    { month: '2025-03', currency: '643', incoming: '0.01', outgoing: '0' },
    { month: '2025-01', currency: '840', incoming: '10', outgoing: '1.25' }
  ]
  it('fills missing months and sums in kopecks', () => {
    const m = monthRows(rows, '643', monthsBetween('2025-01', '2025-03'))
    expect(m).toEqual([
      { month: '2025-01', incoming: 350000, outgoing: 349750 },
      { month: '2025-02', incoming: 0, outgoing: 0 },
      { month: '2025-03', incoming: 1, outgoing: 0 }
    ])
    expect(sumRows(m)).toEqual({ incoming: 350001, outgoing: 349750 })
    expect(chartData(m)).toEqual({ x: [0, 1, 2], incoming: [3500, 0, 0.01], outgoing: [3497.5, 0, 0] })
  })
  it('lists RUB first', () => {
    expect(totalsCurrencies([...rows].reverse())).toEqual(['643', '840'])
  })
})
