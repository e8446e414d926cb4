/**
 * The payout entry form without React: masks applied as the cashier types, validation
 * (shared/validation.ts, the same rules the core applies last), which message to show
 * when, and the exact contract input a confirmation sends. Pure, unit-tested.
 */
import { formatAmount, formatAmountHuman, parseAmount } from '../../../../shared/money'
import type { PayoutCreateInput, PrecheckView, ServiceT } from '../../../../shared/payouts'
import {
  AMOUNT_LIMITS,
  cardBrand,
  formatPhone,
  groupCard,
  normalizeCard,
  normalizePhone,
  validateAmount,
  validateComment,
  validateSbpBankId
} from '../../../../shared/validation'
import type { CardBrand } from '../../../../shared/validation'

/**
 * Services the desk form offers, in tab order. card-foreign is left out on purpose: it
 * needs the sender's passport extras (spec §5.4), which the contract does not carry, and
 * QIWI has suspended it.
 */
export const FORM_SERVICES = ['wallet', 'card', 'sbp', 'card-spec', 'mobile'] as const
export type FormService = (typeof FORM_SERVICES)[number]

export function isFormService(s: ServiceT): s is FormService {
  return (FORM_SERVICES as readonly string[]).includes(s)
}

export interface PayoutFormValues {
  service: FormService
  /** Phone for wallet / sbp / mobile / card-spec; the card number for card. */
  account: string
  /** card-spec: the card number (the account is the phone). */
  cardNumber: string
  /** sbp: the recipient bank id. */
  bankId: string
  amount: string
  comment: string
  /** wallet: the customer paid non-cash (income_wire_transfer = 1). */
  incomeWireTransfer: boolean
}

export type FieldName = 'account' | 'cardNumber' | 'bankId' | 'amount' | 'comment'

export function emptyForm(service: FormService = 'wallet'): PayoutFormValues {
  return { service, account: '', cardNumber: '', bankId: '', amount: '', comment: '', incomeWireTransfer: false }
}

/** The fields a service shows, in tab order after the service and terminal choosers. */
export function fieldsFor(service: FormService): FieldName[] {
  switch (service) {
    case 'wallet':
    case 'mobile':
      return ['account', 'amount', 'comment']
    case 'card':
      return ['account', 'amount', 'comment']
    case 'sbp':
      return ['account', 'bankId', 'amount', 'comment']
    case 'card-spec':
      return ['account', 'cardNumber', 'amount', 'comment']
  }
}

export function accountIsCard(service: FormService): boolean {
  return service === 'card'
}

// ── masks ────────────────────────────────────────────────────────────────────

/**
 * Formats a phone progressively while typing: "8912" → "+7 912", "9123456789" →
 * "+7 912 345-67-89"; a number of another country keeps its "+" and digits. Characters
 * that can never belong to a phone are left in place so validation can name them.
 */
export function maskPhone(input: string, prev = ''): string {
  if (!/^[\d\s()+\-.]*$/.test(input)) return input
  // Backspacing over "+7" clears the field, so the next "9" starts a Russian number again.
  if (input.trim() === '+' && prev.startsWith('+7')) return ''
  const plus = input.trimStart().startsWith('+')
  let digits = input.replace(/\D/g, '')
  if (digits === '') return plus ? '+' : ''
  if (!plus && digits.startsWith('8')) digits = '7' + digits.slice(1)
  else if (!plus && digits.startsWith('9')) digits = '7' + digits
  if (!digits.startsWith('7')) return (plus ? '+' : '') + digits.slice(0, 15)
  const d = digits.slice(1, 11)
  let out = '+7'
  if (d.length > 0) out += ' ' + d.slice(0, 3)
  if (d.length > 3) out += ' ' + d.slice(3, 6)
  if (d.length > 6) out += '-' + d.slice(6, 8)
  if (d.length > 8) out += '-' + d.slice(8, 10)
  // Extra digits are kept visible (so "too long" is explained), never silently dropped.
  if (digits.length > 11) out += ' ' + digits.slice(11)
  return out
}

/** Groups a card number in fours as typed; non-digits other than spaces/dashes stay visible. */
export function maskCard(input: string): string {
  if (!/^[\d\s-]*$/.test(input)) return input
  return groupCard(input)
}

/**
 * Amount as typed: digits and one decimal separator ("." or ","), at most two decimals;
 * anything else is dropped. "1500,555" → "1500,55".
 */
