import { useTranslation } from 'react-i18next'

export function HistoryPage(): React.JSX.Element {
  const { t } = useTranslation()
  return (
    <section className="page">
      <h1>{t('pages.historyTitle')}</h1>
    </section>
  )
}
