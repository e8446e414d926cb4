/**
 * `qiwi-desk wallet …` run in-process (the same command module main.ts registers) with
 * a session secret store shared across invocations (one "keychain" for the test), a
 * real SQLite file per test and either the emulator on loopback (virtual clock) or the
 * embedded sandbox started by the command itself (`--api sandbox`).
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Command, CommanderError } from 'commander'
import Papa from 'papaparse'
import { afterEach, describe, expect, it } from 'vitest'
import { registerWalletCommand } from '../../../electron/cli/commands/wallet'
import type { WalletCliDeps } from '../../../electron/cli/commands/wallet'
import { EXIT } from '../../../electron/cli/context'
import type { CliContext } from '../../../electron/cli/context'
import { DB_FILE } from '../../../electron/core/app/app-core'
import { startSandbox } from '../../../electron/core/sandbox/sandbox'
import { MemorySecretStore } from '../../../electron/core/secrets/memory-secret-store'
import { createRng } from '../../../electron/core/sandbox/rng'
import { DEFAULT_RESEND_AFTER_MS } from '../../../electron/core/wallet/wallet-service'
import { RECIPIENT, VirtualClock, WALLET, startEmu, tempDir } from './support'
import type { Emu } from './support'

interface Run {
  code: number
  out: string
  err: string
}

function makeCli(dataDir: string, deps: WalletCliDeps): (argv: string[], stdin?: string) => Promise<Run> {
  return async (argv, stdin = '') => {
    let code = 0
    const out: string[] = []
    const err: string[] = []
    const program = new Command()
    const ctx: CliContext = {
      dataDir: () => dataDir,
      json: () => Boolean(program.opts<{ json?: boolean }>().json),
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      readStdin: () => Promise.resolve(stdin),
      setExit: (c) => {
        code = c
      }
    }
    program
      .option('--data-dir <dir>')
      .option('--json')
      .exitOverride()
      .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) })
    registerWalletCommand(program, ctx, deps)
    try {
      await program.parseAsync(argv, { from: 'user' })
    } catch (e) {
      if (!(e instanceof CommanderError)) throw e
      code = EXIT.badInput
    }
    return { code, out: out.join('\n'), err: err.join('\n') }
  }
}

function count(dataDir: string, sql: string): number {
  const db = new Database(join(dataDir, DB_FILE), { readonly: true })
  try {
    return (db.prepare(sql).get() as { n: number }).n
  } finally {
    db.close()
  }
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function emulatorCli(): Promise<{
  h: Emu
  clock: VirtualClock
  dir: string
  run: ReturnType<typeof makeCli>
  token: string
}> {
  const clock = new VirtualClock()
  const h = await startEmu(clock)
  cleanups.push(() => h.stop())
  const tmp = tempDir('qiwi-wallet-cli-')
  cleanups.push(tmp.cleanup)
  h.emu.admin.createWallet({
    wallet: WALLET,
    balances: { RUB: 5_000_00, USD: 10_00 },
    casPassword: 'cas-pass'
  })
  h.emu.admin.createWallet({ wallet: RECIPIENT })
  h.emu.admin.generateHistory(WALLET, {
    count: 300,
    seed: 8,
    endMs: clock.now() - 60_000,
    spanDays: 60,
    conversionShare: 0.1
  })
  const rng = createRng(3)
  const store = new MemorySecretStore()
  const run = makeCli(tmp.dir, {
    openSecrets: () => Promise.resolve({ store, status: 'session' }),
    service: { now: clock.now, sleep: clock.sleep, random: () => rng.next() }
  })
  return { h, clock, dir: tmp.dir, run, token: h.emu.admin.createToken({ wallet: WALLET }) }
}

describe('qiwi-desk wallet (emulator on loopback)', () => {
  it('add, list, balance, sync, history (json, csv, offline), totals, transfer, transfers, remove', async () => {
    const { h, clock, dir, run, token } = await emulatorCli()
    const add = await run(
      ['--json', 'wallet', 'add', '--name', 'Main', '--api', h.url, '--token-stdin'],
      `${token}\n`
    )
    expect(add.code).toBe(0)
    const view = JSON.parse(add.out) as Record<string, unknown>
    expect(view).toMatchObject({
      name: 'Main',
      wallet: WALLET,
      authKind: 'token',
      permissions: { profile: 'granted', balance: 'granted', history: 'granted', payments: 'granted' },
      tokenExpiresSoon: false
    })
    expect(add.out).not.toContain(token)

    const list = await run(['--json', 'wallet', 'list'])
    expect((JSON.parse(list.out) as { name: string }[]).map((w) => w.name)).toEqual(['Main'])
    const human = await run(['wallet', 'list'])
    expect(human.out).toMatch(/Main: wallet 79161112233/)

    const bal = await run(['--json', 'wallet', 'balance', 'Main'])
    expect(bal.code).toBe(0)
    const accounts = JSON.parse(bal.out) as { currency: string; balance: string | null; isDefault: boolean }[]
    expect(accounts.find((a) => a.isDefault)).toMatchObject({ currency: '643', balance: '5000.00' })
    expect(accounts.find((a) => a.currency === '840')?.balance).toBe('10.00')

    const sync = await run(['--json', 'wallet', 'sync', 'Main'])
    expect(JSON.parse(sync.out)).toMatchObject({ added: 300, total: 300 })

    const hist = await run([
      '--json',
      'wallet',
      'history',
      'Main',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-31'
    ])
    expect(hist.code).toBe(0)
    const items = JSON.parse(hist.out) as Record<string, unknown>[]
    const want = h.emu.admin
      .history(WALLET)
      .filter(
        (i) =>
          i.dateMs >= Date.UTC(2024, 4, 1) - 3 * 3_600_000 && i.dateMs < Date.UTC(2024, 5, 1) - 3 * 3_600_000
      )
    expect(items.length).toBe(want.length)
    expect(Object.keys(items[0] ?? {})).toEqual([
      'txnId',
      'type',
      'status',
      'date',
      'account',
      'sum',
      'commission',
      'total',
      'currency',
      'provider',
      'comment',
      'trmTxnId',
      'errorCode',
      'error'
    ])
    for (const it of items) {
      expect(it['sum']).toMatch(/^\d+\.\d{2}$/)
      expect(it['total']).toMatch(/^\d+\.\d{2}$/)
      expect(typeof it['txnId']).toBe('string')
    }
    const outOnly = JSON.parse(
      (await run(['--json', 'wallet', 'history', 'Main', '--from', '2024-05-01', '--operation', 'out'])).out
    ) as {
      type: string
    }[]
    expect(outOnly.length).toBeGreaterThan(0)
    expect(outOnly.every((i) => i.type === 'OUT')).toBe(true)
    // Server-side sources filter (online only).
    const src = await run([
      '--json',
      'wallet',
      'history',
      'Main',
      '--from',
      '2024-04-20',
      '--source',
      'QW_USD'
    ])
    expect(src.code).toBe(0)
    const usd = JSON.parse(src.out) as { currency: string }[]
    expect(usd.length).toBeGreaterThan(0)
    expect(usd.every((i) => i.currency === '840')).toBe(true)

    const csv = await run([
      'wallet',
      'history',
      'Main',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-31',
      '--csv'
    ])
    const parsed = Papa.parse<Record<string, string>>(csv.out, { header: true, skipEmptyLines: true })
    expect(parsed.data.length).toBe(want.length)
    expect(parsed.meta.fields?.slice(0, 6)).toEqual(['txnId', 'type', 'status', 'date', 'account', 'sum'])

    const totals = await run([
      '--json',
      'wallet',
      'totals',
      'Main',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-31'
    ])
    const rows = JSON.parse(totals.out) as {
      month: string
      currency: string
      incoming: string
      outgoing: string
    }[]
    expect(rows.every((x) => x.month === '2024-05')).toBe(true)
    const rubIn = want
      .filter((i) => i.status === 'SUCCESS' && i.type === 'IN' && i.currency === '643')
      .reduce((a, i) => a + BigInt(i.sumKopecks), 0n)
    expect(rows.find((x) => x.currency === '643')?.incoming).toBe(
      `${rubIn / 100n}.${(rubIn % 100n).toString().padStart(2, '0')}`
    )

    const tr = await run([
      '--json',
      'wallet',
      'transfer',
      'Main',
      '--to',
      '+7 (926) 222-33-44',
      '--amount',
      '12.34',
      '--comment',
      'тест'
    ])
    expect(tr.code).toBe(0)
    const t = JSON.parse(tr.out) as Record<string, unknown>
    expect(Object.keys(t)).toEqual(['id', 'state', 'txnId', 'error'])
    expect(t).toMatchObject({ id: String(clock.now()), state: 'accepted', error: null })
    expect(h.emu.admin.transfers({ clientId: String(t['id']) })).toHaveLength(1)
    expect(h.emu.admin.transfers()[0]?.txnId).toBe(t['txnId'])
    const trs = JSON.parse((await run(['--json', 'wallet', 'transfers', 'Main'])).out) as {
      id: string
      state: string
    }[]
    expect(trs).toEqual([
      expect.objectContaining({ id: t['id'], state: 'accepted', amount: '12.34', to: RECIPIENT })
    ])

    // The transfer reaches the cache with the next sync.
    clock.advance(60_000)
    expect(JSON.parse((await run(['--json', 'wallet', 'sync', 'Main'])).out)).toMatchObject({
      added: 1,
      total: 301
    })
    // Offline: the API is gone, the cache still answers (filters and search too).
    await h.stop()
    const off = await run([
      '--json',
      'wallet',
      'history',
      'Main',
      '--offline',
      '--operation',
      'IN',
      '--status',
      'SUCCESS'
    ])
    expect(off.code).toBe(0)
    const offItems = JSON.parse(off.out) as { type: string; status: string }[]
    expect(offItems.length).toBe(
      h.emu.admin.history(WALLET).filter((i) => i.type === 'IN' && i.status === 'SUCCESS').length
    )
    const search = JSON.parse(
      (await run(['--json', 'wallet', 'history', 'Main', '--offline', '--search', String(t['id'])])).out
    ) as {
      trmTxnId: string
    }[]
    expect(search.map((x) => x.trmTxnId)).toEqual([t['id']])
    const online = await run(['wallet', 'balance', 'Main'])
    expect(online.code).toBe(EXIT.other)
    expect(online.err).toMatch(/network-failure/)

    const rm = await run(['--json', 'wallet', 'remove', 'Main'])
    expect(JSON.parse(rm.out)).toEqual({ removed: true, name: 'Main' })
    expect(count(dir, 'SELECT count(*) AS n FROM wallets')).toBe(0)
    expect(count(dir, 'SELECT count(*) AS n FROM wallet_history')).toBe(0)
  })

  it('bad input exits 2, configuration/credential problems exit 3, and nothing is recorded or sent', async () => {
    const { h, dir, run, token } = await emulatorCli()
    // add: no secret source / both / bad api / bad token.
    expect((await run(['wallet', 'add', '--name', 'A', '--api', h.url])).code).toBe(EXIT.badInput)
    expect(
      (
        await run(
          ['wallet', 'add', '--name', 'A', '--api', h.url, '--token-stdin', '--cas-login', WALLET],
          token
        )
      ).code
    ).toBe(EXIT.badInput)
    expect((await run(['wallet', 'add', '--name', 'A', '--api', h.url, '--token-stdin'], '')).code).toBe(
      EXIT.badInput
    )
    expect(
      (await run(['wallet', 'add', '--name', 'A', '--api', 'ftp://x', '--token-stdin'], token)).code
    ).toBe(EXIT.badInput)
    expect(
      (await run(['wallet', 'add', '--name', 'A', '--api', 'http://example.com', '--token-stdin'], token))
        .code
    ).toBe(EXIT.config)
    const bad = await run(
      ['--json', 'wallet', 'add', '--name', 'A', '--api', h.url, '--token-stdin'],
      'wrong-token-123'
    )
    expect(bad.code).toBe(EXIT.config)
    expect(JSON.parse(bad.err)).toMatchObject({ error: { code: 'unauthorized' } })
    expect(bad.out).toBe('')
    expect(count(dir, 'SELECT count(*) AS n FROM wallets')).toBe(0)
    expect((await run(['wallet', 'add', '--api', h.url, '--token-stdin'], token)).code).toBe(EXIT.badInput) // --name missing

    expect(
      (await run(['wallet', 'add', '--name', 'Main', '--api', h.url, '--token-stdin'], token)).code
    ).toBe(0)
    expect(
      (await run(['wallet', 'add', '--name', 'Main', '--api', h.url, '--token-stdin'], token)).code
    ).toBe(EXIT.badInput)

    const payments = () => h.emu.admin.requestLog({ route: 'payment' }).length
    for (const [args, code] of [
      [['--to', RECIPIENT, '--amount', '12.345'], EXIT.badInput],
      [['--to', RECIPIENT, '--amount', 'ten'], EXIT.badInput],
      [['--to', RECIPIENT, '--amount', '0'], EXIT.badInput],
      [['--to', '12345', '--amount', '10'], EXIT.badInput],
      [['--to', 'phone', '--amount', '10'], EXIT.badInput],
      [['--to', RECIPIENT], EXIT.badInput]
    ] as [string[], number][]) {
      const res = await run(['wallet', 'transfer', 'Main', ...args])
      expect(res.code, args.join(' ')).toBe(code)
    }
    const unknown = await run(['--json', 'wallet', 'transfer', 'Nope', '--to', RECIPIENT, '--amount', '10'])
    expect(unknown.code).toBe(EXIT.config)
    expect(JSON.parse(unknown.err)).toMatchObject({ error: { code: 'unknown-wallet' } })
    expect(count(dir, 'SELECT count(*) AS n FROM wallet_transfers')).toBe(0)
    expect(payments()).toBe(0)

    expect((await run(['wallet', 'balance', 'Nope'])).code).toBe(EXIT.config)
    expect((await run(['wallet', 'totals', 'Nope', '--from', '2024-01-01', '--to', '2024-01-31'])).code).toBe(
      EXIT.config
    )
    expect((await run(['wallet', 'history', 'Main', '--from', '2024-13-01'])).code).toBe(EXIT.badInput)
    expect((await run(['wallet', 'history', 'Main', '--from', 'yesterday'])).code).toBe(EXIT.badInput)
    expect(
      (await run(['wallet', 'history', 'Main', '--from', '2024-05-02', '--to', '2024-05-01'])).code
    ).toBe(EXIT.badInput)
    expect((await run(['wallet', 'history', 'Main', '--operation', 'SIDEWAYS'])).code).toBe(EXIT.badInput)
    expect((await run(['wallet', 'history', 'Main', '--source', 'BANK'])).code).toBe(EXIT.badInput)
    expect((await run(['wallet', 'history', 'Main', '--offline', '--source', 'QW_RUB'])).code).toBe(
      EXIT.badInput
    )
    expect((await run(['wallet', 'totals', 'Main', '--from', '2024-01-01'])).code).toBe(EXIT.badInput)
    expect((await run(['wallet', 'remove', 'Nope'])).code).toBe(EXIT.config)
  })

  it('a transfer whose outcome is unknown prints waiting (exit 0); `reconcile` settles it later with the same id', async () => {
    const { h, clock, run, token } = await emulatorCli()
    await run(['wallet', 'add', '--name', 'Main', '--api', h.url, '--token-stdin'], token)
    h.emu.admin.injectFault({ match: 'payment', kind: 'reset-before-processing' })
    const tr = await run(['--json', 'wallet', 'transfer', 'Main', '--to', RECIPIENT, '--amount', '3'])
    expect(tr.code).toBe(0)
    const t = JSON.parse(tr.out) as {
      id: string
      state: string
      txnId: string | null
      error: { code: string; message: string } | null
    }
    expect(t.state).toBe('waiting')
    expect(t.txnId).toBeNull()
    expect(t.error?.code).toBe('network-failure')
    expect(h.emu.admin.transfers()).toHaveLength(0)
    const early = JSON.parse((await run(['--json', 'wallet', 'reconcile', 'Main'])).out) as {
      id: string
      state: string
    }[]
    expect(early.map((x) => [x.id, x.state])).toEqual([[t.id, 'waiting']])
    clock.advance(DEFAULT_RESEND_AFTER_MS)
    const late = JSON.parse((await run(['--json', 'wallet', 'reconcile', 'Main'])).out) as {
      id: string
      state: string
    }[]
    expect(late[0]).toMatchObject({ id: t.id, state: 'accepted' })
    expect(h.emu.admin.transfers()).toHaveLength(1)
    expect(h.emu.admin.transfers()[0]?.clientId).toBe(t.id)
    // A refused transfer: exit code from the error, state failed.
    const poor = await run(['--json', 'wallet', 'transfer', 'Main', '--to', RECIPIENT, '--amount', '100000'])
    expect(JSON.parse(poor.out)).toMatchObject({ state: 'failed', error: { code: 'qiwi-error' } })
    expect(poor.code).toBe(EXIT.other)
  })

  it('CAS login from stdin; a wrong password exits 3 and stores nothing', async () => {
    const { h, dir, run } = await emulatorCli()
    const bad = await run(
      ['wallet', 'add', '--name', 'C', '--api', h.url, '--cas-login', `+${WALLET}`, '--password-stdin'],
      'nope\n'
    )
    expect(bad.code).toBe(EXIT.config)
    expect(count(dir, 'SELECT count(*) AS n FROM wallets')).toBe(0)
    expect(
      (await run(['wallet', 'add', '--name', 'C', '--api', h.url, '--cas-login', WALLET], 'x')).code
    ).toBe(EXIT.badInput)
    const ok = await run(
      [
        '--json',
        'wallet',
        'add',
        '--name',
        'C',
        '--api',
        h.url,
        '--cas-login',
        `+${WALLET}`,
        '--password-stdin',
        '--cas-header',
        'st-base64',
        '--cas-service',
        'https://qiwi.com/j_cas_security_check'
      ],
      'cas-pass\n'
    )
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({
      authKind: 'cas',
      wallet: WALLET,
      permissions: { history: 'granted' }
    })
    const sync = await run(['--json', 'wallet', 'sync', 'C'])
    expect(JSON.parse(sync.out)).toMatchObject({ total: 300 })
  })
})

describe('qiwi-desk wallet --api sandbox (the embedded emulator, started by the command)', () => {
  it('adds the demo wallet, shows balances, syncs and transfers; state persists under <dataDir>/sandbox', async () => {
    const tmp = tempDir('qiwi-wallet-cli-sb-')
    cleanups.push(tmp.cleanup)
    // The demo credentials are seeded and persisted: read them the way a user would (qiwi-desk sandbox).
    const sb = await startSandbox({ dataDir: join(tmp.dir, 'sandbox'), tls: false })
    const demo = sb.demo.personal
    await sb.close()
    expect(demo).not.toBeNull()
    if (!demo) return
    const store = new MemorySecretStore()
    const run = makeCli(tmp.dir, { openSecrets: () => Promise.resolve({ store, status: 'session' }) })
    const add = await run(
      ['--json', 'wallet', 'add', '--name', 'Demo', '--api', 'sandbox', '--token-stdin'],
      demo.apiToken
    )
    expect(add.code, add.err).toBe(0)
    expect(JSON.parse(add.out)).toMatchObject({ api: 'sandbox', wallet: demo.walletNumber })
    const bal = JSON.parse((await run(['--json', 'wallet', 'balance', 'Demo'])).out) as {
      currency: string
      balance: string | null
    }[]
    expect(bal.find((a) => a.currency === '643')?.balance).toBe('125000.00')
    // The USD account's balance comes only on the documented re-query.
    expect(bal.find((a) => a.currency === '840')?.balance).toBe('1234.56')
    const sync = JSON.parse((await run(['--json', 'wallet', 'sync', 'Demo'])).out) as { added: number }
    expect(sync.added).toBeGreaterThan(100)
    const tr = JSON.parse(
      (await run(['--json', 'wallet', 'transfer', 'Demo', '--to', demo.recipientWallet, '--amount', '1.50']))
        .out
    ) as {
      state: string
    }
    expect(tr.state).toBe('accepted')
    const bal2 = JSON.parse((await run(['--json', 'wallet', 'balance', 'Demo'])).out) as {
      currency: string
      balance: string | null
    }[]
    // 1.50 + 1 % fee rounded up (0.02).
    expect(bal2.find((a) => a.currency === '643')?.balance).toBe('124998.48')
  })
})
