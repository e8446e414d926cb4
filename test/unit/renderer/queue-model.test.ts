import { describe, expect, it } from 'vitest'

import {
  emptyQueue,
  FINAL_LINGER_MS,
  queueReducer,
  queueRows,
  shouldToast
} from '../../../renderer/src/components/cashier/queue-model'
import type { PayoutView } from '../../../shared/payouts'

function payout(id: number, patch: Partial<PayoutView> = {}): PayoutView {
  return {
    id,
    transactionNumber: String(1000 + id),
    terminal: 'Demo',
    terminalRef: 't1',
    service: 'wallet',
    account: '79181234567',
    amount: '15.00',
    amountKopecks: 1500,
    currency: 'RUB',
    comment: null,
    state: 'queued',
    final: false,
    status: null,
    resultCode: null,
    resultMessage: null,
    txnId: null,
    txnDate: null,
    paused: false,
    nextCheckAt: null,
    attempts: 0,
    error: null,
    createdAt: 1000 + id,
    updatedAt: 1000 + id,
    finalAt: null,
    ...patch
  }
}

describe('live queue', () => {
  it('shows the snapshot newest first and applies changes', () => {
    let s = queueReducer(emptyQueue(), { type: 'snapshot', payouts: [payout(1), payout(2)], now: 0 })
    expect(queueRows(s).map((e) => e.payout.id)).toEqual([2, 1])
    s = queueReducer(s, { type: 'changed', payout: payout(1, { state: 'waiting', updatedAt: 5000, nextCheckAt: 9000 }), now: 1 })
    expect(queueRows(s).find((e) => e.payout.id === 1)?.payout.state).toBe('waiting')
  })
  it('a late snapshot never rolls a payout back', () => {
    let s = queueReducer(emptyQueue(), { type: 'changed', payout: payout(1, { state: 'sending', updatedAt: 5000 }), now: 0 })
    s = queueReducer(s, { type: 'snapshot', payouts: [payout(1, { state: 'queued', updatedAt: 4000 })], now: 1 })
    expect(queueRows(s)[0]?.payout.state).toBe('sending')
  })
  it('a final outcome stays for a moment, then leaves; it never goes back to non-final', () => {
    let s = queueReducer(emptyQueue(), { type: 'snapshot', payouts: [payout(1, { state: 'waiting' })], now: 0 })
    const done = payout(1, { state: 'succeeded', final: true, updatedAt: 9000, txnId: '6060' })
    s = queueReducer(s, { type: 'changed', payout: done, now: 100 })
    s = queueReducer(s, { type: 'changed', payout: payout(1, { state: 'waiting', updatedAt: 99_999 }), now: 200 })
    expect(queueRows(s)[0]?.payout.state).toBe('succeeded')
    s = queueReducer(s, { type: 'expire', now: 100 + FINAL_LINGER_MS - 1 })
    expect(queueRows(s)).toHaveLength(1)
    s = queueReducer(s, { type: 'expire', now: 100 + FINAL_LINGER_MS })
    expect(queueRows(s)).toHaveLength(0)
  })
  it('a payout that finished unseen is shown briefly; one the snapshot lost is dropped', () => {
    let s = queueReducer(emptyQueue(), { type: 'changed', payout: payout(7, { state: 'failed', final: true }), now: 0 })
    expect(queueRows(s).map((e) => e.payout.id)).toEqual([7])
    s = queueReducer(s, { type: 'changed', payout: payout(8, { state: 'waiting' }), now: 0 })
    s = queueReducer(s, { type: 'snapshot', payouts: [], now: 1 })
    expect(queueRows(s).map((e) => e.payout.id)).toEqual([7])
  })
  it('one toast per payout, only when final', () => {
    const seen = new Set<number>()
    expect(shouldToast(seen, payout(1))).toBe(false)
    expect(shouldToast(seen, payout(1, { state: 'succeeded', final: true }))).toBe(true)
    expect(shouldToast(seen, payout(1, { state: 'succeeded', final: true }))).toBe(false)
  })
})
