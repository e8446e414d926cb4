import { describe, expect, it } from 'vitest'

import { CALL_CHANNELS, EVENT_CHANNELS, isEventChannel, PAYOUT_STATES, SERVICES } from '../../../shared/channels'
import { calls, events } from '../../../shared/contract'
import { buildClientApi } from '../../../shared/contract-kit'
import type { Calls } from '../../../shared/contract'
import { PayoutStateZ, ServiceZ } from '../../../shared/payouts'
import type { Result } from '../../../shared/result'

// shared/channels.ts is what the renderer and the preload build window.api from; the
// schemas in shared/contract.ts are what the hosts serve. They must name the same things.
describe('channel names without schemas', () => {
  it('lists exactly the contract calls, in declaration order', () => {
    expect([...CALL_CHANNELS]).toEqual(Object.keys(calls))
  })

  it('lists exactly the contract events, in declaration order', () => {
    expect([...EVENT_CHANNELS]).toEqual(Object.keys(events))
  })

  it('lists the payout states and services of the zod enums, in order', () => {
    expect([...PAYOUT_STATES]).toEqual(PayoutStateZ.options)
    expect([...SERVICES]).toEqual(ServiceZ.options)
  })

  it('has no duplicate and only domain:verb names', () => {
    for (const list of [CALL_CHANNELS, EVENT_CHANNELS]) {
      expect(new Set(list).size).toBe(list.length)
      for (const name of list) expect(name).toMatch(/^[a-z]+:[A-Za-z]+$/)
    }
  })

  it('recognizes declared events only, never inherited keys or calls', () => {
    for (const e of EVENT_CHANNELS) expect(isEventChannel(e), e).toBe(true)
    for (const x of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'app:info', 'payout:changed ', '', 'PAYOUT:CHANGED']) {
      expect(isEventChannel(x), x).toBe(false)
    }
    for (const x of [null, undefined, 1, {}, ['payout:changed'], Symbol('payout:changed')]) expect(isEventChannel(x)).toBe(false)
  })
})

describe('buildClientApi from the names', () => {
  it('exposes one function per call that hands the transport its channel and input', async () => {
    const seen: [string, unknown][] = []
    const api = buildClientApi<Calls>(CALL_CHANNELS, (channel, input): Promise<Result<unknown>> => {
      seen.push([channel, input])
      return Promise.resolve({ ok: true, value: channel })
    })
    const exposed: string[] = []
    for (const [domain, verbs] of Object.entries(api as unknown as Record<string, Record<string, unknown>>)) {
      for (const [verb, fn] of Object.entries(verbs)) {
        expect(typeof fn, `${domain}.${verb}`).toBe('function')
        exposed.push(`${domain}:${verb}`)
      }
    }
    expect(exposed.sort()).toEqual(Object.keys(calls).sort())

    const r = await api.history.query({ filter: {}, sort: { column: 'createdAt', dir: 'desc' }, page: { limit: 1, offset: 0 } })
    expect(r).toEqual({ ok: true, value: 'history:query' })
    await api.settings.get({})
    expect(seen).toEqual([
      ['history:query', { filter: {}, sort: { column: 'createdAt', dir: 'desc' }, page: { limit: 1, offset: 0 } }],
      ['settings:get', {}]
    ])
  })
})
