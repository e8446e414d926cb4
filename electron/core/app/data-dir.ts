import { homedir } from 'node:os'
import { join } from 'node:path'

/** The same directory Electron's app.getPath('userData') uses for "QIWI Desk". */
export function defaultDataDir(): string {
  const home = homedir()
  switch (process.platform) {
    case 'win32':
      return join(process.env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'qiwi-desk')
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'qiwi-desk')
    default:
      return join(process.env['XDG_CONFIG_HOME'] ?? join(home, '.config'), 'qiwi-desk')
  }
}
