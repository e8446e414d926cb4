/**
 * zod schemas for every documented personal-API payload. They run on the
 * output of the strict parser (json.ts), where numbers are `JsonNumber`s with
 * their raw text, and produce the domain types of types.ts:
 * - amounts: at most 2 decimals, no exponent, no NaN/Infinity, safe in kopecks;
 * - ids: 1..20 digits, as strings (numbers > 2^53 stay exact);
 * - rates: normalized decimal strings;
 * - dates: ISO-8601 with an offset (or Z), kept as sent.
 * Unknown fields are dropped; missing optional fields become null.
 */
import { z } from 'zod'
import { CURRENCIES } from '../../../shared/money'
import { kopecksToDecimal, normalizeDecimal, wireAmountToKopecks } from './decimal'
import type { JsonValue } from './json'
import { JsonNumber, parseJson } from './json'
import type {
  Account,
  Commission,
  CurrencyCode,
  HistoryPage,
  LegacyAccount,
  Money,
  PaymentHistoryItem,
  PaymentInfo,
  Profile,
  ProviderInfo,
  Totals,
  Transaction,
  TransactionFeatures
} from './types'

// ---------------------------------------------------------------- primitives

const jsonNumber = z.custom<JsonNumber>((v) => v instanceof JsonNumber, { message: 'expected a number' })

function nn<T>(v: T | null | undefined): T | null {
  return v ?? null
}

/** An id of 1..20 digits, sent as a JSON number or a string → string. */
export const idSchema = z.union([jsonNumber.transform((n) => n.raw), z.string()]).transform((s, ctx) => {
  if (!/^\d{1,20}$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: `not an id of 1..20 digits: ${s.slice(0, 30)}` })
    return z.NEVER
  }
  return s
})

/** A small integer code (errorCode), number or digit string → number. */
export const codeSchema = z.union([jsonNumber.transform((n) => n.raw), z.string()]).transform((s, ctx) => {
  if (!/^-?\d{1,9}$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: `not an integer code: ${s.slice(0, 30)}` })
    return z.NEVER
  }
  return Number(s)
})

/** An amount with ≤ 2 decimals → kopecks. Strings are accepted with the same rules. */
export const kopecksSchema = z.union([jsonNumber.transform((n) => n.raw), z.string()]).transform((s, ctx) => {
  const k = wireAmountToKopecks(s)
  if (k === null) {
    ctx.addIssue({ code: 'custom', message: `invalid amount: ${s.slice(0, 40)}` })
    return z.NEVER
  }
  return k
})

const ALPHA_TO_NUMERIC: Record<string, string> = Object.fromEntries(
  Object.entries(CURRENCIES).map(([num, alpha]) => [alpha, num])
)

/** Currency as 643, "643" or (v1) "RUB" → "643". Unknown alphabetic codes are kept as sent. */
export const currencySchema = z
  .union([jsonNumber.transform((n) => n.raw), z.string()])
  .transform((s, ctx): CurrencyCode => {
    if (/^\d{3}$/.test(s)) return s
    if (/^[A-Z]{3}$/.test(s)) return ALPHA_TO_NUMERIC[s] ?? s
    ctx.addIssue({ code: 'custom', message: `invalid currency: ${s.slice(0, 20)}` })
    return z.NEVER
  })

/** A decimal such as a conversion rate → normalized string. */
export const decimalSchema = z.union([jsonNumber.transform((n) => n.raw), z.string()]).transform((s, ctx) => {
  const d = normalizeDecimal(s)
  if (d === null) {
    ctx.addIssue({ code: 'custom', message: `invalid decimal: ${s.slice(0, 40)}` })
    return z.NEVER
  }
  return d
})

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

/** An ISO-8601 date-time with offset, kept as sent. */
export const dateSchema = z.string().refine((s) => ISO_RE.test(s) && Number.isFinite(Date.parse(s)), {
  message: 'invalid date-time'
})

/** Short free text fields (comments can be long; 4 KiB is far above anything QIWI accepts). */
const text = z.string().max(4096)
/** Longer service text (provider keywords, descriptions with HTML). */
const longText = z.string().max(16384)

export const moneySchema = z
  .object({ amount: kopecksSchema, currency: currencySchema })
  .transform((m): Money => ({ amount: kopecksToDecimal(m.amount), kopecks: m.amount, currency: m.currency }))

