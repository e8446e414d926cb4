/**
 * Security policy of the Electron host as pure functions, so they are unit-tested
 * under plain Node (no Electron binary here) with hostile inputs. electron/main only
 * wires them to Electron's hooks.
 */

/** The app's own origin: the renderer is served from a privileged custom protocol. */
export const APP_SCHEME = 'app'
export const APP_HOST = 'bundle'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/**
 * Content-Security-Policy sent as a response header for every renderer file.
 * No inline script, no eval, no remote anything; the renderer talks to main over IPC
 * (Electron) or to its own origin (web host), nothing else.
 */
export function contentSecurityPolicy(opts: { connectSelf: boolean }): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${opts.connectSelf ? "'self'" : "'none'"}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "manifest-src 'none'"
  ].join('; ')
}

/** Security headers the web host and the app protocol add to every response. */
export function securityHeaders(opts: { connectSelf: boolean }): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(opts),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()'
  }
}

function parse(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > 4096) return null
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/**
 * True only for documents of the app itself: `app://bundle/...`. A dev server
 * (electron-vite dev) is allowed only when its exact origin is passed (loopback).
 */
export function isAppUrl(url: unknown, devServerOrigin?: string | null): boolean {
  const u = parse(url)
  if (!u) return false
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '') return true
  if (devServerOrigin) {
    const dev = parse(devServerOrigin)
    if (dev && isLoopbackHostname(dev.hostname) && dev.protocol === 'http:' && u.origin === dev.origin) return true
  }
  return false
}

/** IPC sender check: the frame must be the app's top frame document. */
export function isTrustedSender(
  frame: { url: unknown; isMainFrame: boolean } | null | undefined,
  devServerOrigin?: string | null
): boolean {
  if (!frame || frame.isMainFrame !== true) return false
  return isAppUrl(frame.url, devServerOrigin)
}

/** will-navigate / will-redirect: only within the app. */
export function isAllowedNavigation(url: unknown, devServerOrigin?: string | null): boolean {
  return isAppUrl(url, devServerOrigin)
}

/** setWindowOpenHandler: the app never opens windows. */
export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' }
}

/** Permission requests (notifications are shown by main, not requested by the page). */
export function isAllowedPermission(_permission: string): boolean {
  return false
}

/** Hosts the app may hand to the OS browser (shell.openExternal), https only. */
export const EXTERNAL_ALLOWLIST = ['qiwi.com', 'developer.qiwi.com', 'github.com'] as const

export function isSafeExternalUrl(url: unknown): boolean {
  const u = parse(url)
  if (!u || u.protocol !== 'https:' || u.username !== '' || u.password !== '' || u.port !== '') return false
  const host = u.hostname.toLowerCase()
  return EXTERNAL_ALLOWLIST.some((allowed) => host === allowed)
}

export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h === '::1') return true
  return /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(h) && h.split('.').every((p) => Number(p) <= 255)
}

/** webPreferences for every window the app creates. */
export function secureWebPreferences(preloadPath: string): {
  preload: string
  contextIsolation: true
  sandbox: true
  nodeIntegration: false
  nodeIntegrationInWorker: false
  nodeIntegrationInSubFrames: false
  webSecurity: true
  allowRunningInsecureContent: false
  webviewTag: false
  spellcheck: false
  safeDialogs: true
  navigateOnDragDrop: false
  disableBlinkFeatures: string
} {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    safeDialogs: true,
    navigateOnDragDrop: false,
    disableBlinkFeatures: 'Auxclick'
  }
}
