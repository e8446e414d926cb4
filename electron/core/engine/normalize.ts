/**
 * Per-service validation and normalization of what the cashier typed (shared/validation.ts),
 * and the reverse: a stored payout → the exact PayDetails the Top-Up client sends. The
 * stored row is the single source of every byte of a pay request, so a re-sent pay is
 * always identical (spec §8.4: different details would get result 215).
 */
import { AppError } from '../../../shared/errors'
import type { ErrorCode } from '../../../shared/errors'
import {
  formatPhone,
  maskCard,
  normalizeCard,
  normalizePhone,
  validateAmount,
  validateComment,
  validateSbpBankId
} from '../../../shared/validation'
import type { Payout, PayoutService } from '../db/types'
import type { PayDetails } from '../topup/types'

/** Extras keys stored with a payout (values are strings; names [A-Za-z0-9_]). */
export const EXTRA = {
  incomeWireTransfer: 'income_wire_transfer',
  cardNumber: 'account1',
  bankId: 'bankId',
  providerId: 'providerId',
  transitAccount: 'transitAccount'
} as const

export interface RawPayoutInput {
  service: PayoutService
  account: string
  amount: string
  comment?: string | undefined
  bankId?: string | undefined
  cardNumber?: string | undefined
  incomeWireTransfer?: boolean | undefined
  precheck?: boolean | undefined
}

export interface NormalizedPayout {
  service: PayoutService
  account: string
  accountDisplay: string
  amountKopecks: number
  comment: string | null
  extras: Record<string, string>
  precheck: boolean
  /** Mobile payouts need the operator's provider id (get-provider-by-phone-number) before the intent. */
  needsProvider: { phoneWithoutCountry: string } | null
}

function bad(code: ErrorCode, field: string, reason: string, message: string): AppError {
  return new AppError(code, message, { field, reason })
}

const AMOUNT_TEXT: Record<string, string> = {
  empty: 'the amount is empty',
  format: 'the amount must look like 15.00',
  'too-many-decimals': 'the amount has more than two decimals',
  zero: 'the amount must be above zero',
  'too-large': 'the amount is too large',
  negative: 'the amount must not be negative',
  'below-min': 'the amount is below the minimum for this service',
  'above-max': 'the amount is above the maximum for this service'
}

function phone(input: string, field: string): string {
  const p = normalizePhone(input)
  if (!p.ok) throw bad('invalid-phone', field, p.reason, `${field}: not a valid phone number (${p.reason})`)
  return p.value
}

function card(input: string, field: string): string {
  const c = normalizeCard(input)
  if (!c.ok) throw bad('invalid-card', field, c.reason, `${field}: not a valid card number (${c.reason})`)
  return c.value.digits
}

/**
 * Validates and normalizes one payout. Throws AppError with code invalid-amount /
 * invalid-phone / invalid-card / invalid-account / invalid-input / service-not-allowed.
 */
