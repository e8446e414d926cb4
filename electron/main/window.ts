/**
 * The only place windows are created and hardened (STYLE.md §4). The policy itself
 * lives in electron/core/security/policy.ts (pure, unit-tested).
 */
import { BrowserWindow, session, shell } from 'electron'
import type { WebContents } from 'electron'

import {
  APP_ORIGIN,
  isAllowedNavigation,
  isAllowedPermission,
  isSafeExternalUrl,
  secureWebPreferences,
  windowOpenDecision
} from '../core/security/policy'

export function hardenSession(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(isAllowedPermission(permission))
  )
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => isAllowedPermission(permission))
}

/** Applied to every WebContents the app ever gets (app.on('web-contents-created')). */
export function hardenWebContents(contents: WebContents, devServerOrigin: string | null): void {
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation go to the OS browser after the allow-list check; no window opens.
    if (isSafeExternalUrl(url)) void shell.openExternal(url)
    return windowOpenDecision()
  })
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, devServerOrigin)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, devServerOrigin)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

export function createMainWindow(preloadPath: string, devServerOrigin: string | null): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'QIWI Desk',
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(preloadPath)
  })
  win.once('ready-to-show', () => win.show())
  void win.loadURL(devServerOrigin ?? `${APP_ORIGIN}/index.html`)
  return win
}
