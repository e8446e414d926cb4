/**
 * Terminal → connection settings. 'sandbox' maps to the embedded emulator's loopback
 * origins (the mutual-TLS listener for certificate terminals); anything else must be
 * an origin, https unless the host is loopback (the Top-Up transport refuses plain
 * http elsewhere before connecting, and so do we, earlier and with a clear error).
 */
import { err, ok } from '../../../shared/result'
import type { Result } from '../../../shared/result'
import type { Terminal } from '../db/types'
import { parseOrigin } from '../topup/transport'
import type { TopupEndpointConfig } from '../topup/types'
import type { EndpointResolver } from './types'

export interface SandboxOrigins {
  /** http://127.0.0.1:N (password and signature terminals). */
  topupOrigin: string
  /** https://127.0.0.1:M with client certificates; null when the TLS listener is off. */
  topupTlsOrigin: string | null
  /** The sandbox CA (trust anchor of topupTlsOrigin). */
  caCertPem: string
}

export interface EndpointResolverOptions {
  /** The embedded sandbox, when one runs; a terminal on 'sandbox' fails with 'config' otherwise. */
  sandbox?: SandboxOrigins | (() => SandboxOrigins | null) | null | undefined
  connectTimeoutMs?: number | undefined
  totalTimeoutMs?: number | undefined
  maxResponseBytes?: number | undefined
}

export function createEndpointResolver(opts: EndpointResolverOptions = {}): EndpointResolver {
  const deadlines = {
    ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.totalTimeoutMs !== undefined ? { totalTimeoutMs: opts.totalTimeoutMs } : {}),
    ...(opts.maxResponseBytes !== undefined ? { maxResponseBytes: opts.maxResponseBytes } : {})
  }
  return (t: Terminal): Result<TopupEndpointConfig> => {
    if (t.endpoint === 'sandbox') {
      const sb = typeof opts.sandbox === 'function' ? opts.sandbox() : opts.sandbox
      if (!sb) return err('config', `terminal "${t.name}" uses the sandbox, but no sandbox is running`)
      if (t.authMode === 'certificate') {
        if (sb.topupTlsOrigin === null) {
          return err('config', 'the sandbox runs without its mutual-TLS listener')
        }
        return ok({ origin: sb.topupTlsOrigin, ca: sb.caCertPem, ...deadlines })
      }
      return ok({ origin: sb.topupOrigin, ...deadlines })
    }
    const parsed = parseOrigin(t.endpoint)
    if (!parsed.ok) {
      return err(parsed.error.kind === 'refused-insecure' ? 'forbidden' : 'config', parsed.error.message)
    }
    return ok({
      origin: parsed.origin,
      ...(t.serverSpkiPins.length > 0 ? { spkiPins: t.serverSpkiPins } : {}),
      ...deadlines
    })
  }
}
