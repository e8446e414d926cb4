import { useTranslation } from 'react-i18next'

export function WalletPage(): React.JSX.Element {
  const { t } = useTranslation()
  return (
    <section className="page">
      <h1>{t('pages.walletTitle')}</h1>
    </section>
  )
}
