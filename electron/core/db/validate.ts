/**
 * Input schemas for the repositories. The database re-checks most of this with
 * CHECK constraints; validating first gives the caller a field name instead of a
 * constraint error, and keeps bad input from opening a write transaction at all.
 */
import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import { MAX_KOPECKS } from '../../../shared/money'
import {
  AUTH_MODES,
  PAYOUT_SERVICES,
  PAYOUT_STATES,
  SIGNATURE_ALGS,
  NEXT_ACTIONS,
  EVENT_KINDS
} from './types'

/** Parses with `schema` or throws AppError('invalid-input') naming the first bad field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : what
  throw new AppError('invalid-input', `${what}: ${path}: ${issue?.message ?? 'invalid'}`, { field: path })
}

/** True when `s` has a C0 control character (tab allowed unless `allowTab` is false) or DEL. */
export function hasControlChars(s: string, allowTab = true): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c < 0x20 && !(allowTab && c === 0x09)) || c === 0x7f) return true
  }
  return false
}

export const digitsId = z.string().regex(/^[1-9]\d{0,19}$/, 'must be 1..20 digits, no leading zero')
export const timestamp = z.number().int().min(0).max(8_640_000_000_000_000)
export const kopecks = z.number().int().min(1).max(MAX_KOPECKS)

const secretRef = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\n\r]*$/, 'must be one line')
  .refine((s) => !s.includes('-----'), 'must be a keychain account name, not key material')

const endpoint = z.string().refine((s) => {
  if (s === 'sandbox') return true
  if (s.length > 255) return false
  try {
    const u = new URL(s)
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s
  } catch {
    return false
  }
}, "must be 'sandbox' or an origin like https://host[:port]")

const terminalFields = {
  name: z
    .string()
    .min(1)
    .max(100)
    .refine((s) => !hasControlChars(s), 'must not contain control characters')
    .refine((s) => s === s.trim(), 'must not start or end with spaces'),
  terminalId: digitsId,
  endpoint,
  authMode: z.enum(AUTH_MODES),
  signatureAlg: z.enum(SIGNATURE_ALGS).nullable(),
  passwordRef: secretRef.nullable(),
  signingKeyRef: secretRef.nullable(),
  signingPassphraseRef: secretRef.nullable(),
  clientCertRef: secretRef.nullable(),
  clientCertPassphraseRef: secretRef.nullable(),
  caCertRef: secretRef.nullable(),
  certSubject: z.string().max(1000).nullable(),
  certIssuer: z.string().max(1000).nullable(),
  certFingerprintSha256: z.string().max(128).nullable(),
  certNotAfter: timestamp.nullable(),
  serverSpkiPins: z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a base64 SHA-256 pin')).max(16),
  servicesAllowed: z
    .array(z.enum(PAYOUT_SERVICES))
    .refine((a) => new Set(a).size === a.length, 'must not repeat a service'),
  precheckAbsentWalletPolicy: z.enum(['pay', 'decline']),
  lowBalanceKopecks: z.number().int().min(0).max(MAX_KOPECKS).nullable(),
  minPollSeconds: z.number().int().min(1).max(86_400),
  deskPrefix: z.number().int().min(10).max(99)
}

export const newTerminalSchema = z
  .strictObject({
    id: z.uuid().optional(),
    name: terminalFields.name,
    terminalId: terminalFields.terminalId,
    endpoint: terminalFields.endpoint,
    authMode: terminalFields.authMode,
    signatureAlg: terminalFields.signatureAlg.optional(),
    passwordRef: terminalFields.passwordRef.optional(),
    signingKeyRef: terminalFields.signingKeyRef.optional(),
    signingPassphraseRef: terminalFields.signingPassphraseRef.optional(),
    clientCertRef: terminalFields.clientCertRef.optional(),
    clientCertPassphraseRef: terminalFields.clientCertPassphraseRef.optional(),
    caCertRef: terminalFields.caCertRef.optional(),
    certSubject: terminalFields.certSubject.optional(),
    certIssuer: terminalFields.certIssuer.optional(),
    certFingerprintSha256: terminalFields.certFingerprintSha256.optional(),
    certNotAfter: terminalFields.certNotAfter.optional(),
    serverSpkiPins: terminalFields.serverSpkiPins.optional(),
    servicesAllowed: terminalFields.servicesAllowed.optional(),
    precheckAbsentWalletPolicy: terminalFields.precheckAbsentWalletPolicy.optional(),
    lowBalanceKopecks: terminalFields.lowBalanceKopecks.optional(),
    minPollSeconds: terminalFields.minPollSeconds.optional(),
    deskPrefix: terminalFields.deskPrefix.optional()
  })
  .refine((t) => t.authMode !== 'signature' || (t.signatureAlg ?? null) !== null, {
    message: 'signature mode needs signatureAlg',
    path: ['signatureAlg']
  })

