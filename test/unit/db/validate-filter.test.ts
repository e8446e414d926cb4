/**
 * parsePayoutFilter (the history hot path's filter check) must behave exactly like
 * parseInput(payoutFilterSchema): same accepted values, same refusals, same error
 * code, message and field.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { PAYOUT_SERVICES, PAYOUT_STATES } from '../../../electron/core/db/types'
import { parseInput, parsePayoutFilter, payoutFilterSchema } from '../../../electron/core/db/validate'

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string; details: unknown }

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() }
  } catch (e) {
    if (!isAppError(e)) throw e
    return { ok: false, code: e.code, message: e.message, details: e.details }
  }
}

function expectSame(input: unknown): void {
  const fast = outcome(() => parsePayoutFilter(input))
  const schema = outcome(() => parseInput(payoutFilterSchema, input, 'filter'))
  expect(fast).toEqual(schema)
}

const odd = fc.constantFrom<unknown>(
  -1,
  -0,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  2 ** 53 - 1,
  '5',
  null,
  undefined,
  true,
  {},
  []
)
const timestamp = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000_000 }),
  fc.constantFrom(0, 8_640_000_000_000_000, 8_640_000_000_000_001),
  odd
)
const amount = fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(99_999_999_999), odd)
const enumArray = (values: readonly string[], max: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.array(fc.constantFrom(...values), { maxLength: max + 2 }),
    fc.array(
      fc.oneof(fc.constantFrom<unknown>(...values), fc.constantFrom<unknown>('bogus', 'Queued', 5, null)),
      {
        maxLength: max
      }
    ),
    fc.constantFrom<unknown>(values[0], null, undefined, {})
  )
// strings whose UTF-16 length and code-point length fall on both sides of a limit
const text = (max: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.string({ maxLength: max + 3 }),
    fc.string({ unit: 'binary', maxLength: max + 3 }),
    fc.integer({ min: max - 2, max: max + 2 }).map((n) => '😀'.repeat(Math.max(0, n))),
    fc.integer({ min: max - 2, max: max + 2 }).map((n) => 'a'.repeat(Math.max(0, n))),
    fc.integer({ min: 0, max: max + 2 }).map((n) => `${'😀'.repeat(n)}x`.slice(0, max + 1)),
    fc.constantFrom<unknown>('', 42, null)
  )
const terminalRefs = fc.oneof(
  fc.array(text(64), { maxLength: 5 }),
  fc.array(fc.constant('terminal'), { minLength: 98, maxLength: 102 }),
  fc.constantFrom<unknown>('terminal', null)
)

const filterRecord = fc.record(
  {
    from: timestamp,
    to: timestamp,
    states: enumArray(PAYOUT_STATES, PAYOUT_STATES.length),
    services: enumArray(PAYOUT_SERVICES, PAYOUT_SERVICES.length),
    terminalRefs,
    amountMinKopecks: amount,
    amountMaxKopecks: amount,
    search: text(64)
  },
  { requiredKeys: [] }
)

const filterInput: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: filterRecord },
  {
    weight: 1,
    arbitrary: fc
      .tuple(filterRecord, fc.constantFrom('colour', '__proto__', 'constructor', 'toString', 'search '))
      .map(([r, key]) => {
        const o: Record<string, unknown> = { ...r }
        Object.defineProperty(o, key, { value: 'x', enumerable: true, configurable: true, writable: true })
        return o
      })
  },
  { weight: 1, arbitrary: filterRecord.map((r) => Object.assign(Object.create(null) as object, r)) },
  {
    weight: 1,
    arbitrary: filterRecord.map((r) =>
      Object.assign(
        new (class Filter {
          readonly kind = undefined
        })(),
        r
      )
    )
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, [], 'states', 5, new Date(0)) }
)

describe('parsePayoutFilter', () => {
  it('agrees with the schema on every input: values, refusals and error details', () => {
    const seed = 909
    process.stdout.write(`[filter] fast-check seed=${seed}\n`)
    fc.assert(
      fc.property(filterInput, (input) => {
        expectSame(input)
      }),
      { seed, numRuns: 5000 }
    )
  })

  it.each<[string, unknown]>([
    ['empty', {}],
    ['typical page', { from: 0, to: 1, states: ['succeeded'], services: ['wallet', 'card'] }],
    ['search', { search: '79181234567' }],
    ['undefined members', { from: undefined, search: undefined }],
    ['64 units', { search: 'a'.repeat(64) }],
    ['65 units, 33 code points', { search: '😀'.repeat(32) + 'a' }],
    ['65 code points', { search: 'a'.repeat(65) }],
    ['unknown key', { search: 'x', colour: 'red' }],
    ['empty terminal ref', { terminalRefs: ['ok', ''] }],
    ['state case', { states: ['Succeeded'] }],
    ['negative zero', { from: -0 }],
    ['past max timestamp', { to: 8_640_000_000_000_001 }]
  ])('%s: same as the schema', (_name, input) => {
    expectSame(input)
  })

  it('returns a copy, so later changes to the caller’s arrays do not reach the query', () => {
    const states = ['succeeded' as const]
    const f = parsePayoutFilter({ states })
    states.push('failed' as never)
    expect(f.states).toEqual(['succeeded'])
  })
})
