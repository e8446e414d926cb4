/**
 * Loopback web host: serves the built renderer and binds the same typed contract as
 * the preload, for machines without a display (and for the e2e tests in Chromium).
 *
 * - Listens on 127.0.0.1 only.
 * - Every API call needs `Authorization: Bearer <token>`; the token is random per start
 *   and handed to the page in the URL fragment (never sent to the server in a URL).
 * - Origin: a request that carries an Origin must carry exactly this host's origin;
 *   the Host header must name this listener (DNS-rebinding defence). No CORS headers,
 *   ever: OPTIONS is refused, so no other origin can call in.
 * - Calls: POST /api/call/<domain:verb> with a JSON body (≤ 1 MiB).
 * - Events: GET /api/events → text/event-stream, read by the page with fetch (so the
 *   token travels in a header, not a query string).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import type { Language } from '../../shared/contract'
import { err } from '../../shared/result'
import type { Dispatch } from '../core/ipc/dispatcher'
import type { Logger } from '../core/log/logger'
import { securityHeaders } from '../core/security/policy'
import { readStatic } from './static-files'

export const MAX_BODY_BYTES = 1024 * 1024

export interface WebHostOptions {
  dispatch: Dispatch
  /** Subscribe to every contract event; returns the unsubscribe function. */
  onEvent: (listener: (event: string, payload: unknown) => void) => () => void
  language: () => Language
  staticDir: string
  port?: number
  token?: string
  logger: Logger
}

export interface WebHost {
  origin: string
  /** The URL to open: origin + fragment with the token. */
  url: string
  token: string
  server: Server
  close(): Promise<void>
}

function tokenMatches(expected: Buffer, header: string | undefined): boolean {
  if (!header || !header.startsWith('Bearer ')) return false
  const got = Buffer.from(header.slice('Bearer '.length), 'utf8')
  return got.length === expected.length && timingSafeEqual(got, expected)
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...securityHeaders({ connectSelf: true })
  })
  res.end(text)
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const b = chunk as Buffer
    size += b.length
    if (size > MAX_BODY_BYTES) return null
    chunks.push(b)
  }
  return Buffer.concat(chunks)
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(32).toString('base64url')
  const expected = Buffer.from(token, 'utf8')
  const sseClients = new Set<ServerResponse>()
  let origin = ''
  let hostHeaders: string[] = []
  let allowedOrigins: string[] = []

  const unsubscribe = opts.onEvent((event, payload) => {
    const frame = `event: message\ndata: ${JSON.stringify({ event, payload })}\n\n`
    for (const res of sseClients) res.write(frame)
  })

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      opts.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'web host request failed')
      if (!res.headersSent) sendJson(res, 500, err('internal', 'Internal error'))
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? ''
    if (!hostHeaders.includes(host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('misdirected request')
      return
    }
    const url = new URL(req.url ?? '/', origin)
    const path = url.pathname

    if (path.startsWith('/api/')) {
      const reqOrigin = req.headers.origin
      if (reqOrigin !== undefined && !allowedOrigins.includes(reqOrigin)) {
        sendJson(res, 403, err('forbidden', 'Foreign origin'))
        return
      }
      if (!tokenMatches(expected, req.headers.authorization)) {
        sendJson(res, 401, err('unauthorized', 'Missing or wrong token'))
        return
      }
      if (path === '/api/events' && req.method === 'GET') {
        res.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
          ...securityHeaders({ connectSelf: true })
        })
        res.write(': connected\n\n')
        sseClients.add(res)
        const ping = setInterval(() => res.write(': ping\n\n'), 15_000)
        req.on('close', () => {
          clearInterval(ping)
          sseClients.delete(res)
        })
        return
      }
      if (path.startsWith('/api/call/') && req.method === 'POST') {
        const ct = req.headers['content-type'] ?? ''
        if (!ct.startsWith('application/json')) {
          sendJson(res, 415, err('bad-request', 'Content-Type must be application/json'))
          return
        }
        const raw = await readBody(req)
        if (raw === null) {
          sendJson(res, 413, err('bad-request', 'Body too large'))
          return
        }
        let input: unknown
        try {
          input = raw.length === 0 ? {} : (JSON.parse(raw.toString('utf8')) as unknown)
        } catch {
          sendJson(res, 400, err('bad-request', 'Body is not JSON'))
          return
        }
        const channel = decodeURIComponent(path.slice('/api/call/'.length))
        const result = await opts.dispatch(channel, input, { host: 'web', lang: opts.language() })
        sendJson(res, 200, result)
        return
      }
      sendJson(res, 405, err('bad-request', 'Method not allowed'))
      return
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end()
      return
    }
    const file = (await readStatic(opts.staticDir, path)) ?? (path.includes('.') ? null : await readStatic(opts.staticDir, '/'))
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...securityHeaders({ connectSelf: true }) }).end('not found')
      return
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Cache-Control': 'no-cache',
      ...securityHeaders({ connectSelf: true })
    })
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${port}`
  hostHeaders = [`127.0.0.1:${port}`, `localhost:${port}`]
  allowedOrigins = hostHeaders.map((h) => `http://${h}`)

  return {
    origin,
    url: `${origin}/#token=${token}`,
    token,
    server,
    async close() {
      unsubscribe()
      for (const res of sseClients) res.end()
      sseClients.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
