import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { VECTORS_DIR } from '../../support/paths'
import {
  MAX_COMMENT_CHARS,
  REDACTED_PASSWORD,
  TOPUP_PATH,
  XMLCP_PATH,
  buildCheckDepositRequest,
  buildCheckUserRequest,
  buildGetProviderRequest,
  buildPayRequest,
  buildPingRequest,
  buildStatusRequest
} from '../../../electron/core/topup/index'
import type { BuiltRequest, PayDetails, RequestIdentity } from '../../../electron/core/topup/index'
import type { Result } from '../../../shared/result'
import { sortRootChildren, xmlTree } from './xml-tree'

function vector(rel: string): string {
  return readFileSync(join(VECTORS_DIR, rel), 'utf8')
}

function built(r: Result<BuiltRequest>): BuiltRequest {
  if (!r.ok) throw new Error(`build failed: ${r.error.code} ${r.error.message}`)
  return r.value
}

const id = (password: string, terminalId = '123'): RequestIdentity => ({ terminalId, password })

describe('request builders reproduce the documented request vectors', () => {
  const walletPay: PayDetails = {
    service: 'wallet',
    transactionNumber: '12345678',
    amountKopecks: 111500,
    accountNumber: '79181234567',
    incomeWireTransfer: true
  }
  const cases: Array<{
    file: string
    build: () => Result<BuiltRequest>
    path: string
    rootUnordered?: boolean
  }> = [
    {
      file: 'topup/pay-wallet-request.xml',
      build: () => buildPayRequest(id('***'), walletPay),
      path: TOPUP_PATH
    },
    {
      file: 'topup/pay-wallet-request.en.xml',
      build: () => buildPayRequest(id('***'), walletPay),
      path: TOPUP_PATH
    },
    {
      file: 'legacy/seed001-pay-wallet-request.xml',
      build: () =>
        buildPayRequest(id('***'), { ...walletPay, amountKopecks: 1500, incomeWireTransfer: null }),
      path: TOPUP_PATH
    },
    {
      file: 'topup/pay-card-request.xml',
      build: () =>
        buildPayRequest(id('***'), {
          service: 'card',
          transactionNumber: '12345678',
          amountKopecks: 111500,
          accountNumber: '4265111122334411'
        }),
      path: TOPUP_PATH
    },
    {
      file: 'legacy/seed004-pay-card-request.xml',
      build: () =>
        buildPayRequest(id('***'), {
          service: 'card',
          transactionNumber: '12345678',
          amountKopecks: 111500,
          accountNumber: '4265111122334411'
        }),
      path: TOPUP_PATH
    },
    {
      file: 'topup/pay-card-spec-request.xml',
      build: () =>
        buildPayRequest(id('***'), {
          service: 'card-spec',
          transactionNumber: '12345678',
          amountKopecks: 111500,
          accountNumber: '+79991112233',
          cardNumber: '4265111122334411'
        }),
      path: TOPUP_PATH
    },
    {
      file: 'topup/pay-card-foreign-request.xml',
      build: () =>
        buildPayRequest(
          id('***'),
          {
            service: 'card-foreign',
            transactionNumber: '12345678',
            amountKopecks: 111500,
            accountNumber: '4265111122334411',
            sender: {
              firstName: 'Иван',
              lastName: 'Иванов',
              address: 'Можайское шоссе 38-2-46',
              city: 'Moscow',
              countryCode: 'RU',
              zipCode: '121354',
              resident: false,
              birthday: '16.12.1990'
            },
            comment: 'Перевод на карту',
            cardHolder: 'Petrov Petr'
          },
          { allowForeignCard: true }
        ),
      path: TOPUP_PATH
    },
    {
      file: 'topup/pay-sbp-request.xml',
      build: () =>
        buildPayRequest(id('***'), {
          service: 'sbp',
          transactionNumber: '12345678',
          amountKopecks: 1000703,
          accountNumber: '70070310009',
          bankId: '100000000008'
        }),
      path: TOPUP_PATH
    },
    {
      file: 'topup/pay-mobile-request.xml',
      build: () =>
        buildPayRequest(id('***'), {
          service: 'mobile',
          transactionNumber: '12345678',
          amountKopecks: 11500,
          accountNumber: '7988111****',
          toCcy: 'RUB',
          transit: { providerId: '2', account: '988111****', sumKopecks: 11500 }
        }),
      path: TOPUP_PATH
    },
    {
      // The status example puts the password before terminal-id; we emit the pay
      // examples' order (spec §2.2), so the root's children are compared as a set.
      file: 'topup/status-request.xml',
      build: () =>
        buildStatusRequest(id('XXXXXX'), { transactionNumber: '12345678', accountNumber: '79181234567' }),
      path: TOPUP_PATH,
      rootUnordered: true
    },
    {
      file: 'topup/check-deposit-request.xml',
      build: () => buildCheckDepositRequest(id('XXXXX'), { phone: '79031234567', incomeWireTransfer: true }),
      path: TOPUP_PATH
    },
    {
      file: 'topup/check-user-request.xml',
      build: () => buildCheckUserRequest(id('XXXXX'), { phone: '79031234567', ccy: 'RUB' }),
      path: TOPUP_PATH
    },
    { file: 'topup/ping-request.xml', build: () => buildPingRequest(id('password', '44')), path: TOPUP_PATH },
    {
      file: 'topup/get-provider-request.xml',
      build: () => buildGetProviderRequest(id('***', '***'), { phoneNumber: '916*******' }),
      path: XMLCP_PATH
    }
  ]

  for (const c of cases) {
    it(c.file, () => {
      const b = built(c.build())
      const want = xmlTree(vector(c.file))
      const got = xmlTree(b.xml)
      if (c.rootUnordered) {
        expect(sortRootChildren(got)).toEqual(sortRootChildren(want))
        // Our order: request-type, terminal-id, extra…, then status.
        expect(got.children.map((e) => e.name)).toEqual(['request-type', 'terminal-id', 'extra', 'status'])
      } else {
        expect(got).toEqual(want)
      }
      expect(b.path).toBe(c.path)
      expect(b.body.equals(Buffer.from(b.xml, 'utf8'))).toBe(true)
      expect(b.xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true)
    })
  }
})

