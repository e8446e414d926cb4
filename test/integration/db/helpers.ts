import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeDatabase, openDatabase } from '../../../electron/core/db/connection'
import type { Db, OpenOptions } from '../../../electron/core/db/connection'
import { createTerminal } from '../../../electron/core/db/repositories/terminals.repository'
import type { NewPayout, NewTerminal, Terminal } from '../../../electron/core/db/types'
import { REPO_ROOT } from '../../support/paths'

export const MIGRATIONS_DIR = join(REPO_ROOT, 'resources', 'migrations')

/** A fixed, plausible wall clock (2026-11-22T12:00:00Z). */
export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0)

export class TempDirs {
  private readonly dirs: string[] = []
  private readonly dbs: Db[] = []

  make(prefix = 'qiwi-desk-db-'): string {
    const d = mkdtempSync(join(tmpdir(), prefix))
    this.dirs.push(d)
    return d
  }

  open(file: string, opts: OpenOptions = {}): Db {
    const db = openDatabase(file, { migrationsDir: MIGRATIONS_DIR, ...opts })
    this.dbs.push(db)
    return db
  }

  /** A fresh database file in a fresh folder. */
  fresh(opts: OpenOptions = {}): { db: Db; file: string; dir: string } {
    const dir = this.make()
    const file = join(dir, 'desk.db')
    return { db: this.open(file, opts), file, dir }
  }

  cleanup(): void {
    for (const db of this.dbs) {
      try {
        closeDatabase(db)
      } catch {
        // already closed or broken on purpose
      }
    }
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true })
  }
}

let terminalCounter = 0

export function terminalInput(overrides: Partial<NewTerminal> = {}): NewTerminal {
  terminalCounter += 1
  return {
    name: `Desk terminal ${terminalCounter}`,
    terminalId: '123456',
    endpoint: 'https://api.qiwi.com',
    authMode: 'password',
    passwordRef: 'qiwi-desk/terminal/password',
    servicesAllowed: ['wallet', 'card', 'sbp', 'mobile', 'card-spec'],
    ...overrides
  }
}

export function seedTerminal(db: Db, overrides: Partial<NewTerminal> = {}, now = T0): Terminal {
  return createTerminal(db, terminalInput(overrides), now)
}

export function payoutInput(terminalRef: string, overrides: Partial<NewPayout> = {}): NewPayout {
  return {
    terminalRef,
    service: 'wallet',
    account: '79181234567',
    accountDisplay: '+7 918 123-45-67',
    amountKopecks: 150_000,
    currency: 'RUB',
    comment: null,
    extras: { income_wire_transfer: '0' },
    precheck: true,
    ...overrides
  }
}