export const terminalPatchSchema = z.strictObject({
  name: terminalFields.name.optional(),
  terminalId: terminalFields.terminalId.optional(),
  endpoint: terminalFields.endpoint.optional(),
  authMode: terminalFields.authMode.optional(),
  signatureAlg: terminalFields.signatureAlg.optional(),
  passwordRef: terminalFields.passwordRef.optional(),
  signingKeyRef: terminalFields.signingKeyRef.optional(),
  signingPassphraseRef: terminalFields.signingPassphraseRef.optional(),
  clientCertRef: terminalFields.clientCertRef.optional(),
  clientCertPassphraseRef: terminalFields.clientCertPassphraseRef.optional(),
  caCertRef: terminalFields.caCertRef.optional(),
  certSubject: terminalFields.certSubject.optional(),
  certIssuer: terminalFields.certIssuer.optional(),
  certFingerprintSha256: terminalFields.certFingerprintSha256.optional(),
  certNotAfter: terminalFields.certNotAfter.optional(),
  serverSpkiPins: terminalFields.serverSpkiPins.optional(),
  servicesAllowed: terminalFields.servicesAllowed.optional(),
  precheckAbsentWalletPolicy: terminalFields.precheckAbsentWalletPolicy.optional(),
  lowBalanceKopecks: terminalFields.lowBalanceKopecks.optional(),
  minPollSeconds: terminalFields.minPollSeconds.optional(),
  deskPrefix: terminalFields.deskPrefix.optional()
})

export const newPayoutSchema = z.strictObject({
  terminalRef: z.string().min(1).max(64),
  service: z.enum(PAYOUT_SERVICES),
  account: z
    .string()
    .min(1)
    .max(64)
    .refine(
      (s) => !/\s/.test(s) && !hasControlChars(s, false),
      'must not contain spaces or control characters'
    ),
  accountDisplay: z
    .string()
    .min(1)
    .max(64)
    .refine((s) => !hasControlChars(s), 'must not contain control characters'),
  amountKopecks: kopecks,
  currency: z
    .string()
    .regex(/^(?:[A-Z]{3}|\d{3})$/, 'must be an ISO 4217 code')
    .optional(),
  comment: z.string().max(1000).nullable().optional(),
  extras: z
    .record(
      z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9_]+$/, 'extra names are [A-Za-z0-9_]'),
      z.string().max(1000)
    )
    .optional(),
  precheck: z.boolean().optional(),
  batchKey: z.string().min(1).max(200).nullable().optional()
})

export const clientRequestIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')

const nullableText = (max: number) => z.string().max(max).nullable()

export const payoutPatchSchema = z.strictObject({
  nextAction: z.enum(NEXT_ACTIONS).nullable().optional(),
  paySent: z.boolean().optional(),
  attempts: z.number().int().min(0).optional(),
  nextCheckAt: timestamp.nullable().optional(),
  notFoundCount: z.number().int().min(0).optional(),
  lastNotFoundAt: timestamp.nullable().optional(),
  lastStatusRequestAt: timestamp.nullable().optional(),
  qiwiStatus: nullableText(16).optional(),
  resultCode: nullableText(16).optional(),
  txnId: z.string().min(1).max(64).nullable().optional(),
  txnDate: nullableText(64).optional(),
  fatal: z.boolean().optional(),
  errorCode: nullableText(64).optional(),
  errorMessage: nullableText(2000).optional()
})

export const payoutStateSchema = z.enum(PAYOUT_STATES)

export const newEventSchema = z.strictObject({
  kind: z.enum(EVENT_KINDS),
  requestType: z.string().min(1).max(64).nullable().optional(),
  httpStatus: z.number().int().min(0).max(999).nullable().optional(),
  body: z.string().nullable().optional(),
  classification: nullableText(64).optional(),
  fromState: z.enum(PAYOUT_STATES).nullable().optional(),
  toState: z.enum(PAYOUT_STATES).nullable().optional(),
  message: z.string().nullable().optional()
})

export const payoutFilterSchema = z.strictObject({
  from: timestamp.optional(),
  to: timestamp.optional(),
  states: z.array(z.enum(PAYOUT_STATES)).max(PAYOUT_STATES.length).optional(),
  services: z.array(z.enum(PAYOUT_SERVICES)).max(PAYOUT_SERVICES.length).optional(),
  terminalRefs: z.array(z.string().min(1).max(64)).max(100).optional(),
  amountMinKopecks: z.number().int().min(0).optional(),
  amountMaxKopecks: z.number().int().min(0).optional(),
  search: z.string().max(64).optional()
})
