import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { createAppCore } from '../../electron/core/app/app-core'
import type { AppCore, AppCoreOptions } from '../../electron/core/app/app-core'
import { createLogger } from '../../electron/core/log/logger'
import { MemorySecretStore } from '../../electron/core/secrets/memory-secret-store'

/** A real app core on a temp data directory (real SQLite file, real log file). */
export async function tempAppCore(
  over: Partial<AppCoreOptions> = {}
): Promise<{ core: AppCore; dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'qiwi-desk-core-'))
  const core = await createAppCore({
    dataDir,
    host: 'web',
    version: '0.0.0-test',
    logger: createLogger({ dir: join(dataDir, 'logs'), level: 'debug' }),
    allowSessionOnlySecrets: true,
    secretStore: { store: new MemorySecretStore(), status: 'session' },
    ...over
  })
  return {
    core,
    dataDir,
    cleanup: async () => {
      await core.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
