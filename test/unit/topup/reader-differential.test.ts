/**
 * Differential fuzz of the reply reader (safe-xml.ts scanMarkup) against fast-xml-parser
 * 5.12.1, the library it replaced in the reply path (docs/CLASSIFIER.md, "The reader").
 *
 * Property: whenever the reader accepts a text, XMLValidator.validate accepts it too and
 * `new XMLParser(TOPUP_PARSER_OPTIONS).parse` gives a deep-equal tree. So the reader accepts a
 * subset of what validator + parser accepted and reads every accepted reply as they did.
 * Generated well-formed reply-shaped documents must be accepted, so the subset is not empty.
 *
 * CI runs TOPUP_READER_FUZZ_RUNS (default 20,000) with a fixed seed; a nightly job may
 * raise it (10^6) or change TOPUP_READER_FUZZ_SEED.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { VECTORS_DIR } from '../../support/paths'
import {
  CYRILLIC_RESULT_CODE_ATTR,
  TOPUP_PARSER_OPTIONS,
  parseTopupXml,
  scanMarkup
} from '../../../electron/core/topup/index'
import { applyMutation } from './mutations'
import type { Mutation } from './mutations'

const RUNS = Number(process.env['TOPUP_READER_FUZZ_RUNS'] ?? 20_000)
const SEED = Number(process.env['TOPUP_READER_FUZZ_SEED'] ?? 20261123)

const parser = new XMLParser(TOPUP_PARSER_OPTIONS)

function xmlFiles(sub: string, filter: (f: string) => boolean): string[] {
  return readdirSync(join(VECTORS_DIR, sub))
    .filter((f) => f.endsWith('.xml') && filter(f))
    .map((f) => readFileSync(join(VECTORS_DIR, sub, f), 'utf8'))
}
const CORPUS = [...xmlFiles('topup', () => true), ...xmlFiles('legacy', (f) => f.includes('response'))]

type Verdict =
  { accepted: false } | { accepted: true; agrees: true } | { accepted: true; agrees: false; why: string }

/** The differential itself: reader accepts ⇒ validator accepts and the trees are equal. */
function differential(text: string): Verdict {
  const r = scanMarkup(text)
  if (!r.ok) return { accepted: false }
  const v = XMLValidator.validate(text, { allowBooleanAttributes: false })
  if (v !== true) return { accepted: true, agrees: false, why: `validator: ${v.err.code} ${v.err.msg}` }
  let tree: unknown
  try {
    tree = parser.parse(text)
  } catch (e) {
    return { accepted: true, agrees: false, why: `parser threw: ${String(e)}` }
  }
  const mine = { [r.root]: r.value }
  if (!isDeepStrictEqual(mine, tree)) {
    return {
      accepted: true,
      agrees: false,
      why: `trees differ:\n reader ${JSON.stringify(mine)}\n parser ${JSON.stringify(tree)}`
    }
  }
  // parseTopupXml is the reader plus the byte cap: same verdict on a small text.
  const p = parseTopupXml(text)
  if (!p.ok || p.root !== r.root) return { accepted: true, agrees: false, why: 'parseTopupXml disagrees' }
  return { accepted: true, agrees: true }
}

// ---------------------------------------------------------------------------
// Inputs 1: the vectors, mutated with xml.dict-style tokens, edits and truncation
// ---------------------------------------------------------------------------

