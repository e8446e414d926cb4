/**
 * History at scale: 100 000 payouts in the local database, the History page must page
 * through them (a few history:query calls, a few dozen DOM rows), never load them all.
 * The database is seeded through the repositories before the web host starts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { DB_FILE } from '../../electron/core/app/app-core'
import { closeDatabase, openDatabase, writeTransaction } from '../../electron/core/db/connection'
import { createTerminal, pauseTerminal } from '../../electron/core/db/repositories/terminals.repository'
import { expect, startWebHostProcess, test } from './fixtures'

const ROWS = 100_000

test.use({ locale: 'ru-RU' })

/**
 * Seeds the archive with set-based SQL (the repositories' one-by-one intents take ~1 ms
 * each, far too slow for 100k in CI). The schema's triggers still apply: rows are inserted
 * queued and unsent, then 90% move to declined, exactly the moves the state machine allows.
 */
function seed(dataDir: string): { ms: number } {
  const t0 = Date.now()
  const db = openDatabase(join(dataDir, DB_FILE))
  try {
    const t = createTerminal(db, {
      name: 'Архив',
      terminalId: '10001',
      endpoint: 'sandbox',
      authMode: 'password',
      servicesAllowed: ['wallet', 'card', 'sbp']
    })
    // Paused: the engine must not try to send the seeded queued ones.
    pauseTerminal(db, t.id, 'seeded archive', null)
    const start = Date.now() - ROWS * 30_000
    writeTransaction(db, () => {
      db.prepare(
        `INSERT INTO payouts (client_request_id, terminal_ref, terminal_id, transaction_number, service, service_id,
           account, account_display, amount_kopecks, currency, extras, precheck, entry_seq, state, next_action,
           pay_sent, attempts, next_check_at, created_at, updated_at)
         WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < @rows - 1)
         SELECT 'seed-' || i, @ref, @tid, CAST(5000000000000 + i AS TEXT),
           CASE i % 3 WHEN 0 THEN 'wallet' WHEN 1 THEN 'card' ELSE 'sbp' END,
           CASE i % 3 WHEN 0 THEN 99 WHEN 1 THEN 34020 ELSE 38413 END,
           CASE i % 3 WHEN 1 THEN '4111111111111111' ELSE '7918' || printf('%07d', i) END,
           CASE i % 3 WHEN 1 THEN '4111 11** **** 1111' ELSE '+7 918 ' || printf('%03d', i % 1000) || '-00-00' END,
           100 + (i * 7919) % 5000000, 'RUB', '{}', 0, i + 1, 'queued', 'pay', 0, 0,
           @start + i * 30000, @start + i * 30000, @start + i * 30000
         FROM seq`
      ).run({ rows: ROWS, ref: t.id, tid: t.terminalId, start })
      db.prepare(
        `UPDATE payouts SET state = 'declined', next_action = NULL, next_check_at = NULL,
           final_at = created_at, updated_at = created_at
         WHERE terminal_ref = ? AND entry_seq % 10 <> 1`
      ).run(t.id)
    })
  } finally {
    closeDatabase(db)
  }
  return { ms: Date.now() - t0 }
}

test('100 000 payouts: paged as the table scrolls, never loaded at once', async ({ page }) => {
  test.setTimeout(180_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'qiwi-desk-e2e-100k-'))
  const seeded = seed(dataDir)
  process.stdout.write(`seeded ${ROWS} payouts in ${seeded.ms} ms\n`)
  const host = await startWebHostProcess({ dataDir })
  try {
    const queries: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/api/call/history%3Aquery') || r.url().includes('/api/call/history:query')) {
        queries.push(r.postData() ?? '')
      }
    })
    await page.goto(host.url)
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'История' }).click()
    await expect(page.getByTestId('history-count')).toHaveText(`Найдено: ${ROWS}`, { timeout: 20_000 })
    const rows = page.locator('[data-testid^="history-row-"]')
    await expect(rows.first()).toBeVisible()
    expect(await rows.count()).toBeLessThan(80)

    // Jump through the whole list: End, then random positions.
    const t0 = Date.now()
    await rows.first().focus()
    await page.keyboard.press('End')
    await expect(page.locator(`[aria-rowindex="${ROWS + 1}"]`)).toBeVisible({ timeout: 10_000 })
    await expect(page.locator(`[aria-rowindex="${ROWS + 1}"]`)).not.toHaveClass(/loading/)
    const scroller = page.getByTestId('history-scroll')
    for (const frac of [0.5, 0.1, 0.9, 0.33, 0.77]) {
      await scroller.evaluate((el, f) => {
        el.scrollTop = (el.scrollHeight - el.clientHeight) * f
      }, frac)
      await expect(page.locator('.vtable-row.loading')).toHaveCount(0, { timeout: 10_000 })
    }
    const elapsed = Date.now() - t0
    process.stdout.write(`end + 5 jumps over ${ROWS} rows: ${elapsed} ms, history:query calls: ${queries.length}\n`)

    expect(await rows.count()).toBeLessThan(80)
    // Each jump needs at most two 100-row pages; nothing close to the whole set is ever fetched.
    expect(queries.length).toBeLessThanOrEqual(20)
    for (const q of queries) expect((JSON.parse(q) as { page: { limit: number } }).page.limit).toBeLessThanOrEqual(100)

    // Filtering the 100k set still answers with totals of the filtered set.
    await page.getByTestId('filter-state-queued').check()
    await expect(page.getByTestId('history-count')).toHaveText(`Найдено: ${ROWS / 10}`)
  } finally {
    await host.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
