import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import {
  balancesSchema,
  balancesV1Schema,
  billPayResponseSchema,
  billsSearchSchema,
  casStRequestSchema,
  casStResponseSchema,
  casTgtRequestSchema,
  casTgtResponseSchema,
  commissionRequestSchema,
  commissionSchema,
  historyItemSchema,
  historyPageSchema,
  identificationRequestSchema,
  identificationResponseSchema,
  legacyPaymentRequestSchema,
  parseJson,
  parseWith,
  paymentInfoSchema,
  paymentRequestSchema,
  profileSchema,
  restrictionsSchema,
  totalsSchema,
  transactionSchema,
  webhookInfoSchema,
  webhookKeySchema,
  webhookNotificationSchema,
  webhookResponseSchema
} from '../../../electron/core/personal'
import type {
  Account,
  Commission,
  PaymentHistoryItem,
  PaymentInfo,
  Totals,
  Transaction
} from '../../../electron/core/personal'
import { VECTORS_DIR } from '../../support/paths'

const PERSONAL = join(VECTORS_DIR, 'personal')
const LEGACY = join(VECTORS_DIR, 'legacy')
const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8')

/** Every JSON vector of personal/ and legacy/ and the schema it must satisfy. */
const JSON_VECTORS: Record<string, z.ZodType<unknown>> = {
  'personal/balance-response.json': balancesSchema,
  'personal/bill-pay-response.json': billPayResponseSchema,
  'personal/bills-search-response.json': billsSearchSchema,
  'personal/commission-request.json': commissionRequestSchema,
  'personal/commission-response.json': commissionSchema,
  'personal/history-total-response.json': totalsSchema,
  'personal/identification-request.json': identificationRequestSchema,
  'personal/identification-response.json': identificationResponseSchema,
  'personal/model-payment-history-item.json': historyItemSchema,
  'personal/model-payment-info.json': paymentInfoSchema,
  'personal/model-transaction.json': transactionSchema,
  'personal/payment-card-foreign-request.json': paymentRequestSchema,
  'personal/payment-card-request.json': paymentRequestSchema,
  'personal/payment-p2p-request.json': paymentRequestSchema,
  'personal/payment-response-card-masked.json': paymentInfoSchema,
  'personal/payment-response.json': paymentInfoSchema,
  'personal/restrictions-response.json': restrictionsSchema,
  'personal/transaction-response.json': transactionSchema,
  'personal/webhook-active-response.json': webhookInfoSchema,
  'personal/webhook-delete-response.json': webhookResponseSchema,
  'personal/webhook-key-response.json': webhookKeySchema,
  'personal/webhook-newkey-response.json': webhookKeySchema,
  'personal/webhook-register-response.json': webhookInfoSchema,
  'personal/webhook-signature-example-notification.json': webhookNotificationSchema,
  'personal/webhook-test-response.json': webhookResponseSchema,
  'legacy/balance-v1-response.json': balancesV1Schema,
  'legacy/cas-st-request.json': casStRequestSchema,
  'legacy/cas-st-response.json': casStResponseSchema,
  'legacy/cas-tgt-request.json': casTgtRequestSchema,
  'legacy/cas-tgt-response.json': casTgtResponseSchema,
  'legacy/history-v1-response.json': historyPageSchema,
  'legacy/history-v1-total-response.json': totalsSchema,
  'legacy/legacy-p2p-request.json': legacyPaymentRequestSchema,
  'legacy/legacy-p2p-response.json': paymentInfoSchema
}

/** JSON files that are not API payloads. */
const NOT_PAYLOADS: Record<string, string> = {
  'personal/webhook-signature-vector.json':
    'machine-readable HMAC check of the webhook doc (test data, not a QIWI message)'
}

