import { describe, expect, it } from 'vitest'

import { cashierEn } from '../../../renderer/src/i18n/cashier.en'
import { cashierRu } from '../../../renderer/src/i18n/cashier.ru'
import { ERROR_CODES } from '../../../shared/errors'
import { PayoutStateZ, ServiceZ } from '../../../shared/payouts'

function keys(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix]
  return Object.entries(o).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

function placeholders(s: string): string[] {
  return [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort()
}

describe('cashier strings', () => {
  it('English has exactly the Russian keys and the same placeholders', () => {
    expect(keys(cashierEn).sort()).toEqual(keys(cashierRu).sort())
    const ru = new Map(keys(cashierRu).map((k) => [k, k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], cashierRu)]))
    for (const k of keys(cashierEn)) {
      const en = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], cashierEn) as string
      expect(placeholders(en), k).toEqual(placeholders(ru.get(k) as string))
      expect(en.trim(), k).not.toBe('')
    }
  })
  it('every error code, state and service has a human name', () => {
    for (const code of ERROR_CODES) {
      expect(cashierRu.cashier.errors, code).toHaveProperty([code])
      expect(cashierEn.cashier.errors, code).toHaveProperty([code])
    }
    for (const s of [...PayoutStateZ.options, 'paused', 'queued-offline']) expect(cashierRu.cashier.states).toHaveProperty([s])
    for (const s of ServiceZ.options) {
      expect(cashierRu.cashier.services).toHaveProperty([s])
      expect(cashierRu.cashier.servicesShort).toHaveProperty([s])
    }
  })
})
