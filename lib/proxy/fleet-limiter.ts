import type { LimitDecision, LimitSettings, RequestLimiter } from '../policy/index.js'
import type { FleetRate } from '../state/index.js'

/** Dependencies of {@link createFleetLimiter}. */
export interface FleetLimiterDeps {
  /** This gateway's own limiter: decides first, synchronously, as without a fleet. */
  readonly local: RequestLimiter
  readonly rate: FleetRate
  readonly settings: LimitSettings
  /** Monotonic ms (the local limiter's clock). */
  readonly now: () => number
  /** Uniform in [0, 1): the Retry-After jitter. */
  readonly random: () => number
}

/**
 * Per-device rate limit shared by the fleet, with the pass contract kept synchronous. A request is
 * decided at once on local state: refused while the device is blocked here, else by the local
 * bucket. Each request admitted is then paid for in the device's fleet bucket in Redis (an atomic
 * Lua token bucket, one round trip, never awaited); when that bucket was empty, the answer (ms
 * until a token is back) blocks the device on this gateway for that long, from its next request.
 *
 * Error bound: every admitted request is charged to the fleet bucket, which may go into debt down
 * to -burst, so over any window T the fleet admits at most `rate·T + 2·burst` requests of a device,
 * plus the ones admitted while a gateway's Redis answer was still on its way (at most one round
 * trip, bounded by state.redis.timeout) and the ones admitted while Redis was down (then each
 * gateway applies its own bucket alone: at most N times the rate with N gateways).
 *
 * The global rate (`limits.requestsPerSecond`) works the same way on one fleet bucket: each
 * request this gateway admits (after its own global bucket) is charged to it, never awaited; when
 * the fleet bucket was empty, this gateway refuses every new upstream request until a token is
 * back. Same error bound, with the same fallback: while Redis is away, each gateway has the whole
 * rate to itself.
 */
export function createFleetLimiter (deps: FleetLimiterDeps): RequestLimiter {
  const { local, settings } = deps
  const { requestsPerSecond: rate, burst, maxTracked } = settings.perDevice
  const retryAfter = (wait: number): number => Math.min(settings.maxRetryAfter, Math.max(1000, Math.round(wait * (1 + deps.random()))))
  // Until when (deps.now ms) the fleet's global bucket has no token.
  let globalUntil = -Infinity
  // Device key -> until when (deps.now ms) the fleet said this device has no token. Bounded by
  // maxTracked; expired entries go at their next request or when newer ones push them out.
  const blocked = new Map<string, number>()
  const block = (key: string, until: number): void => {
    blocked.delete(key)
    blocked.set(key, until)
    const t = deps.now()
    for (const [k, u] of blocked) {
      if (u > t && blocked.size <= maxTracked) break
      blocked.delete(k)
    }
  }
  return {
    admitDevice (key): LimitDecision {
      if (rate <= 0) return local.admitDevice(key)
      const until = blocked.get(key)
      if (until !== undefined) {
        const wait = until - deps.now()
        if (wait > 0) return { ok: false, limit: 'device_rate', retryAfterMs: retryAfter(wait) }
        blocked.delete(key)
      }
      const decision = local.admitDevice(key)
      if (decision.ok) {
        void deps.rate.take(key, rate, burst).then((ms) => { if (ms !== undefined && ms > 0) block(key, deps.now() + ms) })
      }
      return decision
    },
    admitRequest (): LimitDecision {
      if (settings.requestsPerSecond <= 0) return local.admitRequest()
      const wait = globalUntil - deps.now()
      if (wait > 0) return { ok: false, limit: 'global_rate', retryAfterMs: retryAfter(wait) }
      const decision = local.admitRequest()
      if (decision.ok) {
        void deps.rate.takeGlobal(settings.requestsPerSecond, settings.burst).then((ms) => {
          if (ms !== undefined && ms > 0) globalUntil = Math.max(globalUntil, deps.now() + ms)
        })
      }
      return decision
    },
    admitPing: (held) => local.admitPing(held),
    admitConnection: (open) => local.admitConnection(open),
    get trackedDevices () { return local.trackedDevices }
  }
}
