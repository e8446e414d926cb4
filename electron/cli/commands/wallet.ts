/**
 * `qiwi-desk wallet …`: the wallet owner's side from a terminal (docs/WALLET.md).
 *
 *   wallet add --name N --api sandbox|ORIGIN (--token-stdin | --cas-login PHONE --password-stdin [--auth-base ORIGIN])
 *   wallet list | remove N | profile N | balance N | sync N [--days D]
 *   wallet history N [--from D] [--to D] [--operation ALL|IN|OUT|QIWI_CARD] [--source QW_RUB …] [--offline] [--csv]
 *   wallet totals N --from D --to D
 *   wallet transfer N --to PHONE --amount A [--comment C]
 *   wallet transfers N | reconcile N
 *
 * Secrets come only from stdin. Wallets on `--api sandbox` talk to the embedded emulator,
 * started in-process for the command with its state under <dataDir>/sandbox. Exit codes:
 * 0 ok (a transfer left `waiting` included), 2 bad input, 3 configuration/credentials,
 * 1 anything else.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

import type { Command } from 'commander'

import { AppError, isAppError } from '../../../shared/errors'
import type { ErrorCode } from '../../../shared/errors'
import { CURRENCIES, parseAmount } from '../../../shared/money'
import { normalizePhone, validateComment } from '../../../shared/validation'
import type { TransferView, WalletHistoryItemView, WalletView } from '../../../shared/wallet'
import { DB_FILE } from '../../core/app/app-core'
import { closeDatabase, openDatabase } from '../../core/db/connection'
import type { Db } from '../../core/db/connection'
import type { Logger } from '../../core/log/logger'
import { createLogger, nullLogger } from '../../core/log/logger'
import { DAY_MS, MOSCOW_OFFSET_MINUTES } from '../../core/personal/dates'
import type { HistorySource } from '../../core/personal/types'
import { HISTORY_SOURCES } from '../../core/personal/types'
import { startSandbox } from '../../core/sandbox/sandbox'
import { CredentialVault } from '../../core/secrets/credential-vault'
import { openSecretStore } from '../../core/secrets/open-secret-store'
import type { OpenedSecretStore } from '../../core/secrets/open-secret-store'
import { SANDBOX_API, originResolver } from '../../core/wallet/api'
import { historyCsv } from '../../core/wallet/csv'
import type { HistoryOperationFilter } from '../../core/wallet/history.repository'
import { getWalletByName } from '../../core/wallet/wallets.repository'
import type { WalletServiceOptions } from '../../core/wallet/wallet-service'
import { WalletService } from '../../core/wallet/wallet-service'
import { EXIT } from '../context'
import { exitCodeFor as cashierExitCodeFor } from '../engine-context'
import type { CliContext, ExitCode } from '../context'

/** The embedded sandbox as the wallet commands need it. */
export interface CliSandbox {
  personalOrigin: string | null
  close(): Promise<void>
}

export interface WalletCliDeps {
  /** The secret store of this run. Default: the OS keychain (a session store would forget at exit). */
  openSecrets?: (() => Promise<OpenedSecretStore>) | undefined
  /** Starts the embedded sandbox with its state in `dir`. Default startSandbox({ dataDir: dir, tls: false }). */
  startSandbox?: ((dir: string) => Promise<CliSandbox>) | undefined
  /** Extra service options (tests: clock, pacing, client factory). */
  service?: Partial<Omit<WalletServiceOptions, 'db' | 'vault' | 'resolveApi'>> | undefined
  logger?: Logger | undefined
}

/**
 * Where an error code sends the exit status: the cashier commands' table
 * (engine-context.ts), plus `conflict` = bad input here (a wallet name, wallet number
 * or request id already taken is something the user typed).
 */
export function exitCodeFor(code: ErrorCode): ExitCode {
  return code === 'conflict' ? EXIT.badInput : cashierExitCodeFor(code)
}

function badInput(message: string, field?: string): AppError {
  return new AppError('invalid-input', message, field ? { field } : undefined)
}

