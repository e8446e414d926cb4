/**
 * The emulator's books: terminals (agents) with balances, wallets, payments,
 * scenario rules and limits. Pure logic over `TopupState` and a clock; the HTTP
 * layer (handler.ts) does transport, auth and faults.
 *
 * Life cycle: a payment is registered at acceptance (agent balance debited,
 * status 50, then 52 after half the processing time) and becomes final at
 * `finalAt` — success 60 (wallet credited) or failure > 100 (money returned to
 * the agent). Time is read from the clock lazily: `settle()` applies every
 * outcome that is due, and runs before each request and admin read.
 */
import { formatAmount, parseWireAmount } from '../../../../shared/money'
import { formatTxnDate, type Clock } from '../clock'
import {
  DEFAULT_RESPONSE_STYLE,
  FinalizeInputSchema,
  LimitsInputSchema,
  ScenarioRuleSchema,
  SERVICE_IDS,
  TerminalInputSchema,
  WalletInputSchema,
  normalizeCcy,
  paymentKey,
  type FinalizeInput,
  type LimitsInput,
  type PaymentState,
  type PlannedOutcome,
  type ScenarioRule,
  type ScenarioRuleInput,
  type ServiceId,
  type TerminalInput,
  type TerminalState,
  type TopupState,
  type WalletInput,
  type WalletState
} from './model'
import type { ParsedPayment, ParsedRequest } from './xml-request'
import type { PaymentView, RequestCode } from './xml-response'

/** Ten minutes: the documented minimum interval between two status requests. */
export const STATUS_INTERVAL_MS = 600_000

export const PAYMENT_MESSAGES: Readonly<Record<number, string>> = {
  0: 'Ok',
  155: 'Приём платежей для данного провайдера запрещён',
  204: 'Недостаточный статус идентификации кошелька для проведения платежа',
  215: 'Транзакция с таким номером уже зарегистрирована с другими реквизитами',
  220: 'Недостаточно средств на счёте агента',
  241: 'Сумма платежа меньше минимальной',
  242: 'Сумма платежа больше максимальной',
  298: 'Кошелёк с таким номером телефона не может быть зарегистрирован',
  300: 'Неизвестная ошибка',
  316: 'Попытка авторизации заблокированного агента',
  319: 'Пополнение счёта данного телефона запрещено',
  700: 'Превышен месячный лимит на операции',
  702: 'Превышен лимит на остаток средств на кошельке'
}

export const REQUEST_MESSAGES: Readonly<Record<number, string>> = {
  13: 'Сервер занят, повторите запрос через минуту',
  150: 'Ошибка авторизации',
  204: 'Недостаточный статус идентификации кошелька для проведения платежа',
  300: 'Неизвестная ошибка',
  339: 'IP-адрес отправителя не разрешён'
}

const FATAL_PAYMENT_CODES = new Set([155, 204, 215, 241, 242, 298, 316, 319, 700, 702])

/** RUB kopecks per 100 minor units of each currency (fixed sandbox rates). */
const RUB_RATE: Readonly<Record<string, bigint>> = {
  '643': 100n,
  '840': 9_000n,
  '978': 10_000n,
  '398': 20n,
  '428': 15_000n
}

export const DEFAULT_LIMITS: Readonly<Record<ServiceId, { min: string | null; max: string | null }>> = {
  '99': { min: '1.00', max: '600000.00' },
  '34020': { min: null, max: '100000.00' },
  '32911': { min: null, max: '100000.00' },
  '36655': { min: null, max: '100000.00' },
  '38413': { min: null, max: '1000000.00' },
  '29130': { min: '1.00', max: '15000.00' }
}

const CARD_SERVICES = new Set(['34020', '36655'])
const WALLET_SERVICES = new Set(['99', '29130'])

export type PayResult =
  | { kind: 'payment'; payment: PaymentState; repeated: boolean }
  | { kind: 'mismatch'; transactionNumber: string; existing: PaymentState }
  | { kind: 'request-error'; rc: RequestCode }

export class LedgerError extends Error {
  constructor(
    readonly code: 'not-found' | 'invalid-input' | 'conflict',
    message: string
  ) {
    super(message)
    this.name = 'LedgerError'
  }
}

function kopecks(amount: string): number {
  const k = parseWireAmount(amount)
  if (k === null || k < 0) throw new LedgerError('invalid-input', `invalid amount "${amount}"`)
  return k
}

