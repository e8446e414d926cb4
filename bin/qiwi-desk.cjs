#!/usr/bin/env node
// The `qiwi-desk` command. The CLI is bundled by `npm run build` into out/cli.
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const entry = join(__dirname, '..', 'out', 'cli', 'qiwi-desk.cjs')
if (!existsSync(entry)) {
  process.stderr.write('qiwi-desk: not built yet — run `npm run build` in ' + join(__dirname, '..') + '\n')
  process.exit(1)
}
require(entry)
