/**
 * Renderer: the history page over 100,000 payouts in Chromium through the web host
 * (out/web/web-host.cjs and out/renderer, built by `npm run build`), and the size of
 * the renderer bundle (gzip of out/renderer/assets/*.js).
 *
 * The data directory's SQLite file is seeded before the host starts (test/bench/seed.ts:
 * legal transitions, triggers on; final states only, so the host's engine finds no work).
 * "Navigation → first rows painted": in the page, performance.now() when the route
 * changes (location.hash = '#/history', what the nav link does), a MutationObserver for
 * the first loaded row (data-testid="history-row-<number>"), then a requestAnimationFrame
 * and a message-channel task after it: the frame with the rows has been produced.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { DB_FILE } from '../../electron/core/app/app-core'
import { cachedSeed } from './seed'
import type { BenchOptions, BenchResult } from './util'
import { check, fmt, median, metric, quantile, ROOT, sleep, spread, tempDir } from './util'

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking'
]
const ROW = '[data-testid^="history-row-"]:not([data-testid="history-row-loading"])'

/** In-page: navigate to the history route and resolve with the timings (ms). */
const NAVIGATE_SCRIPT = `new Promise((resolve, reject) => {
  const sel = ${JSON.stringify(ROW)};
  const timer = setTimeout(() => reject(new Error('no history row within 30 s')), 30000);
  let tDom = 0;
  const t0 = performance.now();
  const painted = () => {
    requestAnimationFrame(() => {
      const tRaf = performance.now();
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { clearTimeout(timer); resolve({ dom: tDom - t0, raf: tRaf - t0, paint: performance.now() - t0 }); };
      ch.port2.postMessage(0);
    });
  };
  const check = () => {
    if (tDom === 0 && document.querySelector(sel)) { tDom = performance.now(); obs.disconnect(); painted(); }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, { childList: true, subtree: true });
  location.hash = '#/history';
})`

/** Init script for a cold load: the same observer from the first byte, times from navigation start. */
const COLD_INIT_SCRIPT = `(() => {
  const sel = ${JSON.stringify(ROW)};
  const start = () => {
    const obs = new MutationObserver(() => {
      if (window.__benchFirstRow || !document.querySelector(sel)) return;
      const dom = performance.now();
      obs.disconnect();
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { window.__benchFirstRow = { dom, paint: performance.now() }; };
        ch.port2.postMessage(0);
      });
    });
    obs.observe(document.documentElement, { childList: true, subtree: true });
  };
  if (document.documentElement) start(); else document.addEventListener('readystatechange', start, { once: true });
})()`

interface NavTiming {
  dom: number
  raf: number
  paint: number
}

interface Host {
  url: string
  origin: string
  proc: ChildProcess
  stop(): Promise<void>
}

function startHost(dataDir: string): Promise<Host> {
  const proc = spawn(
    process.execPath,
    [join(ROOT, 'out/web/web-host.cjs'), '--data-dir', dataDir, '--port', '0'],
    {
      cwd: ROOT,
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let out = ''
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${out}`)), 60_000)
    const onData = (): void => {
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)/.exec(out)
      if (!m?.[1]) return
      clearTimeout(timer)
      proc.stdout.off('data', onData)
      const url = m[1]
      resolve({
        url,
        origin: new URL(url).origin,
        proc,
        stop: async () => {
          if (proc.exitCode !== null) return
          const exited = new Promise((r) => proc.once('exit', r))
          proc.kill('SIGTERM')
          await exited
        }
      })
    }
    proc.stdout.on('data', onData)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited (${String(code)}):\n${out}`))
    })
  })
}

function bundleSize(): {
  files: { name: string; bytes: number; gzip: number }[]
  bytes: number
  gzip: number
  builtAt: string
} {
  const dir = join(ROOT, 'out', 'renderer', 'assets')
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((name) => {
      const buf = readFileSync(join(dir, name))
      return { name, bytes: buf.length, gzip: gzipSync(buf).length }
    })
  return {
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzip: files.reduce((n, f) => n + f.gzip, 0),
    builtAt: statSync(join(ROOT, 'out', 'renderer', 'index.html')).mtime.toISOString()
  }
}

