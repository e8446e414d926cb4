/**
 * Code tables of the Top-Up API: payment statuses (spec §6), payment result codes
 * per product (§7.1–7.4) and request-level result codes (§7.5).
 *
 * `fatal` means "repeating the identical request gives the identical error" (needs
 * an operator). For request-level codes it comes from the docs (§7.5; 204 from the
 * check-deposit example). The docs give no per-code fatal flag for payment codes
 * (they defer to the `fatal-error` attribute); the values below are our reading of
 * each meaning and are marked `fatalSource: 'derived'`. The attribute in a reply
 * always wins: a fatal flag only pauses retries, it never decides a payment's fate.
 */
import type { ServiceKind } from './types'

export interface CodeInfo {
  code: number
  fatal: boolean
  fatalSource: 'doc' | 'derived'
  ru: string
  en: string
}

type CodeTable = Readonly<Record<number, Omit<CodeInfo, 'code'>>>

function tableLookup(table: CodeTable, code: number): CodeInfo | undefined {
  if (!Object.prototype.hasOwnProperty.call(table, code)) return undefined
  const e = table[code]
  return e === undefined ? undefined : { code, ...e }
}

// ---------------------------------------------------------------------------
// §6 payment statuses
// ---------------------------------------------------------------------------

export type StatusCategory =
  'not-registered' | 'awaiting' | 'processing' | 'success' | 'failed' | 'undocumented'

export interface StatusInfo {
  status: number
  category: StatusCategory
  /** Whether the docs mark the status final. */
  final: boolean
  ru: string
  en: string
}

/** Individually documented statuses. Ranges are handled by `describeStatus`. */
export const PAYMENT_STATUSES = {
  [-1]: {
    category: 'not-registered',
    final: false,
    ru: 'Платёж не зарегистрирован из-за временной ошибки, повторите запрос позже',
    en: 'Not registered because of a temporary error; send the request again later'
  },
  50: {
    category: 'processing',
    final: false,
    ru: 'Платёж принят к проведению',
    en: 'Accepted for processing'
  },
  52: {
    category: 'processing',
    final: false,
    ru: 'Платёж проводится (зачисляется получателю)',
    en: 'Being credited to the recipient'
  },
  60: { category: 'success', final: true, ru: 'Платёж проведён успешно', en: 'Processed successfully' },
  150: { category: 'failed', final: true, ru: 'Платёж отклонён (не принят)', en: 'Declined (not accepted)' },
  151: {
    category: 'failed',
    final: true,
    ru: 'Ошибка авторизации платежа',
    en: 'Authorization error for the payment'
  },
  160: {
    category: 'failed',
    final: true,
    ru: 'Платёж не проведён или отменён',
    en: 'Not processed or cancelled'
  }
} as const satisfies Record<number, Omit<StatusInfo, 'status'>>

/** Describes any status value, applying the ranges of spec §6 for undocumented ones. */
export function describeStatus(status: number): StatusInfo {
  if (Object.prototype.hasOwnProperty.call(PAYMENT_STATUSES, status)) {
    const e = (PAYMENT_STATUSES as Record<number, Omit<StatusInfo, 'status'>>)[status]
    if (e) return { status, ...e }
  }
  if (status >= 0 && status <= 49) {
    return {
      status,
      category: 'awaiting',
      final: false,
      ru: 'Платёж принят и ожидает подтверждения в QIWI; обратитесь в поддержку (bss@qiwi.com)',
      en: 'Accepted, awaiting confirmation inside QIWI; contact QIWI support (bss@qiwi.com)'
    }
  }
  if (status >= 50 && status <= 59) {
    return {
      status,
      category: 'processing',
      final: false,
      ru: 'Платёж проводится; сумма уже списана со счёта агента',
      en: 'Being processed; the amount is already debited from the agent account'
    }
  }
  if (status > 100) {
    return {
      status,
      category: 'failed',
      final: true,
      ru: 'Платёж не проведён; сумма возвращена на баланс агента',
      en: 'Processing failed; the amount is returned to the agent balance'
    }
  }
  return {
    status,
    category: 'undocumented',
    final: false,
    ru: 'Недокументированный статус платежа; требуется ручная проверка',
    en: 'Undocumented payment status; manual review required'
  }
}

// ---------------------------------------------------------------------------
// §7.5 request-level result codes (<result-code> under <response>)
// ---------------------------------------------------------------------------

export const REQUEST_RESULT_CODES = {
  0: { fatal: false, fatalSource: 'doc', ru: 'Нет ошибки', en: 'No error' },
  13: {
    fatal: false,
    fatalSource: 'doc',
    ru: 'Сервер занят, повторите запрос через минуту',
    en: 'Server busy; repeat the request in a minute'
  },
  150: {
    fatal: true,
    fatalSource: 'doc',
    ru: 'Ошибка авторизации: проверьте логин и пароль',
    en: 'Authorization error; check login and password'
  },
  204: {
    fatal: true,
    fatalSource: 'doc',
    ru: 'Недостаточный статус идентификации кошелька для проведения платежа',
    en: 'Wallet identification level too low for this payment'
  },
  300: {
    fatal: false,
    fatalSource: 'doc',
    ru: 'Неизвестная ошибка, повторите запрос',
    en: 'Unknown error; repeat the request'
  },
  339: {
    fatal: true,
    fatalSource: 'doc',
    ru: 'IP-адрес отправителя не разрешён (ограничение по IP)',
    en: 'Sender IP address not allowed (IP restriction)'
  }
} as const satisfies CodeTable

export type RequestResultCode = keyof typeof REQUEST_RESULT_CODES

export function lookupRequestCode(code: number): CodeInfo | undefined {
  return tableLookup(REQUEST_RESULT_CODES, code)
}

