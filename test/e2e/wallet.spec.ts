/**
 * The wallet owner's screens end to end: the real web host (same core as Electron) with the
 * embedded sandbox's personal-API emulator, driven through Chromium. The demo token comes
 * from sandbox:info; "offline" is the sandbox taken off the network (sandbox:setReachable).
 */
import { readFileSync } from 'node:fs'

import type { Locator, Page } from '@playwright/test'

import type { SandboxInfo, Settings } from '../../shared/contract'
import type { Result } from '../../shared/result'
import { expect, shot, test } from './fixtures'
import type { WebHostProcess } from './fixtures'

/** The emulator's second demo wallet (docs/SANDBOX-PERSONAL.md: `recipientWallet`). */
const RECIPIENT = '79007654321'

async function call<T>(host: WebHostProcess, channel: string, input: unknown = {}): Promise<T> {
  const res = await fetch(`${host.origin}/api/call/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
    body: JSON.stringify(input)
  })
  const body = (await res.json()) as Result<T>
  if (!body.ok) throw new Error(`${channel}: ${body.error.code} ${body.error.message}`)
  return body.value
}

async function demo(
  host: WebHostProcess
): Promise<NonNullable<NonNullable<SandboxInfo['demo']>['personal']>> {
  const info = await call<SandboxInfo>(host, 'sandbox:info')
  const personal = info.demo?.personal
  if (!personal) throw new Error('the embedded sandbox has no personal demo wallet')
  return personal
}

async function countOf(page: Page): Promise<number> {
  const el = page.getByTestId('wallet-history-count')
  await expect(el).toContainText(/\d/)
  const m = /(\d[\d\s\u00a0,]*)/.exec((await el.textContent()) ?? '')
  return Number((m?.[1] ?? '').replace(/[^\d]/g, ''))
}

/** The count once it differs from `before` (the filter is applied after a short debounce). */
async function countChangedFrom(page: Page, before: number): Promise<number> {
  await expect.poll(() => countOf(page)).not.toBe(before)
  return countOf(page)
}

function rows(page: Page): Locator {
  return page.getByTestId('wallet-history-table').locator('[role="row"][data-index]:not(.loading)')
}

async function visibleCells(page: Page, col: number): Promise<string[]> {
  return rows(page).evaluateAll(
    (els, c) => els.map((e) => e.querySelectorAll('[role="cell"]')[c]?.textContent ?? ''),
    col
  )
}

test.describe('ru', () => {
  test.use({ locale: 'ru-RU', timezoneId: 'Europe/Moscow' })

  test('wallet (ru): token login, history sync/filter/detail, offline, totals, transfer, two wallets, logout', async ({
    page,
    host
  }) => {
    test.setTimeout(180_000)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const personal = await demo(host)

    await page.goto(host.url)
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Кошелёк' }).click()
    await expect(page.getByRole('heading', { level: 1, name: 'Кошелёк' })).toBeVisible()
    const login = page.getByTestId('wallet-login')
    await expect(login.getByRole('heading', { name: 'Вход в кошелёк' })).toBeVisible()
    await expect(login).toContainText('Платежи без SMS')
    await shot(page, 'wallet-ru-login')

    // ── a wrong token is refused at once, localized, with the code for support ──
    await page.getByLabel('API-токен', { exact: true }).fill('wrong-token-1234567890')
    await page.getByRole('button', { name: 'Проверить токен и войти' }).click()
    const refused = login.getByTestId('wallet-error')
    await expect(refused).toHaveAttribute('data-code', 'unauthorized')
    await expect(refused).toContainText('Токен не принят')
    await expect(refused).toContainText('Код для поддержки: unauthorized')
    await shot(page, 'wallet-ru-login-refused')

    // ── the demo token: validated, permissions probed, token age and expiry shown ──
    await page.getByLabel('API-токен', { exact: true }).fill(`Bearer ${personal.token}`)
    await page.getByRole('button', { name: 'Проверить токен и войти' }).click()
    await expect(page.getByTestId('wallet-added')).toBeVisible({ timeout: 20_000 })
    await expect(page.getByTestId(`wallet-tab-${personal.wallet}`)).toHaveAttribute('aria-selected', 'true')
    for (const s of ['profile', 'balance', 'history', 'payments']) {
      await expect(page.getByTestId(`perm-${s}`)).toHaveAttribute('data-state', 'granted')
    }
    const tokenStatus = page.getByTestId('token-status')
    await expect(tokenStatus).toHaveAttribute('data-state', 'valid')
    await expect(tokenStatus).toContainText('0 дней назад')
    await expect(tokenStatus).toContainText('Истекает не позже')
    await expect(page.getByTestId('wallet-balances')).toContainText('125 000,00 ₽')
    await shot(page, 'wallet-ru-overview')

    // ── history: synced on opening, paged as it scrolls ──
    await page.getByTestId('wallet-section-history').click()
    await expect(page.getByTestId('wallet-sync-done')).toContainText('История обновлена', { timeout: 60_000 })
    await expect(page.getByTestId('wallet-last-sync')).toContainText('Синхронизировано:')
    const total = await countOf(page)
    expect(total).toBeGreaterThan(300)
    await expect(rows(page).first()).toBeVisible()
    // only a window of rows exists in the DOM
    expect(
      await page.getByTestId('wallet-history-table').locator('[role="row"][data-index]').count()
    ).toBeLessThan(60)
    await shot(page, 'wallet-ru-history')

    await page.getByTestId('wallet-history-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight))
    await expect(page.locator(`[role="row"][aria-rowindex="${total + 1}"]:not(.loading)`)).toBeVisible()

    await page.getByTestId('wallet-sync').click()
    await expect(page.getByTestId('wallet-sync-done')).toContainText(`всего ${total}`, { timeout: 60_000 })

    // ── filters: operation, status, search, a single day ──
    await page.getByTestId('wallet-history-scroll').evaluate((el) => el.scrollTo(0, 0))
    await page.getByLabel('Операции').selectOption('IN')
    const incoming = await countChangedFrom(page, total)
    expect(incoming).toBeGreaterThan(0)
    expect(incoming).toBeLessThan(total)
    await expect.poll(async () => new Set(await visibleCells(page, 1))).toEqual(new Set(['Пополнение']))

    await page.getByLabel('Операции').selectOption('ALL')
    await page.getByRole('group', { name: 'Статус' }).getByText('Ошибка').click()
    const failed = await countChangedFrom(page, total)
    expect(failed).toBeGreaterThan(0)
    await expect.poll(async () => new Set(await visibleCells(page, 5))).toEqual(new Set(['Ошибка']))

    // a failed item in full: the §11.2 code explained, QIWI's ids
    await rows(page).first().click()
    const detail = page.getByRole('dialog', { name: 'Операция' })
    await expect(detail).toBeVisible()
    await expect(detail.getByTestId('detail-error')).toContainText('Код ошибки QIWI:')
    await expect(detail.getByTestId('detail-txnid')).toHaveText(/^\d+$/)
    for (const label of ['Комиссия', 'Итого', 'Услуга', 'Комментарий', 'Номер клиента (trmTxnId)']) {
      await expect(detail).toContainText(label)
    }
    await shot(page, 'wallet-ru-history-detail')
    await page.keyboard.press('Escape')
    await expect(detail).toBeHidden()

    await page.getByTestId('wallet-filter-reset').click()
    await expect.poll(() => countOf(page)).toBe(total)
    await page.getByLabel('Поиск').fill('аренд')
    const rent = await countChangedFrom(page, total)
    expect(rent).toBeGreaterThan(0)
    await expect.poll(async () => (await visibleCells(page, 3)).every((c) => /аренд/i.test(c))).toBe(true)
    await page.getByTestId('wallet-filter-reset').click()
    await expect.poll(() => countOf(page)).toBe(total)

    const firstDate = (await visibleCells(page, 0))[0] ?? ''
    const m = /^(\d{2})\.(\d{2})\.(\d{4})/.exec(firstDate)
    expect(m).not.toBeNull()
    const day = `${m?.[3]}-${m?.[2]}-${m?.[1]}`
    await page.getByLabel('С даты').fill(day)
    await page.getByLabel('По дату').fill(day)
    const oneDay = await countChangedFrom(page, total)
    expect(oneDay).toBeGreaterThan(0)
    await expect
      .poll(async () => (await visibleCells(page, 0)).every((c) => c.startsWith(firstDate.slice(0, 10))))
      .toBe(true)
    await page.getByTestId('wallet-filter-reset').click()
    await expect.poll(() => countOf(page)).toBe(total)

    // ── offline: the sandbox leaves the network; the saved history stays usable ──
    await call(host, 'sandbox:setReachable', { reachable: false })
    await page.getByTestId('wallet-sync').click()
    const offline = page.getByTestId('wallet-offline')
    await expect(offline).toContainText('Нет связи с сервером кошелька — показана сохранённая история', {
      timeout: 60_000
    })
    await expect(offline).toContainText('network-failure')
    expect(await countOf(page)).toBe(total)
    await page.getByLabel('Операции').selectOption('OUT')
    const outgoingOffline = await countChangedFrom(page, total)
    expect(outgoingOffline).toBeGreaterThan(0)
    // CSV export of the filtered saved history works offline too (a Blob download)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('wallet-export').click()
    ])
    expect(download.suggestedFilename()).toMatch(/^qiwi-wallet-.+\.csv$/)
    const csv = readFileSync((await download.path()) ?? '', 'utf8')
    expect(csv.split('\r\n')[0]).toMatch(/^txnId,type,status,date/)
    const types = csv
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[1])
      .filter((x) => x === 'IN' || x === 'OUT' || x === 'QIWI_CARD')
    expect(new Set(types)).toEqual(new Set(['OUT']))
    await expect(page.getByTestId('wallet-export-done')).toContainText(
      new RegExp(`Выгружен[оа] ${outgoingOffline} строк`)
    )
    await page.getByTestId('wallet-filter-reset').click()
    await expect.poll(() => countOf(page)).toBe(total)
    await shot(page, 'wallet-ru-offline')
    await call(host, 'sandbox:setReachable', { reachable: true })

    // ── totals: incoming vs outgoing per month, chart and table ──
    await page.getByTestId('wallet-section-totals').click()
    const totals = page.getByTestId('wallet-totals')
    await expect(totals.getByTestId('wallet-totals-chart').locator('canvas')).toBeVisible()
    // the period starts where the saved history does (the first sync keeps the last 90 days)
    await expect(totals.getByTestId('wallet-totals-saved')).toContainText(`${total} операц`)
    const monthsShown = await totals.getByTestId('wallet-totals-table').locator('tbody tr').count()
    expect(monthsShown).toBeGreaterThanOrEqual(3)
    expect(monthsShown).toBeLessThanOrEqual(5)
    await shot(page, 'wallet-ru-totals')
    const toYm = await page.getByLabel('По месяц', { exact: true }).inputValue()
    const [ty, tm] = toYm.split('-').map(Number) as [number, number]
    const fromYm = tm === 12 ? `${ty}-01` : `${ty - 1}-${String(tm + 1).padStart(2, '0')}`
    await page.getByLabel('С месяца', { exact: true }).fill(fromYm)
    await expect(totals.getByTestId('wallet-totals-table').locator('tbody tr')).toHaveCount(12)
    await expect(totals.getByTestId('totals-sum-in')).not.toHaveText(/^0,00/)
    await expect(totals.getByTestId('totals-sum-out')).not.toHaveText(/^0,00/)

    // ── transfer: validated as typed, commission before confirming, accepted ──
    await page.getByTestId('wallet-section-transfer').click()
    await page.getByLabel('Получатель').fill('8 (900) 765-43-21')
    await expect(page.getByTestId('transfer-to-preview')).toHaveText('Кошелёк +7 900 765-43-21')
    await page.getByLabel('Сумма, ₽').fill('150,505')
    await page.getByLabel('Комментарий').click()
    await expect(page.getByTestId('wallet-transfer')).toContainText('Не больше двух знаков после запятой')
    await shot(page, 'wallet-ru-transfer-form')
    await page.getByLabel('Сумма, ₽').fill('150,50')
    await page.getByLabel('Комментарий').fill('Проверка e2e')
    await page.getByRole('button', { name: 'Рассчитать комиссию' }).click()
    const confirm = page.getByTestId('transfer-confirm')
    await expect(confirm).toBeVisible()
    // the sandbox's fee for provider 99: 1 % rounded up (documented 1001 → 10.01)
    await expect(confirm.getByTestId('transfer-commission')).toHaveText('1,51 ₽')
    await expect(confirm.getByTestId('transfer-total')).toHaveText('152,01 ₽')
    await shot(page, 'wallet-ru-transfer-confirm')
    await confirm.getByRole('button', { name: 'Перевести' }).click()
    const outcome = page.getByTestId('transfer-outcome')
    await expect(outcome).toHaveAttribute('data-state', 'accepted', { timeout: 30_000 })
    await expect(outcome).toContainText('Перевод принят')
    await expect(outcome.getByTestId('transfer-txnid')).toHaveText(/^\d+$/)
    const listed = page.getByTestId('wallet-transfers').locator('tbody tr')
    await expect(listed).toHaveCount(1)
    await expect(listed.first()).toHaveAttribute('data-state', 'accepted')
    await expect(listed.first()).toContainText('+7 900 765-43-21')
    await shot(page, 'wallet-ru-transfer-result')
    const transfers = await call<{ to: string; amount: string; state: string }[]>(host, 'wallet:transfers', {
      id: (await call<{ id: string }[]>(host, 'wallets:list'))[0]?.id
    })
    expect(transfers).toMatchObject([{ to: RECIPIENT, amount: '150.50', state: 'accepted' }])

    // ── the server goes away between confirmation and sending: the core decides, the UI reports ──
    await page.getByRole('button', { name: 'Ещё перевод этому получателю' }).click()
    await expect(page.getByLabel('Получатель')).toHaveValue('8 (900) 765-43-21')
    await page.getByLabel('Сумма, ₽').fill('10')
    await page.getByRole('button', { name: 'Рассчитать комиссию' }).click()
    await expect(page.getByTestId('transfer-commission')).toHaveText('0,10 ₽')
    await call(host, 'sandbox:setReachable', { reachable: false })
    await page.getByTestId('transfer-confirm-send').click()
    const second = page.getByTestId('transfer-outcome')
    await expect(second).toHaveAttribute('data-state', /failed|waiting/, { timeout: 30_000 })
    const secondState = await second.getAttribute('data-state')
    await expect(second).toContainText(
      secondState === 'failed' ? 'Перевод не выполнен' : 'Результат пока неизвестен'
    )
    await shot(page, 'wallet-ru-transfer-offline')
    await expect(listed).toHaveCount(2)
    await call(host, 'sandbox:setReachable', { reachable: true })

    // the money really moved once: 125 000.00 − 150.50 − 1.51
    await page.getByTestId('wallet-section-overview').click()
    await expect(page.getByTestId('wallet-balances')).toContainText('124 847,99 ₽')

    // ── a second wallet side by side, through the legacy CAS login ──
    await page.getByTestId('wallet-tab-add').click()
    await page.getByText('По логину и паролю (устаревший вход)').click()
    await page.getByLabel('Название').fill('Кошелёк по паролю')
    await page.getByLabel('Номер кошелька').fill(personal.casLogin)
    await page.getByLabel('Пароль кошелька').fill(personal.casPassword)
    await page.getByRole('button', { name: 'Войти', exact: true }).click()
    // the same wallet on the same server is already logged in
    const clash = page.getByTestId('wallet-login').getByTestId('wallet-error')
    await expect(clash).toHaveAttribute('data-code', 'conflict', { timeout: 20_000 })
    await expect(clash).toContainText('уже добавлен')
    // the sandbox has one demo wallet: reach it under its own address as "another server"
    const origin = (await call<SandboxInfo>(host, 'sandbox:info')).personalOrigin
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await page.getByLabel('Сервер', { exact: true }).selectOption('custom')
    await page.getByLabel('Адрес сервера API').fill(origin ?? '')
    await page.getByRole('button', { name: 'Войти', exact: true }).click()
    await expect(page.getByTestId('wallet-added')).toContainText('Вход выполнен', { timeout: 20_000 })
    const tabs = page.getByRole('tablist', { name: 'Кошельки' }).getByRole('tab')
    await expect(tabs).toHaveCount(3)
    await expect(page.getByTestId('wallet-access')).toContainText('логин и пароль (CAS)')
    await shot(page, 'wallet-ru-two-wallets')

    // ── logout asks first; cancel keeps the wallet ──
    await page.getByTestId('wallet-logout').click()
    const ask = page.getByRole('alertdialog')
    await expect(ask).toContainText('Выйти из кошелька «Кошелёк по паролю»?')
    await ask.getByRole('button', { name: 'Отмена' }).click()
    await expect(tabs).toHaveCount(3)
    await page.getByTestId('wallet-logout').click()
    await page.getByTestId('wallet-logout-confirm').click()
    await expect(tabs).toHaveCount(2)
    expect(await call<unknown[]>(host, 'wallets:list')).toHaveLength(1)

    // ── 170 days later (the page's clock): the 180-day expiry is warned about ahead of time ──
    const DAY = 86_400_000
    const addedAt = Date.now()
    await page.clock.setFixedTime(addedAt + 170 * DAY)
    await page.reload()
    await expect(page.getByTestId('token-status')).toHaveAttribute('data-state', 'soon')
    await expect(page.getByTestId('token-status')).toContainText(/Токен истекает через 1[01] дн/)
    await expect(page.getByRole('tablist', { name: 'Кошельки' }).getByRole('tab').first()).toContainText('⚠')
    await shot(page, 'wallet-ru-token-soon')
    // the warning follows the owner to every section
    await page.getByTestId('wallet-section-transfer').click()
    await expect(page.getByTestId('wallet-banner-token')).toContainText(/Токен истекает через 1[01] дн/)
    await page.clock.setFixedTime(addedAt + 181 * DAY)
    await page.reload()
    await expect(page.getByTestId('wallet-banner-token')).toContainText('Срок токена (180 дней) истёк')
    await page.getByTestId('wallet-section-overview').click()
    await expect(page.getByTestId('token-status')).toHaveAttribute('data-state', 'expired')

    expect(errors).toEqual([])
  })
})

test.describe('en', () => {
  // A machine far from Moscow: dates on screen still follow QIWI's Moscow time.
  test.use({ locale: 'en-GB', timezoneId: 'America/New_York' })

  test('wallet (en): the same screens in English, dark theme', async ({ page, host }) => {
    test.setTimeout(180_000)
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const personal = await demo(host)
    await call<Settings>(host, 'settings:set', { language: 'en' })

    await page.goto(host.url)
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Wallet' }).click()
    await expect(page.getByRole('heading', { name: 'Log in to a wallet' })).toBeVisible()
    await shot(page, 'wallet-en-login')
    await page.getByText('With login and password (legacy)').click()
    await expect(page.getByLabel('Wallet password')).toBeVisible()
    await shot(page, 'wallet-en-login-cas')
    await page.getByText('With an API token').click()

    await page.getByLabel('Name').fill('Demo wallet')
    await page.getByLabel('API token', { exact: true }).fill(personal.token)
    await page.getByRole('button', { name: 'Check token and log in' }).click()
    await expect(page.getByTestId('wallet-added')).toContainText('Token checked', { timeout: 20_000 })
    await expect(page.getByTestId('token-status')).toContainText('Expires on')
    await expect(page.getByTestId('wallet-balances')).toContainText('125,000.00 ₽')
    await expect(page.getByTestId('perm-payments')).toContainText('Payments without SMS')
    await shot(page, 'wallet-en-overview')

    await page.getByRole('tab', { name: 'History' }).click()
    await expect(page.getByTestId('wallet-sync-done')).toContainText('History updated', { timeout: 60_000 })
    const total = await countOf(page)
    await expect(page.getByTestId('wallet-history-count')).toContainText(`${total} operations saved`)
    await shot(page, 'wallet-en-history')

    await page.getByRole('group', { name: 'Status' }).getByText('Error').click()
    await countChangedFrom(page, total)
    await rows(page).first().click()
    const detail = page.getByRole('dialog', { name: 'Operation' })
    await expect(detail.getByTestId('detail-error')).toContainText('QIWI error code:')
    await shot(page, 'wallet-en-history-detail')
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: 'Reset' }).click()
    await expect.poll(() => countOf(page)).toBe(total)

    await call(host, 'sandbox:setReachable', { reachable: false })
    await page.getByRole('button', { name: 'Sync' }).click()
    await expect(page.getByTestId('wallet-offline')).toContainText(
      'The wallet server cannot be reached: showing saved history',
      {
        timeout: 60_000
      }
    )
    expect(await countOf(page)).toBe(total)
    await shot(page, 'wallet-en-offline')
    await call(host, 'sandbox:setReachable', { reachable: true })

    await page.getByRole('tab', { name: 'Totals' }).click()
    await expect(page.getByTestId('wallet-totals-chart').locator('canvas')).toBeVisible()
    await expect(page.getByTestId('wallet-totals')).toContainText('Period total')
    await shot(page, 'wallet-en-totals')

    await page.getByRole('tab', { name: 'Transfer' }).click()
    await page.getByLabel('Recipient').fill('+7 900 765 43 21')
    await page.getByLabel('Amount, ₽').fill('1001')
    await page.getByRole('button', { name: 'Calculate commission' }).click()
    // the documented example: 1001 → commission 10.01 (spec §6)
    await expect(page.getByTestId('transfer-commission')).toHaveText('10.01 ₽')
    await expect(page.getByTestId('transfer-total')).toHaveText('1,011.01 ₽')
    await shot(page, 'wallet-en-transfer-confirm')
    const send = page.getByTestId('transfer-confirm-send')
    await send.click()
    await expect(page.getByTestId('transfer-outcome')).toHaveAttribute('data-state', 'accepted', {
      timeout: 30_000
    })
    await expect(page.getByTestId('transfer-outcome')).toContainText('Transfer accepted')
    await shot(page, 'wallet-en-transfer-result')

    // a refusal by QIWI (insufficient funds, §11.2 code 220) is a failure, said so plainly
    await page.getByTestId('transfer-new').click()
    await page.getByLabel('Recipient').fill('+79007654321')
    await page.getByLabel('Amount, ₽').fill('149000')
    await page.getByRole('button', { name: 'Calculate commission' }).click()
    await page.getByTestId('transfer-confirm-send').click()
    const refused = page.getByTestId('transfer-outcome')
    await expect(refused).toHaveAttribute('data-state', 'failed', { timeout: 30_000 })
    await expect(refused).toContainText('Transfer failed')
    await expect(refused).toContainText('No money was debited')
    await expect(refused.getByTestId('transfer-failed-error')).toContainText('220')
    await shot(page, 'wallet-en-transfer-failed')

    await call<Settings>(host, 'settings:set', { theme: 'dark' })
    await page.getByRole('tab', { name: 'History' }).click()
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
    await expect(rows(page).first()).toBeVisible()
    await shot(page, 'wallet-en-history-dark')

    expect(errors).toEqual([])
  })
})