/** v1 balance: `{amount, currencyId}`. */
const moneyV1Schema = z
  .object({ amount: kopecksSchema, currencyId: currencySchema })
  .transform((m): Money => ({
    amount: kopecksToDecimal(m.amount),
    kopecks: m.amount,
    currency: m.currencyId
  }))

// ------------------------------------------------------------------- history

export const providerSchema = z
  .object({
    id: idSchema.nullish(),
    shortName: text.nullish(),
    longName: text.nullish(),
    logoUrl: text.nullish(),
    description: longText.nullish(),
    keys: longText.nullish(),
    siteUrl: text.nullish()
  })
  .transform((p): ProviderInfo => ({
    id: nn(p.id),
    shortName: nn(p.shortName),
    longName: nn(p.longName),
    logoUrl: nn(p.logoUrl),
    description: nn(p.description),
    keys: nn(p.keys),
    siteUrl: nn(p.siteUrl)
  }))

export const txnStatusSchema = z.enum(['WAITING', 'SUCCESS', 'ERROR'])
export const txnTypeSchema = z.enum(['IN', 'OUT', 'QIWI_CARD'])

const historyItemShape = {
  txnId: idSchema,
  personId: idSchema,
  date: dateSchema,
  errorCode: codeSchema,
  error: text.nullish(),
  status: txnStatusSchema,
  type: txnTypeSchema,
  statusText: text.nullish(),
  trmTxnId: text.nullish(),
  account: text.nullish(),
  sum: moneySchema,
  commission: moneySchema.nullish(),
  total: moneySchema,
  provider: providerSchema.nullish(),
  source: providerSchema.nullish(),
  comment: text.nullish(),
  currencyRate: decimalSchema.nullish()
}

type HistoryItemWire = z.output<z.ZodObject<typeof historyItemShape>>

function toHistoryItem(w: HistoryItemWire): PaymentHistoryItem {
  return {
    txnId: w.txnId,
    personId: w.personId,
    date: w.date,
    errorCode: w.errorCode,
    error: nn(w.error),
    status: w.status,
    type: w.type,
    statusText: nn(w.statusText),
    trmTxnId: nn(w.trmTxnId),
    account: nn(w.account),
    sum: w.sum,
    commission: nn(w.commission),
    total: w.total,
    provider: nn(w.provider),
    source: nn(w.source),
    comment: nn(w.comment),
    currencyRate: nn(w.currencyRate)
  }
}

/** `PaymentHistoryItem` (§4.5); also fits v1 items (alphabetic currencies, flat flags ignored). */
export const historyItemSchema: z.ZodType<PaymentHistoryItem> = z
  .object(historyItemShape)
  .transform(toHistoryItem)

export const historyPageSchema: z.ZodType<HistoryPage> = z
  .object({
    data: z.array(historyItemSchema).max(50),
    nextTxnId: idSchema.nullish(),
    nextTxnDate: dateSchema.nullish()
  })
  .transform((p): HistoryPage => ({
    data: p.data,
    nextTxnId: nn(p.nextTxnId),
    nextTxnDate: nn(p.nextTxnDate)
  }))

const featuresSchema = z
  .object({
    chequeReady: z.boolean().nullish(),
    bankDocumentAvailable: z.boolean().nullish(),
    bankDocumentReady: z.boolean().nullish(),
    repeatPaymentEnabled: z.boolean().nullish(),
    favoritePaymentEnabled: z.boolean().nullish(),
    regularPaymentEnabled: z.boolean().nullish(),
    chatAvailable: z.boolean().nullish(),
    greetingCardAttached: z.boolean().nullish()
  })
  .transform((f): TransactionFeatures => ({
    chequeReady: nn(f.chequeReady),
    bankDocumentAvailable: nn(f.bankDocumentAvailable),
    bankDocumentReady: nn(f.bankDocumentReady),
    repeatPaymentEnabled: nn(f.repeatPaymentEnabled),
    favoritePaymentEnabled: nn(f.favoritePaymentEnabled),
    regularPaymentEnabled: nn(f.regularPaymentEnabled),
    chatAvailable: nn(f.chatAvailable),
    greetingCardAttached: nn(f.greetingCardAttached)
  }))

/** `Transaction` (§4.3 / §4.5). */
export const transactionSchema: z.ZodType<Transaction> = z
  .object({
    ...historyItemShape,
    features: featuresSchema.nullish(),
    view: z.object({ title: text.nullish(), account: text.nullish() }).nullish()
  })
  .transform((w): Transaction => ({
    ...toHistoryItem(w),
    features: nn(w.features),
    view: w.view ? { title: nn(w.view.title), account: nn(w.view.account) } : null
  }))

