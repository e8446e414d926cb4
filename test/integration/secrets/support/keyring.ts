/**
 * Keychain tests need a Secret Service on a D-Bus session bus: scripts/with-keyring.sh starts a
 * private bus and an unlocked gnome-keyring. Without a bus they are skipped, unless
 * REQUIRE_KEYRING=1 (CI) — then they fail, so a broken keyring setup cannot pass silently.
 */
import { randomBytes } from 'node:crypto'

export type KeyringGate = 'run' | 'skip' | 'fail'

export function keyringGate(): KeyringGate {
  if (process.env['DBUS_SESSION_BUS_ADDRESS']) return 'run'
  return process.env['REQUIRE_KEYRING'] === '1' ? 'fail' : 'skip'
}

export const KEYRING_MISSING =
  'REQUIRE_KEYRING=1 but DBUS_SESSION_BUS_ADDRESS is not set: run the integration tests through scripts/with-keyring.sh'

/** A keychain service name of our own, so parallel runs and the real app never collide. */
export function testService(): string {
  return `qiwi-desk-test-${process.pid}-${randomBytes(4).toString('hex')}`
}
