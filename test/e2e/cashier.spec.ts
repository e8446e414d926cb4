/**
 * The cashier's screens end to end: a real web host (the core + the embedded sandbox, fresh
 * data dir per test) driven in Debian's Chromium. Payouts are entered with the keyboard only;
 * the sandbox's faults are scripted through the contract's `sandbox:*` calls.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import Papa from 'papaparse'

import type { Calls } from '../../shared/contract'
import { VECTORS_DIR } from '../support/paths'
import type { CallInput, CallOutput } from '../../shared/contract-kit'
import type { PayoutView } from '../../shared/payouts'
import { expect, ROOT, shot, test } from './fixtures'
import type { WebHostProcess } from './fixtures'
import type { Locator, Page } from '@playwright/test'

test.use({ locale: 'ru-RU' })

/** Calls the contract the way the page does (POST /api/call/<channel> with the token). */
async function call<K extends keyof Calls>(
  host: WebHostProcess,
  channel: K,
  input: CallInput<Calls[K]>
): Promise<CallOutput<Calls[K]>> {
  const res = await fetch(`${host.origin}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
    body: JSON.stringify(input)
  })
  const body = (await res.json()) as { ok: true; value: CallOutput<Calls[K]> } | { ok: false; error: { code: string; message: string } }
  if (!body.ok) throw new Error(`${channel}: ${body.error.code} ${body.error.message}`)
  return body.value
}

async function callError(host: WebHostProcess, channel: keyof Calls, input: unknown): Promise<string | null> {
  const res = await fetch(`${host.origin}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
    body: JSON.stringify(input)
  })
  const body = (await res.json()) as { ok: boolean; error?: { code: string } }
  return body.ok ? null : (body.error?.code ?? 'unknown')
}

async function history(host: WebHostProcess, filter: CallInput<Calls['history:query']>['filter'] = {}): Promise<PayoutView[]> {
  const r = await call(host, 'history:query', { filter, sort: { column: 'createdAt', dir: 'asc' }, page: { limit: 1000, offset: 0 } })
  return r.rows
}

async function openDesk(page: Page, host: WebHostProcess): Promise<void> {
  await page.goto(host.url)
  await expect(page.getByTestId('field-account')).toBeFocused()
}

/** Enter → review → Enter on the (focused, armed) Pay button; returns the transaction number. */
async function confirmByKeyboard(page: Page): Promise<string> {
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('confirm-panel')).toBeVisible()
  await expect(page.getByTestId('pay-button')).toBeFocused()
  await page.keyboard.press('Enter')
  const note = page.getByTestId('created-note')
  await expect(note).toBeVisible()
  const m = /(\d{1,20})/.exec((await note.textContent()) ?? '')
  expect(m?.[1]).toBeTruthy()
  return m?.[1] ?? ''
}

/** Toasts are transient; screenshots for the docs are taken without them. */
async function clearToasts(page: Page): Promise<void> {
  const close = page.locator('.toast-close')
  for (let i = 0; i < 10 && (await close.count()) > 0; i++) {
    // A toast may expire by itself between the count and the click: that is fine.
    await close
      .first()
      .click({ timeout: 2000 })
      .catch(() => undefined)
  }
}

function queueRow(page: Page, number: string): Locator {
  return page.getByTestId(`queue-row-${number}`)
}

