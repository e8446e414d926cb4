/**
 * The embedded sandbox's controls (training, demos, e2e tests). They reach only the
 * in-process emulator, never a real endpoint.
 */
import type { Calls } from '../../../../shared/contract'
import type { Handlers } from '../../../../shared/contract-kit'
import { AppError } from '../../../../shared/errors'
import type { EmbeddedSandbox } from '../embedded-sandbox'

type SandboxCalls = 'sandbox:info' | 'sandbox:injectFault' | 'sandbox:finalizeAll' | 'sandbox:setReachable'

export function sandboxHandlers(deps: {
  sandbox: EmbeddedSandbox
  onReachability: () => void
}): Pick<Handlers<Calls>, SandboxCalls> {
  const running = (): NonNullable<EmbeddedSandbox['running']> => {
    const s = deps.sandbox.running
    if (!s) throw new AppError('network-failure', 'The sandbox is off the network (offline drill)')
    return s
  }
  return {
    'sandbox:info': async () => deps.sandbox.info(),
    'sandbox:injectFault': async ({ request, kind, times }) => {
      const s = running()
      const fault =
        kind === 'fatal-auth'
          ? { kind: 'request-error' as const, code: 150, fatal: true }
          : kind === 'fatal-ip'
            ? { kind: 'request-error' as const, code: 339, fatal: true }
            : kind === 'http-status'
              ? { kind, status: 503 }
              : kind === 'hang'
                ? // longer than any client deadline; the socket is dropped afterwards
                  { kind, ms: 120_000 }
                : { kind }
      const queued = s.admin.topup.enqueueFaults([
        { match: request === 'any' ? {} : { request }, fault, times }
      ])
      return { queued: queued.length }
    },
    'sandbox:finalizeAll': async () => {
      const s = running()
      s.admin.topup.settle()
      let finalized = 0
      for (const p of s.admin.topup.listPayments({ final: false })) {
        s.admin.topup.finalizePayment(p.terminalId, p.transactionNumber, { outcome: 'planned' })
        finalized++
      }
      return { finalized }
    },
    'sandbox:setReachable': async ({ reachable }) => {
      await deps.sandbox.setReachable(reachable)
      deps.onReachability()
      return deps.sandbox.info()
    }
  }
}