export function normalizePayoutInput(input: RawPayoutInput): NormalizedPayout {
  const amount = validateAmount(input.amount, input.service)
  if (!amount.ok) {
    throw bad(
      'invalid-amount',
      'amount',
      amount.reason,
      `amount: ${AMOUNT_TEXT[amount.reason] ?? amount.reason}`
    )
  }
  let comment: string | null = null
  if (input.comment !== undefined && input.comment !== '') {
    const c = validateComment(input.comment)
    if (!c.ok) {
      throw bad(
        'invalid-input',
        'comment',
        c.reason,
        `comment: ${c.reason === 'too-long' ? 'longer than 1000 characters' : 'contains characters that cannot be sent'}`
      )
    }
    comment = c.value
  }
  const base = { amountKopecks: amount.value, comment, needsProvider: null }
  switch (input.service) {
    case 'wallet': {
      const p = phone(input.account, 'account')
      return {
        ...base,
        service: 'wallet',
        account: p,
        accountDisplay: formatPhone(p),
        extras: { [EXTRA.incomeWireTransfer]: input.incomeWireTransfer === true ? '1' : '0' },
        precheck: input.precheck !== false
      }
    }
    case 'card': {
      const c = card(input.account, 'account')
      return {
        ...base,
        service: 'card',
        account: c,
        accountDisplay: maskCard(c),
        extras: {},
        precheck: false
      }
    }
    case 'card-spec': {
      // Spec §9 #13: the request table wants the phone WITH '+'; the card goes in extra account1.
      const p = phone(input.account, 'account')
      if (input.cardNumber === undefined || input.cardNumber.trim() === '') {
        throw bad(
          'invalid-card',
          'cardNumber',
          'empty',
          'cardNumber: a card-spec payout needs the card number'
        )
      }
      const c = card(input.cardNumber, 'cardNumber')
      return {
        ...base,
        service: 'card-spec',
        account: `+${p}`,
        accountDisplay: `${formatPhone(p)} · ${maskCard(c)}`,
        extras: { [EXTRA.cardNumber]: c },
        precheck: false
      }
    }
    case 'sbp': {
      const p = phone(input.account, 'account')
      if (!/^7\d{10}$/.test(p)) {
        throw bad(
          'invalid-phone',
          'account',
          'country',
          'account: an SBP recipient is a Russian phone number (7xxxxxxxxxx)'
        )
      }
      const b = validateSbpBankId(input.bankId ?? '')
      if (!b.ok) {
        throw bad(
          'invalid-account',
          'bankId',
          b.reason,
          `bankId: the SBP bank id must be 6–20 digits (${b.reason})`
        )
      }
      return {
        ...base,
        service: 'sbp',
        account: p,
        accountDisplay: formatPhone(p),
        extras: { [EXTRA.bankId]: b.value },
        precheck: false
      }
    }
    case 'mobile': {
      const p = phone(input.account, 'account')
      if (!/^7\d{10}$/.test(p)) {
        throw bad(
          'invalid-phone',
          'account',
          'country',
          'account: a mobile payout needs a Russian phone number'
        )
      }
      return {
        ...base,
        service: 'mobile',
        account: p,
        accountDisplay: formatPhone(p),
        extras: { [EXTRA.transitAccount]: p.slice(1) },
        precheck: false,
        needsProvider: { phoneWithoutCountry: p.slice(1) }
      }
    }
    case 'card-foreign':
      throw bad(
        'service-not-allowed',
        'service',
        'unsupported',
        'service: foreign-card payouts (36655) are suspended by QIWI and need sender data the desk does not collect'
      )
  }
}

/** The pay request of a stored payout (every value from the row, nothing from elsewhere). */
export function payDetailsOf(
  p: Pick<
    Payout,
    'transactionNumber' | 'service' | 'account' | 'amountKopecks' | 'currency' | 'comment' | 'extras'
  >
): PayDetails {
  const common = {
    transactionNumber: p.transactionNumber,
    amountKopecks: p.amountKopecks,
    accountNumber: p.account,
    fromCcy: p.currency
  }
  const ex = p.extras
  switch (p.service) {
    case 'wallet':
      return {
        ...common,
        service: 'wallet',
        incomeWireTransfer: ex[EXTRA.incomeWireTransfer] === '1',
        toCcy: p.currency,
        comment: p.comment ?? undefined
      }
    case 'card':
      return { ...common, service: 'card', toCcy: p.currency }
    case 'card-spec':
      return { ...common, service: 'card-spec', cardNumber: ex[EXTRA.cardNumber] ?? '', toCcy: p.currency }
    case 'sbp':
      return { ...common, service: 'sbp', bankId: ex[EXTRA.bankId] ?? '', toCcy: p.currency }
    case 'mobile':
      return {
        ...common,
        service: 'mobile',
        transit: {
          providerId: ex[EXTRA.providerId] ?? '',
          account: ex[EXTRA.transitAccount] ?? '',
          sumKopecks: p.amountKopecks
        }
      }
    case 'card-foreign':
      throw new AppError('service-not-allowed', 'foreign-card payouts are not supported by this desk')
  }
}
