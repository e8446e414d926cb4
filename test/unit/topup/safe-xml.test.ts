import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { VECTORS_DIR } from '../../support/paths'
import {
  CYRILLIC_RESULT_CODE_ATTR,
  DEFAULT_MAX_RESPONSE_BYTES,
  TOPUP_PARSER_OPTIONS,
  classifyCheckDepositReply,
  classifyPayReply,
  decodeXmlText,
  parseTopupXml,
  scanMarkup
} from '../../../electron/core/topup/index'

describe('X2: parser options are locked', () => {
  it('matches the reviewed option set exactly', () => {
    const { isArray, ...plain } = TOPUP_PARSER_OPTIONS
    expect(plain).toEqual({
      processEntities: false,
      htmlEntities: false,
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      textNodeName: '#text',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      allowBooleanAttributes: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      removeNSPrefix: false,
      alwaysCreateTextNode: false,
      cdataPropName: false,
      commentPropName: false,
      maxNestedTags: 20,
      strictReservedNames: true
    })
    expect(plain.maxNestedTags).toBeLessThanOrEqual(20)
    expect(isArray('payment')).toBe(true)
    expect(isArray('balance')).toBe(true)
    expect(isArray('payments')).toBe(false)
    expect(isArray('result-code')).toBe(false)
    expect(Object.isFrozen(TOPUP_PARSER_OPTIONS)).toBe(true)
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(64 * 1024)
  })

  it('keeps values as strings (leading zeros, decimals, booleans)', () => {
    const r = parseTopupXml(
      '<response><a x="0079">0079181234567</a><b>1115.10</b><c f="true">true</c></response>'
    )
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.doc).toEqual({
        a: { '#text': '0079181234567', '@_x': '0079' },
        b: '1115.10',
        c: { '#text': 'true', '@_f': 'true' }
      })
    }
  })
})

