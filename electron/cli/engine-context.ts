/**
 * What the cashier-side CLI commands share: the database of the data directory, the
 * keychain (opened only when a command really needs a secret), the embedded sandbox
 * for terminals on `--endpoint sandbox` (state kept under <dataDir>/sandbox so a later
 * invocation sees the same payments), the payout engine over all of it, and the
 * error → exit-code mapping.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { AppError, isAppError } from '../../shared/errors'
import type { ErrorCode } from '../../shared/errors'
import { err, ok } from '../../shared/result'
import type { Result } from '../../shared/result'
import { DB_FILE } from '../core/app/app-core'
import { closeDatabase, openDatabase } from '../core/db/connection'
import type { Db } from '../core/db/connection'
import { getTerminalByName, listTerminals } from '../core/db/repositories/terminals.repository'
import type { Terminal } from '../core/db/types'
import { vaultCredentialProvider } from '../core/engine/credentials'
import { createEndpointResolver } from '../core/engine/endpoint'
import { createPayoutEngine } from '../core/engine/engine'
import type { CredentialProvider, EngineConfig, PayoutEngine } from '../core/engine/types'
import { createLogger, nullLogger } from '../core/log/logger'
import type { Logger } from '../core/log/logger'
import { startSandbox } from '../core/sandbox/sandbox'
import type { Sandbox } from '../core/sandbox/sandbox'
import { CredentialVault } from '../core/secrets/credential-vault'
import { openSecretStore } from '../core/secrets/open-secret-store'
import { EXIT } from './context'
import type { CliContext, ExitCode } from './context'

/** Keychain service name; tests isolate themselves with QIWI_DESK_KEYCHAIN_SERVICE. */
function keychainService(): string | undefined {
  const s = process.env['QIWI_DESK_KEYCHAIN_SERVICE']
  return s !== undefined && /^[A-Za-z0-9._-]{1,64}$/.test(s) ? s : undefined
}

const BAD_INPUT: ReadonlySet<ErrorCode> = new Set([
  'bad-request',
  'invalid-input',
  'invalid-amount',
  'invalid-phone',
  'invalid-card',
  'invalid-account',
  'invalid-csv',
  'payout-exists'
])

const CONFIG: ReadonlySet<ErrorCode> = new Set([
  'config',
  'unknown-terminal',
  'unknown-wallet',
  'service-not-allowed',
  'keychain-unavailable',
  'keychain-locked',
  'credential-missing',
  'credential-invalid',
  'credential-wrong-passphrase',
  'credential-legacy-pfx',
  'credential-expired',
  'credential-not-yet-valid',
  'credential-key-mismatch',
  'credential-truncated',
  'unauthorized',
  'forbidden'
])

/** Exit code of an error code: 2 bad input (nothing recorded), 3 configuration/credentials, 1 the rest. */
export function exitCodeFor(code: ErrorCode): ExitCode {
  if (BAD_INPUT.has(code)) return EXIT.badInput
  if (CONFIG.has(code)) return EXIT.config
  return EXIT.other
}

/** Prints an error on stderr and sets the exit code. */
export function reportError(ctx: CliContext, command: string, e: unknown): void {
  const ae = isAppError(e) ? e : new AppError('internal', e instanceof Error ? e.message : String(e))
  ctx.err(`qiwi-desk ${command}: ${ae.message} [${ae.code}]`)
  ctx.setExit(exitCodeFor(ae.code))
}

/** A bad-input error (exit 2). */
export function badInput(message: string, field?: string): AppError {
  return new AppError('invalid-input', message, field === undefined ? undefined : { field })
}

export interface CliEngine {
  dataDir: string
  db: Db
  engine: PayoutEngine
  /** The keychain-backed vault; opened on first use (AppError 'keychain-*' when unusable). */
  vault(): Promise<CredentialVault>
  sandbox: Sandbox | null
  logger: Logger
  terminalByName(name: string): Terminal
  close(): Promise<void>
}

export interface OpenCliEngineOptions {
  /** Start the embedded sandbox when some terminal uses it (commands that talk to QIWI). */
  network: boolean
  config?: Partial<EngineConfig> | undefined
}

/** Opens the data directory's database and builds the engine (see module doc). */
export async function openCliEngine(ctx: CliContext, opts: OpenCliEngineOptions): Promise<CliEngine> {
  const dataDir = ctx.dataDir()
  mkdirSync(dataDir, { recursive: true })
  const logger =
    process.env['QIWI_DESK_DEBUG'] === '1' ? createLogger({ stderr: true, level: 'debug' }) : nullLogger
  const db = openDatabase(join(dataDir, DB_FILE), { logger })
  let sandbox: Sandbox | null = null
  try {
    if (opts.network && listTerminals(db).some((t) => t.endpoint === 'sandbox')) {
      sandbox = await startSandbox({ dataDir: join(dataDir, 'sandbox'), personal: false, tls: true, logger })
    }
  } catch (e) {
    closeDatabase(db)
    throw new AppError(
      'config',
      `the embedded sandbox could not start: ${e instanceof Error ? e.message : String(e)}`
    )
  }

  let vaultP: Promise<Result<CredentialVault>> | null = null
  const loadVault = (): Promise<Result<CredentialVault>> => {
    vaultP ??= (async () => {
      const service = keychainService()
      const opened = await openSecretStore({
        allowSessionOnly: false,
        logger,
        ...(service !== undefined ? { keytar: { service, logger } } : {})
      })
      if (opened.status !== 'keychain') {
        const reason = opened.reason
        return err(
          reason?.code ?? 'keychain-unavailable',
          `the OS keychain is not usable (${reason ? reason.message.en : 'unavailable'}); the CLI keeps secrets only there`
        )
      }
      return ok(new CredentialVault({ store: opened.store, logger }))
    })()
    return vaultP
  }
  const credentials: CredentialProvider = {
    async topupAuth(t) {
      const v = await loadVault()
      if (!v.ok) return v
      return vaultCredentialProvider(v.value, 'en').topupAuth(t)
    }
  }
  const sb = sandbox
  const engine = createPayoutEngine({
    db,
    credentials,
    resolveEndpoint: createEndpointResolver({
      sandbox: sb
        ? { topupOrigin: sb.topupOrigin, topupTlsOrigin: sb.topupTlsOrigin, caCertPem: sb.caCertPem }
        : null
    }),
    logger,
    config: { language: 'en', balanceRefreshSeconds: 0, ...(opts.config ?? {}) }
  })
  return {
    dataDir,
    db,
    engine,
    sandbox,
    logger,
    async vault() {
      const v = await loadVault()
      if (!v.ok) throw new AppError(v.error.code, v.error.message)
      return v.value
    },
    terminalByName(name: string): Terminal {
      const t = getTerminalByName(db, name)
      if (!t) {
        throw new AppError('unknown-terminal', `no terminal named "${name}" (see: qiwi-desk terminal list)`)
      }
      return t
    },
    async close() {
      if (sandbox) await sandbox.close()
      closeDatabase(db)
    }
  }
}

/** Opens the engine, runs `fn`, reports errors, always closes. */
export async function withEngine(
  ctx: CliContext,
  command: string,
  opts: OpenCliEngineOptions,
  fn: (e: CliEngine) => Promise<void>
): Promise<void> {
  let e: CliEngine
  try {
    e = await openCliEngine(ctx, opts)
  } catch (x) {
    reportError(ctx, command, x)
    return
  }
  try {
    await fn(e)
  } catch (x) {
    reportError(ctx, command, x)
  } finally {
    await e.close()
  }
}

/** Writes a JSON document (the one per command). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
