/**
 * CredentialVault: the intent-level API the app uses for secrets, on top of a SecretStore.
 *
 * - save / replace / delete / has / describe for the five credential kinds (credential-types.ts).
 *   Input is validated first (credential-import.ts); on ANY validation error nothing is stored.
 * - describe() returns non-secret metadata only; it is what the renderer and SQLite may see.
 * - load*() return secret material and are for the main-process protocol clients only; they
 *   never throw (errors are data), so nothing synchronous reaches the payment path (T3).
 *
 * Rotation (replace): write the NEW entry under a new ref → `commit(newRef)` switches the
 * reference in SQLite (ideally a compare-and-swap on the old ref) → delete the old entry. If
 * commit fails, the new entry is deleted and the old one stays in force. After the switch, a
 * load of the old ref in this process is forwarded to the new one, so a payout that read the old
 * ref just before the switch still gets a credential on its next request.
 */
import type { KeyObject } from 'node:crypto'
import { createPrivateKey } from 'node:crypto'
import { isAppError } from '../../../shared/errors'
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import type { CredentialEntry } from './credential-entry'
import { parseEntry, serializeEntry } from './credential-entry'
import type { ImportOptions } from './credential-import'
import { refreshCertificateInfo, validateCredential } from './credential-import'
import type { ParsedCredentialRef } from './credential-ref'
import { KIND_OWNER, isValidOwner, newCredentialRef, parseCredentialRef } from './credential-ref'
import type {
  CasCredentials,
  CredentialDescription,
  CredentialInput,
  CredentialKind,
  CredentialOwner,
  StoredMaterial,
  TlsClientMaterial,
  TopupAuthMaterial,
  TopupAuthRefs,
  ValidatedCredential
} from './credential-types'
import type { LocalizedText, SecretError, SecretResult } from './secret-errors'
import { secretErr, secretErrorFromThrown, secretOk } from './secret-errors'
import type { SecretStore, SecretStoreKind } from './secret-store'

export interface CredentialVaultOptions {
  store: SecretStore
  logger?: Logger | undefined
  /** Clock for savedAt and certificate validity. */
  now?: (() => Date) | undefined
}

/** Called with the new ref after its entry is stored; throw to abort (the entry is removed). */
export type CommitRef = (ref: string, description: CredentialDescription) => void | Promise<void>

export interface SavedCredential {
  ref: string
  description: CredentialDescription
}

export interface ReplacedCredential extends SavedCredential {
  previousRef: string
  /** False when the old entry could not be deleted (left as an orphan; logged) or was already gone. */
  previousDeleted: boolean
}

const KIND_NAME: Record<CredentialKind, LocalizedText> = {
  'terminal-password': { ru: 'пароль терминала', en: 'terminal password' },
  'signing-key': { ru: 'ключ подписи', en: 'signing key' },
  'client-certificate': { ru: 'клиентский сертификат', en: 'client certificate' },
  'wallet-token': { ru: 'токен API', en: 'API token' },
  'cas-login': { ru: 'логин и пароль кошелька', en: 'wallet login and password' }
}

const MAX_FORWARD_HOPS = 16

function badRef(): { ok: false; error: SecretError } {
  return secretErr(
    'invalid-input',
    {
      ru: 'Неверная ссылка на учётные данные.',
      en: 'Invalid credential reference.'
    },
    { reason: 'bad-ref' }
  )
}

function wrongOwner(kind: CredentialKind, owner: string): { ok: false; error: SecretError } {
  return secretErr(
    'invalid-input',
    {
      ru: `Этот тип учётных данных (${KIND_NAME[kind].ru}) не относится к объекту «${owner}».`,
      en: `This kind of credential (${KIND_NAME[kind].en}) does not belong to a ${owner}.`
    },
    { reason: 'wrong-owner', kind }
  )
}

function damaged(kind: CredentialKind): { ok: false; error: SecretError } {
  return secretErr(
    'credential-invalid',
    {
      ru: `Сохранённые данные (${KIND_NAME[kind].ru}) повреждены. Импортируйте их заново.`,
      en: `The stored ${KIND_NAME[kind].en} is damaged. Import it again.`
    },
    { reason: 'damaged', kind }
  )
}

function commitFailed(e: unknown): SecretError {
  // The caller's error (typically from SQLite) keeps its code; its text goes to details only.
  return {
    code: isAppError(e) ? e.code : 'storage',
    message: {
      ru: 'Не удалось сохранить ссылку на учётные данные в базе; прежние данные остались в силе.',
      en: 'Could not record the credential in the database; the previous credential stays in force.'
    },
    details: { reason: 'commit-failed', cause: e instanceof Error ? e.message.slice(0, 200) : 'unknown' }
  }
}

