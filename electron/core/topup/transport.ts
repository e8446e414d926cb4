/**
 * HTTP(S) transport of the Top-Up client (spec §2, RELIABILITY §4, N1–N5, T1–T2).
 *
 * node:https / node:http rather than fetch so that sockets, deadlines and TLS
 * options are under our control:
 * - the server certificate is always verified (`rejectUnauthorized` is never
 *   turned off); `ca` replaces the default roots; SPKI pins are checked after
 *   `tls.checkServerIdentity`; TLS ≥ 1.2;
 * - the body is written only after the connection (and for HTTPS the verified
 *   handshake) is up, so a refused certificate means not one body byte left;
 * - connect deadline + total deadline (slow trickle bodies included), body cap,
 *   no redirects (3xx is returned as a status, never followed);
 * - `http:` only to loopback hosts, refused before any connection otherwise;
 * - synchronous throws of `https.request` (bad PFX, wrong passphrase) become data.
 */
import { createHash } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import type { Socket } from 'node:net'
import tls from 'node:tls'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import { DEFAULT_MAX_RESPONSE_BYTES } from './safe-xml'
import type { ClientCertificate, TopupEndpointConfig, TransportError, TransportErrorKind } from './types'

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
export const DEFAULT_TOTAL_TIMEOUT_MS = 60_000

export interface TransportRequest {
  endpoint: TopupEndpointConfig
  /** `/xml/topup.jsp` or `/xml/xmlcp.jsp`. */
  path: string
  /** Exact bytes to send (already signed when signing). */
  body: Buffer
  /** Extra headers (signature). Content-Type/Length are set here. */
  headers?: Record<string, string> | undefined
  /** Mutual TLS material (mode 3). */
  clientCert?: ClientCertificate | undefined
}

export type TransportResult =
  | { ok: true; status: number; body: Buffer; url: string }
  | { ok: false; error: TransportError; url: string; status?: number | undefined; body?: Buffer | undefined }

/** Pin mismatch error code (set on the Error returned from checkServerIdentity). */
export const PIN_MISMATCH_CODE = 'ERR_TOPUP_SPKI_PIN_MISMATCH'

/** base64(SHA-256(SubjectPublicKeyInfo DER)), the pin format. */
export function spkiDerSha256Base64(spkiDer: Buffer): string {
  return createHash('sha256').update(spkiDer).digest('base64')
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
  if (h.toLowerCase() === 'localhost') return true
  if (isIP(h) === 4) return /^127\./.test(h)
  if (isIP(h) === 6) return h === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(h)
  return false
}

export type ParsedOrigin =
  | { ok: true; protocol: 'https:' | 'http:'; hostname: string; port: number; origin: string }
  | { ok: false; error: TransportError }

/** Validates an endpoint origin: scheme, host, port only; `http:` for loopback only. */
export function parseOrigin(origin: string): ParsedOrigin {
  const bad = (kind: TransportErrorKind, message: string): ParsedOrigin => ({
    ok: false,
    error: { kind, message, beforeSend: true }
  })
  let u: URL
  try {
    u = new URL(origin)
  } catch {
    return bad('bad-endpoint', 'The endpoint is not a valid URL')
  }
  if (u.username || u.password) return bad('bad-endpoint', 'The endpoint must not contain credentials')
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    return bad('bad-endpoint', 'The endpoint must be an origin (scheme://host[:port]) without a path')
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    return bad('bad-endpoint', 'The endpoint must use https')
  }
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    return bad('refused-insecure', 'Plain http is allowed only for loopback hosts')
  }
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname
  return { ok: true, protocol: u.protocol, hostname, port, origin: u.origin }
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO'
])

function errCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code
    return typeof c === 'string' ? c : undefined
  }
  return undefined
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : 'unknown error'
}

const CREDENTIAL_HINT =
  /pkcs12|pfx|mac verify|bad decrypt|passphrase|private key|PEM|asn1|decoder|key values mismatch|unsupported/i

function classifyError(e: unknown, beforeSend: boolean): TransportError {
  const code = errCode(e)
  const message = errMessage(e)
  let kind: TransportErrorKind = 'network'
  if (code === PIN_MISMATCH_CODE) kind = 'pin-mismatch'
  else if (
    code !== undefined &&
    (TLS_VERIFY_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))
  ) {
    kind = 'tls'
  } else if (code !== undefined && code.startsWith('ERR_OSSL_')) {
    kind = CREDENTIAL_HINT.test(message) ? 'credential' : 'tls'
  }
  return { kind, code, message, beforeSend }
}

/** Which configured material made `https.request` throw: the CA (config) or the client credential. */
function attributeSyncError(req: TransportRequest): TransportErrorKind {
  if (req.endpoint.ca !== undefined) {
    try {
      tls.createSecureContext({ ca: req.endpoint.ca })
    } catch {
      return 'bad-endpoint'
    }
  }
  return req.clientCert ? 'credential' : 'bad-endpoint'
}

