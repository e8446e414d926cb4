import { useCallback, useEffect, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'

import '../wallet.css'
import type { AppErrorData } from '../../../shared/result'
import { formatPhone } from '../../../shared/validation'
import type { WalletView } from '../../../shared/wallet'
import { useApp } from '../app-context'
import { AccessPanel } from '../components/wallet/AccessPanel'
import { BalancesPanel } from '../components/wallet/BalancesPanel'
import { HistoryPanel } from '../components/wallet/HistoryPanel'
import { LoginPanel } from '../components/wallet/LoginPanel'
import { Tabs } from '../components/wallet/Tabs'
import { TotalsPanel } from '../components/wallet/TotalsPanel'
import { TransferPanel } from '../components/wallet/TransferPanel'
import { WalletError } from '../components/wallet/WalletError'
import { KNOWN_CURRENCIES, missingScopes, tokenState } from '../components/wallet/wallet-model'
import { useNow } from '../hooks/use-now'

const SECTIONS = ['overview', 'history', 'totals', 'transfer'] as const
type Section = (typeof SECTIONS)[number]

/** `#/wallet/<section>`: the shell's router only reads the first segment, the rest is ours. */
function sectionFromHash(): Section {
  const m = /^#\/wallet\/([a-z]+)/.exec(window.location.hash)
  const s = m?.[1]
  return (SECTIONS as readonly string[]).includes(s ?? '') ? (s as Section) : 'overview'
}

const ADD = '+add'

/**
 * The wallet owner's desk: one tab per logged-in wallet (several side by side) plus "add a
 * wallet"; for the chosen wallet its access (token, permissions, logout), balances, history,
 * totals and transfers.
 */
export function WalletPage(): React.JSX.Element {
  const { t } = useTranslation()
  const { api } = useApp()
  const ids = useId()
  const [wallets, setWallets] = useState<WalletView[] | null>(null)
  const [loadError, setLoadError] = useState<AppErrorData | null>(null)
  const [selected, setSelected] = useState<string | null>(null)
  const [justAdded, setJustAdded] = useState<string | null>(null)
  const [section, setSection] = useState<Section>(sectionFromHash)

  const refresh = useCallback(async () => {
    const r = await api.wallets.list({})
    if (!r.ok) return setLoadError(r.error)
    setLoadError(null)
    setWallets(r.value)
  }, [api])

  useEffect(() => {
    let live = true
    void api.wallets.list({}).then((r) => {
      if (!live) return
      if (!r.ok) return setLoadError(r.error)
      setWallets(r.value)
    })
    return () => {
      live = false
    }
  }, [api])

  const choose = (s: Section): void => {
    setSection(s)
    window.history.replaceState(null, '', `#/wallet/${s}`)
  }

  const onSynced = useCallback(() => void refresh(), [refresh])

  const list = wallets ?? []
  const adding = selected === ADD || (wallets !== null && list.length === 0)
  const active = adding ? undefined : (list.find((w) => w.id === selected) ?? list[0])

  return (
    <section className="page wl-page" aria-labelledby={`${ids}-h`}>
      <h1 id={`${ids}-h`}>{t('pages.walletTitle')}</h1>
      {loadError && <WalletError error={loadError} />}
      {wallets === null && !loadError && <p className="muted">{t('wallet.common.loading')}</p>}

      {wallets !== null && list.length > 0 && (
        <Tabs
          label={t('wallet.switcher')}
          idPrefix={`${ids}-w`}
          className="wl-wallet-tabs"
          selected={adding ? ADD : (active?.id ?? ADD)}
          onSelect={(k) => {
            setSelected(k)
            setJustAdded(null)
          }}
          items={[
            ...list.map((w) => ({
              key: w.id,
              testId: `wallet-tab-${w.wallet}`,
              label: <WalletTabLabel wallet={w} />
            })),
            { key: ADD, testId: 'wallet-tab-add', label: t('wallet.addWallet') }
          ]}
        />
      )}

      {wallets !== null && adding && (
        <div id={`${ids}-w-panel`} role={list.length > 0 ? 'tabpanel' : undefined}>
          <LoginPanel
            defaultName={
              list.length === 0
                ? t('wallet.login.defaultName')
                : t('wallet.login.defaultNameN', { n: list.length + 1 })
            }
            onCancel={list.length > 0 ? () => setSelected(null) : undefined}
            onAdded={(w) => {
              setWallets((cur) => [...(cur ?? []).filter((x) => x.id !== w.id), w])
              setSelected(w.id)
              setJustAdded(w.id)
              choose('overview')
            }}
          />
        </div>
      )}

      {active && (
        <div id={`${ids}-w-panel`} role="tabpanel" aria-labelledby={`${ids}-w-tab-${active.id}`}>
          {/* The overview shows the same facts in full; elsewhere they stay in sight up here. */}
          {section !== 'overview' && <WalletBanner wallet={active} />}
          <Tabs
            label={t('wallet.sections.label')}
            idPrefix={`${ids}-s`}
            className="wl-section-tabs"
            selected={section}
            onSelect={choose}
            items={SECTIONS.map((s) => ({
              key: s,
              testId: `wallet-section-${s}`,
              label: t(`wallet.sections.${s}`)
            }))}
          />
          <div
            id={`${ids}-s-panel`}
            role="tabpanel"
            aria-labelledby={`${ids}-s-tab-${section}`}
            className="wl-section"
          >
            {section === 'overview' && (
              <div className="wl-overview">
                <AccessPanel
                  key={active.id}
                  wallet={active}
                  justAdded={justAdded === active.id}
                  onRemoved={(id) => {
                    setWallets((cur) => (cur ?? []).filter((w) => w.id !== id))
                    setSelected(null)
                    setJustAdded(null)
                  }}
                />
                <BalancesPanel key={`b-${active.id}`} wallet={active} />
              </div>
            )}
            {section === 'history' && (
              <HistoryPanel
                key={active.id}
                wallet={active}
                currencies={KNOWN_CURRENCIES}
                onSynced={onSynced}
              />
            )}
            {section === 'totals' && <TotalsPanel key={active.id} wallet={active} />}
            {section === 'transfer' && <TransferPanel key={active.id} wallet={active} />}
          </div>
        </div>
      )}
    </section>
  )
}

function WalletTabLabel({ wallet }: { wallet: WalletView }): React.JSX.Element {
  const { t } = useTranslation()
  const now = useNow(60_000)
  const s = tokenState(wallet, now)
  const flag = s.kind === 'expired' || s.kind === 'soon'
  return (
    <span className="wl-tab-label">
      <span>
        {wallet.name}
        {flag && (
          <span
            className="wl-flag"
            title={t(s.kind === 'expired' ? 'wallet.token.expiredShort' : 'wallet.token.soonShort')}
          >
            {' '}
            ⚠
          </span>
        )}
      </span>
      <small className="wl-mono">{formatPhone(wallet.wallet)}</small>
    </span>
  )
}

/** Shown above every section: the token's expiry and missing permissions are never out of sight. */
function WalletBanner({ wallet }: { wallet: WalletView }): React.JSX.Element | null {
  const { t } = useTranslation()
  const now = useNow(60_000)
  const s = tokenState(wallet, now)
  const missing = missingScopes(wallet.permissions)
  if (s.kind !== 'soon' && s.kind !== 'expired' && missing.length === 0) return null
  return (
    <div className="wl-banners">
      {s.kind === 'soon' && (
        <div className="wl-note wl-warn" data-testid="wallet-banner-token">
          {t('wallet.token.soon', { count: s.daysLeft })}
        </div>
      )}
      {s.kind === 'expired' && (
        <div className="wl-note wl-bad" data-testid="wallet-banner-token">
          {t('wallet.token.expired')}
        </div>
      )}
      {missing.length > 0 && (
        <div className="wl-note wl-warn" data-testid="wallet-banner-perms">
          {t('wallet.access.missingBanner', {
            scopes: missing.map((m) => t(`wallet.scopes.${m}`)).join(', ')
          })}
        </div>
      )}
    </div>
  )
}
