/**
 * `qiwi-desk sandbox`: runs the embedded sandbox (Top-Up emulator, optional
 * mutual-TLS listener, personal-API emulator) until SIGINT/SIGTERM and prints
 * its origins and demo credentials. With --json the first stdout line is one
 * JSON object (scripts read it, then talk to the origins and /__admin/).
 */
import type { Command } from 'commander'
import { DEFAULT_SANDBOX_PORTS, startSandbox, type Sandbox } from '../../core/sandbox/sandbox'
import { EXIT, type CliContext } from '../context'

interface SandboxCliOptions {
  port?: string
  tls?: boolean
  tlsPort?: string
  personalPort?: string
  data?: string
  seed?: string
  processingMs?: string
  adminToken?: string
}

function parsePort(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new Error(`${name} must be a port number 0..65535`)
  return Number(v)
}

function parseNonNeg(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  if (!/^\d{1,10}$/.test(v)) throw new Error(`${name} must be a non-negative integer`)
  return Number(v)
}

/** The machine-readable summary (--json), also the basis of the human text. */
export function sandboxSummary(sb: Sandbox): Record<string, unknown> {
  const t = sb.demo.topup
  return {
    topupOrigin: sb.topupOrigin,
    topupTlsOrigin: sb.topupTlsOrigin,
    personalOrigin: sb.personalOrigin,
    adminOrigin: `${sb.topupOrigin}/__admin/`,
    exportDir: sb.exportDir,
    demo: {
      topup: {
        password: t.password,
        signature: {
          terminalId: t.signature.terminalId,
          algorithm: t.signature.algorithm,
          privateKeyPath: t.signature.privateKeyPath,
          publicKeyPath: t.signature.publicKeyPath
        },
        certificate: {
          terminalId: t.certificate.terminalId,
          password: t.certificate.password,
          caPath: t.certificate.caPath,
          certPath: t.certificate.certPath,
          keyPath: t.certificate.keyPath,
          pfxPath: t.certificate.pfxPath,
          pfxPassphrase: t.certificate.pfxPassphrase,
          serverSpkiPin: t.certificate.serverSpkiPin
        },
        blockedTerminal: t.blockedTerminal,
        poorTerminal: t.poorTerminal,
        wallets: t.wallets,
        cards: t.cards,
        sbp: t.sbp
      },
      personal: sb.demo.personal
    }
  }
}

function humanSummary(sb: Sandbox): string {
  const t = sb.demo.topup
  const lines = [
    'QIWI Desk sandbox is running (Ctrl+C to stop)',
    `  Top-Up (password/signature): ${sb.topupOrigin}/xml/topup.jsp`,
    `  Top-Up (client certificate): ${sb.topupTlsOrigin ? `${sb.topupTlsOrigin}/xml/topup.jsp` : 'off (use --tls)'}`,
    `  Personal API:                ${sb.personalOrigin ?? 'not available'}`,
    `  Admin API:                   ${sb.topupOrigin}/__admin/ (loopback only)`,
    '',
    'Demo credentials:',
    `  password terminal:    ${t.password.terminalId} / ${t.password.password}`,
    `  signature terminal:   ${t.signature.terminalId}, key ${t.signature.privateKeyPath} (${t.signature.algorithm})`,
    `  certificate terminal: ${t.certificate.terminalId} / ${t.certificate.password}`,
    `    CA ${t.certificate.caPath}`,
    `    PFX ${t.certificate.pfxPath} (passphrase ${t.certificate.pfxPassphrase})`,
    `    PEM ${t.certificate.certPath} + ${t.certificate.keyPath}`,
    `    server SPKI pin ${t.certificate.serverSpkiPin}`,
    `  wallets: existing ${t.wallets.existing}, missing ${t.wallets.missing}, blocked ${t.wallets.blocked}, anonymous ${t.wallets.anonymous}`
  ]
  const p = sb.demo.personal
  if (p) {
    lines.push(
      `  personal wallet: ${p.walletNumber}, API token ${p.apiToken}`,
      `  CAS login: ${p.casLogin} / ${p.casPassword}`
    )
  }
  return lines.join('\n')
}

export function registerSandboxCommand(program: Command, ctx: CliContext): void {
  program
    .command('sandbox')
    .description('run the local QIWI sandbox (Top-Up XML emulator with faults, personal API emulator)')
    .option('--port <n>', `plain Top-Up port (default ${DEFAULT_SANDBOX_PORTS.topup}; 0 = any free port)`)
    .option('--tls', 'also start the mutual-TLS Top-Up listener (client-certificate terminals)')
    .option('--tls-port <n>', `mutual-TLS port (default ${DEFAULT_SANDBOX_PORTS.topupTls})`)
    .option('--personal-port <n>', `personal API port (default ${DEFAULT_SANDBOX_PORTS.personal})`)
    .option('--data <dir>', 'keep sandbox state (ledger, certificates) in this directory across restarts')
    .option('--seed <n>', 'seed of the fault-injection random generator')
    .option('--processing-ms <n>', 'time from acceptance to final status (default 3000)')
    .option('--admin-token <token>', 'require this bearer token on /__admin/')
    .action(async (o: SandboxCliOptions) => {
      let sb: Sandbox
      try {
        const seed = parseNonNeg(o.seed, '--seed')
        const processingMs = parseNonNeg(o.processingMs, '--processing-ms')
        sb = await startSandbox({
          port: parsePort(o.port, DEFAULT_SANDBOX_PORTS.topup, '--port'),
          tls: o.tls === true,
          tlsPort: parsePort(o.tlsPort, DEFAULT_SANDBOX_PORTS.topupTls, '--tls-port'),
          personalPort: parsePort(o.personalPort, DEFAULT_SANDBOX_PORTS.personal, '--personal-port'),
          ...(o.data !== undefined ? { dataDir: o.data } : {}),
          ...(seed !== undefined ? { seed } : {}),
          ...(processingMs !== undefined ? { processingMs } : {}),
          ...(o.adminToken !== undefined ? { adminToken: o.adminToken } : {})
        })
      } catch (e) {
        ctx.err(`qiwi-desk sandbox: ${e instanceof Error ? e.message : String(e)}`)
        ctx.setExit(EXIT.config)
        return
      }
      ctx.out(ctx.json() ? JSON.stringify(sandboxSummary(sb)) : humanSummary(sb))
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          resolve()
        }
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
      })
      await sb.close()
      if (!ctx.json()) ctx.err('sandbox stopped')
      ctx.setExit(EXIT.ok)
    })
}
