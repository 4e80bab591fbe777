import type { PoolClock } from '../upstream/index.js'

/** Something with a deadline: `deadlineAt` on the queue's clock; `onDeadline` runs once it has passed. */
export interface Deadlined {
  readonly deadlineAt: number
  onDeadline (): void
}

/**
 * Deadlines of one fixed length (executionTimeout), so they fall due in the order they were added:
 * one timer for all of them, armed for the oldest. A timer per request (a Timeout, its closure)
 * was about 180 bytes of every held Ping (issue #14, bench/held-heap.mjs). Removing an item is
 * O(1); a timer that fires for an item already removed re-arms for the next one.
 */
export class DeadlineQueue<T extends Deadlined> {
  /** Insertion order is deadline order: every item has the same length, added at its start. */
  readonly #items = new Set<T>()
  readonly #clock: PoolClock
  #timer: unknown
  #firing = false
  readonly #onTimer = (): void => { this.#fire() }

  constructor (clock: PoolClock) { this.#clock = clock }

  /** Adds an item; its deadline must not be earlier than any already queued (same length, later start). */
  add (item: T): void {
    this.#items.add(item)
    // While firing, the loop reaches an item added meanwhile and arms the timer for it.
    if (this.#timer === undefined && !this.#firing) this.#arm(item.deadlineAt)
  }

  delete (item: T): void { this.#items.delete(item) }

  get size (): number { return this.#items.size }

  #arm (at: number): void {
    // A timer may fire a fraction of a millisecond before the clock reads `at`: at least 1 ms.
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(1, Math.ceil(at - this.#clock.now())))
  }

  #fire (): void {
    this.#timer = undefined
    this.#firing = true
    try {
      const now = this.#clock.now()
      for (const item of this.#items) {
        if (item.deadlineAt > now) { this.#arm(item.deadlineAt); return }
        this.#items.delete(item)
        item.onDeadline()
      }
    } finally {
      this.#firing = false
    }
  }
}