/** AFL/AFL++ dictionaries/xml.dict, plus tokens aimed at the points where readers differ. */
const TOKENS = [
  // xml.dict
  ' encoding="1"',
  ' a="1"',
  ' href="1"',
  ' standalone="no"',
  ' version="1"',
  ' xml:base="1"',
  ' xmlns="1"',
  '&lt;',
  '&#1;',
  '&a;',
  '&#x1;',
  'ANY',
  '[]',
  'CDATA',
  ':a',
  '--',
  '""',
  "''",
  'ENTITY',
  '#PCDATA',
  '%a',
  'SYSTEM',
  'UTF-8',
  'xmlns:',
  '<!ATTLIST',
  '<![CDATA[',
  '</a>',
  '<!DOCTYPE',
  '<!ELEMENT',
  '<!ENTITY',
  '<a>',
  '<a />',
  '<!',
  '<?',
  ']]>',
  '<?xml?>',
  // markup pieces
  '<',
  '>',
  '/>',
  '</',
  '"',
  "'",
  '=',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '&',
  ';',
  '#',
  '&amp;',
  '&apos;',
  '&quot;',
  '&gt;',
  '&#60;',
  '&#x3C;',
  '&#0;',
  '&#xD800;',
  '&#x110000;',
  '&#;',
  '&#x;',
  '&nbsp;',
  '<!--',
  '-->',
  '<!-- c -->',
  '<?pi x?>',
  '<?pi a="?>"?>',
  "<?pi '?>",
  '<?xml version="1.0"?>',
  '?>',
  ']]',
  // QIWI shapes
  '<payment',
  '</payment>',
  '<payments>',
  '</payments>',
  '<response>',
  '</response>',
  '<result-code>0</result-code>',
  '<balance code="643">1.00</balance>',
  ' status="60"',
  ' final-status="true"',
  ` ${CYRILLIC_RESULT_CODE_ATTR}="0"`,
  '<payment status="60" txn_id="1" transaction-number="1" result-code="0" final-status="true"/>',
  // characters readers treat differently
  '\uFEFF',
  '\u1680',
  '\u00A0',
  '\u2028',
  '\u0000',
  '\u000B',
  '\uD800',
  '\uDC00',
  '\uFFFE',
  '😀',
  'с',
  '__proto__',
  'constructor',
  'toString',
  '#text',
  '@_x'
]

/** Inserted right after a `>`: mostly keeps the document well-formed, so the reader accepts. */
const AFTER_TAG_TOKENS = [
  ' ',
  '\n',
  '\r\n',
  '\t',
  'x',
  'Ок',
  '😀',
  '\uFEFF',
  '>',
  ']]',
  '&amp;',
  '&#1066;',
  '&#x1F600;',
  '&quot;',
  '&nbsp;',
  '&',
  '<!-- c -->',
  '<!-- - -->',
  '<!---->',
  '<?pi?>',
  '<?pi a="?>"?>',
  "<?pi '?>'?>",
  '<?pi "?>',
  "<?pi b='?>",
  '<?pi x?>\n',
  '<a/>',
  '<a x="1"/>',
  "<a x='>' y=\"'\"/>",
  '<a>t</a>',
  '<payment/>',
  '<balance code="840">1</balance>',
  '<result-code>0</result-code>',
  '<extra name="rrn">1</extra>',
  '</a>',
  '<a>',
  '<a x="1" x="2"/>',
  '<a x="&lt;"/>',
  '<a x="a&b"/>',
  '<a x="<"/>',
  '<a\u00A0x="1"/>',
  `<a ${CYRILLIC_RESULT_CODE_ATTR}="0"/>`
]

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at: fc.nat(),
      token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 3 }))
    }),
    weight: 3
  },
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    ch: fc.oneof(
      fc.constantFrom(...'<>/="\'&;?!- \t\n\r]'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })
    )
  }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  {
    arbitrary: fc.record({
      op: fc.constant('after-tag' as const),
      nth: fc.nat(),
      token: fc.constantFrom(...AFTER_TAG_TOKENS)
    }),
    weight: 4
  }
)

const mutatedArb = fc
  .tuple(fc.nat({ max: CORPUS.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
  .map(([i, muts]) => muts.reduce((s, m) => applyMutation(s, m), CORPUS[i] as string))

/** Token soup: mostly markup pieces, some arbitrary characters. */
const tokenSoupArb = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })), { maxLength: 24 })
  .map((a) => a.join(''))

const arbitraryArb = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }))

// ---------------------------------------------------------------------------
// Inputs 2: generated well-formed, reply-shaped documents
// ---------------------------------------------------------------------------