/**
 * A date from the command line: YYYY-MM-DD (a Moscow calendar day, as QIWI counts
 * days; the end of that day when `endOfDay`) or an ISO date-time with Z or an offset.
 */
export function parseCliDate(s: string, endOfDay: boolean, name: string): number {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (d) {
    const utc = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]))
    const check = new Date(utc)
    if (check.getUTCDate() !== Number(d[3]) || check.getUTCMonth() !== Number(d[2]) - 1) {
      throw badInput(`${name}: no such date ${s}`, name)
    }
    const start = utc - MOSCOW_OFFSET_MINUTES * 60_000
    return endOfDay ? start + DAY_MS - 1 : start
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) {
    const ms = Date.parse(s)
    if (Number.isFinite(ms)) return ms
  }
  throw badInput(
    `${name} must be YYYY-MM-DD or an ISO date-time with an offset (2024-05-01T10:00:00+03:00)`,
    name
  )
}

function alpha(currency: string): string {
  return CURRENCIES[currency] ?? currency
}

/** The documented history field names, amounts as decimal strings (the --json shape). */
export function cliHistoryItem(i: WalletHistoryItemView): Record<string, unknown> {
  return {
    txnId: i.txnId,
    type: i.type,
    status: i.status,
    date: i.date,
    account: i.account,
    sum: i.sum.amount,
    commission: i.commission?.amount ?? null,
    total: i.total.amount,
    currency: i.sum.currency,
    provider: i.provider,
    comment: i.comment,
    trmTxnId: i.trmTxnId,
    errorCode: i.errorCode,
    error: i.error
  }
}

/** The --json shape of a transfer result. */
export function cliTransfer(v: TransferView): {
  id: string
  state: string
  txnId: string | null
  error: unknown
} {
  return { id: v.id, state: v.state, txnId: v.txnId, error: v.error }
}

function humanWallet(w: WalletView): string {
  const p = w.permissions
  const lines = [
    `${w.name}: wallet ${w.wallet} via ${w.api} (${w.authKind === 'token' ? 'API token' : 'CAS login'})`,
    `  permissions: profile ${p.profile}, balance ${p.balance}, history ${p.history}, payments ${p.payments}`,
    `  cached items: ${w.itemCount}; last sync: ${w.lastSyncAt ? new Date(w.lastSyncAt).toISOString() : 'never'}`
  ]
  if (w.tokenExpiresAt !== null) {
    lines.push(
      `  token expires: ${new Date(w.tokenExpiresAt).toISOString().slice(0, 10)}${w.tokenExpiresSoon ? ' (SOON: issue a new token)' : ''}`
    )
  }
  return lines.join('\n')
}

function humanItem(i: WalletHistoryItemView): string {
  const sign = i.type === 'IN' ? '+' : '-'
  return [
    i.date,
    i.txnId.padStart(12),
    i.type.padEnd(9),
    i.status.padEnd(7),
    `${sign}${i.sum.amount} ${alpha(i.sum.currency)}`.padStart(18),
    i.account ?? '',
    i.comment ? `“${i.comment.slice(0, 60)}”` : ''
  ].join('  ')
}

interface Session {
  service: WalletService
  db: Db
}

interface SessionNeeds {
  /** Wallet name whose api decides whether the sandbox is needed. */
  walletName?: string | undefined
  /** An api/authBase given on the command line. */
  apis?: (string | undefined)[] | undefined
  /** No network at all (offline queries): never start the sandbox. */
  offline?: boolean | undefined
  /** The command reads or deletes a secret (default true); otherwise the keychain is not opened. */
  secrets?: boolean | undefined
}

/** The keychain service name: tests isolate themselves with QIWI_DESK_KEYCHAIN_SERVICE (as the cashier commands do). */
function keychainService(): string | undefined {
  const s = process.env['QIWI_DESK_KEYCHAIN_SERVICE']
  return s !== undefined && /^[A-Za-z0-9._-]{1,64}$/.test(s) ? s : undefined
}

