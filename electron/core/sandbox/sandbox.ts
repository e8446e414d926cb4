/**
 * The sandbox host: Top-Up listeners (plain HTTP and mutual-TLS HTTPS) and the
 * personal-API emulator, with seeded demo credentials, on loopback. It is the
 * app's default endpoint, the server of the integration tests and a training
 * tool (faults and scenarios through `admin` or /__admin/ on `topupOrigin`).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { Socket, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nullLogger, type Logger } from '../log/logger'
import type { Clock } from './clock'
import { createPersonalEmulator, type PersonalEmulator, type PersonalEmulatorAdmin } from './personal/index'
import {
  exportClientCredentials,
  exportSigningKey,
  SandboxPki,
  type ExportedCertificate
} from './sandbox-pki'
import { DEMO_TOPUP, seedDemoTopup } from './topup/demo'
import { createTopupEmulator, type TopupAdmin, type TopupEmulator } from './topup/emulator'

/** Ports the CLI uses by default (the API uses ephemeral ports unless told). */
export const DEFAULT_SANDBOX_PORTS = { topup: 17080, topupTls: 17443, personal: 17081 } as const

export const DEFAULT_PFX_PASSPHRASE = 'sandbox-pfx'

export interface StartSandboxOptions {
  /** Plain Top-Up listener port (0 = ephemeral, the default). */
  port?: number
  /** Mutual-TLS Top-Up listener port (0 = ephemeral). */
  tlsPort?: number
  personalPort?: number
  /** Start the mutual-TLS listener (default true). */
  tls?: boolean
  /** Start the personal-API emulator (default true). */
  personal?: boolean
  /** Persist state (ledger, PKI, exported credentials) here; otherwise in memory + a temp export dir. */
  dataDir?: string
  /** Seed of the fault-injection RNG. */
  seed?: number
  clock?: Clock
  /** Accepted → final time of payments (default 3000 ms; 0 = final in the first reply). */
  processingMs?: number
  personalRateLimitPerMinute?: number
  host?: '127.0.0.1'
  logger?: Logger
  /** Require `Authorization: Bearer <token>` on /__admin/ (loopback-only either way). */
  adminToken?: string
  /** Where certificate files are exported (default `<dataDir>/export` or a temp dir). */
  exportDir?: string
  pfxPassphrase?: string
}

export interface SandboxDemo {
  topup: {
    /** Password-mode terminal with RUB/USD/EUR balances. */
    password: { terminalId: string; password: string }
    /** Signature-mode terminal: sign the raw body with this key (SHA1withRSA or MD5withRSA). */
    signature: {
      terminalId: string
      privateKeyPem: string
      publicKeyPem: string
      algorithm: 'SHA1withRSA'
      privateKeyPath: string
      publicKeyPath: string
    }
    /** Certificate-mode terminal: use `topupTlsOrigin` with these files (password optional, checked if sent). */
    certificate: ExportedCertificate & {
      password: string
      caCertPem: string
      certPem: string
      keyPem: string
      /** SPKI pin (base64 SHA-256) of the sandbox server certificate. */
      serverSpkiPin: string
    }
    blockedTerminal: { terminalId: string; password: string }
    poorTerminal: { terminalId: string; password: string }
    wallets: (typeof DEMO_TOPUP)['wallets']
    cards: (typeof DEMO_TOPUP)['cards']
    sbp: (typeof DEMO_TOPUP)['sbp']
  }
  /** Personal-API demo credentials; null when the personal emulator is not mounted. */
  personal: PersonalDemo | null
}

export interface PersonalDemo {
  /** Wallet number without '+': a long history, RUB/USD/KZT accounts. */
  walletNumber: string
  /** API token with all permissions. */
  apiToken: string
  casLogin: string
  casPassword: string
  /** A second wallet that receives the demo's transfers. */
  recipientWallet: string
}

export interface Sandbox {
  /** http://127.0.0.1:N — password and signature terminals; admin API under /__admin/. */
  topupOrigin: string
  /** https://127.0.0.1:M — client certificate required (sandbox CA); null when tls: false. */
  topupTlsOrigin: string | null
  /** http://127.0.0.1:K — null when the personal emulator is not mounted. */
  personalOrigin: string | null
  demo: SandboxDemo
  admin: { topup: TopupAdmin; personal: PersonalEmulatorAdmin | null }
  /** Sandbox CA certificate (trust anchor for topupTlsOrigin). */
  caCertPem: string
  exportDir: string
  close(): Promise<void>
}

