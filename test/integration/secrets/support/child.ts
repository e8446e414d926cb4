/**
 * Runs secrets-child.ts in a separate plain-Node process: esbuild bundles our TypeScript
 * (packages stay external and resolve from the repo's node_modules through NODE_PATH).
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { buildSync } from 'esbuild'
import { REPO_ROOT } from '../../../support/paths'

export function bundleChild(outDir: string): string {
  const outfile = join(outDir, 'secrets-child.cjs')
  buildSync({
    entryPoints: [join(__dirname, 'secrets-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent'
  })
  return outfile
}

export interface ChildResult {
  code: number | null
  stdout: string
  stderr: string
  json: Record<string, unknown>
}

/** Runs a command with a timeout; env entries set to undefined are removed. */
export function run(
  cmd: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000
): Promise<ChildResult> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules') }
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete fullEnv[k]
    else fullEnv[k] = v
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: fullEnv, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`child timed out after ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`))
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      const last =
        stdout
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .pop() ?? '{}'
      let json: Record<string, unknown>
      try {
        json = JSON.parse(last) as Record<string, unknown>
      } catch {
        json = {}
      }
      resolve({ code, stdout, stderr, json })
    })
  })
}

export function runChild(
  bundle: string,
  command: unknown,
  env: Record<string, string | undefined> = {},
  timeoutMs?: number
): Promise<ChildResult> {
  return run(process.execPath, [bundle, JSON.stringify(command)], env, timeoutMs)
}
