import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { createLogger } from '../../../electron/core/log/logger'

describe('logger', () => {
  it('writes JSON lines to a file and redacts secret-bearing fields at any depth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qiwi-log-'))
    const log = createLogger({ dir, level: 'debug' })
    const canary = 'CANARY-7f3a9c'
    log.info({ password: canary, terminal: { passphrase: canary, name: 'desk 1' } }, 'saved terminal')
    log.info({ headers: { Authorization: `Bearer ${canary}`, 'X-Digital-Sign': canary } }, 'request')
    log.info({ items: [{ token: canary }], nested: { deeper: { secret: canary } } }, 'list')
    log.flush()
    await new Promise((r) => setTimeout(r, 200))
    const files = readdirSync(dir)
    expect(files).toContain('qiwi-desk.log')
    const text = readFileSync(join(dir, 'qiwi-desk.log'), 'utf8')
    const lines = text.trim().split('\n')
    expect(lines).toHaveLength(3)
    for (const l of lines) expect(() => JSON.parse(l) as unknown).not.toThrow()
    expect(text).toContain('desk 1')
    expect(text).toContain('[redacted]')
    expect(text).not.toContain(canary)
  })
})
