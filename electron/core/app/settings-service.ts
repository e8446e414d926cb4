/**
 * Non-secret app settings (language, theme) kept in the SQLite `settings` table through the
 * settings repository, so the CLI, the web host and the Electron app share them.
 */
import { Settings } from '../../../shared/contract'
import type { Settings as SettingsT } from '../../../shared/contract'
import type { Db } from '../db/connection'
import { writeTransaction } from '../db/connection'
import { getSetting, setSetting } from '../db/repositories/settings.repository'

export const DEFAULT_SETTINGS: SettingsT = { language: 'ru', theme: 'light' }

export class SettingsService {
  private cache: SettingsT

  constructor(private readonly db: Db) {
    this.cache = this.read()
  }

  get(): SettingsT {
    return this.cache
  }

  set(patch: Partial<SettingsT>): SettingsT {
    const next = Settings.parse({ ...this.cache, ...patch })
    writeTransaction(this.db, () => {
      setSetting(this.db, 'language', next.language)
      setSetting(this.db, 'theme', next.theme)
    })
    this.cache = next
    return next
  }

  private read(): SettingsT {
    const raw: Record<string, unknown> = { ...DEFAULT_SETTINGS }
    for (const key of ['language', 'theme'] as const) {
      try {
        const v = getSetting(this.db, key)
        if (v !== undefined) raw[key] = v
      } catch {
        // a damaged value falls back to the default for that key
      }
    }
    const parsed = Settings.safeParse(raw)
    return parsed.success ? parsed.data : DEFAULT_SETTINGS
  }
}