function ccyOrThrow(c: string): string {
  const n = normalizeCcy(c)
  if (!n) throw new LedgerError('invalid-input', `unknown currency "${c}"`)
  return n
}

function balancesFromInput(input: Record<string, string> | undefined): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [c, a] of Object.entries(input ?? {})) out[ccyOrThrow(c)] = kopecks(a)
  return out
}

export function emptyState(): TopupState {
  const limits: TopupState['limits'] = {}
  for (const s of SERVICE_IDS) {
    const d = DEFAULT_LIMITS[s]
    limits[s] = {
      minKopecks: d.min === null ? null : kopecks(d.min),
      maxKopecks: d.max === null ? null : kopecks(d.max)
    }
  }
  return {
    version: 1,
    terminals: {},
    wallets: {},
    payments: {},
    rules: [],
    ruleUses: {},
    limits,
    providers: {},
    processingMs: 3000,
    nextTxnId: 20_000_000_001,
    clockOffsetMs: 0,
    style: { ...DEFAULT_RESPONSE_STYLE }
  }
}

function maskCard(card: string): string {
  if (card.length <= 8) return card
  return `${card.slice(0, 4)}${'*'.repeat(card.length - 8)}${card.slice(-4)}`
}

function moscowMonth(ms: number): string {
  const d = new Date(ms + 3 * 3_600_000)
  return `${d.getUTCFullYear()}-${d.getUTCMonth()}`
}

function reqErr(code: number, fatal: boolean, message?: string): PayResult {
  return { kind: 'request-error', rc: { code, fatal, message: message ?? REQUEST_MESSAGES[code] } }
}

export class TopupLedger {
  /** Keys of non-final payments with a due time, so settle() is O(pending). */
  private readonly pending = new Set<string>()

  constructor(
    public state: TopupState,
    private readonly clock: Clock
  ) {
    this.reindex()
  }

  now(): number {
    return this.clock.now()
  }

  replaceState(state: TopupState): void {
    this.state = state
    this.reindex()
  }

  private reindex(): void {
    this.pending.clear()
    for (const [k, p] of Object.entries(this.state.payments)) if (!p.final) this.pending.add(k)
  }

  // ---- terminals / wallets / configuration --------------------------------

  upsertTerminal(input: TerminalInput): TerminalState {
    const v = TerminalInputSchema.parse(input)
    const prev = Object.prototype.hasOwnProperty.call(this.state.terminals, v.id)
      ? this.state.terminals[v.id]
      : undefined
    const t: TerminalState = {
      id: v.id,
      password: v.password !== undefined ? v.password : (prev?.password ?? null),
      auth: v.auth ?? prev?.auth ?? 'password',
      publicKeyPem: v.publicKeyPem !== undefined ? v.publicKeyPem : (prev?.publicKeyPem ?? null),
      clientCertFingerprint256:
        v.clientCertFingerprint256 !== undefined
          ? v.clientCertFingerprint256
          : (prev?.clientCertFingerprint256 ?? null),
      blocked: v.blocked ?? prev?.blocked ?? false,
      allowedServices: v.allowedServices ?? prev?.allowedServices ?? [...SERVICE_IDS],
      allowedIps: v.allowedIps !== undefined ? v.allowedIps : (prev?.allowedIps ?? null),
      balances: { ...(prev?.balances ?? {}), ...balancesFromInput(v.balances) },
      feeBp: v.feeBp ?? prev?.feeBp ?? 0
    }
    if (t.auth === 'password' && t.password === null) {
      throw new LedgerError('invalid-input', 'password auth needs a password')
    }
    if (t.auth === 'signature' && !t.publicKeyPem) {
      throw new LedgerError('invalid-input', 'signature auth needs publicKeyPem')
    }
    if (t.auth === 'certificate' && !t.clientCertFingerprint256) {
      throw new LedgerError('invalid-input', 'certificate auth needs clientCertFingerprint256')
    }
    // Update in place so references held elsewhere stay current.
    if (prev) return Object.assign(prev, t)
    this.state.terminals[t.id] = t
    return t
  }

  terminal(id: string): TerminalState | undefined {
    return Object.prototype.hasOwnProperty.call(this.state.terminals, id)
      ? this.state.terminals[id]
      : undefined
  }

  removeTerminal(id: string): boolean {
    if (!this.terminal(id)) return false
    delete this.state.terminals[id]
    return true
  }

