/**
 * The contract's names without its schemas: every call and event channel, and the enum
 * value lists the renderer shows. No schema library here on purpose: the renderer and the
 * preload build `window.api` from these lists, so neither bundle carries one (the hosts
 * validate every input and output against shared/contract.ts). shared/contract.ts ties its
 * `calls` and `events` to these names at compile time (`satisfies`);
 * test/unit/shared/channels.test.ts checks the lists against the schemas at run time, order
 * included.
 */

/** Every renderer → host call, in the order shared/contract.ts declares them. */
export const CALL_CHANNELS = [
  'app:info',
  'app:openLogFolder',
  'settings:get',
  'settings:set',
  'terminals:list',
  'terminals:save',
  'terminals:remove',
  'terminals:resume',
  'credentials:save',
  'credentials:delete',
  'credentials:exportPublicKey',
  'credentials:enableSessionOnly',
  'payouts:precheck',
  'payouts:create',
  'payouts:get',
  'payouts:queue',
  'history:query',
  'history:exportCsv',
  'balances:list',
  'balances:refresh',
  'alerts:list',
  'alerts:ack',
  'report:day',
  'wallets:list',
  'wallets:addToken',
  'wallets:addCas',
  'wallets:remove',
  'wallet:balances',
  'wallet:sync',
  'wallet:history',
  'wallet:exportCsv',
  'wallet:totals',
  'wallet:commission',
  'wallet:transfer',
  'wallet:transfers',
  'sandbox:info',
  'sandbox:injectFault',
  'sandbox:finalizeAll',
  'sandbox:setReachable'
] as const
export type CallChannel = (typeof CALL_CHANNELS)[number]

/** Every host → renderer push event. */
export const EVENT_CHANNELS = [
  'settings:changed',
  'app:connectivity',
  'payout:changed',
  'alert:raised',
  'balances:changed',
  'terminals:changed',
  'wallet:transfer'
] as const
export type EventChannel = (typeof EVENT_CHANNELS)[number]

/** PayoutStateZ's values (shared/payouts.ts), same order. */
export const PAYOUT_STATES = ['queued', 'sending', 'waiting', 'succeeded', 'failed', 'declined'] as const

/** ServiceZ's values (shared/payouts.ts), same order. */
export const SERVICES = ['wallet', 'card', 'card-spec', 'card-foreign', 'sbp', 'mobile'] as const

const EVENT_SET: ReadonlySet<string> = new Set(EVENT_CHANNELS)

/** Whether an untrusted string names a declared event (guards the event streams). */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && EVENT_SET.has(name)
}
