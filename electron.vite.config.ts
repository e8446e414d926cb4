import { resolve } from 'node:path'

import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// Entries live outside electron-vite's default src/{main,preload,renderer} layout, so each
// is given explicitly. Main keeps package.json "dependencies" external (native addons such
// as better-sqlite3 and keytar must be require()d from node_modules at run time). The
// preload runs sandboxed, where only 'electron' can be required, so it is fully bundled.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'electron/main/index.ts') }
      }
    }
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      // electron-vite leaves the renderer unminified by default; minified it is ~40 % smaller
      // gzipped (docs/BENCHMARKS.md), which is what a window parses and compiles at start.
      minify: true,
      chunkSizeWarningLimit: 1200,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'renderer/index.html') }
      }
    }
  }
})
