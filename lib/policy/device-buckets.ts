import { RecencyMap } from '../collections/index.js'
import { createBucket, refillTime, takeToken, type BucketRate, type TokenBucket } from './token-bucket.js'

/** Per-device token buckets with bounded memory. */
export interface DeviceBuckets {
  /** Takes a token from the device's bucket: 0, or ms until it has one. */
  take (key: string, now: number): number
  /** Devices tracked right now. */
  readonly size: number
}

/**
 * One token bucket per device, bounded in size (LRU: at most `maxTracked`, least recently used
 * dropped first) and in time (TTL: a bucket untouched for its refill time is full again, so it is
 * dropped; a returning device gets the same full bucket it would have had). Eviction by size only
 * ever makes the limit more lenient, never stricter. The buckets are kept in use order (a
 * RecencyMap), so both sweeps stop at the first keeper: O(1) per request.
 */
export function createDeviceBuckets (r: BucketRate & { readonly maxTracked: number }): DeviceBuckets {
  const map = new RecencyMap<string, TokenBucket>()
  const ttl = refillTime(r)
  return {
    take (key, now) {
      for (let b = map.oldest(); b !== undefined; b = map.oldest()) {
        if (now - b.at < ttl && map.size <= r.maxTracked) break
        map.delete(map.oldestKey() as string)
      }
      let b = map.touch(key)
      if (b === undefined) {
        b = createBucket(r, now)
        map.set(key, b)
      }
      if (map.size > r.maxTracked) map.delete(map.oldestKey() as string)
      return takeToken(b, r, now)
    },
    get size () { return map.size }
  }
}
