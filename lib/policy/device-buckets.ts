import { createBucket, refillTime, takeToken, type BucketRate, type TokenBucket } from './token-bucket.js'

/** Per-device token buckets with bounded memory. */
export interface DeviceBuckets {
  /** Takes a token from the device's bucket: 0, or ms until it has one. */
  take (key: string, now: number): number
  /** Devices tracked right now. */
  readonly size: number
}

/** A device's bucket with its place in the use order (least recently used first). */
interface Tracked extends TokenBucket {
  readonly key: string
  older: Tracked | undefined
  newer: Tracked | undefined
}

/**
 * One token bucket per device, bounded in size (LRU: at most `maxTracked`, least recently used
 * dropped first) and in time (TTL: a bucket untouched for its refill time is full again, so it is
 * dropped; a returning device gets the same full bucket it would have had). Eviction by size only
 * ever makes the limit more lenient, never stricter. The use order is a list through the buckets,
 * so both sweeps stop at the first keeper: O(1) per request. (Not the Map's insertion order:
 * `delete` + `set` of one device on every request left a deleted slot on that key's V8 hash
 * chain each time until the next rehash; with 8,000 devices tracked, a device sending request
 * after request cost 25 µs a request, 290 µs with 20,000.)
 */
export function createDeviceBuckets (r: BucketRate & { readonly maxTracked: number }): DeviceBuckets {
  const map = new Map<string, Tracked>()
  const ttl = refillTime(r)
  let oldest: Tracked | undefined
  let newest: Tracked | undefined
  const unlink = (b: Tracked): void => {
    if (b.older === undefined) oldest = b.newer
    else b.older.newer = b.newer
    if (b.newer === undefined) newest = b.older
    else b.newer.older = b.older
    b.older = undefined
    b.newer = undefined
  }
  const append = (b: Tracked): void => {
    b.older = newest
    if (newest === undefined) oldest = b
    else newest.newer = b
    newest = b
  }
  const drop = (b: Tracked): void => { unlink(b); map.delete(b.key) }
  return {
    take (key, now) {
      for (let b = oldest; b !== undefined; b = oldest) {
        if (now - b.at < ttl && map.size <= r.maxTracked) break
        drop(b)
      }
      let b = map.get(key)
      if (b === undefined) {
        const fresh = createBucket(r, now)
        b = { tokens: fresh.tokens, at: fresh.at, key, older: undefined, newer: undefined }
        map.set(key, b)
        append(b)
      } else if (b !== newest) {
        unlink(b)
        append(b)
      }
      if (map.size > r.maxTracked && oldest !== undefined) drop(oldest)
      return takeToken(b, r, now)
    },
    get size () { return map.size }
  }
}
