/**
 * QIWI Top-Up XML client (agent payouts), Electron-free.
 * Entry point: `createTopupClient`; see docs/CLASSIFIER.md for the outcome rules.
 */
export * from './types'
export * from './codes'
export * from './xml-text'
export * from './request-builder'
export * from './safe-xml'
export * from './reply-common'
export * from './classifier'
export * from './query-classifiers'
export * from './signing'
export * from './transport'
export * from './client'
