/** The payout engine's public surface (docs/ENGINE.md). */
export * from './types'
export { createPayoutEngine } from './engine'
export { createEndpointResolver } from './endpoint'
export type { EndpointResolverOptions, SandboxOrigins } from './endpoint'
export { MemoryCredentialProvider, vaultCredentialProvider } from './credentials'
export { decidePayExchange, decidePrecheck, decisionFlags, notSentCause } from './decide'
export type { DecisionContext, DecisionFlags, PayDecision, PrecheckDecision } from './decide'
export {
  isLoopbackOrigin,
  minPollIntervalMs,
  QIWI_MIN_POLL_MS,
  scheduleAfter,
  countNotFound,
  pollAllowed
} from './pacing'
export { normalizePayoutInput, payDetailsOf, EXTRA } from './normalize'
export type { NormalizedPayout, RawPayoutInput } from './normalize'
export { toAlertView, toBalanceView, toCliJson, toEventView, toPayoutView, toTerminalView } from './view'
export type { CliPayoutJson } from './view'
export {
  buildDayReport,
  dayBounds,
  localOffsetMinutes,
  normalizeSearch,
  toPayoutFilter,
  totalsView
} from './report'
export type { DayReportOptions } from './report'
