/**
 * Pure parts of the wallet area: the client-id step, API origin rules, CSV export
 * (formula cells, round trip), exact money formatting, currency codes, the keyed
 * mutex, and the CLI's date/exit-code/JSON helpers. fast-check runs with fixed seeds
 * (printed) so a failure can be replayed.
 */
import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { cliHistoryItem, cliTransfer, exitCodeFor, parseCliDate } from '../../../electron/cli/commands/wallet'
import { EXIT } from '../../../electron/cli/context'
import { SANDBOX_API, defaultCasBase, normalizeApi, originResolver } from '../../../electron/core/wallet/api'
import { nextClientId } from '../../../electron/core/wallet/client-id'
import { CSV_FORMULA_RE, HISTORY_CSV_FIELDS, historyCsv } from '../../../electron/core/wallet/csv'
import { formatBigKopecks, normalizeCurrency } from '../../../electron/core/wallet/history.repository'
import { KeyedMutex } from '../../../electron/core/wallet/keyed-mutex'
import { isAppError } from '../../../shared/errors'
import type { WalletHistoryItemView } from '../../../shared/wallet'

const SEED = 20_240_615
// eslint-disable-next-line no-console -- the seed is printed so a failure can be replayed
console.info(`wallet unit tests: fast-check seed ${SEED}`)

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    if (isAppError(e)) return e.code
    throw e
  }
  return 'no error'
}