describe('every documented response vector parses', () => {
  const files = [
    ...readdirSync(join(VECTORS_DIR, 'topup'))
      .filter((f) => f.endsWith('.xml'))
      .map((f) => `topup/${f}`),
    ...readdirSync(join(VECTORS_DIR, 'legacy'))
      .filter((f) => f.endsWith('.xml'))
      .map((f) => `legacy/${f}`)
  ]
  it.each(files)('%s', (f) => {
    const r = parseTopupXml(readFileSync(join(VECTORS_DIR, f)))
    expect(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`).toBe(true)
  })
})

describe('markup scanner', () => {
  it('rejects non-ASCII names, including the U+FEFF / U+1680 differential', () => {
    for (const ws of ['\uFEFF', '\u1680', '\u00A0', '\u2028', '\u3000']) {
      const doc = `<response><payment status="160" status${ws}="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
      expect(scanMarkup(doc)).toMatchObject({ ok: false, reason: 'non-ascii-markup' })
      expect(classifyPayReply(doc, { mode: 'pay', transactionNumber: '7' }).kind).toBe('unknown')
    }
    expect(scanMarkup('<respоnse/>').ok).toBe(false) // Cyrillic о in a tag name
    expect(scanMarkup('<response></respоnse>').ok).toBe(false)
  })

  it('accepts the documented Cyrillic result-сode attribute by exact spelling only', () => {
    expect(CYRILLIC_RESULT_CODE_ATTR).toBe('result-\u0441ode')
    expect(scanMarkup(`<r><p ${CYRILLIC_RESULT_CODE_ATTR}="0"/></r>`).ok).toBe(true)
    expect(scanMarkup('<r><p r\u0435sult-code="0"/></r>').ok).toBe(false)
  })

  it('keeps non-ASCII text and attribute values', () => {
    expect(scanMarkup('<r m="Неизвестная ошибка">Ок\uFEFF</r>').ok).toBe(true)
  })

  it('rejects DOCTYPE, CDATA, BOM, text outside the root, two roots, unclosed and unbalanced documents', () => {
    const bad: Array<[string, string]> = [
      ['<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>', 'doctype'],
      ['<r><![CDATA[<payment/>]]></r>', 'cdata'],
      ['\uFEFF<r/>', 'non-ascii-markup'],
      ['x<r/>', 'not-well-formed'],
      ['<r/><r/>', 'not-well-formed'],
      ['<r><p>', 'not-well-formed'],
      ['<r></r></r>', 'not-well-formed'],
      ['<r a="1" a="2"/>', 'duplicate-attribute'],
      ['<r a="x<y"/>', 'not-well-formed'],
      ['<r a=1/>', 'not-well-formed'],
      ['<r a/>', 'not-well-formed'],
      ['<r a="1"b="2"/>', 'not-well-formed'],
      ['', 'empty'],
      ['<?xml version="1.0"?>', 'empty']
    ]
    for (const [doc, reason] of bad) expect(scanMarkup(doc), doc).toMatchObject({ ok: false, reason })
  })

  it('refuses namespace prefixes (QIWI uses none)', () => {
    expect(scanMarkup('<r><p:payment/></r>')).toMatchObject({ ok: false, reason: 'non-ascii-markup' })
    expect(scanMarkup('<r><payment p:result-code="0"/></r>')).toMatchObject({
      ok: false,
      reason: 'non-ascii-markup'
    })
  })

  it('refuses Object.prototype member names as tags or attributes (any case)', () => {
    for (const doc of [
      '<r><__proto__/></r>',
      '<r><Constructor/></r>',
      '<r PROTOTYPE="1"/>',
      '<r toString="1"/>',
      '<r><hasOwnProperty>1</hasOwnProperty></r>',
      '<r valueOf="1"/>'
    ]) {
      expect(scanMarkup(doc), doc).toMatchObject({ ok: false, reason: 'dangerous-name' })
    }
  })

  it('caps depth, attributes and elements', () => {
    expect(scanMarkup('<a>'.repeat(21) + '</a>'.repeat(21))).toMatchObject({ ok: false, reason: 'too-deep' })
    expect(scanMarkup('<a>'.repeat(20) + '</a>'.repeat(20)).ok).toBe(true)
    const attrs = Array.from({ length: 33 }, (_, i) => `a${i}="1"`).join(' ')
    expect(scanMarkup(`<r ${attrs}/>`)).toMatchObject({ ok: false, reason: 'too-many-attributes' })
    expect(scanMarkup(`<r>${'<e/>'.repeat(5000)}</r>`)).toMatchObject({
      ok: false,
      reason: 'too-many-elements'
    })
  })
})

describe('free-text decoding', () => {
  it('decodes the five predefined entities and numeric references only', () => {
    expect(decodeXmlText('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42; &#13;')).toBe(
      `a & b <c> "d" 'e' AB \r`
    )
    expect(decodeXmlText('&foo; &#0; &#xD800; &#x110000; &amp')).toBe('&foo; &#0; &#xD800; &#x110000; &amp')
    expect(decodeXmlText('&amp;lt;')).toBe('&lt;')
  })
})

function protoSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort()
}

