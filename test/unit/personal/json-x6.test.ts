/**
 * RELIABILITY X6 (JSON API responses validated) and X5 (numeric fidelity) for the
 * personal API: strict parser + schemas under fast-check. Fixed seeds, printed.
 */
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import {
  JsonNumber,
  balancesSchema,
  historyPageSchema,
  kopecksToDecimal,
  normalizeDecimal,
  parseJson,
  parseWith,
  stringifyJson,
  totalsSchema,
  transactionSchema,
  wireAmountToKopecks
} from '../../../electron/core/personal'

const SEED = 20261122
const protoSnapshot = Object.getOwnPropertyNames(Object.prototype).sort().join(',')

afterAll(() => {
  // Nothing in this file may have touched Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join(',')).toBe(protoSnapshot)
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
})

function run(name: string, prop: fc.IProperty<never> | fc.IProperty<unknown[]>, numRuns: number): void {
  // eslint-disable-next-line no-console -- the seed is printed so a failure can be replayed
  console.log(`[fast-check] ${name}: seed=${SEED} numRuns=${numRuns}`)
  fc.assert(prop as fc.IProperty<unknown>, { seed: SEED, numRuns })
}

function item(amount: string, extra = ''): string {
  return `{"txnId":1,"personId":79001234567,"date":"2017-01-21T11:41:07+03:00","errorCode":0,"status":"SUCCESS","type":"OUT",
  "sum":{"amount":${amount},"currency":643},"total":{"amount":${amount},"currency":643}${extra}}`
}
const page = (items: string): string => `{"data":[${items}],"nextTxnId":null,"nextTxnDate":null}`

describe('strict JSON parser', () => {
  it('keeps number text exactly, including ids beyond 2^53', () => {
    const r = parseJson('{"cardId": 2001291110576200000, "a": [0.1, -3.15, 1e3]}')
    if (!r.ok) throw new Error(r.reason)
    const v = r.value as Record<string, unknown>
    expect((v.cardId as JsonNumber).raw).toBe('2001291110576200000')
    expect((v.a as JsonNumber[]).map((n) => n.raw)).toEqual(['0.1', '-3.15', '1e3'])
  })

  it.each([
    ['{"__proto__": {"polluted": 1}}', 'forbidden key'],
    ['{"a": {"constructor": {"prototype": {"polluted": 1}}}}', 'forbidden key'],
    ['{"prototype": 1}', 'forbidden key'],
    ['{"a": 1, "a": 2}', 'duplicate key'],
    ['{"a": NaN}', 'unexpected character'],
    ['{"a": Infinity}', 'unexpected character'],
    ['{"a": -Infinity}', 'invalid number'],
    ['{"a": 01}', "expected ','"],
    ['{"a": "\u0001"}', 'control character'],
    ['{"a": "\\ud800"}', 'lone surrogate'],
    ['[1,]', 'unexpected character'],
    ['{"a":1} x', 'trailing data'],
    ['', 'unexpected end'],
    ['{"a": None}', 'unexpected character'],
    [`${'['.repeat(40)}${']'.repeat(40)}`, 'nesting too deep'],
    [`{"a": 1${'0'.repeat(100)}}`, 'number literal too long']
  ])('refuses %j (%s) without throwing', (text, reason) => {
    const r = parseJson(text)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toContain(reason)
  })

  it('produces prototype-less objects', () => {
    const r = parseJson('{"toString": 1, "hasOwnProperty": 2}')
    if (!r.ok) throw new Error(r.reason)
    expect(Object.getPrototypeOf(r.value)).toBeNull()
  })

  it('agrees with JSON.parse on every valid document without forbidden keys (fuzz)', () => {
    const doc = fc
      .jsonValue({ maxDepth: 6 })
      .filter((v) => !JSON.stringify(v).match(/"(__proto__|constructor|prototype)":/))
    run(
      'parser agrees with JSON.parse',
      fc.property(doc, (v) => {
        const text = JSON.stringify(v)
        const r = parseJson(text)
        expect(r.ok).toBe(true)
        if (r.ok) expect(JSON.parse(stringifyJson(r.value))).toEqual(JSON.parse(text))
      }),
      2000
    )
  })

  it('never throws on arbitrary text (fuzz)', () => {
    run(
      'parser total on arbitrary strings',
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.json()),
        (s) => {
          const r = parseJson(s)
          expect(typeof r.ok).toBe('boolean')
        }
      ),
      3000
    )
  })
})