async function waitIdle(page: Page): Promise<void> {
  await page.waitForSelector('nav')
  await sleep(300)
}

/** The payouts route, then the history route; returns the timings of the second. */
async function navigateToHistory(page: Page): Promise<{ t: NavTiming; queryMs: number | null }> {
  await page.evaluate("location.hash = '#/payouts'")
  await waitIdle(page)
  const response = page.waitForResponse(
    (r) => decodeURIComponent(r.url()).includes('/api/call/history:query'),
    { timeout: 30_000 }
  )
  const t = (await page.evaluate(NAVIGATE_SCRIPT)) as NavTiming
  const r = await response
  const timing = r.request().timing()
  const queryMs = timing.responseEnd > 0 ? timing.responseEnd - Math.max(0, timing.requestStart) : null
  return { t, queryMs }
}

export async function benchRenderer(o: BenchOptions): Promise<BenchResult> {
  const t0 = performance.now()
  for (const f of ['out/web/web-host.cjs', 'out/renderer/index.html']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`renderer: ${f} is missing — run \`npm run build\` first`)
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`renderer: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`)
  }
  const size = bundleSize()
  const rows = o.quick ? 2000 : 100_000
  const runs = o.quick ? 1 : o.runs
  const navsPerRun = o.quick ? 3 : 8
  const seed = cachedSeed({
    key: 'renderer',
    count: rows,
    mix: 'final',
    endMs: Date.UTC(2025, 10, 1),
    spanDays: 365,
    log: o.log
  })
  if (!seed.cached) {
    o.log(`  renderer: seeded ${rows.toLocaleString('en-US')} payouts in ${fmt(seed.ms / 1000, 1)} s`)
  }

  const warm: NavTiming[][] = []
  const cold: number[] = []
  const coldDom: number[] = []
  const queryMs: number[] = []
  const firstNav: number[] = []
  let browser: Browser | null = null
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
    for (let r = 0; r < runs; r++) {
      const tmp = tempDir('renderer')
      let host: Host | null = null
      try {
        {
          // a copy of the seeded file is the data directory's database (the host migrates nothing)
          const src = new Database(seed.file, { readonly: true })
          await src.backup(join(tmp.dir, DB_FILE))
          src.close()
        }
        host = await startHost(tmp.dir)
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
        const page = await ctx.newPage()
        const errors: string[] = []
        page.on('pageerror', (e) => errors.push(e.message))
        await page.goto(host.url)
        await waitIdle(page)
        // in-app navigations: the first one meets a cold SQLite cache in the host
        const times: NavTiming[] = []
        for (let i = 0; i < navsPerRun; i++) {
          const x = await navigateToHistory(page)
          times.push(x.t)
          if (i === 0) firstNav.push(x.t.paint)
          if (x.queryMs !== null) queryMs.push(x.queryMs)
        }
        warm.push(times)
        const count = await page.getByTestId('history-count').textContent()
        if (!count || !count.replace(/\D/g, '').includes(String(rows))) {
          throw new Error(`renderer: the history page shows "${String(count)}", expected ${rows} payouts`)
        }
        // a cold page load straight onto the history route (token kept in sessionStorage); the
        // query string makes it a new document (a hash-only change would stay in the page)
        await page.addInitScript(COLD_INIT_SCRIPT)
        await page.goto(`${host.origin}/?cold=${r}#/history`)
        // a function, not a string: the page's CSP (script-src 'self') refuses string evaluation
        await page.waitForFunction(
          () => (globalThis as { __benchFirstRow?: unknown }).__benchFirstRow !== undefined,
          undefined,
          {
            timeout: 30_000
          }
        )
        const c = (await page.evaluate('window.__benchFirstRow')) as { dom: number; paint: number }
        cold.push(c.paint)
        coldDom.push(c.dom)
        if (errors.length > 0) throw new Error(`renderer: page errors: ${errors.join('; ')}`)
        await ctx.close()
        o.log(
          `  renderer run ${r + 1}/${runs}: navigation → rows painted median ${fmt(median(times.map((t) => t.paint)), 0)} ms ` +
            `(first ${fmt(times[0]?.paint ?? 0, 0)} ms), cold load ${fmt(c.paint, 0)} ms`
        )
      } finally {
        if (host) await host.stop()
        tmp.remove()
      }
    }
  } finally {
    if (browser) await browser.close()
  }
  const perRun = warm.map((ts) => median(ts.map((t) => t.paint)))
  const all = warm.flat().map((t) => t.paint)
  const med = median(perRun)
  const gzKb = size.gzip / 1024
  return {
    name: 'renderer',
    title: 'Renderer: history page and bundle',
    method: [
      `A copy of a seeded SQLite file (${rows.toLocaleString('en-US')} payouts, final states, one terminal) is the data directory's ` +
        `${DB_FILE} before \`node out/web/web-host.cjs --data-dir DIR --port 0\` starts; Chromium (${CHROMIUM}, ` +
        `${CHROMIUM_ARGS.join(' ')}) via playwright-core opens the printed URL (token in the fragment) at 1280×800.`,
      `Per run (fresh host, fresh data dir): ${navsPerRun} in-app navigations payouts → history; each is timed in the page from ` +
        `\`location.hash = '#/history'\` (what the nav link does) to the first loaded row in the DOM, then to the end of the next ` +
        `animation frame (rAF + a message-channel task: the frame with the rows has been produced). Then a cold load of ` +
        `${'`/?cold=N#/history`'} (a new document; times from navigation start). Bundle: gzip (zlib default level) of every ` +
        `out/renderer/assets/*.js, built ${size.builtAt}.`
    ],
    metrics: [
      metric('nav-paint', 'navigation → first rows painted, median of a run', 'ms', perRun, 'lower'),
      metric(
        'nav-paint-p95',
        'navigation → first rows painted, p95 over all navigations',
        'ms',
        [quantile(all, 0.95)],
        'lower'
      ),
      metric(
        'nav-first',
        'first navigation after the host started (cold SQLite cache)',
        'ms',
        firstNav,
        'lower'
      ),
      metric(
        'nav-dom',
        'navigation → first row in the DOM, median',
        'ms',
        [median(warm.flat().map((t) => t.dom))],
        'lower'
      ),
      metric(
        'query-ms',
        'history:query round trip seen by the page (request start → response end), median',
        'ms',
        [median(queryMs)],
        'lower'
      ),
      metric(
        'cold-load',
        'cold page load of /?cold=N#/history → first rows painted (from navigation start)',
        'ms',
        cold,
        'lower'
      ),
      metric('bundle-gzip', 'renderer bundle, gzip', 'KB', [gzKb], 'lower'),
      metric('bundle-raw', 'renderer bundle, raw', 'KB', [size.bytes / 1024], 'lower')
    ],
    checks: [
      check(
        `navigation → first rows painted, ${rows.toLocaleString('en-US')} payouts`,
        '≤ 200 ms',
        `${fmt(med, 0)} ms`,
        med <= 200
      ),
      check('renderer bundle, gzip', '≤ 300 KB', `${fmt(gzKb, 1)} KB`, gzKb <= 300)
    ],
    notes: [
      `Navigations: ${spread(all, 0)} ms; of which the history:query round trip is ${fmt(median(queryMs), 0)} ms (median). ` +
        `Cold page loads: ${spread(cold, 0)} ms (first row in the DOM at ${spread(coldDom, 0)} ms).`,
      `Bundle files: ${size.files.map((f) => `${f.name} ${fmt(f.bytes / 1024, 1)} KB raw / ${fmt(f.gzip / 1024, 1)} KB gzip`).join('; ')}.`
    ],
    extra: { bundle: size, navigations: warm, cold, queryMs },
    seconds: (performance.now() - t0) / 1000
  }
}