describe('request builder rules', () => {
  const base = {
    service: 'wallet' as const,
    transactionNumber: '12345678',
    amountKopecks: 1500,
    accountNumber: '79181234567',
    incomeWireTransfer: false
  }

  it('writes amounts with two decimals from kopecks', () => {
    for (const [k, s] of [
      [1, '0.01'],
      [10, '0.10'],
      [100, '1.00'],
      [99_999_999_999, '999999999.99']
    ] as const) {
      const t = xmlTree(built(buildPayRequest(id('p'), { ...base, amountKopecks: k })).xml)
      const to = t.children.find((e) => e.name === 'auth')?.children[0]?.children.find((e) => e.name === 'to')
      expect(to?.children.find((e) => e.name === 'amount')?.text).toBe(s)
    }
  })

  it('refuses bad amounts and transaction numbers', () => {
    for (const k of [0, -1, 1.5, Number.NaN, 100_000_000_000]) {
      const r = buildPayRequest(id('p'), { ...base, amountKopecks: k })
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalid-amount')
    }
    for (const t of ['', '0', '012', '123456789012345678901', '12a', ' 12']) {
      const r = buildPayRequest(id('p'), { ...base, transactionNumber: t })
      expect(r.ok, t).toBe(false)
    }
    expect(
      built(buildPayRequest(id('p'), { ...base, transactionNumber: '99999999999999999999' }))
        .transactionNumber
    ).toBe('99999999999999999999')
  })

  it('refuses XML-1.0-invalid characters with a typed error before building', () => {
    for (const bad of ['a\u0000b', 'x\uD800', '\uDC00y', 'a\u0001', 'a\uFFFE', 'a\uFFFF', 'a\u000B']) {
      const r = buildPayRequest(id('p'), { ...base, comment: bad })
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('invalid-input')
        expect(r.error.details).toMatchObject({ field: 'comment', reason: 'invalid-xml-char' })
      }
    }
    const acc = buildPayRequest(id('p'), { ...base, accountNumber: '7918\u0000' })
    expect(acc.ok).toBe(false)
    if (!acc.ok) {
      expect(acc.error.details).toMatchObject({ field: 'accountNumber', reason: 'invalid-xml-char' })
    }
    const pw = buildPingRequest(id('pa\u0000ss'))
    expect(pw.ok).toBe(false)
    // A well-formed surrogate pair is fine.
    expect(buildPayRequest(id('p'), { ...base, comment: 'ok 😀' }).ok).toBe(true)
  })

  it('limits the comment to 1000 characters (code points)', () => {
    expect(buildPayRequest(id('p'), { ...base, comment: 'я'.repeat(MAX_COMMENT_CHARS) }).ok).toBe(true)
    expect(buildPayRequest(id('p'), { ...base, comment: '😀'.repeat(MAX_COMMENT_CHARS) }).ok).toBe(true)
    const r = buildPayRequest(id('p'), { ...base, comment: 'x'.repeat(MAX_COMMENT_CHARS + 1) })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.details).toMatchObject({ field: 'comment', reason: 'too-long' })
  })

  it('escapes every value and puts the comment inside <to> (decision D4)', () => {
    const comment = `<a href="x">&amp; ]]> -- 'q' \r\n\t</a>`
    const b = built(buildPayRequest(id('p&<"'), { ...base, comment }))
    expect(b.xml).not.toContain('<a href')
    expect(b.xml).toContain('&lt;a href=&quot;x&quot;&gt;&amp;amp; ]]&gt; -- &apos;q&apos; &#13;')
    const t = xmlTree(b.xml)
    const to = t.children.find((e) => e.name === 'auth')?.children[0]?.children.find((e) => e.name === 'to')
    expect(to?.children.map((e) => e.name)).toEqual([
      'amount',
      'ccy',
      'service-id',
      'account-number',
      'extra'
    ])
    expect(to?.children[4]?.attrs).toEqual({ name: 'comment' })
  })

  it('writes exactly one payment and the optional from/service-id', () => {
    const b = built(buildPayRequest(id('p'), { ...base, fromServiceId: '7' }))
    const t = xmlTree(b.xml)
    expect(t.children.map((e) => e.name)).toEqual(['request-type', 'terminal-id', 'extra', 'extra', 'auth'])
    const auth = t.children[4]
    expect(auth?.children.length).toBe(1)
    const from = auth?.children[0]?.children.find((e) => e.name === 'from')
    expect(from?.children.map((e) => [e.name, e.text])).toEqual([
      ['ccy', 'RUB'],
      ['service-id', '7']
    ])
    expect(buildPayRequest(id('p'), { ...base, fromServiceId: '0' }).ok).toBe(false)
  })

  it('refuses foreign-card payouts unless allowForeignCard is true (suspended per docs)', () => {
    const p: PayDetails = {
      service: 'card-foreign',
      transactionNumber: '1',
      amountKopecks: 100,
      accountNumber: '4265111122334411',
      sender: {
        firstName: 'A',
        lastName: 'B',
        address: 'C',
        city: 'D',
        countryCode: 'RU',
        zipCode: '1',
        resident: true,
        birthday: '01.01.1990'
      },
      comment: 'c',
      cardHolder: 'B A'
    }
    for (const opts of [undefined, {}, { allowForeignCard: false }]) {
      const r = buildPayRequest(id('p'), p, opts)
      expect(r.ok).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('service-not-allowed')
        expect(r.error.details).toMatchObject({ reason: 'foreign-card-disabled' })
      }
    }
    expect(buildPayRequest(id('p'), p, { allowForeignCard: true }).ok).toBe(true)
  })

  it('omits the password when the identity has none (signature mode, D2) and redacts it otherwise', () => {
    const signed = built(buildPingRequest({ terminalId: '44' }))
    expect(xmlTree(signed.xml).children.map((e) => e.name)).toEqual(['request-type', 'terminal-id'])
    const secret = 'S3cr3t-Canary-Пароль'
    for (const b of [
      built(buildPingRequest(id(secret))),
      built(buildPayRequest(id(secret), base)),
      built(buildStatusRequest(id(secret), { transactionNumber: '1', accountNumber: '7' })),
      built(buildCheckDepositRequest(id(secret), { phone: '7', incomeWireTransfer: true })),
      built(buildCheckUserRequest(id(secret), { phone: '7' })),
      built(buildGetProviderRequest(id(secret), { phoneNumber: '916' }))
    ]) {
      expect(b.xml).toContain(secret)
      expect(b.redactedXml).not.toContain(secret)
      expect(b.redactedXml).toContain(`<extra name="password">${REDACTED_PASSWORD}</extra>`)
      expect(b.redactedXml.replace(REDACTED_PASSWORD, secret)).toBe(b.xml)
    }
  })

  it('builds the mobile account0 transit string and refuses separators inside it', () => {
    const p: PayDetails = {
      service: 'mobile',
      transactionNumber: '5',
      amountKopecks: 11500,
      accountNumber: '79161234567',
      transit: { providerId: '2', account: '9161234567', sumKopecks: 11750 }
    }
    const b = built(buildPayRequest(id('p'), p))
    expect(b.xml).toContain('<extra name="account0">id:2;acc:9161234567;sum:117.50</extra>')
    // to/ccy is optional for mobile and omitted when not given.
    const to = xmlTree(b.xml)
      .children.find((e) => e.name === 'auth')
      ?.children[0]?.children.find((e) => e.name === 'to')
    expect(to?.children.map((e) => e.name)).toEqual(['amount', 'service-id', 'account-number', 'extra'])
    expect(buildPayRequest(id('p'), { ...p, transit: { ...p.transit, account: '916;id:9' } }).ok).toBe(false)
  })

  it('validates currencies, bank ids and sender fields', () => {
    expect(buildPayRequest(id('p'), { ...base, fromCcy: 'rub' }).ok).toBe(false)
    expect(buildPayRequest(id('p'), { ...base, toCcy: '643' }).ok).toBe(true)
    expect(
      buildPayRequest(id('p'), {
        service: 'sbp',
        transactionNumber: '1',
        amountKopecks: 1,
        accountNumber: '7',
        bankId: '1000 0'
      }).ok
    ).toBe(false)
    expect(buildCheckUserRequest(id('p'), { phone: '7 903' }).ok).toBe(false)
    expect(buildPingRequest(id('p', '')).ok).toBe(false)
  })
})