test('wallet, card and SBP payouts entered with the keyboard only', async ({ page, host }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await openDesk(page, host)

  // Wallet: the phone mask, the pre-check, the confirmation, the queue, the final state.
  await page.keyboard.type('89181234567')
  await expect(page.getByTestId('field-account')).toHaveValue('+7 918 123-45-67')
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('field-amount')).toBeFocused()
  await page.keyboard.type('15')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('confirm-recipient')).toHaveText('+7 918 123-45-67')
  await expect(page.getByTestId('confirm-amount')).toContainText('15,00')
  await expect(page.getByTestId('precheck')).toHaveAttribute('data-kind', 'possible')
  await expect(page.getByTestId('pay-button')).toBeFocused()
  await shot(page, 'cashier-ru-confirm')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('created-note')).toBeVisible()
  const wallet = /(\d{1,20})/.exec((await page.getByTestId('created-note').textContent()) ?? '')?.[1] ?? ''
  // After a payout the cashier is back in the first field, form empty.
  await expect(page.getByTestId('field-account')).toBeFocused()
  await expect(page.getByTestId('field-account')).toHaveValue('')
  await expect(queueRow(page, wallet)).toBeVisible()
  await expect(queueRow(page, wallet)).toHaveAttribute('data-state', 'succeeded', { timeout: 30_000 })
  await expect(page.getByTestId(`toast-${wallet}`)).toContainText('Выплачено')

  // Card: Shift+Tab to the service radios, arrow to "card", Tab into the card number.
  await page.keyboard.press('Shift+Tab')
  await expect(page.getByTestId('service-wallet')).toBeFocused()
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('service-card')).toBeChecked()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('field-account')).toBeFocused()
  await page.keyboard.type('4111111111111111')
  await expect(page.getByTestId('field-account')).toHaveValue('4111 1111 1111 1111')
  await expect(page.getByTestId('card-brand')).toHaveAttribute('data-brand', 'visa')
  await page.keyboard.press('Tab')
  await page.keyboard.type('20,50')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('confirm-card')).toContainText('4111 1111 1111 1111')
  await expect(page.getByTestId('precheck')).toHaveAttribute('data-kind', 'not-applicable')
  await expect(page.getByTestId('pay-button')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('created-note')).toBeVisible()
  const card = /(\d{1,20})/.exec((await page.getByTestId('created-note').textContent()) ?? '')?.[1] ?? ''

  // SBP: phone, bank id, amount.
  await expect(page.getByTestId('field-account')).toBeFocused()
  await page.keyboard.press('Shift+Tab')
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('service-sbp')).toBeChecked()
  await page.keyboard.press('Tab')
  await page.keyboard.type('70070310009')
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('field-bankId')).toBeFocused()
  await page.keyboard.type('100000000008')
  await page.keyboard.press('Tab')
  await page.keyboard.type('10007.03')
  const sbp = await confirmByKeyboard(page)

  for (const n of [card, sbp]) {
    await expect(queueRow(page, n)).toHaveAttribute('data-state', 'succeeded', { timeout: 30_000 })
  }
  await shot(page, 'cashier-ru-payouts')

  const rows = await history(host)
  expect(rows.map((r) => [r.transactionNumber, r.service, r.amount, r.state])).toEqual([
    [wallet, 'wallet', '15.00', 'succeeded'],
    [card, 'card', '20.50', 'succeeded'],
    [sbp, 'sbp', '10007.03', 'succeeded']
  ])
  expect(rows[0]?.account).toBe('+7 918 123-45-67')
  expect(rows[1]?.account).toMatch(/^4111 11\*\* \*\*\*\* 1111$/)
  expect(rows[2]?.account).toBe('+7 007 031-00-09')
  expect(errors).toEqual([])
})

test('invalid input shows the right message and records nothing', async ({ page, host }) => {
  await openDesk(page, host)
  const account = page.getByTestId('field-account')

  // A letter in a phone is named at once, before any submit.
  await page.keyboard.type('91a')
  await expect(page.getByTestId('error-account')).toHaveText('Номер может содержать только цифры, +, пробелы, скобки и дефисы')
  await page.keyboard.press('Escape')
  await expect(account).toHaveValue('')

  // Incomplete phone + amount below the rail: both explained, focus on the first.
  await page.keyboard.type('912345')
  await page.keyboard.press('Tab')
  await page.keyboard.type('0,5')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('error-account')).toContainText('Номер неполный или слишком длинный')
  await expect(page.getByTestId('error-amount')).toHaveText('Минимальная сумма — 1,00 ₽')
  await expect(account).toBeFocused()
  await expect(page.getByTestId('confirm-panel')).toHaveCount(0)
  await shot(page, 'cashier-ru-invalid')
  await page.keyboard.press('Escape')

  // Above the wallet rail.
  await page.keyboard.type('9181234567')
  await page.keyboard.press('Tab')
  await page.keyboard.type('60000,01')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('error-amount')).toHaveText('Максимальная сумма — 60 000,00 ₽')
  await page.keyboard.press('Escape')

  // A card with a typo (Luhn), and SBP without the bank.
  await page.keyboard.press('Shift+Tab')
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('Tab')
  await page.keyboard.type('4111111111111112')
  await page.keyboard.press('Tab')
  await page.keyboard.type('10')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('error-account')).toHaveText('Номер карты с ошибкой — проверьте цифры')
  await page.keyboard.press('Escape')
  await page.keyboard.press('Shift+Tab')
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('service-sbp')).toBeChecked()
  await page.keyboard.press('Tab')
  await page.keyboard.type('70070310009')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  await page.keyboard.type('10')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('error-bankId')).toHaveText('Укажите ID банка получателя в СБП')
  await expect(page.getByTestId('field-bankId')).toBeFocused()
  await expect(page.getByTestId('confirm-panel')).toHaveCount(0)

  // The core is the last line of defence: the same mistakes sent directly are refused too.
  const base = { clientRequestId: randomUUID(), terminalRef: (await call(host, 'terminals:list', {}))[0]?.id ?? '' }
  expect(await callError(host, 'payouts:create', { ...base, service: 'wallet', account: '79181234567', amount: '0.50' })).toBe(
    'invalid-amount'
  )
  expect(await callError(host, 'payouts:create', { ...base, service: 'card', account: '4111111111111112', amount: '10' })).toBe(
    'invalid-card'
  )
  expect(await callError(host, 'payouts:create', { ...base, service: 'wallet', account: '912345', amount: '10' })).toBe(
    'invalid-phone'
  )

  expect(await history(host)).toEqual([])
  await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'История' }).click()
  await expect(page.getByTestId('history-count')).toHaveText('Найдено: 0')
})

