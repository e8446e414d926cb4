/**
 * The wallet owner's contract calls (wallets:*, wallet:*) over WalletService
 * (electron/core/wallet). Tokens and CAS passwords come IN through wallets:add* and go
 * straight to the keychain; no handler returns one. Failures are AppErrors with the
 * caller's language (PersonalApiError is one already; the service localizes it).
 *
 * The periodic transfer reconciler starts with the handlers (first pass at once, so a
 * transfer left open by a crash is settled on start) and stops by itself once the
 * database is closed; `createWalletHandlers` gives the host the service and a stopper.
 */
import type { Calls } from '../../../../shared/contract'
import type { Handlers } from '../../../../shared/contract-kit'
import type { TransferView } from '../../../../shared/wallet'
import type { Db } from '../../db/connection'
import type { Logger } from '../../log/logger'
import type { CredentialVault } from '../../secrets/credential-vault'
import type { ResolvedApi } from '../../wallet/api'
import { DEFAULT_RECONCILE_INTERVAL_MS, WalletService } from '../../wallet/wallet-service'
import type { WalletServiceOptions } from '../../wallet/wallet-service'

export type WalletCalls =
  | 'wallets:list'
  | 'wallets:addToken'
  | 'wallets:addCas'
  | 'wallets:remove'
  | 'wallet:balances'
  | 'wallet:sync'
  | 'wallet:history'
  | 'wallet:exportCsv'
  | 'wallet:totals'
  | 'wallet:commission'
  | 'wallet:transfer'
  | 'wallet:transfers'

export interface WalletDeps {
  db: Db
  vault: () => CredentialVault
  lang: () => 'ru' | 'en'
  /** 'sandbox' → the embedded sandbox's personalOrigin; an origin → itself (+ CA). */
  resolveApi: (api: string) => ResolvedApi
  /** Pushes `wallet:transfer` on every transfer state change. */
  onTransfer: (view: TransferView) => void
  logger?: Logger | undefined
  /** Periodic reconciliation of open transfers; null disables it. Default 60 s. */
  reconcileIntervalMs?: number | null | undefined
  /** Anything else for the service (clock, client factory, pacing…), mainly for tests. */
  service?:
    | Partial<Omit<WalletServiceOptions, 'db' | 'vault' | 'lang' | 'resolveApi' | 'onTransferChanged'>>
    | undefined
}

export interface WalletHandlersBundle {
  handlers: Pick<Handlers<Calls>, WalletCalls>
  service: WalletService
  /** Stops the reconciler and releases connections. */
  stop(): void
}

export function createWalletHandlers(deps: WalletDeps): WalletHandlersBundle {
  const service = new WalletService({
    ...deps.service,
    db: deps.db,
    vault: deps.vault,
    lang: deps.lang,
    resolveApi: deps.resolveApi,
    logger: deps.logger ?? deps.service?.logger,
    onTransferChanged: deps.onTransfer
  })

  let stopReconciler: (() => void) | null = null
  const interval =
    deps.reconcileIntervalMs === undefined ? DEFAULT_RECONCILE_INTERVAL_MS : deps.reconcileIntervalMs
  if (interval !== null) {
    const stop = service.startReconciler({ intervalMs: interval, isOpen: () => deps.db.open })
    stopReconciler = stop
  }

  const handlers: Pick<Handlers<Calls>, WalletCalls> = {
    'wallets:list': async () => service.list(),
    'wallets:addToken': async (input) =>
      service.addWithToken({ name: input.name, api: input.api, token: input.token }),
    'wallets:addCas': async (input) =>
      service.addWithCas({
        name: input.name,
        api: input.api,
        login: input.login,
        password: input.password,
        authBase: input.authBase
      }),
    'wallets:remove': async ({ id }) => service.remove(id),
    'wallet:balances': async ({ id }) => service.balances(id),
    'wallet:sync': async ({ id }) => {
      const r = await service.sync(id)
      return { added: r.added, total: r.total, lastSyncAt: r.lastSyncAt }
    },
    'wallet:history': async ({ filter, page }) => {
      const { walletId, ...rest } = filter
      return service.history(walletId, rest, page)
    },
    'wallet:exportCsv': async ({ filter }) => {
      const { walletId, ...rest } = filter
      return service.exportCsv(walletId, rest)
    },
    'wallet:totals': async ({ id, from, to }) => service.totals(id, from, to),
    'wallet:commission': async ({ id, to, amount }) => service.commission(id, to, amount),
    'wallet:transfer': async (input) =>
      service.transfer({
        walletId: input.id,
        clientRequestId: input.clientRequestId,
        to: input.to,
        amount: input.amount,
        comment: input.comment
      }),
    'wallet:transfers': async ({ id }) => service.transfers(id)
  }

  return {
    handlers,
    service,
    stop() {
      stopReconciler?.()
      stopReconciler = null
      service.close()
    }
  }
}

/** The wallet calls for the app's handler map (the reconciler runs until the db closes). */
export function walletHandlers(deps: WalletDeps): Pick<Handlers<Calls>, WalletCalls> {
  return createWalletHandlers(deps).handlers
}
