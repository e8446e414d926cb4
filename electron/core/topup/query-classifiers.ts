/**
 * Classifiers for the non-payment requests: check-deposit-possible (spec §5.9),
 * check-user (§5.10), ping (§5.11) and get-provider-by-phone-number (§5.6.1).
 * None of these moves money, but a wrong "possible" would let an impossible pay
 * through, so malformed or contradictory replies are "retry", never "possible".
 */
import { attr, children, single, trimXmlWs } from './safe-xml'
import type { XmlObject } from './safe-xml'
import { loadReply, readBalances, readFlag, readRequestLevel, transportReason } from './reply-common'
import type {
  CheckDepositOutcome,
  CheckUserValue,
  OutcomeReason,
  PingValue,
  ProviderValue,
  QueryOutcome,
  TransportError
} from './types'

function retry(
  reason: CheckDepositOutcome['reason'],
  extra: Partial<CheckDepositOutcome> = {}
): CheckDepositOutcome {
  return { kind: 'retry', reason, fatal: false, ...extra }
}

export function classifyCheckDepositFailure(reason: OutcomeReason): CheckDepositOutcome {
  return retry(reason)
}

/**
 * Rule (spec §5.9, tightened): `deposit-possible=0` → impossible whatever the code;
 * `deposit-possible=1` → possible only with result-code 0 (or none), a non-zero code
 * next to "1" is contradictory → retry; flag absent: fatal code → impossible,
 * non-fatal code → retry; flag absent with code 0 → retry (incomplete).
 */
export function classifyCheckDepositReply(body: string | Uint8Array, maxBytes?: number): CheckDepositOutcome {
  const loaded = loadReply(body, maxBytes)
  if (!loaded.ok) return retry(loaded.reason)
  const doc = loaded.doc
  const rl = readRequestLevel(doc)
  if (rl === null) return retry('incomplete')
  const dp = readFlag(doc, 'deposit-possible')
  const ex = readFlag(doc, 'exist')
  if (dp === 'invalid' || ex === 'invalid') {
    return retry('incomplete', { fatal: rl.fatal, requestResultCode: rl.code })
  }
  const common = {
    exist: typeof ex === 'boolean' ? ex : undefined,
    depositPossible: typeof dp === 'boolean' ? dp : undefined,
    requestResultCode: rl.code,
    requestMessage: rl.message,
    fatal: rl.fatal
  }
  const codeOk = rl.code === undefined || rl.code === 0
  if (dp === false) return { ...common, kind: 'impossible', reason: 'deposit-impossible' }
  if (dp === true) {
    return codeOk
      ? { ...common, kind: 'possible', reason: 'ok' }
      : { ...common, kind: 'retry', reason: 'contradictory' }
  }
  if (!codeOk) {
    return rl.fatal
      ? { ...common, kind: 'impossible', reason: 'fatal-code' }
      : { ...common, kind: 'retry', reason: 'request-error' }
  }
  return { ...common, kind: 'retry', reason: 'incomplete' }
}

type Fail = Extract<QueryOutcome<never>, { ok: false }>

function fail(reason: OutcomeReason, extra: Partial<Fail> = {}): Fail {
  return { ok: false, reason, fatal: false, ...extra }
}

export function classifyQueryTransportFailure(e: TransportError): Fail {
  return fail(transportReason(e))
}

export function classifyQueryHttpStatus(): Fail {
  return fail('http-status')
}

/** Shared front half: parse, read the request level, stop on a non-zero code. */
function front(
  body: string | Uint8Array,
  maxBytes: number | undefined
): { done: Fail } | { doc: XmlObject; code: number } {
  const loaded = loadReply(body, maxBytes)
  if (!loaded.ok) return { done: fail(loaded.reason) }
  const rl = readRequestLevel(loaded.doc)
  if (rl === null) return { done: fail('incomplete') }
  if (rl.code !== undefined && rl.code !== 0) {
    return {
      done: fail('request-error', { fatal: rl.fatal, requestResultCode: rl.code, requestMessage: rl.message })
    }
  }
  return { doc: loaded.doc, code: rl.code ?? 0 }
}

/** check-user: `exist` present only with result-code 0. */
export function classifyCheckUserReply(
  body: string | Uint8Array,
  maxBytes?: number
): QueryOutcome<CheckUserValue> {
  const f = front(body, maxBytes)
  if ('done' in f) return f.done
  const ex = readFlag(f.doc, 'exist')
  if (typeof ex !== 'boolean') return fail('incomplete', { requestResultCode: f.code })
  return { ok: true, value: { exist: ex }, requestResultCode: f.code }
}

/** ping: the agent balances. A reply without `<balances>` is incomplete. */
export function classifyPingReply(body: string | Uint8Array, maxBytes?: number): QueryOutcome<PingValue> {
  const f = front(body, maxBytes)
  if ('done' in f) return f.done
  if (single(f.doc, 'balances').kind !== 'one') return fail('incomplete', { requestResultCode: f.code })
  return { ok: true, value: { balances: readBalances(f.doc) }, requestResultCode: f.code }
}

/** get-provider-by-phone-number: `<provider id="42"/>`. */
export function classifyGetProviderReply(
  body: string | Uint8Array,
  maxBytes?: number
): QueryOutcome<ProviderValue> {
  const f = front(body, maxBytes)
  if ('done' in f) return f.done
  const all = children(f.doc, 'provider')
  if (all.length !== 1) return fail('incomplete', { requestResultCode: f.code })
  const id = attr(all[0] ?? '', 'id')
  const v = id === undefined ? undefined : trimXmlWs(id)
  if (v === undefined || !/^[0-9]{1,10}$/.test(v)) return fail('incomplete', { requestResultCode: f.code })
  return { ok: true, value: { providerId: v }, requestResultCode: f.code }
}
