/**
 * `qiwi-desk terminal add|list|remove|resume`: QIWI agent connections. Secrets come
 * only from stdin (--password-stdin) or files (--key-file, --pfx-file, …) and go
 * straight into the OS keychain; the database keeps keychain references and public
 * certificate facts only. Nothing is recorded unless every input validates.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import type { Command } from 'commander'
import { AppError } from '../../../shared/errors'
import { parseAmount } from '../../../shared/money'
import {
  createTerminal,
  deleteTerminal,
  getTerminalByName,
  listTerminals
} from '../../core/db/repositories/terminals.repository'
import type { NewTerminal, PayoutService, SignatureAlg } from '../../core/db/types'
import { isLoopbackOrigin } from '../../core/engine/pacing'
import { toTerminalView } from '../../core/engine/view'
import type { CredentialVault } from '../../core/secrets/credential-vault'
import type { ClientCertificateDescription, CredentialInput } from '../../core/secrets/credential-types'
import { parseOrigin } from '../../core/topup/transport'
import type { CliContext } from '../context'
import { badInput, printJson, withEngine } from '../engine-context'

const SERVICES: readonly PayoutService[] = ['wallet', 'card', 'card-spec', 'sbp', 'mobile']
const MAX_FILE_BYTES = 1024 * 1024

interface AddOptions {
  name?: string
  terminalId?: string
  endpoint?: string
  auth?: string
  passwordStdin?: boolean
  keyFile?: string
  keyPassphraseFile?: string
  certFile?: string
  pfxFile?: string
  pfxPassphraseFile?: string
  caFile?: string
  signatureAlg?: string
  services?: string
  absentWallet?: string
  lowBalance?: string
  minPollSeconds?: string
  deskPrefix?: string
}

function readSecretFile(path: string, what: string): Buffer {
  let size: number
  try {
    size = statSync(path).size
  } catch {
    throw badInput(`${what}: cannot read ${path}`, what)
  }
  if (size > MAX_FILE_BYTES) throw badInput(`${what}: ${path} is larger than 1 MiB`, what)
  return readFileSync(path)
}

/** One line of text from a file (passphrases): the trailing newline is not part of it. */
function readLineFile(path: string, what: string): string {
  return readSecretFile(path, what)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

function intOption(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  if (!/^\d{1,6}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw badInput(`${name} must be an integer ${min}..${max}`, name)
  }
  return Number(v)
}

interface Plan {
  terminal: Omit<NewTerminal, 'passwordRef' | 'signingKeyRef' | 'clientCertRef' | 'caCertRef'>
  credentials: { slot: 'password' | 'signing' | 'client'; input: CredentialInput }[]
  warnings: string[]
}

async function planAdd(o: AddOptions, readStdin: () => Promise<string>): Promise<Plan> {
  const warnings: string[] = []
  const name = (o.name ?? '').trim()
  if (name === '' || name.length > 60) throw badInput('--name is required (1..60 characters)', 'name')
  const terminalId = o.terminalId ?? ''
  if (!/^[1-9]\d{0,19}$/.test(terminalId)) {
    throw badInput('--terminal-id must be 1..20 digits (the QIWI agent id)', 'terminalId')
  }
  const endpoint = o.endpoint ?? ''
  if (endpoint !== 'sandbox') {
    const p = parseOrigin(endpoint)
    if (!p.ok) {
      throw badInput(
        `--endpoint: ${p.error.message} (use sandbox, https://api.qiwi.com, https://private-api.qiwi.com or a loopback origin)`,
        'endpoint'
      )
    }
  }
  const parsedOrigin = endpoint === 'sandbox' ? null : parseOrigin(endpoint)
  const origin = parsedOrigin?.ok === true ? parsedOrigin.origin : 'sandbox'
  const auth = o.auth ?? 'password'
  if (auth !== 'password' && auth !== 'signature' && auth !== 'certificate') {
    throw badInput('--auth must be password, signature or certificate', 'auth')
  }
  let signatureAlg: SignatureAlg | null = null
  if (auth === 'signature') {
    const alg = o.signatureAlg ?? 'SHA1withRSA'
    if (alg !== 'SHA1withRSA' && alg !== 'MD5withRSA') {
      throw badInput('--signature-alg must be SHA1withRSA or MD5withRSA', 'signatureAlg')
    }
    signatureAlg = alg
  }
  const services = (o.services ?? SERVICES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  for (const s of services) {
    if (!(SERVICES as readonly string[]).includes(s)) {
      throw badInput(`--services: unknown service "${s}" (${SERVICES.join(', ')})`, 'services')
    }
  }
  const absent = o.absentWallet ?? 'decline'
  if (absent !== 'pay' && absent !== 'decline') {
    throw badInput('--absent-wallet must be pay or decline', 'absentWallet')
  }
  let lowBalanceKopecks: number | null = null
  if (o.lowBalance !== undefined) {
    const a = parseAmount(o.lowBalance, { allowZero: true })
    if (!a.ok) throw badInput(`--low-balance: not an amount (${a.reason})`, 'lowBalance')
    lowBalanceKopecks = a.kopecks
  }
  const loopback = isLoopbackOrigin(origin)
  let minPollSeconds = intOption(o.minPollSeconds, '--min-poll-seconds', 1, 86_400)
  if (minPollSeconds === undefined) minPollSeconds = loopback ? 5 : 600
  if (!loopback && minPollSeconds < 600) {
    warnings.push(
      'QIWI allows one status request per payment per 10 minutes: this non-loopback endpoint is polled every 600 s at most'
    )
  }
  const deskPrefix = intOption(o.deskPrefix, '--desk-prefix', 10, 99)

  const credentials: Plan['credentials'] = []
  let password: string | null = null
  if (o.passwordStdin === true) {
    password = (await readStdin()).replace(/\r?\n$/, '')
    if (password === '') throw badInput('--password-stdin: stdin was empty', 'password')
  }
  if (auth === 'password' || auth === 'certificate') {
    if (password === null) {
      throw badInput(
        auth === 'password'
          ? '--auth password needs --password-stdin (the password is read from stdin, never from the command line)'
          : '--auth certificate needs --password-stdin too (the password is sent with the certificate, decision D3)',
        'password'
      )
    }
  }
  if (password !== null) {
    credentials.push({ slot: 'password', input: { kind: 'terminal-password', password } })
  }
  if (auth === 'signature') {
    if (o.keyFile === undefined) {
      throw badInput('--auth signature needs --key-file (RSA private key, PEM)', 'keyFile')
    }
    credentials.push({
      slot: 'signing',
      input: {
        kind: 'signing-key',
        keyPem: readSecretFile(o.keyFile, 'key-file'),
        passphrase:
          o.keyPassphraseFile === undefined
            ? undefined
            : readLineFile(o.keyPassphraseFile, 'key-passphrase-file')
      }
    })
  }
  if (auth === 'certificate') {
    const serverCa = o.caFile === undefined ? undefined : readSecretFile(o.caFile, 'ca-file')
    if (o.pfxFile !== undefined) {
      if (o.pfxPassphraseFile === undefined) {
        throw badInput('--pfx-file needs --pfx-passphrase-file', 'pfxPassphraseFile')
      }
      credentials.push({
        slot: 'client',
        input: {
          kind: 'client-certificate',
          format: 'pfx',
          pfx: readSecretFile(o.pfxFile, 'pfx-file'),
          passphrase: readLineFile(o.pfxPassphraseFile, 'pfx-passphrase-file'),
          serverCa
        }
      })
    } else if (o.certFile !== undefined && o.keyFile !== undefined) {
      credentials.push({
        slot: 'client',
        input: {
          kind: 'client-certificate',
          format: 'pem',
          certPem: readSecretFile(o.certFile, 'cert-file'),
          keyPem: readSecretFile(o.keyFile, 'key-file'),
          passphrase:
            o.keyPassphraseFile === undefined
              ? undefined
              : readLineFile(o.keyPassphraseFile, 'key-passphrase-file'),
          serverCa
        }
      })
    } else {
      throw badInput(
        '--auth certificate needs --pfx-file (+ --pfx-passphrase-file) or --cert-file + --key-file',
        'pfxFile'
      )
    }
    if (serverCa === undefined && endpoint !== 'sandbox') {
      warnings.push('no --ca-file: the server certificate is checked against the system roots')
    }
  }
  return {
    terminal: {
      name,
      terminalId,
      endpoint: origin,
      authMode: auth,
      signatureAlg,
      servicesAllowed: services as PayoutService[],
      precheckAbsentWalletPolicy: absent,
      lowBalanceKopecks,
      minPollSeconds,
      ...(deskPrefix !== undefined ? { deskPrefix } : {})
    },
    credentials,
    warnings
  }
}

async function saveCredentials(
  vault: CredentialVault,
  id: string,
  plan: Plan
): Promise<{
  refs: Partial<Record<'password' | 'signing' | 'client', string>>
  cert: ClientCertificateDescription | null
  ca: boolean
}> {
  // Validate everything first: on any error nothing reaches the keychain.
  for (const c of plan.credentials) {
    const v = vault.validate(c.input)
    if (!v.ok) throw new AppError(v.error.code, v.error.message.en)
  }
  const refs: Partial<Record<'password' | 'signing' | 'client', string>> = {}
  let cert: ClientCertificateDescription | null = null
  let ca = false
  try {
    for (const c of plan.credentials) {
      const saved = await vault.save({ type: 'terminal', id }, c.input)
      if (!saved.ok) throw new AppError(saved.error.code, saved.error.message.en)
      refs[c.slot] = saved.value.ref
      if (saved.value.description.kind === 'client-certificate') {
        cert = saved.value.description
        ca = cert.serverCa.length > 0
      }
    }
  } catch (e) {
    for (const ref of Object.values(refs)) await vault.delete(ref)
    throw e
  }
  return { refs, cert, ca }
}

export function registerTerminalCommands(program: Command, ctx: CliContext): void {
  const terminal = program.command('terminal').description('QIWI agent connections (terminals)')

  terminal
    .command('add')
    .description('add a terminal; secrets only from stdin or files, stored in the OS keychain')
    .requiredOption('--name <name>', 'name used with --terminal elsewhere')
    .requiredOption('--terminal-id <id>', 'QIWI agent id (terminal-id)')
    .requiredOption(
      '--endpoint <origin>',
      'sandbox | https://api.qiwi.com | https://private-api.qiwi.com | http://127.0.0.1:PORT'
    )
    .option('--auth <mode>', 'password | signature | certificate', 'password')
    .option('--password-stdin', 'read the terminal password from stdin')
    .option('--key-file <file>', 'signature: RSA private key (PEM); certificate: client key (PEM)')
    .option('--key-passphrase-file <file>', 'passphrase of an encrypted key')
    .option('--cert-file <file>', 'certificate mode: client certificate (PEM)')
    .option('--pfx-file <file>', 'certificate mode: client certificate + key (PKCS#12)')
    .option('--pfx-passphrase-file <file>', 'passphrase of the PFX')
    .option('--ca-file <file>', 'certificate mode: the QIWI server CA (PEM)')
    .option('--signature-alg <alg>', 'SHA1withRSA | MD5withRSA', 'SHA1withRSA')
    .option('--services <list>', 'comma-separated: wallet,card,card-spec,sbp,mobile')
    .option('--absent-wallet <policy>', 'pre-check found no wallet: pay | decline', 'decline')
    .option('--low-balance <amount>', 'alert when the RUB agent balance falls below')
    .option(
      '--min-poll-seconds <s>',
      'status interval (below 600 only for loopback endpoints; default 5 loopback, 600 otherwise)'
    )
    .option('--desk-prefix <nn>', 'first two digits of this desk’s transaction numbers (10..99)')
    .action(async (o: AddOptions) => {
      await withEngine(ctx, 'terminal add', { network: false }, async (e) => {
        const plan = await planAdd(o, () => ctx.readStdin())
        if (getTerminalByName(e.db, plan.terminal.name)) {
          throw badInput(`a terminal named "${plan.terminal.name}" already exists`, 'name')
        }
        const vault = await e.vault()
        const id = randomUUID()
        const saved = await saveCredentials(vault, id, plan)
        let created
        try {
          created = createTerminal(e.db, {
            ...plan.terminal,
            id,
            passwordRef: saved.refs.password ?? null,
            signingKeyRef: saved.refs.signing ?? null,
            clientCertRef: saved.refs.client ?? null,
            // The server CA is stored inside the client-certificate entry.
            caCertRef: saved.ca ? (saved.refs.client ?? null) : null,
            certSubject: saved.cert?.certificate.subject ?? null,
            certIssuer: saved.cert?.certificate.issuer ?? null,
            certFingerprintSha256: saved.cert?.certificate.fingerprintSha256 ?? null,
            certNotAfter: saved.cert ? Date.parse(saved.cert.certificate.notAfter) : null
          })
        } catch (x) {
          for (const ref of Object.values(saved.refs)) await vault.delete(ref)
          throw x
        }
        for (const w of plan.warnings) ctx.err(`qiwi-desk terminal add: warning: ${w}`)
        const view = toTerminalView(created)
        if (ctx.json()) printJson(ctx, view)
        else {
          ctx.out(
            `terminal "${view.name}" added (agent ${view.terminalId}, ${view.endpoint}, ${view.authMode})`
          )
        }
      })
    })

  terminal
    .command('list')
    .description('configured terminals (never secrets)')
    .action(async () => {
      await withEngine(ctx, 'terminal list', { network: false }, async (e) => {
        const views = listTerminals(e.db).map((t) => toTerminalView(t))
        if (ctx.json()) {
          printJson(ctx, views)
          return
        }
        if (views.length === 0) {
          ctx.out(
            'no terminals (add one: qiwi-desk terminal add --name N --terminal-id ID --endpoint sandbox --password-stdin)'
          )
          return
        }
        for (const v of views) {
          ctx.out(
            `${v.name}\tagent ${v.terminalId}\t${v.endpoint}\t${v.authMode}\t${v.servicesAllowed.join(',')}\tpoll ${v.minPollSeconds}s${v.paused ? `\tPAUSED (${v.pausedCode ?? ''}: ${v.pausedReason ?? ''})` : ''}`
          )
        }
      })
    })

  terminal
    .command('remove')
    .description('remove a terminal without payouts and its keychain entries')
    .argument('[name]', 'terminal name')
    .option('--name <name>', 'terminal name')
    .action(async (nameArg: string | undefined, o: { name?: string }) => {
      await withEngine(ctx, 'terminal remove', { network: false }, async (e) => {
        const name = nameArg ?? o.name
        if (name === undefined) throw badInput('which terminal? qiwi-desk terminal remove NAME', 'name')
        const t = e.terminalByName(name)
        deleteTerminal(e.db, t.id)
        const refs = [
          t.passwordRef,
          t.signingKeyRef,
          t.clientCertRef,
          t.signingPassphraseRef,
          t.clientCertPassphraseRef
        ]
        const live = [...new Set(refs.filter((r): r is string => r !== null))]
        if (live.length > 0) {
          const vault = await e.vault()
          for (const ref of live) await vault.delete(ref)
        }
        if (ctx.json()) printJson(ctx, { removed: true, terminal: t.name })
        else ctx.out(`terminal "${t.name}" removed`)
      })
    })

  terminal
    .command('resume')
    .description('resume a terminal paused by a fatal error or code 215')
    .argument('<name>', 'terminal name')
    .action(async (name: string) => {
      await withEngine(ctx, 'terminal resume', { network: false }, async (e) => {
        const t = e.engine.resumeTerminal(e.terminalByName(name).id)
        if (ctx.json()) printJson(ctx, toTerminalView(t))
        else ctx.out(`terminal "${t.name}" resumed`)
      })
    })
}
