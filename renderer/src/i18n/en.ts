import type { Messages } from './ru'

export const en: Messages = {
  app: {
    title: 'QIWI Desk',
    loading: 'Loading…',
    noHost: 'No connection to the app. Open the address the web host printed (with its token).'
  },
  nav: {
    payouts: 'Payouts',
    history: 'History',
    wallet: 'Wallet',
    report: 'Report',
    settings: 'Settings'
  },
  status: {
    endpoint: 'Server',
    sandbox: 'Sandbox (embedded)',
    custom: 'QIWI server',
    online: 'online',
    offline: 'offline',
    keychain: 'Secrets',
    keychainOs: 'in the OS keychain',
    keychainSession: 'this session only',
    keychainUnavailable: 'keychain unavailable',
    host: 'Mode',
    hostElectron: 'desktop app',
    hostWeb: 'browser'
  },
  settings: {
    title: 'Settings',
    language: 'Language',
    theme: 'Theme',
    themeLight: 'Light',
    themeDark: 'Dark',
    themeSystem: 'System',
    logs: 'Logs',
    openLogs: 'Open log folder',
    logsPath: 'Log folder: {{path}}',
    dataDir: 'Data folder',
    version: 'Version'
  },
  pages: {
    payoutsTitle: 'Payouts',
    historyTitle: 'Payout history',
    walletTitle: 'Wallet',
    reportTitle: 'End-of-day report'
  },
  errors: {
    generic: 'Something went wrong. Support code: {{code}}',
    'network-failure': 'No connection to the app',
    'bad-request': 'Invalid request',
    internal: 'Internal application error',
    forbidden: 'Access denied',
    unauthorized: 'Not authorized'
  }
}
