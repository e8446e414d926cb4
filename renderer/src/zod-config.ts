import { z } from 'zod'

// The CSP forbids eval; without this zod probes `new Function` on first use and the page
// reports a (harmless, caught) script-src violation. Imported first by main.tsx so it runs
// before any module builds or parses a schema.
z.config({ jitless: true })
