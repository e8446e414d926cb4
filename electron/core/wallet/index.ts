/**
 * The wallet owner's side (docs/WALLET.md): WalletService over the personal API client,
 * the SQLite cache and the keychain, plus the repositories it uses.
 */
export * from './api'
export * from './client-id'
export * from './csv'
export * from './keyed-mutex'
export * from './wallet-service'
export * as walletsRepo from './wallets.repository'
export * as walletHistoryRepo from './history.repository'
export * as walletTransfersRepo from './transfers.repository'
export type { WalletPermissions, WalletRecord } from './wallets.repository'
export type { HistoryQuery, Page } from './history.repository'
export type { TransferRecord, TransferState } from './transfers.repository'