  setBalance(terminalId: string, ccy: string, amount: string): void {
    const t = this.terminal(terminalId)
    if (!t) throw new LedgerError('not-found', `terminal ${terminalId} not found`)
    t.balances[ccyOrThrow(ccy)] = kopecks(amount)
  }

  upsertWallet(input: WalletInput): WalletState {
    const v = WalletInputSchema.parse(input)
    const prev = this.wallet(v.phone)
    const w: WalletState = {
      phone: v.phone,
      accounts: v.accounts !== undefined ? balancesFromInput(v.accounts) : (prev?.accounts ?? { '643': 0 }),
      identification: v.identification ?? prev?.identification ?? 'full',
      blocked: v.blocked ?? prev?.blocked ?? false,
      balanceLimitKopecks:
        v.balanceLimit !== undefined
          ? v.balanceLimit === null
            ? null
            : kopecks(v.balanceLimit)
          : (prev?.balanceLimitKopecks ?? null),
      monthlyLimitKopecks:
        v.monthlyLimit !== undefined
          ? v.monthlyLimit === null
            ? null
            : kopecks(v.monthlyLimit)
          : (prev?.monthlyLimitKopecks ?? null),
      createdByPayment: prev?.createdByPayment ?? false
    }
    if (prev) return Object.assign(prev, w)
    this.state.wallets[w.phone] = w
    return w
  }

  wallet(phone: string): WalletState | undefined {
    return Object.prototype.hasOwnProperty.call(this.state.wallets, phone)
      ? this.state.wallets[phone]
      : undefined
  }

  removeWallet(phone: string): boolean {
    if (!this.wallet(phone)) return false
    delete this.state.wallets[phone]
    return true
  }

  setLimits(input: LimitsInput): void {
    const v = LimitsInputSchema.parse(input)
    const cur = this.state.limits[v.service] ?? { minKopecks: null, maxKopecks: null }
    if (v.min !== undefined) cur.minKopecks = v.min === null ? null : kopecks(v.min)
    if (v.max !== undefined) cur.maxKopecks = v.max === null ? null : kopecks(v.max)
    this.state.limits[v.service] = cur
  }

  setRules(rules: ScenarioRuleInput[]): ScenarioRule[] {
    const parsed = rules.map((r) => ScenarioRuleSchema.parse(r))
    this.state.rules = parsed
    this.state.ruleUses = {}
    return parsed
  }

  addRule(rule: ScenarioRuleInput): ScenarioRule {
    const r = ScenarioRuleSchema.parse(rule)
    this.state.rules.push(r)
    return r
  }

  setProcessingMs(ms: number): void {
    if (!Number.isInteger(ms) || ms < 0 || ms > 7 * 86_400_000) {
      throw new LedgerError('invalid-input', 'processingMs out of range')
    }
    this.state.processingMs = ms
  }

  setProviders(map: Record<string, string>): void {
    const out: Record<string, string> = {}
    for (const [prefix, id] of Object.entries(map)) {
      if (!/^\d{1,10}$/.test(prefix) || !/^\d{1,10}$/.test(id)) {
        throw new LedgerError('invalid-input', 'providers: digit prefix → digit provider id')
      }
      out[prefix] = id
    }
    this.state.providers = out
  }

  // ---- life cycle ----------------------------------------------------------

  /** Applies every outcome that is due. Returns true when something changed. */
  settle(): boolean {
    const now = this.clock.now()
    let changed = false
    for (const key of [...this.pending]) {
      const p = this.state.payments[key]
      if (!p || p.final) {
        this.pending.delete(key)
        continue
      }
      if (p.finalAt !== null && p.finalAt <= now) {
        this.applyFinal(p, p.planned)
        this.pending.delete(key)
        changed = true
      }
    }
    return changed
  }

  private applyFinal(p: PaymentState, o: PlannedOutcome): void {
    p.status = o.status
    p.resultCode = o.resultCode
    p.message = o.message
    p.final = true
    p.fatalError = false
    p.finalAt = p.finalAt ?? this.clock.now()
    if (o.status === 60) {
      if (WALLET_SERVICES.has(p.service)) {
        const w = this.wallet(p.account)
        if (w) {
          w.accounts[p.toCcy] = (w.accounts[p.toCcy] ?? 0) + p.toAmountKopecks
        }
      }
      if (p.service === '34020' || p.service === '32911' || p.service === '36655') {
        p.rrn = p.txnId.slice(-12).padStart(12, '0')
        p.billRegId = `B${p.txnId}`
      }
      p.credited = true
    } else if (p.debitedKopecks > 0 && !p.refunded) {
      const t = this.terminal(p.terminalId)
      if (t) t.balances[p.fromCcy] = (t.balances[p.fromCcy] ?? 0) + p.debitedKopecks
      p.refunded = true
    }
  }

