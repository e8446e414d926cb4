import { defineConfig } from '@playwright/test'

// Debian's Chromium (apt-get install chromium); Playwright's own browser download cannot
// reach its CDN here, so it is never installed (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
// Each spec starts its own web host (out/web/web-host.cjs, built by `npm run build`) with a
// fresh data directory: see test/e2e/fixtures.ts.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/playwright',
  reporter: [['list'], ['json', { outputFile: 'reports/playwright.json' }]],
  forbidOnly: !!process.env['CI'],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  workers: 1,
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run'
      ]
    }
  }
})
