/**
 * A strict JSON parser for untrusted server (and request) bodies.
 *
 * Why not JSON.parse: it turns every number into a binary float, so `3497.5`,
 * `0.1 + 0.2`-style amounts and 20-digit QIWI ids (`2001291110576200000` > 2^53)
 * lose their exact value before any schema can look at them. Here numbers stay
 * as their raw text (`JsonNumber`), schemas decide what a number may be.
 *
 * Also rejected up front (RELIABILITY X6): keys that can pollute prototypes
 * (`__proto__`, `constructor`, `prototype`), duplicate keys (a parser
 * differential: which value wins differs between parsers), nesting deeper than
 * `maxDepth`, over-long number literals, lone surrogates and control
 * characters in strings. Objects are created without a prototype.
 * The parser never throws: it returns a result.
 */

/** A JSON number kept exactly as written on the wire (e.g. `"100.50"`, `"-1e3"`). */
export class JsonNumber {
  readonly raw: string
  constructor(raw: string) {
    this.raw = raw
  }
  toJSON(): string {
    return this.raw
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

export interface JsonParseOptions {
  /** Maximum input length in UTF-16 code units (the byte cap is applied by the transport). Default 4 MiB. */
  maxLength?: number
  /** Maximum nesting of arrays/objects. Default 32. */
  maxDepth?: number
  /** Maximum length of one number literal. Default 64. */
  maxNumberLength?: number
}

export type JsonParseResult = { ok: true; value: JsonValue } | { ok: false; reason: string; position: number }

/** Keys refused anywhere in a document. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

class JsonSyntaxError {
  constructor(
    readonly reason: string,
    readonly position: number
  ) {}
}

export function parseJson(text: string, opts: JsonParseOptions = {}): JsonParseResult {
  const maxLength = opts.maxLength ?? 4 * 1024 * 1024
  if (text.length > maxLength) return { ok: false, reason: `input longer than ${maxLength}`, position: 0 }
  const p = new Parser(text, opts.maxDepth ?? 32, opts.maxNumberLength ?? 64)
  try {
    const value = p.parseDocument()
    return { ok: true, value }
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, reason: e.reason, position: e.position }
    // Only a RangeError (stack) could get here; depth is capped, but stay total.
    return { ok: false, reason: 'parser failure', position: p.pos }
  }
}

class Parser {
  pos = 0
  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
    private readonly maxNumberLength: number
  ) {}

  fail(reason: string): never {
    throw new JsonSyntaxError(reason, this.pos)
  }

  parseDocument(): JsonValue {
    if (this.s.charCodeAt(0) === 0xfeff) this.pos = 1
    this.ws()
    const v = this.value(0)
    this.ws()
    if (this.pos !== this.s.length) this.fail('trailing data')
    return v
  }

  ws(): void {
    const s = this.s
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos)
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++
      else break
    }
  }

  value(depth: number): JsonValue {
    const c = this.s.charCodeAt(this.pos)
    switch (c) {
      case 0x7b /* { */:
        return this.object(depth + 1)
      case 0x5b /* [ */:
        return this.array(depth + 1)
      case 0x22 /* " */:
        return this.string()
      case 0x74 /* t */:
        return this.literal('true', true)
      case 0x66 /* f */:
        return this.literal('false', false)
      case 0x6e /* n */:
        return this.literal('null', null)
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number()
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character')
    }
  }

  literal<T extends boolean | null>(word: string, v: T): T {
    if (this.s.startsWith(word, this.pos)) {
      this.pos += word.length
      return v
    }
    return this.fail('invalid literal')
  }

  object(depth: number): JsonObject {
    if (depth > this.maxDepth) this.fail('nesting too deep')
    this.pos++ // {
    const out = Object.create(null) as JsonObject
    this.ws()
    if (this.s.charCodeAt(this.pos) === 0x7d) {
      this.pos++
      return out
    }
    for (;;) {
      this.ws()
      if (this.s.charCodeAt(this.pos) !== 0x22) this.fail('expected a key')
      const keyPos = this.pos
      const key = this.string()
      if (FORBIDDEN_KEYS.has(key)) {
        this.pos = keyPos
        this.fail(`forbidden key "${key}"`)
      }
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        this.pos = keyPos
        this.fail('duplicate key')
      }
      this.ws()
      if (this.s.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'")
      this.pos++
      this.ws()
      out[key] = this.value(depth)
      this.ws()
      const c = this.s.charCodeAt(this.pos)
      if (c === 0x2c) {
        this.pos++
        continue
      }
      if (c === 0x7d) {
        this.pos++
        return out
      }
      this.fail("expected ',' or '}'")
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > this.maxDepth) this.fail('nesting too deep')
    this.pos++ // [
    const out: JsonValue[] = []
    this.ws()
    if (this.s.charCodeAt(this.pos) === 0x5d) {
      this.pos++
      return out
    }
    for (;;) {
      this.ws()
      out.push(this.value(depth))
      this.ws()
      const c = this.s.charCodeAt(this.pos)
      if (c === 0x2c) {
        this.pos++
        continue
      }
      if (c === 0x5d) {
        this.pos++
        return out
      }
      this.fail("expected ',' or ']'")
    }
  }

  string(): string {
    const s = this.s
    this.pos++ // opening quote
    let out = ''
    let start = this.pos
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string')
      const c = s.charCodeAt(this.pos)
      if (c === 0x22) {
        out += s.slice(start, this.pos)
        this.pos++
        return out
      }
      if (c < 0x20) this.fail('control character in string')
      if (c >= 0xd800 && c <= 0xdfff) {
        // Raw surrogates must form a pair.
        const next = s.charCodeAt(this.pos + 1)
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          this.pos += 2
          continue
        }
        this.fail('lone surrogate')
      }
      if (c === 0x5c) {
        out += s.slice(start, this.pos)
        this.pos++
        const e = s.charCodeAt(this.pos)
        switch (e) {
          case 0x22:
            out += '"'
            break
          case 0x5c:
            out += '\\'
            break
          case 0x2f:
            out += '/'
            break
          case 0x62:
            out += '\b'
            break
          case 0x66:
            out += '\f'
            break
          case 0x6e:
            out += '\n'
            break
          case 0x72:
            out += '\r'
            break
          case 0x74:
            out += '\t'
            break
          case 0x75: {
            const cu = this.hex4(this.pos + 1)
            this.pos += 4
            if (cu >= 0xd800 && cu <= 0xdbff) {
              if (s.charCodeAt(this.pos + 1) !== 0x5c || s.charCodeAt(this.pos + 2) !== 0x75) {
                this.fail('lone surrogate escape')
              }
              const lo = this.hex4(this.pos + 3)
              if (lo < 0xdc00 || lo > 0xdfff) this.fail('lone surrogate escape')
              out += String.fromCharCode(cu, lo)
              this.pos += 6
            } else if (cu >= 0xdc00 && cu <= 0xdfff) {
              this.fail('lone surrogate escape')
            } else {
              out += String.fromCharCode(cu)
            }
            break
          }
          default:
            this.fail('invalid escape')
        }
        this.pos++
        start = this.pos
        continue
      }
      this.pos++
    }
  }

  hex4(at: number): number {
    const h = this.s.slice(at, at + 4)
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape')
    return parseInt(h, 16)
  }

  number(): JsonNumber {
    const s = this.s
    const start = this.pos
    if (s.charCodeAt(this.pos) === 0x2d) this.pos++
    const d0 = s.charCodeAt(this.pos)
    if (d0 === 0x30) {
      this.pos++
    } else if (d0 >= 0x31 && d0 <= 0x39) {
      while (isDigit(s.charCodeAt(this.pos))) this.pos++
    } else {
      this.fail('invalid number')
    }
    if (s.charCodeAt(this.pos) === 0x2e) {
      this.pos++
      if (!isDigit(s.charCodeAt(this.pos))) this.fail('invalid number')
      while (isDigit(s.charCodeAt(this.pos))) this.pos++
    }
    const e = s.charCodeAt(this.pos)
    if (e === 0x65 || e === 0x45) {
      this.pos++
      const sign = s.charCodeAt(this.pos)
      if (sign === 0x2b || sign === 0x2d) this.pos++
      if (!isDigit(s.charCodeAt(this.pos))) this.fail('invalid number')
      while (isDigit(s.charCodeAt(this.pos))) this.pos++
    }
    if (this.pos - start > this.maxNumberLength) {
      this.pos = start
      this.fail('number literal too long')
    }
    return new JsonNumber(s.slice(start, this.pos))
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/**
 * Serializes a value to JSON text. `JsonNumber`s are written verbatim (so an
 * amount built as `new JsonNumber('100.50')` goes out exactly as documented);
 * JS numbers must be safe integers, never floats. Throws on anything else:
 * callers build these values themselves, so a throw is a programming error.
 */
export function stringifyJson(value: unknown): string {
  return write(value, 0)
}

function write(v: unknown, depth: number): string {
  if (depth > 64) throw new RangeError('stringifyJson: nesting too deep')
  if (v === null) return 'null'
  if (v instanceof JsonNumber) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v.raw)) {
      throw new TypeError('stringifyJson: invalid JsonNumber')
    }
    return v.raw
  }
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'number':
      if (!Number.isSafeInteger(v)) throw new TypeError('stringifyJson: only safe integers may be JS numbers')
      return String(v)
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x) => write(x, depth + 1)).join(',')}]`
      const parts: string[] = []
      for (const k of Object.keys(v as object)) {
        const x = (v as Record<string, unknown>)[k]
        if (x === undefined) continue
        parts.push(`${JSON.stringify(k)}:${write(x, depth + 1)}`)
      }
      return `{${parts.join(',')}}`
    }
    default:
      throw new TypeError(`stringifyJson: unsupported ${typeof v}`)
  }
}
