/**
 * The OS keychain adapter: the ONLY file that imports `keytar` (STYLE §7). keytar has been
 * archived since Dec 2022; moving to Electron's `safeStorage` means replacing this file.
 *
 * - Service name "qiwi-desk"; the SecretStore id is keytar's "account".
 * - keytar is loaded lazily with a dynamic import, so a machine without libsecret (or with a
 *   keytar binary built for another ABI) still starts; the failure surfaces as a typed
 *   'keychain-unavailable' problem from probe() or from the first operation, and the app can
 *   offer the session-only mode.
 * - Not found → null (get) / false (delete); anything else → AppError 'keychain-unavailable' or
 *   'keychain-locked' with an explanation for the platform (keychain-errors.ts).
 * - Large values are split into chunks. Windows Credential Manager refuses blobs above
 *   CRED_MAX_CREDENTIAL_BLOB_SIZE (2560 bytes; keytar issues #112/#140/#249), and a PFX in
 *   base64 is 3–8 KB. Chunks are written first under a fresh generation, then the manifest
 *   that names them replaces the main entry in one write, then the previous generation's
 *   chunks are deleted: a crash at any point leaves either the old or the new value readable
 *   (at worst an orphan chunk), never a mix. The manifest records a SHA-256 of the whole value;
 *   a damaged set of chunks is reported, never returned.
 */
import { createHash, randomBytes } from 'node:crypto'
import { AppError } from '../../../shared/errors'
import type { Logger } from '../log/logger'
import { nullLogger } from '../log/logger'
import type { KeychainPlatform, KeychainProblem } from './keychain-errors'
import {
  classifyKeychainError,
  currentKeychainPlatform,
  keychainAdvice,
  keychainProblemToAppError
} from './keychain-errors'
import type { SecretStore, SecretStoreProbe } from './secret-store'
import { isValidSecretId } from './secret-store'

export const KEYTAR_SERVICE = 'qiwi-desk'

/** The part of keytar's API this adapter uses (structural, so tests can pass the real module). */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>
  setPassword(service: string, account: string, password: string): Promise<void>
  deletePassword(service: string, account: string): Promise<boolean>
}

export interface KeytarSecretStoreOptions {
  /** Keychain service name; "qiwi-desk" unless a test isolates itself. */
  service?: string | undefined
  logger?: Logger | undefined
  platform?: KeychainPlatform | undefined
  /** How keytar is obtained; defaults to a dynamic import of the 'keytar' package. */
  loadKeytar?: (() => Promise<KeytarApi>) | undefined
  /** Largest value (UTF-8 bytes) stored in one keychain entry; larger values are chunked. */
  chunkBytes?: number | undefined
  /**
   * How long probe() waits. A locked Secret Service collection shows an unlock prompt and the
   * call waits for the user; past this the probe reports 'keychain-locked'.
   */
  probeTimeoutMs?: number | undefined
}

/** Below every platform's limit even if a platform stores the text as UTF-16 (2 bytes/char). */
export const DEFAULT_CHUNK_BYTES = 1000
const CHUNK_MARKER = 'qiwi-desk:chunked:v1:'
const MANIFEST_PATTERN = /^qiwi-desk:chunked:v1:([0-9a-f]{16}):([1-9][0-9]{0,3}):([0-9a-f]{64})$/
const MAX_CHUNKS = 1024

async function importKeytar(): Promise<KeytarApi> {
  // CommonJS hosts (the Electron main bundle, the CLI bundle, Vitest) have `require`, the usual
  // way to load a native addon; it also honours NODE_PATH, which import() does not. A pure ESM
  // host falls back to import().
  const mod = (
    typeof require === 'function'
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load of a native addon, see above
        (require('keytar') as unknown)
      : ((await import('keytar')) as unknown)
  ) as KeytarApi & { default?: KeytarApi }
  // keytar is CommonJS: depending on the loader the functions sit on the namespace or on `default`.
  const api = typeof mod.getPassword === 'function' ? mod : mod.default
  if (api === undefined || typeof api.getPassword !== 'function') {
    throw new Error('keytar module has no getPassword export')
  }
  return api
}