export const totalsSchema: z.ZodType<Totals> = z.object({
  incomingTotal: z.array(moneySchema).max(64),
  outgoingTotal: z.array(moneySchema).max(64)
})

// ------------------------------------------------------------------ profile

export const profileSchema: z.ZodType<Profile> = z
  .object({
    authInfo: z
      .object({
        boundEmail: text.nullish(),
        ip: text.nullish(),
        lastLoginDate: dateSchema.nullish(),
        mobilePinInfo: z
          .object({
            lastMobilePinChange: dateSchema.nullish(),
            mobilePinUsed: z.boolean().nullish(),
            nextMobilePinChange: dateSchema.nullish()
          })
          .nullish(),
        passInfo: z
          .object({
            lastPassChange: dateSchema.nullish(),
            nextPassChange: dateSchema.nullish(),
            passwordUsed: z.boolean().nullish()
          })
          .nullish(),
        personId: idSchema.nullish(),
        pinInfo: z.object({ pinUsed: z.boolean().nullish() }).nullish(),
        registrationDate: dateSchema.nullish()
      })
      .nullish(),
    contractInfo: z
      .object({
        blocked: z.boolean().nullish(),
        contractId: idSchema.nullish(),
        creationDate: dateSchema.nullish(),
        identificationInfo: z
          .array(
            z.object({
              bankAlias: text.nullish(),
              identificationLevel: text.nullish(),
              passportExpired: z.boolean().nullish()
            })
          )
          .max(32)
          .nullish()
      })
      .nullish(),
    userInfo: z
      .object({
        defaultPayCurrency: currencySchema.nullish(),
        defaultPaySource: idSchema.nullish(),
        email: text.nullish(),
        firstTxnId: idSchema.nullish(),
        language: text.nullish(),
        operator: text.nullish(),
        phoneHash: text.nullish(),
        promoEnabled: z.union([text, z.boolean().transform((b) => String(b))]).nullish()
      })
      .nullish()
  })
  .transform((p): Profile => ({
    authInfo: p.authInfo
      ? {
          personId: nn(p.authInfo.personId),
          registrationDate: nn(p.authInfo.registrationDate),
          boundEmail: nn(p.authInfo.boundEmail),
          ip: nn(p.authInfo.ip),
          lastLoginDate: nn(p.authInfo.lastLoginDate),
          mobilePinUsed: nn(p.authInfo.mobilePinInfo?.mobilePinUsed),
          lastMobilePinChange: nn(p.authInfo.mobilePinInfo?.lastMobilePinChange),
          nextMobilePinChange: nn(p.authInfo.mobilePinInfo?.nextMobilePinChange),
          passwordUsed: nn(p.authInfo.passInfo?.passwordUsed),
          lastPassChange: nn(p.authInfo.passInfo?.lastPassChange),
          nextPassChange: nn(p.authInfo.passInfo?.nextPassChange),
          pinUsed: nn(p.authInfo.pinInfo?.pinUsed)
        }
      : null,
    contractInfo: p.contractInfo
      ? {
          blocked: nn(p.contractInfo.blocked),
          contractId: nn(p.contractInfo.contractId),
          creationDate: nn(p.contractInfo.creationDate),
          identificationInfo: (p.contractInfo.identificationInfo ?? []).map((i) => ({
            bankAlias: nn(i.bankAlias),
            identificationLevel: nn(i.identificationLevel),
            passportExpired: nn(i.passportExpired)
          }))
        }
      : null,
    userInfo: p.userInfo
      ? {
          defaultPayCurrency: nn(p.userInfo.defaultPayCurrency),
          defaultPaySource: nn(p.userInfo.defaultPaySource),
          email: nn(p.userInfo.email),
          firstTxnId: nn(p.userInfo.firstTxnId),
          language: nn(p.userInfo.language),
          operator: nn(p.userInfo.operator),
          phoneHash: nn(p.userInfo.phoneHash),
          promoEnabled: nn(p.userInfo.promoEnabled)
        }
      : null
  }))

// ------------------------------------------------------------------ balances

/** `balance` may be null (en), an empty object (ru) or `{amount, currency}` (P13). */
const balanceValueSchema = z.union([moneySchema, z.strictObject({}).transform(() => null), z.null()])

