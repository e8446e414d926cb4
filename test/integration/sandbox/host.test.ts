/** The sandbox host: origins, personal mount, persistence across restarts, admin HTTP API guards, the CLI command. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSecureContext } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterAll, describe, expect, it } from 'vitest'
import { registerSandboxCommand } from '../../../electron/cli/commands/sandbox'
import type { CliContext } from '../../../electron/cli/context'
import { ManualClock } from '../../../electron/core/sandbox/clock'
import { startSandbox } from '../../../electron/core/sandbox/sandbox'
import { handleAdminRequest } from '../../../electron/core/sandbox/topup/admin-http'
import { get, okBody, parseReply, post, text } from './helpers'

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'qiwi-sandbox-test-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function payXml(terminalId: string, password: string, num: string): string {
  return (
    `<request><request-type>pay</request-type><terminal-id>${terminalId}</terminal-id><extra name="password">${password}</extra>` +
    `<extra name="income_wire_transfer">1</extra><auth><payment><transaction-number>${num}</transaction-number>` +
    '<from><ccy>RUB</ccy></from><to><amount>12.34</amount><ccy>RUB</ccy><service-id>99</service-id>' +
    '<account-number>79181234567</account-number></to></payment></auth></request>'
  )
}

describe('sandbox host', () => {
  it('mounts the personal emulator with working demo credentials', async () => {
    const sb = await startSandbox({ tls: false })
    try {
      expect(sb.personalOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const p = sb.demo.personal
      expect(p).not.toBeNull()
      if (!p || !sb.personalOrigin) return
      const ok = await fetch(`${sb.personalOrigin}/funding-sources/v2/persons/${p.walletNumber}/accounts`, {
        headers: { Authorization: `Bearer ${p.apiToken}`, Accept: 'application/json' }
      })
      expect(ok.status).toBe(200)
      const bad = await fetch(`${sb.personalOrigin}/funding-sources/v2/persons/${p.walletNumber}/accounts`, {
        headers: { Authorization: 'Bearer wrong-token', Accept: 'application/json' }
      })
      expect(bad.status).toBe(401)
      expect(sb.admin.personal).not.toBeNull()
    } finally {
      await sb.close()
    }
  })

  it('persists ledger, clock offset and PKI across a restart with dataDir (atomic JSON files)', async () => {
    const dataDir = tempDir()
    const clock = new ManualClock(Date.UTC(2024, 5, 1, 12, 0, 0))
    const a = await startSandbox({ dataDir, clock, personal: false, processingMs: 600_000 })
    const { terminalId, password } = a.demo.topup.password
    const reply = parseReply(
      okBody(await post(a.topupOrigin, '/xml/topup.jsp', payXml(terminalId, password, '777')))
    )
    const txnId = get(reply, 'response', 'payment', 0, '@_txn_id')
    a.admin.topup.upsertTerminal({ id: '4242', password: 'persisted', balances: { RUB: '1.23' } })
    a.admin.topup.advanceClock(60_000)
    const pinBefore = a.demo.topup.certificate.serverSpkiPin
    const certBefore = a.demo.topup.certificate.certPem
    await a.close()

    expect(readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    const stateFile = JSON.parse(readFileSync(join(dataDir, 'topup-state.json'), 'utf8')) as {
      payments: Record<string, unknown>
    }
    expect(Object.keys(stateFile.payments)).toEqual([`${terminalId}:777`])

    const b = await startSandbox({ dataDir, clock, personal: false, processingMs: 600_000 })
    try {
      expect(b.demo.topup.certificate.serverSpkiPin).toBe(pinBefore)
      expect(b.demo.topup.certificate.certPem).toBe(certBefore)
      const p = b.admin.topup.getPayment(terminalId, '777')
      expect(p).toMatchObject({ txnId, amount: '12.34', status: 50, final: false })
      expect(b.admin.topup.getTerminal('4242')?.balances['643']).toBe('1.23')
      expect(b.admin.topup.now()).toBe(clock.now() + 60_000)
      clock.advance(600_000)
      const again = parseReply(
        okBody(await post(b.topupOrigin, '/xml/topup.jsp', payXml(terminalId, password, '777')))
      )
      expect(get(again, 'response', 'payment', 0)).toMatchObject({ '@_txn_id': txnId, '@_status': '60' })
      expect(b.admin.topup.getPayment(terminalId, '777')).toMatchObject({ payRequests: 2, registrations: 1 })
      // the exported client certificate still authenticates after the restart
      const c = b.demo.topup.certificate
      const ping = `<request><request-type>ping</request-type><terminal-id>${c.terminalId}</terminal-id></request>`
      const r = await post(b.topupTlsOrigin as string, '/xml/topup.jsp', ping, {
        tls: { ca: readFileSync(c.caPath), pfx: readFileSync(c.pfxPath), passphrase: c.pfxPassphrase }
      })
      expect(text(get(parseReply(okBody(r)), 'response', 'result-code'))).toBe('0')
    } finally {
      await b.close()
    }
    const c = await startSandbox({ dataDir, personal: false, tls: false })
    try {
      c.admin.topup.reset()
      expect(c.admin.topup.getPayment(terminalId, '777')).toBeUndefined()
    } finally {
      await c.close()
    }
  })

  it('refuses to start on a corrupt state file with a clear error', async () => {
    const dataDir = tempDir()
    const a = await startSandbox({ dataDir, personal: false, tls: false })
    await a.close()
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(dataDir, 'topup-state.json'), '{"version":1,"terminals":')
    await expect(startSandbox({ dataDir, personal: false, tls: false })).rejects.toThrow()
    writeFileSync(join(dataDir, 'topup-state.json'), '{"version":2}')
    await expect(startSandbox({ dataDir, personal: false, tls: false })).rejects.toThrow(/invalid/)
  })
})

describe('admin HTTP API guards and routes', () => {
  it('requires the bearer token when configured', async () => {
    const sb = await startSandbox({ tls: false, personal: false, adminToken: 'tok-123' })
    try {
      expect((await fetch(`${sb.topupOrigin}/__admin/state`)).status).toBe(401)
      expect(
        (await fetch(`${sb.topupOrigin}/__admin/state`, { headers: { Authorization: 'Bearer nope' } })).status
      ).toBe(401)
      const ok = await fetch(`${sb.topupOrigin}/__admin/state`, {
        headers: { Authorization: 'Bearer tok-123' }
      })
      expect(ok.status).toBe(200)
      const state = (await ok.json()) as { terminals: Array<{ id: string; hasPassword: boolean }> }
      expect(state.terminals.map((t) => t.id)).toContain('10001')
      expect(JSON.stringify(state)).not.toContain('demo-pass-10001')
    } finally {
      await sb.close()
    }
  })

  it('refuses non-loopback peers (403)', async () => {
    const sb = await startSandbox({ tls: false, personal: false })
    // A real HTTP exchange whose peer address is presented as remote: the only way to
    // exercise the guard without sending traffic off the loopback interface.
    const srv: Server = createServer((req, res) => {
      Object.defineProperty(req.socket, 'remoteAddress', { value: '203.0.113.7', configurable: true })
      handleAdminRequest(req, res, sb.admin.topup, {})
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    try {
      const port = (srv.address() as AddressInfo).port
      const r = await fetch(`http://127.0.0.1:${port}/__admin/state`)
      expect(r.status).toBe(403)
      expect((await fetch(`${sb.topupOrigin}/__admin/health`)).status).toBe(200)
    } finally {
      await new Promise<void>((r) => srv.close(() => r()))
      await sb.close()
    }
  })

  it('validates inputs and reports unknown routes and methods', async () => {
    const sb = await startSandbox({ tls: false, personal: false })
    const call = async (method: string, path: string, body?: string) =>
      (await fetch(`${sb.topupOrigin}/__admin/${path}`, { method, ...(body !== undefined ? { body } : {}) }))
        .status
    try {
      expect(
        await call('PUT', 'terminals/55', JSON.stringify({ password: 'x', balances: { RUB: '1.5.0' } }))
      ).toBe(400)
      expect(await call('PUT', 'terminals/55', '{not json')).toBe(400)
      expect(await call('PUT', 'terminals/55', JSON.stringify({ auth: 'signature' }))).toBe(400)
      expect(
        await call('PUT', 'terminals/55', JSON.stringify({ password: 'x', balances: { RUB: '15.00' } }))
      ).toBe(200)
      expect(await call('PUT', 'wallets/79001112233', JSON.stringify({ identification: 'anonymous' }))).toBe(
        200
      )
      expect(await call('PUT', 'wallets/123', JSON.stringify({}))).toBe(400)
      expect(await call('POST', 'faults', JSON.stringify([{ fault: { kind: 'nope' } }]))).toBe(400)
      expect(
        await call(
          'POST',
          'faults',
          JSON.stringify([{ match: { request: 'ping' }, fault: { kind: 'http-status', status: 502 } }])
        )
      ).toBe(200)
      expect(
        await call(
          'PUT',
          'rules',
          JSON.stringify([{ match: {}, outcome: { phase: 'decline', resultCode: 242 } }])
        )
      ).toBe(200)
      expect(await call('GET', 'payments/10001/1')).toBe(404)
      expect(await call('POST', 'payments/10001/1/finalize', '{}')).toBe(404)
      expect(await call('GET', 'nothing-here')).toBe(404)
      expect(await call('DELETE', 'state')).toBe(405)
      expect(await call('PUT', 'limits', JSON.stringify({ service: '99', max: '10.00' }))).toBe(200)
      expect(await call('PUT', 'style', JSON.stringify({ messages: false }))).toBe(200)
      expect(await call('PUT', 'processing', JSON.stringify({ ms: -1 }))).toBe(400)
      const ping = await post(
        sb.topupOrigin,
        '/xml/topup.jsp',
        '<request><request-type>ping</request-type><terminal-id>55</terminal-id><extra name="password">x</extra></request>'
      )
      expect(ping.kind === 'response' && ping.status).toBe(502)
      const log = (await (await fetch(`${sb.topupOrigin}/__admin/requests`)).json()) as Array<{
        request: string
        fault: string
      }>
      expect(log.at(-1)).toMatchObject({ request: 'ping', fault: 'http-status' })
      const cert = (await (
        await fetch(`${sb.topupOrigin}/__admin/terminals/55/client-cert`, {
          method: 'POST',
          body: '{"passphrase":"pp"}'
        })
      ).json()) as {
        pfx: string
        fingerprint256: string
      }
      expect(typeof cert.pfx).toBe('string')
      expect(createSecureContext({ pfx: Buffer.from(cert.pfx, 'base64'), passphrase: 'pp' })).toBeDefined()
      expect(
        (await (await fetch(`${sb.topupOrigin}/__admin/terminals/55`)).json()) as { auth: string }
      ).toMatchObject({
        auth: 'certificate',
        clientCertFingerprint256: cert.fingerprint256
      })
      expect(await call('POST', 'reset')).toBe(200)
      expect(await call('GET', 'terminals/55')).toBe(404)
    } finally {
      await sb.close()
    }
  })
})

describe('CLI: qiwi-desk sandbox', () => {
  it('prints one JSON object on the first stdout line and runs until SIGINT', async () => {
    const dataDir = tempDir()
    const out: string[] = []
    const errs: string[] = []
    let exit: number | undefined
    const ctx: CliContext = {
      dataDir: () => dataDir,
      json: () => true,
      out: (t) => out.push(t),
      err: (t) => errs.push(t),
      readStdin: async () => '',
      setExit: (c) => {
        exit = c
      }
    }
    const program = new Command().exitOverride().option('--json')
    registerSandboxCommand(program, ctx)
    const running = program.parseAsync(
      [
        'sandbox',
        '--port',
        '0',
        '--tls',
        '--tls-port',
        '0',
        '--personal-port',
        '0',
        '--data',
        dataDir,
        '--processing-ms',
        '0',
        '--json'
      ],
      { from: 'user' }
    )
    const started = Date.now()
    while (out.length === 0 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20))
    expect(out).toHaveLength(1)
    const first = out[0] ?? ''
    expect(first.includes('\n')).toBe(false)
    const summary = JSON.parse(first) as {
      topupOrigin: string
      topupTlsOrigin: string
      demo: {
        topup: { password: { terminalId: string; password: string }; certificate: { pfxPath: string } }
      }
    }
    expect(summary.topupTlsOrigin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(existsSync(summary.demo.topup.certificate.pfxPath)).toBe(true)
    const { terminalId, password } = summary.demo.topup.password
    const r = await post(summary.topupOrigin, '/xml/topup.jsp', payXml(terminalId, password, '1'))
    expect(get(parseReply(okBody(r)), 'response', 'payment', 0, '@_status')).toBe('60')
    process.emit('SIGINT')
    await running
    expect(exit).toBe(0)
    const after = await post(summary.topupOrigin, '/xml/topup.jsp', payXml(terminalId, password, '2'))
    expect(after.kind === 'error' && after.code).toBe('ECONNREFUSED')
    expect(existsSync(join(dataDir, 'topup-state.json'))).toBe(true)
    expect(errs).toEqual([])
  })

  it('rejects a bad port with a configuration exit code', async () => {
    let exit: number | undefined
    const errs: string[] = []
    const ctx: CliContext = {
      dataDir: () => tmpdir(),
      json: () => false,
      out: () => undefined,
      err: (t) => errs.push(t),
      readStdin: async () => '',
      setExit: (c) => {
        exit = c
      }
    }
    const program = new Command().exitOverride()
    registerSandboxCommand(program, ctx)
    await program.parseAsync(['sandbox', '--port', '99999'], { from: 'user' })
    expect(exit).toBe(3)
    expect(errs.join('\n')).toMatch(/--port/)
  })
})