const ELEMENT_NAMES = [
  'response',
  'result-code',
  'payment',
  'payments',
  'balances',
  'balance',
  'from',
  'to',
  'amount',
  'ccy',
  'extra',
  'service-id',
  'account-number',
  'lk-status',
  'f',
  'a.b',
  '_x',
  'X-1',
  'status'
]
const ATTRIBUTE_NAMES = [
  'status',
  'txn_id',
  'transaction-number',
  'result-code',
  CYRILLIC_RESULT_CODE_ATTR,
  'final-status',
  'fatal-error',
  'txn-date',
  'message',
  'msg',
  'fatal',
  'code',
  'name',
  'id',
  'a',
  'payment',
  'x.y',
  '_',
  'Z9'
]
/** Object.prototype members (and `prototype`): refused by design, so never generated. */
const RESERVED = new Set(
  [...Object.getOwnPropertyNames(Object.prototype), 'prototype'].map((n) => n.toLowerCase())
)
const nameArb = (pool: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...pool), weight: 4 },
    fc.stringMatching(/^[A-Za-z_][A-Za-z0-9._-]{0,8}$/).filter((n) => !RESERVED.has(n.toLowerCase()))
  )

/** Pieces of character data: plain, non-ASCII, references (kept raw), whitespace incl. CR. */
const TEXT_PIECES = [
  'Ok',
  '1115.00',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  'Неизвестная ошибка',
  'ё',
  '😀',
  '\uFEFF',
  '\u1680',
  '\u00A0',
  '\u2028',
  '\u007F',
  '\u0085',
  '>',
  ']',
  '"',
  "'",
  '=',
  '/',
  '?',
  '!',
  '-',
  '--',
  '&amp;',
  '&lt;',
  '&gt;',
  '&quot;',
  '&apos;',
  '&#65;',
  '&#x41;',
  '&#0065;',
  '&#x1F600;',
  '&#1066;',
  '&#13;',
  '&#xD;'
]
const charDataArb = (quote: '"' | "'" | ''): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { arbitrary: fc.constantFrom(...TEXT_PIECES), weight: 3 },
        fc.string({ maxLength: 3 }).map((x) => x.replace(/&/g, '&amp;'))
      ),
      { maxLength: 6 }
    )
    .map((a) => {
      // Only what XML allows in character data: no markup, no ']]>', no closing quote.
      let t = a.join('').replace(/</g, '&lt;').replace(/]]>/g, ']]&gt;')
      if (quote !== '') t = t.split(quote).join('&quot;')
      return t
    })

const wsArb = fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\r', ' \n\t')
const commentArb = fc
  .string({ maxLength: 12 })
  .map((c) => `<!--${c.replace(/-/g, '_').replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/g, '?')}-->`)
const piArb = fc
  .tuple(
    fc.constantFrom('pi', 'xml-stylesheet', 'xm', 'qiwi'),
    fc.constantFrom('', ' data', ' a="1" b=\'2\'', ' x="?" y=\'>\'', '\n  k="v"')
  )
  .map(([t, d]) => `<?${t}${d}?>`)

interface GenElement {
  name: string
  attrs: [string, string, '"' | "'", string, string][]
  selfClose: boolean
  content: GenContent[]
  closeWs: string
}
type GenContent = { text: string } | { comment: string } | { pi: string } | { el: GenElement }

const attrArb = fc.tuple(
  nameArb(ATTRIBUTE_NAMES),
  fc.constantFrom('"' as const, "'" as const),
  fc.constantFrom(' ', '\t', '\n', '\r\n', '  '),
  fc.constantFrom('', ' ', '\n')
)

const elementArb: fc.Memo<GenElement> = fc.memo((n) =>
  fc
    .record({
      name: nameArb(ELEMENT_NAMES),
      attrs: fc.uniqueArray(attrArb, { maxLength: 5, selector: (a) => a[0] }),
      values: fc.array(fc.tuple(charDataArb('"'), charDataArb("'")), { minLength: 5, maxLength: 5 }),
      selfClose: fc.boolean(),
      content:
        n <= 1
          ? fc.array(fc.oneof(charDataArb('').map((text) => ({ text }))), { maxLength: 2 })
          : fc.array(
              fc.oneof(
                { arbitrary: elementArb(n - 1).map((el) => ({ el }) as GenContent), weight: 3 },
                { arbitrary: charDataArb('').map((text) => ({ text }) as GenContent), weight: 2 },
                wsArb.map((text) => ({ text }) as GenContent),
                commentArb.map((comment) => ({ comment }) as GenContent),
                piArb.map((pi) => ({ pi }) as GenContent)
              ),
              { maxLength: 5 }
            ),
      closeWs: fc.constantFrom('', '', ' ', '\n')
    })
    .map(({ name, attrs, values, selfClose, content, closeWs }) => ({
      name,
      attrs: attrs.map(([an, q, before, around], i) => {
        const [dq, sq] = values[i] ?? ['', '']
        return [an, q === '"' ? dq : sq, q, before, around] as GenElement['attrs'][number]
      }),
      selfClose: selfClose && content.length === 0,
      content,
      closeWs
    }))
)