export function maskAmount(input: string): string {
  let out = ''
  let sep = false
  let decimals = 0
  for (const ch of input) {
    if (ch >= '0' && ch <= '9') {
      if (sep) {
        if (decimals >= 2) continue
        decimals++
      }
      out += ch
    } else if ((ch === '.' || ch === ',') && !sep) {
      sep = true
      out += out === '' ? '0' + ch : ch
    }
  }
  return out.slice(0, 15)
}

/** On leaving the amount field: "1500" → "1500,00" (ru) / "1500.00" (en); invalid input stays. */
export function settleAmount(input: string, lang: 'ru' | 'en'): string {
  const p = parseAmount(input)
  if (!p.ok) return input
  const wire = formatAmount(p.kopecks)
  return lang === 'ru' ? wire.replace('.', ',') : wire
}

export function maskSbpBankId(input: string): string {
  return input.replace(/\D/g, '').slice(0, 20)
}

// ── validation ───────────────────────────────────────────────────────────────

export interface FieldIssue {
  /** i18n key under cashier.validation */
  key: string
  params?: Record<string, string>
  /** True when the cashier may still be typing towards a valid value (shown only once the field is left). */
  pending: boolean
}

export type FormIssues = Partial<Record<FieldName, FieldIssue>>

export interface NormalizedPayout {
  service: FormService
  /** Digits as the core expects: phone "79123456789" or card digits. */
  account: string
  cardNumber?: string
  cardBrand?: CardBrand
  bankId?: string
  amountKopecks: number
  comment?: string
  incomeWireTransfer?: boolean
}

const PHONE_PENDING = new Set(['empty', 'length', 'country'])
const CARD_PENDING = new Set(['empty', 'length'])
const AMOUNT_PENDING = new Set(['empty', 'zero', 'below-min'])

function phoneIssue(value: string): FieldIssue | null {
  const r = normalizePhone(value)
  return r.ok ? null : { key: `phone.${r.reason}`, pending: PHONE_PENDING.has(r.reason) }
}

function cardIssue(value: string): FieldIssue | null {
  const r = normalizeCard(value)
  if (r.ok) return null
  const digits = value.replace(/\D/g, '')
  // A wrong scheme is certain once the first digits are typed.
  if (r.reason === 'length' && digits.length >= 6 && cardBrand(digits) === 'unknown') {
    return { key: 'card.brand', pending: false }
  }
  return { key: `card.${r.reason}`, pending: CARD_PENDING.has(r.reason) }
}

export function amountLimitsHuman(service: FormService, lang: 'ru' | 'en'): { min: string; max: string } {
  const lim = AMOUNT_LIMITS[service]
  return { min: formatAmountHuman(lim.min, lang), max: formatAmountHuman(lim.max, lang) }
}

function amountIssue(value: string, service: FormService, lang: 'ru' | 'en'): FieldIssue | null {
  const r = validateAmount(value, service)
  if (r.ok) return null
  return { key: `amount.${r.reason}`, params: amountLimitsHuman(service, lang), pending: AMOUNT_PENDING.has(r.reason) }
}

export function validateForm(
  v: PayoutFormValues,
  lang: 'ru' | 'en'
): { issues: FormIssues; value: NormalizedPayout | null } {
  const issues: FormIssues = {}
  const card = v.service === 'card'
  const acc = card ? cardIssue(v.account) : phoneIssue(v.account)
  if (acc) issues.account = acc
  if (v.service === 'card-spec') {
    const c = cardIssue(v.cardNumber)
    if (c) issues.cardNumber = c
  }
  if (v.service === 'sbp') {
    const b = validateSbpBankId(v.bankId)
    if (!b.ok) issues.bankId = { key: `bankId.${b.reason}`, pending: b.reason === 'empty' || /^\d{0,5}$/.test(v.bankId.trim()) }
  }
  const a = amountIssue(v.amount, v.service, lang)
  if (a) issues.amount = a
  const c = validateComment(v.comment)
  if (!c.ok) issues.comment = { key: `comment.${c.reason}`, pending: false }

  if (Object.keys(issues).length > 0) return { issues, value: null }

  const amount = validateAmount(v.amount, v.service)
  if (!amount.ok) return { issues, value: null }
  const out: NormalizedPayout = { service: v.service, account: '', amountKopecks: amount.value }
  if (card) {
    const n = normalizeCard(v.account)
    if (!n.ok) return { issues, value: null }
    out.account = n.value.digits
    out.cardBrand = n.value.brand
  } else {
    const p = normalizePhone(v.account)
    if (!p.ok) return { issues, value: null }
    out.account = p.value
  }
  if (v.service === 'card-spec') {
    const n = normalizeCard(v.cardNumber)
    if (!n.ok) return { issues, value: null }
    out.cardNumber = n.value.digits
    out.cardBrand = n.value.brand
  }
  if (v.service === 'sbp') out.bankId = v.bankId.trim()
  if (v.service === 'wallet') out.incomeWireTransfer = v.incomeWireTransfer
  if (v.comment.trim() !== '') out.comment = v.comment
  return { issues, value: out }
}

