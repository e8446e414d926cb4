import { describe, expect, it } from 'vitest'
import {
  CARD_RESULT_CODES,
  CARD_SPEC_RESULT_CODES,
  MOBILE_RESULT_CODES,
  PAYMENT_RESULT_TABLES,
  REQUEST_RESULT_CODES,
  SERVICE_IDS,
  SERVICE_KINDS,
  WALLET_RESULT_CODES,
  describePaymentCode,
  describeRequestCode,
  describeStatus,
  isFatalRequestCode,
  lookupPaymentCode,
  lookupRequestCode
} from '../../../electron/core/topup/index'

const keys = (t: object): number[] =>
  Object.keys(t)
    .map(Number)
    .sort((a, b) => a - b)

describe('code tables (spec §6, §7.1–7.5)', () => {
  it('hold exactly the documented codes per product', () => {
    expect(keys(WALLET_RESULT_CODES)).toEqual([0, 155, 204, 215, 220, 241, 242, 298, 300, 316, 319, 700, 702])
    expect(keys(CARD_RESULT_CODES)).toEqual([0, 155, 204, 215, 220, 242, 300, 316])
    expect(keys(CARD_SPEC_RESULT_CODES)).toEqual([0, 155, 204, 215, 220, 242, 300, 316])
    expect(keys(MOBILE_RESULT_CODES)).toEqual([0, 155, 215, 220, 241, 242, 298, 300, 316, 319, 700, 702])
    expect(keys(REQUEST_RESULT_CODES)).toEqual([0, 13, 150, 204, 300, 339])
    expect(Object.keys(PAYMENT_RESULT_TABLES).sort()).toEqual([...SERVICE_KINDS].sort())
    expect(SERVICE_IDS).toEqual({
      wallet: '99',
      card: '34020',
      'card-spec': '32911',
      'card-foreign': '36655',
      sbp: '38413',
      mobile: '29130'
    })
  })

  it('every entry has a fatal flag and Russian and English text', () => {
    for (const table of [...Object.values(PAYMENT_RESULT_TABLES), REQUEST_RESULT_CODES]) {
      for (const [code, e] of Object.entries(table)) {
        expect(typeof e.fatal, code).toBe('boolean')
        expect(e.ru, code).toMatch(/[а-яё]/i)
        expect(e.en, code).toMatch(/[a-z]/i)
      }
    }
  })

  it('request-level fatal flags follow the docs: 150, 204, 339 fatal; 13, 300 not', () => {
    expect([0, 13, 150, 204, 300, 339].map(isFatalRequestCode)).toEqual([
      false,
      false,
      true,
      true,
      false,
      true
    ])
    expect(lookupRequestCode(150)).toMatchObject({ code: 150, fatal: true, fatalSource: 'doc' })
    expect(lookupRequestCode(999)).toBeUndefined()
    expect(describeRequestCode(999)).toMatchObject({ code: 999, fatal: false })
  })

  it('product-specific wording of 155 and lookups by service', () => {
    expect(lookupPaymentCode('wallet', 155)?.en).toContain('99')
    expect(lookupPaymentCode('card', 155)?.en).toContain('34020')
    expect(lookupPaymentCode('sbp', 155)?.en).toContain('38413')
    expect(lookupPaymentCode('card-spec', 155)?.en).toContain('32911')
    expect(lookupPaymentCode('mobile', 155)?.en).toContain('29130')
    expect(lookupPaymentCode('card', 241)).toBeUndefined()
    expect(lookupPaymentCode('wallet', 215)).toMatchObject({ fatal: true })
    expect(describePaymentCode('card', 241).en).toContain('contact QIWI support')
    // Inherited names are not codes.
    expect(lookupPaymentCode('wallet', Number('constructor'))).toBeUndefined()
  })

  it('statuses: documented values and ranges', () => {
    expect(describeStatus(-1)).toMatchObject({ category: 'not-registered', final: false })
    expect(describeStatus(0)).toMatchObject({ category: 'awaiting', final: false })
    expect(describeStatus(49)).toMatchObject({ category: 'awaiting', final: false })
    expect(describeStatus(50)).toMatchObject({ category: 'processing', final: false })
    expect(describeStatus(52)).toMatchObject({ category: 'processing', final: false })
    expect(describeStatus(59)).toMatchObject({ category: 'processing', final: false })
    expect(describeStatus(60)).toMatchObject({ category: 'success', final: true })
    for (const s of [61, 80, 100]) {
      expect(describeStatus(s)).toMatchObject({ category: 'undocumented', final: false })
    }
    for (const s of [101, 150, 151, 160, 999]) {
      expect(describeStatus(s)).toMatchObject({ category: 'failed', final: true })
    }
    expect(describeStatus(160).ru).toMatch(/отмен/)
  })
})
