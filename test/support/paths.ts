import { join, resolve } from 'node:path'

/** The repository root (this file is test/support/paths.ts). */
export const REPO_ROOT = resolve(__dirname, '..', '..')
/** ../shared beside the repo: protocol references and byte-exact test vectors. */
export const SHARED_DIR = resolve(REPO_ROOT, '..', 'shared')
export const VECTORS_DIR = join(SHARED_DIR, 'spec', 'test-vectors')
