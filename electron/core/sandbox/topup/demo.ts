/**
 * The seeded demo world: terminals for each auth mode, wallets in every
 * interesting state, cards and scenario rules that produce the documented
 * failure codes on purpose. docs/SANDBOX.md lists the same values.
 */
import type { TopupAdmin } from './emulator'

export const DEMO_TOPUP = {
  passwordTerminal: { id: '10001', password: 'demo-pass-10001' },
  signatureTerminal: { id: '10002' },
  certificateTerminal: { id: '10003', password: 'demo-pass-10003' },
  /** Payments declined with 316. */
  blockedTerminal: { id: '10004', password: 'demo-pass-10004' },
  /** Only 100.00 RUB: larger payouts get 220. */
  poorTerminal: { id: '10005', password: 'demo-pass-10005' },
  wallets: {
    /** Exists, fully identified, RUB (the docs' example wallet). */
    existing: '79181234567',
    /** Exists with RUB and USD accounts (the check-user/check-deposit example phone). */
    existingRubUsd: '79031234567',
    /** Does not exist: check-user says 0, a pay creates it. */
    missing: '79990000099',
    /** Anonymous: check-deposit-possible 204, pay 204. */
    anonymous: '79990000001',
    /** Top-ups prohibited: deposit-possible 0, pay 319. */
    blocked: '79990000002',
    /** Balance limit 1000.00: a credit above it gets 702. */
    balanceLimit: '79990000003',
    /** Monthly limit 5000.00: gets 700 once exceeded. */
    monthlyLimit: '79990000004',
    /** Accepted, then fails after processing (160/300), money returned. */
    failsLater: '79990000005'
  },
  cards: {
    /** Any other card is paid; this one passes Luhn (the docs' example 4265111122334411 does not, and the desk refuses it). */
    ok: '4265111122334417',
    /** Accepted, then final failure 160/300 "card not found", money returned. */
    unknown: '4000000000000002',
    /** Declined at once (150/300). */
    declined: '4000000000000010'
  },
  sbp: {
    ok: '70070310009',
    bankId: '100000000008',
    /** Stays in processing (status 50) until an admin finalizes it. */
    held: '70000000000'
  },
  amounts: {
    /** Wallet (99) and mobile (29130) minimum: below → 241. */
    walletMin: '1.00',
    /** Wallet maximum: above → 242. */
    walletMax: '600000.00',
    /** Card maximum: above → 242. */
    cardMax: '100000.00'
  }
} as const

export interface DemoSeedKeys {
  signaturePublicKeyPem: string
  certificateFingerprint256: string
}

export function seedDemoTopup(admin: TopupAdmin, keys: DemoSeedKeys): void {
  const d = DEMO_TOPUP
  admin.upsertTerminal({
    id: d.passwordTerminal.id,
    auth: 'password',
    password: d.passwordTerminal.password,
    balances: { RUB: '1000000.00', USD: '10000.00', EUR: '5000.00' }
  })
  admin.upsertTerminal({
    id: d.signatureTerminal.id,
    auth: 'signature',
    password: null,
    publicKeyPem: keys.signaturePublicKeyPem,
    balances: { RUB: '500000.00', USD: '2000.00' }
  })
  admin.upsertTerminal({
    id: d.certificateTerminal.id,
    auth: 'certificate',
    password: d.certificateTerminal.password,
    clientCertFingerprint256: keys.certificateFingerprint256,
    balances: { RUB: '500000.00', USD: '2000.00' }
  })
  admin.upsertTerminal({
    id: d.blockedTerminal.id,
    auth: 'password',
    password: d.blockedTerminal.password,
    blocked: true,
    balances: { RUB: '100000.00' }
  })
  admin.upsertTerminal({
    id: d.poorTerminal.id,
    auth: 'password',
    password: d.poorTerminal.password,
    balances: { RUB: '100.00' }
  })
  const w = d.wallets
  admin.upsertWallet({ phone: w.existing, accounts: { RUB: '1500.00' }, identification: 'full' })
  admin.upsertWallet({
    phone: w.existingRubUsd,
    accounts: { RUB: '0.00', USD: '10.00' },
    identification: 'full'
  })
  admin.upsertWallet({ phone: w.anonymous, accounts: { RUB: '0.00' }, identification: 'anonymous' })
  admin.upsertWallet({ phone: w.blocked, accounts: { RUB: '0.00' }, blocked: true })
  admin.upsertWallet({ phone: w.balanceLimit, accounts: { RUB: '0.00' }, balanceLimit: '1000.00' })
  admin.upsertWallet({ phone: w.monthlyLimit, accounts: { RUB: '0.00' }, monthlyLimit: '5000.00' })
  admin.upsertWallet({ phone: w.failsLater, accounts: { RUB: '0.00' } })
  admin.setRules([
    {
      id: 'demo-unknown-card',
      match: { service: ['34020', '32911', '36655'], account: d.cards.unknown },
      outcome: { phase: 'fail', status: 160, resultCode: 300, message: 'Карта не найдена' }
    },
    {
      id: 'demo-declined-card',
      match: { account: d.cards.declined },
      outcome: { phase: 'decline', status: 150, resultCode: 300, message: 'Операция по карте отклонена' }
    },
    {
      id: 'demo-wallet-fails-later',
      match: { account: w.failsLater },
      outcome: { phase: 'fail', status: 160, resultCode: 300 }
    },
    {
      id: 'demo-sbp-held',
      match: { service: '38413', account: d.sbp.held },
      outcome: { phase: 'hold', status: 50 }
    }
  ])
  // Provider ids by phone prefix (no country code). Demo data: 916 → 42 is the docs' example.
  admin.setProviders({
    '90': '2',
    '91': '1',
    '916': '42',
    '92': '3',
    '93': '3',
    '95': '42',
    '96': '2',
    '97': '42',
    '98': '1',
    '99': '42'
  })
}
