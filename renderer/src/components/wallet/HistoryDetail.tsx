import { useEffect, useId, useRef } from 'react'
import { useTranslation } from 'react-i18next'

import type { WalletHistoryItemView } from '../../../../shared/wallet'
import { StatusBadge } from './HistoryTable'
import { formatMoscow, moneyText, signedMoneyText } from './wallet-model'
import type { Lang } from './wallet-model'

/**
 * One history item in full (spec §4.5): provider, commission, total, comment, QIWI's txnId,
 * the client id (trmTxnId) and, for a failed payment, the §11.2 error explained in the
 * desk's language next to QIWI's own text. Escape or the close button returns to the table.
 */
export function HistoryDetail({
  item,
  lang,
  onClose
}: {
  item: WalletHistoryItemView
  lang: Lang
  onClose: () => void
}): React.JSX.Element {
  const { t } = useTranslation()
  const ids = useId()
  const closeRef = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    closeRef.current?.focus()
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  const errorText =
    item.errorCode !== 0
      ? t([`wallet.txnErrors.${item.errorCode}`, 'wallet.txnErrors.unknown'], { code: item.errorCode })
      : null

  const rows: [string, React.ReactNode][] = [
    [t('wallet.detail.date'), formatMoscow(item.at, lang)],
    [t('wallet.detail.type'), t(`wallet.type.${item.type}`)],
    [t('wallet.detail.status'), <StatusBadge key="s" status={item.status} />],
    [t('wallet.detail.sum'), <strong key="a">{signedMoneyText(item, lang)}</strong>],
    [t('wallet.detail.commission'), item.commission ? moneyText(item.commission, lang) : '—'],
    [t('wallet.detail.total'), moneyText(item.total, lang)],
    [
      t(item.type === 'IN' ? 'wallet.detail.from' : 'wallet.detail.to'),
      <span key="c" className="wl-mono">
        {item.account ?? '—'}
      </span>
    ],
    [t('wallet.detail.provider'), item.provider ?? '—'],
    [
      t('wallet.detail.comment'),
      item.comment ? (
        <span key="m" className="wl-pre">
          {item.comment}
        </span>
      ) : (
        '—'
      )
    ],
    [
      t('wallet.detail.txnId'),
      <span key="x" className="wl-mono" data-testid="detail-txnid">
        {item.txnId}
      </span>
    ],
    [
      t('wallet.detail.trmTxnId'),
      item.trmTxnId ? (
        <span key="r" className="wl-mono">
          {item.trmTxnId}
        </span>
      ) : (
        '—'
      )
    ]
  ]

  return (
    <div className="wl-drawer-backdrop" onClick={onClose}>
      <aside
        className="wl-drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${ids}-t`}
        data-testid="wallet-history-detail"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="wl-panel-head">
          <h2 id={`${ids}-t`}>{t('wallet.detail.title')}</h2>
          <button type="button" ref={closeRef} onClick={onClose} aria-label={t('wallet.common.close')}>
            ×
          </button>
        </div>
        {errorText && (
          <div className="wl-note wl-bad" data-testid="detail-error">
            <strong>{errorText}</strong>
            <div className="wl-code">
              {t('wallet.detail.errorCode', { code: item.errorCode })}
              {item.error && item.error !== errorText
                ? ` · ${t('wallet.detail.qiwiText')}: ${item.error}`
                : ''}
            </div>
          </div>
        )}
        <dl className="wl-kv">
          {rows.map(([k, v]) => (
            <div key={k} className="wl-kv-row">
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </aside>
    </div>
  )
}
