/**
 * Runs tasks one at a time per key, in arrival order, within this process: management calls for one
 * IdP client must not interleave, or a rotated registration access token would be presented stale.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>()

  async run<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const current = previous.then(task, task)
    const tail = current.catch(() => {})
    this.tails.set(key, tail)
    try {
      return await current
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
