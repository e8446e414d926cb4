import { useState } from 'react'
import { useTranslation } from 'react-i18next'

import type { Language, Theme } from '../../../shared/contract'
import { useApp } from '../app-context'

export function SettingsPage(): React.JSX.Element {
  const { t } = useTranslation()
  const { api, info, settings, updateSettings } = useApp()
  const [logPath, setLogPath] = useState<string | null>(null)

  return (
    <section className="page" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <div className="card form-grid">
        <label htmlFor="lang">{t('settings.language')}</label>
        <select
          id="lang"
          value={settings.language}
          onChange={(e) => void updateSettings({ language: e.target.value as Language })}
        >
          <option value="ru">Русский</option>
          <option value="en">English</option>
        </select>

        <label htmlFor="theme">{t('settings.theme')}</label>
        <select id="theme" value={settings.theme} onChange={(e) => void updateSettings({ theme: e.target.value as Theme })}>
          <option value="light">{t('settings.themeLight')}</option>
          <option value="dark">{t('settings.themeDark')}</option>
          <option value="system">{t('settings.themeSystem')}</option>
        </select>

        <span>{t('settings.logs')}</span>
        <div>
          <button
            type="button"
            onClick={() =>
              void api.app.openLogFolder({}).then((r) => {
                if (r.ok) setLogPath(r.value.path)
              })
            }
          >
            {t('settings.openLogs')}
          </button>
          {logPath && (
            <div className="muted" data-testid="log-path">
              {t('settings.logsPath', { path: logPath })}
            </div>
          )}
        </div>

        <span>{t('settings.dataDir')}</span>
        <code>{info.dataDir}</code>

        <span>{t('settings.version')}</span>
        <span>{info.version}</span>
      </div>
    </section>
  )
}
