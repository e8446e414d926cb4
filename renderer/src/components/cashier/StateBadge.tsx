import { useTranslation } from 'react-i18next'

import type { DisplayState } from './format'
import { stateTone } from './format'

export function StateBadge({ state, large = false }: { state: DisplayState; large?: boolean }): React.JSX.Element {
  const { t } = useTranslation()
  return (
    <span
      className={`state-badge tone-${stateTone(state)}${large ? ' large' : ''}`}
      data-testid="state-badge"
      data-state={state}
    >
      {t(`cashier.states.${state}`)}
    </span>
  )
}
