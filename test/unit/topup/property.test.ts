/**
 * Property tests of the reply classifier and the request builder
 * (RELIABILITY P4, N2, X4, X5, X7). Fixed seeds; each is in the test title.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { VECTORS_DIR } from '../../support/paths'
import { MAX_KOPECKS, parseWireAmount } from '../../../shared/money'
import {
  CYRILLIC_RESULT_CODE_ATTR,
  attr,
  buildPayRequest,
  children,
  classifyPayReply,
  decodeXmlText,
  isValidXmlText,
  isXmlObject,
  parseTopupXml,
  textOf
} from '../../../electron/core/topup/index'
import type { PayOutcome, PayOutcomeKind, XmlObject, XmlValue } from '../../../electron/core/topup/index'
import { applyMutation } from './mutations'
import type { Mutation } from './mutations'

const TXN = '12345678'

/** CI uses the fixed seed; a nightly job may set TOPUP_FUZZ_SEED / TOPUP_FUZZ_RUNS. */
const FUZZ_SEED = Number(process.env['TOPUP_FUZZ_SEED'] ?? 20261122)
const FUZZ_RUNS = Number(process.env['TOPUP_FUZZ_RUNS'] ?? 100_000)
/** The round trip parses every built request (≈150 µs each); 10^5 runs (RELIABILITY X5/X7) nightly. */
const ROUNDTRIP_RUNS = Number(process.env['TOPUP_ROUNDTRIP_RUNS'] ?? 30_000)

function vectorFiles(sub: string): string[] {
  return readdirSync(join(VECTORS_DIR, sub))
    .filter(
      (f) => f.endsWith('-response.xml') || f.endsWith('-response.en.xml') || /response-\w+\.xml$/.test(f)
    )
    .map((f) => join(VECTORS_DIR, sub, f))
}
const RESPONSE_FILES = [...vectorFiles('topup'), ...vectorFiles('legacy')]
const RESPONSES = RESPONSE_FILES.map((f) => readFileSync(f, 'utf8'))

/** Synthetic bases so the fuzz also starts from failures, -1, 215 and mismatches. */
const SYNTHETIC = [
  `<response><result-code fatal="false">0</result-code><payment status="160" txn_id="9" transaction-number="${TXN}" result-code="220" final-status="true" fatal-error="false"/></response>`,
  `<response><result-code fatal="false">0</result-code><payment status="-1" txn_id="" transaction-number="${TXN}" result-code="0" final-status="false" fatal-error="false"/></response>`,
  `<response><result-code fatal="false">0</result-code><payment status="160" txn_id="9" transaction-number="${TXN}" result-code="215" final-status="true" fatal-error="true"/></response>`,
  `<response><payment status='60' txn_id='9' transaction-number='12345679' result-code='0' final-status='true'/></response>`,
  `<response><result-code fatal="false">0</result-code><payment status="50" txn_id="9" transaction-number="${TXN}" result-code="0" final-status="false"/></response>`,
  `<response>\n  <payment status='150' transaction-number='${TXN}' txn_id='759640439' ${CYRILLIC_RESULT_CODE_ATTR}='241' final-status='true' fatal-error='true'/>\n</response>`,
  `<?xml version="1.0" encoding="utf-8"?>\n<response><payments><payment status="160" txn_id="1" transaction-number="${TXN}" result-code="300" final-status="true"><from><amount>1.00</amount></from></payment></payments></response>\n`
]
const BASES = [...RESPONSES, ...SYNTHETIC]

// ---------------------------------------------------------------------------
// Independent oracle: a deliberately different, regex-based reader. A verdict of
// the classifier is "true" only if this reader, over the same text, finds a
// complete document with exactly one <payment> carrying the facts of the verdict.
// ---------------------------------------------------------------------------

const ATTR_LIST =
  /^(?:[ \t\r\n]+[A-Za-z_][-A-Za-z0-9_.]*[ \t\r\n]*=[ \t\r\n]*(?:"[^"<]*"|'[^'<]*'))*[ \t\r\n]*\/?$/
const ONE_ATTR = /([A-Za-z_][-A-Za-z0-9_.]*)[ \t\r\n]*=[ \t\r\n]*(?:"([^"<]*)"|'([^'<]*)')/g

