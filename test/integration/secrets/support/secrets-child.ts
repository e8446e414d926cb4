/**
 * A second process for the secrets integration tests (bundled with esbuild at test time and run
 * with plain `node`): it proves what one process stored another reads back, that an unusable
 * keychain is reported with its reason, and that session-only mode writes nothing to disk.
 * Prints one JSON document on stdout.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../../../../electron/core/log/logger'
import type { CredentialDescription } from '../../../../electron/core/secrets/credential-types'
import { CredentialVault } from '../../../../electron/core/secrets/credential-vault'
import { KeytarSecretStore } from '../../../../electron/core/secrets/keytar-secret-store'
import { openSecretStore } from '../../../../electron/core/secrets/open-secret-store'

type Command =
  | { mode: 'probe'; service: string; allowSessionOnly: boolean }
  | { mode: 'save-password'; service: string; password: string }
  | { mode: 'load-password'; service: string; ref: string }
  | {
      mode: 'read'
      service: string
      refs: { password: string; clientCertificate: string; signingKey: string; token: string }
    }
  | {
      mode: 'session-canary'
      dataDir: string
      pfxFile: string
      keyFile: string
      canary: { password: string; passphrase: string; token: string; cas: string }
    }

function sha256(x: string | Buffer): string {
  return createHash('sha256').update(x).digest('hex')
}

async function main(): Promise<unknown> {
  const cmd = JSON.parse(process.argv[2] ?? '{}') as Command
  switch (cmd.mode) {
    case 'probe': {
      const o = await openSecretStore({
        allowSessionOnly: cmd.allowSessionOnly,
        keytar: { service: cmd.service, probeTimeoutMs: 20_000 }
      })
      return { status: o.status, kind: o.store.kind, reason: o.reason ?? null }
    }
    case 'save-password': {
      const vault = new CredentialVault({ store: new KeytarSecretStore({ service: cmd.service }) })
      const r = await vault.save(
        { type: 'terminal', id: 'locked-terminal' },
        { kind: 'terminal-password', password: cmd.password }
      )
      return r.ok ? { ref: r.value.ref } : { error: r.error.code }
    }
    case 'load-password': {
      const vault = new CredentialVault({
        store: new KeytarSecretStore({ service: cmd.service, probeTimeoutMs: 20_000 })
      })
      const r = await vault.loadTerminalPassword(cmd.ref)
      return r.ok ? { loaded: true } : { loaded: false, code: r.error.code }
    }
    case 'read': {
      const vault = new CredentialVault({ store: new KeytarSecretStore({ service: cmd.service }) })
      const topup = await vault.loadTopupAuthMaterial({
        password: cmd.refs.password,
        clientCertificate: cmd.refs.clientCertificate,
        signingKey: cmd.refs.signingKey
      })
      const token = await vault.loadWalletToken(cmd.refs.token)
      const describe = await vault.describe(cmd.refs.clientCertificate)
      if (!topup.ok || !token.ok || !describe.ok) {
        return { ok: false, errors: [topup, token, describe].filter((r) => !r.ok) }
      }
      const tls = topup.value.tls
      return {
        ok: true,
        passwordSha256: sha256(topup.value.password ?? ''),
        pfxSha256: tls?.format === 'pfx' ? sha256(tls.pfx) : null,
        passphraseSha256: tls?.format === 'pfx' ? sha256(tls.passphrase) : null,
        signingKeyBits: topup.value.signing?.privateKey.asymmetricKeyDetails?.modulusLength ?? null,
        tokenSha256: sha256(token.value),
        fingerprint:
          describe.value.kind === 'client-certificate' ? describe.value.certificate.fingerprintSha256 : null
      }
    }
    case 'session-canary': {
      const logger = createLogger({ dir: join(cmd.dataDir, 'logs'), level: 'debug' })
      const opened = await openSecretStore({
        allowSessionOnly: true,
        logger,
        keytar: { probeTimeoutMs: 20_000 }
      })
      if (opened.status !== 'session') return { ok: false, status: opened.status }
      const vault = new CredentialVault({ store: opened.store, logger })
      const terminal = { type: 'terminal' as const, id: 'term-canary' }
      const wallet = { type: 'wallet' as const, id: 'wallet-canary' }
      const saved = [
        await vault.save(terminal, { kind: 'terminal-password', password: cmd.canary.password }),
        await vault.save(terminal, {
          kind: 'client-certificate',
          format: 'pfx',
          pfx: readFileSync(cmd.pfxFile),
          passphrase: cmd.canary.passphrase
        }),
        await vault.save(terminal, {
          kind: 'signing-key',
          keyPem: readFileSync(cmd.keyFile, 'utf8'),
          passphrase: cmd.canary.passphrase
        }),
        await vault.save(wallet, { kind: 'wallet-token', token: cmd.canary.token }),
        await vault.save(wallet, { kind: 'cas-login', login: '79990001122', password: cmd.canary.cas })
      ]
      const refs: string[] = []
      const descriptions: CredentialDescription[] = []
      for (const s of saved) {
        if (!s.ok) return { ok: false, error: s.error }
        refs.push(s.value.ref)
        descriptions.push(s.value.description)
        logger.info({ ref: s.value.ref, description: s.value.description }, 'credential imported')
      }
      // What the app keeps on disk about credentials: refs + descriptions (the DB's role).
      writeFileSync(join(cmd.dataDir, 'credentials-metadata.json'), JSON.stringify(descriptions, null, 2))
      const [pw, tls, sk, tok, cas] = [
        await vault.loadTerminalPassword(refs[0] as string),
        await vault.loadTlsClientMaterial(refs[1] as string),
        await vault.loadSigningKey(refs[2] as string),
        await vault.loadWalletToken(refs[3] as string),
        await vault.loadCasCredentials(refs[4] as string)
      ]
      const roundTrip =
        pw.ok &&
        pw.value === cmd.canary.password &&
        tls.ok &&
        tls.value.format === 'pfx' &&
        tls.value.passphrase === cmd.canary.passphrase &&
        tls.value.pfx.equals(readFileSync(cmd.pfxFile)) &&
        sk.ok &&
        sk.value.privateKey.asymmetricKeyType === 'rsa' &&
        tok.ok &&
        tok.value === cmd.canary.token &&
        cas.ok &&
        cas.value.password === cmd.canary.cas
      logger.info({ roundTrip, storeKind: vault.storeKind }, 'session canary done')
      // Let the rotating file stream flush before exit.
      await new Promise((r) => setTimeout(r, 300))
      return { ok: true, status: opened.status, reason: opened.reason?.code ?? null, roundTrip, refs }
    }
  }
}

main().then(
  (out) => {
    process.stdout.write(JSON.stringify(out) + '\n')
    process.exit(0)
  },
  (e: unknown) => {
    process.stdout.write(
      JSON.stringify({ ok: false, crash: e instanceof Error ? e.message : String(e) }) + '\n'
    )
    process.exit(1)
  }
)
