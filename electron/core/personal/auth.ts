/**
 * Authorization for edge.qiwi.com calls: an OAuth Bearer token (spec §2) or
 * the legacy CAS ticket flow of seed 002 (spec §10): login + password → TGT →
 * a fresh service ticket (ST) per request, sent as
 *   `Authorization: Token <ST>`                      (seed 002, default, P5), or
 *   `Authorization: ST <Base64("<ST>:<service>")>`   (2017 repo variant).
 * The ST's `service` decides where it is valid and is configurable.
 * Secrets live only in these objects' private fields; nothing here logs them.
 */
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import { PersonalApiError } from './errors'
import { assertSuccess, decodeBody, exchange } from './exchange'
import { stringifyJson } from './json'
import { casStResponseSchema, casTgtResponseSchema } from './schemas'
import type { HttpTransport } from './transport'

export interface AuthProvider {
  readonly kind: 'token' | 'cas'
  /** The Authorization header value for one edge request. */
  authorization(): Promise<string>
  /**
   * Called after a 401. Returns true when a new attempt may succeed (a CAS
   * session drops its TGT and logs in again); a token cannot recover.
   */
  onUnauthorized(): boolean
}

const HEADER_SAFE = /^[\x21-\x7e]+$/

/** `Authorization: Bearer <token>`; the token is checked so it cannot inject header text. */
export function bearerAuth(token: string): AuthProvider {
  const t = token.trim()
  if (t.length === 0 || t.length > 1024 || !HEADER_SAFE.test(t)) {
    throw new PersonalApiError({
      kind: 'invalid-argument',
      message: 'the API token must be 1..1024 visible ASCII characters'
    })
  }
  return {
    kind: 'token',
    authorization: () => Promise.resolve(`Bearer ${t}`),
    onUnauthorized: () => false
  }
}

export const CAS_DEFAULTS = {
  casBaseUrl: 'https://auth.qiwi.com',
  /** Service for edge.qiwi.com history/totals/balance with `Token <ST>` (seed 002). */
  edgeService: 'http://t.qiwi.com/j_spring_cas_security_check',
  /** Service for the qiwi.com web session (payments via proxy.action). */
  webService: 'https://qiwi.com/j_spring_cas_security_check',
  /** Service name of the 2017 `ST <Base64>` variant. */
  stBase64Service: 'https://qiwi.com/j_cas_security_check'
} as const

export type CasHeaderScheme = 'token' | 'st-base64'

export interface CasAuthOptions {
  /** Wallet number with country code 7, no '+'. */
  login: string
  password: string
  transport: HttpTransport
  /** Default https://auth.qiwi.com. */
  casBaseUrl?: string | undefined
  /** Header form for edge calls. Default 'token' (seed 002, decision P5). */
  headerScheme?: CasHeaderScheme | undefined
  /**
   * The `service` the per-request ST is issued for. Default: the t.qiwi.com
   * service for 'token', the j_cas_security_check service for 'st-base64'.
   */
  service?: string | undefined
  timeoutMs?: number | undefined
  maxResponseBytes?: number | undefined
  logger?: Logger | undefined
}

const CAS_ACCEPT = 'application/vnd.qiwi.sso-v1+json'

/** A CAS session: holds the TGT, hands out one ST per request. */
export class CasSession implements AuthProvider {
  readonly kind = 'cas' as const
  readonly login: string
  readonly headerScheme: CasHeaderScheme
  readonly service: string
  private readonly password: string
  private readonly transport: HttpTransport
  private readonly casBaseUrl: string
  private readonly timeoutMs: number
  private readonly maxBytes: number
  private readonly log: Logger
  private tgt: string | null = null
  private loggingIn: Promise<string> | null = null

  constructor(opts: CasAuthOptions) {
    if (!/^\d{5,15}$/.test(opts.login)) {
      throw new PersonalApiError({
        kind: 'invalid-argument',
        message: 'CAS login must be the wallet number with country code, digits only'
      })
    }
    if (opts.password.length === 0 || opts.password.length > 256) {
      throw new PersonalApiError({
        kind: 'invalid-argument',
        message: 'CAS password must be 1..256 characters'
      })
    }
    this.login = opts.login
    this.password = opts.password
    this.transport = opts.transport
    this.casBaseUrl = (opts.casBaseUrl ?? CAS_DEFAULTS.casBaseUrl).replace(/\/+$/, '')
    this.headerScheme = opts.headerScheme ?? 'token'
    this.service =
      opts.service ??
      (this.headerScheme === 'token' ? CAS_DEFAULTS.edgeService : CAS_DEFAULTS.stBase64Service)
    this.timeoutMs = opts.timeoutMs ?? 30_000
    this.maxBytes = opts.maxResponseBytes ?? 64 * 1024
    this.log = opts.logger ?? nullLogger
  }

