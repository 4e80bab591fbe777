/** A token bucket's refill rate (tokens per second) and size. */
export interface BucketRate {
  readonly rate: number
  readonly burst: number
}

/** A token bucket's state: tokens left at time `at` (ms, the caller's clock). */
export interface TokenBucket {
  tokens: number
  at: number
}

/** A full bucket at `now`: a newcomer may spend the whole burst. */
export function createBucket (r: BucketRate, now: number): TokenBucket {
  return { tokens: r.burst, at: now }
}

/**
 * Refills the bucket for the time since it was last used, then takes one token if there is one.
 * Returns 0 when a token was taken, else the milliseconds until the next one. Pure apart from the
 * bucket it is given; the clock is the caller's.
 */
export function takeToken (b: TokenBucket, r: BucketRate, now: number): number {
  if (now > b.at) b.tokens = Math.min(r.burst, b.tokens + (now - b.at) * r.rate / 1000)
  b.at = Math.max(b.at, now)
  if (b.tokens >= 1) { b.tokens -= 1; return 0 }
  return Math.ceil((1 - b.tokens) * 1000 / r.rate)
}

/** How long an untouched bucket takes to be full again (ms): after that it equals a new one. */
export function refillTime (r: BucketRate): number {
  return Math.ceil(r.burst * 1000 / r.rate)
}