  /** The status a client sees now (50 → 52 half way, hold status when held). */
  currentStatus(p: PaymentState): number {
    if (p.final) return p.status
    if (p.finalAt === null) return p.holdStatus ?? 50
    const half = p.acceptedAt + (p.finalAt - p.acceptedAt) / 2
    return this.clock.now() < half ? 50 : 52
  }

  finalize(terminalId: string, transactionNumber: string, input: FinalizeInput = {}): PaymentState {
    const v = FinalizeInputSchema.parse(input)
    const p = this.payment(terminalId, transactionNumber)
    if (!p) throw new LedgerError('not-found', 'payment not found')
    if (p.final) throw new LedgerError('conflict', 'payment is already final')
    let o: PlannedOutcome
    if (v.outcome === 'success') o = { status: 60, resultCode: 0, message: PAYMENT_MESSAGES[0] ?? 'Ok' }
    else if (v.outcome === 'fail') {
      const rc = v.resultCode ?? 300
      o = { status: v.status ?? 160, resultCode: rc, message: v.message ?? PAYMENT_MESSAGES[rc] ?? 'Ошибка' }
    } else o = p.planned
    p.finalAt = this.clock.now()
    this.applyFinal(p, o)
    this.pending.delete(paymentKey(terminalId, transactionNumber))
    return p
  }

  hold(terminalId: string, transactionNumber: string, status = 50): PaymentState {
    const p = this.payment(terminalId, transactionNumber)
    if (!p) throw new LedgerError('not-found', 'payment not found')
    if (p.final) throw new LedgerError('conflict', 'payment is already final')
    if (!Number.isInteger(status) || status < 0 || status > 59) {
      throw new LedgerError('invalid-input', 'hold status must be 0..59')
    }
    p.finalAt = null
    p.holdStatus = status
    return p
  }

  release(terminalId: string, transactionNumber: string, inMs = 0): PaymentState {
    const p = this.payment(terminalId, transactionNumber)
    if (!p) throw new LedgerError('not-found', 'payment not found')
    if (p.final) throw new LedgerError('conflict', 'payment is already final')
    p.finalAt = this.clock.now() + Math.max(0, inMs)
    p.holdStatus = null
    this.pending.add(paymentKey(terminalId, transactionNumber))
    this.settle()
    return p
  }

  payment(terminalId: string, transactionNumber: string): PaymentState | undefined {
    const k = paymentKey(terminalId, transactionNumber)
    return Object.prototype.hasOwnProperty.call(this.state.payments, k) ? this.state.payments[k] : undefined
  }

