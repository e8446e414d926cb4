/**
 * Terminals and their credentials. Secrets come IN (a pasted password, a key/PFX file as
 * base64) and go straight to the keychain through the CredentialVault; only references and
 * non-secret metadata reach SQLite, and only booleans and certificate metadata go back out.
 */
import type { Calls, CredentialInput as ContractCredentialInput } from '../../../../shared/contract'
import type { Handlers } from '../../../../shared/contract-kit'
import { AppError } from '../../../../shared/errors'
import { parseAmount } from '../../../../shared/money'
import type { TerminalView } from '../../../../shared/payouts'
import type { Db } from '../../db/connection'
import {
  createTerminal,
  deleteTerminal,
  getTerminal,
  getTerminalByName,
  listTerminals,
  resumeTerminal,
  updateTerminal
} from '../../db/repositories/terminals.repository'
import type { Terminal, TerminalPatch } from '../../db/types'
import { toTerminalView } from '../../engine/view'
import { isLoopbackHostname } from '../../security/policy'
import type { CredentialVault } from '../../secrets/credential-vault'
import type { CredentialDescription, CredentialInput } from '../../secrets/credential-types'
import type { SecretError } from '../../secrets/secret-errors'

type TerminalCalls =
  | 'terminals:list'
  | 'terminals:save'
  | 'terminals:remove'
  | 'terminals:resume'
  | 'credentials:save'
  | 'credentials:delete'
  | 'credentials:exportPublicKey'

export interface TerminalDeps {
  db: Db
  vault: () => CredentialVault
  lang: () => 'ru' | 'en'
  onTerminalsChanged: (views: TerminalView[]) => void
  now?: () => number
}

/** 'sandbox', an https origin, or an http origin on a loopback host (emulator, tests). */
export function normalizeEndpoint(input: string): string {
  const s = input.trim()
  if (s === 'sandbox') return s
  let u: URL
  try {
    u = new URL(s)
  } catch {
    throw new AppError('invalid-input', 'The endpoint must be "sandbox" or an origin such as https://api.qiwi.com', {
      field: 'endpoint'
    })
  }
  if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw new AppError('invalid-input', 'The endpoint must be an origin without a path (https://api.qiwi.com)', {
      field: 'endpoint'
    })
  }
  if (u.protocol === 'https:') return u.origin
  if (u.protocol === 'http:' && isLoopbackHostname(u.hostname)) return u.origin
  throw new AppError('forbidden', 'Plain http is allowed only for loopback hosts (the sandbox, tests)', {
    field: 'endpoint'
  })
}

function secretFail(e: SecretError, lang: 'ru' | 'en'): never {
  throw new AppError(e.code, e.message[lang], e.details)
}

function b64(s: string): Buffer {
  return Buffer.from(s, 'base64')
}

function toVaultInput(input: ContractCredentialInput): CredentialInput {
  switch (input.kind) {
    case 'password':
      return { kind: 'terminal-password', password: input.password }
    case 'signing-key':
      return { kind: 'signing-key', keyPem: b64(input.keyPemBase64), passphrase: input.passphrase }
    case 'client-pfx':
      return {
        kind: 'client-certificate',
        format: 'pfx',
        pfx: b64(input.pfxBase64),
        passphrase: input.passphrase ?? '',
        serverCa: input.caPemBase64 ? b64(input.caPemBase64) : undefined
      }
    case 'client-pem':
      return {
        kind: 'client-certificate',
        format: 'pem',
        keyPem: b64(input.keyPemBase64),
        certPem: b64(input.certPemBase64),
        passphrase: input.passphrase,
        serverCa: input.caPemBase64 ? b64(input.caPemBase64) : undefined
      }
  }
}

function refField(kind: CredentialInput['kind']): 'passwordRef' | 'signingKeyRef' | 'clientCertRef' {
  if (kind === 'terminal-password') return 'passwordRef'
  if (kind === 'signing-key') return 'signingKeyRef'
  if (kind === 'client-certificate') return 'clientCertRef'
  throw new AppError('invalid-input', 'not a terminal credential')
}

