import { useTranslation } from 'react-i18next'

export function PayoutsPage(): React.JSX.Element {
  const { t } = useTranslation()
  return (
    <section className="page">
      <h1>{t('pages.payoutsTitle')}</h1>
    </section>
  )
}
