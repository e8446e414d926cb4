/**
 * CredentialProvider implementations: over the CredentialVault (the app and the CLI:
 * secrets from the OS keychain, read at every request so a rotation applies to the
 * next request), and a plain in-memory one for tests and tools.
 */
import { err, ok } from '../../../shared/result'
import type { Result } from '../../../shared/result'
import type { Terminal } from '../db/types'
import type { CredentialVault } from '../secrets/credential-vault'
import type { SecretError } from '../secrets/secret-errors'
import type { ClientCertificate, TopupAuth } from '../topup/types'
import type { CredentialProvider, Lang, TopupCredentials } from './types'

function fromSecretError(e: SecretError, lang: Lang): Result<never> {
  return err(e.code, e.message[lang])
}

function missing(what: string, t: Terminal): Result<never> {
  return err('credential-missing', `terminal "${t.name}" has no ${what} configured`)
}

/** Reads the terminal's keychain entries through the vault at every call. */
export function vaultCredentialProvider(vault: CredentialVault, lang: Lang = 'ru'): CredentialProvider {
  return {
    async topupAuth(t: Terminal): Promise<Result<TopupCredentials>> {
      switch (t.authMode) {
        case 'password': {
          if (t.passwordRef === null) return missing('password', t)
          const pw = await vault.loadTerminalPassword(t.passwordRef)
          if (!pw.ok) return fromSecretError(pw.error, lang)
          return ok({ auth: { mode: 'password', terminalId: t.terminalId, password: pw.value } })
        }
        case 'signature': {
          if (t.signingKeyRef === null) return missing('signing key', t)
          const key = await vault.loadSigningKey(t.signingKeyRef)
          if (!key.ok) return fromSecretError(key.error, lang)
          const pem = key.value.privateKey.export({ type: 'pkcs8', format: 'pem' })
          const auth: TopupAuth = {
            mode: 'signature',
            terminalId: t.terminalId,
            privateKeyPem: typeof pem === 'string' ? pem : pem.toString('utf8'),
            algorithm: t.signatureAlg ?? 'SHA1withRSA'
          }
          return ok({ auth })
        }
        case 'certificate': {
          if (t.clientCertRef === null) return missing('client certificate', t)
          if (t.passwordRef === null) return missing('password (sent with the certificate, decision D3)', t)
          const tls = await vault.loadTlsClientMaterial(t.clientCertRef)
          if (!tls.ok) return fromSecretError(tls.error, lang)
          const pw = await vault.loadTerminalPassword(t.passwordRef)
          if (!pw.ok) return fromSecretError(pw.error, lang)
          const m = tls.value
          const clientCert: ClientCertificate =
            m.format === 'pfx'
              ? { kind: 'pfx', pfx: m.pfx, passphrase: m.passphrase }
              : { kind: 'pem', key: m.key, cert: m.cert }
          return ok({
            auth: { mode: 'certificate', terminalId: t.terminalId, password: pw.value, clientCert },
            serverCa: m.ca
          })
        }
      }
    }
  }
}

/** In-memory credentials by terminal id (tests, tools). `set` replaces them for the next request. */
export class MemoryCredentialProvider implements CredentialProvider {
  private readonly byTerminal = new Map<string, TopupCredentials>()

  set(terminalRef: string, creds: TopupCredentials): void {
    this.byTerminal.set(terminalRef, creds)
  }

  delete(terminalRef: string): void {
    this.byTerminal.delete(terminalRef)
  }

  async topupAuth(t: Terminal): Promise<Result<TopupCredentials>> {
    const c = this.byTerminal.get(t.id)
    if (!c) return missing('credentials', t)
    return ok(c)
  }
}