test('a double Enter, a double click and a burst of clicks each create exactly one payout', async ({ page, host }) => {
  await openDesk(page, host)

  await page.keyboard.type('9181234567')
  await page.keyboard.press('Tab')
  await page.keyboard.type('11')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('pay-button')).toBeFocused()
  await page.keyboard.press('Enter')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('created-note')).toBeVisible()

  await page.keyboard.type('9181234567')
  await page.keyboard.press('Tab')
  await page.keyboard.type('12')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('pay-button')).toBeEnabled()
  await page.getByTestId('pay-button').dblclick()
  await expect(page.getByTestId('created-note')).toContainText(/\d+/)

  // Five clicks inside one task: no re-render in between, only the synchronous lock can hold.
  await page.keyboard.type('9181234567')
  await page.keyboard.press('Tab')
  await page.keyboard.type('13')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('pay-button')).toBeEnabled()
  await page.getByTestId('pay-button').evaluate((b: HTMLButtonElement) => {
    for (let i = 0; i < 5; i++) b.click()
  })
  await expect(page.getByTestId('created-note')).toBeVisible()

  await page.waitForTimeout(1500)
  const rows = await history(host)
  expect(rows.map((r) => r.amount).sort()).toEqual(['11.00', '12.00', '13.00'])
})

test('a reply lost after processing shows as waiting, never failed, and turns final', async ({ page, host }) => {
  await call(host, 'sandbox:injectFault', { request: 'pay', kind: 'reset-after', times: 1 })
  await openDesk(page, host)
  await page.keyboard.type('9181234567')
  await page.keyboard.press('Tab')
  await page.keyboard.type('17')
  const n = await confirmByKeyboard(page)
  const row = queueRow(page, n)

  const seen = new Set<string>()
  const sample = async (): Promise<string> => {
    const s = (await row.getAttribute('data-state')) ?? ''
    seen.add(s)
    return s
  }
  await expect.poll(sample, { timeout: 20_000, intervals: [100] }).toBe('waiting')
  await expect(row.getByTestId('state-hint')).toContainText('Исход пока неизвестен')
  await shot(page, 'cashier-ru-waiting')

  await call(host, 'sandbox:finalizeAll', {})
  await expect.poll(sample, { timeout: 40_000, intervals: [200] }).toBe('succeeded')
  expect([...seen]).not.toContain('failed')

  const [p] = await history(host)
  expect(p?.state).toBe('succeeded')
  const detail = await call(host, 'payouts:get', { id: p?.id ?? 0 })
  expect(detail.events.some((e) => e.kind === 'error' || e.toState === 'waiting')).toBe(true)
  // The payout was paid once on the server: exactly one row here.
  expect(await history(host)).toHaveLength(1)
})

