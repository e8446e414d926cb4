/**
 * The three deliberately broken builds of RELIABILITY P2. Each is a source edit applied
 * by an esbuild plugin while bundling the worker, so production code carries no
 * switch for them. An edit whose anchor is missing fails the build: a mutant can never
 * silently turn into the correct engine.
 */
export type MutantName = 'send-before-persist' | 'new-number-on-retry' | 'unknown-as-failed'

export interface SourceEdit {
  /** Path relative to the repository root. */
  file: string
  find: string
  replace: string
  /** Import lines the replacement needs. */
  prepend?: string
}

export const MUTANTS: Readonly<Record<MutantName, SourceEdit>> = {
  // Sends a pay for a number peeked from the counter BEFORE the intent is committed;
  // the intent then gets its own (later) number. Kills between the two also lose the
  // intent and re-create it under yet another number.
  'send-before-persist': {
    file: 'electron/core/engine/engine.ts',
    find: '    // crash-harness mutation point: send-before-persist (docs/CRASH-HARNESS.md; nothing here in a real build)\n',
    replace: `    {
      const t0 = prepared.terminal
      const last = mutLastTransactionNumber(db, t0.terminalId, t0.deskPrefix)
      const peek = mutNextTransactionNumber(last === null ? null : BigInt(last), now(), t0.deskPrefix).toString()
      const c0 = await connect(t0)
      if (c0.ok) {
        await c0.value.client.pay(
          payDetailsOf({
            transactionNumber: peek,
            service: prepared.service,
            account: prepared.account,
            amountKopecks: prepared.amountKopecks,
            currency: 'RUB',
            comment: prepared.comment,
            extras: prepared.extras
          })
        )
      }
    }
`,
    prepend:
      "import { lastTransactionNumber as mutLastTransactionNumber, nextTransactionNumber as mutNextTransactionNumber } from '../db/txn-allocator'\n"
  },
  // Every re-sent pay (not registered, D6, crash recovery) gets a fresh number instead of the stored one.
  'new-number-on-retry': {
    file: 'electron/core/engine/engine.ts',
    find: '    const details = payDetailsOf(p)\n',
    replace:
      '    const details = payDetailsOf(p.attempts > 0 ? { ...p, transactionNumber: mutWriteTransaction(db, () => mutAllocate(db, t.terminalId, t.deskPrefix, now())) } : p)\n',
    prepend:
      "import { writeTransaction as mutWriteTransaction } from '../db/connection'\nimport { allocateTransactionNumber as mutAllocate } from '../db/txn-allocator'\n"
  },
  // An unknown outcome (reset, timeout, broken XML) is taken as a failure.
  'unknown-as-failed': {
    file: 'electron/core/engine/decide.ts',
    find: "    case 'unknown':\n      return { kind: 'poll' }\n",
    replace: "    case 'unknown':\n      return { kind: 'final', state: 'failed' }\n"
  }
}
