import { defineConfig } from 'vitest/config'

// Two projects: unit (pure Node, no servers, no keychain) and integration (real
// loopback HTTP/TLS servers, real SQLite files, real gnome-keyring under
// scripts/with-keyring.sh). e2e lives in Playwright (test/e2e).
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000
        }
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000
        }
      }
    ]
  }
})
