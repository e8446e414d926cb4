#!/usr/bin/env node
// Makes sure better-sqlite3 is built for the runtime that will load it.
//   node scripts/native-abi.mjs node      → the plain-Node build (tests, CLI, web host)
//   node scripts/native-abi.mjs electron  → the Electron build (npm start on a desktop)
// better-sqlite3 uses the V8 API directly, so a Node build does not load in Electron and
// vice versa. keytar is N-API (one build serves both). A marker file remembers which ABI is
// in place so repeated runs cost nothing.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const target = process.argv[2]
if (target !== 'node' && target !== 'electron') {
  console.error('usage: native-abi.mjs node|electron')
  process.exit(2)
}
const root = join(import.meta.dirname, '..')
const require = createRequire(join(root, 'package.json'))
const marker = join(root, 'node_modules', '.qiwi-desk-native-abi')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function loadsInNode() {
  try {
    execFileSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
      cwd: root,
      stdio: 'ignore'
    })
    return true
  } catch {
    return false
  }
}

if (target === 'node') {
  if (loadsInNode()) {
    writeFileSync(marker, 'node\n')
    process.exit(0)
  }
  console.log('better-sqlite3: building for Node ' + process.version + ' …')
  const env = { ...process.env }
  for (const k of ['npm_config_runtime', 'npm_config_target', 'npm_config_disturl']) delete env[k]
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr'
  execFileSync(npm, ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', env })
  if (!loadsInNode()) {
    console.error('better-sqlite3 still does not load under Node')
    process.exit(1)
  }
  writeFileSync(marker, 'node\n')
} else {
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === `electron-${electronVersion}`) process.exit(0)
  console.log(`better-sqlite3: building for Electron ${electronVersion} (downloads Electron headers) …`)
  const env = {
    ...process.env,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion,
    npm_config_disturl: 'https://electronjs.org/headers',
    npm_config_build_from_source: 'true'
  }
  delete env.npm_config_nodedir
  execFileSync(npm, ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', env })
  writeFileSync(marker, `electron-${electronVersion}\n`)
}
