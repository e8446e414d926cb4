/**
 * The cashier CLI end to end: the real entry point (electron/cli/main.ts bundled by
 * esbuild, run as a child process with a temp --data-dir), the real keychain
 * (scripts/with-keyring.sh), a standalone sandbox on loopback and the embedded one
 * (`--endpoint sandbox`, persisted under <dataDir>/sandbox across invocations).
 *
 * Run: scripts/with-keyring.sh npx vitest run --project integration test/integration/cli
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../electron/core/sandbox/sandbox'
import type { Sandbox } from '../../../electron/core/sandbox/sandbox'
import { REPO_ROOT } from '../../support/paths'

const gate = process.env['DBUS_SESSION_BUS_ADDRESS']
  ? 'run'
  : process.env['REQUIRE_KEYRING'] === '1'
    ? 'fail'
    : 'skip'
if (gate === 'fail') {
  describe('qiwi-desk CLI', () => {
    it('needs a keychain (REQUIRE_KEYRING=1)', () => {
      throw new Error('run through scripts/with-keyring.sh: no DBUS_SESSION_BUS_ADDRESS')
    })
  })
}

const PASSWORD = 'demo-pass-10001'
const CLI_KEYS = [
  'transactionNumber',
  'terminal',
  'service',
  'account',
  'amount',
  'state',
  'final',
  'status',
  'resultCode',
  'txnId',
  'paused',
  'error'
]

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

let work = ''
let bundle = ''
let dataDir = ''
let sandbox: Sandbox
const service = `qiwi-desk-test-cli-${process.pid}-${randomBytes(3).toString('hex')}`

function cli(args: string[], opts: { stdin?: string; dataDir?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, '--data-dir', opts.dataDir ?? dataDir, ...args], {
      env: {
        ...process.env,
        NODE_PATH: join(REPO_ROOT, 'node_modules'),
        TZ: 'UTC',
        QIWI_DESK_KEYCHAIN_SERVICE: service
      },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`qiwi-desk ${args.join(' ')} timed out; stderr: ${stderr}`))
    }, 90_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(opts.stdin ?? '')
  })
}

async function json<T>(args: string[], opts: { stdin?: string; dataDir?: string } = {}): Promise<T> {
  const r = await cli(['--json', ...args], opts)
  if (r.code !== 0) throw new Error(`qiwi-desk ${args.join(' ')} → ${String(r.code)}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

function pays(): number {
  return sandbox.admin.topup.requests().filter((r) => r.request === 'pay').length
}

/** Payout rows in a data directory, read directly (a read-only connection). */
async function historyCount(dir = dataDir): Promise<number> {
  const db = new Database(join(dir, 'qiwi-desk.db'), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('SELECT count(*) AS n FROM payouts').get() as { n: number }).n
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  if (gate !== 'run') return
  work = mkdtempSync(join(tmpdir(), 'qiwi-cli-'))
  // The bundle finds resources/migrations by walking up from its own folder.
  mkdirSync(join(work, 'resources'))
  symlinkSync(join(REPO_ROOT, 'resources', 'migrations'), join(work, 'resources', 'migrations'))
  bundle = join(work, 'cli', 'qiwi-desk.cjs')
  await build({
    entryPoints: [join(REPO_ROOT, 'electron/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Pure-JS packages inlined (start-up time); native addons load from node_modules.
    external: ['better-sqlite3', 'keytar'],
    outfile: bundle,
    logLevel: 'silent'
  })
  dataDir = join(work, 'data')
  sandbox = await startSandbox({ tls: true, personal: false, processingMs: 300 })
}, 120_000)

afterAll(async () => {
  if (gate !== 'run') return
  await sandbox.close()
  rmSync(work, { recursive: true, force: true })
})

describe.skipIf(gate !== 'run')('qiwi-desk CLI (cashier side)', () => {
  it('terminal add: password from stdin into the keychain, never into the database', async () => {
    const r = await cli(
      [
        'terminal',
        'add',
        '--name',
        'Desk',
        '--terminal-id',
        '10001',
        '--endpoint',
        sandbox.topupOrigin,
        '--password-stdin',
        '--min-poll-seconds',
        '1',
        '--absent-wallet',
        'pay',
        '--low-balance',
        '100.00'
      ],
      { stdin: `${PASSWORD}\n` }
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const list = await json<Array<Record<string, unknown>>>(['terminal', 'list'])
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({
      name: 'Desk',
      terminalId: '10001',
      endpoint: sandbox.topupOrigin,
      minPollSeconds: 1,
      credentials: { password: true }
    })
    expect(JSON.stringify(list)).not.toContain(PASSWORD)
    for (const f of readdirSync(dataDir)) {
      if (f.startsWith('qiwi-desk.db')) {
        expect(readFileSync(join(dataDir, f)).includes(Buffer.from(PASSWORD))).toBe(false)
      }
    }
  })

  it('terminal add refuses secrets on the command line and bad settings (exit 2, nothing added)', async () => {
    const noStdin = await cli([
      'terminal',
      'add',
      '--name',
      'X',
      '--terminal-id',
      '10001',
      '--endpoint',
      sandbox.topupOrigin
    ])
    expect(noStdin.code).toBe(2)
    expect(noStdin.stderr).toMatch(/--password-stdin/)
    const argvSecret = await cli([
      'terminal',
      'add',
      '--name',
      'X',
      '--terminal-id',
      '10001',
      '--endpoint',
      sandbox.topupOrigin,
      '--password',
      'secret'
    ])
    expect(argvSecret.code).toBe(2)
    const insecure = await cli(
      [
        'terminal',
        'add',
        '--name',
        'X',
        '--terminal-id',
        '10001',
        '--endpoint',
        'http://qiwi.example.com',
        '--password-stdin'
      ],
      { stdin: 'pw\n' }
    )
    expect(insecure.code).toBe(2)
    expect(insecure.stderr).toMatch(/loopback/)
    expect(await json<unknown[]>(['terminal', 'list'])).toHaveLength(1)
  })

  it('signature terminal: the RSA key from a file; certificate terminal: PFX + passphrase file + CA over mutual TLS', async () => {
    const sig = await cli([
      'terminal',
      'add',
      '--name',
      'Signed',
      '--terminal-id',
      '10002',
      '--endpoint',
      sandbox.topupOrigin,
      '--auth',
      'signature',
      '--key-file',
      sandbox.demo.topup.signature.privateKeyPath,
      '--min-poll-seconds',
      '1'
    ])
    expect(sig.stderr).toBe('')
    expect(sig.code).toBe(0)
    const p1 = await json<Record<string, unknown>>([
      'pay',
      '--terminal',
      'Signed',
      '--service',
      'card',
      '--account',
      '4111111111111111',
      '--amount',
      '2.00',
      '--wait'
    ])
    expect(p1['state']).toBe('succeeded')

    const c = sandbox.demo.topup.certificate
    const passFile = join(work, 'pfx-pass.txt')
    writeFileSync(passFile, `${c.pfxPassphrase}\n`)
    const cert = await cli(
      [
        'terminal',
        'add',
        '--name',
        'Certified',
        '--terminal-id',
        '10003',
        '--endpoint',
        sandbox.topupTlsOrigin ?? '',
        '--auth',
        'certificate',
        '--pfx-file',
        c.pfxPath,
        '--pfx-passphrase-file',
        passFile,
        '--ca-file',
        c.caPath,
        '--password-stdin',
        '--min-poll-seconds',
        '1'
      ],
      { stdin: `${c.password}\n` }
    )
    expect(cert.stderr).toBe('')
    expect(cert.code).toBe(0)
    const list = await json<
      Array<{
        name: string
        credentials: Record<string, boolean>
        certificate: { subject: string | null } | null
      }>
    >(['terminal', 'list'])
    const ct = list.find((t) => t.name === 'Certified')
    expect(ct?.credentials).toEqual({ password: true, signingKey: false, clientCert: true, caCert: true })
    expect(ct?.certificate?.subject).toBeTruthy()
    const p2 = await json<Record<string, unknown>>([
      'pay',
      '--terminal',
      'Certified',
      '--service',
      'card',
      '--account',
      '4111111111111111',
      '--amount',
      '3.00',
      '--wait'
    ])
    expect(p2['state']).toBe('succeeded')

    // A key file that is not a key: refused at import (exit 3), nothing added.
    const junk = join(work, 'junk.pem')
    writeFileSync(junk, '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n')
    const bad = await cli([
      'terminal',
      'add',
      '--name',
      'Junk',
      '--terminal-id',
      '10002',
      '--endpoint',
      sandbox.topupOrigin,
      '--auth',
      'signature',
      '--key-file',
      junk
    ])
    expect(bad.code).toBe(3)
    expect((await json<Array<{ name: string }>>(['terminal', 'list'])).map((t) => t.name)).not.toContain(
      'Junk'
    )
  })

  it('pay --wait --json: one object with the documented keys, final succeeded', async () => {
    const before = pays()
    const v = await json<Record<string, unknown>>([
      'pay',
      '--terminal',
      'Desk',
      '--service',
      'wallet',
      '--account',
      '+7 918 123-45-67',
      '--amount',
      '15.00',
      '--comment',
      'первая выплата',
      '--wait'
    ])
    expect(Object.keys(v)).toEqual(CLI_KEYS)
    expect(v).toMatchObject({
      terminal: 'Desk',
      service: 'wallet',
      account: '+7 918 123-45-67',
      amount: '15.00',
      state: 'succeeded',
      final: true,
      status: '60',
      paused: false,
      error: null
    })
    expect(v['transactionNumber']).toMatch(/^\d{18}$/)
    expect(v['txnId']).toMatch(/^\d+$/)
    expect(pays()).toBe(before + 1)
    const ledger = sandbox.admin.topup.getPayment('10001', v['transactionNumber'] as string)
    expect(ledger?.status).toBe(60)
    expect(ledger?.extras['to.comment']).toBe('первая выплата')
  })

  it('pay without --wait leaves it to the poller; status NUMBER reaches the final state', async () => {
    const v = await json<Record<string, unknown>>([
      'pay',
      '--terminal',
      'Desk',
      '--service',
      'card',
      '--account',
      '4111 1111 1111 1111',
      '--amount',
      '20.00'
    ])
    expect(v['account']).toBe('4111 11** **** 1111')
    expect(['waiting', 'succeeded']).toContain(v['state'])
    const n = v['transactionNumber'] as string
    let s: Record<string, unknown> = v
    for (let i = 0; i < 20 && s['final'] !== true; i++) {
      await new Promise((r) => setTimeout(r, 700))
      s = await json<Record<string, unknown>>(['status', n])
    }
    expect(Object.keys(s)).toEqual(CLI_KEYS)
    expect(s).toMatchObject({ transactionNumber: n, state: 'succeeded', final: true })
    const human = await cli(['status', n, '--no-refresh'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(n)
  })

  it.each([
    ['a bad amount', ['--service', 'wallet', '--account', '79181234567', '--amount', '15.001'], 2, /amount/],
    ['a zero amount', ['--service', 'wallet', '--account', '79181234567', '--amount', '0'], 2, /amount/],
    [
      'a bad card number (Luhn)',
      ['--service', 'card', '--account', '4111111111111112', '--amount', '5.00'],
      2,
      /card/
    ],
    ['a bad phone', ['--service', 'wallet', '--account', '12345', '--amount', '5.00'], 2, /phone/],
    [
      'an unknown service',
      ['--service', 'bitcoin', '--account', '79181234567', '--amount', '5.00'],
      2,
      /service/
    ],
    ['SBP without a bank id', ['--service', 'sbp', '--account', '79001234567', '--amount', '5.00'], 2, /bank/]
  ] as const)('pay with %s: exit %s, clear error, nothing recorded or sent', async (_n, args, code, re) => {
    const before = { pays: pays(), rows: await historyCount() }
    const r = await cli(['pay', '--terminal', 'Desk', ...args])
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(re)
    expect(r.stdout).toBe('')
    expect({ pays: pays(), rows: await historyCount() }).toEqual(before)
  })

  it('pay on an unknown terminal: exit 3 (configuration), nothing recorded', async () => {
    const before = await historyCount()
    const r = await cli([
      'pay',
      '--terminal',
      'Nowhere',
      '--service',
      'wallet',
      '--account',
      '79181234567',
      '--amount',
      '5.00'
    ])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/no terminal named "Nowhere"/)
    expect(await historyCount()).toBe(before)
  })

  it('--request-id makes pay idempotent across invocations', async () => {
    const id = `script-${randomBytes(6).toString('hex')}`
    const a = await json<Record<string, unknown>>([
      'pay',
      '--terminal',
      'Desk',
      '--service',
      'card',
      '--account',
      '4111111111111111',
      '--amount',
      '7.00',
      '--request-id',
      id
    ])
    const before = pays()
    const b = await json<Record<string, unknown>>([
      'pay',
      '--terminal',
      'Desk',
      '--service',
      'card',
      '--account',
      '4111111111111111',
      '--amount',
      '7.00',
      '--request-id',
      id
    ])
    expect(b['transactionNumber']).toBe(a['transactionNumber'])
    expect(pays()).toBe(before)
  })

  it('batch: validates the whole file, pays every row once; re-running the same file pays nothing', async () => {
    const file = join(work, 'good.csv')
    writeFileSync(
      file,
      'service,account,amount,comment\nwallet,79181234567,11.00,row one\ncard,4111111111111111,12.00,\nwallet,+7 903 123-45-67,13.50,"with, comma"\n'
    )
    const before = pays()
    const s1 = await json<Record<string, unknown>>(['batch', '--terminal', 'Desk', file, '--wait'])
    expect(s1).toMatchObject({ rows: 3, created: 3, existing: 0, rejected: [] })
    expect(s1['byState']).toEqual({ succeeded: 3 })
    expect(pays()).toBe(before + 3)
    const s2 = await json<Record<string, unknown>>(['batch', '--terminal', 'Desk', file])
    expect(s2).toMatchObject({ rows: 3, created: 0, existing: 3 })
    expect(pays()).toBe(before + 3)
  })

  it('batch with bad rows: every bad line reported, exit 2, nothing recorded', async () => {
    const file = join(work, 'bad.csv')
    writeFileSync(
      file,
      'service,account,amount,comment\nwallet,79181234567,10.00,fine\ncard,4111111111111112,5.00,luhn\n\nwallet,79181234567,abc,amount\nbitcoin,1,1.00,service\nwallet,79181234567,1.00\n'
    )
    const before = { pays: pays(), rows: await historyCount() }
    const r = await cli(['--json', 'batch', '--terminal', 'Desk', file])
    expect(r.code).toBe(2)
    const out = JSON.parse(r.stdout) as { rejected: { line: number; code: string }[]; recorded: number }
    expect(out.recorded).toBe(0)
    expect(out.rejected.map((x) => [x.line, x.code])).toEqual([
      [3, 'invalid-card'],
      [5, 'invalid-amount'],
      [6, 'invalid-input'],
      [7, 'invalid-csv']
    ])
    for (const line of [3, 5, 6, 7]) expect(r.stderr).toContain(`bad.csv:${line}:`)
    expect({ pays: pays(), rows: await historyCount() }).toEqual(before)

    const broken = join(work, 'broken.csv')
    writeFileSync(broken, 'service,account,amount\nwallet,"79181234567,1.00\n')
    const b = await cli(['batch', '--terminal', 'Desk', broken])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/broken\.csv:2:.*Quote/i)
    const header = join(work, 'header.csv')
    writeFileSync(header, 'who,what\nwallet,1\n')
    const h = await cli(['batch', '--terminal', 'Desk', header])
    expect(h.code).toBe(2)
    expect(h.stderr).toMatch(/header\.csv:1:.*missing: service, account, amount/)
    expect({ pays: pays(), rows: await historyCount() }).toEqual(before)
  })

  it('history --json / --csv / --state and report --date', async () => {
    const all = await json<Array<Record<string, unknown>>>(['history'])
    expect(all.length).toBeGreaterThanOrEqual(6)
    for (const h of all) {
      expect(Object.keys(h)).toEqual([...CLI_KEYS, 'createdAt', 'finalAt'])
      expect(h['createdAt']).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    }
    const waiting = await json<unknown[]>(['history', '--state', 'failed'])
    expect(waiting).toHaveLength(all.filter((h) => h['state'] === 'failed').length)
    const byPhone = await json<unknown[]>(['history', '--account', '+7 918 123-45-67'])
    expect(byPhone.length).toBeGreaterThanOrEqual(2)
    const csv = await cli(['history', '--csv'])
    expect(csv.code).toBe(0)
    const lines = csv.stdout.trim().split(/\r?\n/)
    expect(lines[0]).toBe(
      'created_at,transaction_number,terminal,service,account,amount,state,status,result_code,txn_id,final_at,comment'
    )
    expect(lines).toHaveLength(all.length + 1)
    const bad = await cli(['history', '--state', 'lost'])
    expect(bad.code).toBe(2)

    const today = new Date().toISOString().slice(0, 10)
    const rep = await json<{
      date: string
      totals: { count: number; byState: Record<string, { count: number }> }
      balanceMovement: unknown[]
      discrepancies: unknown[]
    }>(['report', '--date', today])
    expect(rep.date).toBe(today)
    expect(rep.totals.count).toBe(all.length)
    expect(rep.totals.byState['succeeded']?.count).toBe(all.filter((h) => h['state'] === 'succeeded').length)
    expect(rep.balanceMovement.length).toBeGreaterThan(0)
    const human = await cli(['report', '--date', today])
    expect(human.stdout).toMatch(/Report for/)
    expect((await cli(['report', '--date', '2026-13-45'])).code).toBe(2)
  })

  it('balance, check-user, check-deposit', async () => {
    const b = await json<{ terminal: string; balances: { currency: string; amount: string }[] }>([
      'balance',
      '--terminal',
      'Desk'
    ])
    expect(b.terminal).toBe('Desk')
    const rub = b.balances.find((x) => x.currency === '643')
    expect(rub?.amount).toMatch(/^\d+\.\d{2}$/)
    expect(rub?.amount).toBe(sandbox.admin.topup.getTerminal('10001')?.balances['643'])
    const u = await json<{ exist: boolean }>(['check-user', '--terminal', 'Desk', '79181234567'])
    expect(u.exist).toBe(true)
    const d = await json<{ kind: string }>([
      'check-deposit',
      '--terminal',
      'Desk',
      '--account',
      '79990000001',
      '--amount',
      '10.00'
    ])
    expect(d.kind).toBe('impossible')
  })

  it('poll --once --json reports a pass', async () => {
    const r = await json<{ pays: number; polls: number; queue: { active: number } }>(['poll', '--once'])
    expect(typeof r.pays).toBe('number')
    expect(r.queue.active).toBe(0)
  })

  it('--endpoint sandbox: the embedded emulator keeps its ledger under <dataDir>/sandbox between invocations', async () => {
    const dir = join(work, 'embedded')
    const add = await cli(
      [
        'terminal',
        'add',
        '--name',
        'Training',
        '--terminal-id',
        '10001',
        '--endpoint',
        'sandbox',
        '--password-stdin',
        '--min-poll-seconds',
        '1'
      ],
      { stdin: PASSWORD, dataDir: dir }
    )
    expect(add.code).toBe(0)
    const v = await json<Record<string, unknown>>(
      [
        'pay',
        '--terminal',
        'Training',
        '--service',
        'card',
        '--account',
        '4111111111111111',
        '--amount',
        '3.00'
      ],
      { dataDir: dir }
    )
    expect(v['state']).toBe('waiting')
    expect(v['status']).toBe('50')
    await new Promise((r) => setTimeout(r, 3_200))
    const s = await json<Record<string, unknown>>(['status', v['transactionNumber'] as string], {
      dataDir: dir
    })
    expect(s).toMatchObject({ state: 'succeeded', final: true, txnId: v['txnId'] })
    const state = JSON.parse(readFileSync(join(dir, 'sandbox', 'topup-state.json'), 'utf8')) as {
      payments: Record<string, { status: number }>
    }
    expect(state.payments[`10001:${v['transactionNumber'] as string}`]?.status).toBe(60)
  })

  it('terminal remove: refused while payouts exist (history is kept); a fresh terminal goes with its keychain entry', async () => {
    const keep = await cli(['terminal', 'remove', 'Desk'])
    expect(keep.code).toBe(1)
    expect(keep.stderr).toMatch(/payouts/)
    const add = await cli(
      [
        'terminal',
        'add',
        '--name',
        'Spare',
        '--terminal-id',
        '10005',
        '--endpoint',
        sandbox.topupOrigin,
        '--password-stdin'
      ],
      { stdin: 'demo-pass-10005\n' }
    )
    expect(add.code).toBe(0)
    const rm = await cli(['--json', 'terminal', 'remove', 'Spare'])
    expect(rm.code).toBe(0)
    expect(JSON.parse(rm.stdout)).toEqual({ removed: true, terminal: 'Spare' })
    expect((await json<Array<{ name: string }>>(['terminal', 'list'])).map((t) => t.name)).toEqual([
      'Certified',
      'Desk',
      'Signed'
    ])
    expect((await cli(['terminal', 'remove', 'Spare'])).code).toBe(3)
  })
})