export const accountSchema: z.ZodType<Account> = z
  .object({
    alias: text,
    fsAlias: text.nullish(),
    bankAlias: text.nullish(),
    title: text.nullish(),
    type: z.object({ id: text.nullish(), title: text.nullish() }).nullish(),
    hasBalance: z.boolean(),
    balance: balanceValueSchema.optional(),
    currency: currencySchema.nullish()
  })
  .transform((a): Account => ({
    alias: a.alias,
    fsAlias: nn(a.fsAlias),
    bankAlias: nn(a.bankAlias),
    title: nn(a.title),
    type: a.type ? { id: nn(a.type.id), title: nn(a.type.title) } : null,
    hasBalance: a.hasBalance,
    balance: nn(a.balance),
    currency: nn(a.currency)
  }))

export const balancesSchema = z.object({ accounts: z.array(accountSchema).max(256) })

/** v1 (seed 002) balance reply. */
export const balancesV1Schema = z.object({
  accounts: z
    .array(
      z
        .object({
          fsAlias: text.nullish(),
          title: text.nullish(),
          type: z.object({ id: text.nullish(), title: text.nullish() }).nullish(),
          currencyId: currencySchema.nullish(),
          balance: z.union([moneyV1Schema, z.strictObject({}).transform(() => null), z.null()]).optional()
        })
        .transform((a): LegacyAccount => ({
          fsAlias: nn(a.fsAlias),
          title: nn(a.title),
          type: a.type ? { id: nn(a.type.id), title: nn(a.type.title) } : null,
          currency: nn(a.currencyId),
          balance: nn(a.balance)
        }))
    )
    .max(256)
})

// ---------------------------------------------------------------- payments

const stringish = z.union([z.string().max(1024), jsonNumber.transform((n) => n.raw)])

export const commissionSchema: z.ZodType<Commission> = z
  .object({
    providerId: idSchema,
    withdrawSum: moneySchema,
    enrollmentSum: moneySchema,
    qwCommission: moneySchema,
    fundingSourceCommission: moneySchema.nullish(),
    withdrawToEnrollmentRate: decimalSchema.nullish()
  })
  .transform((c): Commission => ({
    providerId: c.providerId,
    withdrawSum: c.withdrawSum,
    enrollmentSum: c.enrollmentSum,
    qwCommission: c.qwCommission,
    fundingSourceCommission: nn(c.fundingSourceCommission),
    withdrawToEnrollmentRate: nn(c.withdrawToEnrollmentRate)
  }))

/** `PaymentInfo` (§7.2) and the legacy proxy.action reply (id printed with a leading ':'). */
export const paymentInfoSchema: z.ZodType<PaymentInfo> = z
  .object({
    id: stringish,
    terms: stringish.nullish(),
    fields: z.record(z.string(), stringish),
    sum: moneySchema,
    transaction: z.object({ id: idSchema, state: z.object({ code: z.string().max(64) }) }),
    source: text.nullish(),
    comment: text.nullish()
  })
  .transform((p, ctx): PaymentInfo => {
    const id = p.id.startsWith(':') ? p.id.slice(1) : p.id
    if (!/^\d{1,20}$/.test(id)) {
      ctx.addIssue({ code: 'custom', message: 'payment id is not 1..20 digits' })
      return z.NEVER
    }
    return {
      id,
      terms: nn(p.terms),
      fields: { ...p.fields },
      sum: p.sum,
      transactionId: p.transaction.id,
      state: p.transaction.state.code,
      source: nn(p.source),
      comment: nn(p.comment)
    }
  })

/** Request body of a payment (§7.1, §7.3); the emulator validates incoming bodies with it. */
export const paymentRequestSchema = z.object({
  id: z.string().regex(/^\d{1,20}$/),
  sum: z.object({ amount: kopecksSchema, currency: z.string().regex(/^\d{3}$/) }),
  paymentMethod: z.object({ type: z.literal('Account'), accountId: z.string().regex(/^\d{3}$/) }),
  comment: text.optional(),
  fields: z.record(z.string().max(64), z.string().max(1024))
})

/** Legacy proxy.action payment body (seed 002). */
export const legacyPaymentRequestSchema = paymentRequestSchema.extend({ source: z.literal('account_643') })

/** onlineCommission request body (§6). */
export const commissionRequestSchema = z.object({
  account: z.string().max(64),
  paymentMethod: z.object({ type: z.literal('Account'), accountId: z.string().regex(/^\d{3}$/) }),
  purchaseTotals: z.object({
    total: z.object({ amount: kopecksSchema, currency: z.string().regex(/^\d{3}$/) })
  })
})

