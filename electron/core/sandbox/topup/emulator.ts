/**
 * The Top-Up emulator: an HTTP request handler for POST /xml/topup.jsp and
 * /xml/xmlcp.jsp with authentication (password, RSA signature over the raw
 * body, client certificate), the ledger, fault injection and a request log,
 * plus the in-process admin API. Transport (listeners) lives in sandbox.ts.
 */
import { timingSafeEqual, verify as cryptoVerify, createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { formatAmount } from '../../../../shared/money'
import { nullLogger, type Logger } from '../../log/logger'
import { systemClock, type Clock } from '../clock'
import { createRng } from '../rng'
import { FaultPlan, type FaultContext, type FaultPlanSnapshot } from './faults'
import { LedgerError, REQUEST_MESSAGES, TopupLedger, emptyState } from './ledger'
import {
  ResponseStyleSchema,
  paymentKey,
  type FaultSpec,
  type FinalizeInput,
  type LimitsInput,
  type PaymentState,
  type RandomFault,
  type RandomFaultInput,
  type RequestKind,
  type ResponseStyle,
  type ScenarioRule,
  type ScenarioRuleInput,
  type ScriptedFault,
  type ScriptedFaultInput,
  type TerminalInput,
  type TerminalState,
  type TopupState,
  type WalletInput,
  type WalletState
} from './model'
import { loadTopupState, saveTopupState } from './persistence'
import { MAX_REQUEST_BYTES, parseTopupRequest, type ParsedRequest } from './xml-request'
import {
  checkDepositResponse,
  checkUserResponse,
  errorResponse,
  paymentsResponse,
  pingResponse,
  providerResponse,
  type PaymentView,
  type RequestCode
} from './xml-response'
import { handleAdminRequest } from './admin-http'

export type Listener = 'http' | 'tls'

export interface RequestLogEntry {
  seq: number
  /** Sandbox clock (ms since epoch). */
  at: number
  listener: Listener
  method: string
  path: string
  request: RequestKind | null
  terminalId: string | null
  transactionNumbers: string[]
  fault: FaultSpec['kind'] | null
  /** Whether the request reached the ledger. */
  processed: boolean
  /** Request-level result code of the reply produced (null when none was produced). */
  resultCode: number | null
  /** HTTP status the sandbox intended to send (null for resets and hangs). */
  httpStatus: number | null
  auth: 'ok' | 'failed' | null
  remoteAddress: string
  bytes: number
}

/** A payment as the admin API reports it (amounts as decimal strings). */
export interface PaymentRecord {
  terminalId: string
  transactionNumber: string
  txnId: string
  service: string
  account: string
  amount: string
  ccy: string
  fromAmount: string
  fromCcy: string
  /** Status a client would see now. */
  status: number
  final: boolean
  resultCode: number
  message: string
  acceptedAt: string
  finalAt: string | null
  held: boolean
  payRequests: number
  mismatchedPayRequests: number
  registrations: number
  statusRequests: number
  statusIntervalViolations: number
  debited: string
  refunded: boolean
  credited: boolean
  extras: Record<string, string>
}

export interface TerminalRecord {
  id: string
  auth: TerminalState['auth']
  hasPassword: boolean
  hasPublicKey: boolean
  clientCertFingerprint256: string | null
  blocked: boolean
  allowedServices: string[]
  allowedIps: string[] | null
  balances: Record<string, string>
  feeBp: number
}

export interface WalletRecord {
  phone: string
  accounts: Record<string, string>
  identification: WalletState['identification']
  blocked: boolean
  balanceLimit: string | null
  monthlyLimit: string | null
  createdByPayment: boolean
}

export interface LedgerSnapshot {
  now: string
  processingMs: number
  terminals: TerminalRecord[]
  wallets: WalletRecord[]
  payments: PaymentRecord[]
  rules: ScenarioRule[]
  providers: Record<string, string>
  style: ResponseStyle
}

export interface IssuedClientCert {
  cert: string
  key: string
  /** PKCS#12 of key + cert + sandbox CA. */
  pfx: Buffer
  passphrase: string
  fingerprint256: string
}

/** The in-process admin API (also served over HTTP under /__admin/). */
export interface TopupAdmin {
  upsertTerminal(input: TerminalInput): TerminalRecord
  getTerminal(id: string): TerminalRecord | undefined
  removeTerminal(id: string): boolean
  setBalance(terminalId: string, ccy: string, amount: string): TerminalRecord
  /** Issues a client certificate from the sandbox CA and binds it (certificate auth). */
  issueClientCert(terminalId: string, passphrase?: string): IssuedClientCert
  upsertWallet(input: WalletInput): WalletRecord
  getWallet(phone: string): WalletRecord | undefined
  removeWallet(phone: string): boolean
  setLimits(input: LimitsInput): void
  setRules(rules: ScenarioRuleInput[]): ScenarioRule[]
  addRule(rule: ScenarioRuleInput): ScenarioRule
  rules(): ScenarioRule[]
  setProcessingMs(ms: number): void
  setProviders(map: Record<string, string>): void
  setResponseStyle(style: Partial<ResponseStyle>): ResponseStyle
  enqueueFaults(items: ScriptedFaultInput[]): ScriptedFault[]
  setRandomFaults(items: RandomFaultInput[]): RandomFault[]
  clearFaults(): void
  faults(): FaultPlanSnapshot
  /** Moves the sandbox clock forward (added on top of the base clock, persisted). */
  advanceClock(ms: number): number
  now(): number
  /** Applies every due outcome now (normally done lazily before each request). */
  settle(): void
  finalizePayment(terminalId: string, transactionNumber: string, input?: FinalizeInput): PaymentRecord
  holdPayment(terminalId: string, transactionNumber: string, status?: number): PaymentRecord
  releasePayment(terminalId: string, transactionNumber: string, inMs?: number): PaymentRecord
  getPayment(terminalId: string, transactionNumber: string): PaymentRecord | undefined
  listPayments(filter?: { terminalId?: string; final?: boolean }): PaymentRecord[]
  ledger(): LedgerSnapshot
  requests(sinceSeq?: number): RequestLogEntry[]
  /** Back to the initial (seeded) state; faults and the request log are cleared too. */
  reset(): void
}

export interface TopupEmulatorOptions {
  clock?: Clock
  /** Seed of the fault-injection RNG (default 1). */
  seed?: number
  /** JSON state file; when it exists the state is loaded from it, and every change is written to it. */
  statePath?: string
  /** Overrides the processing time (accepted → final) at start. */
  processingMs?: number
  logger?: Logger
  /** When set, the admin HTTP API also requires `Authorization: Bearer <token>`. */
  adminToken?: string
  /** Fills a fresh state (no state file yet, and on reset). */
  seedState?: (admin: TopupAdmin) => void
  /** Certificate issuer for `issueClientCert` (the sandbox host provides its CA). */
  issueClientCert?: (terminalId: string, passphrase: string) => Omit<IssuedClientCert, 'passphrase'>
  maxRequestBytes?: number
  requestLogSize?: number
}

export interface TopupEmulator {
  /** Serves one request that arrived on `listener`; /__admin/… is routed to the admin API. */
  handle(req: IncomingMessage, res: ServerResponse, listener: Listener): void
  /**
   * For TLS listeners: register each raw TCP connection ('connection' event)
   * so a reset fault can send a real RST under the TLS layer.
   */
  trackRawSocket(socket: Socket): void
  admin: TopupAdmin
  /** Cancels fault timers and destroys hung connections. */
  close(): void
}

const XML_CONTENT_TYPE = 'text/xml; charset=utf-8'

function normalizeIp(addr: string | undefined): string {
  if (!addr) return ''
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr
}

export function isLoopback(addr: string | undefined): boolean {
  const a = normalizeIp(addr)
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest()
  const hb = createHash('sha256').update(b, 'utf8').digest()
  return timingSafeEqual(ha, hb) && a.length === b.length
}

function requestKindOf(r: ParsedRequest): RequestKind | undefined {
  switch (r.requestType) {
    case 'pay':
      if (r.auth !== null && r.status === null) return 'pay'
      if (r.status !== null && r.auth === null) return 'status'
      return undefined
    case 'check-deposit-possible':
    case 'check-user':
    case 'ping':
    case 'get-provider-by-phone-number':
      return r.requestType
    default:
      return undefined
  }
}

interface Reply {
  httpStatus: number
  body: string
  resultCode: number | null
}

function toPaymentRecord(ledger: TopupLedger, p: PaymentState): PaymentRecord {
  return {
    terminalId: p.terminalId,
    transactionNumber: p.transactionNumber,
    txnId: p.txnId,
    service: p.service,
    account: p.account,
    amount: formatAmount(p.toAmountKopecks),
    ccy: p.toCcy,
    fromAmount: formatAmount(p.fromAmountKopecks),
    fromCcy: p.fromCcy,
    status: ledger.currentStatus(p),
    final: p.final,
    resultCode: p.final ? p.resultCode : 0,
    message: p.message,
    acceptedAt: new Date(p.acceptedAt).toISOString(),
    finalAt: p.final && p.finalAt !== null ? new Date(p.finalAt).toISOString() : null,
    held: !p.final && p.finalAt === null,
    payRequests: p.payRequests,
    mismatchedPayRequests: p.mismatchedPayRequests,
    registrations: p.registrations,
    statusRequests: p.statusRequests,
    statusIntervalViolations: p.statusIntervalViolations,
    debited: formatAmount(p.debitedKopecks),
    refunded: p.refunded,
    credited: p.credited,
    extras: { ...p.extras }
  }
}

function toTerminalRecord(t: TerminalState): TerminalRecord {
  const balances: Record<string, string> = {}
  for (const [c, k] of Object.entries(t.balances)) balances[c] = formatAmount(k)
  return {
    id: t.id,
    auth: t.auth,
    hasPassword: t.password !== null,
    hasPublicKey: t.publicKeyPem !== null,
    clientCertFingerprint256: t.clientCertFingerprint256,
    blocked: t.blocked,
    allowedServices: [...t.allowedServices],
    allowedIps: t.allowedIps ? [...t.allowedIps] : null,
    balances,
    feeBp: t.feeBp
  }
}

function toWalletRecord(w: WalletState): WalletRecord {
  const accounts: Record<string, string> = {}
  for (const [c, k] of Object.entries(w.accounts)) accounts[c] = formatAmount(k)
  return {
    phone: w.phone,
    accounts,
    identification: w.identification,
    blocked: w.blocked,
    balanceLimit: w.balanceLimitKopecks === null ? null : formatAmount(w.balanceLimitKopecks),
    monthlyLimit: w.monthlyLimitKopecks === null ? null : formatAmount(w.monthlyLimitKopecks),
    createdByPayment: w.createdByPayment
  }
}

export function createTopupEmulator(opts: TopupEmulatorOptions = {}): TopupEmulator {
  const log = opts.logger ?? nullLogger
  const baseClock = opts.clock ?? systemClock
  const maxBytes = opts.maxRequestBytes ?? MAX_REQUEST_BYTES
  const logSize = opts.requestLogSize ?? 2000
  let state: TopupState = emptyState()
  const clock: Clock = { now: () => baseClock.now() + state.clockOffsetMs }
  const ledger = new TopupLedger(state, clock)
  const faults = new FaultPlan(createRng(opts.seed ?? 1))
  const requestLog: RequestLogEntry[] = []
  let seq = 0
  const rawSockets = new Map<string, Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const hung = new Set<Socket>()
  let closed = false

  function persist(): void {
    if (opts.statePath) saveTopupState(opts.statePath, state)
  }

  function settleAndPersist(): void {
    if (ledger.settle()) persist()
  }

  function must<T>(v: T | undefined, what: string): T {
    if (v === undefined) throw new LedgerError('not-found', `${what} not found`)
    return v
  }

  const admin: TopupAdmin = {
    upsertTerminal(input) {
      const t = ledger.upsertTerminal(input)
      persist()
      return toTerminalRecord(t)
    },
    getTerminal(id) {
      settleAndPersist()
      const t = ledger.terminal(id)
      return t && toTerminalRecord(t)
    },
    removeTerminal(id) {
      const r = ledger.removeTerminal(id)
      persist()
      return r
    },
    setBalance(terminalId, ccy, amount) {
      ledger.setBalance(terminalId, ccy, amount)
      persist()
      return toTerminalRecord(must(ledger.terminal(terminalId), 'terminal'))
    },
    issueClientCert(terminalId, passphrase = 'sandbox') {
      if (!opts.issueClientCert) throw new LedgerError('conflict', 'no certificate authority configured')
      const t = must(ledger.terminal(terminalId), 'terminal')
      const issued = opts.issueClientCert(terminalId, passphrase)
      ledger.upsertTerminal({
        id: t.id,
        auth: 'certificate',
        clientCertFingerprint256: issued.fingerprint256
      })
      persist()
      return { ...issued, passphrase }
    },
    upsertWallet(input) {
      const w = ledger.upsertWallet(input)
      persist()
      return toWalletRecord(w)
    },
    getWallet(phone) {
      settleAndPersist()
      const w = ledger.wallet(phone)
      return w && toWalletRecord(w)
    },
    removeWallet(phone) {
      const r = ledger.removeWallet(phone)
      persist()
      return r
    },
    setLimits(input) {
      ledger.setLimits(input)
      persist()
    },
    setRules(rules) {
      const r = ledger.setRules(rules)
      persist()
      return r
    },
    addRule(rule) {
      const r = ledger.addRule(rule)
      persist()
      return r
    },
    rules() {
      return state.rules.map((r) => ({ ...r }))
    },
    setProcessingMs(ms) {
      ledger.setProcessingMs(ms)
      persist()
    },
    setProviders(map) {
      ledger.setProviders(map)
      persist()
    },
    setResponseStyle(style) {
      const v = ResponseStyleSchema.parse(style)
      state.style = { ...state.style, ...v }
      persist()
      return { ...state.style }
    },
    enqueueFaults(items) {
      return faults.enqueue(items)
    },
    setRandomFaults(items) {
      return faults.setRandom(items)
    },
    clearFaults() {
      faults.clear()
    },
    faults() {
      return faults.snapshot()
    },
    advanceClock(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new LedgerError('invalid-input', 'ms must be ≥ 0')
      state.clockOffsetMs += ms
      ledger.settle()
      persist()
      return clock.now()
    },
    now() {
      return clock.now()
    },
    settle() {
      settleAndPersist()
    },
    finalizePayment(terminalId, transactionNumber, input) {
      settleAndPersist()
      const p = ledger.finalize(terminalId, transactionNumber, input)
      persist()
      return toPaymentRecord(ledger, p)
    },
    holdPayment(terminalId, transactionNumber, status) {
      settleAndPersist()
      const p = ledger.hold(terminalId, transactionNumber, status)
      persist()
      return toPaymentRecord(ledger, p)
    },
    releasePayment(terminalId, transactionNumber, inMs) {
      const p = ledger.release(terminalId, transactionNumber, inMs)
      persist()
      return toPaymentRecord(ledger, p)
    },
    getPayment(terminalId, transactionNumber) {
      settleAndPersist()
      const p = ledger.payment(terminalId, transactionNumber)
      return p && toPaymentRecord(ledger, p)
    },
    listPayments(filter = {}) {
      settleAndPersist()
      return Object.values(state.payments)
        .filter((p) => filter.terminalId === undefined || p.terminalId === filter.terminalId)
        .filter((p) => filter.final === undefined || p.final === filter.final)
        .sort((a, b) => a.acceptedAt - b.acceptedAt || (a.txnId < b.txnId ? -1 : 1))
        .map((p) => toPaymentRecord(ledger, p))
    },
    ledger() {
      settleAndPersist()
      return {
        now: new Date(clock.now()).toISOString(),
        processingMs: state.processingMs,
        terminals: Object.values(state.terminals).map(toTerminalRecord),
        wallets: Object.values(state.wallets).map(toWalletRecord),
        payments: admin.listPayments(),
        rules: admin.rules(),
        providers: { ...state.providers },
        style: { ...state.style }
      }
    },
    requests(sinceSeq = 0) {
      return requestLog
        .filter((e) => e.seq > sinceSeq)
        .map((e) => ({ ...e, transactionNumbers: [...e.transactionNumbers] }))
    },
    reset() {
      state = emptyState()
      ledger.replaceState(state)
      faults.clear()
      requestLog.length = 0
      if (opts.seedState) opts.seedState(admin)
      if (opts.processingMs !== undefined) ledger.setProcessingMs(opts.processingMs)
      persist()
    }
  }

  // Initial state: the state file when present, else a seeded fresh state.
  const loaded = opts.statePath ? loadTopupState(opts.statePath) : undefined
  if (loaded) {
    state = loaded
    ledger.replaceState(state)
    if (opts.processingMs !== undefined) ledger.setProcessingMs(opts.processingMs)
    settleAndPersist()
  } else {
    admin.reset()
  }

  // ---- transport helpers ---------------------------------------------------

  function rawKey(s: Socket): string {
    return `${normalizeIp(s.remoteAddress)}:${s.remotePort ?? ''}`
  }

  function trackRawSocket(socket: Socket): void {
    const key = rawKey(socket)
    rawSockets.set(key, socket)
    socket.once('close', () => {
      if (rawSockets.get(key) === socket) rawSockets.delete(key)
    })
  }

  function resetSocket(s: Socket): void {
    const raw = s instanceof TLSSocket ? rawSockets.get(rawKey(s)) : s
    if (raw && typeof raw.resetAndDestroy === 'function' && !raw.destroyed) {
      raw.resetAndDestroy()
      if (raw !== s) s.destroy()
    } else {
      s.destroy()
    }
  }

  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t)
      if (!closed) fn()
    }, ms)
    timers.add(t)
  }

  function hang(s: Socket, ms: number | undefined): void {
    hung.add(s)
    s.once('close', () => hung.delete(s))
    if (ms !== undefined) later(ms, () => s.destroy())
  }

  function head(status: number, headers: Record<string, string | number>): string {
    const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Status'}`]
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`)
    return `${lines.join('\r\n')}\r\n\r\n`
  }

  function sendNormal(res: ServerResponse, reply: Reply): void {
    const buf = Buffer.from(reply.body, 'utf8')
    res.writeHead(reply.httpStatus, { 'Content-Type': XML_CONTENT_TYPE, 'Content-Length': buf.length })
    res.end(buf)
  }

  function deliver(
    req: IncomingMessage,
    res: ServerResponse,
    reply: Reply,
    fault: FaultSpec | undefined
  ): void {
    const s = req.socket
    if (!fault) return sendNormal(res, reply)
    const buf = Buffer.from(reply.body, 'utf8')
    switch (fault.kind) {
      case 'reset-before':
      case 'reset-after':
        return resetSocket(s)
      case 'hang':
        return hang(s, fault.ms)
      case 'delay':
        return later(fault.ms ?? 1000, () => {
          if (!s.destroyed) sendNormal(res, reply)
        })
      case 'http-status': {
        const status = fault.status ?? 503
        const text = `<html><head><title>${status} ${STATUS_CODES[status] ?? ''}</title></head><body><h1>${status} ${STATUS_CODES[status] ?? ''}</h1></body></html>\n`
        const b = Buffer.from(text, 'utf8')
        res.writeHead(status, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Length': b.length,
          Connection: 'close'
        })
        res.end(b)
        return
      }
      case 'empty-body':
        res.writeHead(200, { 'Content-Type': XML_CONTENT_TYPE, 'Content-Length': 0 })
        res.end()
        return
      case 'malformed-xml': {
        // A reply cut before its closing tag plus a stray unclosed element: not well-formed.
        const cut = reply.body.lastIndexOf('</response>')
        const broken = `${cut > 0 ? reply.body.slice(0, cut) : reply.body}<payment status='60' final-status='true'>\n`
        const b = Buffer.from(broken, 'utf8')
        res.writeHead(200, { 'Content-Type': XML_CONTENT_TYPE, 'Content-Length': b.length })
        res.end(b)
        return
      }
      case 'truncate-length': {
        const n = Math.min(fault.bytes ?? Math.floor(buf.length / 2), Math.max(0, buf.length - 1))
        s.write(
          head(200, { 'Content-Type': XML_CONTENT_TYPE, 'Content-Length': buf.length, Connection: 'close' })
        )
        s.end(buf.subarray(0, n))
        return
      }
      case 'truncate-close': {
        const n = Math.min(fault.bytes ?? Math.floor(buf.length / 2), Math.max(0, buf.length - 1))
        s.write(head(200, { 'Content-Type': XML_CONTENT_TYPE, Connection: 'close' }))
        s.end(buf.subarray(0, n))
        return
      }
      case 'trickle': {
        const chunk = Math.max(1, fault.bytes ?? 1)
        const every = fault.ms ?? 200
        s.write(
          head(200, { 'Content-Type': XML_CONTENT_TYPE, 'Content-Length': buf.length, Connection: 'close' })
        )
        let off = 0
        const step = (): void => {
          if (s.destroyed) return
          const part = buf.subarray(off, off + chunk)
          off += part.length
          if (off >= buf.length) {
            s.end(part)
            return
          }
          s.write(part)
          later(every, step)
        }
        later(every, step)
        return
      }
      case 'request-error':
      case 'temporary':
      case 'not-found':
        // These change the reply itself (see process); it is delivered normally.
        return sendNormal(res, reply)
    }
  }

  // ---- request processing --------------------------------------------------

  function errorReply(rc: RequestCode): Reply {
    return { httpStatus: 200, body: errorResponse(rc, state.style), resultCode: rc.code }
  }

  function authenticate(
    r: ParsedRequest,
    req: IncomingMessage,
    rawBody: Buffer,
    listener: Listener
  ): { ok: true; terminal: TerminalState } | { ok: false; rc: RequestCode } {
    const fail150: RequestCode = { code: 150, fatal: true, message: REQUEST_MESSAGES[150] }
    const t = ledger.terminal(r.terminalId)
    if (!t) return { ok: false, rc: fail150 }
    if (t.allowedIps && !t.allowedIps.includes(normalizeIp(req.socket.remoteAddress))) {
      return { ok: false, rc: { code: 339, fatal: true, message: REQUEST_MESSAGES[339] } }
    }
    const pw = Object.prototype.hasOwnProperty.call(r.extras, 'password') ? r.extras['password'] : undefined
    const passwordOk = (): boolean => t.password !== null && pw !== undefined && safeEqual(pw, t.password)
    // With a signature or a client certificate the password is optional (docs D2/D3),
    // but a password that is sent must be right.
    const optionalPasswordOk = (): boolean => pw === undefined || t.password === null || passwordOk()
    switch (t.auth) {
      case 'password':
        return passwordOk() ? { ok: true, terminal: t } : { ok: false, rc: fail150 }
      case 'signature': {
        const sig = req.headers['x-digital-sign']
        const alg = req.headers['x-digital-sign-alg']
        if (typeof sig !== 'string' || typeof alg !== 'string' || !t.publicKeyPem) {
          return { ok: false, rc: fail150 }
        }
        const digest = alg === 'SHA1withRSA' ? 'sha1' : alg === 'MD5withRSA' ? 'md5' : null
        if (!digest || !/^[A-Za-z0-9+/]+={0,2}$/.test(sig)) return { ok: false, rc: fail150 }
        let valid: boolean
        try {
          valid = cryptoVerify(digest, rawBody, t.publicKeyPem, Buffer.from(sig, 'base64'))
        } catch {
          valid = false
        }
        if (!valid || !optionalPasswordOk()) return { ok: false, rc: fail150 }
        return { ok: true, terminal: t }
      }
      case 'certificate': {
        if (listener !== 'tls' || !(req.socket instanceof TLSSocket) || !req.socket.authorized) {
          return { ok: false, rc: fail150 }
        }
        const peer = req.socket.getPeerCertificate()
        if (
          !peer.fingerprint256 ||
          peer.fingerprint256 !== t.clientCertFingerprint256 ||
          !optionalPasswordOk()
        ) {
          return { ok: false, rc: fail150 }
        }
        return { ok: true, terminal: t }
      }
    }
  }

  function temporaryReply(r: ParsedRequest, t: TerminalState | undefined, fault: FaultSpec): Reply {
    const num = r.auth?.[0]?.transactionNumber ?? ''
    const view: PaymentView = {
      status: -1,
      txnId: '',
      transactionNumber: num,
      resultCode: fault.code ?? 300,
      message: fault.message ?? 'Временная ошибка, повторите запрос позже',
      final: false,
      fatalError: false,
      txnDate: ''
    }
    return {
      httpStatus: 200,
      body: paymentsResponse([view], t ? ledger.balancesOf(t) : {}, state.style),
      resultCode: 0
    }
  }

  /** Runs the request against the ledger and builds the reply. */
  function process(
    r: ParsedRequest,
    kind: RequestKind | undefined,
    path: string,
    req: IncomingMessage,
    rawBody: Buffer,
    listener: Listener,
    fault: FaultSpec | undefined,
    entry: RequestLogEntry
  ): Reply {
    ledger.settle()
    const auth = authenticate(r, req, rawBody, listener)
    entry.auth = auth.ok ? 'ok' : 'failed'
    if (!auth.ok) return errorReply(auth.rc)
    const t = auth.terminal
    if (!kind) return errorReply({ code: 300, fatal: true, message: 'Неизвестный тип запроса' })
    const wantPath = kind === 'get-provider-by-phone-number' ? '/xml/xmlcp.jsp' : '/xml/topup.jsp'
    if (path !== wantPath) {
      return errorReply({
        code: 300,
        fatal: true,
        message: `Запрос ${r.requestType} принимается только на ${wantPath}`
      })
    }
    entry.processed = true
    switch (kind) {
      case 'pay': {
        const res = ledger.pay(t, r)
        if (res.kind === 'request-error') return errorReply(res.rc)
        // "temporary" with process:true: registered, yet the reply says -1 / empty txn_id.
        if (fault?.kind === 'temporary') return temporaryReply(r, t, fault)
        const sbp = state.style.sbpWrapper && (res.kind === 'payment' ? res.payment.service : '') === '38413'
        const view =
          res.kind === 'mismatch'
            ? ledger.mismatchView(res.transactionNumber)
            : ledger.view(res.payment, { withDetails: true, withExtras: res.repeated })
        return {
          httpStatus: 200,
          body: paymentsResponse([view], ledger.balancesOf(t), state.style, { sbp }),
          resultCode: 0
        }
      }
      case 'status': {
        if (fault?.kind === 'not-found') {
          return {
            httpStatus: 200,
            body: paymentsResponse([], ledger.balancesOf(t), state.style, { statusReply: true }),
            resultCode: 0
          }
        }
        const st = ledger.status(t, r)
        if (!st.ok) return errorReply(st.rc)
        const views = st.found.map((p) => ledger.view(p, { withDetails: false, withExtras: false }))
        return {
          httpStatus: 200,
          body: paymentsResponse(views, ledger.balancesOf(t), state.style, { statusReply: true }),
          resultCode: 0
        }
      }
      case 'ping':
        return { httpStatus: 200, body: pingResponse(ledger.balancesOf(t), state.style), resultCode: 0 }
      case 'check-user': {
        const c = ledger.checkUser(r)
        if (!c.ok) return errorReply(c.rc)
        return { httpStatus: 200, body: checkUserResponse(c.exist, state.style), resultCode: 0 }
      }
      case 'check-deposit-possible': {
        const c = ledger.checkDeposit(r)
        if ('error' in c) return errorReply(c.error)
        return {
          httpStatus: 200,
          body: checkDepositResponse(c.rc, c.exist, c.possible, state.style),
          resultCode: c.rc.code
        }
      }
      case 'get-provider-by-phone-number': {
        const c = ledger.provider(r)
        if (!c.ok) return errorReply(c.rc)
        return { httpStatus: 200, body: providerResponse(c.id, state.style), resultCode: 0 }
      }
    }
  }

  /** Faults that by default let the request reach the ledger first. */
  function defaultProcess(f: FaultSpec): boolean {
    switch (f.kind) {
      case 'reset-after':
      case 'delay':
      case 'trickle':
      case 'truncate-length':
      case 'truncate-close':
      case 'not-found':
        return true
      case 'reset-before':
      case 'request-error':
      case 'temporary':
        return false
      default:
        return false
    }
  }

  function onBody(
    req: IncomingMessage,
    res: ServerResponse,
    listener: Listener,
    path: string,
    body: Buffer
  ): void {
    const entry: RequestLogEntry = {
      seq: ++seq,
      at: clock.now(),
      listener,
      method: req.method ?? '',
      path,
      request: null,
      terminalId: null,
      transactionNumbers: [],
      fault: null,
      processed: false,
      resultCode: null,
      httpStatus: null,
      auth: null,
      remoteAddress: normalizeIp(req.socket.remoteAddress),
      bytes: body.length
    }
    requestLog.push(entry)
    if (requestLog.length > logSize) requestLog.splice(0, requestLog.length - logSize)

    const parsed = parseTopupRequest(body)
    const r = parsed.ok ? parsed.request : undefined
    const kind = r ? requestKindOf(r) : undefined
    entry.request = kind ?? null
    entry.terminalId = r?.terminalId ?? null
    const payments = r ? [...(r.auth ?? []), ...(r.status ?? [])] : []
    entry.transactionNumbers = payments.map((p) => p.transactionNumber ?? '').filter((n) => n !== '')
    const ctx: FaultContext = {
      request: kind,
      terminalId: r?.terminalId,
      transactionNumbers: entry.transactionNumbers,
      service: r?.auth?.[0]?.to?.serviceId ?? undefined,
      listener
    }
    const fault = faults.pick(ctx)
    entry.fault = fault?.kind ?? null
    const doProcess = fault ? (fault.process ?? defaultProcess(fault)) : true

    let reply: Reply
    if (fault && !doProcess) {
      if (fault.kind === 'reset-before' || fault.kind === 'hang') {
        deliver(req, res, { httpStatus: 0, body: '', resultCode: null }, fault)
        return
      }
      if (fault.kind === 'request-error') {
        const code = fault.code ?? 300
        reply = errorReply({
          code,
          fatal: fault.fatal ?? (code === 150 || code === 339),
          message: fault.message ?? REQUEST_MESSAGES[code]
        })
      } else if (fault.kind === 'temporary' && r) {
        reply = temporaryReply(r, ledger.terminal(r.terminalId), fault)
      } else {
        // http-status / empty-body / malformed-xml without processing: shape only.
        reply = errorReply({ code: 300, fatal: false, message: REQUEST_MESSAGES[300] })
      }
    } else if (!r) {
      const reason = parsed.ok ? 'bad request' : parsed.reason
      reply = errorReply({ code: 300, fatal: true, message: `Неверный формат запроса: ${reason}` })
    } else {
      try {
        reply = process(r, kind, path, req, body, listener, fault, entry)
      } catch (e) {
        log.error({ err: e instanceof Error ? e.message : String(e) }, 'sandbox: request processing failed')
        reply = errorReply({ code: 300, fatal: false, message: REQUEST_MESSAGES[300] })
      }
      if (entry.processed || ledger.settle()) persist()
    }
    entry.resultCode = reply.resultCode
    entry.httpStatus =
      fault?.kind === 'reset-after' || fault?.kind === 'hang'
        ? null
        : fault?.kind === 'http-status'
          ? (fault.status ?? 503)
          : 200
    log.debug(
      { request: entry.request, terminalId: entry.terminalId, fault: entry.fault, rc: entry.resultCode },
      'sandbox topup request'
    )
    deliver(req, res, reply, fault)
  }

  function handle(req: IncomingMessage, res: ServerResponse, listener: Listener): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path.startsWith('/__admin/') || path === '/__admin') {
      if (listener !== 'http') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n')
        return
      }
      handleAdminRequest(req, res, admin, { token: opts.adminToken })
      return
    }
    if (path !== '/xml/topup.jsp' && path !== '/xml/xmlcp.jsp') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found\n')
      return
    }
    if (req.method !== 'POST') {
      res
        .writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Method Not Allowed\n')
      return
    }
    const declared = Number(req.headers['content-length'] ?? '0')
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.writeHead(413, { Connection: 'close', 'Content-Type': 'text/plain' }).end('Payload Too Large\n')
      req.resume()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let aborted = false
    req.on('data', (c: Buffer) => {
      if (aborted) return
      size += c.length
      if (size > maxBytes) {
        aborted = true
        res.writeHead(413, { Connection: 'close', 'Content-Type': 'text/plain' }).end('Payload Too Large\n')
        return
      }
      chunks.push(c)
    })
    req.on('end', () => {
      if (aborted || closed) return
      onBody(req, res, listener, path, Buffer.concat(chunks))
    })
    req.on('error', () => undefined)
  }

  return {
    handle,
    trackRawSocket,
    admin,
    close() {
      closed = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
      for (const s of hung) s.destroy()
      hung.clear()
      rawSockets.clear()
    }
  }
}

export { paymentKey }
