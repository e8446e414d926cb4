/**
 * Fault injection plan: a scripted queue (consumed in order by the next
 * matching requests) and probabilistic faults drawn from a seeded RNG. The
 * scripted queue always wins; random entries are tried in order, one draw each.
 */
import type { Rng } from '../rng'
import {
  RandomFaultSchema,
  ScriptedFaultSchema,
  type FaultMatch,
  type FaultSpec,
  type RandomFault,
  type RandomFaultInput,
  type RequestKind,
  type ScriptedFault,
  type ScriptedFaultInput
} from './model'

export interface FaultContext {
  /** Undefined when the body could not be parsed into a known request. */
  request: RequestKind | undefined
  terminalId: string | undefined
  transactionNumbers: string[]
  service: string | undefined
  listener: 'http' | 'tls'
}

/** Whether a fault kind makes sense for a request kind (otherwise it is skipped, not consumed). */
export function faultApplies(fault: FaultSpec, request: RequestKind | undefined): boolean {
  if (fault.kind === 'temporary') return request === 'pay'
  if (fault.kind === 'not-found') return request === 'status'
  return true
}

function matches(m: FaultMatch, ctx: FaultContext): boolean {
  if (m.request !== undefined && m.request !== 'any' && m.request !== ctx.request) return false
  if (m.terminalId !== undefined && m.terminalId !== ctx.terminalId) return false
  if (m.transactionNumber !== undefined && !ctx.transactionNumbers.includes(m.transactionNumber)) return false
  if (m.service !== undefined && m.service !== ctx.service) return false
  if (m.listener !== undefined && m.listener !== ctx.listener) return false
  return true
}

export interface FaultPlanSnapshot {
  scripted: ScriptedFault[]
  random: RandomFault[]
  /** Faults applied so far, by kind. */
  applied: Record<string, number>
}

export class FaultPlan {
  private scripted: ScriptedFault[] = []
  private random: RandomFault[] = []
  private readonly applied: Record<string, number> = {}

  constructor(private readonly rng: Rng) {}

  enqueue(items: ScriptedFaultInput[]): ScriptedFault[] {
    const parsed = items.map((i) => ScriptedFaultSchema.parse(i))
    this.scripted.push(...parsed)
    return parsed
  }

  setRandom(items: RandomFaultInput[]): RandomFault[] {
    this.random = items.map((i) => RandomFaultSchema.parse(i))
    return this.random
  }

  /** Drops scripted and random faults and zeroes the applied counters. */
  clear(): void {
    this.scripted = []
    this.random = []
    for (const k of Object.keys(this.applied)) delete this.applied[k]
  }

  snapshot(): FaultPlanSnapshot {
    return {
      scripted: this.scripted.map((s) => ({ ...s })),
      random: this.random.map((r) => ({ ...r })),
      applied: { ...this.applied }
    }
  }

  /** Picks the fault for a request, consuming a scripted entry; undefined = none. */
  pick(ctx: FaultContext): FaultSpec | undefined {
    for (let i = 0; i < this.scripted.length; i++) {
      const s = this.scripted[i] as ScriptedFault
      if (!matches(s.match, ctx) || !faultApplies(s.fault, ctx.request)) continue
      s.times -= 1
      if (s.times <= 0) this.scripted.splice(i, 1)
      return this.count(s.fault)
    }
    for (const r of this.random) {
      if (!matches(r.match, ctx) || !faultApplies(r.fault, ctx.request)) continue
      if (this.rng.next() < r.probability) return this.count(r.fault)
    }
    return undefined
  }

  private count(f: FaultSpec): FaultSpec {
    this.applied[f.kind] = (this.applied[f.kind] ?? 0) + 1
    return f
  }
}
