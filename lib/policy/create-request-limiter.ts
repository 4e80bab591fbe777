import type { GatewayConfig } from '../config/index.js'
import { createDeviceBuckets } from './device-buckets.js'
import { createBucket, takeToken, type BucketRate } from './token-bucket.js'

/** The storm-protection settings (`limits:` in the gateway config); 0 switches a limit off. */
export type LimitSettings = GatewayConfig['limits']

/** Which limit refused a request (a bounded set: the metric label). */
export type LimitName = 'global_rate' | 'device_rate' | 'held_pings' | 'connections'

/** A limiter's answer: go on, or refuse with a jittered wait for the device. */
export type LimitDecision =
  | { readonly ok: true }
  | { readonly ok: false, readonly limit: LimitName, readonly retryAfterMs: number }

/** Time and randomness, injected so decisions are deterministic in tests. */
export interface LimiterClock {
  /** Monotonic milliseconds. */
  now (): number
  /** Uniform in [0, 1). */
  random (): number
}

/** Storm protection decisions. Pure apart from its own buckets; counts live with their owners. */
export interface RequestLimiter {
  /** Per-device rate (key: user + DeviceId). */
  admitDevice (key: string): LimitDecision
  /** Global rate of new upstream requests: ask last, right before forwarding. */
  admitRequest (): LimitDecision
  /** A new Ping while `held` Pings are held. */
  admitPing (held: number): LimitDecision
  /** A new device connection while `open` are open (this one included). */
  admitConnection (open: number): LimitDecision
  /** Devices with per-device state right now (bounded by perDevice.maxTracked). */
  readonly trackedDevices: number
}

/** A device refused by a count cap comes back 30-60 s later (jittered), as slots free slowly. */
const CAP_RETRY_MS = 30_000
const OK: LimitDecision = Object.freeze({ ok: true })

/**
 * Builds the storm-protection limiter: token buckets for the global new-request rate and for each
 * device, and the held-Ping and connection caps. A refused device gets a jittered wait. For the
 * global rate the wait spreads the refused crowd over the time the bucket needs to serve it (the
 * refusals not yet absorbed, divided by the rate), so a reconnect storm comes back as a ramp, not
 * as a second wall (like a push system's start jitter); never above `maxRetryAfter`.
 */
export function createRequestLimiter (s: LimitSettings, clock: LimiterClock): RequestLimiter {
  const globalRate: BucketRate = { rate: s.requestsPerSecond, burst: s.burst }
  const global = createBucket(globalRate, clock.now())
  const devices = createDeviceBuckets({ rate: s.perDevice.requestsPerSecond, burst: s.perDevice.burst, maxTracked: s.perDevice.maxTracked })
  // Refused requests the global bucket has not absorbed yet; drains at the global rate.
  const backlog = { n: 0, at: clock.now() }
  const clamp = (ms: number): number => Math.min(s.maxRetryAfter, Math.max(1000, Math.round(ms)))
  const refuse = (limit: LimitName, ms: number): LimitDecision => ({ ok: false, limit, retryAfterMs: clamp(ms) })

  return {
    admitDevice (key) {
      if (s.perDevice.requestsPerSecond <= 0) return OK
      const wait = devices.take(key, clock.now())
      return wait === 0 ? OK : refuse('device_rate', wait * (1 + clock.random()))
    },
    admitRequest () {
      if (s.requestsPerSecond <= 0) return OK
      const now = clock.now()
      const wait = takeToken(global, globalRate, now)
      if (wait === 0) return OK
      backlog.n = Math.max(0, backlog.n - (now - backlog.at) * s.requestsPerSecond / 1000) + 1
      backlog.at = now
      return refuse('global_rate', wait + clock.random() * backlog.n * 1000 / s.requestsPerSecond)
    },
    admitPing (held) {
      if (s.maxHeldPings <= 0 || held < s.maxHeldPings) return OK
      return refuse('held_pings', CAP_RETRY_MS * (1 + clock.random()))
    },
    admitConnection (open) {
      if (s.maxConnections <= 0 || open <= s.maxConnections) return OK
      return refuse('connections', CAP_RETRY_MS * (1 + clock.random()))
    },
    get trackedDevices () { return devices.size }
  }
}