interface Manifest {
  gen: string
  count: number
  sha256: string
}

function parseManifest(raw: string): Manifest | null {
  const m = MANIFEST_PATTERN.exec(raw)
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return null
  return { gen: m[1], count: Number(m[2]), sha256: m[3] }
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex')
}

/** Splits at code-point boundaries so that no chunk exceeds `maxBytes` of UTF-8. */
export function splitUtf8(value: string, maxBytes: number): string[] {
  const out: string[] = []
  let cur = ''
  let curBytes = 0
  for (const ch of value) {
    const b = Buffer.byteLength(ch, 'utf8')
    if (curBytes + b > maxBytes && cur !== '') {
      out.push(cur)
      cur = ''
      curBytes = 0
    }
    cur += ch
    curBytes += b
  }
  if (cur !== '') out.push(cur)
  return out
}

function chunkId(id: string, gen: string, i: number): string {
  return `${id}#${gen}.${i}`
}

export class KeytarSecretStore implements SecretStore {
  readonly kind = 'keychain' as const
  readonly service: string
  private readonly logger: Logger
  private readonly platform: KeychainPlatform
  private readonly loadKeytar: () => Promise<KeytarApi>
  private readonly chunkBytes: number
  private readonly probeTimeoutMs: number
  private keytar: Promise<KeytarApi> | null = null
  /** Per-id queue: a chunked write is several keychain calls that must not interleave. */
  private readonly queues = new Map<string, Promise<unknown>>()

