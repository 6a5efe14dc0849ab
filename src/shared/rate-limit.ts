// A fixed-window counter per key (issue 11 item 12): at most `limit` events per `windowMs`; one more is
// refused until the window ends, and the caller answers 429 with Retry-After. In memory, per process: N
// replicas allow N times the limit, which still bounds a runaway loop or a password-guessing run.

export interface RateLimitOptions {
  readonly limit: number
  readonly windowMs: number
  /** Milliseconds since the epoch; the clock seam of the tests. */
  readonly now?: () => number
}

/** Keys kept before windows that have ended are swept, so an address scan cannot grow memory without bound. */
const SWEEP_AT = 10_000

export class RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>()
  private readonly now: () => number

  constructor (private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now
  }

  /** Seconds until `key` may act again, or undefined when it may act now (nothing is counted). */
  blocked (key: string): number | undefined {
    const window = this.current(key)
    if (window === undefined || window.count < this.options.limit) return undefined
    return Math.max(1, Math.ceil((window.start + this.options.windowMs - this.now()) / 1000))
  }

  /** Counts one event for `key`; returns what blocked() says before counting it. */
  take (key: string): number | undefined {
    const refused = this.blocked(key)
    if (refused !== undefined) return refused
    const window = this.current(key)
    if (window !== undefined) {
      window.count++
      return undefined
    }
    if (this.windows.size >= SWEEP_AT) this.sweep()
    this.windows.set(key, { start: this.now(), count: 1 })
    return undefined
  }

  private current (key: string): { start: number; count: number } | undefined {
    const window = this.windows.get(key)
    if (window === undefined || this.now() - window.start < this.options.windowMs) return window
    this.windows.delete(key)
    return undefined
  }

  private sweep (): void {
    for (const key of [...this.windows.keys()]) this.current(key)
  }
}