function tlsOptions(
  endpoint: TopupEndpointConfig,
  hostname: string,
  clientCert: ClientCertificate | undefined
): https.RequestOptions {
  const o: https.RequestOptions = {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true
  }
  if (isIP(hostname) === 0) o.servername = hostname
  if (endpoint.ca !== undefined) o.ca = endpoint.ca
  const pins = endpoint.spkiPins ?? []
  if (pins.length > 0) {
    const allowed = new Set(pins)
    o.checkServerIdentity = (host: string, cert: PeerCertificate): Error | undefined => {
      const idErr = tls.checkServerIdentity(host, cert)
      if (idErr) return idErr
      const pin = cert.pubkey ? spkiDerSha256Base64(cert.pubkey) : undefined
      if (pin === undefined || !allowed.has(pin)) {
        const e = new Error('Server public key does not match any configured SPKI pin')
        Object.assign(e, { code: PIN_MISMATCH_CODE })
        return e
      }
      return undefined
    }
  }
  if (clientCert) {
    if (clientCert.kind === 'pfx') {
      o.pfx = clientCert.pfx
      if (clientCert.passphrase !== undefined) o.passphrase = clientCert.passphrase
    } else {
      o.key = clientCert.key
      o.cert = clientCert.cert
      if (clientCert.passphrase !== undefined) o.passphrase = clientCert.passphrase
    }
  }
  return o
}

/**
 * Sends one POST and collects the reply. Resolves, never rejects. Every timer
 * and socket is released before the promise settles.
 */
export function sendXml(req: TransportRequest): Promise<TransportResult> {
  const started = parseOrigin(req.endpoint.origin)
  if (!started.ok) {
    return Promise.resolve({ ok: false, error: started.error, url: req.endpoint.origin + req.path })
  }
  const { protocol, hostname, port, origin } = started
  const url = origin + req.path
  const connectMs = req.endpoint.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const totalMs = req.endpoint.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS
  const cap = req.endpoint.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES

  return new Promise<TransportResult>((resolve) => {
    let settled = false
    let bodyWritten = false
    let connectTimer: NodeJS.Timeout | undefined
    let totalTimer: NodeJS.Timeout | undefined
    let request: http.ClientRequest | undefined
    let status: number | undefined
    const chunks: Buffer[] = []
    let received = 0

    const cleanup = (): void => {
      if (connectTimer) clearTimeout(connectTimer)
      if (totalTimer) clearTimeout(totalTimer)
      connectTimer = undefined
      totalTimer = undefined
    }
    const finish = (r: TransportResult): void => {
      if (settled) return
      settled = true
      cleanup()
      if (request && !request.destroyed) request.destroy()
      resolve(r)
    }
    const failWith = (error: TransportError): void => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined
      finish({ ok: false, error, url, status, body })
    }

    const headers: Record<string, string | number> = {
      ...(req.headers ?? {}),
      'Content-Type': 'application/xml',
      'Content-Length': req.body.length,
      Connection: 'close'
    }
    const base: http.RequestOptions = {
      method: 'POST',
      host: hostname,
      port,
      path: req.path,
      headers,
      agent: false
    }

    try {
      request =
        protocol === 'https:'
          ? https.request({ ...base, ...tlsOptions(req.endpoint, hostname, req.clientCert) })
          : http.request(base)
    } catch (e) {
      // Bad PFX data or a wrong passphrase throws synchronously from https.request.
      failWith({ kind: attributeSyncError(req), code: errCode(e), message: errMessage(e), beforeSend: true })
      return
    }
    const r = request

    connectTimer = setTimeout(() => {
      failWith({
        kind: 'connect-timeout',
        message: `No connection within ${connectMs} ms`,
        beforeSend: !bodyWritten
      })
    }, connectMs)
    totalTimer = setTimeout(() => {
      failWith({
        kind: 'timeout',
        message: `No complete reply within ${totalMs} ms`,
        beforeSend: !bodyWritten
      })
    }, totalMs)

    r.on('error', (e) => {
      failWith(classifyError(e, !bodyWritten))
    })
    r.on('socket', (socket: Socket) => {
      const ready = (): void => {
        if (settled) return
        if (connectTimer) clearTimeout(connectTimer)
        connectTimer = undefined
        bodyWritten = true
        r.end(req.body)
      }
      // The body waits for a verified connection: nothing is written to a peer we refused.
      // (agent:false gives a fresh socket; the `authorized`/`connecting` checks cover a reused one.)
      if (protocol === 'https:') {
        if ((socket as TLSSocket).authorized === true) ready()
        else socket.once('secureConnect', ready)
      } else if (!socket.connecting) {
        ready()
      } else {
        socket.once('connect', ready)
      }
    })
    r.on('response', (res) => {
      status = res.statusCode
      const declared = Number(res.headers['content-length'])
      if (Number.isFinite(declared) && declared > cap) {
        failWith({
          kind: 'too-large',
          message: `Declared body of ${declared} bytes exceeds ${cap}`,
          beforeSend: false
        })
        return
      }
      res.on('data', (chunk: Buffer) => {
        if (settled) return
        received += chunk.length
        if (received > cap) {
          failWith({ kind: 'too-large', message: `Body exceeds ${cap} bytes`, beforeSend: false })
          return
        }
        chunks.push(chunk)
      })
      res.on('end', () => {
        if (!res.complete) {
          failWith({
            kind: 'incomplete',
            message: 'The reply ended before its declared end',
            beforeSend: false
          })
          return
        }
        finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks), url })
      })
      res.on('error', (e) => failWith(classifyError(e, false)))
      res.on('close', () => {
        if (!settled) {
          failWith({
            kind: 'incomplete',
            message: 'The connection closed before the reply was complete',
            beforeSend: false
          })
        }
      })
    })
    r.on('close', () => {
      if (!settled && status === undefined) {
        failWith({
          kind: 'network',
          message: 'The connection closed without a reply',
          beforeSend: !bodyWritten
        })
      }
    })
  })
}