function oracleFacts(text: string): Record<string, string> | null {
  const noComments = text.replace(/<!--[\s\S]*?-->/g, '')
  if (XMLValidator.validate(noComments) !== true) return null
  const body = noComments.replace(/<\?[\s\S]*?\?>/g, '')
  if (/<!DOCTYPE|<!\[CDATA\[/.test(body) || body.includes('\u0000')) return null
  if (!/^[ \t\r\n]*<response[ \t\r\n>]/.test(body) || !/<\/response[ \t\r\n]*>[ \t\r\n]*$/.test(body)) {
    return null
  }
  const tags = [...body.matchAll(/<payment(?=[ \t\r\n/>])((?:[^>"']|"[^"]*"|'[^']*')*)>/g)]
  if (tags.length !== 1) return null
  const inner = (tags[0] as RegExpMatchArray)[1] ?? ''
  const cyr = CYRILLIC_RESULT_CODE_ATTR
  const innerAscii = inner.split(cyr).join('result_code_cyr')
  if (!ATTR_LIST.test(innerAscii)) return null
  const facts: Record<string, string> = {}
  for (const m of innerAscii.matchAll(ONE_ATTR)) {
    const name = m[1] ?? ''
    if (name in facts) return null
    facts[name] = m[2] ?? m[3] ?? ''
  }
  return facts
}

function verdictIsTrue(o: PayOutcome, text: string): boolean {
  const f = oracleFacts(text)
  if (!f) return false
  const rc = f['result-code'] ?? f['result_code_cyr']
  if (f['transaction-number'] !== TXN || f['final-status'] !== 'true' || !f['txn_id']) return false
  if (o.kind === 'final-success') return f['status'] === '60' && (rc === undefined || rc === '0')
  if (o.kind === 'final-failure') {
    return /^[0-9]+$/.test(f['status'] ?? '') && Number(f['status']) > 100 && rc !== undefined && rc !== '215'
  }
  return true
}

// ---------------------------------------------------------------------------
// Mutations (xml.dict-style tokens, byte edits, truncation)
// ---------------------------------------------------------------------------

const TOKENS = [
  '<',
  '>',
  '/>',
  '</',
  '"',
  "'",
  '=',
  ' ',
  '\n',
  '\t',
  '&',
  '&amp;',
  '&lt;',
  '&#60;',
  '&#x3C;',
  ';',
  '<payment',
  '</payment>',
  '<payments>',
  '</payments>',
  '</response>',
  '<response>',
  '<result-code>0</result-code>',
  ` status="60"`,
  ` final-status="true"`,
  ` final-status="false"`,
  ` txn_id="1"`,
  ` transaction-number="${TXN}"`,
  ` result-code="0"`,
  ` result-code="215"`,
  ` ${CYRILLIC_RESULT_CODE_ATTR}="0"`,
  ` fatal-error="true"`,
  `<payment status="60" txn_id="1" transaction-number="${TXN}" result-code="0" final-status="true"/>`,
  '60',
  '160',
  '-1',
  '50',
  'true',
  'false',
  '\uFEFF',
  '\u1680',
  '\u00A0',
  '\u0000',
  '\uD800',
  'с',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<?xml version="1.0"?>',
  '<?xm ',
  '?>',
  '<!DOCTYPE r [<!ENTITY a "60">]>',
  '&a;',
  '__proto__',
  'constructor',
  'toString',
  ' __proto__="1"',
  '<constructor/>',
  'xmlns:p="u"',
  'p:'
]

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 }))
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 24 }) }),
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })
  }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() })
)

const KINDS: readonly PayOutcomeKind[] = [
  'final-success',
  'final-failure',
  'not-final',
  'not-registered',
  'not-found',
  'unknown'
]