describe('amount exactness (X5/X6)', () => {
  it('round-trips every kopeck amount through text → kopecks → text', () => {
    run(
      'amount round trip',
      fc.property(fc.integer({ min: 0, max: 99_999_999_999_99 }), (k) => {
        const dec = kopecksToDecimal(k)
        expect(wireAmountToKopecks(dec)).toBe(k)
        // and through a full history page
        const r = parseWith(historyPageSchema, page(item(dec)))
        expect(r.ok && r.value.data[0]?.sum.kopecks).toBe(k)
      }),
      5000
    )
  })

  it('parses 0.1 + 0.2 style values exactly (no float arithmetic)', () => {
    expect(wireAmountToKopecks('0.1')).toBe(10)
    expect(wireAmountToKopecks('0.29')).toBe(29)
    expect(wireAmountToKopecks('1.15')).toBe(115)
    expect(wireAmountToKopecks('4.35')).toBe(435)
    expect(wireAmountToKopecks('9007199254740.99')).toBe(900719925474099)
  })

  it('rejects more than 2 decimals, exponents, NaN/Infinity spellings and huge numbers', () => {
    const threeDecimals = fc
      .tuple(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat({ max: 5 })
      )
      .map(([w, f, last, more]) => `${w}.${String(f).padStart(2, '0')}${'0'.repeat(more)}${last}`)
    const huge = fc.bigInt({ min: 10n ** 14n, max: 10n ** 40n }).map((b) => b.toString())
    const exp = fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -20, max: 400 }))
      .map(([m, e]) => `${m}e${e}`)
    const bad = fc.oneof(
      threeDecimals,
      huge,
      exp,
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '-0.001', '00.5', '.5', '5.', '')
    )
    run(
      'bad amounts rejected (raw and as string)',
      fc.property(bad, (a) => {
        expect(wireAmountToKopecks(a)).toBeNull()
        // as a JSON number (when it is one) and as a JSON string
        if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(a)) {
          expect(parseWith(historyPageSchema, page(item(a))).ok).toBe(false)
        }
        expect(parseWith(historyPageSchema, page(item(JSON.stringify(a)))).ok).toBe(false)
        expect(
          parseWith(
            totalsSchema,
            `{"incomingTotal":[{"amount":${JSON.stringify(a)},"currency":643}],"outgoingTotal":[]}`
          ).ok
        ).toBe(false)
      }),
      2000
    )
  })

  it('rejects wrong types for amounts, ids, currencies without throwing', () => {
    const wrong = fc.oneof(
      fc.constant('true'),
      fc.constant('null'),
      fc.constant('{}'),
      fc.constant('[]'),
      fc.constant('[1]'),
      fc.constant('{"amount":1}')
    )
    run(
      'wrong types rejected',
      fc.property(wrong, fc.constantFrom('amount', 'txnId', 'currency', 'date', 'status'), (v, field) => {
        let text = page(item('1'))
        text = text.replace(new RegExp(`"${field}":("[^"]*"|[^,}]+)`), `"${field}":${v}`)
        expect(parseWith(historyPageSchema, text).ok).toBe(false)
      }),
      500
    )
  })

  it('rates are normalized decimals; exponent forms expanded exactly', () => {
    expect(normalizeDecimal('6.22665')).toBe('6.22665')
    expect(normalizeDecimal('1')).toBe('1')
    expect(normalizeDecimal('1.50')).toBe('1.5')
    expect(normalizeDecimal('1.5E-4')).toBe('0.00015')
    expect(normalizeDecimal('12e3')).toBe('12000')
    expect(normalizeDecimal('NaN')).toBeNull()
    expect(normalizeDecimal('1e400')).toBeNull()
  })
})

describe('hostile documents (X6)', () => {
  const hostile = fc.oneof(
    fc.constant(page(item('1', ',"__proto__":{"polluted":true}'))),
    fc.constant(page(item('1', ',"provider":{"constructor":{"prototype":{"polluted":true}}}'))),
    fc.constant(
      '{"accounts":[{"alias":"x","hasBalance":true,"balance":{"amount":1,"currency":643,"__proto__":{"polluted":1}}}]}'
    ),
    fc.jsonValue().map((v) => JSON.stringify({ data: [v], nextTxnId: null })),
    fc.anything().map((v) => {
      try {
        return JSON.stringify(v) ?? 'null'
      } catch {
        return 'null'
      }
    }),
    fc.string({ maxLength: 300 })
  )

  it('schemas never throw, never accept pollution, never accept non-finite amounts', () => {
    run(
      'hostile documents',
      fc.property(hostile, (text) => {
        for (const schema of [historyPageSchema, transactionSchema, balancesSchema, totalsSchema]) {
          const r = parseWith(schema as typeof historyPageSchema, text)
          if (r.ok && schema === historyPageSchema) {
            for (const it of r.value.data) expect(Number.isSafeInteger(it.sum.kopecks)).toBe(true)
          }
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }),
      3000
    )
    expect(parseWith(historyPageSchema, page(item('1', ',"__proto__":{"polluted":true}'))).ok).toBe(false)
  })

  it('serializer writes JsonNumber text verbatim and refuses floats', () => {
    expect(stringifyJson({ amount: new JsonNumber('100.50'), id: '11111111111111' })).toBe(
      '{"amount":100.50,"id":"11111111111111"}'
    )
    expect(() => stringifyJson({ amount: 0.1 })).toThrow()
    expect(() => stringifyJson({ amount: new JsonNumber('NaN') })).toThrow()
  })
})