function renderElement(e: GenElement): string {
  const attrs = e.attrs
    .map(([n, v, q, before, around]) => `${before}${n}${around}=${around}${q}${v}${q}`)
    .join('')
  if (e.selfClose) return `<${e.name}${attrs}${e.closeWs}/>`
  const inner = e.content
    .map((c) => ('el' in c ? renderElement(c.el) : 'text' in c ? c.text : 'comment' in c ? c.comment : c.pi))
    .join('')
  return `<${e.name}${attrs}${e.closeWs}>${inner}</${e.name}${e.closeWs}>`
}

const documentArb = fc
  .record({
    decl: fc.constantFrom(
      '',
      '<?xml version="1.0" encoding="utf-8"?>',
      "<?xml version='1.0'?>",
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
      '<?xm version="1.0" encoding="utf-8"?>'
    ),
    prolog: fc.array(fc.oneof(wsArb, commentArb, piArb), { maxLength: 3 }),
    root: elementArb(4),
    epilog: fc.array(fc.oneof(wsArb, commentArb), { maxLength: 3 })
  })
  .map(({ decl, prolog, root, epilog }) => {
    // Whitespace before a top-level PI would be kept by fast-xml-parser as text beside the
    // root; the reader refuses that, so a generated document has none.
    let pending = false
    const items = prolog.filter((p) => {
      if (p.startsWith('<?')) {
        if (pending) return false
      } else if (!p.startsWith('<!--')) {
        pending = true
      }
      return true
    })
    // Adjacent text pieces may meet as `]]>`, which XML forbids in text.
    return `${decl}${items.join('')}${renderElement(root)}${epilog.join('')}`.replace(/]]>/g, ']]&gt;')
  })

// ---------------------------------------------------------------------------

type Case = { kind: 'mutated' | 'tokens' | 'arbitrary'; text: string } | { kind: 'generated'; text: string }

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  { arbitrary: mutatedArb.map((text) => ({ kind: 'mutated' as const, text })), weight: 4 },
  { arbitrary: tokenSoupArb.map((text) => ({ kind: 'tokens' as const, text })), weight: 2 },
  { arbitrary: arbitraryArb.map((text) => ({ kind: 'arbitrary' as const, text })), weight: 1 },
  { arbitrary: documentArb.map((text) => ({ kind: 'generated' as const, text })), weight: 3 }
)

describe('reader vs fast-xml-parser (differential)', () => {
  it('every vector is accepted and read exactly as fast-xml-parser reads it', () => {
    for (const text of CORPUS) expect(differential(text)).toEqual({ accepted: true, agrees: true })
  })

  it(`${RUNS} runs (seed ${SEED}): accepted ⇒ validator accepts and trees are deep-equal; generated documents accepted`, () => {
    const counts: Record<string, { runs: number; accepted: number }> = {}
    const t0 = performance.now()
    fc.assert(
      fc.property(caseArb, (c) => {
        const v = differential(c.text)
        const k = (counts[c.kind] ??= { runs: 0, accepted: 0 })
        k.runs++
        if (v.accepted) k.accepted++
        if (v.accepted && !v.agrees) throw new Error(v.why)
        if (c.kind === 'generated' && !v.accepted) {
          const r = scanMarkup(c.text)
          throw new Error(`generated document refused: ${r.ok ? '' : `${r.reason}: ${r.detail}`}`)
        }
        return true
      }),
      { numRuns: RUNS, seed: SEED }
    )
    const seconds = (performance.now() - t0) / 1000
    process.stdout.write(
      `reader differential (seed ${SEED}, ${RUNS} runs, ${seconds.toFixed(1)} s): ${JSON.stringify(counts)}\n`
    )
    // The differential proves something only if many mutated replies are accepted.
    const mutated = counts['mutated'] ?? { runs: 0, accepted: 0 }
    expect(mutated.accepted).toBeGreaterThan(mutated.runs / 10)
    expect(counts['generated']?.accepted).toBe(counts['generated']?.runs)
  }, 600_000)
})