/**
 * Which message a field shows now: a definite mistake at once (a letter in a phone, a card
 * that fails Luhn), an incomplete value once the field was left, an empty one on submit.
 */
export function visibleIssue(issue: FieldIssue | undefined, touched: boolean, submitted: boolean): FieldIssue | null {
  if (!issue) return null
  if (submitted) return issue
  // Leaving a field empty (e.g. clicking elsewhere) is not a mistake until a submit.
  if (touched) return issue.key.endsWith('.empty') ? null : issue
  return issue.pending ? null : issue
}

/** Live, positive hints: the phone as it will be sent, the card scheme. */
export function phonePreview(value: string): string | null {
  const r = normalizePhone(value)
  return r.ok ? formatPhone(r.value) : null
}

export function cardBrandOf(value: string): CardBrand | null {
  const digits = value.replace(/\D/g, '')
  if (digits.length < 4) return null
  return cardBrand(digits)
}

// ── what a confirmation sends ────────────────────────────────────────────────

export function buildCreateInput(n: NormalizedPayout, terminalRef: string, clientRequestId: string): PayoutCreateInput {
  const input: PayoutCreateInput = {
    clientRequestId,
    terminalRef,
    service: n.service,
    account: n.account,
    amount: formatAmount(n.amountKopecks),
    precheck: n.service === 'wallet'
  }
  if (n.comment !== undefined) input.comment = n.comment
  if (n.bankId !== undefined) input.bankId = n.bankId
  if (n.cardNumber !== undefined) input.cardNumber = n.cardNumber
  if (n.incomeWireTransfer !== undefined) input.incomeWireTransfer = n.incomeWireTransfer
  return input
}

export function buildPrecheckInput(
  n: NormalizedPayout,
  terminalRef: string
): { terminalRef: string; service: ServiceT; account: string; amount: string; incomeWireTransfer?: boolean } {
  const input: { terminalRef: string; service: ServiceT; account: string; amount: string; incomeWireTransfer?: boolean } = {
    terminalRef,
    service: n.service,
    account: n.account,
    amount: formatAmount(n.amountKopecks)
  }
  if (n.incomeWireTransfer !== undefined) input.incomeWireTransfer = n.incomeWireTransfer
  return input
}

/** Recipient as the confirmation shows it: the full number the cashier typed, grouped. */
export function recipientLines(n: NormalizedPayout): { phone?: string; card?: string } {
  if (n.service === 'card') return { card: groupCard(n.account) }
  const out: { phone?: string; card?: string } = { phone: formatPhone(n.account) }
  if (n.cardNumber !== undefined) out.card = groupCard(n.cardNumber)
  return out
}

// ── pre-check verdict ────────────────────────────────────────────────────────

export interface PrecheckVerdict {
  tone: 'ok' | 'warn' | 'bad' | 'info'
  /** i18n key under cashier.precheck */
  key: string
  /** Paying would only record a payout the policy or QIWI declines: the Pay button stays off. */
  blocks: boolean
}

export function precheckVerdict(p: PrecheckView): PrecheckVerdict {
  switch (p.kind) {
    case 'possible':
      return { tone: 'ok', key: p.exist === false ? 'possibleNew' : 'possible', blocks: false }
    case 'impossible':
      return { tone: 'bad', key: 'impossible', blocks: true }
    case 'absent':
      return p.absentPolicy === 'pay'
        ? { tone: 'warn', key: 'absentPay', blocks: false }
        : { tone: 'bad', key: 'absentDecline', blocks: true }
    case 'retry':
      return { tone: 'warn', key: 'retry', blocks: false }
    case 'not-applicable':
      return { tone: 'info', key: 'notApplicable', blocks: false }
  }
}