export class CredentialVault {
  private readonly store: SecretStore
  private readonly logger: Logger
  private readonly now: () => Date
  /** old ref → new ref, for refs replaced during this process's life. */
  private readonly forwards = new Map<string, string>()
  /** Serializes save/replace/delete per credential slot (owner + kind). */
  private readonly slots = new Map<string, Promise<unknown>>()

  constructor(opts: CredentialVaultOptions) {
    this.store = opts.store
    this.logger = opts.logger ?? nullLogger
    this.now = opts.now ?? (() => new Date())
  }

  /** 'session' means secrets are lost when the app exits: the UI shows its marker. */
  get storeKind(): SecretStoreKind {
    return this.store.kind
  }

  /** Validation only (the "Check" button, the CLI's --dry-run): nothing is stored. */
  validate(input: CredentialInput, opts: ImportOptions = {}): SecretResult<ValidatedCredential> {
    return validateCredential(input, { now: opts.now ?? this.now() })
  }

  /** Validates and stores a credential under a new ref; `commit` records the ref (e.g. in SQLite). */
  async save(
    owner: CredentialOwner,
    input: CredentialInput,
    opts: { commit?: CommitRef | undefined } = {}
  ): Promise<SecretResult<SavedCredential>> {
    if (!isValidOwner(owner)) return badRef()
    if (KIND_OWNER[input.kind] !== owner.type) return wrongOwner(input.kind, owner.type)
    return this.serial(`${owner.type}:${owner.id}:${input.kind}`, async () => {
      const stored = await this.validateAndStore(owner, input)
      if (!stored.ok) return stored
      const { ref, description } = stored.value
      if (opts.commit) {
        try {
          await opts.commit(ref, description)
        } catch (e) {
          await this.discard(ref)
          return { ok: false, error: commitFailed(e) }
        }
      }
      this.logger.info({ ref, kind: input.kind }, 'credential saved')
      return secretOk({ ref, description })
    })
  }

  /**
   * Rotation: stores `input` under a new ref, lets `commit` switch the reference, then deletes
   * the old entry. `commit` should update the row only if it still holds `oldRef` and throw
   * otherwise (compare-and-swap), so two concurrent rotations cannot orphan an entry.
   */
  async replace(
    oldRef: string,
    input: CredentialInput,
    commit: CommitRef
  ): Promise<SecretResult<ReplacedCredential>> {
    const parsed = parseCredentialRef(oldRef)
    if (!parsed) return badRef()
    if (parsed.kind !== input.kind) {
      return secretErr(
        'invalid-input',
        {
          ru: `Нельзя заменить ${KIND_NAME[parsed.kind].ru} на ${KIND_NAME[input.kind].ru}.`,
          en: `A ${KIND_NAME[parsed.kind].en} cannot be replaced by a ${KIND_NAME[input.kind].en}.`
        },
        { reason: 'kind-mismatch' }
      )
    }
    return this.serial(`${parsed.owner.type}:${parsed.owner.id}:${parsed.kind}`, async () => {
      const stored = await this.validateAndStore(parsed.owner, input)
      if (!stored.ok) return stored
      const { ref, description } = stored.value
      try {
        await commit(ref, description)
      } catch (e) {
        await this.discard(ref)
        return { ok: false, error: commitFailed(e) }
      }
      this.forwards.set(oldRef, ref)
      let previousDeleted = false
      try {
        previousDeleted = await this.store.delete(oldRef)
      } catch (e) {
        this.logger.warn(
          { ref: oldRef, code: secretErrorFromThrown(e).code },
          'old credential entry could not be deleted (orphan)'
        )
      }
      this.logger.info({ ref, previousRef: oldRef, kind: input.kind }, 'credential replaced')
      return secretOk({ ref, description, previousRef: oldRef, previousDeleted })
    })
  }

  /**
   * Deletes a credential. With `commit`, the reference is cleared first (commit runs before the
   * entry is removed), so SQLite never points at a missing entry; if commit throws nothing is deleted.
   */
  async delete(
    ref: string,
    opts: { commit?: (() => void | Promise<void>) | undefined } = {}
  ): Promise<SecretResult<{ deleted: boolean }>> {
    const parsed = parseCredentialRef(ref)
    if (!parsed) return badRef()
    return this.serial(`${parsed.owner.type}:${parsed.owner.id}:${parsed.kind}`, async () => {
      if (opts.commit) {
        try {
          await opts.commit()
        } catch (e) {
          return { ok: false, error: commitFailed(e) }
        }
      }
      let deleted: boolean
      try {
        deleted = await this.store.delete(ref)
      } catch (e) {
        return { ok: false, error: secretErrorFromThrown(e) }
      }
      for (const [from, to] of this.forwards) {
        if (to === ref || from === ref) this.forwards.delete(from)
      }
      this.logger.info({ ref, kind: parsed.kind, deleted }, 'credential deleted')
      return secretOk({ deleted })
    })
  }

