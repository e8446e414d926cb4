/**
 * Wallet-owner shapes that cross the contract. Tokens and CAS passwords go IN through
 * `wallets:add*` calls and never come back out.
 */
import { z } from 'zod'

export const MoneyView = z.object({
  amount: z.string(),
  currency: z.string()
})

export const WalletView = z.object({
  id: z.string(),
  name: z.string(),
  /** Wallet number (phone, digits). */
  wallet: z.string(),
  api: z.string(),
  authKind: z.enum(['token', 'cas']),
  /** Permissions probed at login: granted / missing / error per scope. */
  permissions: z.object({
    profile: z.enum(['granted', 'missing', 'error']),
    balance: z.enum(['granted', 'missing', 'error']),
    history: z.enum(['granted', 'missing', 'error']),
    payments: z.enum(['granted', 'missing', 'error'])
  }),
  /** When the token was added (ms) and when it expires by the documented 180 days. */
  tokenAddedAt: z.number().nullable(),
  tokenExpiresAt: z.number().nullable(),
  tokenExpiresSoon: z.boolean(),
  lastSyncAt: z.number().nullable(),
  itemCount: z.number().int()
})
export type WalletView = z.infer<typeof WalletView>

export const WalletAccountView = z.object({
  alias: z.string(),
  title: z.string().nullable(),
  currency: z.string(),
  balance: z.string().nullable(),
  isDefault: z.boolean()
})
export type WalletAccountView = z.infer<typeof WalletAccountView>

export const WalletHistoryItemView = z.object({
  txnId: z.string(),
  type: z.enum(['IN', 'OUT', 'QIWI_CARD']),
  status: z.enum(['WAITING', 'SUCCESS', 'ERROR']),
  date: z.string(),
  /** Unix ms of `date`, for sorting and charts. */
  at: z.number(),
  account: z.string().nullable(),
  sum: MoneyView,
  commission: MoneyView.nullable(),
  total: MoneyView,
  provider: z.string().nullable(),
  comment: z.string().nullable(),
  trmTxnId: z.string().nullable(),
  errorCode: z.number().int(),
  error: z.string().nullable()
})
export type WalletHistoryItemView = z.infer<typeof WalletHistoryItemView>

export const WalletHistoryFilter = z.object({
  walletId: z.string(),
  from: z.number().optional(),
  to: z.number().optional(),
  operation: z.enum(['ALL', 'IN', 'OUT', 'QIWI_CARD']).optional(),
  currencies: z.array(z.string().max(3)).max(10).optional(),
  statuses: z.array(z.enum(['WAITING', 'SUCCESS', 'ERROR'])).max(3).optional(),
  search: z.string().max(100).optional()
})
export type WalletHistoryFilter = z.infer<typeof WalletHistoryFilter>

export const WalletMonthTotals = z.object({
  month: z.string(),
  currency: z.string(),
  incoming: z.string(),
  outgoing: z.string()
})
export type WalletMonthTotals = z.infer<typeof WalletMonthTotals>

export const TransferView = z.object({
  /** Client id (≤ 20 digits), allocated and persisted before sending. */
  id: z.string(),
  walletId: z.string(),
  to: z.string(),
  amount: z.string(),
  comment: z.string().nullable(),
  state: z.enum(['pending', 'accepted', 'waiting', 'failed']),
  txnId: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.number(),
  updatedAt: z.number()
})
export type TransferView = z.infer<typeof TransferView>
