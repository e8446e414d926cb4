/**
 * The intent is committed before the first byte (RELIABILITY P3). A loopback proxy in
 * front of the sandbox opens the database READ-ONLY, with its own connection, on
 * every request it receives and checks: a pay names a committed payout that is
 * reserved as 'sending' with pay_sent = 1 and the same account and amount; a status
 * request names a committed payout whose pay may have left. Only then is the request
 * forwarded. With 30 % faults injected behind the proxy the engine re-sends and
 * polls a lot, and every one of those requests is checked too.
 */
import { createServer, request as httpRequest } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok } from '../../../shared/result'
import { listActivePayouts } from '../../../electron/core/db/repositories/payouts.repository'
import { HARNESS_FAULTS } from './harness/crash-harness'
import { cardFor } from './harness/plan'
import { crid, makeRig, ManualTime, runUntil } from './support'
import type { Rig } from './support'

const time = new ManualTime(Date.UTC(2026, 10, 22, 10, 0, 0))
let rig: Rig
let proxy: Server
let proxyOrigin = ''
const checked = { pay: 0, status: 0, other: 0 }
const violations: string[] = []

function tag(xml: string, name: string): string | null {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)
  return m ? (m[1] ?? null) : null
}

function verify(dbFile: string, body: string): void {
  const type = tag(body, 'request-type')
  const number = tag(body, 'transaction-number')
  if (type !== 'pay' || number === null) {
    checked.other += 1
    return
  }
  const isStatus = body.includes('<status>')
  const ro = new Database(dbFile, { readonly: true, fileMustExist: true })
  try {
    const row = ro
      .prepare('SELECT state, pay_sent, account, amount_kopecks FROM payouts WHERE transaction_number = ?')
      .get(number) as { state: string; pay_sent: number; account: string; amount_kopecks: number } | undefined
    if (!row) {
      violations.push(`${isStatus ? 'status' : 'pay'} ${number}: no committed row`)
      return
    }
    if (row.pay_sent !== 1) violations.push(`${number}: pay_sent is 0 while a request is on the wire`)
    if (isStatus) {
      checked.status += 1
      return
    }
    checked.pay += 1
    if (row.state !== 'sending') {
      violations.push(`pay ${number}: row is ${row.state}, not reserved as sending`)
    }
    const account = tag(body, 'account-number')
    const amount = tag(body, 'amount')
    if (account !== row.account) {
      violations.push(`pay ${number}: account ${account} ≠ committed ${row.account}`)
    }
    const kopecks = amount === null ? NaN : Math.round(Number(amount) * 100)
    if (kopecks !== row.amount_kopecks) {
      violations.push(`pay ${number}: amount ${amount} ≠ committed ${row.amount_kopecks}`)
    }
  } finally {
    ro.close()
  }
}

beforeAll(async () => {
  rig = await makeRig({
    clock: time,
    sandbox: { processingMs: 0, seed: 7 },
    resolver: () => () => ok({ origin: proxyOrigin, totalTimeoutMs: 700 })
  })
  const target = new URL(rig.sandbox.topupOrigin)
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      verify(rig.dbFile, body.toString('utf8'))
      const up = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: 'POST',
          headers: req.headers,
          agent: false
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers)
          r.pipe(res)
          r.on('error', () => res.destroy())
          r.on('aborted', () => res.destroy())
        }
      )
      up.on('error', () => res.socket?.resetAndDestroy())
      res.on('close', () => up.destroy())
      up.end(body)
    })
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()))
  proxyOrigin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
})

afterAll(async () => {
  proxy.closeAllConnections()
  await new Promise<void>((r) => proxy.close(() => r()))
  await rig.close()
})

describe('intent before the first byte (P3)', () => {
  it('every pay and status request on the wire has its committed row (with 30 % faults)', async () => {
    rig.sandbox.admin.topup.setRandomFaults(HARNESS_FAULTS)
    for (let i = 0; i < 80; i++) {
      await rig.engine.createPayout(
        {
          clientRequestId: crid('p3'),
          terminalRef: rig.terminal.id,
          service: 'card',
          account: cardFor(40_000 + i),
          amount: `${1 + (i % 5)}.00`
        },
        { awaitSend: i % 2 === 0 }
      )
    }
    await runUntil(rig.engine, () => listActivePayouts(rig.db).length === 0, {
      passes: 300,
      advance: () => time.advance(1_200)
    })
    rig.sandbox.admin.topup.clearFaults()
    process.stdout.write(
      `P3: checked ${checked.pay} pay and ${checked.status} status requests (${checked.other} other); violations ${violations.length}\n`
    )
    expect(violations).toEqual([])
    expect(checked.pay).toBeGreaterThanOrEqual(80)
    expect(checked.status).toBeGreaterThan(20)
    expect(listActivePayouts(rig.db)).toHaveLength(0)
  })
})
