/**
 * Electron host: a thin composition root. Everything with logic lives in the
 * Electron-free core (electron/core), which the web host and the CLI share.
 */
import { join } from 'node:path'

import { app, BrowserWindow, ipcMain, Notification, shell } from 'electron'

import { createAppCore } from '../core/app/app-core'
import type { AppCore } from '../core/app/app-core'
import { createLogger, logDir } from '../core/log/logger'
import { registerContract } from './ipc'
import { registerAppScheme, serveRenderer } from './protocol'
import { createMainWindow, hardenSession, hardenWebContents } from './window'

const EVENT_CHANNEL = 'contract:event'
// electron-vite sets this only for `electron-vite dev`; it is a loopback origin.
const devServerOrigin = process.env['ELECTRON_RENDERER_URL'] ?? null

registerAppScheme()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  let core: AppCore | null = null
  let win: BrowserWindow | null = null

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })

  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, devServerOrigin))

  void app.whenReady().then(async () => {
    const dataDir = process.env['QIWI_DESK_DATA_DIR'] ?? app.getPath('userData')
    const logger = createLogger({ dir: logDir(dataDir), name: 'qiwi-desk-main' })
    hardenSession()
    serveRenderer(join(__dirname, '../renderer'))
    core = await createAppCore({
      dataDir,
      host: 'electron',
      version: app.getVersion(),
      logger,
      openPath: async (path) => (await shell.openPath(path)) === '',
      notify: (title, body) => {
        if (Notification.isSupported()) new Notification({ title, body }).show()
      },
      allowSessionOnlySecrets: true
    })
    const c = core
    registerContract(ipcMain, c.dispatch, { devServerOrigin, language: () => c.language() })
    c.events.onAny((event, payload) => {
      for (const w of BrowserWindow.getAllWindows()) w.webContents.send(EVENT_CHANNEL, { event, payload })
    })
    win = createMainWindow(join(__dirname, '../preload/index.js'), devServerOrigin)
    win.on('closed', () => {
      win = null
    })
  })

  app.on('window-all-closed', () => {
    app.quit()
  })

  let closing = false
  app.on('before-quit', (event) => {
    if (closing || !core) return
    event.preventDefault()
    closing = true
    void core.close().finally(() => app.quit())
  })
}
