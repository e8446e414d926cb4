/**
 * The embedded sandbox: QIWI's two APIs emulated in-process, the default endpoint of a
 * fresh install (every screen works without an account) and a training tool. Its state
 * lives in `<dataDir>/sandbox`, so payments survive restarts like real ones would.
 *
 * `setReachable(false)` closes its listeners (an offline drill: the desk keeps entering
 * payouts, which wait in the queue); `setReachable(true)` starts it again on new ports
 * with the same state. Endpoints are resolved at every request, so nothing caches a port.
 */
import { join } from 'node:path'

import type { SandboxInfo } from '../../../shared/contract'
import type { Logger } from '../log/logger'
import { startSandbox } from '../sandbox/sandbox'
import type { Sandbox } from '../sandbox/sandbox'

export interface EmbeddedSandboxOptions {
  dataDir: string
  logger: Logger
  /** Accepted → final time of payments (ms). */
  processingMs?: number
}

export class EmbeddedSandbox {
  private current: Sandbox | null = null
  private starting: Promise<Sandbox> | null = null
  private reachable = true
  /** Origins of the last running instance: while off the network they refuse connections. */
  private last: { topupOrigin: string; topupTlsOrigin: string | null; personalOrigin: string | null; caCertPem: string } | null =
    null

  constructor(private readonly opts: EmbeddedSandboxOptions) {}

  get dir(): string {
    return join(this.opts.dataDir, 'sandbox')
  }

  async start(): Promise<Sandbox> {
    if (this.current) return this.current
    if (!this.starting) {
      this.starting = startSandbox({
        dataDir: this.dir,
        logger: this.opts.logger,
        ...(this.opts.processingMs === undefined ? {} : { processingMs: this.opts.processingMs })
      }).then((s) => {
        this.current = s
        this.last = {
          topupOrigin: s.topupOrigin,
          topupTlsOrigin: s.topupTlsOrigin,
          personalOrigin: s.personalOrigin,
          caCertPem: s.caCertPem
        }
        this.starting = null
        return s
      })
    }
    return this.starting
  }

  /** The running sandbox, or null while it is off the network. */
  get running(): Sandbox | null {
    return this.reachable ? this.current : null
  }

  async setReachable(reachable: boolean): Promise<void> {
    this.reachable = reachable
    if (!reachable && this.current) {
      const s = this.current
      this.current = null
      await s.close()
    } else if (reachable) {
      await this.start()
    }
  }

  /**
   * Where the sandbox listens (or listened, while off the network: connections are then
   * refused, exactly like an unreachable server).
   */
  lastOrigins(): { topupOrigin: string; topupTlsOrigin: string | null; personalOrigin: string | null; caCertPem: string } {
    if (!this.last) throw new Error('sandbox never started')
    return this.last
  }

  isReachable(): boolean {
    return this.reachable
  }

  info(): SandboxInfo {
    const s = this.current
    const demo = s?.demo
    return {
      enabled: true,
      reachable: this.reachable && s !== null,
      topupOrigin: s?.topupOrigin ?? null,
      personalOrigin: s?.personalOrigin ?? null,
      demo: demo
        ? {
            terminalId: demo.topup.password.terminalId,
            wallets: { ...demo.topup.wallets },
            cards: { ...demo.topup.cards },
            sbp: { ...demo.topup.sbp },
            personal: demo.personal
              ? {
                  wallet: demo.personal.walletNumber,
                  token: demo.personal.apiToken,
                  casLogin: demo.personal.casLogin,
                  casPassword: demo.personal.casPassword
                }
              : null
          }
        : null
    }
  }

  async close(): Promise<void> {
    const s = this.current ?? (this.starting ? await this.starting : null)
    this.current = null
    if (s) await s.close()
  }
}
