/**
 * `npm run start:web`: the app without Electron. Starts the same core as the Electron
 * host, serves the built renderer on 127.0.0.1 and prints the URL (with its one-time
 * token in the fragment) to open in a browser.
 *
 * Options: --port N (default 0 = any free port), --data-dir DIR (or QIWI_DESK_DATA_DIR).
 */
import { join, resolve } from 'node:path'

import { createAppCore } from '../core/app/app-core'
import { defaultDataDir } from '../core/app/data-dir'
import { createLogger, logDir } from '../core/log/logger'
import { startWebHost } from './server'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

async function main(): Promise<void> {
  const dataDir = resolve(arg('--data-dir') ?? process.env['QIWI_DESK_DATA_DIR'] ?? defaultDataDir())
  const port = Number(arg('--port') ?? process.env['QIWI_DESK_WEB_PORT'] ?? 0)
  const logger = createLogger({ dir: logDir(dataDir), name: 'qiwi-desk-web' })
  const core = await createAppCore({
    dataDir,
    host: 'web',
    version: process.env['npm_package_version'] ?? '0.1.0',
    logger,
    allowSessionOnlySecrets: true
  })
  const host = await startWebHost({
    dispatch: core.dispatch,
    onEvent: (l) => core.events.onAny(l),
    language: () => core.language(),
    staticDir: process.env['QIWI_DESK_RENDERER_DIR'] ?? join(__dirname, '..', 'renderer'),
    port,
    logger
  })
  process.stdout.write(`QIWI Desk web host: open ${host.url}\n`)
  process.stdout.write(`data directory: ${dataDir}\n`)
  const stop = (): void => {
    void host
      .close()
      .then(() => core.close())
      .finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((e: unknown) => {
  process.stderr.write(`web host failed to start: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