function listJson(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${prefix}/${f}`)
}

describe('documented JSON vectors', () => {
  const all = [...listJson(PERSONAL, 'personal'), ...listJson(LEGACY, 'legacy')]

  it('every JSON vector of personal/ and legacy/ is covered by a schema (or excluded with a reason)', () => {
    const uncovered = all.filter((f) => !(f in JSON_VECTORS) && !(f in NOT_PAYLOADS))
    expect(uncovered).toEqual([])
    expect(all.length).toBeGreaterThanOrEqual(35)
  })

  for (const [file, schema] of Object.entries(JSON_VECTORS)) {
    it(`${file} parses strictly and matches its schema`, () => {
      const text = read(VECTORS_DIR, file)
      const r = parseWith(schema, text)
      if (!r.ok) throw new Error(`${file}: ${r.stage}: ${r.message}`)
      expect(r.ok).toBe(true)
    })
  }

  it('the non-payload JSON files are still strict JSON', () => {
    for (const f of Object.keys(NOT_PAYLOADS)) expect(parseJson(read(VECTORS_DIR, f)).ok).toBe(true)
  })
})

describe('vector values come out exact', () => {
  it('totals keep 3497.5 as 349750 kopecks and "3497.50"', () => {
    const r = parseWith(totalsSchema, read(PERSONAL, 'history-total-response.json'))
    if (!r.ok) throw new Error(r.message)
    const t: Totals = r.value
    expect(t.incomingTotal).toEqual([{ amount: '3500.00', kopecks: 350000, currency: '643' }])
    expect(t.outgoingTotal).toEqual([{ amount: '3497.50', kopecks: 349750, currency: '643' }])
  })

  it('v1 totals map "RUB" to 643', () => {
    const r = parseWith(totalsSchema, read(LEGACY, 'history-v1-total-response.json'))
    if (!r.ok) throw new Error(r.message)
    expect(r.value.outgoingTotal[0]).toEqual({ amount: '3497.50', kopecks: 349750, currency: '643' })
  })

  it('balances: null balance stays null, 8.74 is 874 kopecks', () => {
    const r = parseWith(balancesSchema, read(PERSONAL, 'balance-response.json'))
    if (!r.ok) throw new Error(r.message)
    const [mc, wallet] = r.value.accounts as [Account, Account]
    expect(mc.balance).toBeNull()
    expect(mc.hasBalance).toBe(false)
    expect(wallet.balance).toEqual({ amount: '8.74', kopecks: 874, currency: '643' })
    expect(wallet.alias).toBe('qw_wallet_rub')
  })

  it('commission: 1011.01 / 1001 / 10.01 exactly, currency strings normalised', () => {
    const r = parseWith(commissionSchema, read(PERSONAL, 'commission-response.json'))
    if (!r.ok) throw new Error(r.message)
    const c: Commission = r.value
    expect(c.withdrawSum.kopecks).toBe(101101)
    expect(c.enrollmentSum.kopecks).toBe(100100)
    expect(c.qwCommission).toEqual({ amount: '10.01', kopecks: 1001, currency: '643' })
    expect(c.withdrawToEnrollmentRate).toBe('1')
    expect(c.providerId).toBe('99')
  })

  it('transaction: ids as strings, WAITING status, features', () => {
    const r = parseWith(transactionSchema, read(PERSONAL, 'transaction-response.json'))
    if (!r.ok) throw new Error(r.message)
    const t: Transaction = r.value
    expect(t.txnId).toBe('11233344692')
    expect(t.personId).toBe('79161122331')
    expect(t.trmTxnId).toBe('11233344691')
    expect(t.status).toBe('WAITING')
    expect(t.features?.chequeReady).toBe(false)
    expect(t.source?.keys).toContain('кошелек')
  })

  it('payment request amount 100.50 is read from the raw text as 10050 kopecks', () => {
    const j = parseJson(read(PERSONAL, 'payment-p2p-request.json'))
    if (!j.ok) throw new Error(j.reason)
    const r = paymentRequestSchema.safeParse(j.value)
    expect(r.success && r.data.sum.amount).toBe(10050)
  })

  it('legacy proxy.action reply: the leading ":" of the id is removed', () => {
    const r = parseWith(paymentInfoSchema, read(LEGACY, 'legacy-p2p-response.json'))
    if (!r.ok) throw new Error(r.message)
    const p: PaymentInfo = r.value
    expect(p.id).toBe('11111111111111')
    expect(p.transactionId).toBe('4969142201')
    expect(p.state).toBe('Accepted')
  })

  it('v1 history item parses into the same domain type', () => {
    const r = parseWith(historyPageSchema, read(LEGACY, 'history-v1-response.json'))
    if (!r.ok) throw new Error(r.message)
    const item = r.value.data[0] as PaymentHistoryItem
    expect(item.sum).toEqual({ amount: '70.00', kopecks: 7000, currency: '643' })
    expect(item.provider?.longName).toBe('ООО НКО "Яндекс.Деньги"')
    expect(r.value.nextTxnId).toBe('9001')
    expect(r.value.nextTxnDate).toBe('2017-01-31T15:24:10+03:00')
  })
})

describe('*.doc.txt examples (reference only)', () => {
  const docs = readdirSync(PERSONAL).filter((f) => f.endsWith('.doc.txt'))

  it('are refused by the strict parser with a clean error (they are not JSON as printed)', () => {
    expect(docs.length).toBeGreaterThanOrEqual(8)
    for (const f of docs) {
      const r = parseJson(read(PERSONAL, f))
      expect(r.ok, f).toBe(false)
    }
  })

  it('profile example parses once its "..." placeholder is removed', () => {
    const repaired = read(PERSONAL, 'profile-response.doc.txt').replace(/\[\s*\.\.\.\s*\]/, '[]')
    const r = parseWith(profileSchema, repaired)
    if (!r.ok) throw new Error(r.message)
    expect(r.value.authInfo?.personId).toBe('79683851815')
    expect(r.value.userInfo?.firstTxnId).toBe('10807097143')
    expect(r.value.contractInfo?.identificationInfo[0]?.identificationLevel).toBe('SIMPLE')
    expect(r.value.userInfo?.defaultPayCurrency).toBe('643')
  })

  it('history examples parse once the documented defects are repaired', () => {
    const en = read(PERSONAL, 'history-response.en.doc.txt').replace(/\{\s*\.\.\.\s*\}/, '{}')
    const ren = parseWith(historyPageSchema, en)
    if (!ren.ok) throw new Error(ren.message)
    expect(ren.value.data).toHaveLength(1)
    // ru: placeholder and the missing "}" before "]".
    const ru = read(PERSONAL, 'history-response.ru.doc.txt')
      .replace(/\{\s*\.\.\.\s*\}/, '{}')
      .replace(/("currencyRate":1)\s*\]/, '$1}]')
    const rru = parseWith(historyPageSchema, ru)
    if (!rru.ok) throw new Error(rru.message)
    expect(rru.value.data[0]?.trmTxnId).toBe('1489826461807')
  })
})
