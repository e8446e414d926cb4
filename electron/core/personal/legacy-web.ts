/**
 * Legacy qiwi.com web session of seed 002 (spec §10.1 step 4): an ST issued
 * for the qiwi.com service opens a cookie session
 * (GET /j_spring_cas_security_check?ticket=<ST>); transfers then go to
 * POST /user/sinap/api/terms/99/payments/proxy.action with
 * `Accept: application/vnd.qiwi.v2+json`, a User-Agent and the session cookies.
 * The reply's id may carry a leading ':' as printed in the seed; it is removed.
 */
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import type { CasSession } from './auth'
import { CAS_DEFAULTS } from './auth'
import { PersonalApiError, httpError } from './errors'
import { exchange, isSuccess } from './exchange'
import type { ExchangeResult } from './exchange'
import { stringifyJson } from './json'
import { kopecksToJsonNumber } from './decimal'
import { outcomeFromReply, outcomeFromSendError } from './payment-outcome'
import type { HttpTransport } from './transport'
import type { TransferRequest, TransferResult } from './types'

export interface LegacyWebSessionOptions {
  cas: CasSession
  transport: HttpTransport
  /** Default https://qiwi.com. */
  webBaseUrl?: string | undefined
  /** The service the web ST is issued for. Default https://qiwi.com/j_spring_cas_security_check. */
  webService?: string | undefined
  userAgent?: string | undefined
  timeoutMs?: number | undefined
  maxResponseBytes?: number | undefined
  logger?: Logger | undefined
}

export class LegacyWebSession {
  private readonly cas: CasSession
  private readonly transport: HttpTransport
  private readonly base: string
  private readonly service: string
  private readonly userAgent: string
  private readonly timeoutMs: number
  private readonly maxBytes: number
  private readonly log: Logger
  private cookies = new Map<string, string>()

  constructor(opts: LegacyWebSessionOptions) {
    this.cas = opts.cas
    this.transport = opts.transport
    this.base = (opts.webBaseUrl ?? 'https://qiwi.com').replace(/\/+$/, '')
    this.service = opts.webService ?? CAS_DEFAULTS.webService
    this.userAgent = opts.userAgent ?? 'qiwi-desk'
    this.timeoutMs = opts.timeoutMs ?? 30_000
    this.maxBytes = opts.maxResponseBytes ?? 256 * 1024
    this.log = opts.logger ?? nullLogger
  }

  get isOpen(): boolean {
    return this.cookies.size > 0
  }

  /** Starts the cookie session with a fresh ST for the web service. */
  async open(): Promise<void> {
    const st = await this.cas.serviceTicket(this.service)
    const r = await exchange(this.transport, {
      method: 'GET',
      url: `${this.base}/j_spring_cas_security_check?ticket=${encodeURIComponent(st)}`,
      headers: { 'User-Agent': this.userAgent },
      timeoutMs: this.timeoutMs,
      maxResponseBytes: this.maxBytes
    })
    if (!isSuccess(r.status)) throw httpError(r.status, r.text)
    this.cookies = new Map()
    this.absorbCookies(r)
    if (this.cookies.size === 0) {
      throw new PersonalApiError({ kind: 'invalid-response', message: 'web session reply set no cookie' })
    }
    this.log.info('legacy web session opened')
  }

  private absorbCookies(r: ExchangeResult): void {
    const h = r.headers['set-cookie']
    const list = Array.isArray(h) ? h : h ? [h] : []
    for (const line of list) {
      const pair = line.split(';', 1)[0] ?? ''
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || /[;\r\n]/.test(value)) continue
      this.cookies.set(name, value)
    }
  }

  private cookieHeader(): string {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  /**
   * Transfer to a QIWI wallet through proxy.action. `account` may be given with
   * the international prefix; it is sent without it, as the seed requires
   * (`+79121112233` → `9121112233`). Same outcome rules as the edge client.
   */
  async transferToWallet(req: TransferRequest): Promise<TransferResult> {
    const clientId = req.clientId
    if (!/^\d{1,20}$/.test(clientId)) {
      throw new PersonalApiError({ kind: 'invalid-argument', message: 'clientId must be 1..20 digits' })
    }
    if (!Number.isSafeInteger(req.amountKopecks) || req.amountKopecks <= 0) {
      throw new PersonalApiError({
        kind: 'invalid-argument',
        message: 'amount must be a positive number of kopecks'
      })
    }
    const digits = req.account.replace(/^\+/, '')
    const local = digits.length === 11 && digits.startsWith('7') ? digits.slice(1) : digits
    if (!/^\d{10}$/.test(local)) {
      throw new PersonalApiError({
        kind: 'invalid-argument',
        message: 'recipient must be a Russian wallet number (10 digits without the prefix)'
      })
    }
    const body = stringifyJson({
      id: clientId,
      // JsonNumber carries the exact decimal text ("100.50") into the JSON body: never a JS float
      sum: { amount: kopecksToJsonNumber(req.amountKopecks), currency: '643' },
      source: 'account_643',
      paymentMethod: { type: 'Account', accountId: '643' },
      comment: req.comment ?? '',
      fields: { account: local }
    })
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.isOpen) {
        try {
          await this.open()
        } catch (e) {
          const err =
            e instanceof PersonalApiError ? e : new PersonalApiError({ kind: 'network', message: String(e) })
          return {
            status: 'rejected',
            clientId,
            error: new PersonalApiError({
              kind: err.kind,
              message: `session: ${err.message}`,
              requestSent: false,
              cause: err
            })
          }
        }
      }
      let r: ExchangeResult
      try {
        r = await exchange(this.transport, {
          method: 'POST',
          url: `${this.base}/user/sinap/api/terms/99/payments/proxy.action`,
          headers: {
            Accept: 'application/vnd.qiwi.v2+json',
            'Content-Type': 'application/json',
            'User-Agent': this.userAgent,
            Cookie: this.cookieHeader()
          },
          body,
          timeoutMs: this.timeoutMs,
          maxResponseBytes: this.maxBytes,
          freshConnection: true
        })
      } catch (e) {
        return outcomeFromSendError(clientId, e)
      }
      if ((r.status === 401 || r.status === 403) && attempt === 0) {
        // Session expired: refused before processing; open a new session and send the same id.
        this.cookies = new Map()
        continue
      }
      return outcomeFromReply(clientId, r, this.maxBytes)
    }
    return {
      status: 'rejected',
      clientId,
      error: new PersonalApiError({ kind: 'unauthorized', message: 'web session refused twice' })
    }
  }
}
