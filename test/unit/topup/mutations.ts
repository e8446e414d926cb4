/**
 * Edits the property tests apply to replies (xml.dict-style tokens, byte edits,
 * truncation). Each test builds its own arbitrary of these with its own weights.
 */
export type Mutation =
  | { op: 'insert'; at: number; token: string }
  | { op: 'delete'; at: number; len: number }
  | { op: 'replace'; at: number; ch: string }
  | { op: 'dup'; at: number; len: number }
  | { op: 'truncate'; at: number }
  /** Insert right after the nth `>` (mod their count): mostly keeps a document well-formed. */
  | { op: 'after-tag'; nth: number; token: string }

export function applyMutation(s: string, m: Mutation): string {
  if (m.op === 'after-tag') {
    const ends: number[] = []
    for (let k = s.indexOf('>'); k !== -1; k = s.indexOf('>', k + 1)) ends.push(k + 1)
    if (ends.length === 0) return s
    const p = ends[m.nth % ends.length] as number
    return s.slice(0, p) + m.token + s.slice(p)
  }
  const at = s.length === 0 ? 0 : m.at % (s.length + 1)
  switch (m.op) {
    case 'insert':
      return s.slice(0, at) + m.token + s.slice(at)
    case 'delete':
      return s.slice(0, at) + s.slice(at + m.len)
    case 'replace':
      return s.slice(0, at) + m.ch + s.slice(at + 1)
    case 'dup':
      return s.slice(0, at + m.len) + s.slice(at, at + m.len) + s.slice(at + m.len)
    case 'truncate':
      return s.slice(0, at)
  }
}
