/**
 * An unusable keychain, for real, in a separate process:
 * - no D-Bus session bus at all (a server or a bare SSH session): 'keychain-unavailable';
 * - a private D-Bus session whose gnome-keyring "login" collection is locked (a real Lock call
 *   over D-Bus, no prompt can be shown): 'keychain-locked'.
 * In both cases openSecretStore refuses to store unless session-only mode is allowed.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir } from '../../unit/secrets/support/material'
import { bundleChild, run, runChild } from './support/child'

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const linux = process.platform === 'linux'
const canRunKeyring = linux && has('dbus-run-session') && has('gnome-keyring-daemon') && has('gdbus')
const required = process.env['REQUIRE_KEYRING'] === '1'

let tmp: { dir: string; cleanup: () => void }
let bundle: string

beforeAll(() => {
  tmp = makeTempDir()
  bundle = bundleChild(tmp.dir)
})
afterAll(() => tmp.cleanup())

describe.skipIf(!linux)('no D-Bus session bus', () => {
  const noBus = { DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined }

  it('reports keychain-unavailable with Linux advice, and refuses to store', async () => {
    const r = await runChild(
      bundle,
      { mode: 'probe', service: 'qiwi-desk-test-nobus', allowSessionOnly: false },
      noBus
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.json['status']).toBe('unavailable')
    const reason = r.json['reason'] as { code: string; message: { en: string; ru: string }; detail: string }
    expect(reason.code).toBe('keychain-unavailable')
    expect(reason.message.en).toMatch(/gnome-keyring/)
    expect(reason.message.ru).toMatch(/GNOME Keyring/)
    expect(reason.detail).toMatch(/D-Bus|DBus|dbus/)
  })

  it('falls back to the session-only store only when allowed', async () => {
    const r = await runChild(
      bundle,
      { mode: 'probe', service: 'qiwi-desk-test-nobus', allowSessionOnly: true },
      noBus
    )
    expect(r.json['status']).toBe('session')
    expect(r.json['kind']).toBe('session')
    expect((r.json['reason'] as { code: string }).code).toBe('keychain-unavailable')
  })
})

if (required && !canRunKeyring) {
  describe('locked keyring', () => {
    it('needs dbus-run-session, gnome-keyring-daemon and gdbus (REQUIRE_KEYRING=1)', () => {
      throw new Error('dbus-run-session, gnome-keyring-daemon or gdbus is missing')
    })
  })
}

describe.skipIf(!canRunKeyring)('locked gnome-keyring (private D-Bus session)', () => {
  it('reports keychain-locked from the probe, and a read of a stored entry is not taken for "missing"', async () => {
    const home = join(tmp.dir, 'locked')
    mkdirSync(join(home, 'data'), { recursive: true })
    mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 })
    const script = [
      'set -eu',
      // Create and unlock a login keyring, store an entry, then lock the collection.
      'eval "$(printf %s locked-test-pw | gnome-keyring-daemon --unlock --components=secrets)"',
      "node -e \"require('keytar').setPassword('qiwi-desk-test-locked', 'pre', 'v').then(() => 0)\"",
      `REF=$(node ${JSON.stringify(bundle)} '${JSON.stringify({ mode: 'save-password', service: 'qiwi-desk-test-locked', password: 'pw' })}' | sed -E 's/.*"ref":"([^"]+)".*/\\1/')`,
      'echo "saved-ref:$REF"',
      'gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets ' +
        '--method org.freedesktop.Secret.Service.Lock "[\'/org/freedesktop/secrets/collection/login\']" >/dev/null',
      `node ${JSON.stringify(bundle)} '${JSON.stringify({ mode: 'probe', service: 'qiwi-desk-test-locked', allowSessionOnly: false })}'`,
      `node -e "require('keytar').getPassword('qiwi-desk-test-locked', 'pre').then(v => console.log('raw-get:' + JSON.stringify(v)))"`,
      `node ${JSON.stringify(bundle)} "{\\"mode\\":\\"load-password\\",\\"service\\":\\"qiwi-desk-test-locked\\",\\"ref\\":\\"$REF\\"}"`
    ].join('\n')
    const r = await run(
      'dbus-run-session',
      ['--', 'bash', '-c', script],
      {
        XDG_DATA_HOME: join(home, 'data'),
        XDG_RUNTIME_DIR: join(home, 'run'),
        DBUS_SESSION_BUS_ADDRESS: undefined,
        DISPLAY: undefined,
        WAYLAND_DISPLAY: undefined,
        GNOME_KEYRING_CONTROL: undefined
      },
      90_000
    )
    expect(existsSync(join(home, 'data', 'keyrings'))).toBe(true)
    const probeLine = r.stdout.split('\n').find((l) => l.startsWith('{"status"'))
    expect(probeLine, r.stdout + r.stderr).toBeDefined()
    const probe = JSON.parse(probeLine as string) as {
      status: string
      reason: { code: string; detail: string; message: { en: string } }
    }
    expect(probe.status).toBe('unavailable')
    expect(probe.reason.code).toBe('keychain-locked')
    expect(probe.reason.detail).toMatch(/locked/)
    expect(probe.reason.message.en).toMatch(/Unlock/)
    // What libsecret does on a locked collection: reads answer "not found". The vault therefore
    // re-probes before reporting a credential as missing (credential-vault.ts, missing()).
    expect(r.stdout).toContain('raw-get:null')
    expect(r.stdout).toMatch(/saved-ref:terminal:locked-terminal:password:[0-9a-f]{16}\n/)
    expect(r.stdout).toContain('{"loaded":false,"code":"keychain-locked"}')
  })
})