describe('client ids: next = max(last + 1, now ms)', () => {
  it(`strictly increasing, never below the clock, ≤ 20 digits, whatever the clock does (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
        fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 1, maxLength: 300 }),
        (start, steps) => {
          let clock = start
          let last: number | null = null
          const seen = new Set<number>()
          for (const s of steps) {
            clock += s
            const id = nextClientId(last, clock)
            expect(Number.isSafeInteger(id)).toBe(true)
            expect(String(id).length).toBeLessThanOrEqual(20)
            expect(id).toBeGreaterThanOrEqual(clock)
            if (last !== null) expect(id).toBeGreaterThan(last)
            expect(seen.has(id)).toBe(false)
            seen.add(id)
            last = id
          }
        }
      ),
      { seed: SEED, numRuns: 300 }
    )
  })

  it('is the docs’ 1000 × Unix seconds at millisecond resolution', () => {
    expect(nextClientId(null, 1_718_442_000_123)).toBe(1_718_442_000_123)
    expect(nextClientId(1_718_442_000_123, 1_718_442_000_123)).toBe(1_718_442_000_124)
    expect(nextClientId(1_718_442_000_500, 1_718_442_000_123)).toBe(1_718_442_000_501)
    expect(code(() => nextClientId(null, 0))).toBe('internal')
    expect(code(() => nextClientId(null, Number.NaN))).toBe('internal')
  })
})

describe('API origins', () => {
  it('accepts sandbox, https origins and loopback http; refuses the rest', () => {
    expect(normalizeApi('sandbox')).toBe(SANDBOX_API)
    expect(normalizeApi(' https://edge.qiwi.com/ ')).toBe('https://edge.qiwi.com')
    expect(normalizeApi('http://127.0.0.1:17081')).toBe('http://127.0.0.1:17081')
    expect(normalizeApi('http://localhost:8080')).toBe('http://localhost:8080')
    expect(normalizeApi('http://[::1]:9')).toBe('http://[::1]:9')
    expect(code(() => normalizeApi('http://edge.qiwi.com'))).toBe('config')
    expect(code(() => normalizeApi('http://10.0.0.1'))).toBe('config')
    expect(code(() => normalizeApi('https://edge.qiwi.com/payment-history'))).toBe('invalid-input')
    expect(code(() => normalizeApi('https://user:pw@edge.qiwi.com'))).toBe('invalid-input')
    expect(code(() => normalizeApi('https://edge.qiwi.com?x=1'))).toBe('invalid-input')
    expect(code(() => normalizeApi('ftp://edge.qiwi.com'))).toBe('invalid-input')
    expect(code(() => normalizeApi('edge.qiwi.com'))).toBe('invalid-input')
  })

  it('CAS server default: the emulator itself for sandbox/loopback, auth.qiwi.com otherwise', () => {
    expect(defaultCasBase('sandbox')).toBe('sandbox')
    expect(defaultCasBase('http://127.0.0.1:5000')).toBe('http://127.0.0.1:5000')
    expect(defaultCasBase('https://edge.qiwi.com')).toBe('https://auth.qiwi.com')
  })

  it('resolves sandbox through the host; a stopped sandbox is a configuration error', () => {
    expect(originResolver(() => 'http://127.0.0.1:1')('sandbox')).toEqual({ origin: 'http://127.0.0.1:1' })
    expect(originResolver()('https://edge.qiwi.com')).toEqual({ origin: 'https://edge.qiwi.com' })
    expect(code(() => originResolver()('sandbox'))).toBe('config')
  })
})

function item(over: Partial<WalletHistoryItemView> = {}): WalletHistoryItemView {
  return {
    txnId: '11233344692',
    type: 'OUT',
    status: 'SUCCESS',
    date: '2017-08-30T14:38:09+03:00',
    at: Date.parse('2017-08-30T14:38:09+03:00'),
    account: '+79121112233',
    sum: { amount: '100.50', currency: '643' },
    commission: { amount: '1.01', currency: '643' },
    total: { amount: '101.51', currency: '643' },
    provider: 'QIWI Кошелек',
    comment: 'Комментарий, "в кавычках"\nи перевод строки',
    trmTxnId: '1718442000000',
    errorCode: 0,
    error: null,
    ...over
  }
}

describe('CSV export', () => {
  it('documented field names, decimal strings, quoting, phone numbers untouched', () => {
    const csv = historyCsv([
      item(),
      item({ txnId: '9', type: 'IN', commission: null, comment: null, account: null })
    ])
    expect(csv.split('\r\n')[0]).toBe(HISTORY_CSV_FIELDS.join(','))
    const rows = Papa.parse<Record<string, string>>(csv, { header: true }).data
    expect(rows[0]).toMatchObject({
      txnId: '11233344692',
      account: '+79121112233',
      sum: '100.50',
      sumCurrency: '643',
      commission: '1.01',
      total: '101.51',
      comment: 'Комментарий, "в кавычках"\nи перевод строки',
      trmTxnId: '1718442000000',
      errorCode: '0'
    })
    expect(rows[1]).toMatchObject({ commission: '', commissionCurrency: '', comment: '', account: '' })
  })

  it('neutralizes formula cells, keeps signed numbers', () => {
    for (const bad of ['=1+1', '@SUM(A1)', '+cmd|x', '-2+3', '\t=x', '\rx']) {
      expect(CSV_FORMULA_RE.test(bad)).toBe(true)
    }
    for (const good of ['+79121112233', '-5.00', '5', 'text', '']) {
      expect(CSV_FORMULA_RE.test(good)).toBe(false)
    }
    const rows = Papa.parse<Record<string, string>>(
      historyCsv([item({ comment: '=HYPERLINK("x")', account: '@a' })]),
      {
        header: true
      }
    ).data
    expect(rows[0]?.['comment']).toBe(`'=HYPERLINK("x")`)
    expect(rows[0]?.['account']).toBe(`'@a`)
  })

  it(`round-trips any comment text (fast-check, seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.string({ maxLength: 30 }),
        (comment, account) => {
          const rows = Papa.parse<Record<string, string>>(historyCsv([item({ comment, account })]), {
            header: true
          }).data
          const unescape = (s: string | undefined, orig: string): string =>
            CSV_FORMULA_RE.test(orig) ? (s ?? '').replace(/^'/, '') : (s ?? '')
          expect(unescape(rows[0]?.['comment'], comment)).toBe(comment)
          expect(unescape(rows[0]?.['account'], account)).toBe(account)
        }
      ),
      { seed: SEED, numRuns: 400 }
    )
  })
})

describe('exact money and currency codes', () => {
  it('formats BigInt kopecks exactly, beyond 2^53 too', () => {
    expect(formatBigKopecks(0n)).toBe('0.00')
    expect(formatBigKopecks(5n)).toBe('0.05')
    expect(formatBigKopecks(-12_345n)).toBe('-123.45')
    expect(formatBigKopecks(2n ** 60n + 7n)).toBe('11529215046068469.83')
  })

  it('maps alphabetic codes to numeric ones and refuses junk', () => {
    expect(normalizeCurrency('rub')).toBe('643')
    expect(normalizeCurrency('USD')).toBe('840')
    expect(normalizeCurrency('398')).toBe('398')
    expect(code(() => normalizeCurrency('$'))).toBe('invalid-input')
  })
})

describe('KeyedMutex', () => {
  it('serializes calls per key and lets other keys run', async () => {
    const m = new KeyedMutex()
    const log: string[] = []
    const slow = (k: string, tag: string, ms: number) =>
      m.run(k, async () => {
        log.push(`${tag}:start`)
        await new Promise((r) => setTimeout(r, ms))
        log.push(`${tag}:end`)
      })
    await Promise.all([slow('a', 'a1', 30), slow('a', 'a2', 1), slow('b', 'b1', 5)])
    expect(log.indexOf('a1:end')).toBeLessThan(log.indexOf('a2:start'))
    expect(log.indexOf('b1:end')).toBeLessThan(log.indexOf('a1:end'))
    expect(m.busy('a')).toBe(false)
    // A failure releases the lock.
    await expect(m.run('a', () => Promise.reject(new Error('x')))).rejects.toThrow('x')
    expect(await m.run('a', () => Promise.resolve(7))).toBe(7)
  })
})

describe('CLI helpers', () => {
  it('dates: a plain day is a Moscow calendar day; ISO needs an offset', () => {
    expect(parseCliDate('2024-05-01', false, '--from')).toBe(Date.UTC(2024, 3, 30, 21, 0, 0))
    expect(parseCliDate('2024-05-31', true, '--to')).toBe(Date.UTC(2024, 4, 31, 20, 59, 59, 999))
    expect(parseCliDate('2024-05-01T10:00:00Z', false, '--from')).toBe(Date.UTC(2024, 4, 1, 10))
    expect(parseCliDate('2024-05-01T10:00:00+03:00', false, '--from')).toBe(Date.UTC(2024, 4, 1, 7))
    for (const bad of ['2024-02-30', '2024-5-1', '2024-05-01T10:00:00', 'today', '']) {
      expect(code(() => parseCliDate(bad, false, '--from'))).toBe('invalid-input')
    }
  })

  it('exit codes: 2 bad input, 3 configuration or credentials, 1 the rest', () => {
    expect(exitCodeFor('invalid-amount')).toBe(EXIT.badInput)
    expect(exitCodeFor('invalid-phone')).toBe(EXIT.badInput)
    expect(exitCodeFor('conflict')).toBe(EXIT.badInput)
    expect(exitCodeFor('unknown-wallet')).toBe(EXIT.config)
    expect(exitCodeFor('unauthorized')).toBe(EXIT.config)
    expect(exitCodeFor('credential-missing')).toBe(EXIT.config)
    expect(exitCodeFor('network-failure')).toBe(EXIT.other)
    expect(exitCodeFor('qiwi-error')).toBe(EXIT.other)
  })

  it('JSON shapes: history items with the documented names, transfers with id/state/txnId/error', () => {
    expect(cliHistoryItem(item())).toEqual({
      txnId: '11233344692',
      type: 'OUT',
      status: 'SUCCESS',
      date: '2017-08-30T14:38:09+03:00',
      account: '+79121112233',
      sum: '100.50',
      commission: '1.01',
      total: '101.51',
      currency: '643',
      provider: 'QIWI Кошелек',
      comment: 'Комментарий, "в кавычках"\nи перевод строки',
      trmTxnId: '1718442000000',
      errorCode: 0,
      error: null
    })
    expect(
      cliTransfer({
        id: '1',
        walletId: 'w',
        to: '79001234567',
        amount: '1.00',
        comment: null,
        state: 'waiting',
        txnId: null,
        error: { code: 'network-failure', message: 'm' },
        createdAt: 1,
        updatedAt: 1
      })
    ).toEqual({ id: '1', state: 'waiting', txnId: null, error: { code: 'network-failure', message: 'm' } })
  })
})
