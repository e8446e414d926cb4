/**
 * CSV export of cached history (papaparse). Field names are the documented history
 * field names (spec personal-api §4.5), amounts are decimal strings ("100.50") with
 * their currency in a separate column, dates exactly as QIWI sent them.
 *
 * Cells that a spreadsheet would run as a formula (=, @, tab, CR, or + / - not followed
 * by a plain number) are prefixed with ' (papaparse escapeFormulae): comments and
 * accounts come from other people.
 */
import Papa from 'papaparse'
import type { WalletHistoryItemView } from '../../../shared/wallet'

export const HISTORY_CSV_FIELDS = [
  'txnId',
  'type',
  'status',
  'date',
  'account',
  'sum',
  'sumCurrency',
  'commission',
  'commissionCurrency',
  'total',
  'totalCurrency',
  'provider',
  'comment',
  'trmTxnId',
  'errorCode',
  'error'
] as const

/** Formula starters, except a sign in front of a plain number ("+79001234567", "-5.00"). */
export const CSV_FORMULA_RE = /^(?:[=@\t\r]|[+-](?!\d+(?:\.\d+)?$))/

export function historyCsv(items: readonly WalletHistoryItemView[]): string {
  return Papa.unparse(
    {
      fields: [...HISTORY_CSV_FIELDS],
      data: items.map((i) => [
        i.txnId,
        i.type,
        i.status,
        i.date,
        i.account ?? '',
        i.sum.amount,
        i.sum.currency,
        i.commission?.amount ?? '',
        i.commission?.currency ?? '',
        i.total.amount,
        i.total.currency,
        i.provider ?? '',
        i.comment ?? '',
        i.trmTxnId ?? '',
        String(i.errorCode),
        i.error ?? ''
      ])
    },
    { header: true, newline: '\r\n', quotes: false, escapeFormulae: CSV_FORMULA_RE }
  )
}
