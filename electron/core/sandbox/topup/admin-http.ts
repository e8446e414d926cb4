/**
 * HTTP face of the admin API under /__admin/ on the sandbox's plain Top-Up
 * origin. Loopback peers only; optionally a bearer token. JSON in, JSON out;
 * errors as `{ "error": { "code", "message" } }` with 400/401/403/404/409.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { TopupAdmin } from './emulator'
import { LedgerError } from './ledger'

const MAX_ADMIN_BODY = 1024 * 1024

interface AdminHttpOptions {
  token?: string | undefined
}

function isLoopbackAddr(addr: string | undefined): boolean {
  if (!addr) return false
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`
  const buf = Buffer.from(text, 'utf8')
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': buf.length,
    'Cache-Control': 'no-store'
  })
  res.end(buf)
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_ADMIN_BODY) {
        reject(new HttpError(413, 'too-large', 'body too large'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim()
      if (text === '') return resolve({})
      try {
        resolve(JSON.parse(text) as unknown)
      } catch {
        reject(new HttpError(400, 'json-invalid', 'body is not valid JSON'))
      }
    })
    req.on('error', reject)
  })
}

const Ms = z.object({ ms: z.number().int().min(0) }).strict()
const HoldBody = z.object({ status: z.number().int().min(0).max(59).optional() }).strict()
const ReleaseBody = z.object({ inMs: z.number().int().min(0).optional() }).strict()
const BalanceBody = z.object({ ccy: z.string().min(3).max(3), amount: z.string() }).strict()
const CertBody = z.object({ passphrase: z.string().min(1).max(256).optional() }).strict()
const Providers = z.record(z.string(), z.string())
const AnyArray = z.array(z.unknown())

type Route = (
  m: RegExpExecArray,
  body: () => Promise<unknown>,
  url: URL
) => Promise<[number, unknown]> | [number, unknown]

function seg(m: RegExpExecArray, i: number): string {
  return decodeURIComponent(m[i] ?? '')
}

function routes(admin: TopupAdmin): Array<[string, RegExp, Route]> {
  const pay = '/__admin/payments/([^/]+)/([^/]+)'
  return [
    ['GET', /^\/__admin\/health$/, () => [200, { ok: true, now: new Date(admin.now()).toISOString() }]],
    ['GET', /^\/__admin\/state$/, () => [200, admin.ledger()]],
    [
      'GET',
      /^\/__admin\/payments$/,
      (_m, _b, url) => {
        const terminalId = url.searchParams.get('terminalId') ?? undefined
        const f = url.searchParams.get('final')
        const filter: { terminalId?: string; final?: boolean } = {}
        if (terminalId !== undefined) filter.terminalId = terminalId
        if (f === 'true' || f === 'false') filter.final = f === 'true'
        return [200, admin.listPayments(filter)]
      }
    ],
    [
      'GET',
      new RegExp(`^${pay}$`),
      (m) => {
        const p = admin.getPayment(seg(m, 1), seg(m, 2))
        if (!p) throw new HttpError(404, 'not-found', 'payment not found')
        return [200, p]
      }
    ],
    [
      'POST',
      new RegExp(`^${pay}/finalize$`),
      async (m, b) => [200, admin.finalizePayment(seg(m, 1), seg(m, 2), (await b()) as never)]
    ],
    [
      'POST',
      new RegExp(`^${pay}/hold$`),
      async (m, b) => [200, admin.holdPayment(seg(m, 1), seg(m, 2), HoldBody.parse(await b()).status)]
    ],
    [
      'POST',
      new RegExp(`^${pay}/release$`),
      async (m, b) => [200, admin.releasePayment(seg(m, 1), seg(m, 2), ReleaseBody.parse(await b()).inMs)]
    ],
    [
      'GET',
      /^\/__admin\/terminals\/([^/]+)$/,
      (m) => {
        const t = admin.getTerminal(seg(m, 1))
        if (!t) throw new HttpError(404, 'not-found', 'terminal not found')
        return [200, t]
      }
    ],
    [
      'PUT',
      /^\/__admin\/terminals\/([^/]+)$/,
      async (m, b) => {
        const body = await b()
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new HttpError(400, 'invalid-input', 'object expected')
        }
        return [200, admin.upsertTerminal({ ...(body as Record<string, never>), id: seg(m, 1) })]
      }
    ],
    [
      'DELETE',
      /^\/__admin\/terminals\/([^/]+)$/,
      (m) => [admin.removeTerminal(seg(m, 1)) ? 200 : 404, { removed: true }]
    ],
    [
      'POST',
      /^\/__admin\/terminals\/([^/]+)\/balances$/,
      async (m, b) => {
        const v = BalanceBody.parse(await b())
        return [200, admin.setBalance(seg(m, 1), v.ccy, v.amount)]
      }
    ],
    [
      'POST',
      /^\/__admin\/terminals\/([^/]+)\/client-cert$/,
      async (m, b) => {
        const issued = admin.issueClientCert(seg(m, 1), CertBody.parse(await b()).passphrase)
        return [200, { ...issued, pfx: issued.pfx.toString('base64') }]
      }
    ],
    [
      'GET',
      /^\/__admin\/wallets\/([^/]+)$/,
      (m) => {
        const w = admin.getWallet(seg(m, 1))
        if (!w) throw new HttpError(404, 'not-found', 'wallet not found')
        return [200, w]
      }
    ],
    [
      'PUT',
      /^\/__admin\/wallets\/([^/]+)$/,
      async (m, b) => {
        const body = await b()
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new HttpError(400, 'invalid-input', 'object expected')
        }
        return [200, admin.upsertWallet({ ...(body as Record<string, never>), phone: seg(m, 1) })]
      }
    ],
    [
      'DELETE',
      /^\/__admin\/wallets\/([^/]+)$/,
      (m) => [admin.removeWallet(seg(m, 1)) ? 200 : 404, { removed: true }]
    ],
    [
      'PUT',
      /^\/__admin\/limits$/,
      async (_m, b) => {
        admin.setLimits((await b()) as never)
        return [200, { ok: true }]
      }
    ],
    ['GET', /^\/__admin\/rules$/, () => [200, admin.rules()]],
    ['PUT', /^\/__admin\/rules$/, async (_m, b) => [200, admin.setRules(AnyArray.parse(await b()) as never)]],
    ['POST', /^\/__admin\/rules$/, async (_m, b) => [200, admin.addRule((await b()) as never)]],
    [
      'PUT',
      /^\/__admin\/processing$/,
      async (_m, b) => {
        admin.setProcessingMs(Ms.parse(await b()).ms)
        return [200, { ok: true }]
      }
    ],
    [
      'PUT',
      /^\/__admin\/providers$/,
      async (_m, b) => {
        admin.setProviders(Providers.parse(await b()))
        return [200, { ok: true }]
      }
    ],
    ['PUT', /^\/__admin\/style$/, async (_m, b) => [200, admin.setResponseStyle((await b()) as never)]],
    ['GET', /^\/__admin\/faults$/, () => [200, admin.faults()]],
    [
      'POST',
      /^\/__admin\/faults$/,
      async (_m, b) => [200, admin.enqueueFaults(AnyArray.parse(await b()) as never)]
    ],
    [
      'PUT',
      /^\/__admin\/faults\/random$/,
      async (_m, b) => [200, admin.setRandomFaults(AnyArray.parse(await b()) as never)]
    ],
    [
      'DELETE',
      /^\/__admin\/faults$/,
      () => {
        admin.clearFaults()
        return [200, { ok: true }]
      }
    ],
    ['GET', /^\/__admin\/clock$/, () => [200, { now: new Date(admin.now()).toISOString(), ms: admin.now() }]],
    [
      'POST',
      /^\/__admin\/clock\/advance$/,
      async (_m, b) => {
        const ms = admin.advanceClock(Ms.parse(await b()).ms)
        return [200, { now: new Date(ms).toISOString(), ms }]
      }
    ],
    [
      'POST',
      /^\/__admin\/settle$/,
      () => {
        admin.settle()
        return [200, { ok: true }]
      }
    ],
    [
      'GET',
      /^\/__admin\/requests$/,
      (_m, _b, url) => {
        const since = Number(url.searchParams.get('since') ?? '0')
        return [200, admin.requests(Number.isFinite(since) ? since : 0)]
      }
    ],
    [
      'POST',
      /^\/__admin\/reset$/,
      () => {
        admin.reset()
        return [200, { ok: true }]
      }
    ]
  ]
}

/** Serves one admin request. Never throws. */
export function handleAdminRequest(
  req: IncomingMessage,
  res: ServerResponse,
  admin: TopupAdmin,
  opts: AdminHttpOptions
): void {
  if (!isLoopbackAddr(req.socket.remoteAddress)) {
    send(res, 403, {
      error: { code: 'forbidden', message: 'the admin API is served to loopback clients only' }
    })
    req.resume()
    return
  }
  if (opts.token !== undefined) {
    const auth = req.headers.authorization ?? ''
    if (auth !== `Bearer ${opts.token}`) {
      send(res, 401, {
        error: { code: 'unauthorized', message: 'admin token required (Authorization: Bearer …)' }
      })
      req.resume()
      return
    }
  }
  const url = new URL(req.url ?? '/', 'http://sandbox.local')
  const method = req.method ?? 'GET'
  const table = routes(admin)
  let pathMatched = false
  for (const [m, re, fn] of table) {
    const match = re.exec(url.pathname)
    if (!match) continue
    pathMatched = true
    if (m !== method) continue
    Promise.resolve()
      .then(() => fn(match, () => readJson(req), url))
      .then(([status, body]) => send(res, status, body))
      .catch((e: unknown) => {
        if (e instanceof HttpError) {
          return send(res, e.status, { error: { code: e.code, message: e.message } })
        }
        if (e instanceof z.ZodError) {
          const i = e.issues[0]
          return send(res, 400, {
            error: {
              code: 'invalid-input',
              message: `${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`
            }
          })
        }
        if (e instanceof LedgerError) {
          const status = e.code === 'not-found' ? 404 : e.code === 'conflict' ? 409 : 400
          return send(res, status, { error: { code: e.code, message: e.message } })
        }
        send(res, 500, {
          error: { code: 'internal', message: e instanceof Error ? e.message : 'internal error' }
        })
      })
    return
  }
  send(res, pathMatched ? 405 : 404, {
    error: { code: pathMatched ? 'method-not-allowed' : 'not-found', message: `${method} ${url.pathname}` }
  })
  req.resume()
}
