import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_REQUEST_BYTES, parseTopupRequest } from '../../../electron/core/sandbox/topup/xml-request'
import { VECTORS_DIR } from '../../support/paths'

const vec = (name: string): Buffer => readFileSync(join(VECTORS_DIR, 'topup', name))
const b = (s: string): Buffer => Buffer.from(s, 'utf8')

function parseOk(body: Buffer) {
  const r = parseTopupRequest(body)
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`)
  return r.request
}

describe('sandbox request parser: documented vectors', () => {
  it('parses the wallet pay request', () => {
    const r = parseOk(vec('pay-wallet-request.xml'))
    expect(r.requestType).toBe('pay')
    expect(r.terminalId).toBe('123')
    expect(r.extras['password']).toBe('***')
    expect(r.extras['income_wire_transfer']).toBe('1')
    expect(r.status).toBeNull()
    expect(r.auth).toHaveLength(1)
    const p = r.auth?.[0]
    expect(p?.transactionNumber).toBe('12345678')
    expect(p?.from?.ccy).toBe('RUB')
    expect(p?.to).toMatchObject({ amount: '1115.00', ccy: 'RUB', serviceId: '99', account: '79181234567' })
  })

  it('parses the foreign card request with from/to extras and Cyrillic text', () => {
    const p = parseOk(vec('pay-card-foreign-request.xml')).auth?.[0]
    expect(p?.from?.extras['source_first_name']).toBe('Иван')
    expect(p?.from?.extras['source_birthday']).toBe('16.12.1990')
    expect(p?.to?.extras['comment']).toBe('Перевод на карту')
    expect(p?.to?.extras['target_card_holder']).toBe('Petrov Petr')
  })

  it('parses status (password before terminal-id), tabs (mobile), SBP, card spec', () => {
    const s = parseOk(vec('status-request.xml'))
    expect(s.auth).toBeNull()
    expect(s.status?.[0]?.transactionNumber).toBe('12345678')
    expect(s.status?.[0]?.to?.account).toBe('79181234567')
    expect(s.extras['password']).toBe('XXXXXX')
    const m = parseOk(vec('pay-mobile-request.xml')).auth?.[0]
    expect(m?.to?.extras['account0']).toBe('id:2;acc:988111****;sum:115.00')
    expect(parseOk(vec('pay-sbp-request.xml')).auth?.[0]?.to?.extras['bankId']).toBe('100000000008')
    expect(parseOk(vec('pay-card-spec-request.xml')).auth?.[0]?.to?.account).toBe('+79991112233')
  })

  it('parses check-user, check-deposit, ping and get-provider', () => {
    expect(parseOk(vec('check-user-request.xml')).extras).toMatchObject({ phone: '79031234567', ccy: 'RUB' })
    expect(parseOk(vec('check-deposit-request.xml')).extras['income_wire_transfer']).toBe('1')
    expect(parseOk(vec('ping-request.xml')).terminalId).toBe('44')
    const g = parseOk(vec('get-provider-request.xml'))
    expect(g.requestType).toBe('get-provider-by-phone-number')
    expect(g.phonenumber).toBe('916*******')
  })

  it('keeps values as strings (leading zeros, decimals)', () => {
    const r = parseOk(
      b(
        '<request><request-type>pay</request-type><terminal-id>007</terminal-id><auth><payment>' +
          '<transaction-number>00012345678901234567</transaction-number><from><ccy>643</ccy></from>' +
          '<to><amount>1115.10</amount><ccy>643</ccy><service-id>99</service-id><account-number>0079181234567</account-number></to>' +
          '</payment></auth></request>'
      )
    )
    expect(r.terminalId).toBe('007')
    expect(r.auth?.[0]?.transactionNumber).toBe('00012345678901234567')
    expect(r.auth?.[0]?.to?.amount).toBe('1115.10')
    expect(r.auth?.[0]?.to?.account).toBe('0079181234567')
  })

  it('decodes predefined entities and character references after parsing', () => {
    const r = parseOk(
      b(
        '<request><request-type>ping</request-type><terminal-id>1</terminal-id>' +
          '<extra name="password">a&amp;b&lt;c&gt;&quot;&apos;&#1055;&#x41;</extra></request>'
      )
    )
    expect(r.extras['password']).toBe('a&b<c>"\'ПA')
  })
})

describe('sandbox request parser: hostile and malformed input', () => {
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort()

  const rejects: Array<[string, Buffer]> = [
    ['empty body', b('')],
    ['oversized body', Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20)],
    ['invalid UTF-8', Buffer.from([0x3c, 0x72, 0xff, 0xfe, 0x3e])],
    ['unclosed document', b('<request><request-type>ping</request-type><terminal-id>1</terminal-id>')],
    [
      'billion laughs DTD',
      b(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><request><request-type>&b;</request-type></request>'
      )
    ],
    [
      'XXE',
      b(
        '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><request><terminal-id>&x;</terminal-id></request>'
      )
    ],
    [
      'duplicate attributes',
      b(
        '<request><request-type>ping</request-type><terminal-id>1</terminal-id><extra name="password" name="x">p</extra></request>'
      )
    ],
    [
      'U+FEFF in an attribute name',
      b(
        '<request><request-type>ping</request-type><terminal-id>1</terminal-id><extra name="a" name\ufeff="password">p</extra></request>'
      )
    ],
    [
      'U+1680 anywhere',
      b('<request><request-type>ping\u1680</request-type><terminal-id>1</terminal-id></request>')
    ],
    ['wrong root', b('<response><request-type>ping</request-type><terminal-id>1</terminal-id></response>')],
    [
      'two roots',
      b('<request><request-type>ping</request-type><terminal-id>1</terminal-id></request><request/>')
    ],
    [
      'repeated terminal-id',
      b(
        '<request><request-type>ping</request-type><terminal-id>1</terminal-id><terminal-id>2</terminal-id></request>'
      )
    ],
    ['missing request-type', b('<request><terminal-id>1</terminal-id></request>')],
    ['missing terminal-id', b('<request><request-type>ping</request-type></request>')],
    [
      'extra without name',
      b('<request><request-type>ping</request-type><terminal-id>1</terminal-id><extra>p</extra></request>')
    ],
    [
      'duplicate extra names',
      b(
        '<request><request-type>ping</request-type><terminal-id>1</terminal-id><extra name="password">a</extra><extra name="password">b</extra></request>'
      )
    ],
    [
      '__proto__ element',
      b(
        '<request><request-type>ping</request-type><terminal-id>1</terminal-id><__proto__><polluted>1</polluted></__proto__></request>'
      )
    ],
    ['deep nesting', b(`<request>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</request>`)],
    [
      'NUL character',
      b('<request><request-type>ping\u0000</request-type><terminal-id>1</terminal-id></request>')
    ]
  ]

  for (const [name, body] of rejects) {
    it(`rejects ${name} without throwing`, () => {
      const t0 = performance.now()
      const r = parseTopupRequest(body)
      expect(r.ok).toBe(false)
      expect(performance.now() - t0).toBeLessThan(200)
    })
  }

  it('leaves Object.prototype untouched', () => {
    for (const [, body] of rejects) parseTopupRequest(body)
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('accepts a leading UTF-8 BOM (legal in XML) but no U+FEFF elsewhere', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), vec('ping-request.xml')])
    expect(parseTopupRequest(withBom).ok).toBe(true)
    const doubled = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]),
      vec('ping-request.xml')
    ])
    expect(parseTopupRequest(doubled).ok).toBe(false)
  })
})
