import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'

export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8'
}

/** Reads a file below `root` for a URL path; null when absent or outside the root. */
export async function readStatic(root: string, urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  const base = normalize(root + sep)
  let rel: string
  try {
    rel = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath)
  } catch {
    return null
  }
  if (rel.includes('\0')) return null
  const file = normalize(join(base, rel))
  if (!file.startsWith(base)) return null
  try {
    const s = await stat(file)
    if (!s.isFile()) return null
    return { body: await readFile(file), type: MIME_TYPES[extname(file)] ?? 'application/octet-stream' }
  } catch {
    return null
  }
}
