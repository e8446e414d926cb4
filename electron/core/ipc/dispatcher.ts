/**
 * Binds the contract to its implementation, host-independently. Both hosts (Electron
 * IPC and the loopback web host) and the tests call `dispatch(channel, input)`:
 *  1. the channel must be declared (own property of the contract),
 *  2. the input is parsed from `unknown` with the call's schema,
 *  3. the handler runs; an AppError becomes `{ ok: false, error }`, anything else is
 *     logged and reported as `internal` without its text (it may carry details),
 *  4. the output is parsed with the output schema: unknown keys are stripped, so a
 *     handler can never leak a field the contract does not declare.
 */
import { z } from 'zod'

import type { CallContext, CallMap, CallSpec, EventMap, EventPayload, Handlers } from '../../../shared/contract-kit'
import { isAppError } from '../../../shared/errors'
import { err, ok } from '../../../shared/result'
import type { Result } from '../../../shared/result'
import type { Logger } from '../log/logger'

export type Dispatch = (channel: string, input: unknown, ctx: CallContext) => Promise<Result<unknown>>

export function createDispatcher<C extends CallMap>(calls: C, handlers: Handlers<C>, logger: Logger): Dispatch {
  for (const channel of Object.keys(calls)) {
    if (typeof (handlers as Record<string, unknown>)[channel] !== 'function') {
      throw new Error(`contract call without a handler: ${channel}`)
    }
  }
  return async (channel, input, ctx) => {
    if (typeof channel !== 'string' || !Object.prototype.hasOwnProperty.call(calls, channel)) {
      return err('bad-request', ctx.lang === 'ru' ? 'Неизвестный вызов' : 'Unknown call')
    }
    const spec = (calls as CallMap)[channel as keyof CallMap] as CallSpec
    const parsed = spec.input.safeParse(input ?? {})
    if (!parsed.success) {
      return err('bad-request', ctx.lang === 'ru' ? 'Неверные параметры вызова' : 'Invalid call arguments', {
        channel,
        issues: z.prettifyError(parsed.error).slice(0, 500)
      })
    }
    try {
      const handler = (handlers as unknown as Record<string, (i: unknown, c: CallContext) => Promise<unknown>>)[channel]
      if (!handler) return err('bad-request', 'Unknown call')
      const value = await handler(parsed.data, ctx)
      const out = spec.output.safeParse(value)
      if (!out.success) {
        logger.error({ channel, issues: z.prettifyError(out.error).slice(0, 500) }, 'handler output violates the contract')
        return err('internal', ctx.lang === 'ru' ? 'Внутренняя ошибка' : 'Internal error', { channel })
      }
      return ok(out.data)
    } catch (e) {
      if (isAppError(e)) {
        return e.details === undefined ? err(e.code, e.message) : err(e.code, e.message, e.details)
      }
      logger.error({ channel, err: e instanceof Error ? { name: e.name, stack: e.stack } : String(e) }, 'handler failed')
      return err('internal', ctx.lang === 'ru' ? 'Внутренняя ошибка' : 'Internal error', { channel })
    }
  }
}

type Listener = (payload: unknown) => void

/** Typed event bus for contract events; payloads are validated before anyone sees them. */
export class EventBus<E extends EventMap> {
  private readonly listeners = new Map<string, Set<Listener>>()
  private readonly any = new Set<(event: string, payload: unknown) => void>()

  constructor(
    private readonly events: E,
    private readonly logger: Logger
  ) {}

  emit<K extends keyof E & string>(event: K, payload: EventPayload<E, K>): void {
    const schema = (this.events as EventMap)[event as keyof EventMap]
    const parsed = schema ? schema.safeParse(payload) : null
    if (!parsed || !parsed.success) {
      this.logger.error({ event }, 'event payload violates the contract; dropped')
      return
    }
    for (const l of this.listeners.get(event) ?? []) this.safe(() => l(parsed.data))
    for (const l of this.any) this.safe(() => l(event, parsed.data))
  }

  on<K extends keyof E & string>(event: K, listener: (payload: EventPayload<E, K>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set<Listener>()
    set.add(listener as Listener)
    this.listeners.set(event, set)
    return () => set.delete(listener as Listener)
  }

  /** Every event (hosts forward them to the renderer). */
  onAny(listener: (event: string, payload: unknown) => void): () => void {
    this.any.add(listener)
    return () => this.any.delete(listener)
  }

  private safe(fn: () => void): void {
    try {
      fn()
    } catch (e) {
      this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'event listener failed')
    }
  }
}
