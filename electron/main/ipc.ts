/**
 * Registers every contract call on ipcMain through ONE helper: it checks the sender
 * frame (Electron advisory GHSA-mq8j-3h7h-p8g7), lets the dispatcher validate the
 * arguments against the schema, and refuses duplicate registration.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron'

import { calls } from '../../shared/contract'
import type { Language } from '../../shared/contract'
import { err } from '../../shared/result'
import type { Dispatch } from '../core/ipc/dispatcher'
import { isTrustedSender } from '../core/security/policy'

const registered = new Set<string>()

export function registerContract(
  ipcMain: IpcMain,
  dispatch: Dispatch,
  opts: { devServerOrigin: string | null; language: () => Language }
): void {
  for (const channel of Object.keys(calls)) {
    if (registered.has(channel)) throw new Error(`IPC channel registered twice: ${channel}`)
    registered.add(channel)
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown) => {
      const frame = event.senderFrame
      const trusted = isTrustedSender(
        frame ? { url: frame.url, isMainFrame: frame === event.sender.mainFrame } : null,
        opts.devServerOrigin
      )
      if (!trusted) return err('forbidden', 'Untrusted sender')
      return dispatch(channel, input, { host: 'electron', lang: opts.language() })
    })
  }
}
