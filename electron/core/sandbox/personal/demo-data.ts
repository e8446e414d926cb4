/**
 * Deterministic history generator for the personal emulator: the same seed,
 * end time and count always give the same items. It produces what a client must
 * cope with: RUB/USD/KZT items, conversion pairs sharing one txnId (OUT in RUB,
 * IN in the target currency, same date), WAITING and ERROR items with
 * documented error codes, QIWI card payments, long Cyrillic comments.
 */
import { createRng } from '../rng'
import type { Rng } from '../rng'
import { describeTxnError, KNOWN_TXN_ERROR_CODES } from '../../personal/txn-error-codes'
import type { EmuHistoryItem, EmuState, EmuWallet } from './state'
import { allocTxnId, compareItems } from './state'

export interface GenerateHistoryOptions {
  /** Number of items (a conversion pair counts as two). */
  count: number
  seed: number
  /** Newest possible item time. */
  endMs: number
  /** Items are spread over this many days before endMs. Default 400. */
  spanDays?: number | undefined
  /** Share of conversion pairs among generated events (0..1). Default 0.06. */
  conversionShare?: number | undefined
}

const RATES: Record<string, string> = { '840': '92.4512', '398': '0.1873' }
const SOURCE_OF: Record<string, 'QW_RUB' | 'QW_USD' | 'QW_KZT'> = {
  '643': 'QW_RUB',
  '840': 'QW_USD',
  '398': 'QW_KZT'
}

const COMMENT_PARTS = [
  'Перевод за аренду квартиры',
  'Возврат долга, спасибо!',
  'Оплата заказа №',
  'Подарок на день рождения 🎂',
  'Компенсация расходов на командировку в Екатеринбург и Новосибирск',
  'За обеды сотрудников отдела в прошлом месяце согласно ведомости',
  'Оплата услуг по договору оказания услуг от 01.03.2024, НДС не облагается',
  'Членский взнос в садоводческое некоммерческое товарищество «Рябинушка»',
  'Съешь же ещё этих мягких французских булок, да выпей чаю',
  'Пополнение через терминал у станции метро «Проспект Вернадского»'
]

const PROVIDERS = {
  wallet: { id: 99, shortName: 'QIWI Кошелек', longName: 'Перевод на QIWI Кошелек' },
  mts: { id: 1, shortName: 'МТС', longName: 'МТС' },
  beeline: { id: 2, shortName: 'Билайн', longName: 'ПАО «ВымпелКом»' },
  card: { id: 1963, shortName: 'Visa', longName: 'Перевод на карту Visa (карты российских банков)' },
  convert: { id: 1099, shortName: 'Обмен валюты', longName: 'Конвертация между счетами QIWI Кошелька' },
  terminal: { id: 26476, shortName: 'Терминал QIWI', longName: 'Пополнение через терминал QIWI' },
  qvc: { id: 22351, shortName: 'QIWI Карта', longName: 'Оплата картой QIWI (QVC)' }
} as const

function pick<T>(rng: Rng, xs: readonly T[]): T {
  const x = xs[Math.floor(rng.next() * xs.length)]
  if (x === undefined) throw new Error('pick from empty list')
  return x
}

function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1))
}

function comment(rng: Rng): string {
  const r = rng.next()
  if (r < 0.35) return ''
  if (r < 0.8) return pick(rng, COMMENT_PARTS) + (rng.next() < 0.3 ? String(int(rng, 1000, 99999)) : '')
  // Long comments: several sentences, up to ~600 characters.
  const n = int(rng, 4, 10)
  const parts: string[] = []
  for (let i = 0; i < n; i++) parts.push(pick(rng, COMMENT_PARTS))
  return parts.join('. ') + '.'
}

function phone(rng: Rng): string {
  return `+79${String(int(rng, 0, 999_999_999)).padStart(9, '0')}`
}

function statusFor(rng: Rng): { status: EmuHistoryItem['status']; errorCode: number } {
  const r = rng.next()
  if (r < 0.9) return { status: 'SUCCESS', errorCode: 0 }
  if (r < 0.95) return { status: 'WAITING', errorCode: 0 }
  const codes = KNOWN_TXN_ERROR_CODES.filter((c) => c !== 0)
  return { status: 'ERROR', errorCode: pick(rng, codes) }
}

