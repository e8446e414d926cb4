/**
 * How the cashier CLI prints payouts: the stable JSON object scripts depend on
 * (toCliJson in electron/core/engine/view.ts) or one human line.
 */
import type { PayoutView } from '../../shared/payouts'
import { toCliJson } from '../core/engine/view'
import type { CliEngine } from './engine-context'
import { sleep } from './engine-context'

export function humanPayout(v: PayoutView): string {
  const parts = [
    `transaction-number ${v.transactionNumber}`,
    `${v.service} ${v.account} ${v.amount}`,
    `state ${v.state}`
  ]
  if (v.status !== null) parts.push(`status ${v.status}`)
  if (v.resultCode !== null && v.resultCode !== '0') {
    parts.push(`result ${v.resultCode}${v.resultMessage ? ` (${v.resultMessage})` : ''}`)
  }
  if (v.txnId !== null) parts.push(`txn_id ${v.txnId}`)
  if (v.paused) parts.push('TERMINAL PAUSED')
  if (v.error !== null && !v.final) parts.push(`last error ${v.error.code}: ${v.error.message}`)
  if (!v.final && v.nextCheckAt !== null) parts.push(`next check ${new Date(v.nextCheckAt).toISOString()}`)
  return parts.join(' | ')
}

export function cliPayoutObject(v: PayoutView): ReturnType<typeof toCliJson> {
  return toCliJson(v)
}

/** Keeps driving a payout until it is final, paused, or `timeoutMs` passed; returns the last view. */
export async function waitUntilFinal(
  e: CliEngine,
  id: number,
  timeoutMs: number
): Promise<PayoutView | null> {
  const end = Date.now() + timeoutMs
  let v = e.engine.get(id)
  while (v !== null && !v.final && !v.paused && Date.now() < end) {
    const due = v.nextCheckAt ?? Date.now()
    const wait = Math.max(100, Math.min(due - Date.now(), end - Date.now(), 5000))
    await sleep(wait)
    v = (await e.engine.processPayout(id)) ?? e.engine.get(id)
  }
  return v
}
