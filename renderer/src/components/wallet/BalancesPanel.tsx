import { useCallback, useEffect, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import type { WalletAccountView, WalletView } from '../../../../shared/wallet'
import { useApp } from '../../app-context'
import { WalletError } from './WalletError'
import { accountKind, currencyCode, featureBlocked, formatMoscow, moneyText } from './wallet-model'

/** Balances per account (spec §5.1); an account QIWI gives no balance for says so. */
export function BalancesPanel({ wallet }: { wallet: WalletView }): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang = settings.language
  const ids = useId()
  const blocked = featureBlocked(wallet.permissions, 'balances')
  const [accounts, setAccounts] = useState<WalletAccountView[] | null>(null)
  const [at, setAt] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorData | null>(null)

  const load = useCallback(async () => {
    setBusy(true)
    const r = await api.wallet.balances({ id: wallet.id })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setError(null)
    setAccounts(r.value)
    setAt(Date.now())
  }, [api, wallet.id])

  useEffect(() => {
    if (blocked) return
    let live = true
    void api.wallet.balances({ id: wallet.id }).then((r) => {
      if (!live) return
      if (!r.ok) return setError(r.error)
      setAccounts(r.value)
      setAt(Date.now())
    })
    return () => {
      live = false
    }
  }, [api, wallet.id, blocked])

  return (
    <section className="card" aria-labelledby={`${ids}-t`} data-testid="wallet-balances">
      <div className="wl-panel-head">
        <h2 id={`${ids}-t`}>{t('wallet.balances.title')}</h2>
        {!blocked && (
          <button type="button" onClick={() => void load()} disabled={busy} data-testid="balances-refresh">
            {busy ? t('wallet.common.loading') : t('wallet.balances.refresh')}
          </button>
        )}
      </div>
      {blocked ? (
        <p className="wl-note wl-warn">{t('wallet.blocked', { scope: t('wallet.scopes.balance') })}</p>
      ) : (
        <>
          {error && <WalletError error={error} context="balances" />}
          {accounts === null && !error && <p className="muted">{t('wallet.common.loading')}</p>}
          {accounts !== null && accounts.length === 0 && <p className="muted">{t('wallet.balances.none')}</p>}
          {accounts !== null && accounts.length > 0 && (
            <ul className="wl-balances">
              {accounts.map((a) => (
                <li key={a.alias} className="wl-balance" data-testid={`balance-${a.alias}`}>
                  <div className="wl-balance-title">
                    {accountKind(a.alias) === 'other'
                      ? (a.title ?? a.alias)
                      : t(`wallet.balances.kind_${accountKind(a.alias)}`, {
                          currency: currencyCode(a.currency)
                        })}
                    {a.isDefault && <span className="wl-chip">{t('wallet.balances.default')}</span>}
                  </div>
                  <div className="wl-balance-amount">
                    {a.balance === null ? (
                      <span className="muted">{t('wallet.balances.noBalance')}</span>
                    ) : (
                      moneyText({ amount: a.balance, currency: a.currency }, lang)
                    )}
                  </div>
                  <div className="muted">
                    {currencyCode(a.currency)} · <span className="wl-mono">{a.alias}</span>
                  </div>
                </li>
              ))}
            </ul>
          )}
          {at !== null && (
            <p className="muted">{t('wallet.balances.asOf', { time: formatMoscow(at, lang) })}</p>
          )}
        </>
      )}
    </section>
  )
}
