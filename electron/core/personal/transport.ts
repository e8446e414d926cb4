/**
 * A small fetch-like HTTP transport over node:http / node:https, injected into
 * the client so tests can swap it and so every request gets the same guards:
 * - https always verifies the server (rejectUnauthorized stays true, TLS ≥ 1.2;
 *   an extra CA can be supplied, never a way to switch verification off);
 * - plain http is allowed only for loopback hosts (the embedded sandbox, tests);
 * - connect deadline and total deadline; the response body is capped (checked
 *   against Content-Length first, then while streaming);
 * - redirects are never followed (Node does not), a truncated body is an error;
 * - every failure says whether the request may have reached the server
 *   (`requestSent`), which decides "unknown outcome" for payments.
 */
import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import type { Socket } from 'node:net'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'

export interface HttpRequest {
  method: HttpMethod
  url: string
  headers: Record<string, string>
  body?: string | undefined
  /** Deadline for the whole exchange (connect + send + full response). */
  timeoutMs: number
  maxResponseBytes: number
  /** Use a new connection instead of a pooled one: for requests that must not be retried (payments). */
  freshConnection?: boolean | undefined
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>
  /** Releases pooled sockets. */
  close?(): void
}

export type TransportErrorKind =
  'network' | 'timeout' | 'response-too-large' | 'tls' | 'insecure-url' | 'truncated'

export class TransportError extends Error {
  readonly kind: TransportErrorKind
  /** True once a connection was established: the server may have received and processed the request. */
  readonly requestSent: boolean
  readonly code: string | undefined
  constructor(kind: TransportErrorKind, message: string, requestSent: boolean, code?: string) {
    super(message)
    this.name = 'TransportError'
    this.kind = kind
    this.requestSent = requestSent
    this.code = code
  }
}

/** 127.0.0.0/8, ::1, localhost (and *.localhost). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1'
  return false
}

/** Throws TransportError('insecure-url') unless the URL is https, or http to a loopback host. */
export function assertAllowedUrl(url: string): URL {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new TransportError('insecure-url', 'invalid URL', false)
  }
  if (u.username || u.password) {
    throw new TransportError('insecure-url', 'credentials in URL are not allowed', false)
  }
  if (u.protocol === 'https:') return u
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return u
  throw new TransportError(
    'insecure-url',
    `refusing ${u.protocol}//${u.hostname}: plain http only for loopback hosts`,
    false
  )
}

export interface NodeTransportOptions {
  /** Extra trusted CA(s) for https (replaces the default bundle, as Node does). */
  ca?: string | Buffer | (string | Buffer)[] | undefined
  /** Deadline for establishing the connection (and TLS handshake). Default 10 s. */
  connectTimeoutMs?: number | undefined
  /** Pool connections for ordinary requests. Default true. */
  keepAlive?: boolean | undefined
}

const TLS_CODE_RE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL)/

export function createNodeTransport(opts: NodeTransportOptions = {}): HttpTransport {
  const keepAlive = opts.keepAlive ?? true
  const httpAgent = new http.Agent({ keepAlive, maxSockets: 8 })
  const httpsAgent = new https.Agent({
    keepAlive,
    maxSockets: 8,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(opts.ca !== undefined ? { ca: opts.ca } : {})
  })
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000

  function request(req: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let u: URL
      try {
        u = assertAllowedUrl(req.url)
      } catch (e) {
        reject(e instanceof Error ? e : new TransportError('insecure-url', String(e), false))
        return
      }
      const isHttps = u.protocol === 'https:'
      const headers: Record<string, string> = { ...req.headers }
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8')
      if (body) headers['Content-Length'] = String(body.length)

      let settled = false
      let connected = false
      let connectTimer: NodeJS.Timeout | undefined
      const totalTimer = setTimeout(() => {
        fail(
          new TransportError(
            'timeout',
            `no complete response within ${req.timeoutMs} ms`,
            connected,
            'ETIMEDOUT'
          )
        )
      }, req.timeoutMs)

      const options: https.RequestOptions = {
        method: req.method,
        headers,
        protocol: u.protocol,
        hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
        port: u.port === '' ? undefined : Number(u.port),
        path: `${u.pathname}${u.search}`
      }
      if (isHttps) {
        options.agent = req.freshConnection ? false : httpsAgent
        options.rejectUnauthorized = true
        options.minVersion = 'TLSv1.2'
        if (opts.ca !== undefined) options.ca = opts.ca
      } else {
        options.agent = req.freshConnection ? false : httpAgent
      }

      let cr: http.ClientRequest
      try {
        // https.request can throw synchronously (e.g. bad TLS material): keep it inside the promise.
        cr = (isHttps ? https : http).request(options)
      } catch (e) {
        clearTimeout(totalTimer)
        reject(new TransportError('tls', `cannot create request: ${(e as Error).message}`, false))
        return
      }

      function cleanup(): void {
        clearTimeout(totalTimer)
        if (connectTimer) clearTimeout(connectTimer)
      }
      function fail(e: TransportError): void {
        if (settled) return
        settled = true
        cleanup()
        cr.destroy()
        reject(e)
      }
      function classify(e: NodeJS.ErrnoException): TransportError {
        const code = e.code ?? ''
        if (TLS_CODE_RE.test(code) || /certificate|ssl|tls/i.test(e.message)) {
          return new TransportError('tls', e.message, false, code)
        }
        return new TransportError('network', e.message, connected, code || undefined)
      }

      cr.on('socket', (socket: Socket) => {
        const markConnected = (): void => {
          connected = true
          if (connectTimer) clearTimeout(connectTimer)
        }
        const pending = (socket as Socket & { connecting?: boolean }).connecting
        if (!pending) {
          // A pooled socket that is already open.
          markConnected()
          return
        }
        connectTimer = setTimeout(() => {
          fail(
            new TransportError(
              'timeout',
              `connect timeout after ${connectTimeoutMs} ms`,
              false,
              'ECONNECTTIMEOUT'
            )
          )
        }, connectTimeoutMs)
        socket.once(isHttps ? 'secureConnect' : 'connect', markConnected)
      })
      cr.on('error', (e) => fail(classify(e)))
      cr.on('response', (res) => {
        const declared = Number(res.headers['content-length'] ?? NaN)
        if (Number.isFinite(declared) && declared > req.maxResponseBytes) {
          res.destroy()
          fail(
            new TransportError(
              'response-too-large',
              `declared ${declared} bytes > ${req.maxResponseBytes}`,
              true
            )
          )
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > req.maxResponseBytes) {
            res.destroy()
            fail(new TransportError('response-too-large', `body exceeds ${req.maxResponseBytes} bytes`, true))
            return
          }
          chunks.push(c)
        })
        res.on('error', (e) => fail(new TransportError('truncated', `response aborted: ${e.message}`, true)))
        res.on('close', () => {
          if (settled) return
          if (!res.complete) {
            fail(new TransportError('truncated', 'connection closed before the response was complete', true))
            return
          }
          settled = true
          cleanup()
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) })
        })
      })
      if (body) cr.end(body)
      else cr.end()
    })
  }

  return {
    request,
    close(): void {
      httpAgent.destroy()
      httpsAgent.destroy()
    }
  }
}
