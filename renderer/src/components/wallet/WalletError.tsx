import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import { supportDetails } from './wallet-model'

/** Where an error happened: picks a more precise text for some codes (e.g. 401 at login). */
export type ErrorContext =
  | 'transferFailed'
  | 'login'
  | 'balances'
  | 'history'
  | 'sync'
  | 'export'
  | 'totals'
  | 'commission'
  | 'transfer'
  | 'logout'

/**
 * A core error as a wallet owner reads it: the localized text for its code (refined by
 * context), the code and QIWI's own error code for support, and the core's message folded
 * away for whoever helps them.
 */
export function WalletError({
  error,
  context,
  title,
  showMessage = false,
  testId = 'wallet-error'
}: {
  error: { code: string; message: string; details?: AppErrorData['details'] }
  context?: ErrorContext
  title?: string
  /** Show the core's message inline (it carries QIWI's own reason, e.g. for a refused transfer). */
  showMessage?: boolean
  testId?: string
}): React.JSX.Element {
  const { t } = useTranslation()
  const keys = [
    ...(context ? [`wallet.errorsIn.${context}.${error.code}`] : []),
    `wallet.errors.${error.code}`,
    'wallet.errors.generic'
  ]
  const human = t(keys)
  const extra = supportDetails(error)
  return (
    <div className="wl-error" role="alert" data-testid={testId} data-code={error.code}>
      <div>
        {title && <strong>{title}: </strong>}
        <span>{human}</span>
        {showMessage && error.message && error.message !== human && (
          <div className="wl-error-message" data-testid={`${testId}-message`}>
            {error.message}
          </div>
        )}
      </div>
      <div className="wl-code">
        {t('wallet.common.supportCode', { code: [error.code, ...extra].join(' · ') })}
        {!showMessage && error.message && error.message !== human && (
          <details>
            <summary>{t('wallet.common.technicalDetails')}</summary>
            <span className="wl-mono">{error.message}</span>
          </details>
        )}
      </div>
    </div>
  )
}
