// A cap on concurrent IdP calls per provider (issue 5 item 7): at most `maxConcurrent` calls in flight to
// one provider, up to `maxQueued` more waiting in order; beyond that a call fails at once with IdpError
// stage `overloaded` (503 + Retry-After), before anything is sent. One slow IdP never holds the calls to
// another: every provider has its own lane.
import { IdpError } from './idp-error.ts'

export interface CallLimits {
  /** Calls in flight to one provider. Default 8. */
  readonly maxConcurrent?: number
  /** Calls waiting for a slot at one provider. Default 32. */
  readonly maxQueued?: number
}

interface Lane { active: number; readonly waiting: Array<() => void> }

export class CallLimiter {
  readonly maxConcurrent: number
  readonly maxQueued: number
  private readonly lanes = new Map<string, Lane>()

  constructor (limits: CallLimits = {}) {
    this.maxConcurrent = limits.maxConcurrent ?? 8
    this.maxQueued = limits.maxQueued ?? 32
  }

  /** Runs `call` in the lane `key` (a provider); `label` names it in the refusal. */
  async run<T> (key: string, label: string, call: () => Promise<T>): Promise<T> {
    await this.acquire(key, label)
    try {
      return await call()
    } finally {
      this.release(key)
    }
  }

  /** Calls in flight and waiting for one lane (tests, diagnostics). */
  load (key: string): { active: number; waiting: number } {
    const lane = this.lanes.get(key)
    return { active: lane?.active ?? 0, waiting: lane?.waiting.length ?? 0 }
  }

  private async acquire (key: string, label: string): Promise<void> {
    let lane = this.lanes.get(key)
    if (lane === undefined) {
      lane = { active: 0, waiting: [] }
      this.lanes.set(key, lane)
    }
    if (lane.active < this.maxConcurrent) {
      lane.active++
      return
    }
    if (lane.waiting.length >= this.maxQueued) {
      throw new IdpError('overloaded', `${label} already has ${this.maxConcurrent} calls in progress and ${this.maxQueued} waiting; nothing was sent, retry shortly`)
    }
    const waiting = lane.waiting
    await new Promise<void>((resolve) => { waiting.push(resolve) }) // the slot is handed over by release()
  }

  private release (key: string): void {
    const lane = this.lanes.get(key)
    if (lane === undefined) return
    const next = lane.waiting.shift()
    if (next !== undefined) {
      next()
      return
    }
    lane.active--
    if (lane.active === 0) this.lanes.delete(key)
  }
}