  constructor(opts: KeytarSecretStoreOptions = {}) {
    this.service = opts.service ?? KEYTAR_SERVICE
    this.logger = opts.logger ?? nullLogger
    this.platform = opts.platform ?? currentKeychainPlatform()
    this.loadKeytar = opts.loadKeytar ?? importKeytar
    this.chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 60_000
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 16) {
      throw new RangeError('chunkBytes must be an integer ≥ 16')
    }
  }

  async get(id: string): Promise<string | null> {
    checkId(id)
    return this.serial(id, async () => {
      const kt = await this.api()
      const raw = await this.call('get', () => kt.getPassword(this.service, id))
      if (raw === null || !raw.startsWith(CHUNK_MARKER)) return raw
      return this.readChunked(kt, id, raw)
    })
  }

  async set(id: string, value: string): Promise<void> {
    checkId(id)
    if (typeof value !== 'string') throw new TypeError('secret value must be a string')
    await this.serial(id, async () => {
      const kt = await this.api()
      const previous = await this.call('get', () => kt.getPassword(this.service, id))
      const oldManifest = previous === null ? null : parseManifest(previous)
      // A value that looks like a manifest is itself chunked, so reading is unambiguous.
      if (Buffer.byteLength(value, 'utf8') <= this.chunkBytes && !value.startsWith(CHUNK_MARKER)) {
        await this.call('set', () => kt.setPassword(this.service, id, value))
      } else {
        const parts = splitUtf8(value, this.chunkBytes)
        if (parts.length > MAX_CHUNKS) {
          throw new AppError('invalid-input', 'secret value too large for the keychain', {
            bytes: Buffer.byteLength(value)
          })
        }
        const gen = randomBytes(8).toString('hex')
        for (let i = 0; i < parts.length; i++) {
          const part = parts[i] as string
          await this.call('set', () => kt.setPassword(this.service, chunkId(id, gen, i), part))
        }
        const manifest = `${CHUNK_MARKER}${gen}:${parts.length}:${sha256Hex(value)}`
        await this.call('set', () => kt.setPassword(this.service, id, manifest))
      }
      if (oldManifest !== null) await this.deleteChunks(kt, id, oldManifest)
    })
  }

  async delete(id: string): Promise<boolean> {
    checkId(id)
    return this.serial(id, async () => {
      const kt = await this.api()
      const raw = await this.call('get', () => kt.getPassword(this.service, id))
      const manifest = raw === null ? null : parseManifest(raw)
      const removed = await this.call('delete', () => kt.deletePassword(this.service, id))
      if (manifest !== null) await this.deleteChunks(kt, id, manifest)
      return removed
    })
  }

  async probe(): Promise<SecretStoreProbe> {
    const id = `probe:${randomBytes(8).toString('hex')}`
    const value = `probe-${randomBytes(16).toString('hex')}`
    let kt: KeytarApi
    try {
      kt = await this.api()
    } catch (e) {
      return { ok: false, problem: loadProblem(e, this.platform) }
    }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no answer from the keychain within ${this.probeTimeoutMs} ms (waiting for an unlock prompt?)`
            )
          ),
        this.probeTimeoutMs
      )
      timer.unref()
    })
    try {
      const back = await Promise.race([
        kt.setPassword(this.service, id, value).then(() => kt.getPassword(this.service, id)),
        timeout
      ])
      if (back !== value) {
        return {
          ok: false,
          problem: classifyKeychainError(
            new Error('the keychain did not return the value just stored'),
            this.platform
          )
        }
      }
      return { ok: true }
    } catch (e) {
      const problem = classifyKeychainError(e, this.platform)
      this.logger.warn({ code: problem.code, detail: problem.detail }, 'keychain probe failed')
      return { ok: false, problem }
    } finally {
      clearTimeout(timer)
      await Promise.race([kt.deletePassword(this.service, id).catch(() => false), timeout.catch(() => false)])
    }
  }

  private api(): Promise<KeytarApi> {
    if (this.keytar === null) {
      const p = this.loadKeytar()
      this.keytar = p
      // A failed load is not cached: the user may fix the system and retry without a restart.
      p.catch(() => {
        if (this.keytar === p) this.keytar = null
      })
    }
    return this.keytar.catch((e: unknown) => {
      const problem = loadProblem(e, this.platform)
      this.logger.warn({ code: problem.code, detail: problem.detail }, 'keytar could not be loaded')
      throw keychainProblemToAppError(problem)
    })
  }

  private async call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      const problem = classifyKeychainError(e, this.platform)
      this.logger.warn({ op, code: problem.code, detail: problem.detail }, 'keychain operation failed')
      throw keychainProblemToAppError(problem)
    }
  }

  private async readChunked(kt: KeytarApi, id: string, raw: string): Promise<string> {
    const manifest = parseManifest(raw)
    if (manifest === null || manifest.count > MAX_CHUNKS) throw damaged()
    const parts: string[] = []
    for (let i = 0; i < manifest.count; i++) {
      const part = await this.call('get', () => kt.getPassword(this.service, chunkId(id, manifest.gen, i)))
      if (part === null) throw damaged()
      parts.push(part)
    }
    const value = parts.join('')
    if (sha256Hex(value) !== manifest.sha256) throw damaged()
    return value
  }

  private async deleteChunks(kt: KeytarApi, id: string, manifest: Manifest): Promise<void> {
    for (let i = 0; i < manifest.count; i++) {
      try {
        await kt.deletePassword(this.service, chunkId(id, manifest.gen, i))
      } catch (e) {
        // An orphan chunk holds part of a secret that is no longer referenced; report it and go on.
        this.logger.warn(
          { detail: classifyKeychainError(e, this.platform).detail },
          'could not delete an old keychain chunk'
        )
      }
    }
  }

  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(id) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    const tail = next.catch(() => undefined)
    this.queues.set(id, tail)
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id)
    })
    return next
  }
}

function checkId(id: string): void {
  if (!isValidSecretId(id)) throw new AppError('invalid-input', 'invalid secret id')
}

function damaged(): AppError {
  return new AppError('credential-invalid', 'The stored secret is damaged; import it again.', {
    ru: 'Сохранённый секрет повреждён; импортируйте его заново.',
    en: 'The stored secret is damaged; import it again.'
  })
}

/** Whatever the loader said (missing libsecret, binary for another ABI), the keychain is unusable. */
function loadProblem(e: unknown, platform: KeychainPlatform): KeychainProblem {
  const detail = (e instanceof Error ? e.message : String(e)).slice(0, 500)
  return { code: 'keychain-unavailable', message: keychainAdvice('keychain-unavailable', platform), detail }
}