// ----------------------------------------------------------------------- CAS

export const casTgtRequestSchema = z.object({
  login: z.string().min(1).max(64),
  password: z.string().min(1).max(256)
})
export const casStRequestSchema = z.object({
  service: z.string().min(1).max(512),
  ticket: z.string().min(1).max(512)
})
export const casTgtResponseSchema = z.object({
  entity: z.object({ user: text.nullish(), ticket: z.string().min(1).max(512) }),
  links: z
    .array(z.object({ rel: text.nullish(), href: text.nullish() }))
    .max(16)
    .nullish()
})
export const casStResponseSchema = z.object({
  entity: z.object({ ticket: z.string().min(1).max(512) }),
  links: z.array(z.unknown()).max(16).nullish()
})

// ---------------------------------------- other documented payloads (§3, §8, §9)

export const identificationRequestSchema = z.object({
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  firstName: text,
  middleName: text,
  lastName: text,
  passport: z.string().regex(/^\d*$/),
  inn: z.string().regex(/^\d*$/),
  snils: z.string().regex(/^[\d -]*$/),
  oms: z.string().regex(/^\d*$/)
})

export const identificationResponseSchema = z.object({
  id: idSchema,
  type: z.enum(['SIMPLE', 'VERIFIED', 'FULL']),
  birthDate: z.string().nullish(),
  firstName: text.nullish(),
  middleName: text.nullish(),
  lastName: text.nullish(),
  passport: text.nullish(),
  inn: text.nullish(),
  snils: text.nullish(),
  oms: text.nullish()
})

export const restrictionsSchema = z
  .array(z.object({ restrictionCode: text, restrictionDescription: text.nullish() }))
  .max(64)

export const webhookInfoSchema = z.object({
  hookId: z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/),
  hookParameters: z.object({ url: text }),
  hookType: z.string().max(16),
  txnType: z.enum(['IN', 'OUT', 'BOTH'])
})
export const webhookKeySchema = z.object({ key: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/) })
export const webhookResponseSchema = z.object({ response: text })

export const webhookNotificationSchema = z.object({
  messageId: z.string().max(64),
  hookId: z.string().max(64),
  payment: z.object({
    txnId: idSchema,
    date: dateSchema,
    type: txnTypeSchema,
    status: txnStatusSchema,
    errorCode: codeSchema,
    personId: idSchema,
    account: text.nullish(),
    comment: text.nullish(),
    provider: idSchema.nullish(),
    sum: moneySchema,
    commission: moneySchema.nullish(),
    total: moneySchema,
    signFields: z.string().max(512)
  }),
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullish(),
  version: z.string().max(16),
  test: z.boolean()
})

export const billsSearchSchema = z.object({
  bills: z
    .array(
      z.object({
        id: idSchema,
        external_id: text.nullish(),
        creation_datetime: idSchema,
        expiration_datetime: idSchema.nullish(),
        sum: moneySchema,
        status: z.string().max(64),
        type: z.string().max(64).nullish(),
        repetitive: z.boolean().nullish(),
        provider: z
          .object({
            id: idSchema,
            short_name: text.nullish(),
            long_name: text.nullish(),
            logo_url: text.nullish()
          })
          .nullish(),
        comment: text.nullish(),
        pay_url: text.nullish()
      })
    )
    .max(50)
})

export const billPayResponseSchema = z.object({
  invoice_status: z.string().max(64),
  is_sms_confirm: z.boolean().nullish(),
  WALLET_ACCEPT_PAY_RESULT: z.unknown().optional()
})

// ------------------------------------------------------------------- helpers

export type ParseFailure = { ok: false; stage: 'json' | 'schema'; message: string }
export type ParseOutcome<T> = { ok: true; value: T } | ParseFailure

/** Strict-parse `text` and validate it against `schema`; never throws. */
export function parseWith<T>(
  schema: z.ZodType<T>,
  text: string,
  maxLength = 4 * 1024 * 1024
): ParseOutcome<T> {
  const j = parseJson(text, { maxLength })
  if (!j.ok) return { ok: false, stage: 'json', message: `${j.reason} at ${j.position}` }
  return validate(schema, j.value)
}

/** Validate an already parsed value; never throws. */
export function validate<T>(schema: z.ZodType<T>, value: JsonValue): ParseOutcome<T> {
  const r = schema.safeParse(value)
  if (r.success) return { ok: true, value: r.data }
  const first = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
  return { ok: false, stage: 'schema', message: first.join('; ') }
}