// ---------------------------------------------------------------------------
// §7.1–7.4 payment result codes (payment/@result-code)
// ---------------------------------------------------------------------------

const NO_ERROR = { fatal: false, fatalSource: 'derived', ru: 'Нет ошибки', en: 'No error' } as const
const C204 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Недостаточный уровень идентификации кошелька для этого платежа',
  en: 'Wallet identification level too low for this payment'
} as const
const C215 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Номер транзакции (transaction-number) уже использован с другими реквизитами платежа',
  en: 'The transaction-number already exists with different payment details'
} as const
const C220 = {
  fatal: false,
  fatalSource: 'derived',
  ru: 'Недостаточно средств на счёте агента',
  en: 'Not enough money on the agent account'
} as const
const C241 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Сумма меньше минимальной',
  en: 'Amount below the minimum'
} as const
const C242 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Сумма больше максимальной',
  en: 'Amount above the maximum'
} as const
const C298 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Кошелёк с таким номером телефона не может быть зарегистрирован (неверный телефон)',
  en: 'No wallet can be registered for this phone (invalid recipient phone)'
} as const
const C300 = {
  fatal: false,
  fatalSource: 'derived',
  ru: 'Неизвестная ошибка проведения; обратитесь в поддержку QIWI',
  en: 'Unknown processing error; contact QIWI support'
} as const
const C316 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Попытка авторизации заблокированного агента',
  en: 'Authorization attempt by a blocked agent'
} as const
const C319 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Пополнение счёта этого телефона запрещено',
  en: "Top-ups of this phone's account are prohibited"
} as const
const C700 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Превышен месячный лимит операций',
  en: 'Monthly operations limit exceeded'
} as const
const C702 = {
  fatal: true,
  fatalSource: 'derived',
  ru: 'Превышен лимит остатка на кошельке',
  en: 'Wallet balance limit exceeded'
} as const

function c155(ru: string, en: string): Omit<CodeInfo, 'code'> {
  return {
    fatal: true,
    fatalSource: 'derived',
    ru: `Платежи на этот сервис запрещены: ${ru}`,
    en: `Payments to this service are not allowed: ${en}`
  }
}

/** §7.1 wallet top-up (service 99). */
export const WALLET_RESULT_CODES = {
  0: NO_ERROR,
  155: c155('to/service-id должен быть 99', 'to/service-id must be 99'),
  204: C204,
  215: C215,
  220: C220,
  241: C241,
  242: C242,
  298: C298,
  300: C300,
  316: C316,
  319: C319,
  700: C700,
  702: C702
} as const satisfies CodeTable

/** §7.2 card payouts 34020 and SBP 38413. */
export const CARD_RESULT_CODES = {
  0: NO_ERROR,
  155: c155(
    'to/service-id должен быть 34020 (карты), 38413 (СБП) или 99 (кошелёк)',
    'to/service-id must be 34020 (card), 38413 (SBP) or 99 (wallet)'
  ),
  204: C204,
  215: C215,
  220: C220,
  242: C242,
  300: C300,
  316: C316
} as const satisfies CodeTable

/** §7.3 card "spec" 32911. */
export const CARD_SPEC_RESULT_CODES = {
  ...CARD_RESULT_CODES,
  155: c155(
    'to/service-id должен быть 32911 (карты) или 99 (кошелёк)',
    'to/service-id must be 32911 (cards) or 99 (wallet)'
  )
} as const satisfies CodeTable

/** §7.4 mobile 29130. */
export const MOBILE_RESULT_CODES = {
  0: NO_ERROR,
  155: c155('to/service-id должен быть 29130', 'to/service-id must be 29130'),
  215: C215,
  220: C220,
  241: C241,
  242: C242,
  298: C298,
  300: C300,
  316: C316,
  319: C319,
  700: C700,
  702: C702
} as const satisfies CodeTable

/**
 * The payment-code table of each product. Foreign cards (36655) have no table of
 * their own in the docs; the card table (§7.2) is the closest.
 */
export const PAYMENT_RESULT_TABLES = {
  wallet: WALLET_RESULT_CODES,
  card: CARD_RESULT_CODES,
  'card-spec': CARD_SPEC_RESULT_CODES,
  'card-foreign': CARD_RESULT_CODES,
  sbp: CARD_RESULT_CODES,
  mobile: MOBILE_RESULT_CODES
} as const satisfies Record<ServiceKind, CodeTable>

export function lookupPaymentCode(service: ServiceKind, code: number): CodeInfo | undefined {
  return tableLookup(PAYMENT_RESULT_TABLES[service], code)
}

/** Message for any payment code, with the docs' fallback for undocumented ones. */
export function describePaymentCode(service: ServiceKind, code: number): CodeInfo {
  return (
    lookupPaymentCode(service, code) ?? {
      code,
      fatal: false,
      fatalSource: 'derived',
      ru: `Код ${code}: обратитесь в поддержку QIWI`,
      en: `Code ${code}: contact QIWI support`
    }
  )
}

/** Message for any request-level code; unknown codes: the reply's `fatal` attribute is authoritative. */
export function describeRequestCode(code: number): CodeInfo {
  return (
    lookupRequestCode(code) ?? {
      code,
      fatal: false,
      fatalSource: 'derived',
      ru: `Код ${code}: обратитесь в поддержку QIWI`,
      en: `Code ${code}: contact QIWI support`
    }
  )
}

/** Request-level codes the docs mark fatal (150, 204, 339). */
export function isFatalRequestCode(code: number): boolean {
  return lookupRequestCode(code)?.fatal === true
}

/** Code 215: same transaction-number with different details. Never a failure of the original payment. */
export const DUPLICATE_MISMATCH_CODE = 215