  /** True when the entry behind `ref` exists and is intact. */
  async has(ref: string): Promise<SecretResult<boolean>> {
    const r = await this.read(ref)
    if (r.ok) return secretOk(true)
    return r.error.code === 'credential-missing' ? secretOk(false) : r
  }

  /** Non-secret metadata only (safe for the renderer and SQLite). */
  async describe(ref: string): Promise<SecretResult<CredentialDescription>> {
    const r = await this.read(ref)
    if (!r.ok) return r
    return secretOk(this.fresh(r.value.parsed.ref, r.value.entry))
  }

  // ---- material for the main-process protocol clients -------------------------------------

  async loadTerminalPassword(ref: string): Promise<SecretResult<string>> {
    const r = await this.read(ref, 'terminal-password')
    if (!r.ok) return r
    const m = r.value.entry.material
    return m.kind === 'terminal-password' ? secretOk(m.password) : damaged('terminal-password')
  }

  /** The decrypted signing key, ready for crypto.sign('sha1', body, privateKey). */
  async loadSigningKey(ref: string): Promise<SecretResult<{ privateKey: KeyObject }>> {
    const r = await this.read(ref, 'signing-key')
    if (!r.ok) return r
    const m = r.value.entry.material
    if (m.kind !== 'signing-key') return damaged('signing-key')
    try {
      return secretOk({ privateKey: createPrivateKey(m.keyPem) })
    } catch {
      return damaged('signing-key')
    }
  }

  async loadTlsClientMaterial(ref: string): Promise<SecretResult<TlsClientMaterial>> {
    const r = await this.read(ref, 'client-certificate')
    if (!r.ok) return r
    const m = r.value.entry.material
    if (m.kind !== 'client-certificate') return damaged('client-certificate')
    if (m.format === 'pfx') {
      return secretOk({
        format: 'pfx',
        pfx: Buffer.from(m.pfxBase64, 'base64'),
        passphrase: m.passphrase,
        ca: m.serverCaPem
      })
    }
    return secretOk({ format: 'pem', key: m.keyPem, cert: m.certPem, ca: m.serverCaPem })
  }

  /**
   * Everything the Top-Up client needs for one request, from a terminal row's refs. Call it per
   * request (or cache by ref: the content behind a ref never changes). All or nothing: one
   * missing or damaged credential fails the whole load, before anything is sent.
   */
  async loadTopupAuthMaterial(refs: TopupAuthRefs): Promise<SecretResult<TopupAuthMaterial>> {
    const out: TopupAuthMaterial = { password: null, signing: null, tls: null }
    if (refs.password !== null && refs.password !== undefined) {
      const r = await this.loadTerminalPassword(refs.password)
      if (!r.ok) return r
      out.password = r.value
    }
    if (refs.signingKey !== null && refs.signingKey !== undefined) {
      const r = await this.loadSigningKey(refs.signingKey)
      if (!r.ok) return r
      out.signing = r.value
    }
    if (refs.clientCertificate !== null && refs.clientCertificate !== undefined) {
      const r = await this.loadTlsClientMaterial(refs.clientCertificate)
      if (!r.ok) return r
      out.tls = r.value
    }
    return secretOk(out)
  }

  async loadWalletToken(ref: string): Promise<SecretResult<string>> {
    const r = await this.read(ref, 'wallet-token')
    if (!r.ok) return r
    const m = r.value.entry.material
    return m.kind === 'wallet-token' ? secretOk(m.token) : damaged('wallet-token')
  }

  async loadCasCredentials(ref: string): Promise<SecretResult<CasCredentials>> {
    const r = await this.read(ref, 'cas-login')
    if (!r.ok) return r
    const m = r.value.entry.material
    return m.kind === 'cas-login' ? secretOk({ login: m.login, password: m.password }) : damaged('cas-login')
  }

  // ---- internals ----------------------------------------------------------------------------