function listen(server: HttpServer | HttpsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

export async function startSandbox(opts: StartSandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1'
  const log = opts.logger ?? nullLogger
  const passphrase = opts.pfxPassphrase ?? DEFAULT_PFX_PASSPHRASE
  const pki = SandboxPki.loadOrCreate(opts.dataDir)
  let tempExport: string | undefined
  const exportDir =
    opts.exportDir ??
    (opts.dataDir
      ? join(opts.dataDir, 'export')
      : (tempExport = mkdtempSync(join(tmpdir(), 'qiwi-sandbox-'))))

  const d = DEMO_TOPUP
  const sig = pki.signingKey(d.signatureTerminal.id)
  const sigFiles = exportSigningKey(pki, exportDir, d.signatureTerminal.id)
  const certFiles = exportClientCredentials(pki, exportDir, d.certificateTerminal.id, passphrase)
  const certPem = pki.clientCert(d.certificateTerminal.id)

  const emulator: TopupEmulator = createTopupEmulator({
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.dataDir ? { statePath: join(opts.dataDir, 'topup-state.json') } : {}),
    ...(opts.processingMs !== undefined ? { processingMs: opts.processingMs } : {}),
    ...(opts.adminToken !== undefined ? { adminToken: opts.adminToken } : {}),
    logger: log,
    seedState: (admin) =>
      seedDemoTopup(admin, {
        signaturePublicKeyPem: sig.publicKeyPem,
        certificateFingerprint256: certFiles.fingerprint256
      }),
    issueClientCert: (terminalId, pass) => {
      const pem = pki.clientCert(terminalId, true)
      return {
        cert: pem.cert,
        key: pem.key,
        pfx: pki.pfxFor(pem, pass, `terminal-${terminalId}`),
        fingerprint256: SandboxPki.fingerprint256(pem.cert)
      }
    }
  })

  // A persisted ledger may predate a regenerated PKI: keep the demo terminals bound to the current keys.
  const sigT = emulator.admin.getTerminal(d.signatureTerminal.id)
  if (sigT?.auth === 'signature') {
    emulator.admin.upsertTerminal({ id: sigT.id, publicKeyPem: sig.publicKeyPem })
  }
  const certT = emulator.admin.getTerminal(d.certificateTerminal.id)
  if (certT?.auth === 'certificate' && certT.clientCertFingerprint256 !== certFiles.fingerprint256) {
    emulator.admin.upsertTerminal({ id: certT.id, clientCertFingerprint256: certFiles.fingerprint256 })
  }

  const servers: Array<HttpServer | HttpsServer> = []
  let personal: PersonalEmulator | null = null
  const cleanup = async (): Promise<void> => {
    emulator.close()
    personal?.close()
    await Promise.all(servers.map(closeServer))
    if (tempExport) rmSync(tempExport, { recursive: true, force: true })
  }

  try {
    const http = createHttpServer((req, res) => emulator.handle(req, res, 'http'))
    servers.push(http)
    const port = await listen(http, opts.port ?? 0, host)

    let tlsOrigin: string | null = null
    if (opts.tls !== false) {
      const https = createHttpsServer(
        {
          key: pki.server.key,
          cert: pki.server.cert,
          ca: [pki.ca.cert],
          requestCert: true,
          rejectUnauthorized: true,
          minVersion: 'TLSv1.2'
        },
        (req, res) => emulator.handle(req, res, 'tls')
      )
      https.on('connection', (s: unknown) => {
        if (s instanceof Socket) emulator.trackRawSocket(s)
      })
      https.on('tlsClientError', () => undefined)
      servers.push(https)
      const tlsPort = await listen(https, opts.tlsPort ?? 0, host)
      tlsOrigin = `https://${host}:${tlsPort}`
    }

    let personalOrigin: string | null = null
    let personalDemo: PersonalDemo | null = null
    if (opts.personal !== false) {
      const base = opts.clock
      const pe = createPersonalEmulator({
        dataDir: opts.dataDir,
        seed: opts.seed,
        now: base ? () => base.now() : undefined,
        rateLimitPerMinute: opts.personalRateLimitPerMinute,
        logger: log
      })
      personal = pe
      const ps = createHttpServer((req, res) => pe.handle(req, res))
      servers.push(ps)
      const pport = await listen(ps, opts.personalPort ?? 0, host)
      personalOrigin = `http://${host}:${pport}`
      if (pe.demo) {
        personalDemo = {
          walletNumber: pe.demo.wallet,
          apiToken: pe.demo.token,
          casLogin: pe.demo.casLogin,
          casPassword: pe.demo.casPassword,
          recipientWallet: pe.demo.recipientWallet
        }
      }
    }

    const demo: SandboxDemo = {
      topup: {
        password: { terminalId: d.passwordTerminal.id, password: d.passwordTerminal.password },
        signature: {
          terminalId: d.signatureTerminal.id,
          privateKeyPem: sig.privateKeyPem,
          publicKeyPem: sig.publicKeyPem,
          algorithm: 'SHA1withRSA',
          privateKeyPath: sigFiles.privateKeyPath,
          publicKeyPath: sigFiles.publicKeyPath
        },
        certificate: {
          ...certFiles,
          password: d.certificateTerminal.password,
          caCertPem: pki.ca.cert,
          certPem: certPem.cert,
          keyPem: certPem.key,
          serverSpkiPin: pki.serverPin()
        },
        blockedTerminal: { terminalId: d.blockedTerminal.id, password: d.blockedTerminal.password },
        poorTerminal: { terminalId: d.poorTerminal.id, password: d.poorTerminal.password },
        wallets: d.wallets,
        cards: d.cards,
        sbp: d.sbp
      },
      personal: personalDemo
    }
    log.info({ topup: `http://${host}:${port}`, tls: tlsOrigin }, 'sandbox started')
    return {
      topupOrigin: `http://${host}:${port}`,
      topupTlsOrigin: tlsOrigin,
      personalOrigin,
      demo,
      admin: { topup: emulator.admin, personal: personal ? personal.admin : null },
      caCertPem: pki.ca.cert,
      exportDir,
      close: cleanup
    }
  } catch (e) {
    await cleanup()
    throw e
  }
}
