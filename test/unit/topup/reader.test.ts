/**
 * Targeted cases of the reply reader (safe-xml.ts scanMarkup): each check it adds to the
 * old markup scanner, the tree shape it must share with fast-xml-parser, and the known
 * parser differential it exists for. The random side is reader-differential.test.ts.
 */
import { isDeepStrictEqual } from 'node:util'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import {
  CYRILLIC_RESULT_CODE_ATTR,
  TOPUP_PARSER_OPTIONS,
  classifyPayReply,
  parseTopupXml,
  scanMarkup
} from '../../../electron/core/topup/index'

const parser = new XMLParser(TOPUP_PARSER_OPTIONS)

/** The reader accepts `text` and reads it exactly as validator + parser do. */
function readsLikeParser(text: string): unknown {
  const r = scanMarkup(text)
  expect(r, text).toMatchObject({ ok: true })
  if (!r.ok) return undefined
  expect(XMLValidator.validate(text, { allowBooleanAttributes: false }), text).toBe(true)
  const tree: unknown = parser.parse(text)
  const mine = { [r.root]: r.value }
  expect(isDeepStrictEqual(mine, tree), `${text}\n${JSON.stringify(mine)}\n${JSON.stringify(tree)}`).toBe(
    true
  )
  return mine
}

const ok60 = `status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"`

