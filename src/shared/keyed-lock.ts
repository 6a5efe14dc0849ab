/** Runs a task holding the lock named `key`. */
export interface Lock {
  run<T>(key: string, task: () => Promise<T>): Promise<T>
}

/**
 * Runs tasks one at a time per key, in arrival order, within this process: management calls for one
 * IdP client must not interleave, or a rotated registration access token would be presented stale.
 */
export class KeyedLock implements Lock {
  private readonly tails = new Map<string, Promise<unknown>>()

  async run<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const current = previous.then(task, task)
    const tail = current.catch(() => { /* the caller gets the failure; the next task runs anyway */ })
    this.tails.set(key, tail)
    try {
      return await current
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}

/** One process at a time (KeyedLock), then one replica at a time (the database's lock, e.g. a PostgreSQL advisory lock). */
export function acrossProcesses (local: KeyedLock, database: { withLock<T>(key: string, task: () => Promise<T>): Promise<T> }): Lock {
  return { run: async (key, task) => await local.run(key, async () => await database.withLock(key, task)) }
}
