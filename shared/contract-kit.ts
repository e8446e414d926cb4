/**
 * The machinery behind the typed contract (shared/contract.ts): how a call and an
 * event are declared, and the types both hosts and the renderer derive from them.
 * Pure TypeScript + zod: no electron, no node, no react.
 */
import type { z } from 'zod'

import type { AppErrorData, Result } from './result'

/** One renderer → main call: `domain:verb`, an input schema and an output schema. */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I
  output: O
  /** One line for docs and the generated API table. */
  doc: string
}

export function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string): CallSpec<I, O> {
  return { input, output, doc }
}

export type CallMap = Record<`${string}:${string}`, CallSpec>
export type EventMap = Record<`${string}:${string}`, z.ZodType>

export type CallInput<S> = S extends CallSpec<infer I, z.ZodType> ? z.input<I> : never
export type CallOutput<S> = S extends CallSpec<z.ZodType, infer O> ? z.output<O> : never

/** Main-side implementation of a call map: returns the value or throws an AppError (the binder wraps it). */
export type Handlers<C extends CallMap> = {
  [K in keyof C]: C[K] extends CallSpec<infer I, infer O>
    ? (input: z.output<I>, ctx: CallContext) => Promise<z.input<O>>
    : never
}

/** What a handler knows about the caller (never a secret). */
export interface CallContext {
  host: 'electron' | 'web' | 'test'
  /** Renderer language, for localized error messages. */
  lang: 'ru' | 'en'
}

type Domain<K> = K extends `${infer D}:${string}` ? D : never
type Verb<K, D extends string> = K extends `${D}:${infer V}` ? V : never

/**
 * The renderer's API: `api.payouts.create(input)` → Promise<Result<Output>>.
 * Built from the contract by the preload (IPC) and by the web client (HTTP),
 * so both hosts expose exactly the same named functions.
 */
export type ClientApi<C extends CallMap> = {
  [D in Domain<keyof C>]: {
    [V in Verb<keyof C, D>]: `${D}:${V}` extends keyof C
      ? (input: CallInput<C[`${D}:${V}`]>) => Promise<Result<CallOutput<C[`${D}:${V}`]>>>
      : never
  }
}

export type EventPayload<E extends EventMap, K extends keyof E> = z.output<E[K]>
export type Unsubscribe = () => void

export interface EventsApi<E extends EventMap> {
  /** Subscribes to one declared event; returns the unsubscribe function. */
  on<K extends keyof E & string>(event: K, listener: (payload: EventPayload<E, K>) => void): Unsubscribe
}

export function splitChannel(channel: string): [string, string] {
  const i = channel.indexOf(':')
  return [channel.slice(0, i), channel.slice(i + 1)]
}

/**
 * Builds the nested `api.domain.verb(input)` object from the contract's channel names
 * (shared/channels.ts: names only, so the renderer and preload bundles carry no schema
 * code) with one transport function. The transport receives only declared channel names.
 */
export function buildClientApi<C extends CallMap>(
  channels: readonly (keyof C & string)[],
  invoke: (channel: keyof C & string, input: unknown) => Promise<Result<unknown>>
): ClientApi<C> {
  const api: Record<string, Record<string, (input: unknown) => Promise<Result<unknown>>>> = {}
  for (const channel of channels) {
    const [domain, verb] = splitChannel(channel)
    const ns = (api[domain] ??= {})
    ns[verb] = (input: unknown) => invoke(channel, input)
  }
  return api as unknown as ClientApi<C>
}

/** Error envelope for transport-level failures on the renderer side. */
export function transportError(message: string): { ok: false; error: AppErrorData } {
  return { ok: false, error: { code: 'network-failure', message } }
}