  get loggedIn(): boolean {
    return this.tgt !== null
  }

  /** Obtains a TGT (POST /cas/tgts). Wrong credentials → PersonalApiError('cas-login-failed'). */
  async loginNow(): Promise<void> {
    await this.ensureTgt(true)
  }

  private ensureTgt(force = false): Promise<string> {
    if (this.tgt && !force) return Promise.resolve(this.tgt)
    if (this.loggingIn) return this.loggingIn
    const p = this.requestTgt().finally(() => {
      this.loggingIn = null
    })
    this.loggingIn = p
    return p
  }

  private async requestTgt(): Promise<string> {
    const r = await exchange(this.transport, {
      method: 'POST',
      url: `${this.casBaseUrl}/cas/tgts`,
      headers: { Accept: CAS_ACCEPT, 'Content-Type': 'application/json' },
      body: stringifyJson({ login: this.login, password: this.password }),
      timeoutMs: this.timeoutMs,
      maxResponseBytes: this.maxBytes,
      freshConnection: true
    })
    if (r.status === 400 || r.status === 401 || r.status === 403 || r.status === 404) {
      this.log.warn({ status: r.status }, 'CAS login refused')
      throw new PersonalApiError({
        kind: 'cas-login-failed',
        httpStatus: r.status,
        message: `CAS login refused (HTTP ${r.status})`
      })
    }
    assertSuccess(r)
    const body = decodeBody(casTgtResponseSchema, r, this.maxBytes)
    if (!body.entity.ticket.startsWith('TGT-')) {
      throw new PersonalApiError({ kind: 'cas-login-failed', message: 'CAS reply carries no TGT' })
    }
    this.tgt = body.entity.ticket
    this.log.info('CAS session started')
    return this.tgt
  }

  /**
   * A fresh ST for `service` (POST /cas/sts). If the TGT was refused (expired:
   * max 8 h, 2 h idle per the 2017 page), logs in once more and retries.
   */
  async serviceTicket(service: string = this.service): Promise<string> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const tgt = await this.ensureTgt(attempt > 0)
      const r = await exchange(this.transport, {
        method: 'POST',
        url: `${this.casBaseUrl}/cas/sts`,
        headers: { Accept: CAS_ACCEPT, 'Content-Type': 'application/json' },
        body: stringifyJson({ service, ticket: tgt }),
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxBytes
      })
      if (r.status >= 400 && r.status < 500 && attempt === 0) {
        this.tgt = null
        continue
      }
      assertSuccess(r)
      const body = decodeBody(casStResponseSchema, r, this.maxBytes)
      if (!body.entity.ticket.startsWith('ST-')) {
        throw new PersonalApiError({ kind: 'invalid-response', message: 'CAS reply carries no ST' })
      }
      return body.entity.ticket
    }
    throw new PersonalApiError({
      kind: 'cas-login-failed',
      message: 'CAS refused a service ticket after a new login'
    })
  }

  async authorization(): Promise<string> {
    const st = await this.serviceTicket(this.service)
    return casAuthorizationHeader(st, this.service, this.headerScheme)
  }

  onUnauthorized(): boolean {
    // An edge 401 with a fresh ST means the ticket/service pair was refused; a new TGT may help once.
    this.tgt = null
    return true
  }

  /** Ends the session: DELETE /cas/tgts with {service, ticket}. */
  async logout(): Promise<void> {
    const tgt = this.tgt
    this.tgt = null
    if (!tgt) return
    const r = await exchange(this.transport, {
      method: 'DELETE',
      url: `${this.casBaseUrl}/cas/tgts`,
      headers: { Accept: CAS_ACCEPT, 'Content-Type': 'application/json' },
      body: stringifyJson({ service: CAS_DEFAULTS.webService, ticket: tgt }),
      timeoutMs: this.timeoutMs,
      maxResponseBytes: this.maxBytes
    })
    if (r.status !== 404) assertSuccess(r)
  }
}

/** Both documented header forms (spec §10.1 step 5 and §10.3). */
export function casAuthorizationHeader(st: string, service: string, scheme: CasHeaderScheme): string {
  if (scheme === 'token') return `Token ${st}`
  return `ST ${Buffer.from(`${st}:${service}`, 'utf8').toString('base64')}`
}

export function createCasSession(opts: CasAuthOptions): CasSession {
  return new CasSession(opts)
}
