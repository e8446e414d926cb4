/**
 * What every CLI command module receives. Output contract: with --json exactly one
 * JSON document per command on stdout; human-readable text otherwise; errors on
 * stderr with a non-zero exit code (see EXIT).
 */
export const EXIT = {
  ok: 0,
  other: 1,
  badInput: 2,
  config: 3
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export interface CliContext {
  /** Resolved data directory (--data-dir, QIWI_DESK_DATA_DIR, or the platform default). */
  dataDir(): string
  /** True when --json was given. */
  json(): boolean
  /** Writes to stdout (a JSON document when json() is true). */
  out(text: string): void
  /** Writes a line to stderr. */
  err(text: string): void
  /** Reads all of stdin as UTF-8 (secrets come only from stdin or files, never argv). */
  readStdin(): Promise<string>
  /** Sets the process exit code (the entry point exits after the command's promise settles). */
  setExit(code: ExitCode): void
}