async function defaultOpenSecrets(logger: Logger): Promise<OpenedSecretStore> {
  const service = keychainService()
  return openSecretStore({
    allowSessionOnly: false,
    logger,
    ...(service !== undefined ? { keytar: { service, logger } } : {})
  })
}

function noSecrets(): CredentialVault {
  throw new AppError('internal', 'this command does not use the keychain')
}

async function defaultStartSandbox(dir: string, logger: Logger): Promise<CliSandbox> {
  const sb = await startSandbox({ dataDir: dir, tls: false, logger })
  return { personalOrigin: sb.personalOrigin, close: () => sb.close() }
}

async function withSession(
  ctx: CliContext,
  deps: WalletCliDeps,
  needs: SessionNeeds,
  fn: (s: Session) => Promise<void>
): Promise<void> {
  const logger =
    deps.logger ??
    (process.env['QIWI_DESK_DEBUG'] === '1' ? createLogger({ stderr: true, level: 'debug' }) : nullLogger)
  const dataDir = ctx.dataDir()
  mkdirSync(dataDir, { recursive: true })
  const db = openDatabase(join(dataDir, DB_FILE), { logger })
  let sandbox: CliSandbox | null = null
  let service: WalletService | null = null
  try {
    let vault: CredentialVault | null = null
    if (needs.secrets !== false) {
      const opened = await (deps.openSecrets ?? (() => defaultOpenSecrets(logger)))()
      if (opened.status === 'unavailable') {
        const r = opened.reason
        throw new AppError(
          r?.code ?? 'keychain-unavailable',
          `the OS keychain is not usable (${r ? r.message.en : 'unavailable'}); the CLI keeps secrets only there`
        )
      }
      vault = new CredentialVault({ store: opened.store, logger })
    }
    const v = vault
    let wantSandbox = (needs.apis ?? []).includes(SANDBOX_API)
    if (needs.walletName !== undefined) {
      const w = getWalletByName(db, needs.walletName)
      if (w && (w.api === SANDBOX_API || w.cas?.casBaseUrl === SANDBOX_API)) wantSandbox = true
    }
    if (wantSandbox && needs.offline !== true) {
      const start = deps.startSandbox ?? ((dir: string) => defaultStartSandbox(dir, logger))
      sandbox = await start(join(dataDir, 'sandbox'))
    }
    const sb = sandbox
    service = new WalletService({
      lang: () => 'en',
      logger,
      ...deps.service,
      db,
      vault: () => v ?? noSecrets(),
      resolveApi: originResolver(() => sb?.personalOrigin ?? null)
    })
    await fn({ service, db })
  } finally {
    service?.close()
    if (sandbox) await sandbox.close()
    closeDatabase(db)
  }
}

/** Runs one command: errors become a message on stderr and an exit code. */
function action<A extends unknown[]>(
  ctx: CliContext,
  fn: (...args: A) => Promise<void>
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args)
    } catch (e) {
      const code: ErrorCode = isAppError(e) ? e.code : 'internal'
      const message = e instanceof Error ? e.message : String(e)
      if (ctx.json()) ctx.err(JSON.stringify({ error: { code, message } }))
      else ctx.err(`qiwi-desk wallet: ${message} [${code}]`)
      ctx.setExit(exitCodeFor(code))
    }
  }
}

function mustFind(s: Session, name: string): WalletView {
  const w = s.service.findByName(name)
  if (!w) {
    throw new AppError('unknown-wallet', `No wallet named "${name}" (see: qiwi-desk wallet list)`, { name })
  }
  return w
}

/** Reads a secret from stdin: one trailing newline is dropped, nothing else is changed. */
async function readSecret(ctx: CliContext, what: string): Promise<string> {
  const raw = await ctx.readStdin()
  const v = raw.replace(/\r?\n$/, '')
  if (v.length === 0) throw badInput(`${what}: nothing on stdin`, what)
  return v
}

