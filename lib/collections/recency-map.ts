interface Node<K, V> {
  readonly key: K
  value: V
  older: Node<K, V> | undefined
  newer: Node<K, V> | undefined
}

/**
 * A Map that also keeps its entries in use order (least recently used first), for the bounded
 * per-device and per-user tables (LRU + TTL sweeps that stop at the first keeper).
 *
 * The order is a list through the entries, not the Map's insertion order: moving a key to the end
 * with `delete` + `set` on every request leaves a deleted entry in V8's hash table each time,
 * until the next rehash, and one device sending request after request then costs ~10-40 µs a
 * request with 8,000 keys (README § Benchmark, "Held Pings slow down other requests").
 */
export class RecencyMap<K, V> {
  readonly #map = new Map<K, Node<K, V>>()
  #oldest: Node<K, V> | undefined
  #newest: Node<K, V> | undefined

  get size (): number { return this.#map.size }

  /** The value, without changing its place in the order. */
  get (key: K): V | undefined { return this.#map.get(key)?.value }

  has (key: K): boolean { return this.#map.has(key) }

  /** Sets the value and makes the key the most recently used. */
  set (key: K, value: V): void {
    const n = this.#map.get(key)
    if (n === undefined) {
      const fresh: Node<K, V> = { key, value, older: undefined, newer: undefined }
      this.#map.set(key, fresh)
      this.#append(fresh)
      return
    }
    n.value = value
    this.#moveToNewest(n)
  }

  /** The value, made the most recently used; undefined (nothing changes) when absent. */
  touch (key: K): V | undefined {
    const n = this.#map.get(key)
    if (n === undefined) return undefined
    this.#moveToNewest(n)
    return n.value
  }

  delete (key: K): boolean {
    const n = this.#map.get(key)
    if (n === undefined) return false
    this.#unlink(n)
    this.#map.delete(key)
    return true
  }

  /** The least recently used key, or undefined when empty. */
  oldestKey (): K | undefined { return this.#oldest?.key }

  /** The least recently used value, or undefined when empty. */
  oldest (): V | undefined { return this.#oldest?.value }

  /** Values from the least to the most recently used. Deleting or touching the current one while iterating is safe (a touched one comes again at the end). */
  * oldestFirst (): IterableIterator<V> {
    for (let n = this.#oldest; n !== undefined;) {
      const next = n.newer
      yield n.value
      n = next
    }
  }

  /** Values from the most to the least recently used. Deleting or touching the current one while iterating is safe (a touched one comes again at the end). */
  * newestFirst (): IterableIterator<V> {
    for (let n = this.#newest; n !== undefined;) {
      const next = n.older
      yield n.value
      n = next
    }
  }

  #moveToNewest (n: Node<K, V>): void {
    if (n === this.#newest) return
    this.#unlink(n)
    this.#append(n)
  }

  #unlink (n: Node<K, V>): void {
    if (n.older === undefined) this.#oldest = n.newer
    else n.older.newer = n.newer
    if (n.newer === undefined) this.#newest = n.older
    else n.newer.older = n.older
    n.older = undefined
    n.newer = undefined
  }

  #append (n: Node<K, V>): void {
    n.older = this.#newest
    if (this.#newest === undefined) this.#oldest = n
    else this.#newest.newer = n
    this.#newest = n
  }
}