describe('X3: known-bad corpus → rejected or unknown, Object.prototype unchanged', () => {
  const success = `<response><result-code>0</result-code><payment status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
    '<response><payment status="&lol3;" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>'
  const quadratic = `<!DOCTYPE r [<!ENTITY a "${'x'.repeat(5000)}">]><response>${'&a;'.repeat(2000)}</response>`
  const corpus: Array<[string, string | Buffer]> = [
    ['billion laughs', laughs],
    ['quadratic blow-up', quadratic],
    ['numeric entity flood', `<response><result-code>0</result-code>${'&#65;'.repeat(20_000)}</response>`],
    ['deep nesting 100k', '<a>'.repeat(100_000) + '</a>'.repeat(100_000)],
    ['deep nesting 25', `<response>${'<x>'.repeat(25)}${'</x>'.repeat(25)}</response>`],
    [
      '200k attributes',
      `<response><payment ${Array.from({ length: 200_000 }, (_, i) => `a${i}="1"`).join(' ')}/></response>`
    ],
    ['__proto__ tag', `<response><__proto__><polluted>1</polluted></__proto__>${success.slice(10)}`],
    [
      'constructor tag',
      `<response><constructor><prototype><polluted>1</polluted></prototype></constructor></response>`
    ],
    ['prototype tag', `<response><prototype>1</prototype></response>`],
    [
      '__proto__ attribute',
      `<response><payment __proto__="x" status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
    ],
    [
      'constructor attribute',
      `<response><payment constructor="x" status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true" hasOwnProperty="1"/></response>`
    ],
    [
      'duplicate attrs',
      `<response><payment status="160" status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
    ],
    [
      'U+FEFF attribute name',
      `<response><payment status="160" status\uFEFF="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
    ],
    [
      'U+1680 attribute name',
      `<response><payment status="160" status\u1680="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
    ],
    ['BOM', `\uFEFF${success}`],
    ['BOM bytes', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(success)])],
    ['NUL', success.replace('final-status="true"', 'final-status="true\u0000"')],
    ['NUL in text', `<response>\u0000${success.slice(10)}`],
    [
      'invalid UTF-8',
      Buffer.concat([
        Buffer.from('<response><result-code>0</result-code><payment status="60'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(success.slice(70))
      ])
    ],
    ['lone surrogate', `<response><result-code m="\uD800">0</result-code></response>`],
    [
      'DOCTYPE SYSTEM (XXE)',
      `<?xml version="1.0"?><!DOCTYPE response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><response><result-code>&xxe;</result-code></response>`
    ],
    ['DOCTYPE SYSTEM external dtd', `<!DOCTYPE response SYSTEM "http://127.0.0.1:1/evil.dtd">${success}`],
    [
      'CDATA payment',
      `<response><result-code>0</result-code><![CDATA[<payment status="60" txn_id="1" transaction-number="7" final-status="true"/>]]></response>`
    ],
    [
      'comment-hidden payment',
      `<response><result-code>0</result-code><!-- <payment status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/> --></response>`
    ],
    [
      'PI payment',
      `<response><result-code>0</result-code><?payment status="60" txn_id="1" transaction-number="7" final-status="true"?></response>`
    ],
    ['oversized body', `<response>${' '.repeat(70_000)}${success.slice(10)}`],
    ['unclosed success', success.replace('</response>', '')],
    ['two roots', `${success}${success}`],
    [
      'attribute with <',
      `<response><payment status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true" m="<x"/></response>`
    ],
    [
      'namespace-prefixed payment',
      `<response><q:payment xmlns:q="u" status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
    ],
    ['unpaired closing tag', `<response></payment>${success.slice(10)}`],
    [
      'entity in status',
      `<response><payment status="&#54;0" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
    ],
    [
      'whitespace-split name',
      `<response><payment status="160"\u00A0status="60" txn_id="1" transaction-number="7" result-code="0" final-status="true"/></response>`
    ]
  ]

  it('the control document itself is a success (so the corpus tests something)', () => {
    expect(classifyPayReply(success, { mode: 'pay', transactionNumber: '7' }).kind).toBe('final-success')
  })

  it.each(corpus)('%s', (_name, doc) => {
    const before = protoSnapshot()
    const t0 = performance.now()
    const parsed = parseTopupXml(doc)
    const o = classifyPayReply(doc, { mode: 'pay', transactionNumber: '7' })
    const status = classifyPayReply(doc, { mode: 'status', transactionNumber: '7' })
    const dep = classifyCheckDepositReply(doc)
    const ms = performance.now() - t0
    expect(o.kind).toBe('unknown')
    expect(status.kind).not.toBe('final-success')
    expect(status.kind).not.toBe('final-failure')
    expect(dep.kind).not.toBe('possible')
    if (parsed.ok) {
      // The few entries the pipeline accepts must not carry a forged payment.
      expect([
        'comment-hidden payment',
        'PI payment',
        'namespace-prefixed payment',
        'numeric entity flood',
        'entity in status'
      ]).toContain(_name)
    }
    expect(protoSnapshot()).toEqual(before)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    // Generous bound for a loaded 2-core CI box; the size cap keeps each case small.
    expect(ms).toBeLessThan(500)
  })
})
