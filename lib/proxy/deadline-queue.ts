import type { PoolClock } from '../upstream/index.js'

/** Where a queue finds an item's deadline, and what it does once the deadline has passed. */
export interface DeadlineRule<T> {
  /** The item's deadline on the queue's clock. */
  readonly dueAt: (item: T) => number
  /** The deadline passed: must take the item out of the queue's set. */
  readonly expire: (item: T) => void
}

/**
 * Deadlines of one fixed length (executionTimeout from arrival, easRequestTimeout from the request
 * going upstream), so they fall due in the order the items were added: one timer for all of them,
 * armed for the oldest. A timer per request (a Timeout and its closure) was about 180 bytes of
 * every held Ping (issue #14, bench/held-heap.mjs); undici's own `headersTimeout` is checked on a
 * 0.5 s tick and can fire that much early. The queue reads a set its owner keeps, in insertion
 * order: nothing is stored per item beside it, and removing an item is the owner's O(1) delete. A
 * timer that fires for an item already gone re-arms for the next one.
 */
export class DeadlineQueue<T> {
  /** Insertion order is deadline order: every item has the same length, added at its start. */
  readonly #items: ReadonlySet<T>
  readonly #clock: PoolClock
  readonly #rule: DeadlineRule<T>
  #timer: unknown
  #firing = false
  readonly #onTimer = (): void => { this.#fire() }

  constructor (clock: PoolClock, items: ReadonlySet<T>, rule: DeadlineRule<T>) {
    this.#clock = clock
    this.#items = items
    this.#rule = rule
  }

  /**
   * Call right after adding `item` to the set; its deadline must not be earlier than any already
   * there (same length, later start).
   */
  arm (item: T): void {
    // While firing, the loop reaches an item added meanwhile and arms the timer for it.
    if (this.#timer === undefined && !this.#firing) this.#armFor(this.#rule.dueAt(item))
  }

  #armFor (at: number): void {
    // A timer may fire a fraction of a millisecond before the clock reads `at`: at least 1 ms.
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(1, Math.ceil(at - this.#clock.now())))
  }

  #fire (): void {
    this.#timer = undefined
    this.#firing = true
    const { dueAt, expire } = this.#rule
    try {
      const now = this.#clock.now()
      for (const item of this.#items) {
        const at = dueAt(item)
        if (at > now) { this.#armFor(at); return }
        expire(item)
      }
    } finally {
      this.#firing = false
    }
  }
}
