import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import { formatPhone } from '../../../../shared/validation'
import type { WalletView } from '../../../../shared/wallet'
import { useApp } from '../../app-context'
import { useNow } from '../../hooks/use-now'
import { WalletError } from './WalletError'
import { formatMoscowDate, SCOPE_FEATURES, SCOPES, tokenState } from './wallet-model'
import type { Lang } from './wallet-model'

const MARK = { granted: '✓', missing: '✕', error: '?' } as const

/** The token's age and its documented 180-day expiry, warned about ahead of time. */
export function TokenStatus({ wallet, lang }: { wallet: WalletView; lang: Lang }): React.JSX.Element {
  const { t } = useTranslation()
  const now = useNow(60_000)
  const s = tokenState(wallet, now)
  if (s.kind === 'cas') return <p className="muted">{t('wallet.token.cas')}</p>
  if (s.kind === 'unknown') return <p className="muted">{t('wallet.token.unknown')}</p>
  const facts = (
    <p>
      {t('wallet.token.added', { date: formatMoscowDate(s.addedAt, lang), count: s.ageDays })}{' '}
      {t('wallet.token.expires', { date: formatMoscowDate(s.expiresAt, lang) })}
    </p>
  )
  return (
    <div data-testid="token-status" data-state={s.kind}>
      {facts}
      {s.kind === 'soon' && (
        <div className="wl-note wl-warn" role="status">
          {t('wallet.token.soon', { count: s.daysLeft })}
        </div>
      )}
      {s.kind === 'expired' && (
        <div className="wl-note wl-bad" role="alert">
          {t('wallet.token.expired')}
        </div>
      )}
      <p className="muted">{t('wallet.token.lifetimeNote')}</p>
    </div>
  )
}

/** Each permission probed at login: granted / missing / not checked, and what a missing one disables. */
export function PermissionList({ wallet }: { wallet: WalletView }): React.JSX.Element {
  const { t } = useTranslation()
  return (
    <ul className="wl-perms" data-testid="permissions">
      {SCOPES.map((s) => {
        const st = wallet.permissions[s]
        const features = SCOPE_FEATURES[s].map((f) => t(`wallet.features.${f}`)).join(', ')
        return (
          <li key={s} className={`wl-perm wl-perm-${st}`} data-testid={`perm-${s}`} data-state={st}>
            <span className="wl-perm-mark" aria-hidden="true">
              {MARK[st]}
            </span>
            <div>
              <div>
                <strong>{t(`wallet.scopes.${s}`)}</strong> — {t(`wallet.permState.${st}`)}
              </div>
              <div className="muted">
                {st === 'granted'
                  ? t('wallet.permEffect.granted', { features })
                  : st === 'missing'
                    ? t('wallet.permEffect.missing', { features })
                    : t('wallet.permEffect.error', { features })}
              </div>
            </div>
          </li>
        )
      })}
    </ul>
  )
}

/**
 * Who this wallet is, how it is logged in (token age and expiry, permissions) and logout
 * with a confirmation: logging out removes the token and the cached history from this desk.
 */
export function AccessPanel({
  wallet,
  justAdded,
  onRemoved
}: {
  wallet: WalletView
  justAdded: boolean
  onRemoved: (id: string) => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const { api, settings } = useApp()
  const lang = settings.language
  const ids = useId()
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorData | null>(null)

  const logout = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    const r = await api.wallets.remove({ id: wallet.id })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setConfirming(false)
    onRemoved(wallet.id)
  }

  return (
    <section className="card" aria-labelledby={`${ids}-t`} data-testid="wallet-access">
      <div className="wl-panel-head">
        <h2 id={`${ids}-t`}>{t('wallet.access.title')}</h2>
        {!confirming && (
          <button type="button" onClick={() => setConfirming(true)} data-testid="wallet-logout">
            {t('wallet.access.logout')}
          </button>
        )}
      </div>
      {justAdded && (
        <div className="wl-note wl-ok" role="status" data-testid="wallet-added">
          {wallet.authKind === 'token' ? t('wallet.access.addedToken') : t('wallet.access.addedCas')}
        </div>
      )}
      {confirming && (
        <div
          className="wl-confirm"
          role="alertdialog"
          aria-labelledby={`${ids}-c`}
          aria-describedby={`${ids}-cd`}
        >
          <strong id={`${ids}-c`}>{t('wallet.access.confirmTitle', { name: wallet.name })}</strong>
          <p id={`${ids}-cd`}>{t('wallet.access.confirmText')}</p>
          <div className="wl-actions">
            <button
              type="button"
              className="wl-danger"
              disabled={busy}
              onClick={() => void logout()}
              data-testid="wallet-logout-confirm"
            >
              {busy ? t('wallet.access.loggingOut') : t('wallet.access.confirmLogout')}
            </button>
            {/* Focus lands on the safe choice. */}
            <button type="button" disabled={busy} onClick={() => setConfirming(false)} autoFocus>
              {t('wallet.common.cancel')}
            </button>
          </div>
        </div>
      )}
      {error && <WalletError error={error} context="logout" />}
      <dl className="wl-kv">
        <dt>{t('wallet.access.number')}</dt>
        <dd className="wl-mono">{formatPhone(wallet.wallet)}</dd>
        <dt>{t('wallet.access.authKind')}</dt>
        <dd>{t(`wallet.access.auth_${wallet.authKind}`)}</dd>
        <dt>{t('wallet.access.server')}</dt>
        <dd className={wallet.api === 'sandbox' ? undefined : 'wl-mono'}>
          {wallet.api === 'sandbox' ? t('wallet.login.apiSandbox') : wallet.api}
        </dd>
      </dl>
      <h3>{wallet.authKind === 'cas' ? t('wallet.access.sessionTitle') : t('wallet.access.tokenTitle')}</h3>
      <TokenStatus wallet={wallet} lang={lang} />
      <h3>{t('wallet.access.permsTitle')}</h3>
      <PermissionList wallet={wallet} />
    </section>
  )
}