test('offline: banner, payouts wait in the queue, then go out when the server is back', async ({ page, host }) => {
  await openDesk(page, host)
  await call(host, 'sandbox:setReachable', { reachable: false })
  await expect(page.getByTestId('offline-banner')).toBeVisible({ timeout: 20_000 })
  await page.getByTestId('field-account').focus()
  await page.keyboard.type('9181234567')
  await page.keyboard.press('Tab')
  await page.keyboard.type('18')
  await page.keyboard.press('Enter')
  // The pre-check cannot reach QIWI: the desk says so and still lets the payout be recorded.
  await expect(page.getByTestId('precheck')).not.toHaveAttribute('data-kind', 'loading', { timeout: 20_000 })
  await expect(page.getByTestId('pay-button')).toBeFocused()
  await page.keyboard.press('Enter')
  const n = /(\d{1,20})/.exec((await page.getByTestId('created-note').textContent()) ?? '')?.[1] ?? ''
  await expect(queueRow(page, n)).toHaveAttribute('data-state', /queued-offline|waiting/, { timeout: 20_000 })
  await shot(page, 'cashier-ru-offline')
  await call(host, 'sandbox:setReachable', { reachable: true })
  await expect(page.getByTestId('offline-banner')).toHaveCount(0, { timeout: 30_000 })
  await expect(queueRow(page, n)).toHaveAttribute('data-state', 'succeeded', { timeout: 45_000 })
})

test('history: filters, search, CSV export of exactly the filtered rows, detail and receipt', async ({ page, host }) => {
  const terminalRef = (await call(host, 'terminals:list', {}))[0]?.id ?? ''
  const made: PayoutView[] = []
  for (const [service, account, amount] of [
    ['wallet', '79181234567', '10.00'],
    ['wallet', '79031234567', '25.00'],
    ['card', '4111111111111111', '30.00'],
    ['wallet', '79181234567', '40.00'],
    ['card', '2200000000000004', '55.55'],
    ['sbp', '70070310009', '60.00']
  ] as const) {
    made.push(
      await call(host, 'payouts:create', {
        clientRequestId: randomUUID(),
        terminalRef,
        service,
        account,
        amount,
        precheck: false,
        ...(service === 'sbp' ? { bankId: '100000000008' } : {})
      })
    )
  }
  await call(host, 'sandbox:finalizeAll', {})
  await expect
    .poll(async () => (await history(host)).filter((p) => p.final).length, { timeout: 45_000 })
    .toBe(made.length)

  await page.addInitScript(() => {
    const w = window as unknown as { printed: number; print: () => void }
    w.printed = 0
    w.print = () => {
      w.printed++
    }
  })
  await page.goto(host.url)
  await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'История' }).click()
  await expect(page.getByTestId('history-count')).toHaveText(`Найдено: ${made.length}`)
  await shot(page, 'cashier-ru-history')

  // Service filter: only cards.
  await page.getByTestId('filter-service-card').check()
  await expect(page.getByTestId('history-count')).toHaveText('Найдено: 2')
  const cards = made.filter((p) => p.service === 'card')
  for (const p of cards) await expect(page.getByTestId(`history-row-${p.transactionNumber}`)).toBeVisible()
  await expect(page.locator('[data-testid^="history-row-"]')).toHaveCount(2)

  const download = page.waitForEvent('download')
  await page.getByTestId('export-csv').click()
  const file = await (await download).path()
  const parsed = Papa.parse<Record<string, string>>(readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true })
  expect(parsed.errors).toEqual([])
  expect(parsed.data.map((r) => r['transactionNumber']).sort()).toEqual(cards.map((p) => p.transactionNumber).sort())
  expect(parsed.data.map((r) => r['amount']).sort()).toEqual(['30.00', '55.55'])
  expect(new Set(parsed.data.map((r) => r['service']))).toEqual(new Set(['card']))
  await expect(page.getByRole('status').filter({ hasText: 'Сохранено строк: 2' })).toBeVisible()

  // Amount range and search narrow further; the totals follow the filtered set.
  await page.getByTestId('filter-service-card').uncheck()
  await page.getByLabel('Сумма от').fill('25')
  await page.getByLabel('Сумма до').fill('55,55')
  await expect(page.getByTestId('history-count')).toHaveText('Найдено: 4')
  await expect(page.getByTestId('history-sum')).toHaveText('на сумму 150,55 ₽')
  await page.getByLabel('Сумма от').fill('')
  await page.getByLabel('Сумма до').fill('')
  await page.getByLabel('Поиск').fill('+7 918 123')
  await expect(page.getByTestId('history-count')).toHaveText('Найдено: 2')
  const target = made[3] as PayoutView
  await page.getByLabel('Поиск').fill(target.transactionNumber)
  await expect(page.getByTestId('history-count')).toHaveText('Найдено: 1')

  // Sorting by amount flips the order.
  await page.getByLabel('Поиск').fill('')
  await expect(page.getByTestId('history-count')).toHaveText(`Найдено: ${made.length}`)
  await page.getByTestId('sort-amountKopecks').click()
  await expect(page.locator('[data-testid^="history-row-"]').first()).toHaveAttribute(
    'data-testid',
    `history-row-${made[5]?.transactionNumber ?? ''}`
  )
  await page.getByTestId('sort-amountKopecks').click()
  await expect(page.locator('[data-testid^="history-row-"]').first()).toHaveAttribute(
    'data-testid',
    `history-row-${made[0]?.transactionNumber ?? ''}`
  )

  // Keyboard: focus the first row, Enter opens the payout with its timeline.
  await page.locator('[data-testid^="history-row-"]').first().focus()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
  const detail = page.getByTestId('payout-detail')
  await expect(detail).toBeVisible()
  await expect(detail.getByRole('heading', { level: 2 })).toContainText(made[1]?.transactionNumber ?? '')
  await expect(detail.getByTestId('timeline').locator('li[data-kind="request"]').first()).toBeVisible()
  await expect(detail.getByTestId('timeline').locator('li[data-kind="reply"] pre').first()).toContainText('<response', {
    useInnerText: false
  })
  await shot(page, 'cashier-ru-detail')
  await detail.getByTestId('print-receipt').click()
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1)
  const receipt = page.getByTestId('receipt')
  await expect(receipt).toContainText('Чек о выплате', { useInnerText: false })
  await expect(receipt).toContainText(made[1]?.transactionNumber ?? '', { useInnerText: false })
  await expect(receipt).toContainText('25,00 ₽', { useInnerText: false })
  await page.emulateMedia({ media: 'print' })
  await page.evaluate(() => document.body.classList.add('printing-receipt'))
  await expect(receipt).toBeVisible()
  await shot(page, 'cashier-ru-receipt')
  await page.evaluate(() => document.body.classList.remove('printing-receipt'))
  await page.emulateMedia({ media: 'screen' })
  await page.keyboard.press('Escape')
  await expect(detail).toHaveCount(0)

  // A payout made elsewhere (another window, the CLI) is announced, not shuffled in under the cashier.
  await call(host, 'payouts:create', { clientRequestId: randomUUID(), terminalRef, service: 'wallet', account: '79181234567', amount: '70.00' })
  await expect(page.getByTestId('history-stale')).toBeVisible()
  await page.getByTestId('history-stale').getByRole('button').click()
  await expect(page.getByTestId('history-count')).toHaveText(`Найдено: ${made.length + 1}`)
  await expect(page.getByTestId('history-stale')).toHaveCount(0)
})

