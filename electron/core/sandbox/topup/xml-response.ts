/**
 * Reply documents shaped like the published examples (test-vectors/topup):
 * same element and attribute names, payment attributes in single quotes with
 * the trailing double space before `>`, balances as `<balance code="643">`.
 */
import type { ResponseStyle } from './model'

export function escAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;')
}

export function escText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

const PROLOG = '<?xml version="1.0" encoding="utf-8"?>\n'

export interface RequestCode {
  code: number
  fatal: boolean
  message?: string | undefined
}

export function resultCodeElement(rc: RequestCode, style: ResponseStyle, indent = ''): string {
  const msg =
    style.messages && rc.message !== undefined
      ? ` message="${escAttr(rc.message)}" msg="${escAttr(rc.message)}"`
      : ''
  return `${indent}<result-code fatal="${rc.fatal ? 'true' : 'false'}"${msg}>${rc.code}</result-code>\n`
}

/** A reply with only a request-level result code (errors, §4). */
export function errorResponse(rc: RequestCode, style: ResponseStyle): string {
  return `${style.xmlDeclaration ? PROLOG : ''}<response>\n${resultCodeElement(rc, style, '  ')}</response>\n`
}

export interface PaymentView {
  status: number
  txnId: string
  transactionNumber: string
  resultCode: number
  message: string
  final: boolean
  fatalError: boolean
  txnDate: string
  from?: { amount: string; ccy: string } | undefined
  to?: { serviceId: string; amount: string; ccy: string; account: string } | undefined
  extras?: Record<string, string> | undefined
}

export function paymentElement(
  p: PaymentView,
  style: ResponseStyle,
  opts: { cyrillicResultCode?: boolean; indent?: string } = {}
): string {
  const ind = opts.indent ?? ''
  const rcName = opts.cyrillicResultCode ? 'result-\u0441ode' : 'result-code'
  const msg = style.messages ? ` message='${escAttr(p.message)}' msg='${escAttr(p.message)}'` : ''
  const attrs =
    `status='${p.status}' txn_id='${escAttr(p.txnId)}' transaction-number='${escAttr(p.transactionNumber)}' ` +
    `${rcName}='${p.resultCode}'${msg} final-status='${p.final ? 'true' : 'false'}' ` +
    `fatal-error='${p.fatalError ? 'true' : 'false'}' txn-date='${escAttr(p.txnDate)}'  `
  const children: string[] = []
  if (p.from) {
    children.push(
      `${ind}  <from>\n${ind}    <amount>${escText(p.from.amount)}</amount>\n${ind}    <ccy>${escText(p.from.ccy)}</ccy>\n${ind}  </from>\n`
    )
  }
  if (p.to) {
    children.push(
      `${ind}  <to>\n${ind}    <service-id>${escText(p.to.serviceId)}</service-id>\n` +
        `${ind}    <amount>${escText(p.to.amount)}</amount>\n${ind}    <ccy>${escText(p.to.ccy)}</ccy>\n` +
        `${ind}    <account-number>${escText(p.to.account)}</account-number>\n${ind}  </to>\n`
    )
  }
  for (const [name, value] of Object.entries(p.extras ?? {})) {
    children.push(`${ind}  <extra name="${escAttr(name)}">${escText(value)}</extra>\n`)
  }
  if (children.length === 0) return `${ind}<payment ${attrs}/>\n`
  return `${ind}<payment ${attrs}>\n${children.join('')}${ind}</payment>\n`
}

export function balancesElement(balances: Record<string, string>, innerIndent = ''): string {
  const codes = Object.keys(balances).sort()
  const inner = codes
    .map((c) => `${innerIndent}<balance code="${escAttr(c)}">${escText(balances[c] ?? '0.00')}</balance>\n`)
    .join('')
  return `<balances>\n${inner}</balances>\n`
}

/** pay / status reply: optional top-level code, payments, balances. */
export function paymentsResponse(
  payments: PaymentView[],
  balances: Record<string, string>,
  style: ResponseStyle,
  opts: { sbp?: boolean; statusReply?: boolean } = {}
): string {
  const head = style.xmlDeclaration && !opts.sbp ? PROLOG : ''
  const rc =
    style.topLevelResultCode || opts.sbp
      ? resultCodeElement({ code: 0, fatal: false }, style, opts.sbp ? '  ' : '')
      : ''
  const cyr = opts.statusReply === true && style.cyrillicResultCodeInStatus
  if (opts.sbp) {
    const ps = payments
      .map((p) => paymentElement(p, style, { indent: '    ', cyrillicResultCode: cyr }))
      .join('')
    const codes = Object.keys(balances).sort()
    const bal = codes
      .map((c) => `<balance code="${escAttr(c)}">${escText(balances[c] ?? '0.00')}</balance>`)
      .join('')
    const ovd = codes
      .map((c) => `<balance-ovd code="${escAttr(c)}">${escText(balances[c] ?? '0.00')}</balance-ovd>`)
      .join('')
    return (
      `${head}<response>\n${rc}  <payments>\n${ps}  </payments>\n` +
      `  <balances>${bal}</balances><balances-ovd>${ovd}</balances-ovd><f></f><lk-status>001</lk-status></response>\n`
    )
  }
  const ps = payments.map((p) => paymentElement(p, style, { cyrillicResultCode: cyr })).join('')
  return `${head}<response>\n${rc}${ps}${balancesElement(balances)}</response>\n`
}

export function pingResponse(balances: Record<string, string>, style: ResponseStyle): string {
  const head = style.xmlDeclaration ? PROLOG : ''
  return `${head}<response>\n${resultCodeElement({ code: 0, fatal: false }, style)}${balancesElement(balances, '  ')}</response>\n`
}

export function checkUserResponse(exist: boolean, style: ResponseStyle): string {
  const head = style.xmlDeclaration ? PROLOG : ''
  return `${head}<response>\n${resultCodeElement({ code: 0, fatal: false }, style, '  ')}  <exist>${exist ? 1 : 0}</exist>\n</response>\n`
}

export function checkDepositResponse(
  rc: RequestCode,
  exist: boolean,
  possible: boolean,
  style: ResponseStyle
): string {
  const head = style.xmlDeclaration ? PROLOG : ''
  return (
    `${head}<response>\n${resultCodeElement(rc, style, '  ')}` +
    `  <exist>${exist ? 1 : 0}</exist>\n  <deposit-possible>${possible ? 1 : 0}</deposit-possible>\n</response>\n`
  )
}

export function providerResponse(providerId: string, style: ResponseStyle): string {
  const head = style.xmlDeclaration ? PROLOG : ''
  return `${head}<response>\n${resultCodeElement({ code: 0, fatal: false, message: 'Ок' }, style)}<provider id="${escAttr(providerId)}"/>\n</response>\n`
}
