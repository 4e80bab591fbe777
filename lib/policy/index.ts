export { createRequestLimiter, type RequestLimiter, type LimitDecision, type LimitName, type LimitSettings, type LimiterClock } from './create-request-limiter.js'
export { createDeviceBuckets, type DeviceBuckets } from './device-buckets.js'
export { createBucket, takeToken, refillTime, type TokenBucket, type BucketRate } from './token-bucket.js'
export { retryAfterHeader } from './retry-after.js'
