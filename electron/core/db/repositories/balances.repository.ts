/**
 * agent_balances: the last balance QIWI reported per terminal and currency.
 * Amounts stay decimal strings (normalized to two fraction digits), never floats.
 */
import { AppError } from '../../../../shared/errors'
import { formatAmount, parseWireAmount } from '../../../../shared/money'
import type { Db } from '../connection'
import { prepared, readQuery, writeTransaction } from '../connection'
import type { DbAgentBalanceRow } from '../rows'
import { balanceFromRow } from '../rows'
import type { AgentBalance } from '../types'

/**
 * Stores the balance `amount` (a wire decimal such as "200", "12.20", "-3.5") for
 * (terminalRef, currency). Older reports never overwrite newer ones.
 */
export function upsertBalance(
  db: Db,
  terminalRef: string,
  currency: string,
  amount: string,
  now: number = Date.now()
): AgentBalance {
  if (!/^(?:\d{3}|[A-Z]{3})$/.test(currency)) {
    throw new AppError('invalid-input', 'currency must be an ISO 4217 code', { field: 'currency' })
  }
  const kopecks = parseWireAmount(amount)
  if (kopecks === null) {
    throw new AppError('invalid-input', 'balance must be a decimal amount', { field: 'amount' })
  }
  const normalized = formatAmount(kopecks)
  return writeTransaction(db, () => {
    const t = prepared(db, 'SELECT 1 FROM terminals WHERE id = ?').get(terminalRef)
    if (t === undefined) throw new AppError('unknown-terminal', `no terminal with id ${terminalRef}`)
    prepared(
      db,
      `INSERT INTO agent_balances (terminal_ref, currency, amount, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (terminal_ref, currency) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at
       WHERE excluded.updated_at >= agent_balances.updated_at`
    ).run(terminalRef, currency, normalized, now)
    const row = prepared(db, 'SELECT * FROM agent_balances WHERE terminal_ref = ? AND currency = ?').get(
      terminalRef,
      currency
    ) as DbAgentBalanceRow
    return balanceFromRow(row)
  })
}

export function getBalance(db: Db, terminalRef: string, currency: string): AgentBalance | null {
  return readQuery(db, () => {
    const row = prepared(db, 'SELECT * FROM agent_balances WHERE terminal_ref = ? AND currency = ?').get(
      terminalRef,
      currency
    ) as DbAgentBalanceRow | undefined
    return row ? balanceFromRow(row) : null
  })
}

/** Balances of one terminal, or of all terminals, by terminal and currency. */
export function listBalances(db: Db, terminalRef?: string): AgentBalance[] {
  return readQuery(db, () => {
    const rows =
      terminalRef === undefined
        ? (prepared(
            db,
            'SELECT * FROM agent_balances ORDER BY terminal_ref, currency'
          ).all() as DbAgentBalanceRow[])
        : (prepared(db, 'SELECT * FROM agent_balances WHERE terminal_ref = ? ORDER BY currency').all(
            terminalRef
          ) as DbAgentBalanceRow[])
    return rows.map(balanceFromRow)
  })
}