describe('checks the old scanner left to the validator', () => {
  it.each([
    ['<r><a></b></r>'],
    ['<r></R>'],
    ['<response></respons>'],
    ['<response></responsex>'],
    ['<r><a><b></a></b></r>'],
    [`<response><payment ${ok60}></payments></response>`]
  ])('end tag must match its start tag: %s', (doc) => {
    expect(scanMarkup(doc)).toMatchObject({ ok: false, reason: 'not-well-formed' })
  })

  it.each([
    'a & b',
    'a &b',
    '&foo;',
    '&nbsp;',
    '&AMP;',
    '&;',
    '&#;',
    '&#x;',
    '&#X41;',
    '&#65',
    '&amp',
    '&#0;',
    '&#8;',
    '&#xD800;',
    '&#xFFFE;',
    '&#x110000;',
    '&#99999999999;',
    '&#-1;'
  ])("'&' only as a predefined entity or a character reference to an XML character: %s", (t) => {
    expect(scanMarkup(`<r>${t}</r>`), `text ${t}`).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(scanMarkup(`<r a="${t}"/>`), `attribute ${t}`).toMatchObject({
      ok: false,
      reason: 'not-well-formed'
    })
  })

  it('keeps well-formed references raw, in text and attributes', () => {
    const doc = `<r a="&amp;&lt;&gt;&quot;&apos;&#65;&#x41;&#0065;">&lt;x&gt; &amp; &#x1F600; &#1066; &#13; &#9;</r>`
    expect(readsLikeParser(doc)).toEqual({
      r: {
        '@_a': '&amp;&lt;&gt;&quot;&apos;&#65;&#x41;&#0065;',
        '#text': '&lt;x&gt; &amp; &#x1F600; &#1066; &#13; &#9;'
      }
    })
  })

  it("'<' never in an attribute value; ']]>' never in text; '>' otherwise allowed", () => {
    expect(scanMarkup('<r a="x<y"/>')).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(scanMarkup("<r a='<'/>")).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(scanMarkup('<r>a]]>b</r>')).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(scanMarkup('<r><a/>]]></r>')).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(readsLikeParser('<r a=">" b="]]>">a > b ]> ]]</r>')).toEqual({
      r: { '@_a': '>', '@_b': ']]>', '#text': 'a > b ]> ]]' }
    })
  })

  it("comments: no '--' inside, XML characters only", () => {
    expect(scanMarkup('<r><!-- a -- b --></r>')).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(scanMarkup('<r><!-- a ---></r>')).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(scanMarkup('<r><!-- \u0000 --></r>')).toMatchObject({ ok: false, reason: 'invalid-char' })
    expect(readsLikeParser('<r><!----><!-- a - b --></r>')).toEqual({ r: '' })
  })

  it('every character is an XML 1.0 character (text, attributes, comments, PIs)', () => {
    for (const bad of ['\u0000', '\u0001', '\u000B', '\uD800', '\uDC00', '\uFFFE', '\uFFFF']) {
      expect(scanMarkup(`<r>${bad}</r>`)).toMatchObject({ ok: false, reason: 'invalid-char' })
      expect(scanMarkup(`<r a="${bad}"/>`)).toMatchObject({ ok: false, reason: 'invalid-char' })
      expect(scanMarkup(`<r><!--${bad}--></r>`)).toMatchObject({ ok: false, reason: 'invalid-char' })
      expect(parseTopupXml(`<r><?pi ${bad}?></r>`)).toMatchObject({ ok: false, reason: 'invalid-char' })
    }
    expect(readsLikeParser('<r a="😀\u007F\u0085">😀\uFEFF\u1680\u00A0</r>')).toBeDefined()
  })

  it('a PI ends at its first ?> with no quote left open (fast-xml-parser skips quoted ?>)', () => {
    expect(scanMarkup('<r>x<?pi a="?>"?>y</r>')).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(scanMarkup("<r><?pi '?><payment/><?x '?></r>")).toMatchObject({
      ok: false,
      reason: 'not-well-formed'
    })
    expect(readsLikeParser(`<r>x<?pi a="1" b='>'?>y</r>`)).toEqual({ r: 'xy' })
  })

  it('no whitespace before a top-level PI (fast-xml-parser would keep it as a second root key)', () => {
    expect(scanMarkup('<r/>\n<?pi?>')).toMatchObject({ ok: false, reason: 'not-well-formed' })
    expect(scanMarkup('<?xml version="1.0"?>\n<?pi?><r/>')).toMatchObject({
      ok: false,
      reason: 'not-well-formed'
    })
    expect(scanMarkup('<?xml version="1.0"?>\n<!-- c --><?pi?><r/>')).toMatchObject({
      ok: false,
      reason: 'not-well-formed'
    })
    expect(Object.keys(parser.parse('<r/>\n<?pi?>') as object)).toEqual(['r', '#text'])
    readsLikeParser('<?xml version="1.0"?><?pi?><!-- c -->\n<r/><?pi?><!-- c -->\n')
  })

  it('still refuses the known differential: U+FEFF / U+1680 in attribute names', () => {
    for (const ws of ['\uFEFF', '\u1680']) {
      const doc = `<response><payment status="160" status${ws}="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
      // Why the reader exists: fast-xml-parser accepts this and reads status 60.
      expect(XMLValidator.validate(doc)).toBe(true)
      expect(parser.parse(doc)).toMatchObject({ response: { payment: [{ '@_status': '60' }] } })
      expect(scanMarkup(doc)).toMatchObject({ ok: false, reason: 'non-ascii-markup' })
      expect(classifyPayReply(doc, { mode: 'pay', transactionNumber: '7' })).toMatchObject({
        kind: 'unknown',
        reason: 'xml-rejected'
      })
    }
  })

  it('duplicate attributes refused, for QIWI names and any other name', () => {
    expect(scanMarkup('<r status="1" status="2"/>')).toMatchObject({
      ok: false,
      reason: 'duplicate-attribute'
    })
    expect(scanMarkup('<r foo="1" foo="2"/>')).toMatchObject({ ok: false, reason: 'duplicate-attribute' })
    expect(
      scanMarkup(`<r ${CYRILLIC_RESULT_CODE_ATTR}="1" ${CYRILLIC_RESULT_CODE_ATTR}="2"/>`)
    ).toMatchObject({ ok: false, reason: 'duplicate-attribute' })
    expect(readsLikeParser('<r status="1" Status="2" result-code="3"/>')).toEqual({
      r: { '@_status': '1', '@_Status': '2', '@_result-code': '3' }
    })
  })
})

describe('builds the tree fast-xml-parser builds with TOPUP_PARSER_OPTIONS', () => {
  it('payment and balance are always arrays; other repeats become arrays; text-only elements strings', () => {
    const doc = `<response><result-code>0</result-code><payment ${ok60}><extra name="rrn">1</extra><extra name="b">2</extra></payment><balances><balance code="643">1.00</balance></balances><f></f><g/></response>`
    expect(readsLikeParser(doc)).toEqual({
      response: {
        'result-code': '0',
        payment: [
          {
            '@_status': '60',
            '@_txn_id': '1',
            '@_transaction-number': '7',
            '@_result-code': '0',
            '@_final-status': 'true',
            extra: [
              { '@_name': 'rrn', '#text': '1' },
              { '@_name': 'b', '#text': '2' }
            ]
          }
        ],
        balances: { balance: [{ '@_code': '643', '#text': '1.00' }] },
        f: '',
        g: ''
      }
    })
  })

  it('keeps whitespace text (trimValues false), drops comments and PIs, joins text around them', () => {
    expect(readsLikeParser('<r>\n  <a> x </a>\n</r>')).toEqual({ r: { a: ' x ', '#text': '\n  \n' } })
    expect(readsLikeParser('<r>a<!--c-->b<?pi?>c<x/>d</r>')).toEqual({ r: { x: '', '#text': 'abcd' } })
  })

  it('reads CR and CRLF as LF, in text and attribute values', () => {
    expect(readsLikeParser('<r a="x\r\ny\rz">1\r\n2\r</r>')).toEqual({
      r: { '@_a': 'x\ny\nz', '#text': '1\n2\n' }
    })
  })

  it('a payment root is an array under its name, as the parser gives it', () => {
    expect(readsLikeParser(`<payment ${ok60}/>`)).toMatchObject({ payment: [{ '@_status': '60' }] })
    expect(parseTopupXml(`<payment ${ok60}/>`)).toMatchObject({ ok: true, root: 'payment', doc: {} })
  })

  it('reads names off the general path like the known ones', () => {
    expect(readsLikeParser('<root-x a.b="1" _="2"><c-d>3</c-d><c-d>4</c-d></root-x>')).toEqual({
      'root-x': { '@_a.b': '1', '@__': '2', 'c-d': ['3', '4'] }
    })
  })

  it('accepts the documented replies whole (the vector files are in the differential test)', () => {
    const r = parseTopupXml(
      `<?xm version="1.0" encoding="utf-8"?>\n<response>\n<result-code fatal="false">0</result-code>\n<payment status='60' txn_id='6060' transaction-number='12345678' result-code='0' message='Ok' msg='Ok' final-status='true' fatal-error='false' txn-date='02.03.2011 14:35:46'  >\n</payment>\n</response>`
    )
    expect(r.ok).toBe(true)
  })
})
