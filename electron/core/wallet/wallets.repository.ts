/**
 * wallets: the wallets logged in on this desk. Secret values never come here, only
 * the keychain reference of the token / CAS entry (`credentialRef`).
 */
import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import type { Db } from '../db/connection'
import { prepared, readQuery, writeTransaction } from '../db/connection'
import type { CasHeaderScheme } from '../personal/auth'
import type { CasOptions } from './api'

export type PermissionState = 'granted' | 'missing' | 'error'

export interface WalletPermissions {
  profile: PermissionState
  balance: PermissionState
  history: PermissionState
  payments: PermissionState
}

export interface WalletRecord {
  id: string
  name: string
  /** Wallet number, digits without '+'. */
  wallet: string
  /** 'sandbox' or an origin. */
  api: string
  authKind: 'token' | 'cas'
  credentialRef: string
  cas: CasOptions | null
  permissions: WalletPermissions
  defaultCurrency: string | null
  tokenAddedAt: number | null
  lastSyncAt: number | null
  syncedFrom: number | null
  syncedUntil: number | null
  createdAt: number
  updatedAt: number
}

export interface NewWallet {
  id: string
  name: string
  wallet: string
  api: string
  authKind: 'token' | 'cas'
  credentialRef: string
  cas: CasOptions | null
  permissions: WalletPermissions
  defaultCurrency: string | null
  tokenAddedAt: number | null
}

interface DbWalletRow {
  id: string
  name: string
  wallet: string
  api: string
  auth_kind: 'token' | 'cas'
  credential_ref: string
  auth_base: string | null
  permissions: string
  default_currency: string | null
  token_added_at: number | null
  last_sync_at: number | null
  synced_from: number | null
  synced_until: number | null
  created_at: number
  updated_at: number
}

const permissionState = z.enum(['granted', 'missing', 'error']).catch('error')
const permissionsSchema = z.object({
  profile: permissionState,
  balance: permissionState,
  history: permissionState,
  payments: permissionState
})
const casSchema = z.object({
  casBaseUrl: z.string(),
  headerScheme: z.enum(['token', 'st-base64']),
  service: z.string().nullable()
})

const NO_PERMISSIONS: WalletPermissions = {
  profile: 'error',
  balance: 'error',
  history: 'error',
  payments: 'error'
}

function parseJsonColumn<T>(text: string | null, schema: z.ZodType<T>): T | null {
  if (text === null) return null
  try {
    const r = schema.safeParse(JSON.parse(text))
    return r.success ? r.data : null
  } catch {
    return null
  }
}

function fromRow(r: DbWalletRow): WalletRecord {
  const cas = parseJsonColumn(r.auth_base, casSchema)
  return {
    id: r.id,
    name: r.name,
    wallet: r.wallet,
    api: r.api,
    authKind: r.auth_kind,
    credentialRef: r.credential_ref,
    cas: cas ? { ...cas, headerScheme: cas.headerScheme as CasHeaderScheme } : null,
    permissions: parseJsonColumn(r.permissions, permissionsSchema) ?? NO_PERMISSIONS,
    defaultCurrency: r.default_currency,
    tokenAddedAt: r.token_added_at,
    lastSyncAt: r.last_sync_at,
    syncedFrom: r.synced_from,
    syncedUntil: r.synced_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

export function getWallet(db: Db, id: string): WalletRecord | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM wallets WHERE id = ?').get(id) as DbWalletRow | undefined
    return row ? fromRow(row) : null
  })
}

export function getWalletByName(db: Db, name: string): WalletRecord | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM wallets WHERE name = ?').get(name) as DbWalletRow | undefined
    return row ? fromRow(row) : null
  })
}

export function findWalletByNumber(db: Db, api: string, wallet: string): WalletRecord | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM wallets WHERE api = ? AND wallet = ?').get(api, wallet) as
      DbWalletRow | undefined
    return row ? fromRow(row) : null
  })
}

export function listWallets(db: Db): WalletRecord[] {
  return readQuery(db, () =>
    (prepared(db, 'SELECT * FROM wallets ORDER BY name').all() as DbWalletRow[]).map(fromRow)
  )
}

/** Inserts a wallet. Throws 'conflict' when the name or (api, wallet) is taken. */
export function insertWallet(db: Db, w: NewWallet, now: number): WalletRecord {
  writeTransaction(db, () => {
    if (getWalletByName(db, w.name)) {
      throw new AppError('conflict', `A wallet named "${w.name}" already exists`, { field: 'name' })
    }
    const same = findWalletByNumber(db, w.api, w.wallet)
    if (same) {
      throw new AppError('conflict', `Wallet ${w.wallet} is already added as "${same.name}"`, {
        field: 'wallet'
      })
    }
    prepared(
      db,
      `INSERT INTO wallets (id, name, wallet, api, auth_kind, credential_ref, auth_base, permissions,
         default_currency, token_added_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(
      w.id,
      w.name,
      w.wallet,
      w.api,
      w.authKind,
      w.credentialRef,
      w.cas ? JSON.stringify(w.cas) : null,
      JSON.stringify(w.permissions),
      w.defaultCurrency,
      w.tokenAddedAt,
      now,
      now
    )
  })
  const created = getWallet(db, w.id)
  if (!created) throw new AppError('internal', 'wallet row vanished after insert')
  return created
}

export function setPermissions(db: Db, id: string, p: WalletPermissions, now: number): void {
  writeTransaction(db, () => {
    prepared(db, 'UPDATE wallets SET permissions = ?, updated_at = ? WHERE id = ?').run(
      JSON.stringify(p),
      now,
      id
    )
  })
}

/**
 * Records a sync. `covered` is set only when the sync reached the end of the cursor for
 * the whole window: the watermarks then widen to include [from, until].
 */
export function recordSync(
  db: Db,
  id: string,
  at: number,
  covered: { from: number; until: number } | null
): void {
  writeTransaction(db, () => {
    if (covered) {
      prepared(
        db,
        `UPDATE wallets SET last_sync_at = ?, updated_at = ?,
           synced_from = min(coalesce(synced_from, ?), ?),
           synced_until = max(coalesce(synced_until, ?), ?)
         WHERE id = ?`
      ).run(at, at, covered.from, covered.from, covered.until, covered.until, id)
    } else {
      prepared(db, 'UPDATE wallets SET last_sync_at = ?, updated_at = ? WHERE id = ?').run(at, at, id)
    }
  })
}

/** Deletes the wallet row; its history cascades. Throws 'forbidden' while a transfer is open. */
export function deleteWallet(db: Db, id: string): boolean {
  return writeTransaction(db, () => prepared(db, 'DELETE FROM wallets WHERE id = ?').run(id).changes > 0)
}
