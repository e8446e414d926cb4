/**
 * e2e fixture: a real web host (the built out/web/web-host.cjs, the same core as the
 * Electron app) on 127.0.0.1 with a fresh data directory per test file, and a page opened
 * at the URL it prints (token in the fragment).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { test as base, expect } from '@playwright/test'
import type { Page } from '@playwright/test'

export const ROOT = resolve(__dirname, '..', '..')

export interface WebHostProcess {
  url: string
  origin: string
  token: string
  dataDir: string
  proc: ChildProcess
  output: () => string
  stop: () => Promise<void>
}

export async function startWebHostProcess(
  opts: { dataDir?: string; env?: Record<string, string> } = {}
): Promise<WebHostProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'qiwi-desk-e2e-'))
  const proc = spawn(process.execPath, [join(ROOT, 'out/web/web-host.cjs'), '--data-dir', dataDir, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${out}`)), 30_000)
    const check = (): void => {
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)/.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        resolveUrl(m[1])
      }
    }
    proc.stdout?.on('data', check)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited (${code}):\n${out}`))
    })
  })
  const u = new URL(url)
  return {
    url,
    origin: u.origin,
    token: u.hash.replace('#token=', ''),
    dataDir,
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGTERM')
        await exited
      }
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

export const test = base.extend<{ host: WebHostProcess }>({
  // Playwright fixtures must destructure their first argument, even when they use none.
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const host = await startWebHostProcess()
    await use(host)
    await host.stop()
  }
})

export { expect }

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', `${name}.png`), fullPage: true })
}
