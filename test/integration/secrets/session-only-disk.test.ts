/**
 * Session-only mode writes no secret to disk (RELIABILITY T5 for this mode). A separate process
 * with its own HOME, XDG directories, TMPDIR and data directory, and no D-Bus (so the keychain
 * is unusable), opens the secret store with allowSessionOnly, imports canary credentials
 * (password, PFX + passphrase, encrypted signing key, API token, CAS password), logs to files
 * in the data directory, writes the credential metadata the DB would keep, and loads everything
 * back. Then every file under those directories is scanned for each canary: 0 occurrences.
 */
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  encryptKeyPem,
  makeCert,
  makeTempDir,
  pfxWithOpenssl,
  rsaKeyPem
} from '../../unit/secrets/support/material'
import { bundleChild, runChild } from './support/child'

const CANARY = {
  password: 'CANARY-SESSION-terminal-pw-4e91d2',
  passphrase: 'CANARY-SESSION-passphrase-7a0c33',
  token: 'CANARY-SESSION-token-b5f8e1aa90',
  cas: 'CANARY-SESSION-cas-pw-2d6f'
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    const st = statSync(p)
    if (st.isDirectory()) filesUnder(p, out)
    else if (st.isFile()) out.push(p)
  }
  return out
}

/** The forms a leaked string could take on disk. */
function needles(s: string | Buffer): Buffer[] {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s
  const text = b.toString('utf8')
  return [
    b,
    Buffer.from(text, 'utf16le'),
    Buffer.from(b.toString('base64').slice(4, -4)),
    Buffer.from(b.toString('hex'))
  ]
}

let tmp: { dir: string; cleanup: () => void }
let bundle: string

beforeAll(() => {
  tmp = makeTempDir()
  bundle = bundleChild(tmp.dir)
})
afterAll(() => tmp.cleanup())

describe.skipIf(process.platform !== 'linux')('session-only mode', () => {
  it('keeps secrets in memory only: 0 canary occurrences in HOME, XDG dirs, TMPDIR and the data dir', async () => {
    // Inputs live outside the scanned tree (they are the user's own files).
    const inputs = join(tmp.dir, 'inputs')
    mkdirSync(inputs)
    const keyPem = rsaKeyPem(2048)
    const certPem = makeCert({ keyPem, commonName: 'session agent' })
    const pfx = pfxWithOpenssl(inputs, { keyPem, certPem, passphrase: CANARY.passphrase })
    writeFileSync(join(inputs, 'client.pfx'), pfx)
    writeFileSync(join(inputs, 'signing.pem'), encryptKeyPem(keyPem, CANARY.passphrase, 'pkcs8'))

    const root = join(tmp.dir, 'sandbox')
    const dirs = {
      HOME: join(root, 'home'),
      XDG_CONFIG_HOME: join(root, 'xdg-config'),
      XDG_DATA_HOME: join(root, 'xdg-data'),
      XDG_CACHE_HOME: join(root, 'xdg-cache'),
      XDG_STATE_HOME: join(root, 'xdg-state'),
      XDG_RUNTIME_DIR: join(root, 'xdg-run'),
      TMPDIR: join(root, 'tmp')
    }
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 })
    const dataDir = join(root, 'data')
    mkdirSync(dataDir)

    const r = await runChild(
      bundle,
      {
        mode: 'session-canary',
        dataDir,
        pfxFile: join(inputs, 'client.pfx'),
        keyFile: join(inputs, 'signing.pem'),
        canary: CANARY
      },
      { ...dirs, DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined, WAYLAND_DISPLAY: undefined }
    )
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.json).toMatchObject({
      ok: true,
      status: 'session',
      reason: 'keychain-unavailable',
      roundTrip: true
    })

    const files = filesUnder(root)
    // The scan is meaningful: logs and the metadata file were written.
    const log = files.find((f) => f.endsWith('qiwi-desk.log'))
    expect(log).toBeDefined()
    const logText = readFileSync(log as string, 'utf8')
    expect(logText).toContain('credential imported')
    expect(logText).toContain('session canary done')
    expect(logText).toContain('"roundTrip":true')
    const meta = readFileSync(join(dataDir, 'credentials-metadata.json'), 'utf8')
    expect(meta).toContain('session agent')

    const secrets: Array<[string, Buffer[]]> = [
      ...Object.entries(CANARY).map(([k, v]) => [k, needles(v)] as [string, Buffer[]]),
      ['pfx bytes', [pfx.subarray(200, 264), Buffer.from(pfx.toString('base64').slice(400, 480))]],
      ['private key body', [Buffer.from(keyPem.split('\n').slice(3, 5).join(''))]]
    ]
    let scannedBytes = 0
    const hits: string[] = []
    for (const f of files) {
      const content = readFileSync(f)
      scannedBytes += content.length
      for (const [name, forms] of secrets) {
        if (forms.some((n) => content.includes(n))) hits.push(`${name} in ${f}`)
      }
    }
    expect(hits).toEqual([])
    expect(scannedBytes).toBeGreaterThan(500)
    // The needles can match: the input files (outside the scanned tree) do contain them.
    expect(readFileSync(join(inputs, 'client.pfx')).includes(pfx.subarray(200, 264))).toBe(true)
  })
})