describe('X4/P4: mutated and truncated replies never crash and never give a false final verdict', () => {
  it(`${FUZZ_RUNS} runs (seed ${FUZZ_SEED})`, () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort()
    const counts: Record<string, number> = {}
    fc.assert(
      fc.property(
        fc.nat({ max: BASES.length - 1 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('pay' as const, 'status' as const),
        fc.boolean(),
        (baseIdx, muts, mode, asBytes) => {
          let text = BASES[baseIdx] as string
          for (const m of muts) text = applyMutation(text, m)
          const input = asBytes ? Buffer.from(text, 'utf8') : text
          const o = classifyPayReply(input, { mode, transactionNumber: TXN })
          counts[o.kind] = (counts[o.kind] ?? 0) + 1
          if (!KINDS.includes(o.kind)) return false
          if (o.kind === 'final-success' || o.kind === 'final-failure') {
            // Reading the text back as UTF-8 may replace lone surrogates; judge the bytes we sent.
            const judged = asBytes ? Buffer.from(text, 'utf8').toString('utf8') : text
            return verdictIsTrue(o, judged) && o.transactionNumber === TXN && !o.duplicateMismatch
          }
          return true
        }
      ),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED }
    )
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore)
    process.stdout.write(`X4 fuzz outcome counts (seed ${FUZZ_SEED}): ${JSON.stringify(counts)}\n`)
    // The fuzz must exercise both verdicts and the unknown path, or it proves nothing.
    expect(counts['final-success'] ?? 0).toBeGreaterThan(1000)
    expect(counts['final-failure'] ?? 0).toBeGreaterThan(100)
    expect(counts['unknown'] ?? 0).toBeGreaterThan(10_000)
  }, 60_000)

  it('every byte-prefix of every success vector is unknown', () => {
    let checked = 0
    for (const [i, text] of RESPONSES.entries()) {
      const bytes = Buffer.from(text, 'utf8')
      const full = classifyPayReply(bytes, { mode: 'pay', transactionNumber: TXN })
      const statusFull = classifyPayReply(bytes, { mode: 'status', transactionNumber: TXN })
      if (full.kind !== 'final-success' && statusFull.kind !== 'final-success') continue
      const closeAt = bytes.lastIndexOf(Buffer.from('</response>')) + '</response>'.length
      for (let n = 0; n < bytes.length; n++) {
        const prefix = bytes.subarray(0, n)
        for (const mode of ['pay', 'status'] as const) {
          const o = classifyPayReply(prefix, { mode, transactionNumber: TXN })
          if (n < closeAt) {
            expect(o.kind, `${RESPONSE_FILES[i]} prefix ${n}`).toBe('unknown')
            checked++
          } else {
            // Only trailing whitespace is missing: the document is complete.
            expect(bytes.subarray(n).toString().trim()).toBe('')
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000)
  })
})

// ---------------------------------------------------------------------------
// Model-based: generated replies with known meaning (docs/CLASSIFIER.md table)
// ---------------------------------------------------------------------------

interface PaymentModel {
  ours: boolean
  status: string | undefined
  final: string | undefined
  txnId: string | undefined
  rc: string | undefined
  rcSpelling: 'latin' | 'cyrillic' | 'both' | 'both-diff'
  fatalError: string | undefined
}
interface ReplyModel {
  top: { code: string; fatal: string | undefined } | undefined
  payments: PaymentModel[]
  wrap: boolean
  quote: '"' | "'"
  noise: boolean
}

/** Mostly well-formed values (so every outcome is reached), with the odd malformed one. */
function mostly<T>(good: readonly T[], odd: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...good), weight: 4 },
    { arbitrary: fc.constantFrom(...odd), weight: 1 }
  )
}
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(a, { nil: undefined, freq: 8 })

const paymentArb: fc.Arbitrary<PaymentModel> = fc.record({
  ours: mostly([true], [false]),
  status: maybe(
    mostly(
      ['60', '160', '150', '101', '50', '52', '-1', '0'],
      ['49', '59', '61', '100', '151', 'x', '', '060']
    )
  ),
  final: maybe(mostly(['true', 'false'], ['TRUE', '', 'true '])),
  txnId: maybe(mostly(['1', '759640439', '12345678901234567890'], ['', '12a'])),
  rc: maybe(mostly(['0', '220', '300'], ['215', 'x', '00'])),
  rcSpelling: mostly(['latin' as const, 'cyrillic' as const, 'both' as const], ['both-diff' as const]),
  fatalError: maybe(mostly(['true', 'false'], ['yes']))
})
const replyArb: fc.Arbitrary<ReplyModel> = fc.record({
  top: maybe(
    fc.record({
      code: mostly(['0'], ['13', '150', '215', '300', '339']),
      fatal: maybe(fc.constantFrom('true', 'false'))
    })
  ),
  payments: fc.oneof(
    { arbitrary: fc.array(paymentArb, { minLength: 1, maxLength: 1 }), weight: 6 },
    fc.array(paymentArb, { maxLength: 2 })
  ),
  wrap: fc.boolean(),
  quote: fc.constantFrom('"' as const, "'" as const),
  noise: fc.boolean()
})

