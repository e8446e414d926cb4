/**
 * Serves the built renderer from `app://bundle/` with the CSP and security headers
 * as real response headers (the meta tag alone cannot carry frame-ancestors etc.).
 */
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'

import { protocol } from 'electron'

import { APP_HOST, APP_SCHEME, securityHeaders } from '../core/security/policy'
import { MIME_TYPES } from '../web-host/static-files'

export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

export function serveRenderer(rendererDir: string): void {
  const root = normalize(rendererDir + sep)
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 })
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)
    const file = normalize(join(root, rel))
    if (!file.startsWith(root)) return new Response('forbidden', { status: 403 })
    try {
      const body = await readFile(file)
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream',
          ...securityHeaders({ connectSelf: false })
        }
      })
    } catch {
      return new Response('not found', { status: 404 })
    }
  })
}
