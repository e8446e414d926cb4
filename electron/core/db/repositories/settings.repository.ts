/**
 * settings: non-secret application settings (language, theme, window state...) as
 * JSON values. Secrets belong in the keychain; keys that look like one are refused
 * so a careless caller cannot park a password in the database file.
 */
import { AppError } from '../../../../shared/errors'
import type { Db } from '../connection'
import { prepared, readQuery, writeTransaction } from '../connection'
import type { DbSettingRow } from '../rows'

const SECRET_LIKE = /password|passphrase|secret|token|private|pfx|pem|credential/i
const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/
const MAX_VALUE_CHARS = 64 * 1024

function checkKey(key: string): void {
  if (!KEY_RE.test(key)) {
    throw new AppError('invalid-input', 'setting key must be [A-Za-z0-9._-], 1..100 chars')
  }
  if (SECRET_LIKE.test(key)) {
    throw new AppError('forbidden', `setting "${key}" looks like a secret; use the keychain`)
  }
}

/** The value of `key`, or undefined when unset. */
export function getSetting(db: Db, key: string): unknown {
  checkKey(key)
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT value FROM settings WHERE key = ?').get(key) as
      Pick<DbSettingRow, 'value'> | undefined
    return row ? (JSON.parse(row.value) as unknown) : undefined
  })
}

/** Stores a JSON-serializable value (undefined deletes the key). */
export function setSetting(db: Db, key: string, value: unknown, now: number = Date.now()): void {
  checkKey(key)
  if (value === undefined) {
    deleteSetting(db, key)
    return
  }
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    json = undefined
  }
  if (json === undefined) throw new AppError('invalid-input', `setting "${key}" is not JSON-serializable`)
  if (json.length > MAX_VALUE_CHARS) throw new AppError('invalid-input', `setting "${key}" is too large`)
  const text = json
  writeTransaction(db, () => {
    prepared(
      db,
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
    ).run(key, text, now)
  })
}

export function deleteSetting(db: Db, key: string): void {
  checkKey(key)
  writeTransaction(db, () => {
    prepared(db, 'DELETE FROM settings WHERE key = ?').run(key)
  })
}

/** Every setting as a plain object (null prototype: keys come from the file). */
export function listSettings(db: Db): Record<string, unknown> {
  return readQuery(db, () => {
    const out = Object.create(null) as Record<string, unknown>
    for (const r of prepared(db, 'SELECT key, value FROM settings ORDER BY key').all() as DbSettingRow[]) {
      out[r.key] = JSON.parse(r.value) as unknown
    }
    return out
  })
}