test('English and back; screenshots of every cashier page in both languages', async ({ page, host }) => {
  await page.setViewportSize({ width: 1280, height: 1000 })
  const terminalRef = (await call(host, 'terminals:list', {}))[0]?.id ?? ''
  for (const [service, account, amount] of [
    ['wallet', '79181234567', '1500.00'],
    ['card', '4111111111111111', '2750.50']
  ] as const) {
    await call(host, 'payouts:create', { clientRequestId: randomUUID(), terminalRef, service, account, amount, precheck: false })
  }
  await call(host, 'balances:refresh', {})
  await openDesk(page, host)
  const nav = page.getByRole('navigation', { name: 'main' })

  const tour = async (lang: 'ru' | 'en'): Promise<void> => {
    const names =
      lang === 'ru'
        ? { payouts: 'Выплаты', history: 'История', report: 'Отчёт', settings: 'Настройки' }
        : { payouts: 'Payouts', history: 'History', report: 'Report', settings: 'Settings' }
    await nav.getByRole('link', { name: names.payouts }).click()
    await expect(page.getByTestId('balances')).toBeVisible()
    await clearToasts(page)
    await shot(page, `cashier-${lang}-payouts-page`)
    await nav.getByRole('link', { name: names.history }).click()
    await expect(page.locator('[data-testid^="history-row-"]').first()).toBeVisible()
    await clearToasts(page)
    await shot(page, `cashier-${lang}-history-page`)
    await nav.getByRole('link', { name: names.report }).click()
    await expect(page.getByTestId('report')).toBeVisible()
    await expect(page.getByTestId('day-chart').locator('canvas')).toBeVisible()
    await clearToasts(page)
    await shot(page, `cashier-${lang}-report`)
    await nav.getByRole('link', { name: names.settings }).click()
    await expect(page.getByTestId('credentials-panel')).toBeVisible()
    await clearToasts(page)
    await shot(page, `cashier-${lang}-settings`)
  }

  await tour('ru')
  await page.getByLabel('Язык интерфейса').selectOption('en')
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible()
  await nav.getByRole('link', { name: 'Payouts' }).click()
  await expect(page.getByLabel('Recipient phone')).toBeVisible()
  await page.getByLabel('Recipient phone').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('error-account')).toHaveText('Enter a phone number')
  await expect(page.getByRole('button', { name: 'Check and continue' })).toBeVisible()
  await page.keyboard.type('9181234567')
  await page.keyboard.press('Tab')
  await page.keyboard.type('15')
  await page.keyboard.press('Enter')
  await expect(page.getByRole('heading', { name: 'Check the payout' })).toBeVisible()
  await expect(page.getByTestId('pay-button')).toHaveText('Pay 15.00 RUB')
  await shot(page, 'cashier-en-confirm')
  await page.keyboard.press('Escape')
  await tour('en')

  await page.getByLabel('Language').selectOption('ru')
  await nav.getByRole('link', { name: 'Выплаты' }).click()
  await expect(page.getByLabel('Телефон получателя')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Проверить и продолжить' })).toBeVisible()

  await nav.getByRole('link', { name: 'Настройки' }).click()
  await page.getByLabel('Оформление').selectOption('dark')
  await nav.getByRole('link', { name: 'Выплаты' }).click()
  await shot(page, 'cashier-ru-payouts-dark')
  await nav.getByRole('link', { name: 'Отчёт' }).click()
  await expect(page.getByTestId('day-chart').locator('canvas')).toBeVisible()
  await shot(page, 'cashier-ru-report-dark')
})

