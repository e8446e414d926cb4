/**
 * The wallet screens localize by key: every key the components use must exist in Russian and
 * English with the same placeholders, every error code of the contract must have a text, and
 * the §11.2 transaction error table must be complete.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { TXN_ERROR_CODES } from '../../../electron/core/personal/txn-error-codes'
import { walletEn } from '../../../renderer/src/i18n/wallet.en'
import { walletRu } from '../../../renderer/src/i18n/wallet.ru'
import {
  OPERATIONS,
  SCOPE_FEATURES,
  SCOPES,
  TXN_STATUSES
} from '../../../renderer/src/components/wallet/wallet-model'
import { ERROR_CODES } from '../../../shared/errors'
import { REPO_ROOT } from '../../support/paths'

type Tree = { [k: string]: string | Tree }

function flatten(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}

const ru = flatten(walletRu as unknown as Tree)
const en = flatten(walletEn as unknown as Tree)
const PLURAL = ['_one', '_few', '_many', '_other']

/** A key as `t()` resolves it: itself, or its plural forms. */
function has(map: Map<string, string>, key: string): boolean {
  return map.has(key) || map.has(`${key}_other`)
}

function isSubtree(map: Map<string, string>, prefix: string): boolean {
  return [...map.keys()].some((k) => k.startsWith(`${prefix}.`))
}

const placeholders = (s: string): string[] => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort()

const SOURCES = [
  join(REPO_ROOT, 'renderer/src/pages/WalletPage.tsx'),
  ...readdirSync(join(REPO_ROOT, 'renderer/src/components/wallet'))
    .filter((f) => f.endsWith('.tsx'))
    .map((f) => join(REPO_ROOT, 'renderer/src/components/wallet', f))
]

describe('wallet translations', () => {
  it('have the same keys, no empty text and the same placeholders in ru and en', () => {
    expect([...en.keys()].sort()).toEqual([...ru.keys()].sort())
    for (const [k, v] of ru) {
      const e = en.get(k) ?? ''
      expect(v.trim(), k).not.toBe('')
      expect(e.trim(), k).not.toBe('')
      expect(placeholders(e), k).toEqual(placeholders(v))
    }
  })

  it('have all Russian plural forms wherever a key is plural', () => {
    const bases = new Set(
      [...ru.keys()].filter((k) => /_(one|few|many|other)$/.test(k)).map((k) => k.replace(/_[a-z]+$/, ''))
    )
    expect(bases.size).toBeGreaterThan(5)
    for (const b of bases) for (const s of PLURAL) expect(ru.has(`${b}${s}`), `${b}${s}`).toBe(true)
  })

  it('cover every static key the wallet components use', () => {
    const used = new Set<string>()
    for (const file of SOURCES) {
      const src = readFileSync(file, 'utf8')
      for (const m of src.matchAll(/['`](wallet\.[A-Za-z0-9_.-]+)['`]/g)) used.add(m[1] ?? '')
    }
    expect(used.size).toBeGreaterThan(100)
    const missing = [...used].filter((k) => !has(ru, k) && !isSubtree(ru, k))
    expect(missing).toEqual([])
  })

  it('cover every dynamic key family', () => {
    const families: [string, readonly string[]][] = [
      ['wallet.scopes', SCOPES],
      ['wallet.permState', ['granted', 'missing', 'error']],
      ['wallet.permEffect', ['granted', 'missing', 'error']],
      ['wallet.features', Object.values(SCOPE_FEATURES).flat()],
      ['wallet.status', TXN_STATUSES],
      ['wallet.type', ['IN', 'OUT', 'QIWI_CARD']],
      ['wallet.operation', OPERATIONS],
      ['wallet.sections', ['overview', 'history', 'totals', 'transfer']],
      ['wallet.transferState', ['pending', 'accepted', 'waiting', 'failed']],
      ['wallet.access', ['auth_token', 'auth_cas']],
      ['wallet.login', ['mode_token', 'mode_cas']],
      ['wallet.phone', ['empty', 'format', 'country', 'length']],
      ['wallet.transfer.problems.to', ['empty', 'format', 'country', 'length']],
      [
        'wallet.transfer.problems.amount',
        ['empty', 'format', 'too-many-decimals', 'zero', 'too-large', 'negative', 'below-min']
      ],
      ['wallet.transfer.problems.comment', ['too-long', 'format']],
      ['wallet.history.columns', ['date', 'type', 'account', 'provider', 'amount', 'status']]
    ]
    for (const [prefix, keys] of families) {
      for (const k of keys) expect(has(ru, `${prefix}.${k}`), `${prefix}.${k}`).toBe(true)
    }
    for (const s of ['pending', 'accepted', 'waiting', 'failed']) {
      expect(ru.has(`wallet.transfer.outcome.${s}.title`), s).toBe(true)
      expect(ru.has(`wallet.transfer.outcome.${s}.text`), s).toBe(true)
    }
  })

  it('explain every error code of the contract', () => {
    for (const code of ERROR_CODES) expect(ru.has(`wallet.errors.${code}`), code).toBe(true)
    // context texts refine known codes only
    for (const k of ru.keys()) {
      const m = /^wallet\.errorsIn\.[a-z]+\.(.+)$/.exec(k)
      if (m) expect((ERROR_CODES as readonly string[]).includes(m[1] ?? ''), k).toBe(true)
    }
  })

  it('explain every transaction errorCode of spec §11.2', () => {
    const codes = Object.keys(TXN_ERROR_CODES).sort()
    const ours = [...ru.keys()]
      .filter((k) => /^wallet\.txnErrors\.\d+$/.test(k))
      .map((k) => k.split('.').pop() ?? '')
      .sort()
    expect(ours).toEqual(codes)
    expect(ru.get('wallet.txnErrors.220')).toBe('Недостаточно средств')
    expect(en.get('wallet.txnErrors.220')).toBe('Insufficient funds')
  })
})
