import type { PoolClock } from '../upstream/index.js'

/** Something with a deadline: `deadlineAt` on the queue's clock; `onDeadline` runs once it has passed. */
export interface Deadlined {
  readonly deadlineAt: number
  /** The deadline passed: must take the item out of the queue's set. */
  onDeadline (): void
}

/**
 * Deadlines of one fixed length (executionTimeout), so they fall due in the order the items were
 * added: one timer for all of them, armed for the oldest. A timer per request (a Timeout and its
 * closure) was about 180 bytes of every held Ping (issue #14, bench/held-heap.mjs). The queue
 * reads a set its owner keeps (the gateway's requests in progress, in arrival order): nothing is
 * stored per item beside it, and removing an item is the owner's O(1) delete. A timer that fires
 * for an item already gone re-arms for the next one.
 */
export class DeadlineQueue<T extends Deadlined> {
  /** Insertion order is deadline order: every item has the same length, added at its start. */
  readonly #items: ReadonlySet<T>
  readonly #clock: PoolClock
  #timer: unknown
  #firing = false
  readonly #onTimer = (): void => { this.#fire() }

  constructor (clock: PoolClock, items: ReadonlySet<T>) {
    this.#clock = clock
    this.#items = items
  }

  /**
   * Call right after adding `item` to the set; its deadline must not be earlier than any already
   * there (same length, later start).
   */
  arm (item: T): void {
    // While firing, the loop reaches an item added meanwhile and arms the timer for it.
    if (this.#timer === undefined && !this.#firing) this.#armFor(item.deadlineAt)
  }

  #armFor (at: number): void {
    // A timer may fire a fraction of a millisecond before the clock reads `at`: at least 1 ms.
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(1, Math.ceil(at - this.#clock.now())))
  }

  #fire (): void {
    this.#timer = undefined
    this.#firing = true
    try {
      const now = this.#clock.now()
      for (const item of this.#items) {
        if (item.deadlineAt > now) { this.#armFor(item.deadlineAt); return }
        item.onDeadline()
      }
    } finally {
      this.#firing = false
    }
  }
}