function render(m: ReplyModel): string {
  const q = m.quote
  const a = (k: string, v: string | undefined): string => (v === undefined ? '' : ` ${k}=${q}${v}${q}`)
  const pays = m.payments.map((p) => {
    let rcAttrs = ''
    if (p.rc !== undefined) {
      if (p.rcSpelling === 'latin') rcAttrs = a('result-code', p.rc)
      else if (p.rcSpelling === 'cyrillic') rcAttrs = a(CYRILLIC_RESULT_CODE_ATTR, p.rc)
      else if (p.rcSpelling === 'both') rcAttrs = a('result-code', p.rc) + a(CYRILLIC_RESULT_CODE_ATTR, p.rc)
      else rcAttrs = a('result-code', p.rc) + a(CYRILLIC_RESULT_CODE_ATTR, `${p.rc}1`)
    }
    return `<payment${a('status', p.status)}${a('txn_id', p.txnId)}${a('transaction-number', p.ours ? TXN : '87654321')}${rcAttrs}${a('final-status', p.final)}${a('fatal-error', p.fatalError)} message=${q}Ok &amp; Ок${q}><from><amount>1.00</amount><ccy>643</ccy></from></payment>`
  })
  const top = m.top ? `<result-code${a('fatal', m.top.fatal)}>${m.top.code}</result-code>` : ''
  const noise = m.noise
    ? '<balances><balance code="643">1.5</balance></balances><lk-status>001</lk-status><f></f>'
    : ''
  const body = m.wrap ? `<payments>${pays.join('')}</payments>` : pays.join('\n')
  return `<response>\n${top}${noise}${body}\n</response>`
}

/** The decision table of docs/CLASSIFIER.md, written from the doc. */
function expectedKind(m: ReplyModel, mode: 'pay' | 'status'): PayOutcomeKind {
  if (m.top && m.top.code !== '0') return 'unknown'
  if (m.payments.length === 0) return mode === 'status' && m.top?.code === '0' ? 'not-found' : 'unknown'
  if (m.payments.length > 1) return 'unknown'
  const p = m.payments[0] as PaymentModel
  if (!p.ours) return 'unknown'
  if (p.rc !== undefined && p.rcSpelling === 'both-diff') return 'unknown'
  const statusOk = p.status !== undefined && /^(?:0|-?[1-9][0-9]*)$/.test(p.status)
  const finalOk = p.final === undefined || p.final === 'true' || p.final === 'false'
  const txnOk = p.txnId === undefined || /^[0-9]*$/.test(p.txnId)
  const rcOk = p.rc === undefined || /^(?:0|[1-9][0-9]*)$/.test(p.rc)
  const fatalOk = p.fatalError === undefined || p.fatalError === 'true' || p.fatalError === 'false'
  if (!statusOk || !finalOk || !txnOk || !rcOk || !fatalOk) return 'unknown'
  if (p.rc === '215') return 'unknown'
  const status = Number(p.status)
  const hasTxn = p.txnId !== undefined && p.txnId !== ''
  if (status === -1) return p.final === 'true' ? 'unknown' : 'not-registered'
  if (p.final === undefined) return 'unknown'
  if (p.final === 'true') {
    if (!hasTxn) return 'unknown'
    if (status === 60) return p.rc === undefined || p.rc === '0' ? 'final-success' : 'unknown'
    if (status > 100) return p.rc !== undefined ? 'final-failure' : 'unknown'
    return 'unknown'
  }
  if (!hasTxn) return mode === 'pay' ? 'not-registered' : 'not-found'
  return 'not-final'
}

describe('model-based: generated replies classify exactly per the decision table', () => {
  it('10,000 runs (seed 777)', () => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(replyArb, fc.constantFrom('pay' as const, 'status' as const), (m, mode) => {
        const o = classifyPayReply(render(m), { mode, transactionNumber: TXN })
        seen.add(o.kind)
        const want = expectedKind(m, mode)
        if (o.kind !== want) return false
        if (o.kind === 'final-success' || o.kind === 'final-failure' || o.kind === 'not-final') {
          return o.message === 'Ok & Ок' && o.fromAmount === '1.00'
        }
        return true
      }),
      { numRuns: 10_000, seed: 777 }
    )
    expect([...seen].sort()).toEqual([...KINDS].sort())
  })
})

// ---------------------------------------------------------------------------
// X5 + X7: build → parse round trip
// ---------------------------------------------------------------------------

const HOSTILE = [
  '<',
  '>',
  ']]>',
  '--',
  '"',
  "'",
  '&',
  '&amp;',
  '&#13;',
  '\u0000',
  '\uD800',
  '\uDFFF',
  '\u200F',
  '\u202E',
  '\u061C',
  '\r',
  '\n',
  '\t',
  ' ',
  '<!--',
  '<![CDATA[',
  '</extra>',
  '<payment>',
  '\uFEFF',
  '\u1680',
  'ё',
  '😀',
  '\uFFFE'
]
const hostileString = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...HOSTILE),
        fc.string({ unit: 'binary', maxLength: 3 }),
        fc.string({ maxLength: 3 })
      ),
      { maxLength }
    )
    .map((a) => a.join(''))

