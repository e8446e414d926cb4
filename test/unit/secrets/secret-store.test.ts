/**
 * Secret stores without a keychain: error classification with the messages the real backends
 * print, keytar that cannot be loaded (a module that does not exist: the real failure of a
 * machine without the native binary), openSecretStore's three outcomes, the session store,
 * reference parsing and the chunk splitter. The real keychain runs in test/integration/secrets.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../../../shared/errors'
import { newCredentialRef, parseCredentialRef } from '../../../electron/core/secrets/credential-ref'
import { classifyKeychainError, keychainAdvice } from '../../../electron/core/secrets/keychain-errors'
import type { KeytarApi } from '../../../electron/core/secrets/keytar-secret-store'
import { KeytarSecretStore, splitUtf8 } from '../../../electron/core/secrets/keytar-secret-store'
import { MemorySecretStore } from '../../../electron/core/secrets/memory-secret-store'
import { openSecretStore } from '../../../electron/core/secrets/open-secret-store'
import { secretErrorFromThrown } from '../../../electron/core/secrets/secret-errors'

const SEED = 20261122

describe('classifyKeychainError', () => {
  it.each([
    ['Cannot create an item in a locked collection', 'keychain-locked'], // libsecret, locked gnome-keyring (verified)
    ['Cannot get secret of a locked object', 'keychain-locked'],
    ['Prompt dismissed', 'keychain-locked'],
    ['User interaction is not allowed.', 'keychain-locked'], // macOS errSecInteractionNotAllowed
    ['The user name or passphrase you entered is not correct.', 'keychain-locked'], // macOS errSecAuthFailed
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'keychain-unavailable'], // no session bus (verified)
    ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'keychain-unavailable'], // no login keyring (verified)
    ['The name org.freedesktop.secrets was not provided by any .service files', 'keychain-unavailable'],
    ['libsecret-1.so.0: cannot open shared object file: No such file or directory', 'keychain-unavailable'],
    ['The stub received bad data.', 'keychain-unavailable'] // Windows CredWrite
  ])('%s → %s', (message, code) => {
    const p = classifyKeychainError(new Error(message), 'linux')
    expect(p.code).toBe(code)
    expect(p.detail).toBe(message)
  })

  it('gives platform-specific advice in both languages', () => {
    expect(keychainAdvice('keychain-unavailable', 'linux').en).toMatch(
      /gnome-keyring.*KWallet.*Secret Service/s
    )
    expect(keychainAdvice('keychain-unavailable', 'linux').ru).toMatch(/GNOME Keyring.*KWallet/s)
    expect(keychainAdvice('keychain-locked', 'linux').en).toMatch(/Unlock/)
    expect(keychainAdvice('keychain-locked', 'darwin').en).toMatch(/Keychain Access/)
    expect(keychainAdvice('keychain-unavailable', 'win32').en).toMatch(/Credential Manager/)
    for (const p of ['linux', 'darwin', 'win32', 'other'] as const) {
      for (const c of ['keychain-locked', 'keychain-unavailable'] as const) {
        expect(keychainAdvice(c, p).ru).toMatch(/[А-Яа-я]/)
        expect(keychainAdvice(c, p).en).not.toMatch(/[А-Яа-я]/)
      }
    }
  })
})

function missingKeytar(calls: { n: number }): () => Promise<KeytarApi> {
  const name = './this-keytar-build-does-not-exist.node'
  return async () => {
    calls.n++
    const m: unknown = await import(/* @vite-ignore */ name)
    return m as KeytarApi
  }
}

describe('KeytarSecretStore when keytar cannot be loaded', () => {
  it('throws keychain-unavailable with advice from every operation, and retries the load', async () => {
    const calls = { n: 0 }
    const store = new KeytarSecretStore({ loadKeytar: missingKeytar(calls), platform: 'linux' })
    for (const op of [() => store.get('a:b'), () => store.set('a:b', 'v'), () => store.delete('a:b')]) {
      const e: unknown = await op().then(
        () => null,
        (x: unknown) => x
      )
      expect(isAppError(e)).toBe(true)
      if (!isAppError(e)) return
      expect(e.code).toBe('keychain-unavailable')
      const se = secretErrorFromThrown(e)
      expect(se.message.en).toMatch(/Secret Service/)
      expect(se.message.ru).toMatch(/Secret Service/)
      expect(String(se.details?.['detail'])).toMatch(/does-not-exist|Cannot find|Failed to load|not found/i)
    }
    expect(calls.n).toBe(3)
    const probe = await store.probe()
    expect(probe.ok).toBe(false)
    if (!probe.ok) expect(probe.problem.code).toBe('keychain-unavailable')
  })

  it('rejects malformed ids before touching the keychain', async () => {
    const calls = { n: 0 }
    const store = new KeytarSecretStore({ loadKeytar: missingKeytar(calls) })
    for (const id of ['', ' a', 'a b', 'a\nb', 'x'.repeat(201), 'é']) {
      await expect(store.get(id)).rejects.toMatchObject({ code: 'invalid-input' })
    }
    expect(calls.n).toBe(0)
  })
})

