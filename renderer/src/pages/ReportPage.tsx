import { useTranslation } from 'react-i18next'

export function ReportPage(): React.JSX.Element {
  const { t } = useTranslation()
  return (
    <section className="page">
      <h1>{t('pages.reportTitle')}</h1>
    </section>
  )
}
