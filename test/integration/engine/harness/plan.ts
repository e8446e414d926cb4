/**
 * The crash harness's workload: N payout intents, deterministic, each with an account
 * of its own so the sandbox ledger can be grouped per intent (a second payment to an
 * account is a double payout). A share of them is planned to fail at QIWI (after
 * processing, or declined at registration) or to be declined by the pre-check.
 */
import type { ScenarioRuleInput } from '../../../../electron/core/sandbox/topup/model'

export type IntentPlan = 'success' | 'fail-later' | 'decline-at-qiwi' | 'precheck-declined'

export interface HarnessIntent {
  clientRequestId: string
  service: 'wallet' | 'card'
  account: string
  amount: string
  precheck: boolean
  plan: IntentPlan
}

export interface WorkerConfig {
  dbFile: string
  migrationsDir: string
  terminalRef: string
  terminalId: string
  password: string
  totalTimeoutMs: number
  intents: HarnessIntent[]
}

/** A wallet the sandbox refuses top-ups to (check-deposit-possible says 0; pay gets 319). */
export const BLOCKED_WALLET = '79990000002'

function luhnDigit(body: string): string {
  let sum = 0
  let double = true
  for (let i = body.length - 1; i >= 0; i--) {
    let d = body.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return String((10 - (sum % 10)) % 10)
}

export function cardFor(i: number): string {
  const body = `4276${String(i).padStart(11, '0')}`
  return body + luhnDigit(body)
}

function phone(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(7, '0')}`
}

export function planIntents(n: number): HarnessIntent[] {
  const out: HarnessIntent[] = []
  for (let i = 0; i < n; i++) {
    const amount = `${1 + (i % 9)}.${String(i % 100).padStart(2, '0')}`
    const clientRequestId = `harness-${String(i).padStart(6, '0')}`
    if (i % 17 === 16) {
      out.push({
        clientRequestId,
        service: 'wallet',
        account: BLOCKED_WALLET,
        amount,
        precheck: true,
        plan: 'precheck-declined'
      })
    } else if (i % 5 === 4) {
      out.push({
        clientRequestId,
        service: 'card',
        account: cardFor(i),
        amount,
        precheck: false,
        plan: 'success'
      })
    } else if (i % 11 === 10) {
      out.push({
        clientRequestId,
        service: 'wallet',
        account: phone('7956', i),
        amount,
        precheck: i % 2 === 0,
        plan: 'fail-later'
      })
    } else if (i % 13 === 12) {
      out.push({
        clientRequestId,
        service: 'wallet',
        account: phone('7957', i),
        amount,
        precheck: i % 2 === 0,
        plan: 'decline-at-qiwi'
      })
    } else {
      out.push({
        clientRequestId,
        service: 'wallet',
        account: phone('7955', i),
        amount,
        precheck: i % 2 === 0,
        plan: 'success'
      })
    }
  }
  return out
}

/** Sandbox rules that make the planned failures happen. */
export const HARNESS_RULES: ScenarioRuleInput[] = [
  {
    id: 'harness-fail-later',
    match: { accountPrefix: '7956' },
    outcome: { phase: 'fail', status: 160, resultCode: 300 }
  },
  {
    id: 'harness-decline',
    match: { accountPrefix: '7957' },
    outcome: { phase: 'decline', status: 150, resultCode: 300 }
  }
]
