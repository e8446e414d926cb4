/**
 * T5: secrets never leak. A full desk session — terminals in all three auth modes with
 * canary credentials, payouts of every kind, a wallet logged in with a canary token, a
 * history sync and a transfer — then the SQLite file and its WAL, every log file, every
 * message the renderer received (call results and pushed events) and the CLI's output
 * are scanned for every canary: 0 occurrences.
 *
 * The sandbox's own state directory is the emulated QIWI server (it must know the
 * terminal password to check it), so it is the one place not scanned.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createAppCore } from '../../../electron/core/app/app-core'
import type { AppCore } from '../../../electron/core/app/app-core'
import { createLogger } from '../../../electron/core/log/logger'
import { runCli } from '../../../electron/cli/main'
import type { Result } from '../../../shared/result'

const hasBus = Boolean(process.env['DBUS_SESSION_BUS_ADDRESS'])
const tag = randomBytes(6).toString('hex')
const CANARY = {
  password: `CanaryPw-${tag}`,
  passphrase: `CanaryPass-${tag}`,
  token: `canarytoken${tag}${randomBytes(8).toString('hex')}`
}

let dataDir: string
let core: AppCore
const rendererTraffic: string[] = []
const cliOut: string[] = []
let keyPemBody = ''

async function call<T>(channel: string, input: unknown): Promise<T> {
  const r = (await core.dispatch(channel, input, { host: 'test', lang: 'ru' })) as Result<T>
  rendererTraffic.push(JSON.stringify(r))
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`)
  return r.value
}

function filesBelow(dir: string, skip: string[]): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (skip.includes(p)) continue
    const st = statSync(p)
    if (st.isDirectory()) out.push(...filesBelow(p, skip))
    else out.push(p)
  }
  return out
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'qiwi-canary-'))
  core = await createAppCore({
    dataDir,
    host: 'web',
    version: '0.0.0-canary',
    logger: createLogger({ dir: join(dataDir, 'logs'), level: 'debug' }),
    allowSessionOnlySecrets: true,
    sandboxProcessingMs: 0
  })
  core.events.onAny((event, payload) => rendererTraffic.push(JSON.stringify({ event, payload })))
}, 120_000)

afterAll(async () => {
  await core?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('T5 canary scan', () => {
  it('runs a full session and finds no secret anywhere outside the keychain', async () => {
    const sb = core.sandbox.running!
    // password terminal with a canary password, registered at the emulated server
    sb.admin.topup.upsertTerminal({ id: '20001', password: CANARY.password, balances: { RUB: '100000.00' } })
    const pw = await call<{ id: string }>('terminals:save', {
      name: 'Canary password',
      terminalId: '20001',
      endpoint: 'sandbox',
      authMode: 'password',
      servicesAllowed: ['wallet', 'card', 'sbp'],
      precheckAbsentWalletPolicy: 'pay',
      minPollSeconds: 1
    })
    await call('credentials:save', { kind: 'password', terminalRef: pw.id, password: CANARY.password })

    // signature terminal: a key encrypted with a canary passphrase
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: CANARY.passphrase })
    const plainPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    keyPemBody = plainPem.split('\n')[5] ?? ''
    expect(keyPemBody.length).toBeGreaterThan(40)
    sb.admin.topup.upsertTerminal({
      id: '20002',
      auth: 'signature',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      balances: { RUB: '100000.00' }
    })
    const sig = await call<{ id: string }>('terminals:save', {
      name: 'Canary signature',
      terminalId: '20002',
      endpoint: 'sandbox',
      authMode: 'signature',
      signatureAlg: 'SHA1withRSA',
      servicesAllowed: ['wallet'],
      precheckAbsentWalletPolicy: 'pay',
      minPollSeconds: 1
    })
    await call('credentials:save', {
      kind: 'signing-key',
      terminalRef: sig.id,
      keyPemBase64: Buffer.from(keyPem as string).toString('base64'),
      passphrase: CANARY.passphrase
    })

    const demo = core.sandbox.info().demo!
    const payouts = [
      { terminalRef: pw.id, service: 'wallet', account: demo.wallets['existing'], amount: '15.00', comment: 'канарейка' },
      { terminalRef: pw.id, service: 'card', account: '4111 1111 1111 1111', amount: '120.50' },
      { terminalRef: pw.id, service: 'sbp', account: demo.sbp['ok'], bankId: demo.sbp['bankId'], amount: '70.00' },
      { terminalRef: sig.id, service: 'wallet', account: demo.wallets['existing'], amount: '33.00' }
    ]
    const ids: number[] = []
    for (const [i, p] of payouts.entries()) {
      const v = await call<{ id: number }>('payouts:create', { clientRequestId: `canary-${tag}-${i}`, precheck: true, ...p })
      ids.push(v.id)
    }
    // drive them to a final state
    for (let i = 0; i < 40; i++) {
      await core.engine.runOnce()
      const queue = await call<unknown[]>('payouts:queue', {})
      if (queue.length === 0) break
      await new Promise((r) => setTimeout(r, 250))
    }
    for (const id of ids) {
      const { payout, events } = await call<{ payout: { final: boolean }; events: unknown[] }>('payouts:get', { id })
      expect(payout.final).toBe(true)
      expect(events.length).toBeGreaterThan(1)
    }
    await call('history:query', {
      filter: {},
      sort: { column: 'createdAt', dir: 'desc' },
      page: { limit: 50, offset: 0 }
    })
    await call('history:exportCsv', { filter: {}, sort: { column: 'createdAt', dir: 'desc' } })
    await call('balances:refresh', {})
    await call('terminals:list', {})

    // wallet with a canary token
    const personal = sb.admin.personal!
    personal.createWallet({ wallet: '79990001122', balances: { RUB: 500_000 } })
    personal.createToken({ wallet: '79990001122', token: CANARY.token })
    personal.generateHistory('79990001122', { count: 120, seed: 5 })
    const w = await call<{ id: string }>('wallets:addToken', { name: 'Canary wallet', api: 'sandbox', token: CANARY.token })
    await call('wallet:sync', { id: w.id })
    await call('wallet:balances', { id: w.id })
    await call('wallet:history', { filter: { walletId: w.id }, page: { limit: 50, offset: 0 } })
    await call('wallet:commission', { id: w.id, to: demo.personal!.wallet, amount: '10.00' })
    await call('wallet:transfer', {
      id: w.id,
      clientRequestId: `canary-transfer-${tag}`,
      to: demo.personal!.wallet,
      amount: '10.00',
      comment: 'canary'
    })
    await call('wallets:list', {})

    // the CLI over the same data directory (reads the same keychain when one exists)
    const write = process.stdout.write.bind(process.stdout)
    const writeErr = process.stderr.write.bind(process.stderr)
    process.stdout.write = ((chunk: string | Uint8Array) => {
      cliOut.push(String(chunk))
      return true
    }) as typeof process.stdout.write
    process.stderr.write = ((chunk: string | Uint8Array) => {
      cliOut.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    try {
      for (const args of [['terminal', 'list'], ['history'], ['wallet', 'list'], ['report', '--date', new Date().toISOString().slice(0, 10)]]) {
        await runCli(['--data-dir', dataDir, '--json', ...args])
      }
    } finally {
      process.stdout.write = write
      process.stderr.write = writeErr
    }
    expect(cliOut.join('').length).toBeGreaterThan(10)

    await core.close()
    core = await createAppCore({
      dataDir,
      host: 'web',
      version: '0.0.0-canary',
      logger: createLogger({ dir: join(dataDir, 'logs') }),
      allowSessionOnlySecrets: true,
      startEngine: false
    })

    const canaries = [CANARY.password, CANARY.passphrase, CANARY.token, keyPemBody]
    const scanned = filesBelow(dataDir, [join(dataDir, 'sandbox')])
    expect(scanned.some((f) => f.endsWith('qiwi-desk.db'))).toBe(true)
    expect(scanned.some((f) => f.includes(`${join(dataDir, 'logs')}`))).toBe(true)
    const hits: string[] = []
    for (const f of scanned) {
      const bytes = readFileSync(f)
      for (const c of canaries) {
        if (bytes.includes(Buffer.from(c, 'utf8')) || bytes.includes(Buffer.from(c, 'utf16le'))) hits.push(`${f}: ${c.slice(0, 12)}…`)
      }
    }
    const traffic = rendererTraffic.join('\n') + '\n' + cliOut.join('')
    for (const c of canaries) if (traffic.includes(c)) hits.push(`renderer/CLI traffic: ${c.slice(0, 12)}…`)
    expect(hits).toEqual([])
    expect(existsSync(join(dataDir, 'qiwi-desk.db-wal')) || existsSync(join(dataDir, 'qiwi-desk.db'))).toBe(true)
    // the keychain really holds them (not a vacuous pass): a session store or the OS keychain
    expect(['keychain', 'session']).toContain((await call<{ keychain: string }>('app:info', {})).keychain)
    if (hasBus) expect((await call<{ keychain: string }>('app:info', {})).keychain).toBe('keychain')
  }, 240_000)
})
