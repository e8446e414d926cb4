import { useTranslation } from 'react-i18next'

import type { AppErrorData } from '../../../../shared/result'
import { errorKey } from './format'

/**
 * A core error as a cashier reads it: the localized title for its code, the core's own
 * (already localized) detail when it adds something, and the code for support.
 */
export function ErrorNote({
  error,
  title,
  testId = 'error-note'
}: {
  error: AppErrorData
  title?: string
  testId?: string
}): React.JSX.Element {
  const { t } = useTranslation()
  const human = t(errorKey(error.code))
  const detail = error.message && error.message !== human ? error.message : null
  return (
    <div className="cashier-error" role="alert" data-testid={testId} data-code={error.code}>
      {title && <strong className="cashier-error-title">{title}: </strong>}
      <span>{human}</span>
      {detail && <span className="cashier-error-detail"> — {detail}</span>}
      <span className="cashier-code">{t('cashier.common.supportCode', { code: error.code })}</span>
    </div>
  )
}
