/**
 * One async critical section per key (a wallet): a sync, a transfer and a
 * reconciliation of the same wallet never interleave in this process. Across
 * processes (the CLI next to the app) the database's compare-and-swap on
 * `attempts` (transfers.repository.ts claimAttempt) is what prevents a double send.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => {
      release = resolve
    })
    const tail = prev.then(() => mine)
    this.tails.set(key, tail)
    await prev
    try {
      return await fn()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }

  /** True while some call for `key` is running or queued. */
  busy(key: string): boolean {
    return this.tails.has(key)
  }
}
