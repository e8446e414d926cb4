#!/usr/bin/env node
// Bundles the plain-Node entry points (web host, CLI, benchmarks) with esbuild.
// Every package stays external (installed in node_modules): native addons must be
// require()d from there, and nothing is gained by inlining pure-JS ones.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

import { build } from 'esbuild'

const root = join(import.meta.dirname, '..')
const entries = {
  'web/web-host': 'electron/web-host/main.ts',
  'cli/qiwi-desk': 'electron/cli/main.ts'
}
const optional = { 'bench/bench': 'test/bench/bench.ts' }
for (const [out, src] of Object.entries(optional)) if (existsSync(join(root, src))) entries[out] = src

await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, join(root, v)])),
  outdir: join(root, 'out'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning'
})
console.log('node bundles:', Object.keys(entries).map((k) => `out/${k}.cjs`).join(', '))
