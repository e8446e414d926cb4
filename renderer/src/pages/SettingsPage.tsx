import { useState } from 'react'
import { useTranslation } from 'react-i18next'

import '../cashier.css'
import type { Language, Theme } from '../../../shared/contract'
import type { TerminalView } from '../../../shared/payouts'
import type { AppErrorData } from '../../../shared/result'
import { useApp } from '../app-context'
import { CredentialsPanel } from '../components/cashier/CredentialsPanel'
import { ErrorNote } from '../components/cashier/ErrorNote'
import { KeychainPanel } from '../components/cashier/KeychainPanel'
import { TerminalEditor } from '../components/cashier/TerminalEditor'
import { useTerminals } from '../hooks/use-terminals'

function TerminalsSection(): React.JSX.Element {
  const { t } = useTranslation()
  const { api } = useApp()
  const { terminals, error: listError, reload } = useTerminals()
  const [selected, setSelected] = useState<string | null>(null)
  /** A terminal id, or 'new' for the add form. */
  const [editing, setEditing] = useState<string | null>(null)
  const [removing, setRemoving] = useState<string | null>(null)
  const [error, setError] = useState<AppErrorData | null>(null)
  const [saved, setSaved] = useState(false)
  const [conflict, setConflict] = useState(false)
  const list = terminals ?? []
  const current: TerminalView | undefined = list.find((x) => x.id === selected) ?? list[0]
  const editTarget = editing === 'new' ? null : (list.find((x) => x.id === editing) ?? null)

  const resume = async (id: string): Promise<void> => {
    const r = await api.terminals.resume({ id })
    setError(r.ok ? null : r.error)
    if (r.ok) await reload()
  }
  const remove = async (id: string): Promise<void> => {
    setRemoving(null)
    const r = await api.terminals.remove({ id })
    setError(r.ok ? null : r.error)
    setConflict(!r.ok && r.error.code === 'conflict')
    if (r.ok) {
      if (selected === id) setSelected(null)
      await reload()
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="terminals-title" data-testid="terminals">
        <div className="panel-head">
          <h2 id="terminals-title">{t('cashier.settings.terminals')}</h2>
          <button
            type="button"
            onClick={() => {
              setEditing('new')
              setSaved(false)
            }}
            data-testid="add-terminal"
          >
            {t('cashier.settings.addTerminal')}
          </button>
        </div>
        {listError && <ErrorNote error={listError} />}
        {terminals !== null && list.length === 0 && <p className="muted">{t('cashier.settings.noTerminals')}</p>}
        <ul className="terminal-list">
          {list.map((x) => (
            <li
              key={x.id}
              className={x.id === current?.id ? 'terminal-item selected' : 'terminal-item'}
              data-testid={`terminal-${x.terminalId}`}
            >
              <div className="grow">
                <button type="button" className="link-like" onClick={() => setSelected(x.id)} aria-pressed={x.id === current?.id}>
                  <strong>{x.name}</strong>
                </button>{' '}
                <span className="terminal-meta">
                  <span className="mono">{x.terminalId}</span> ·{' '}
                  {x.endpoint === 'sandbox' ? t('cashier.settings.fields.endpointSandbox') : x.endpoint} ·{' '}
                  {t(`cashier.settings.authModes.${x.authMode}`)}
                </span>
                <div className="muted">{x.servicesAllowed.map((s) => t(`cashier.servicesShort.${s}`)).join(', ')}</div>
                {x.paused && (
                  <div className="tone-text-bad">
                    {t('cashier.settings.pausedReason', { reason: x.pausedReason ?? x.pausedCode ?? '' })}
                  </div>
                )}
              </div>
              {x.paused && (
                <button type="button" className="primary" onClick={() => void resume(x.id)} data-testid={`resume-${x.terminalId}`}>
                  {t('cashier.settings.resume')}
                </button>
              )}
              <button
                type="button"
                onClick={() => {
                  setEditing(x.id)
                  setSelected(x.id)
                  setSaved(false)
                }}
              >
                {t('cashier.common.edit')}
              </button>
              {removing === x.id ? (
                <span className="inline-confirm">
                  <span className="tone-text-bad">{t('cashier.settings.removeConfirm', { name: x.name })}</span>{' '}
                  <button type="button" onClick={() => void remove(x.id)} data-testid={`confirm-remove-${x.terminalId}`}>
                    {t('cashier.common.delete')}
                  </button>{' '}
                  <button type="button" onClick={() => setRemoving(null)}>
                    {t('cashier.common.cancel')}
                  </button>
                </span>
              ) : (
                <button type="button" onClick={() => setRemoving(x.id)} aria-label={`${t('cashier.settings.remove')}: ${x.name}`}>
                  {t('cashier.common.delete')}
                </button>
              )}
            </li>
          ))}
        </ul>
        {conflict && (
          <p className="warn-note" role="alert" data-testid="remove-conflict">
            {t('cashier.settings.removeConflict')}
          </p>
        )}
        {error && !conflict && <ErrorNote error={error} />}
        {saved && (
          <p className="ok-note" role="status">
            {t('cashier.settings.saved')}
          </p>
        )}
      </section>
      {editing !== null && (
        <TerminalEditor
          key={editing}
          terminal={editTarget}
          onCancel={() => setEditing(null)}
          onSaved={(v) => {
            setEditing(null)
            setSelected(v.id)
            setSaved(true)
            void reload()
          }}
        />
      )}
      {current && <CredentialsPanel key={current.id} terminal={current} />}
    </>
  )
}

export function SettingsPage(): React.JSX.Element {
  const { t } = useTranslation()
  const { api, info, settings, updateSettings } = useApp()
  const [logPath, setLogPath] = useState<string | null>(null)

  return (
    <section className="page cashier-page" aria-labelledby="settings-title">
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

      <KeychainPanel />
      <TerminalsSection />
    </section>
  )
}
