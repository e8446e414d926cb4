import { useTranslation } from 'react-i18next'

import { useApp } from '../app-context'

export function StatusBar(): React.JSX.Element {
  const { t } = useTranslation()
  const { info, online } = useApp()
  const keychain =
    info.keychain === 'keychain'
      ? t('status.keychainOs')
      : info.keychain === 'session'
        ? t('status.keychainSession')
        : t('status.keychainUnavailable')
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span data-testid="endpoint">
        {t('status.endpoint')}:{' '}
        <strong>{info.defaultEndpoint.kind === 'sandbox' ? t('status.sandbox') : info.defaultEndpoint.label}</strong>
      </span>
      <span className={online ? 'dot ok' : 'dot bad'}>{online ? t('status.online') : t('status.offline')}</span>
      <span className={info.keychain === 'keychain' ? undefined : 'warn'} data-testid="keychain-mode">
        {t('status.keychain')}: {keychain}
      </span>
      <span className="spacer" />
      <span>
        {t('status.host')}: {info.host === 'electron' ? t('status.hostElectron') : t('status.hostWeb')} · v{info.version}
      </span>
    </footer>
  )
}
