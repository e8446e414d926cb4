import { useCallback, useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { AppInfo, Settings } from '../../shared/contract'
import { getApi } from './api'
import { AppContext } from './app-context'
import type { AppContextValue } from './app-context'
import { Toaster } from './components/cashier/Toaster'
import { StatusBar } from './components/StatusBar'
import { setLanguage } from './i18n'
import { HistoryPage } from './pages/HistoryPage'
import { PayoutsPage } from './pages/PayoutsPage'
import { ReportPage } from './pages/ReportPage'
import { SettingsPage } from './pages/SettingsPage'
import { WalletPage } from './pages/WalletPage'
import { PAGES, useRoute } from './router'
import type { Page } from './router'

function applyTheme(theme: Settings['theme']): void {
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches)
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light'
}

export function App(): React.JSX.Element {
  const { t } = useTranslation()
  const api = useMemo(() => getApi(), [])
  const [info, setInfo] = useState<AppInfo | null>(null)
  const [settings, setSettings] = useState<Settings | null>(null)
  const [online, setOnline] = useState(true)
  const [fatal, setFatal] = useState<string | null>(null)
  const [page, go] = useRoute()

  useEffect(() => {
    if (!api) return
    void (async () => {
      const [i, s] = await Promise.all([api.app.info({}), api.settings.get({})])
      if (!i.ok) return setFatal(i.error.message)
      if (!s.ok) return setFatal(s.error.message)
      setInfo(i.value)
      setSettings(s.value)
    })()
    const offSettings = api.events.on('settings:changed', (s) => setSettings(s))
    const offNet = api.events.on('app:connectivity', (c) => setOnline(c.online))
    return () => {
      offSettings()
      offNet()
    }
  }, [api])

  useEffect(() => {
    if (!settings) return
    setLanguage(settings.language)
    applyTheme(settings.theme)
  }, [settings])

  const updateSettings = useCallback(
    async (patch: Partial<Settings>) => {
      if (!api) return
      const r = await api.settings.set(patch)
      if (r.ok) setSettings(r.value)
    },
    [api]
  )

  if (!api) return <div className="splash">{t('app.noHost')}</div>
  if (fatal) return <div className="splash error">{fatal}</div>
  if (!info || !settings) return <div className="splash">{t('app.loading')}</div>

  const ctx: AppContextValue = { api, info, settings, updateSettings, online }
  const pages: Record<Page, React.JSX.Element> = {
    payouts: <PayoutsPage />,
    history: <HistoryPage />,
    wallet: <WalletPage />,
    report: <ReportPage />,
    settings: <SettingsPage />
  }
  return (
    <AppContext.Provider value={ctx}>
      <div className="frame">
        <nav className="sidebar" aria-label="main">
          <div className="brand">QIWI Desk</div>
          <ul>
            {PAGES.map((p) => (
              <li key={p}>
                <a
                  href={`#/${p}`}
                  className={p === page ? 'active' : undefined}
                  aria-current={p === page ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault()
                    go(p)
                  }}
                >
                  {t(`nav.${p}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main className="content">{pages[page]}</main>
        <StatusBar />
      </div>
      <Toaster />
    </AppContext.Provider>
  )
}
