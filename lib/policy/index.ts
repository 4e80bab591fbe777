export { createRequestLimiter, type RequestLimiter, type LimitDecision, type LimitName, type LimitSettings, type LimiterClock } from './create-request-limiter.js'
export { createDeviceBuckets, type DeviceBuckets } from './device-buckets.js'
export { createBucket, takeToken, refillTime, type TokenBucket, type BucketRate } from './token-bucket.js'
export { retryAfterHeader } from './retry-after.js'
export { compileAccessPolicy, compileFile, requestCommand } from './compile-access-policy.js'
export { decideAccess, overDeviceLimit, NO_POLICY } from './decide-access.js'
export { accessAnswer, type AccessAnswer } from './access-answer.js'
export { DeviceSlots, DEFAULT_DEVICE_SLOTS, type DeviceSlotOptions, type SharedSlot } from './device-slots.js'
export { compilePattern, compileGlob, inRange, versionNumber, type ValueTest } from './match-pattern.js'
export {
  QUARANTINE_COMMANDS,
  type AccessDecision, type AccessPolicy, type AccessReason, type AccessRequest, type AccessState, type CompiledRule, type DeviceSlot, type ListView
} from './access-types.js'