/** Appends `count` generated items to the wallet (keeps the history sorted). Returns the new items. */
export function generateHistory(
  state: EmuState,
  w: EmuWallet,
  opts: GenerateHistoryOptions
): EmuHistoryItem[] {
  const rng = createRng(opts.seed)
  const spanMs = (opts.spanDays ?? 400) * 86_400_000
  const convShare = opts.conversionShare ?? 0.06
  // Dates: descending random steps so that the items spread over the span.
  const avgStep = Math.max(1000, Math.floor(spanMs / Math.max(1, opts.count)))
  let t = Math.floor(opts.endMs / 1000) * 1000
  const items: EmuHistoryItem[] = []
  while (items.length < opts.count) {
    t -= int(rng, 1, (2 * avgStep) / 1000) * 1000
    const st = statusFor(rng)
    const base = {
      dateMs: t,
      waitingUntilMs: null,
      trmTxnId: null as string | null,
      currencyRate: '1',
      comment: comment(rng)
    }
    if (items.length + 1 < opts.count && rng.next() < convShare) {
      // Conversion pair: one txnId, OUT in RUB and IN in USD/KZT.
      const target = pick(rng, ['840', '398'] as const)
      const rate = RATES[target] ?? '1'
      const rub = int(rng, 100, 50_000) * 100
      const targetKopecks =
        target === '840'
          ? Math.max(1, Math.round((rub * 10_000) / 924_512))
          : Math.round((rub * 10_000) / 1_873)
      const txnId = allocTxnId(state)
      const common = {
        ...base,
        txnId,
        errorCode: 0,
        status: 'SUCCESS' as const,
        providerId: PROVIDERS.convert.id,
        providerShortName: PROVIDERS.convert.shortName,
        providerLongName: PROVIDERS.convert.longName,
        commissionKopecks: 0,
        currencyRate: rate
      }
      items.push({
        ...common,
        type: 'OUT',
        account: w.wallet,
        currency: '643',
        sumKopecks: rub,
        source: 'QW_RUB',
        comment: ''
      })
      items.push({
        ...common,
        type: 'IN',
        account: w.wallet,
        currency: target,
        sumKopecks: targetKopecks,
        source: SOURCE_OF[target] ?? 'QW_RUB',
        comment: ''
      })
      continue
    }
    const currency = pick(rng, [
      '643',
      '643',
      '643',
      '643',
      '643',
      '643',
      '643',
      '840',
      '398',
      '398'
    ] as const)
    const kind = rng.next()
    const txnId = allocTxnId(state)
    const sumKopecks =
      currency === '398'
        ? int(rng, 1, 400_000) * 100 + int(rng, 0, 99)
        : int(rng, 1, 30_000_00) + (rng.next() < 0.5 ? 0 : int(rng, 0, 99))
    if (kind < 0.4) {
      const p = rng.next() < 0.7 ? PROVIDERS.terminal : PROVIDERS.wallet
      items.push({
        ...base,
        ...st,
        txnId,
        type: 'IN',
        account: p === PROVIDERS.wallet ? phone(rng) : 'QIWI Терминал 4321',
        currency,
        sumKopecks,
        commissionKopecks: 0,
        providerId: p.id,
        providerShortName: p.shortName,
        providerLongName: p.longName,
        source: SOURCE_OF[currency] ?? 'QW_RUB'
      })
    } else if (kind < 0.47) {
      items.push({
        ...base,
        ...st,
        txnId,
        type: 'QIWI_CARD',
        account: '4693********1234',
        currency: '643',
        sumKopecks,
        commissionKopecks: 0,
        providerId: PROVIDERS.qvc.id,
        providerShortName: PROVIDERS.qvc.shortName,
        providerLongName: PROVIDERS.qvc.longName,
        source: 'QW_RUB'
      })
    } else {
      const p = pick(rng, [
        PROVIDERS.wallet,
        PROVIDERS.wallet,
        PROVIDERS.mts,
        PROVIDERS.beeline,
        PROVIDERS.card
      ])
      const src =
        p === PROVIDERS.card && rng.next() < 0.3
          ? 'CARD'
          : p === PROVIDERS.mts && rng.next() < 0.3
            ? 'MK'
            : (SOURCE_OF[currency] ?? 'QW_RUB')
      const commissionKopecks = p === PROVIDERS.card ? Math.ceil(sumKopecks / 50) + 5000 : 0
      items.push({
        ...base,
        ...st,
        txnId,
        type: 'OUT',
        account: p === PROVIDERS.card ? '4256********1231' : phone(rng),
        currency,
        sumKopecks,
        commissionKopecks,
        providerId: p.id,
        providerShortName: p.shortName,
        providerLongName: p.longName,
        source: src,
        trmTxnId: p === PROVIDERS.wallet && rng.next() < 0.5 ? String(t + int(rng, 0, 999)) : null
      })
    }
  }
  for (const it of items) w.history.push(it)
  w.history.sort(compareItems)
  return items
}

/** Status text as the docs show it ("Успешно", "Запрос обрабатывается", or the error text). */
export function statusText(status: EmuHistoryItem['status'], errorCode: number): string {
  if (status === 'SUCCESS') return 'Успешно'
  if (status === 'WAITING') return 'Запрос обрабатывается'
  return describeTxnError(errorCode, 'ru').message
}
