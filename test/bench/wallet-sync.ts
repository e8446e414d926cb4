/**
 * Wallet history sync: 10,000 items (200 pages of 50) from the sandbox's personal-API
 * emulator into SQLite through the wallet service's own sync (WalletService.sync:
 * PersonalClient.history cursor walk + its history limiter + upsertHistory batches).
 *
 * The documented limit is 100 history requests per minute (spec §4.1; excess blocks the
 * wallet for 5 minutes). 200 pages cannot fit into 5 s under it, so the 5 s goal is
 * measured with the emulator's limit raised for the bench (createPersonalEmulator's
 * rateLimitPerMinute through startSandbox) and the client paced to that same limit; the
 * documented limit is then run in virtual time (same code, injected clock and sleep) to
 * show the floor it imposes and that the client never trips it.
 */
import { join } from 'node:path'
import { closeDatabase, openDatabase } from '../../electron/core/db/connection'
import { nullLogger } from '../../electron/core/log/logger'
import { startSandbox } from '../../electron/core/sandbox/sandbox'
import type { Sandbox } from '../../electron/core/sandbox/sandbox'
import { CredentialVault } from '../../electron/core/secrets/credential-vault'
import { MemorySecretStore } from '../../electron/core/secrets/memory-secret-store'
import { WalletService } from '../../electron/core/wallet/wallet-service'
import type { BenchOptions, BenchResult } from './util'
import { check, fmt, instrumentWrites, median, metric, MIGRATIONS_DIR, spread, tempDir } from './util'

const HISTORY_ROUTES = ['history', 'history-v1', 'totals', 'totals-v1', 'transaction'] as const
const DOCUMENTED_LIMIT = 100

/** Wall clock plus the time the client chose to sleep: a sync's duration as a user would wait it. */
class VirtualTime {
  offset = 0
  now = (): number => Date.now() + this.offset
  sleep = async (ms: number): Promise<void> => {
    this.offset += Math.max(0, ms)
  }
}

interface SyncRun {
  /** The sync failed (e.g. 423 request.blocked): its message. */
  error: string | null
  /** Wall time of WalletService.sync (virtual time when a VirtualTime is given). */
  ms: number
  /** Wall time actually spent (CPU + I/O), excluding virtual sleeps. */
  realMs: number
  added: number
  total: number
  /** Wall time inside SQLite write transactions (upsert batches, watermarks). */
  writeMs: number
  /** Process CPU time during the sync (client, emulator and SQLite: all in this process). */
  cpuMs: number
  /** History requests addWithToken made before the sync. */
  probeRequests: number
  historyRequests: number
  blocked: number
  maxPerMinute: number
}

