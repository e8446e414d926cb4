/**
 * Transaction `errorCode` table (spec §11.2): the code QIWI puts on history
 * items, single-transaction lookups and webhooks. English follows the spec's
 * wording; Russian is the product's translation. The test suite compares the
 * keys with the table in the spec, so a code added there fails until added here.
 */

export type Lang = 'ru' | 'en'

/** What the user can do about a failed transaction. */
export type TxnErrorClass =
  'ok' | 'retry-later' | 'recipient' | 'sender' | 'funds' | 'amount' | 'limit' | 'cancelled' | 'card'

interface TxnErrorEntry {
  readonly cls: TxnErrorClass
  readonly ru: string
  readonly en: string
}

export const TXN_ERROR_CODES = {
  0: { cls: 'ok', ru: 'Успешно', en: 'OK' },
  3: {
    cls: 'retry-later',
    ru: 'Техническая ошибка, повторите платёж позже',
    en: 'Technical error, retry later'
  },
  4: { cls: 'recipient', ru: 'Неверный формат телефона или счёта', en: 'Wrong phone/account format' },
  5: { cls: 'recipient', ru: 'Данного номера не существует', en: 'The number does not exist' },
  8: {
    cls: 'retry-later',
    ru: 'Технические неполадки на стороне банка-получателя, повторите позже',
    en: 'Technical problem at the recipient bank, retry later'
  },
  57: {
    cls: 'recipient',
    ru: 'Статус кошелька получателя не позволяет принять перевод (получателю нужно указать паспортные данные)',
    en: 'Recipient wallet status does not allow receiving (the recipient must add passport data)'
  },
  131: {
    cls: 'sender',
    ru: 'Платёж недоступен для вашей страны',
    en: 'Payment unavailable for your country'
  },
  166: {
    cls: 'sender',
    ru: 'Статус вашего кошелька не позволяет провести платёж',
    en: 'Your wallet status does not allow the payment'
  },
  167: {
    cls: 'recipient',
    ru: 'Статус кошелька получателя не позволяет провести перевод',
    en: 'Recipient wallet status does not allow the transfer'
  },
  202: {
    cls: 'retry-later',
    ru: 'Техническая ошибка, повторите платёж позже',
    en: 'Technical error, retry later'
  },
  204: {
    cls: 'sender',
    ru: 'Статус вашего кошелька не позволяет пополнить его наличными',
    en: 'Your wallet status does not allow cash top-up'
  },
  220: { cls: 'funds', ru: 'Недостаточно средств', en: 'Insufficient funds' },
  241: { cls: 'amount', ru: 'Сумма платежа должна быть больше 1 рубля', en: 'Amount must exceed 1 RUB' },
  242: { cls: 'amount', ru: 'Сумма платежа больше максимальной', en: 'Amount above maximum' },
  254: { cls: 'amount', ru: 'Сумма платежа должна быть больше 1 рубля', en: 'Amount must exceed 1 RUB' },
  271: {
    cls: 'retry-later',
    ru: 'Технические неполадки на стороне банка-получателя',
    en: 'Technical problem at the recipient bank'
  },
  300: {
    cls: 'retry-later',
    ru: 'Техническая ошибка, повторите платёж позже',
    en: 'Technical error, retry later'
  },
  303: {
    cls: 'recipient',
    ru: 'Неверный номер телефона: нужно 10 цифр',
    en: 'Wrong phone number: 10 digits expected'
  },
  319: {
    cls: 'sender',
    ru: 'Статус вашего кошелька не позволяет провести платёж',
    en: 'Your wallet status does not allow the payment'
  },
  407: { cls: 'funds', ru: 'Недостаточно средств на вашей карте', en: 'Insufficient funds on your card' },
  408: {
    cls: 'cancelled',
    ru: 'Такой платёж уже существует: оплатите или отмените его',
    en: 'The same payment already exists: pay or cancel it'
  },
  455: {
    cls: 'funds',
    ru: 'Невозможно из-за ограничения на минимальный остаток',
    en: 'Not possible because of a minimum-balance restriction'
  },
  461: { cls: 'cancelled', ru: 'Истекло время подтверждения', en: 'Confirmation time expired' },
  472: { cls: 'funds', ru: 'Недостаточно денег в кошельке', en: 'Not enough money in the wallet' },
  500: {
    cls: 'recipient',
    ru: 'Техническая ошибка в банке-получателе (обратитесь в банк)',
    en: 'Technical error at the recipient bank (contact the bank)'
  },
  522: {
    cls: 'card',
    ru: 'Неверный номер или срок действия карты получателя',
    en: 'Wrong recipient card number or expiry'
  },
  547: { cls: 'card', ru: 'Неверный срок действия карты получателя', en: 'Wrong recipient card expiry' },
  548: { cls: 'card', ru: 'Истёк срок действия карты получателя', en: 'Recipient card expired' },
  558: { cls: 'amount', ru: 'Сумма платежа больше максимальной', en: 'Amount above maximum' },
  561: {
    cls: 'recipient',
    ru: 'Банк получателя отклонил платёж',
    en: 'The recipient bank refuses the payment'
  },
  700: {
    cls: 'limit',
    ru: 'Превышен лимит для статуса вашего кошелька',
    en: 'Limit for your wallet status exceeded'
  },
  702: {
    cls: 'limit',
    ru: 'Превышен лимит на остаток в кошельке получателя',
    en: "Recipient's balance limit exceeded"
  },
  704: { cls: 'limit', ru: 'Превышен месячный лимит кошелька', en: 'Monthly wallet limit exceeded' },
  705: { cls: 'limit', ru: 'Превышен месячный лимит кошелька', en: 'Monthly wallet limit exceeded' },
  710: {
    cls: 'limit',
    ru: 'Превышен недельный лимит платежей одному получателю',
    en: 'Weekly limit for payments to the same recipient exceeded'
  },
  711: {
    cls: 'limit',
    ru: 'Превышен месячный лимит на этот вид операций',
    en: 'Monthly limit for this operation type exceeded'
  },
  716: {
    cls: 'limit',
    ru: 'Превышен месячный лимит вывода на карты',
    en: 'Monthly card withdrawal limit exceeded'
  },
  717: {
    cls: 'limit',
    ru: 'Превышен дневной лимит вывода на карты',
    en: 'Daily card withdrawal limit exceeded'
  },
  746: {
    cls: 'limit',
    ru: 'Превышен лимит платежей одному получателю',
    en: 'Limit for the same recipient exceeded'
  },
  747: {
    cls: 'limit',
    ru: 'Превышено количество операций одному получателю',
    en: 'Number of operations to the same recipient exceeded'
  },
  749: {
    cls: 'retry-later',
    ru: 'Техническая ошибка, обратитесь в поддержку',
    en: 'Technical error, contact support'
  },
  750: {
    cls: 'retry-later',
    ru: 'Техническая ошибка, повторите платёж позже',
    en: 'Technical error, retry later'
  },
  757: { cls: 'limit', ru: 'Превышен лимит количества платежей', en: 'Number-of-payments limit exceeded' },
  797: {
    cls: 'cancelled',
    ru: 'Платёж отменён, деньги возвращены в кошелёк',
    en: 'Payment cancelled, money returned to the wallet'
  },
  852: {
    cls: 'limit',
    ru: 'Превышен лимит платежей одному получателю',
    en: 'Limit for the same recipient exceeded'
  },
  866: {
    cls: 'limit',
    ru: 'Превышен месячный лимит 5 000 ₽ на исходящие переводы RUB/USD/EUR → KZT',
    en: 'Monthly 5 000 RUB limit on outgoing RUB/USD/EUR → KZT transfers exceeded'
  },
  867: {
    cls: 'limit',
    ru: 'Превышен месячный лимит 5 000 ₽ на входящие переводы RUB/USD/EUR → KZT',
    en: 'Monthly 5 000 RUB limit on incoming RUB/USD/EUR → KZT transfers exceeded'
  },
  893: { cls: 'cancelled', ru: 'Перевод отклонён: истёк срок', en: 'Transfer rejected, expired' },
  901: {
    cls: 'cancelled',
    ru: 'Истёк срок действия кода подтверждения платежа',
    en: 'Payment confirmation code expired'
  },
  943: { cls: 'limit', ru: 'Превышен месячный лимит переводов', en: 'Monthly transfer limit exceeded' },
  1050: { cls: 'limit', ru: 'Превышен лимит на такие операции', en: 'Limit for such operations exceeded' },
  7000: { cls: 'card', ru: 'Платёж отклонён, проверьте реквизиты карты', en: 'Declined, check card details' },
  7600: {
    cls: 'card',
    ru: 'Платёж отклонён, обратитесь в банк, выпустивший карту',
    en: 'Declined, contact the card issuer'
  }
} as const satisfies Record<number, TxnErrorEntry>

/** A code documented in spec §11.2. */
export type TxnErrorCode = keyof typeof TXN_ERROR_CODES

export const KNOWN_TXN_ERROR_CODES: readonly TxnErrorCode[] = Object.keys(TXN_ERROR_CODES).map(
  Number
) as TxnErrorCode[]

export function isKnownTxnErrorCode(code: number): code is TxnErrorCode {
  return Object.prototype.hasOwnProperty.call(TXN_ERROR_CODES, code)
}

export interface TxnErrorDescription {
  code: number
  known: boolean
  cls: TxnErrorClass | 'unknown'
  message: string
}

/** Human text for a transaction errorCode; undocumented codes get a generic text with the number. */
export function describeTxnError(code: number, lang: Lang = 'ru'): TxnErrorDescription {
  if (isKnownTxnErrorCode(code)) {
    const e: TxnErrorEntry = TXN_ERROR_CODES[code]
    return { code, known: true, cls: e.cls, message: e[lang] }
  }
  return {
    code,
    known: false,
    cls: 'unknown',
    message: lang === 'ru' ? `Ошибка платежа (код ${code})` : `Payment error (code ${code})`
  }
}
