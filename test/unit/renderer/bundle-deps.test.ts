import { join } from 'node:path'

import { build } from 'esbuild'
import type { Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'

const ROOT = join(__dirname, '..', '..', '..')

/** Every source file esbuild pulls into a bundle of `entry` (dynamic imports included). */
async function inputs(entry: string, external: string[] = []): Promise<string[]> {
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    jsx: 'automatic',
    loader: { '.css': 'empty' },
    external,
    logLevel: 'silent'
  })
  return Object.keys((r.metafile as Metafile).inputs)
}

// The renderer and the preload build window.api from shared/channels.ts; the schemas (and
// zod, ~40 KB gzip of the renderer bundle) belong to the hosts, which validate. A value
// import of the contract, payouts or wallet schemas (or of zod) anywhere in either bundle
// shows up here.
const SCHEMA_MODULES = [/node_modules\/zod\//, /^shared\/contract\.ts$/, /^shared\/payouts\.ts$/, /^shared\/wallet\.ts$/]

describe('what the renderer and preload bundles carry', () => {
  it('the renderer: no zod and no schema module', async () => {
    const files = await inputs('renderer/src/main.tsx')
    expect(files).toContain('shared/channels.ts')
    expect(files.some((f) => f.includes('node_modules/react-dom/'))).toBe(true)
    for (const re of SCHEMA_MODULES) expect(files.filter((f) => re.test(f)).slice(0, 5), String(re)).toEqual([])
  })

  it('the preload: no zod and no schema module', async () => {
    const files = await inputs('electron/preload/index.ts', ['electron'])
    expect(files).toContain('shared/channels.ts')
    for (const re of SCHEMA_MODULES) expect(files.filter((f) => re.test(f)).slice(0, 5), String(re)).toEqual([])
  })
})
