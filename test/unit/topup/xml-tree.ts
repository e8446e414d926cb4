/**
 * Test helper: an order-preserving, whitespace-insensitive view of an XML document,
 * used to compare built requests with the documented vectors element by element.
 * Trusted input only (our vectors and our own builder output).
 */
import { XMLParser } from 'fast-xml-parser'

export interface Elem {
  name: string
  attrs: Record<string, string>
  text: string
  children: Elem[]
}

type Ordered = Record<string, unknown>

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true
})

function convert(nodes: Ordered[]): Elem[] {
  const out: Elem[] = []
  for (const n of nodes) {
    const name = Object.keys(n).find((k) => k !== ':@')
    if (!name || name === '#text') continue
    const kids = (n[name] as Ordered[]) ?? []
    const textParts = kids.filter((k) => '#text' in k).map((k) => String(k['#text']))
    const attrs = (n[':@'] as Record<string, string> | undefined) ?? {}
    out.push({ name, attrs: { ...attrs }, text: textParts.join(''), children: convert(kids) })
  }
  return out
}

export function xmlTree(xml: string): Elem {
  const nodes = parser.parse(xml) as Ordered[]
  const roots = convert(nodes)
  if (roots.length !== 1) throw new Error(`expected one root, got ${roots.length}`)
  return roots[0] as Elem
}

/** Same tree with the root's children sorted by a stable key (for a vector whose root order differs). */
export function sortRootChildren(e: Elem): Elem {
  const key = (c: Elem): string => `${c.name}|${JSON.stringify(c.attrs)}|${c.text}`
  return { ...e, children: [...e.children].sort((a, b) => key(a).localeCompare(key(b))) }
}
