/** Raw HTTP(S) helpers for the sandbox integration tests: they expose socket-level outcomes. */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { VECTORS_DIR } from '../../support/paths'

export type RawResult =
  | {
      kind: 'response'
      status: number
      headers: IncomingHttpHeaders
      body: Buffer
      complete: boolean
      ms: number
    }
  | { kind: 'error'; code: string; message: string; ms: number; status?: number; partial?: Buffer }

export interface PostOptions {
  headers?: Record<string, string>
  /** Total deadline of the exchange; ETIMEDOUT when it passes. */
  timeoutMs?: number
  tls?: { ca: string | Buffer; cert?: string; key?: string; pfx?: Buffer; passphrase?: string }
  method?: string
}

export function vector(name: string): Buffer {
  return readFileSync(join(VECTORS_DIR, 'topup', name))
}

export function derived(name: string): Buffer {
  return readFileSync(join(VECTORS_DIR, 'derived', 'xml-signature', name))
}

/** POST with a fresh connection; resolves with the response or the socket-level error. */
export function post(
  origin: string,
  path: string,
  body: Buffer | string,
  opts: PostOptions = {}
): Promise<RawResult> {
  const started = performance.now()
  const url = new URL(path, origin)
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  return new Promise((resolve) => {
    let settled = false
    let status: number | undefined
    const chunks: Buffer[] = []
    let deadline: NodeJS.Timeout | undefined
    const done = (r: RawResult): void => {
      if (settled) return
      settled = true
      if (deadline) clearTimeout(deadline)
      resolve(r)
    }
    const fail = (e: NodeJS.ErrnoException): void =>
      done({
        kind: 'error',
        code: e.code ?? e.name,
        message: e.message,
        ms: performance.now() - started,
        ...(status !== undefined ? { status, partial: Buffer.concat(chunks) } : {})
      })
    const common = {
      method: opts.method ?? 'POST',
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      agent: false as const,
      headers: {
        'Content-Type': 'application/xml',
        'Content-Length': String(buf.length),
        ...(opts.headers ?? {})
      }
    }
    const onRes = (res: IncomingMessage): void => {
      status = res.statusCode
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        done({
          kind: 'response',
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete: res.complete,
          ms: performance.now() - started
        })
      )
      res.on('error', fail)
      res.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })))
    }
    const req =
      url.protocol === 'https:'
        ? httpsRequest({ ...common, ...(opts.tls ?? {}), rejectUnauthorized: true }, onRes)
        : httpRequest(common, onRes)
    req.on('error', fail)
    if (opts.timeoutMs !== undefined) {
      // A total deadline (not an idle timeout): a trickling server must not keep it alive.
      deadline = setTimeout(() => {
        const e = Object.assign(new Error('client deadline'), { code: 'ETIMEDOUT' })
        fail(e)
        req.destroy(e)
      }, opts.timeoutMs)
    }
    req.end(buf)
  })
}

export function okBody(r: RawResult): string {
  if (r.kind !== 'response') throw new Error(`expected a response, got ${r.code}: ${r.message}`)
  if (r.status !== 200) throw new Error(`expected HTTP 200, got ${r.status}`)
  return r.body.toString('utf8')
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => name === 'payment' || name === 'balance' || name === 'extra'
})

export type Doc = Record<string, unknown>

/** Validates then parses a reply; throws when it is not well-formed. */
export function parseReply(xml: string): Doc {
  const v = XMLValidator.validate(xml)
  if (v !== true) throw new Error(`reply is not well-formed XML: ${v.err.msg}`)
  return parser.parse(xml) as Doc
}

/** Every element/attribute path of a document, e.g. `response/payment/@status`. */
export function shape(doc: unknown, prefix = ''): Set<string> {
  const out = new Set<string>()
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, path)
      return
    }
    if (typeof node !== 'object' || node === null) return
    for (const [k, v] of Object.entries(node)) {
      if (k === '#text') continue
      const p = path ? `${path}/${k.startsWith('@_') ? `@${k.slice(2)}` : k}` : k
      out.add(p)
      walk(v, p)
    }
  }
  walk(doc, prefix)
  return out
}

export function get(doc: unknown, ...path: Array<string | number>): unknown {
  let cur: unknown = doc
  for (const k of path) {
    if (cur === null || cur === undefined) return undefined
    if (typeof k === 'number') cur = Array.isArray(cur) ? cur[k] : k === 0 ? cur : undefined
    else cur = typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined
  }
  return cur
}

export function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node
  if (
    typeof node === 'object' &&
    node !== null &&
    typeof (node as Record<string, unknown>)['#text'] === 'string'
  ) {
    return (node as Record<string, string>)['#text']
  }
  return undefined
}

export const TXN_DATE_RE = /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/
