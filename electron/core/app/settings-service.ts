/**
 * Non-secret app settings (language, theme) kept in the SQLite `settings` table as JSON
 * values, so the CLI, the web host and the Electron app share them.
 */
import type Database from 'better-sqlite3'

import { Settings } from '../../../shared/contract'
import type { Settings as SettingsT } from '../../../shared/contract'

export const DEFAULT_SETTINGS: SettingsT = { language: 'ru', theme: 'light' }

export class SettingsService {
  private cache: SettingsT

  constructor(private readonly db: Database.Database) {
    this.cache = this.read()
  }

  get(): SettingsT {
    return this.cache
  }

  set(patch: Partial<SettingsT>): SettingsT {
    const next = Settings.parse({ ...this.cache, ...patch })
    const upsert = this.db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at'
    )
    const now = Date.now()
    this.db
      .transaction(() => {
        upsert.run('language', JSON.stringify(next.language), now)
        upsert.run('theme', JSON.stringify(next.theme), now)
      })
      .immediate()
    this.cache = next
    return next
  }

  private read(): SettingsT {
    const rows = this.db.prepare("SELECT key, value FROM settings WHERE key IN ('language', 'theme')").all() as {
      key: string
      value: string
    }[]
    const raw: Record<string, unknown> = { ...DEFAULT_SETTINGS }
    for (const r of rows) {
      try {
        raw[r.key] = JSON.parse(r.value) as unknown
      } catch {
        // a damaged value falls back to the default for that key
      }
    }
    const parsed = Settings.safeParse(raw)
    return parsed.success ? parsed.data : DEFAULT_SETTINGS
  }
}