function single(o: XmlObject, name: string): XmlValue | undefined {
  const c = children(o, name)
  return c.length === 1 ? c[0] : undefined
}

function firstInvalidFree(...s: string[]): boolean {
  return s.every((x) => isValidXmlText(x))
}

describe('X5/X7: build → parse round trip is exact; XML-invalid input is refused before build', () => {
  it(`${ROUNDTRIP_RUNS} runs over hostile comments/accounts, 20-digit numbers and all amounts (seed 99)`, () => {
    let built = 0
    fc.assert(
      fc.property(
        hostileString(12).filter((s) => s.length > 0),
        hostileString(12),
        fc.bigInt({ min: 1n, max: 10n ** 20n - 1n }),
        fc.integer({ min: 1, max: MAX_KOPECKS }),
        (account, comment, txnBig, kopecks) => {
          const txn = txnBig.toString()
          const r = buildPayRequest(
            { terminalId: '123', password: 'p' },
            {
              service: 'wallet',
              transactionNumber: txn,
              amountKopecks: kopecks,
              accountNumber: account,
              incomeWireTransfer: true,
              comment
            }
          )
          const cpLen = [...comment].length
          const acceptable = firstInvalidFree(account, comment) && cpLen <= 1000 && [...account].length <= 128
          if (!r.ok) {
            return !acceptable && (r.error.code === 'invalid-input' || r.error.code === 'invalid-account')
          }
          if (!acceptable) return false
          built++
          const parsed = parseTopupXml(r.value.body)
          if (!parsed.ok || parsed.root !== 'request') return false
          const auth = single(parsed.doc, 'auth')
          if (!auth || !isXmlObject(auth)) return false
          const payments = children(auth, 'payment')
          if (payments.length !== 1 || !isXmlObject(payments[0])) return false
          const p = payments[0] as XmlObject
          const to = single(p, 'to')
          if (!to || !isXmlObject(to)) return false
          const txnEl = single(p, 'transaction-number')
          const amountEl = single(to, 'amount')
          const accountEl = single(to, 'account-number')
          if (txnEl === undefined || amountEl === undefined || accountEl === undefined) return false
          if (textOf(txnEl) !== txn) return false
          const amount = textOf(amountEl) ?? ''
          if (!/^[0-9]+\.[0-9]{2}$/.test(amount) || parseWireAmount(amount) !== kopecks) return false
          if (decodeXmlText(textOf(accountEl) ?? '') !== account) return false
          const extras = children(to, 'extra').filter((e) => attr(e, 'name') === 'comment')
          if (comment === '') return extras.length === 0
          return extras.length === 1 && decodeXmlText(textOf(extras[0] as XmlValue) ?? '') === comment
        }
      ),
      { numRuns: ROUNDTRIP_RUNS, seed: 99 }
    )
    expect(built).toBeGreaterThan(ROUNDTRIP_RUNS / 10)
  }, 60_000)

  it('leading zeros, 20-digit ids and amounts survive a reply round trip (10,000 runs, seed 5)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 20n - 1n }),
        fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }),
        fc.integer({ min: 0, max: MAX_KOPECKS }),
        fc.stringMatching(/^0{1,3}[0-9]{5,12}$/),
        (txnBig, txnIdBig, kopecks, account) => {
          const txn = txnBig.toString()
          const txnId = txnIdBig.toString()
          const amount = `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`
          const doc = `<response><result-code fatal="false">0</result-code><payment status="60" txn_id="${txnId}" transaction-number="${txn}" result-code="0" final-status="true"><from><amount>${amount}</amount></from><to><amount>${amount}</amount><account-number>${account}</account-number></to></payment><balances><balance code="643">${amount}</balance></balances></response>`
          const o = classifyPayReply(doc, { mode: 'status', transactionNumber: txn })
          return (
            o.kind === 'final-success' &&
            o.txnId === txnId &&
            o.transactionNumber === txn &&
            o.fromAmount === amount &&
            o.toAccountNumber === account &&
            o.balances['643'] === amount &&
            parseWireAmount(o.fromAmount) === kopecks
          )
        }
      ),
      { numRuns: 10_000, seed: 5 }
    )
  })
})
