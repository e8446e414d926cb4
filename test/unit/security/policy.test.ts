import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  contentSecurityPolicy,
  isAllowedNavigation,
  isAllowedPermission,
  isAppUrl,
  isLoopbackHostname,
  isSafeExternalUrl,
  isTrustedSender,
  secureWebPreferences,
  windowOpenDecision
} from '../../../electron/core/security/policy'

const HOSTILE = [
  'https://app.attacker',
  'https://bundle.attacker.com/index.html',
  'app://bundle.evil/index.html',
  'app://bundle@evil/index.html',
  'app://evil/index.html',
  'app://user:pass@bundle/index.html',
  'APP://BUNDLE.evil/',
  'file:///etc/passwd',
  'file:///home/user/out/renderer/index.html',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'blob:app://bundle/1234',
  'smb://server/share',
  'http://127.0.0.1:5173/',
  'https://qiwi.com.attacker.io/',
  'https://qiwi.com@attacker.io/',
  'https://xn--qiwi-ofa.com/',
  'https://qiwi.com:8443/',
  'http://qiwi.com/',
  '',
  'not a url',
  'app:bundle',
  'about:blank',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html'
]

describe('E3: IPC sender validation', () => {
  it('accepts only the app top frame', () => {
    expect(isTrustedSender({ url: 'app://bundle/index.html', isMainFrame: true })).toBe(true)
    expect(isTrustedSender({ url: 'app://bundle/index.html#/payouts', isMainFrame: true })).toBe(true)
    expect(isTrustedSender({ url: 'app://bundle/index.html', isMainFrame: false })).toBe(false)
    expect(isTrustedSender(null)).toBe(false)
    expect(isTrustedSender(undefined)).toBe(false)
    expect(isTrustedSender({ url: undefined, isMainFrame: true })).toBe(false)
    for (const url of HOSTILE) expect(isTrustedSender({ url, isMainFrame: true }), url).toBe(false)
  })

  it('accepts the dev server only when its exact loopback origin is configured', () => {
    expect(isTrustedSender({ url: 'http://127.0.0.1:5173/', isMainFrame: true })).toBe(false)
    expect(isTrustedSender({ url: 'http://127.0.0.1:5173/', isMainFrame: true }, 'http://127.0.0.1:5173')).toBe(true)
    expect(isTrustedSender({ url: 'http://127.0.0.1:5174/', isMainFrame: true }, 'http://127.0.0.1:5173')).toBe(false)
    // a non-loopback "dev server" is never trusted
    expect(isTrustedSender({ url: 'http://example.com/', isMainFrame: true }, 'http://example.com')).toBe(false)
  })

  it('0 false accepts over 100k generated URLs', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl({ withFragments: true, withQueryParameters: true }),
          fc.string(),
          fc.constantFrom(...HOSTILE),
          fc.tuple(fc.constantFrom('app://', 'APP://', 'app:', 'app:///'), fc.domain(), fc.webPath()).map((t) => t.join(''))
        ),
        fc.boolean(),
        (url, main) => {
          const accepted = isTrustedSender({ url, isMainFrame: main })
          if (accepted) {
            const u = new URL(url)
            expect(main).toBe(true)
            expect(u.protocol).toBe('app:')
            expect(u.host).toBe('bundle')
          }
        }
      ),
      { numRuns: 100_000, seed: 20261122 }
    )
  })
})

describe('E5: navigation, new windows, external links', () => {
  it('navigation stays inside the app', () => {
    expect(isAllowedNavigation('app://bundle/index.html#/history')).toBe(true)
    for (const url of HOSTILE) expect(isAllowedNavigation(url), url).toBe(false)
  })

  it('window.open is always denied', () => {
    expect(windowOpenDecision()).toEqual({ action: 'deny' })
  })

  it('openExternal only for https on the exact allow-listed hosts', () => {
    expect(isSafeExternalUrl('https://qiwi.com/')).toBe(true)
    expect(isSafeExternalUrl('https://developer.qiwi.com/ru/topup-wallet/')).toBe(true)
    for (const url of HOSTILE) expect(isSafeExternalUrl(url), url).toBe(false)
    fc.assert(
      fc.property(fc.webUrl(), (url) => {
        if (isSafeExternalUrl(url)) expect(['qiwi.com', 'developer.qiwi.com', 'github.com']).toContain(new URL(url).hostname)
      }),
      { numRuns: 20_000, seed: 7 }
    )
  })
})

describe('E1/E8: window preferences and permissions', () => {
  it('every window is sandboxed and isolated without node', () => {
    const p = secureWebPreferences('/x/preload.js')
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false
    })
  })

  it('denies every permission request', () => {
    for (const perm of ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'hid']) {
      expect(isAllowedPermission(perm)).toBe(false)
    }
  })
})

describe('CSP', () => {
  it('has no unsafe sources and forbids framing', () => {
    const csp = contentSecurityPolicy({ connectSelf: false })
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("connect-src 'none'")
    expect(contentSecurityPolicy({ connectSelf: true })).toContain("connect-src 'self'")
  })
})

describe('loopback detection', () => {
  it('recognises loopback hosts only', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHostname(h), h).toBe(true)
    for (const h of ['128.0.0.1', '127.0.0.256', 'localhost.attacker', '10.0.0.1', '0.0.0.0', '127.0.0.1.nip.io']) {
      expect(isLoopbackHostname(h), h).toBe(false)
    }
  })
  it('isAppUrl ignores credentials tricks', () => {
    expect(isAppUrl('app://bundle/')).toBe(true)
    expect(isAppUrl('app://x@bundle/')).toBe(false)
  })
})