  balancesOf(t: TerminalState): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [c, k] of Object.entries(t.balances)) out[c] = formatAmount(k)
    return out
  }

  // ---- requests ------------------------------------------------------------

  /** Builds the view of a payment as a pay/status reply shows it. */
  view(p: PaymentState, opts: { withDetails: boolean; withExtras: boolean }): PaymentView {
    const status = this.currentStatus(p)
    const view: PaymentView = {
      status,
      txnId: p.txnId,
      transactionNumber: p.transactionNumber,
      resultCode: p.final ? p.resultCode : 0,
      message: p.final ? p.message : 'Ок',
      final: p.final,
      fatalError: p.final ? p.fatalError : false,
      txnDate: formatTxnDate(p.acceptedAt)
    }
    if (opts.withDetails) {
      view.from = { amount: formatAmount(p.fromAmountKopecks), ccy: p.fromCcy }
      view.to = {
        serviceId: p.service,
        amount: formatAmount(p.toAmountKopecks),
        ccy: p.toCcy,
        account: CARD_SERVICES.has(p.service) ? maskCard(p.account) : p.account
      }
    }
    if (opts.withExtras && p.final && p.status === 60 && (p.rrn || p.billRegId)) {
      view.extras = {}
      if (p.rrn) view.extras.rrn = p.rrn
      if (p.billRegId) view.extras.billRegId = p.billRegId
    }
    return view
  }

  mismatchView(transactionNumber: string): PaymentView {
    return {
      status: 150,
      txnId: '',
      transactionNumber,
      resultCode: 215,
      message: PAYMENT_MESSAGES[215] ?? '',
      final: true,
      fatalError: true,
      txnDate: formatTxnDate(this.clock.now())
    }
  }

  pay(t: TerminalState, req: ParsedRequest): PayResult {
    const list = req.auth ?? []
    if (list.length !== 1) return reqErr(300, true, 'Запрос должен содержать ровно один платёж')
    const p = list[0] as ParsedPayment
    const num = p.transactionNumber ?? ''
    if (!/^[1-9]\d{0,19}$/.test(num)) return reqErr(300, true, 'Неверный формат transaction-number')
    const to = p.to
    const from = p.from
    if (!to || !from) return reqErr(300, true, 'Не заданы from/to')
    const amountStr = to.amount ?? ''
    if (!/^\d{1,12}\.\d{2}$/.test(amountStr)) {
      return reqErr(300, true, 'Неверный формат суммы (ожидается 0.00)')
    }
    const toAmount = parseWireAmount(amountStr)
    if (toAmount === null || toAmount <= 0) return reqErr(300, true, 'Неверная сумма')
    const service = to.serviceId ?? ''
    if (!/^\d{1,10}$/.test(service)) return reqErr(300, true, 'Не задан to/service-id')
    const account = to.account ?? ''
    if (account.length === 0 || account.length > 64) return reqErr(300, true, 'Не задан to/account-number')
    const fromCcy = normalizeCcy(from.ccy ?? '')
    if (!fromCcy) return reqErr(300, true, 'Неверная валюта from/ccy')
    let toCcy: string | null
    if (to.ccy === null && service === '29130') toCcy = '643'
    else toCcy = normalizeCcy(to.ccy ?? '')
    if (!toCcy) return reqErr(300, true, 'Неверная валюта to/ccy')
    const iwt = req.extras['income_wire_transfer'] ?? null
    if (service === '99' && iwt !== '0' && iwt !== '1') {
      return reqErr(300, true, 'Не задан extra income_wire_transfer (0 или 1)')
    }
    if (iwt !== null && iwt !== '0' && iwt !== '1') {
      return reqErr(300, true, 'income_wire_transfer должен быть 0 или 1')
    }
    if (from.serviceId !== null && !/^[1-9]\d{0,9}$/.test(from.serviceId)) {
      return reqErr(300, true, 'Неверный from/service-id')
    }
    const comment = to.extras['comment']
    if (comment !== undefined && comment.length > 1000) {
      return reqErr(300, true, 'Комментарий длиннее 1000 символов')
    }

    const extras: Record<string, string> = {}
    for (const [k, v] of Object.entries(from.extras)) extras[`from.${k}`] = v
    for (const [k, v] of Object.entries(to.extras)) extras[`to.${k}`] = v
    if (from.serviceId !== null) extras['from.service-id'] = from.serviceId

    const detailsKey = JSON.stringify([
      service,
      account,
      toAmount,
      toCcy,
      fromCcy,
      to.extras['account1'] ?? null,
      to.extras['bankId'] ?? null,
      to.extras['account0'] ?? null
    ])

    const existing = this.payment(t.id, num)
    if (existing) {
      if (existing.detailsKey !== detailsKey) {
        existing.mismatchedPayRequests += 1
        return { kind: 'mismatch', transactionNumber: num, existing }
      }
      existing.payRequests += 1
      return { kind: 'payment', payment: existing, repeated: true }
    }

    const now = this.clock.now()
    const payment: PaymentState = {
      terminalId: t.id,
      transactionNumber: num,
      service,
      account,
      toAmountKopecks: toAmount,
      toCcy,
      fromCcy,
      fromAmountKopecks: 0,
      extras,
      incomeWireTransfer: iwt,
      detailsKey,
      txnId: String(this.state.nextTxnId++),
      acceptedAt: now,
      finalAt: now,
      holdStatus: null,
      status: 50,
      final: false,
      resultCode: 0,
      message: 'Ок',
      fatalError: false,
      planned: { status: 60, resultCode: 0, message: PAYMENT_MESSAGES[0] ?? 'Ok' },
      debitedKopecks: 0,
      refunded: false,
      credited: false,
      payRequests: 1,
      mismatchedPayRequests: 0,
      registrations: 1,
      statusRequests: 0,
      lastStatusRequestAt: null,
      statusIntervalViolations: 0,
      rrn: null,
      billRegId: null
    }
    const key = paymentKey(t.id, num)
    this.state.payments[key] = payment

    const decline = (resultCode: number, status = 150, message?: string, fatal?: boolean): PayResult => {
      payment.status = status
      payment.final = true
      payment.resultCode = resultCode
      payment.message = message ?? PAYMENT_MESSAGES[resultCode] ?? 'Платёж отклонён'
      payment.fatalError = fatal ?? FATAL_PAYMENT_CODES.has(resultCode)
      payment.planned = { status, resultCode, message: payment.message }
      payment.fromAmountKopecks = payment.fromAmountKopecks || toAmount
      return { kind: 'payment', payment, repeated: false }
    }

    // Amount to debit: converted at fixed rates plus the terminal's fee.
    const rateTo = RUB_RATE[toCcy]
    const rateFrom = RUB_RATE[fromCcy]
    if (rateTo === undefined || rateFrom === undefined) return decline(300)
    const converted = (BigInt(toAmount) * rateTo + rateFrom - 1n) / rateFrom
    const fee = (converted * BigInt(t.feeBp) + 9_999n) / 10_000n
    const fromAmount = Number(converted + fee)
    payment.fromAmountKopecks = fromAmount

    if (t.blocked) return decline(316)
    if (
      !(SERVICE_IDS as readonly string[]).includes(service) ||
      !t.allowedServices.includes(service as ServiceId)
    ) {
      return decline(155)
    }

    const formatProblem = this.checkServiceFormat(service, account, toCcy, to.extras, from.extras)
    if (formatProblem) return decline(formatProblem.code, 150, formatProblem.message)

    const rule = this.matchRule(t.id, service, account, to.extras, toAmount, toCcy)
    if (rule && rule.outcome.phase === 'decline') {
      return decline(rule.outcome.resultCode, rule.outcome.status, rule.outcome.message, rule.outcome.fatal)
    }

    const limits = this.state.limits[service]
    if (limits?.minKopecks !== null && limits?.minKopecks !== undefined && toAmount < limits.minKopecks) {
      return decline(241)
    }
    if (limits?.maxKopecks !== null && limits?.maxKopecks !== undefined && toAmount > limits.maxKopecks) {
      return decline(242)
    }

    let wallet: WalletState | undefined
    if (WALLET_SERVICES.has(service)) {
      const phoneOk = service === '99' ? /^\d{10,15}$/.test(account) : /^[\d*]{10,15}$/.test(account)
      if (!phoneOk) return decline(298)
      wallet = this.wallet(account)
      if (wallet) {
        if (wallet.blocked) return decline(319)
        if (service === '99' && wallet.identification === 'anonymous') return decline(204)
        const pendingCredits = this.pendingCreditsTo(account, toCcy)
        if (
          wallet.balanceLimitKopecks !== null &&
          (wallet.accounts[toCcy] ?? 0) + pendingCredits + toAmount > wallet.balanceLimitKopecks
        ) {
          return decline(702)
        }
        if (
          wallet.monthlyLimitKopecks !== null &&
          this.monthCredits(account, now) + toAmount > wallet.monthlyLimitKopecks
        ) {
          return decline(700)
        }
      }
    }

    const balance = t.balances[fromCcy]
    if (balance === undefined || balance < fromAmount) return decline(220)

    // Accepted: debit now, decide the final outcome, schedule it.
    t.balances[fromCcy] = balance - fromAmount
    payment.debitedKopecks = fromAmount
    if (WALLET_SERVICES.has(service)) {
      if (!wallet) {
        wallet = {
          phone: account,
          accounts: { [toCcy]: 0 },
          identification: 'minimal',
          blocked: false,
          balanceLimitKopecks: null,
          monthlyLimitKopecks: null,
          createdByPayment: true
        }
        this.state.wallets[account] = wallet
      } else if (wallet.accounts[toCcy] === undefined) {
        wallet.accounts[toCcy] = 0
      }
    }
    const processingMs = rule?.processingMs ?? this.state.processingMs
    if (rule?.outcome.phase === 'fail') {
      const rc = rule.outcome.resultCode
      payment.planned = {
        status: rule.outcome.status,
        resultCode: rc,
        message: rule.outcome.message ?? PAYMENT_MESSAGES[rc] ?? 'Платёж не проведён'
      }
    }
    if (rule?.outcome.phase === 'hold') {
      payment.finalAt = null
      payment.holdStatus = rule.outcome.status
    } else {
      payment.finalAt = now + processingMs
    }
    this.pending.add(key)
    this.settle()
    return { kind: 'payment', payment, repeated: false }
  }

  private checkServiceFormat(
    service: string,
    account: string,
    toCcy: string,
    toExtras: Record<string, string>,
    fromExtras: Record<string, string>
  ): { code: number; message: string } | null {
    const bad = (message: string) => ({ code: 300, message })
    switch (service) {
      case '34020':
        if (!/^\d{13,19}$/.test(account)) return bad('Неверный номер карты')
        if (toCcy !== '643') return bad('Допустима только валюта RUB')
        return null
      case '32911':
        if (!/^\+?\d{10,15}$/.test(account)) return bad('Неверный номер телефона')
        if (!/^\d{13,19}$/.test(toExtras['account1'] ?? '')) return bad('Неверный номер карты (account1)')
        if (toCcy !== '643') return bad('Допустима только валюта RUB')
        return null
      case '36655': {
        if (!/^\d{13,19}$/.test(account)) return bad('Неверный номер карты')
        if (!['643', '840', '978'].includes(toCcy)) return bad('Допустимы валюты RUB, USD, EUR')
        const required = [
          'source_first_name',
          'source_last_name',
          'source_address',
          'source_city',
          'source_country_code',
          'source_zip_code',
          'source_resident',
          'source_birthday'
        ]
        for (const r of required) if (!fromExtras[r]) return bad(`Не задан параметр ${r}`)
        if (!toExtras['target_card_holder']) return bad('Не задан параметр target_card_holder')
        return null
      }
      case '38413':
        if (!/^7\d{10}$/.test(account)) return bad('Неверный номер телефона получателя СБП')
        if (!/^\d{6,20}$/.test(toExtras['bankId'] ?? '')) return bad('Не задан bankId')
        if (toCcy !== '643') return bad('Допустима только валюта RUB')
        return null
      case '29130':
        if (!/(^|;)id:\d+(;|$)/.test(toExtras['account0'] ?? '')) return bad('Не задан account0')
        return null
      default:
        return null
    }
  }

  private matchRule(
    terminalId: string,
    service: string,
    account: string,
    toExtras: Record<string, string>,
    amount: number,
    ccy: string
  ): ScenarioRule | undefined {
    const card = toExtras['account1']
    for (let i = 0; i < this.state.rules.length; i++) {
      const r = this.state.rules[i] as ScenarioRule
      const m = r.match
      if (m.terminalId !== undefined && m.terminalId !== terminalId) continue
      if (m.service !== undefined) {
        const list: string[] = Array.isArray(m.service) ? m.service : [m.service]
        if (!list.includes(service)) continue
      }
      if (m.account !== undefined && m.account !== account && m.account !== card) continue
      if (
        m.accountPrefix !== undefined &&
        !account.startsWith(m.accountPrefix) &&
        !(card ?? '').startsWith(m.accountPrefix)
      ) {
        continue
      }
      if (m.amountAtLeast !== undefined && amount < kopecks(m.amountAtLeast)) continue
      if (m.amountAtMost !== undefined && amount > kopecks(m.amountAtMost)) continue
      if (m.ccy !== undefined && normalizeCcy(m.ccy) !== ccy) continue
      const useKey = r.id ?? `#${i}`
      const used = this.state.ruleUses[useKey] ?? 0
      if (r.times !== undefined && used >= r.times) continue
      this.state.ruleUses[useKey] = used + 1
      return r
    }
    return undefined
  }

  private pendingCreditsTo(phone: string, ccy: string): number {
    let sum = 0
    for (const key of this.pending) {
      const p = this.state.payments[key]
      if (p && WALLET_SERVICES.has(p.service) && p.account === phone && p.toCcy === ccy) {
        sum += p.toAmountKopecks
      }
    }
    return sum
  }

  private monthCredits(phone: string, now: number): number {
    const month = moscowMonth(now)
    let sum = 0
    for (const p of Object.values(this.state.payments)) {
      if (!WALLET_SERVICES.has(p.service) || p.account !== phone) continue
      if (p.debitedKopecks === 0 || p.refunded) continue
      if (moscowMonth(p.acceptedAt) === month) sum += p.toAmountKopecks
    }
    return sum
  }

  /** Status lookups: the payments found, in request order (unknown ones are simply absent). */
  status(
    t: TerminalState,
    req: ParsedRequest
  ): { ok: true; found: PaymentState[] } | { ok: false; rc: RequestCode } {
    const list = req.status ?? []
    if (list.length === 0) {
      return { ok: false, rc: { code: 300, fatal: true, message: 'Не задан ни один платёж' } }
    }
    if (list.length > 100) {
      return { ok: false, rc: { code: 300, fatal: true, message: 'Слишком много платежей в запросе' } }
    }
    const now = this.clock.now()
    const found: PaymentState[] = []
    for (const item of list) {
      const num = item.transactionNumber ?? ''
      if (!/^[1-9]\d{0,19}$/.test(num)) {
        return { ok: false, rc: { code: 300, fatal: true, message: 'Неверный формат transaction-number' } }
      }
      const p = this.payment(t.id, num)
      if (!p) continue
      p.statusRequests += 1
      if (p.lastStatusRequestAt !== null && now - p.lastStatusRequestAt < STATUS_INTERVAL_MS) {
        p.statusIntervalViolations += 1
      }
      p.lastStatusRequestAt = now
      found.push(p)
    }
    return { ok: true, found }
  }

  checkUser(req: ParsedRequest): { ok: true; exist: boolean } | { ok: false; rc: RequestCode } {
    const phone = req.extras['phone'] ?? ''
    if (!/^\d{10,15}$/.test(phone)) {
      return { ok: false, rc: { code: 300, fatal: true, message: 'Неверный номер телефона' } }
    }
    const ccyIn = req.extras['ccy']
    let ccy: string | null = null
    if (ccyIn !== undefined) {
      ccy = normalizeCcy(ccyIn)
      if (!ccy) return { ok: false, rc: { code: 300, fatal: true, message: 'Неверная валюта' } }
    }
    const w = this.wallet(phone)
    return { ok: true, exist: !!w && (ccy === null || w.accounts[ccy] !== undefined) }
  }

  checkDeposit(
    req: ParsedRequest
  ): { rc: RequestCode; exist: boolean; possible: boolean } | { error: RequestCode } {
    const phone = req.extras['phone'] ?? ''
    const iwt = req.extras['income_wire_transfer']
    if (iwt !== '0' && iwt !== '1') {
      return { error: { code: 300, fatal: true, message: 'Не задан extra income_wire_transfer (0 или 1)' } }
    }
    const ccyIn = req.extras['ccy']
    let ccy: string | null = null
    if (ccyIn !== undefined) {
      ccy = normalizeCcy(ccyIn)
      if (!ccy) return { error: { code: 300, fatal: true, message: 'Неверная валюта' } }
    }
    const ok0: RequestCode = { code: 0, fatal: false }
    if (!/^\d{10,15}$/.test(phone)) return { rc: ok0, exist: false, possible: false }
    const w = this.wallet(phone)
    const exist = !!w && (ccy === null || w.accounts[ccy] !== undefined)
    if (!w) return { rc: ok0, exist: false, possible: true }
    if (w.identification === 'anonymous') {
      return { rc: { code: 204, fatal: true, message: REQUEST_MESSAGES[204] }, exist, possible: false }
    }
    if (w.blocked) return { rc: ok0, exist, possible: false }
    return { rc: ok0, exist, possible: true }
  }

  provider(req: ParsedRequest): { ok: true; id: string } | { ok: false; rc: RequestCode } {
    const phone = req.phonenumber ?? ''
    if (!/^[\d*]{10}$/.test(phone)) {
      return {
        ok: false,
        rc: { code: 300, fatal: true, message: 'Неверный номер телефона (10 цифр без кода страны)' }
      }
    }
    let best: string | undefined
    let bestLen = -1
    for (const [prefix, id] of Object.entries(this.state.providers)) {
      if (phone.startsWith(prefix) && prefix.length > bestLen) {
        best = id
        bestLen = prefix.length
      }
    }
    if (best === undefined) {
      return { ok: false, rc: { code: 300, fatal: false, message: 'Оператор не определён' } }
    }
    return { ok: true, id: best }
  }
}