  private async validateAndStore(
    owner: CredentialOwner,
    input: CredentialInput
  ): Promise<SecretResult<SavedCredential>> {
    const now = this.now()
    const v = validateCredential(input, { now })
    if (!v.ok) return v
    const ref = newCredentialRef(owner, input.kind)
    const savedAt = now.toISOString()
    const description = { ...v.value.description, ref, savedAt } as CredentialDescription
    const text = serializeEntry({ v: 1, savedAt, material: v.value.material as StoredMaterial, description })
    try {
      await this.store.set(ref, text)
      // Read back: a keychain that silently drops or cuts a value is caught now, not at pay time.
      const back = await this.store.get(ref)
      if (back !== text) {
        await this.discard(ref)
        return secretErr(
          'keychain-unavailable',
          {
            ru: 'Хранилище паролей не вернуло только что сохранённые данные; сохранение отменено.',
            en: 'The keychain did not return what was just stored; the save was undone.'
          },
          { reason: 'read-back-mismatch' }
        )
      }
    } catch (e) {
      await this.discard(ref)
      return { ok: false, error: secretErrorFromThrown(e) }
    }
    return secretOk({ ref, description })
  }

  private async discard(ref: string): Promise<void> {
    try {
      await this.store.delete(ref)
    } catch (e) {
      this.logger.warn(
        { ref, code: secretErrorFromThrown(e).code },
        'could not remove an unused credential entry'
      )
    }
  }

  private resolve(ref: string): string {
    let cur = ref
    for (let i = 0; i < MAX_FORWARD_HOPS; i++) {
      const next = this.forwards.get(cur)
      if (next === undefined) return cur
      cur = next
    }
    return cur
  }

  private async read(
    ref: string,
    expected?: CredentialKind
  ): Promise<SecretResult<{ parsed: ParsedCredentialRef; entry: CredentialEntry }>> {
    const asked = parseCredentialRef(ref)
    if (!asked) return badRef()
    if (expected !== undefined && asked.kind !== expected) {
      return secretErr(
        'invalid-input',
        {
          ru: `Ссылка указывает не на ${KIND_NAME[expected].ru}, а на ${KIND_NAME[asked.kind].ru}.`,
          en: `The reference points to a ${KIND_NAME[asked.kind].en}, not a ${KIND_NAME[expected].en}.`
        },
        { reason: 'kind-mismatch' }
      )
    }
    const parsed = parseCredentialRef(this.resolve(ref)) ?? asked
    let text: string | null
    try {
      text = await this.store.get(parsed.ref)
    } catch (e) {
      return { ok: false, error: secretErrorFromThrown(e) }
    }
    if (text === null) return this.missing(parsed.kind)
    const entry = parseEntry(text)
    if (!entry || entry.material.kind !== parsed.kind) return damaged(parsed.kind)
    return secretOk({ parsed, entry })
  }

  private async missing(kind: CredentialKind): Promise<{ ok: false; error: SecretError }> {
    // A locked Secret Service collection answers "not found" to reads (verified with
    // gnome-keyring); tell a locked keychain apart from a really missing entry.
    if (this.store.kind === 'keychain') {
      const probe = await this.store.probe()
      if (!probe.ok) {
        return secretErr(probe.problem.code, probe.problem.message, {
          kind,
          ...(probe.problem.detail !== undefined ? { detail: probe.problem.detail } : {})
        })
      }
    }
    const name = KIND_NAME[kind]
    const message: LocalizedText =
      this.store.kind === 'session'
        ? {
            ru: `Секреты хранятся только в течение сеанса: ${name.ru} не задан в этом сеансе. Введите его заново.`,
            en: `Secrets are kept for this session only: the ${name.en} was not entered in this session. Enter it again.`
          }
        : {
            ru: `В хранилище паролей нет данных (${name.ru}): они удалены вне приложения. Импортируйте их заново.`,
            en: `The ${name.en} is not in the keychain (it was removed outside the app). Import it again.`
          }
    return secretErr('credential-missing', message, { kind, store: this.store.kind })
  }

  private fresh(ref: string, entry: CredentialEntry): CredentialDescription {
    const d = { ...entry.description, ref, savedAt: entry.savedAt }
    if (d.kind !== 'client-certificate') return d
    const now = this.now()
    return {
      ...d,
      certificate: refreshCertificateInfo(d.certificate, now),
      chain: d.chain.map((c) => refreshCertificateInfo(c, now)),
      serverCa: d.serverCa.map((c) => refreshCertificateInfo(c, now))
    }
  }

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.slots.get(key) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const tail = next.catch(() => undefined)
    this.slots.set(key, tail)
    void tail.then(() => {
      if (this.slots.get(key) === tail) this.slots.delete(key)
    })
    return next
  }
}