describe('openSecretStore', () => {
  it('reports unavailable with the reason, or falls back to session-only when allowed', async () => {
    const keychain = new KeytarSecretStore({ loadKeytar: missingKeytar({ n: 0 }), platform: 'linux' })
    const strict = await openSecretStore({ allowSessionOnly: false, keychain })
    expect(strict.status).toBe('unavailable')
    expect(strict.reason?.code).toBe('keychain-unavailable')
    expect(strict.store).toBe(keychain)
    await expect(strict.store.set('a:b', 'v')).rejects.toMatchObject({ code: 'keychain-unavailable' })

    const lenient = await openSecretStore({ allowSessionOnly: true, keychain })
    expect(lenient.status).toBe('session')
    expect(lenient.store.kind).toBe('session')
    expect(lenient.reason?.code).toBe('keychain-unavailable')
    await lenient.store.set('a:b', 'v')
    expect(await lenient.store.get('a:b')).toBe('v')
  })

  it('forceSessionOnly never touches the keychain', async () => {
    const calls = { n: 0 }
    const opened = await openSecretStore({
      allowSessionOnly: false,
      forceSessionOnly: true,
      keytar: { loadKeytar: missingKeytar(calls) }
    })
    expect(opened.status).toBe('session')
    expect(opened.reason).toBeUndefined()
    expect(calls.n).toBe(0)
  })
})

describe('MemorySecretStore', () => {
  it('get/set/delete/clear', async () => {
    const s = new MemorySecretStore()
    expect(s.kind).toBe('session')
    expect(await s.get('x:1')).toBeNull()
    await s.set('x:1', 'a')
    await s.set('x:1', 'b')
    expect(await s.get('x:1')).toBe('b')
    expect(await s.delete('x:1')).toBe(true)
    expect(await s.delete('x:1')).toBe(false)
    await s.set('x:2', 'c')
    s.clear()
    expect(s.size).toBe(0)
    expect(await s.probe()).toEqual({ ok: true })
  })
})

describe('credential refs', () => {
  it('round-trip and reject anything malformed (fast-check seed ' + SEED + ')', () => {
    const owner = fc.record({
      type: fc.constantFrom('terminal' as const, 'wallet' as const),
      id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)
    })
    fc.assert(
      fc.property(
        owner,
        fc.constantFrom(
          'terminal-password',
          'signing-key',
          'client-certificate',
          'wallet-token',
          'cas-login' as const
        ),
        (o, kind) => {
          const ownerOk =
            (o.type === 'terminal') ===
            ['terminal-password', 'signing-key', 'client-certificate'].includes(kind)
          if (!ownerOk) {
            expect(() => newCredentialRef(o, kind)).toThrow()
            return
          }
          const ref = newCredentialRef(o, kind)
          expect(parseCredentialRef(ref)).toEqual({ ref, owner: o, kind, generation: ref.slice(-16) })
        }
      ),
      { seed: SEED, numRuns: 500 }
    )
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        const p = parseCredentialRef(s)
        if (p !== null) {
          expect(s).toMatch(/^(terminal|wallet):[A-Za-z0-9][A-Za-z0-9_-]{0,63}:[a-z-]+:[0-9a-f]{16}$/)
        }
      }),
      { seed: SEED, numRuns: 2000 }
    )
    expect(parseCredentialRef('wallet:w1:password:0123456789abcdef')).toBeNull() // a password belongs to a terminal
    expect(parseCredentialRef('terminal:t1:password:0123456789ABCDEF')).toBeNull()
    expect(parseCredentialRef(42)).toBeNull()
  })
})

describe('splitUtf8', () => {
  it('never exceeds the byte budget, never splits a code point, rejoins exactly (seed ' + SEED + ')', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 600 }),
        fc.integer({ min: 4, max: 64 }),
        (s, max) => {
          const parts = splitUtf8(s, max)
          expect(parts.join('')).toBe(s)
          for (const p of parts) {
            expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(max)
            expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p) // no lone surrogate at a cut
          }
        }
      ),
      { seed: SEED, numRuns: 1000 }
    )
  })
})