export function terminalHandlers(deps: TerminalDeps): Pick<Handlers<Calls>, TerminalCalls> {
  const now = deps.now ?? Date.now
  const all = (): TerminalView[] => listTerminals(deps.db).map((t) => toTerminalView(t, now()))
  const changed = (): void => deps.onTerminalsChanged(all())
  const must = (id: string): Terminal => {
    const t = getTerminal(deps.db, id)
    if (!t) throw new AppError('unknown-terminal', 'Unknown terminal', { terminalRef: id })
    return t
  }

  return {
    'terminals:list': async () => all(),

    'terminals:save': async (input) => {
      let lowBalanceKopecks: number | null = null
      if (input.lowBalance !== undefined && input.lowBalance !== null && input.lowBalance.trim() !== '') {
        const p = parseAmount(input.lowBalance, { allowZero: true })
        if (!p.ok) throw new AppError('invalid-amount', 'The low-balance threshold is not an amount', { field: 'lowBalance' })
        lowBalanceKopecks = p.kopecks
      }
      const endpoint = normalizeEndpoint(input.endpoint)
      const patch: TerminalPatch = {
        name: input.name,
        terminalId: input.terminalId,
        endpoint,
        authMode: input.authMode,
        signatureAlg: input.authMode === 'signature' ? (input.signatureAlg ?? 'SHA1withRSA') : null,
        servicesAllowed: input.servicesAllowed,
        precheckAbsentWalletPolicy: input.precheckAbsentWalletPolicy,
        lowBalanceKopecks,
        ...(input.minPollSeconds === undefined ? {} : { minPollSeconds: input.minPollSeconds })
      }
      const other = getTerminalByName(deps.db, input.name)
      if (other && other.id !== input.id) {
        throw new AppError('conflict', 'A terminal with this name already exists', { field: 'name' })
      }
      const t = input.id
        ? updateTerminal(deps.db, must(input.id).id, patch, now())
        : createTerminal(
            deps.db,
            { ...patch, name: input.name, terminalId: input.terminalId, endpoint, authMode: input.authMode },
            now()
          )
      changed()
      return toTerminalView(t, now())
    },

    'terminals:remove': async ({ id }) => {
      const t = must(id)
      deleteTerminal(deps.db, t.id) // refuses ('conflict') when payouts reference it: history is kept
      for (const ref of [t.passwordRef, t.signingKeyRef, t.clientCertRef, t.caCertRef]) {
        if (ref) await deps.vault().delete(ref)
      }
      changed()
      return { removed: true }
    },

    'terminals:resume': async ({ id }) => {
      const t = resumeTerminal(deps.db, must(id).id, now())
      changed()
      return toTerminalView(t, now())
    },

    'credentials:save': async (input) => {
      const t = must(input.terminalRef)
      const vaultInput = toVaultInput(input)
      const field = refField(vaultInput.kind)
      const commit = (ref: string, description: CredentialDescription): void => {
        const patch: TerminalPatch = { [field]: ref }
        if (description.kind === 'client-certificate') {
          const c = description.certificate
          patch.certSubject = c.subject
          patch.certIssuer = c.issuer
          patch.certFingerprintSha256 = c.fingerprintSha256
          patch.certNotAfter = Date.parse(c.notAfter)
        }
        updateTerminal(deps.db, t.id, patch, now())
      }
      const existing = t[field]
      const r = existing
        ? await deps.vault().replace(existing, vaultInput, commit)
        : await deps.vault().save({ type: 'terminal', id: t.id }, vaultInput, { commit })
      if (!r.ok) secretFail(r.error, deps.lang())
      changed()
      return toTerminalView(must(t.id), now())
    },

    'credentials:delete': async ({ terminalRef, kind }) => {
      const t = must(terminalRef)
      const field = kind === 'password' ? 'passwordRef' : kind === 'signing-key' ? 'signingKeyRef' : 'clientCertRef'
      const ref = t[field]
      if (ref) {
        const patch: TerminalPatch =
          field === 'clientCertRef'
            ? { clientCertRef: null, certSubject: null, certIssuer: null, certFingerprintSha256: null, certNotAfter: null }
            : { [field]: null }
        const r = await deps.vault().delete(ref, { commit: () => void updateTerminal(deps.db, t.id, patch, now()) })
        if (!r.ok) secretFail(r.error, deps.lang())
      }
      changed()
      return toTerminalView(must(t.id), now())
    },

    'credentials:exportPublicKey': async ({ terminalRef }) => {
      const t = must(terminalRef)
      if (!t.signingKeyRef) throw new AppError('credential-missing', 'No signing key is stored for this terminal')
      const d = await deps.vault().describe(t.signingKeyRef)
      if (!d.ok) secretFail(d.error, deps.lang())
      if (d.value.kind !== 'signing-key') throw new AppError('credential-invalid', 'Not a signing key')
      return { pem: d.value.publicKeyPem }
    }
  }
}
