/**
 * The terminal editor in Settings without React: a TerminalView ↔ the form's strings,
 * and validation to the contract's TerminalInput (the core re-validates). Pure, unit-tested.
 */
import type { TerminalInput } from '../../../../shared/contract'
import { formatAmount, parseAmount } from '../../../../shared/money'
import type { ServiceT, TerminalView } from '../../../../shared/payouts'

export interface TerminalForm {
  id: string | null
  name: string
  terminalId: string
  endpointKind: 'sandbox' | 'custom'
  endpointUrl: string
  authMode: TerminalInput['authMode']
  signatureAlg: 'SHA1withRSA' | 'MD5withRSA'
  servicesAllowed: ServiceT[]
  precheckAbsentWalletPolicy: 'pay' | 'decline'
  lowBalance: string
  minPollSeconds: string
}

export type TerminalField = 'name' | 'terminalId' | 'endpoint' | 'services' | 'lowBalance' | 'minPoll'

export function newTerminalForm(): TerminalForm {
  return {
    id: null,
    name: '',
    terminalId: '',
    endpointKind: 'sandbox',
    endpointUrl: '',
    authMode: 'password',
    signatureAlg: 'SHA1withRSA',
    servicesAllowed: ['wallet', 'card', 'sbp'],
    precheckAbsentWalletPolicy: 'decline',
    lowBalance: '',
    minPollSeconds: '600'
  }
}

export function terminalToForm(t: TerminalView): TerminalForm {
  return {
    id: t.id,
    name: t.name,
    terminalId: t.terminalId,
    endpointKind: t.endpoint === 'sandbox' ? 'sandbox' : 'custom',
    endpointUrl: t.endpoint === 'sandbox' ? '' : t.endpoint,
    authMode: t.authMode,
    signatureAlg: t.signatureAlg ?? 'SHA1withRSA',
    servicesAllowed: [...t.servicesAllowed],
    precheckAbsentWalletPolicy: t.precheckAbsentWalletPolicy,
    lowBalance: t.lowBalance ?? '',
    minPollSeconds: String(t.minPollSeconds)
  }
}

function validOrigin(s: string): string | null {
  let u: URL
  try {
    u = new URL(s.trim())
  } catch {
    return null
  }
  if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return null
  const loopback = u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname)
  if (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) return u.origin
  return null
}

export function validateTerminalForm(f: TerminalForm): {
  errors: Partial<Record<TerminalField, true>>
  input: TerminalInput | null
} {
  const errors: Partial<Record<TerminalField, true>> = {}
  const name = f.name.trim()
  if (name === '' || name.length > 60) errors.name = true
  if (!/^\d{1,20}$/.test(f.terminalId.trim())) errors.terminalId = true
  let endpoint = 'sandbox'
  if (f.endpointKind === 'custom') {
    const o = validOrigin(f.endpointUrl)
    if (o === null) errors.endpoint = true
    else endpoint = o
  }
  if (f.servicesAllowed.length === 0) errors.services = true
  let lowBalance: string | null = null
  if (f.lowBalance.trim() !== '') {
    const p = parseAmount(f.lowBalance, { allowZero: true })
    if (p.ok) lowBalance = formatAmount(p.kopecks)
    else errors.lowBalance = true
  }
  const poll = f.minPollSeconds.trim()
  const pollN = Number(poll)
  if (!/^\d{1,5}$/.test(poll) || pollN > 86_400) errors.minPoll = true
  if (Object.keys(errors).length > 0) return { errors, input: null }
  const input: TerminalInput = {
    name,
    terminalId: f.terminalId.trim(),
    endpoint,
    authMode: f.authMode,
    signatureAlg: f.authMode === 'signature' ? f.signatureAlg : null,
    servicesAllowed: [...f.servicesAllowed],
    precheckAbsentWalletPolicy: f.precheckAbsentWalletPolicy,
    lowBalance,
    minPollSeconds: pollN
  }
  if (f.id !== null) input.id = f.id
  return { errors, input }
}
