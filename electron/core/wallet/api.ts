/**
 * Where a wallet's API lives. A wallet row stores `api` as the user gave it:
 * 'sandbox' (the embedded emulator, whose port changes every run, so it is resolved
 * when used) or an origin. Plain http is accepted only for loopback hosts, the same
 * rule the transport enforces (personal/transport.ts), so a typo cannot send a token
 * in clear text over a network.
 */
import { AppError } from '../../../shared/errors'
import { CAS_DEFAULTS } from '../personal/auth'
import type { CasHeaderScheme } from '../personal/auth'
import { isLoopbackHost } from '../personal/transport'

export const SANDBOX_API = 'sandbox'
export const QIWI_EDGE_ORIGIN = 'https://edge.qiwi.com'

/** What `resolveApi` returns for a stored api value. */
export interface ResolvedApi {
  /** Origin to send requests to, e.g. https://edge.qiwi.com or http://127.0.0.1:17081. */
  origin: string
  /** Extra trusted CA (PEM) for https origins; never a way to switch verification off. */
  ca?: string | undefined
}

export type ApiResolver = (api: string) => ResolvedApi

/** CAS login options of a wallet (spec personal-api §10, decision P5). */
export interface CasOptions {
  /** CAS server origin, or 'sandbox'. Default https://auth.qiwi.com (the emulator serves /cas itself). */
  casBaseUrl: string
  /** `Token <ST>` (seed 002, default) or `ST <Base64(ST:service)>` (2017 page). */
  headerScheme: CasHeaderScheme
  /** The service the per-request ST is issued for; null = the scheme's documented default. */
  service: string | null
}

function bad(message: string, field: string): AppError {
  return new AppError('invalid-input', message, { field })
}

/**
 * 'sandbox' or an origin without path, query or credentials. Returns the normalized
 * value to store. Throws AppError 'invalid-input' (not an origin) or 'config' (plain
 * http to a non-loopback host).
 */
export function normalizeApi(input: string, field = 'api'): string {
  const s = input.trim()
  if (s === SANDBOX_API) return s
  let u: URL
  try {
    u = new URL(s)
  } catch {
    throw bad(`${field} must be "sandbox" or an origin such as ${QIWI_EDGE_ORIGIN}`, field)
  }
  if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw bad(`${field} must be an origin without a path (${QIWI_EDGE_ORIGIN})`, field)
  }
  if (u.origin.length > 200) throw bad(`${field} is too long`, field)
  if (u.protocol === 'https:') return u.origin
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return u.origin
  if (u.protocol === 'http:') {
    throw new AppError(
      'config',
      `${field}: plain http is allowed only for loopback hosts (the sandbox, tests)`,
      {
        field
      }
    )
  }
  throw bad(`${field} must use https`, field)
}

/**
 * The CAS server to use when the user gave none: the emulator (sandbox or a loopback
 * origin) serves /cas/* on the API origin itself; anything else gets QIWI's documented
 * https://auth.qiwi.com.
 */
export function defaultCasBase(api: string): string {
  if (api === SANDBOX_API) return SANDBOX_API
  const u = new URL(api)
  return isLoopbackHost(u.hostname) ? api : CAS_DEFAULTS.casBaseUrl
}

/**
 * A resolver for hosts without an embedded sandbox: origins resolve to themselves,
 * 'sandbox' is a configuration error. Hosts with a sandbox pass their own.
 */
export function originResolver(sandboxOrigin: () => string | null = () => null): ApiResolver {
  return (api) => {
    if (api !== SANDBOX_API) return { origin: api }
    const origin = sandboxOrigin()
    if (origin === null) {
      throw new AppError('config', 'The embedded sandbox is not running: its wallets cannot be reached now', {
        api
      })
    }
    return { origin }
  }
}
