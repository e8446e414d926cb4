import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { dayEndExclusive, dayStart } from '../../../renderer/src/components/cashier/format'
import {
  emptyHistoryForm,
  nextSort,
  PAGE_SIZE,
  pagesToEvict,
  pagesToLoad,
  queryKey,
  toHistoryFilter
} from '../../../renderer/src/components/cashier/history-model'

describe('history filter', () => {
  it('an empty form is an empty filter', () => {
    expect(toHistoryFilter(emptyHistoryForm())).toEqual({ filter: {}, invalid: [] })
  })
  it('maps every field; dates are Moscow days with an exclusive end', () => {
    const r = toHistoryFilter({
      from: '2026-11-01',
      to: '2026-11-02',
      states: ['failed', 'waiting'],
      services: ['card'],
      terminalRef: 'abc',
      amountMin: '10',
      amountMax: '1 500,5',
      search: ' +7 (918) 123 '
    })
    expect(r.invalid).toEqual([])
    expect(r.filter).toEqual({
      from: Date.UTC(2026, 10, 1) - 3 * 3_600_000,
      to: Date.UTC(2026, 10, 3) - 3 * 3_600_000,
      states: ['failed', 'waiting'],
      services: ['card'],
      terminalRefs: ['abc'],
      amountMin: '10.00',
      amountMax: '1500.50',
      search: '7918123'
    })
  })
  it('reports invalid amounts instead of guessing', () => {
    const r = toHistoryFilter({ ...emptyHistoryForm(), amountMin: '1.234', amountMax: 'x', search: 'Иван' })
    expect(r.invalid).toEqual(['amountMin', 'amountMax'])
    expect(r.filter).toEqual({ search: 'Иван' })
  })
  it('rejects impossible dates', () => {
    expect(dayStart('2026-02-30')).toBeNull()
    expect(dayEndExclusive('')).toBeNull()
  })
})

describe('paging a virtualized table', () => {
  it('fetches only the pages in view that it does not have', () => {
    expect(pagesToLoad(0, 30, 100_000, new Set())).toEqual([0])
    expect(pagesToLoad(95, 130, 100_000, new Set([0]))).toEqual([1])
    expect(pagesToLoad(99_950, 100_020, 100_000, new Set())).toEqual([999])
    expect(pagesToLoad(0, 10, 0, new Set())).toEqual([])
  })
  it('any window over 100k rows needs at most two pages (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: PAGE_SIZE }), (start, len) => {
        const pages = pagesToLoad(start, start + len - 1, 150_000, new Set())
        expect(pages.length).toBeLessThanOrEqual(2)
        for (const p of pages) expect(p * PAGE_SIZE).toBeLessThan(150_000)
      }),
      { numRuns: 1000, seed: 42 }
    )
  })
  it('evicts the pages farthest from the view', () => {
    expect(pagesToEvict([0, 1, 2, 3, 50], 2, 3)).toEqual(expect.arrayContaining([50, 0]))
    expect(pagesToEvict([0, 1], 0, 3)).toEqual([])
  })
  it('sorting and cache keys', () => {
    expect(nextSort({ column: 'createdAt', dir: 'desc' }, 'createdAt')).toEqual({ column: 'createdAt', dir: 'asc' })
    expect(nextSort({ column: 'createdAt', dir: 'asc' }, 'amountKopecks')).toEqual({ column: 'amountKopecks', dir: 'desc' })
    expect(queryKey({}, { column: 'state', dir: 'asc' })).not.toBe(queryKey({}, { column: 'state', dir: 'desc' }))
  })
})