/** Most timestamps inside any window of `ms` (sliding). */
function maxInWindow(times: readonly number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b)
  let best = 0
  let lo = 0
  for (let hi = 0; hi < t.length; hi++) {
    while ((t[hi] as number) - (t[lo] as number) >= ms) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

/**
 * `isolate`: forget the emulator's rate counters after addWithToken, so only the sync's own
 * requests count (addWithToken probes the history with a limiter of its own, see notes).
 */
async function syncRun(
  items: number,
  limit: number,
  virtual: VirtualTime | null,
  isolate: boolean
): Promise<SyncRun> {
  const tmp = tempDir('wallet')
  let sandbox: Sandbox | null = null
  const db = openDatabase(join(tmp.dir, 'desk.db'), { migrationsDir: MIGRATIONS_DIR })
  const writes = instrumentWrites(db)
  try {
    sandbox = await startSandbox({
      tls: false,
      personal: true,
      personalRateLimitPerMinute: limit,
      ...(virtual ? { clock: { now: virtual.now } } : {})
    })
    const admin = sandbox.admin.personal
    if (!admin || !sandbox.personalOrigin) {
      throw new Error('wallet-sync: the personal emulator is not running')
    }
    const wallet = '79990005577'
    admin.createWallet({ wallet, balances: { RUB: 1_000_000 } })
    const now = virtual ? virtual.now() : Date.now()
    admin.generateHistory(wallet, { count: items, seed: 11, endMs: now - 60_000, spanDays: 30 })
    const token = admin.createToken({ wallet })
    const vault = new CredentialVault({ store: new MemorySecretStore() })
    const svc = new WalletService({
      db,
      vault: () => vault,
      logger: nullLogger,
      historyRateLimit: { limit },
      ...(virtual ? { now: virtual.now, sleep: virtual.sleep } : {})
    })
    const view = await svc.addWithToken({ name: 'Bench wallet', api: sandbox.personalOrigin, token })
    const probeRequests = admin
      .requestLog({ wallet })
      .filter((e) => e.route !== null && (HISTORY_ROUTES as readonly string[]).includes(e.route)).length
    if (isolate) admin.resetRateLimit(wallet)
    const v0 = virtual?.offset ?? 0
    const w0 = writes.ms()
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    let r: { added: number; total: number } = { added: 0, total: 0 }
    let error: string | null = null
    try {
      r = await svc.sync(view.id, { days: 45 })
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
    }
    const realMs = performance.now() - t0
    const cpu = process.cpuUsage(c0)
    const writeMs = writes.ms() - w0
    const ms = realMs + ((virtual?.offset ?? 0) - v0)
    const all = admin
      .requestLog({ wallet })
      .filter((e) => e.route !== null && (HISTORY_ROUTES as readonly string[]).includes(e.route))
    const log = all.slice(probeRequests)
    // what the server's window saw: the probe's requests too, unless its counters were reset
    const counted = isolate ? log : all
    return {
      error,
      writeMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      probeRequests,
      ms,
      realMs,
      added: r.added,
      total: r.total,
      historyRequests: log.length,
      blocked: log.filter((e) => e.status === 423).length,
      maxPerMinute: maxInWindow(
        counted.map((e) => e.atMs),
        60_000
      )
    }
  } finally {
    if (sandbox) await sandbox.close()
    closeDatabase(db)
    tmp.remove()
  }
}

export async function benchWalletSync(o: BenchOptions): Promise<BenchResult> {
  const t0 = performance.now()
  const items = o.quick ? 1000 : 10_000
  const runs = o.quick ? 1 : o.runs
  // ≥ 200 pages in 5 s needs ≥ 2,400 a minute; 6,000 leaves the client's pacing out of the way
  const raised = 6000
  const fast: SyncRun[] = []
  for (let r = 0; r < runs; r++) {
    const x = await syncRun(items, raised, null, false)
    if (x.error !== null || x.added !== items) {
      throw new Error(`wallet-sync: ${x.added} items added, expected ${items} (${x.error ?? 'no error'})`)
    }
    fast.push(x)
    o.log(
      `  wallet sync ${items} items, limit ${raised}/min: ${fmt(x.ms / 1000, 2)} s, ${x.historyRequests} history requests, ${x.blocked} blocked`
    )
  }
  // As the app does it (add, then the first sync at once), then the sync alone.
  const asApp = await syncRun(items, DOCUMENTED_LIMIT, new VirtualTime(), false)
  o.log(
    `  wallet add + first sync at the documented ${DOCUMENTED_LIMIT}/min: ${asApp.error === null ? 'completed' : `FAILED (${asApp.error})`} ` +
      `after ${asApp.historyRequests} history requests (+${asApp.probeRequests} made by addWithToken), ${asApp.blocked} blocked`
  )
  const documented = await syncRun(items, DOCUMENTED_LIMIT, new VirtualTime(), true)
  if (documented.error !== null || documented.added !== items) {
    throw new Error(
      `wallet-sync (documented limit): ${documented.added} added (${documented.error ?? 'no error'})`
    )
  }
  o.log(
    `  wallet sync ${items} items, documented ${DOCUMENTED_LIMIT}/min (virtual time): ${fmt(documented.ms / 1000, 1)} s as waited, ` +
      `${fmt(documented.realMs / 1000, 2)} s of work, max ${documented.maxPerMinute} requests in any minute, ${documented.blocked} blocked`
  )
  const secs = fast.map((x) => x.ms / 1000)
  const pages = Math.ceil(items / 50)
  // the client admits DOCUMENTED_LIMIT requests per 61 s; the last page is known only from a short/empty reply
  const floorS = Math.floor((documented.historyRequests - 1) / DOCUMENTED_LIMIT) * 61
  const med = median(secs)
  // the sync itself: the goal runs and the isolated documented-limit run
  const blockedAll = fast.reduce((n, x) => n + x.blocked, 0) + documented.blocked
  const maxRatio = Math.max(
    ...fast.map((x) => x.maxPerMinute / raised),
    documented.maxPerMinute / DOCUMENTED_LIMIT
  )
  return {
    name: 'wallet-sync',
    title: 'Wallet history sync',
    method: [
      `The wallet's own sync (electron/core/wallet: WalletService.addWithToken, then WalletService.sync(id, {days: 45})) against the ` +
        `sandbox's personal emulator on loopback: a fresh wallet with ${items.toLocaleString('en-US')} generated history items over 30 days ` +
        `(admin.generateHistory), an API token, a fresh SQLite file (openDatabase, durable pragmas), MemorySecretStore for the token. ` +
        `The timer covers sync() only: ${pages} pages of 50 (PersonalClient.history, cursor-followed), upserted in batches of 200.`,
      `Goal run: emulator limit raised to ${raised.toLocaleString('en-US')} history requests a minute (startSandbox ` +
        `personalRateLimitPerMinute), the client's limiter set to the same (WalletService historyRateLimit). Documented-limit run: ` +
        `both at ${DOCUMENTED_LIMIT}/min, with WalletService and the emulator on a virtual clock (wall time + the client's sleeps), so ` +
        `the wait the limit imposes is measured without spending it. Breaches are read from the emulator's own request log: ` +
        `423 request.blocked replies and the most history requests inside any 60 s window.`
    ],
    metrics: [
      metric(
        'sync-s',
        `sync of ${items.toLocaleString('en-US')} items, limit ${raised}/min`,
        's',
        secs,
        'lower'
      ),
      metric(
        'items-per-s',
        'items per second',
        'items/s',
        fast.map((x) => items / (x.ms / 1000)),
        'higher'
      ),
      metric(
        'requests',
        'history requests per sync',
        'requests',
        fast.map((x) => x.historyRequests),
        'lower'
      ),
      metric(
        'write-s',
        'of which inside SQLite write transactions (upsertHistory batches)',
        's',
        fast.map((x) => x.writeMs / 1000),
        'lower'
      ),
      metric(
        'cpu-s',
        'process CPU time during the sync (client + in-process emulator + SQLite)',
        's',
        fast.map((x) => x.cpuMs / 1000),
        'lower'
      ),
      metric(
        'documented-s',
        `same sync at the documented ${DOCUMENTED_LIMIT}/min, as waited (virtual time)`,
        's',
        [documented.ms / 1000],
        'lower'
      ),
      metric(
        'documented-work-s',
        `same sync at ${DOCUMENTED_LIMIT}/min, time spent working (sleeps excluded)`,
        's',
        [documented.realMs / 1000],
        'lower'
      ),
      metric(
        'max-per-minute',
        `most history requests in any 60 s window, limit ${raised}/min`,
        'requests',
        fast.map((x) => x.maxPerMinute),
        'lower'
      ),
      metric(
        'max-per-minute-documented',
        `most history requests in any 60 s window, documented ${DOCUMENTED_LIMIT}/min`,
        'requests',
        [documented.maxPerMinute],
        'lower'
      )
    ],
    checks: [
      check(
        `sync ${items.toLocaleString('en-US')} items (limit raised to ${raised}/min for the bench)`,
        '≤ 5 s',
        `${fmt(med, 2)} s`,
        med <= 5
      ),
      check(
        'rate limit never breached (423 replies; max per 60 s ≤ the limit in force)',
        '0 blocked, ≤ 1.0 of limit',
        `${blockedAll} blocked, ${fmt(maxRatio, 2)} of limit`,
        blockedAll === 0 && maxRatio <= 1
      )
    ],
    notes: [
      `Under the documented ${DOCUMENTED_LIMIT} requests/min, the ${documented.historyRequests} history requests of this sync need at least ${floorS} s (the client's limiter admits ` +
        `${DOCUMENTED_LIMIT} per 61 s: 60 s window + 1 s margin); measured ${fmt(documented.ms / 1000, 1)} s as waited, of which ` +
        `${fmt(documented.realMs / 1000, 2)} s is work. No client-side change can bring a ${items.toLocaleString('en-US')}-item first sync under 5 s at that limit; ` +
        `the 5 s goal holds only where the server allows ≥ ${Math.ceil((pages * 60) / 5).toLocaleString('en-US')} history requests a minute.`,
      `Spread over runs: ${spread(secs, 2)} s.`,
      asApp.error === null && asApp.blocked === 0
        ? `Adding a wallet and syncing it at once at the documented limit completed without a 423.`
        : `Adding a wallet and syncing it at once, at the documented limit, TRIPS the limit: addWithToken probes the history ` +
          `(${asApp.probeRequests} request(s)) through a SlidingWindowLimiter of its own (WalletService.addWithToken: ` +
          `\`new SlidingWindowLimiter(...)\`), so the wallet's limiter used by sync() does not count them; within the first ` +
          `minute the server sees ${DOCUMENTED_LIMIT + asApp.probeRequests} history requests and answers 423 request.blocked ` +
          `(${asApp.blocked} blocked replies; QIWI then blocks the wallet for 5 minutes — ` +
          `${asApp.error === null ? `the client's blocked-retry waited it out: ${fmt(asApp.ms / 1000, 0)} s as waited against ${fmt(documented.ms / 1000, 0)} s` : `the sync failed: ${asApp.error}`}). ` +
          `Fix (electron/core/wallet/wallet-service.ts): probe with the limiter that will belong to the wallet (create it first, ` +
          `store it under the new id in this.limiters). The figures above isolate the sync (the emulator's counters reset after addWithToken).`
    ],
    extra: { fast, documented, asApp },
    seconds: (performance.now() - t0) / 1000
  }
}