interface AddOptions {
  name: string
  api: string
  tokenStdin?: boolean
  casLogin?: string
  passwordStdin?: boolean
  authBase?: string
  casHeader?: string
  casService?: string
  wallet?: string
}

interface HistoryOptions {
  from?: string
  to?: string
  operation?: string
  source?: string[]
  offline?: boolean
  csv?: boolean
  search?: string
  status?: string[]
  currency?: string[]
}

interface TransferOptions {
  to: string
  amount: string
  comment?: string
}

export function registerWalletCommand(program: Command, ctx: CliContext, deps: WalletCliDeps = {}): void {
  const wallet = program
    .command('wallet')
    .description('QIWI wallet owner: balances, history (offline cache), transfers')

  wallet
    .command('add')
    .description('log in a wallet with an API token (stdin) or the legacy CAS login + password (stdin)')
    .requiredOption('--name <name>', 'a name for this wallet on the desk')
    .requiredOption('--api <api>', '"sandbox" or an origin (https://edge.qiwi.com; http only for loopback)')
    .option('--token-stdin', 'read the API token from stdin')
    .option('--cas-login <phone>', 'legacy CAS mode: wallet login (number with country code)')
    .option('--password-stdin', 'CAS mode: read the wallet password from stdin')
    .option(
      '--auth-base <origin>',
      'CAS mode: CAS server origin (default: the API origin for the sandbox, else https://auth.qiwi.com)'
    )
    .option('--cas-header <scheme>', 'CAS mode: "token" (Authorization: Token ST-…, default) or "st-base64"')
    .option('--cas-service <url>', 'CAS mode: the service URL the per-request ticket is issued for')
    .option('--wallet <phone>', 'wallet number (only needed when the token lacks the profile permission)')
    .action(
      action(ctx, async (o: AddOptions) => {
        const token = o.tokenStdin === true
        const cas = o.casLogin !== undefined
        if (token === cas) throw badInput('give exactly one of --token-stdin or --cas-login', 'auth')
        if (cas && o.passwordStdin !== true) throw badInput('--cas-login needs --password-stdin', 'password')
        if (token && (o.passwordStdin || o.authBase || o.casHeader || o.casService)) {
          throw badInput('--password-stdin/--auth-base/--cas-* belong to --cas-login', 'auth')
        }
        if (o.casHeader !== undefined && o.casHeader !== 'token' && o.casHeader !== 'st-base64') {
          throw badInput('--cas-header must be "token" or "st-base64"', 'casHeader')
        }
        const secret = await readSecret(ctx, token ? 'token' : 'password')
        await withSession(ctx, deps, { apis: [o.api.trim(), o.authBase?.trim()] }, async (s) => {
          const view = token
            ? await s.service.addWithToken({
                name: o.name,
                api: o.api,
                token: secret.trim(),
                wallet: o.wallet
              })
            : await s.service.addWithCas({
                name: o.name,
                api: o.api,
                login: o.casLogin ?? '',
                password: secret,
                authBase: o.authBase,
                headerScheme: o.casHeader as 'token' | 'st-base64' | undefined,
                service: o.casService
              })
          ctx.out(ctx.json() ? JSON.stringify(view) : `added\n${humanWallet(view)}`)
        })
      })
    )

  wallet
    .command('list')
    .description('wallets logged in on this desk')
    .action(
      action(ctx, async () => {
        await withSession(ctx, deps, { offline: true, secrets: false }, async (s) => {
          const list = s.service.list()
          if (ctx.json()) ctx.out(JSON.stringify(list))
          else {
            ctx.out(
              list.length === 0
                ? 'no wallets (add one: qiwi-desk wallet add)'
                : list.map(humanWallet).join('\n')
            )
          }
        })
      })
    )

  wallet
    .command('remove <name>')
    .description('log out: delete the wallet, its keychain entry and its cached history')
    .action(
      action(ctx, async (name: string) => {
        await withSession(ctx, deps, { offline: true }, async (s) => {
          const w = mustFind(s, name)
          const r = await s.service.remove(w.id)
          ctx.out(ctx.json() ? JSON.stringify({ removed: r.removed, name: w.name }) : `removed ${w.name}`)
        })
      })
    )

  wallet
    .command('profile <name>')
    .description('the wallet profile (QIWI person-profile)')
    .action(
      action(ctx, async (name: string) => {
        await withSession(ctx, deps, { walletName: name }, async (s) => {
          const w = mustFind(s, name)
          const p = await s.service.profile(w.id)
          if (ctx.json()) {
            ctx.out(JSON.stringify({ wallet: w.wallet, profile: p }))
            return
          }
          ctx.out(
            [
              `${w.name}: wallet ${p.authInfo?.personId ?? w.wallet}`,
              `  registered: ${p.authInfo?.registrationDate ?? '?'}; e-mail: ${p.authInfo?.boundEmail ?? '-'}`,
              `  identification: ${p.contractInfo?.identificationInfo.map((i) => `${i.bankAlias ?? '?'} ${i.identificationLevel ?? '?'}`).join(', ') ?? '?'}`,
              `  blocked: ${String(p.contractInfo?.blocked ?? '?')}; default currency: ${alpha(p.userInfo?.defaultPayCurrency ?? '?')}`
            ].join('\n')
          )
        })
      })
    )

  wallet
    .command('balance <name>')
    .description('balances of the wallet accounts')
    .action(
      action(ctx, async (name: string) => {
        await withSession(ctx, deps, { walletName: name }, async (s) => {
          const w = mustFind(s, name)
          const accounts = await s.service.balances(w.id)
          if (ctx.json()) {
            ctx.out(JSON.stringify(accounts))
            return
          }
          ctx.out(
            accounts
              .map(
                (a) =>
                  `${a.isDefault ? '*' : ' '} ${a.alias.padEnd(20)} ${(a.balance ?? '—').padStart(14)} ${alpha(a.currency)}  ${a.title ?? ''}`
              )
              .join('\n')
          )
        })
      })
    )

  wallet
    .command('sync <name>')
    .description('fetch new history into the local cache (first sync: the last 90 days)')
    .option('--days <n>', 'first sync only: how many days back (default 90)')
    .action(
      action(ctx, async (name: string, o: { days?: string }) => {
        let days: number | undefined
        if (o.days !== undefined) {
          if (!/^\d{1,4}$/.test(o.days) || Number(o.days) < 1) {
            throw badInput('--days must be 1..3650', 'days')
          }
          days = Number(o.days)
        }
        await withSession(ctx, deps, { walletName: name }, async (s) => {
          const w = mustFind(s, name)
          const r = await s.service.sync(w.id, { days })
          ctx.out(
            ctx.json()
              ? JSON.stringify({
                  added: r.added,
                  updated: r.updated,
                  total: r.total,
                  lastSyncAt: r.lastSyncAt
                })
              : `${w.name}: ${r.added} new, ${r.updated} updated, ${r.total} cached`
          )
        })
      })
    )

  wallet
    .command('history <name>')
    .description('payment history: fetched for the period and cached; --offline reads the cache only')
    .option('--from <date>', 'YYYY-MM-DD (Moscow day) or ISO date-time; online default: 30 days ago')
    .option('--to <date>', 'YYYY-MM-DD (end of that day) or ISO date-time; default now')
    .option('--operation <op>', 'ALL, IN, OUT or QIWI_CARD')
    .option('--source <sources...>', `server-side filter (online only): ${HISTORY_SOURCES.join(', ')}`)
    .option('--offline', 'read the local cache only (no network)')
    .option('--csv', 'print CSV instead of a table')
    .option('--search <text>', 'substring of txnId, account, comment or provider')
    .option('--status <statuses...>', 'WAITING, SUCCESS, ERROR')
    .option('--currency <codes...>', 'e.g. RUB 840')
    .action(
      action(ctx, async (name: string, o: HistoryOptions) => {
        const from = o.from !== undefined ? parseCliDate(o.from, false, '--from') : undefined
        const to = o.to !== undefined ? parseCliDate(o.to, true, '--to') : undefined
        if (from !== undefined && to !== undefined && from > to) {
          throw badInput('--from is after --to', 'from')
        }
        const op = o.operation?.toUpperCase()
        if (op !== undefined && !['ALL', 'IN', 'OUT', 'QIWI_CARD'].includes(op)) {
          throw badInput('--operation must be ALL, IN, OUT or QIWI_CARD', 'operation')
        }
        const operation = op as HistoryOperationFilter | undefined
        const sources = (o.source ?? []).map((x) => x.toUpperCase())
        for (const src of sources) {
          if (!HISTORY_SOURCES.includes(src as HistorySource)) {
            throw badInput(`--source must be one of ${HISTORY_SOURCES.join(', ')}`, 'source')
          }
        }
        if (sources.length > 0 && o.offline === true) {
          throw badInput('--source is a server-side filter: not available with --offline', 'source')
        }
        const statuses = (o.status ?? []).map((x) => x.toUpperCase())
        for (const st of statuses) {
          if (!['WAITING', 'SUCCESS', 'ERROR'].includes(st)) {
            throw badInput('--status must be WAITING, SUCCESS or ERROR', 'status')
          }
        }
        if (
          sources.length > 0 &&
          (o.search !== undefined || statuses.length > 0 || o.currency !== undefined)
        ) {
          throw badInput('--source cannot be combined with --search/--status/--currency', 'source')
        }
        await withSession(
          ctx,
          deps,
          { walletName: name, offline: o.offline === true, secrets: o.offline !== true },
          async (s) => {
            const w = mustFind(s, name)
            let items: WalletHistoryItemView[]
            if (o.offline === true) {
              items = s.service.historyAll(w.id, {
                from,
                to,
                operation,
                currencies: o.currency,
                statuses: statuses as ('WAITING' | 'SUCCESS' | 'ERROR')[],
                search: o.search
              })
            } else {
              const now = (deps.service?.now ?? Date.now)()
              const liveTo = to ?? now
              const liveFrom = from ?? liveTo - 30 * DAY_MS
              const live = await s.service.fetchHistory(w.id, {
                from: liveFrom,
                to: liveTo,
                operation,
                sources: sources as HistorySource[]
              })
              items =
                sources.length > 0
                  ? live
                  : s.service.historyAll(w.id, {
                      from: liveFrom,
                      to: liveTo,
                      operation,
                      currencies: o.currency,
                      statuses: statuses as ('WAITING' | 'SUCCESS' | 'ERROR')[],
                      search: o.search
                    })
            }
            if (o.csv === true) ctx.out(historyCsv(items))
            else if (ctx.json()) ctx.out(JSON.stringify(items.map(cliHistoryItem)))
            else ctx.out(items.length === 0 ? 'no payments' : items.map(humanItem).join('\n'))
          }
        )
      })
    )

  wallet
    .command('totals <name>')
    .description('incoming vs outgoing per month and currency, from the cache (exact)')
    .requiredOption('--from <date>', 'YYYY-MM-DD or ISO date-time')
    .requiredOption('--to <date>', 'YYYY-MM-DD or ISO date-time')
    .action(
      action(ctx, async (name: string, o: { from: string; to: string }) => {
        const from = parseCliDate(o.from, false, '--from')
        const to = parseCliDate(o.to, true, '--to')
        if (from > to) throw badInput('--from is after --to', 'from')
        await withSession(ctx, deps, { offline: true, secrets: false }, async (s) => {
          const w = mustFind(s, name)
          const rows = s.service.totals(w.id, from, to)
          if (ctx.json()) ctx.out(JSON.stringify(rows))
          else {
            ctx.out(
              rows.length === 0
                ? 'no successful payments in the cache for this period (run: qiwi-desk wallet sync)'
                : rows
                    .map(
                      (r) =>
                        `${r.month}  ${alpha(r.currency)}  in ${r.incoming.padStart(14)}  out ${r.outgoing.padStart(14)}`
                    )
                    .join('\n')
            )
          }
        })
      })
    )

  wallet
    .command('transfer <name>')
    .description('transfer to a QIWI wallet (never sent twice; an unknown outcome waits for history)')
    .requiredOption('--to <phone>', 'recipient wallet (+7 912 345-67-89)')
    .requiredOption('--amount <amount>', 'rubles, e.g. 100.50')
    .option('--comment <text>', 'comment for the recipient')
    .action(
      action(ctx, async (name: string, o: TransferOptions) => {
        // Bad input is refused before anything is opened or recorded.
        const phone = normalizePhone(o.to)
        if (!phone.ok) {
          throw new AppError('invalid-phone', `--to is not a wallet number (${phone.reason})`, {
            field: 'to'
          })
        }
        const amount = parseAmount(o.amount)
        if (!amount.ok) {
          throw new AppError('invalid-amount', `--amount is not an amount (${amount.reason})`, {
            field: 'amount'
          })
        }
        if (o.comment !== undefined && !validateComment(o.comment).ok) {
          throw badInput('--comment is not allowed', 'comment')
        }
        await withSession(ctx, deps, { walletName: name }, async (s) => {
          const w = mustFind(s, name)
          let v = await s.service.transfer({
            walletId: w.id,
            clientRequestId: `cli-${randomUUID()}`,
            to: phone.value,
            amount: o.amount,
            comment: o.comment
          })
          if (v.state === 'waiting') {
            // One history check now: a transfer that did arrive is settled at once. A re-send
            // happens only later, once history covering the attempt proves it never arrived.
            try {
              v = await s.service.reconcileTransfer(w.id, v.id)
            } catch {
              // stays waiting; `qiwi-desk wallet reconcile` or the app settles it later
            }
          }
          if (ctx.json()) ctx.out(JSON.stringify(cliTransfer(v)))
          else {
            ctx.out(
              `transfer ${v.id}: ${v.state}${v.txnId ? `, QIWI txnId ${v.txnId}` : ''}${v.error ? ` — ${v.error.message}` : ''}`
            )
          }
          if (v.state === 'failed') ctx.setExit(v.error ? exitCodeFor(v.error.code as ErrorCode) : EXIT.other)
        })
      })
    )

  wallet
    .command('transfers <name>')
    .description('transfers made from this desk')
    .action(
      action(ctx, async (name: string) => {
        await withSession(ctx, deps, { offline: true, secrets: false }, async (s) => {
          const w = mustFind(s, name)
          const list = s.service.transfers(w.id)
          if (ctx.json()) ctx.out(JSON.stringify(list))
          else {
            ctx.out(
              list.length === 0
                ? 'no transfers'
                : list
                    .map(
                      (t) =>
                        `${t.id}  ${t.state.padEnd(8)} ${t.amount.padStart(12)} RUB → ${t.to}  ${t.txnId ?? ''}`
                    )
                    .join('\n')
            )
          }
        })
      })
    )

  wallet
    .command('reconcile <name>')
    .description('settle transfers whose outcome is unknown, through the payment history')
    .action(
      action(ctx, async (name: string) => {
        await withSession(ctx, deps, { walletName: name }, async (s) => {
          const w = mustFind(s, name)
          const open = s.service.transfers(w.id).filter((t) => t.state === 'pending' || t.state === 'waiting')
          const out: TransferView[] = []
          for (const t of open) out.push(await s.service.reconcileTransfer(w.id, t.id))
          if (ctx.json()) ctx.out(JSON.stringify(out.map(cliTransfer)))
          else {
            ctx.out(
              out.length === 0 ? 'nothing to reconcile' : out.map((t) => `${t.id}: ${t.state}`).join('\n')
            )
          }
        })
      })
    )
}