test('settings: add a terminal, store its password, pay from it, remove it', async ({ page, host }) => {
  await page.goto(host.url)
  const nav = page.getByRole('navigation', { name: 'main' })
  await nav.getByRole('link', { name: 'Настройки' }).click()
  await expect(page.getByTestId('keychain-panel')).toHaveAttribute('data-mode', /keychain|session/)

  await page.getByTestId('add-terminal').click()
  const editor = page.getByTestId('terminal-editor')
  // Validation first: nothing is saved without a name and a numeric terminal id.
  await editor.getByTestId('terminal-save').click()
  await expect(editor.getByText('Укажите название')).toBeVisible()
  await editor.getByLabel('Название').fill('Касса 2')
  await editor.getByLabel('ID терминала (terminal-id)').fill('10005')
  await editor.getByLabel('Банковская карта').uncheck()
  await editor.getByLabel('Порог низкого баланса, ₽').fill('500')
  await editor.getByLabel('Не чаще одной проверки статуса, секунд').fill('5')
  await editor.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'cashier-ru-terminal-editor.png') })
  await editor.getByTestId('terminal-save').click()
  await expect(editor).toHaveCount(0)
  const item = page.getByTestId('terminal-10005')
  await expect(item).toContainText('Касса 2')
  await expect(item).toContainText('Кошелёк, СБП')

  // The new terminal is selected: its password is stored (never shown back).
  const creds = page.getByTestId('credentials-panel')
  await expect(creds).toContainText('Касса 2')
  await expect(creds.getByTestId('cred-password')).toHaveAttribute('data-stored', 'false')
  await creds.getByLabel('Новый пароль').fill('demo-pass-10005')
  await creds.getByLabel('Новый пароль').press('Enter')
  await expect(creds.getByTestId('cred-password')).toHaveAttribute('data-stored', 'true')
  await expect(creds.getByLabel('Новый пароль')).toHaveValue('')

  const terminals = await call(host, 'terminals:list', {})
  const t2 = terminals.find((t) => t.terminalId === '10005')
  expect(t2).toMatchObject({ name: 'Касса 2', servicesAllowed: ['wallet', 'sbp'], lowBalance: '500.00', minPollSeconds: 5 })

  // On the desk: the chooser offers it, and only its services.
  await nav.getByRole('link', { name: 'Выплаты' }).click()
  await page.getByTestId('terminal-select').selectOption({ label: 'Касса 2 (10005)' })
  await expect(page.getByTestId('service-card')).toHaveCount(0)
  await expect(page.getByTestId('service-sbp')).toBeVisible()
  await page.getByTestId('field-account').focus()
  await page.keyboard.type('9181234567')
  await page.keyboard.press('Tab')
  await page.keyboard.type('5')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('confirm-terminal')).toContainText('Касса 2')
  await expect(page.getByTestId('pay-button')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('created-note')).toBeVisible()
  await expect.poll(async () => (await history(host)).map((p) => [p.terminalRef, p.amount])).toEqual([[t2?.id, '5.00']])

  // The sandbox's poor agent has ~100 RUB, under the 500 threshold: highlighted, and an alert to acknowledge.
  await page.getByTestId('balances-refresh').click()
  const low = page.locator(`[data-testid^="balance-${t2?.id ?? ''}-"][data-low="true"]`)
  await expect(low.first()).toBeVisible({ timeout: 20_000 })
  const alert = page.getByTestId('alerts').locator('li[data-kind="low-balance"]').first()
  await expect(alert).toContainText('Низкий баланс агента')
  await clearToasts(page)
  await shot(page, 'cashier-ru-low-balance')
  await alert.getByRole('button', { name: 'Понятно' }).click()
  await expect(page.getByTestId('alerts').locator('li[data-kind="low-balance"]')).toHaveCount(0)
  await expect.poll(async () => (await call(host, 'alerts:list', {})).filter((a) => a.kind === 'low-balance').length).toBe(0)

  // A signing key file goes in as bytes; only "stored" and its public half come back.
  await nav.getByRole('link', { name: 'Настройки' }).click()
  await page.getByTestId('terminal-10001').getByRole('button', { name: 'Песочница', exact: true }).click()
  const demoCreds = page.getByTestId('credentials-panel')
  await expect(demoCreds).toContainText('Песочница')
  await expect(demoCreds.getByTestId('cred-signing-key')).toHaveAttribute('data-stored', 'false')
  await demoCreds.getByLabel('Файл ключа подписи (PEM)').setInputFiles(join(VECTORS_DIR, 'derived', 'xml-signature', 'test-private.key'))
  await demoCreds.getByRole('button', { name: 'Импортировать ключ' }).click()
  await expect(demoCreds.getByTestId('cred-signing-key')).toHaveAttribute('data-stored', 'true')
  await demoCreds.getByTestId('export-public-key').click()
  const pem = readFileSync(join(VECTORS_DIR, 'derived', 'xml-signature', 'test-public.key'), 'utf8')
  const body = (s: string): string => s.replace(/-----[^-]+-----|\s/g, '')
  await expect.poll(async () => body(await demoCreds.getByTestId('public-key-pem').inputValue())).toBe(body(pem))
  // A file that is not a key is refused with a human message and its code.
  await demoCreds.getByLabel('Файл ключа подписи (PEM)').setInputFiles({ name: 'note.pem', mimeType: 'text/plain', buffer: Buffer.from('not a key') })
  await demoCreds.getByRole('button', { name: 'Импортировать ключ' }).click()
  await expect(demoCreds.getByTestId('error-note')).toHaveAttribute('data-code', /^credential-/)

  // Remove asks first; a terminal with payouts stays (its history is kept), an unused one goes.
  await page.getByRole('button', { name: 'Удалить терминал: Касса 2' }).click()
  await page.getByTestId('confirm-remove-10005').click()
  await expect(page.getByTestId('remove-conflict')).toBeVisible()
  await expect(page.getByTestId('terminal-10005')).toBeVisible()
  await call(host, 'terminals:save', {
    name: 'Учебная',
    terminalId: '10004',
    endpoint: 'sandbox',
    authMode: 'password',
    servicesAllowed: ['wallet'],
    precheckAbsentWalletPolicy: 'decline'
  })
  await expect(page.getByTestId('terminal-10004')).toBeVisible()
  await page.getByRole('button', { name: 'Удалить терминал: Учебная' }).click()
  await page.getByTestId('confirm-remove-10004').click()
  await expect(page.getByTestId('terminal-10004')).toHaveCount(0)
  expect((await call(host, 'terminals:list', {})).map((t) => t.terminalId).sort()).toEqual(['10001', '10005'])
  expect(await history(host)).toHaveLength(1)
})
