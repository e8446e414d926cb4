/**
 * Structured logging (pino) for the core, the hosts and the CLI.
 *
 * Secrets are redacted at the logger: any field whose name is in REDACT_KEYS is
 * replaced by "[redacted]" wherever it appears (top level, one and two levels deep,
 * and inside arrays of objects). Code must still never put a secret in a message
 * string; the canary test (test/integration/secret-canary.test.ts) scans log files.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { createStream } from 'rotating-file-stream'

export type Logger = pino.Logger

/** Field names that may carry a secret. Lower-case compared. */
export const REDACT_KEYS = [
  'password',
  'passphrase',
  'secret',
  'token',
  'apiToken',
  'authorization',
  'Authorization',
  'cookie',
  'key',
  'privateKey',
  'pfx',
  'pem',
  'cert',
  'x-digital-sign',
  'X-Digital-Sign',
  'ticket',
  'tgt',
  'st',
  'body'
]

function redactPaths(): string[] {
  const paths: string[] = []
  for (const k of REDACT_KEYS) {
    const p = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`
    const dot = p.startsWith('[') ? '' : '.'
    paths.push(p, `*${dot}${p}`, `*.*${dot}${p}`, `*[*]${dot}${p}`)
  }
  return paths
}

export const REDACT_OPTIONS = { paths: redactPaths(), censor: '[redacted]' }

export interface LoggerOptions {
  /** Directory for rotating log files; undefined → no file output. */
  dir?: string | undefined
  level?: string | undefined
  /** Also write to stderr (CLI verbose, dev). */
  stderr?: boolean | undefined
  name?: string | undefined
}

/** A logger that writes JSON lines to `<dir>/qiwi-desk.log`, rotated daily or at 10 MB, 14 files kept. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const streams: pino.StreamEntry[] = []
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true })
    const file = createStream('qiwi-desk.log', {
      path: opts.dir,
      size: '10M',
      interval: '1d',
      maxFiles: 14
    })
    streams.push({ stream: file })
  }
  if (opts.stderr) streams.push({ stream: process.stderr })
  const base = {
    level: opts.level ?? 'info',
    name: opts.name ?? 'qiwi-desk',
    redact: REDACT_OPTIONS,
    timestamp: pino.stdTimeFunctions.isoTime
  }
  if (streams.length === 0) return pino({ ...base, enabled: false })
  return pino(base, pino.multistream(streams))
}

/** A logger that drops everything (unit tests, library defaults). */
export const nullLogger: Logger = pino({ enabled: false })

export function logDir(dataDir: string): string {
  return join(dataDir, 'logs')
}
