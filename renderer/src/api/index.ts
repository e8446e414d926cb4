import type { RendererApi } from '../../../shared/contract'
import { createWebApi, takeToken } from './web-client'

declare global {
  interface Window {
    /** Present in Electron (preload); absent in a plain browser, where the web client is used. */
    api?: RendererApi
  }
}

let cached: RendererApi | null | undefined

/** The contract API of whichever host serves this page, or null without one. */
export function getApi(): RendererApi | null {
  if (cached !== undefined) return cached
  if (window.api) {
    cached = window.api
  } else {
    const token = takeToken()
    cached = token ? createWebApi(token) : null
  }
  return cached
}
