/**
 * Crash-harness worker (docs/CRASH-HARNESS.md): a desk that enters N payouts in order
 * through the real engine against the sandbox and drives them until every one is
 * final. The harness SIGKILLs it at random moments and starts it again; each start
 * must pick up exactly where the database says it is.
 *
 * Bundled with esbuild by the harness (optionally with a mutation applied) and run
 * as a plain Node process. Configuration: the JSON file named by HARNESS_CONFIG_FILE.
 */
import { readFileSync } from 'node:fs'
import { closeDatabase, openDatabase } from '../../../../electron/core/db/connection'
import {
  getPayoutByClientRequestId,
  listActivePayouts
} from '../../../../electron/core/db/repositories/payouts.repository'
import { MemoryCredentialProvider } from '../../../../electron/core/engine/credentials'
import { createEndpointResolver } from '../../../../electron/core/engine/endpoint'
import { createPayoutEngine } from '../../../../electron/core/engine/engine'
import type { PayoutCreateInput } from '../../../../shared/payouts'
import type { HarnessIntent, WorkerConfig } from './plan'

function log(line: string): void {
  process.stdout.write(line + '\n')
}

async function main(): Promise<void> {
  // A harness that died (test timeout, Ctrl+C) must not leave its worker running.
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) process.exit(71)
  }, 500).unref()
  const file = process.env['HARNESS_CONFIG_FILE']
  if (!file) throw new Error('HARNESS_CONFIG_FILE is not set')
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as WorkerConfig
  const db = openDatabase(cfg.dbFile, { migrationsDir: cfg.migrationsDir })
  const creds = new MemoryCredentialProvider()
  creds.set(cfg.terminalRef, {
    auth: { mode: 'password', terminalId: cfg.terminalId, password: cfg.password }
  })
  const engine = createPayoutEngine({
    db,
    credentials: creds,
    resolveEndpoint: createEndpointResolver({ connectTimeoutMs: 1000, totalTimeoutMs: cfg.totalTimeoutMs }),
    config: {
      loopbackMinPollSeconds: 1,
      precheckRetrySeconds: 1,
      offlineRetrySeconds: 1,
      offlineRetryMaxSeconds: 2,
      leaseMarginMs: 300,
      balanceRefreshSeconds: 0,
      pollConcurrency: 8,
      tickMs: 100,
      language: 'en'
    }
  })
  log('ready')
  // Like the app: the poller runs while the cashier keeps entering payouts.
  const stop = engine.start()
  const intents: HarnessIntent[] = cfg.intents
  for (const it of intents) {
    if (getPayoutByClientRequestId(db, it.clientRequestId)) continue
    const input: PayoutCreateInput = {
      clientRequestId: it.clientRequestId,
      terminalRef: cfg.terminalRef,
      service: it.service,
      account: it.account,
      amount: it.amount,
      comment: it.clientRequestId,
      precheck: it.precheck
    }
    const v = await engine.createPayout(input)
    // The intent is committed (acknowledged to the cashier): the harness holds us to it.
    log(`ack ${it.clientRequestId}`)
    await engine.processPayout(v.id)
  }
  while (listActivePayouts(db).length > 0) await new Promise((r) => setTimeout(r, 100))
  await stop()
  closeDatabase(db)
  log('done')
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`worker failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(70)
  }
)
