import { expect, shot, test } from './fixtures'

test('app shell: Russian by default, navigation, switch to English and back', async ({ page, host }) => {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(host.url)

  const nav = page.getByRole('navigation', { name: 'main' })
  await expect(nav.getByRole('link', { name: 'Выплаты' })).toBeVisible()
  await expect(page.getByTestId('endpoint')).toContainText('Песочница')
  // the token left the address bar once taken
  expect(page.url()).not.toContain('token=')
  await shot(page, 'shell-ru-payouts')

  for (const [name, heading] of [
    ['История', 'История выплат'],
    ['Кошелёк', 'Кошелёк'],
    ['Отчёт', 'Отчёт за день'],
    ['Настройки', 'Настройки']
  ] as const) {
    await nav.getByRole('link', { name }).click()
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible()
    await expect(nav.getByRole('link', { name })).toHaveAttribute('aria-current', 'page')
  }
  await shot(page, 'shell-ru-settings')

  await page.getByLabel('Язык интерфейса').selectOption('en')
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible()
  await expect(nav.getByRole('link', { name: 'Payouts' })).toBeVisible()
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await shot(page, 'shell-en-settings')

  // the choice is stored by the core: a reload keeps English
  await page.reload()
  await expect(nav.getByRole('link', { name: 'Payouts' })).toBeVisible()

  await page.getByLabel('Language').selectOption('ru')
  await expect(page.getByRole('heading', { level: 1, name: 'Настройки' })).toBeVisible()

  await page.getByLabel('Оформление').selectOption('dark')
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await shot(page, 'shell-ru-dark')
  await page.getByLabel('Оформление').selectOption('light')

  await page.getByRole('button', { name: 'Открыть папку журнала' }).click()
  await expect(page.getByTestId('log-path')).toContainText(host.dataDir)
  expect(errors).toEqual([])
})

test('CSP from the web host blocks injected inline script and inline handlers (E6)', async ({ page, host }) => {
  const violations: string[] = []
  await page.exposeFunction('reportViolation', (d: string) => violations.push(d))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      void (window as unknown as { reportViolation: (d: string) => Promise<void> }).reportViolation(e.violatedDirective)
    })
  })
  const res = await page.goto(host.url)
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'")
  await expect(page.getByRole('link', { name: 'Выплаты' })).toBeVisible()
  expect(violations).toEqual([])

  const executed = await page.evaluate(async () => {
    const w = window as unknown as { injected?: boolean; handler?: boolean }
    // an injected inline script (what an XSS would add)…
    const s = document.createElement('script')
    s.textContent = 'window.injected = true'
    document.body.appendChild(s)
    // …and an inline event handler (the other classic XSS vector)
    const holder = document.createElement('div')
    holder.innerHTML = '<img src="data:," onload="window.handler = true" onerror="window.handler = true">'
    document.body.appendChild(holder)
    await new Promise((r) => setTimeout(r, 300))
    return { injected: w.injected === true, handler: w.handler === true }
  })
  expect(executed).toEqual({ injected: false, handler: false })
  await expect.poll(() => violations.length).toBeGreaterThanOrEqual(1)
})
