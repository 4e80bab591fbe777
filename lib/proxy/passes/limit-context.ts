import type { Metrics } from '../../metrics/index.js'
import { createRequestLimiter, type LimitName, type LimitSettings, type RequestLimiter } from '../../policy/index.js'

/** Storm protection as the limit passes see it. */
export interface PassLimits {
  readonly limiter: RequestLimiter
  /** True when `limits.perDevice.requestsPerSecond` is 0: the per-device pass builds no key (no digest). */
  readonly deviceRateOff?: boolean
  /** Pings held right now. */
  heldPings (): number
  /** Counts a refusal in `eas_gateway_limit_rejections_total`. */
  onRefuse (limit: LimitName): void
}

/** Dependencies of {@link createPassLimits}. */
export interface PassLimitsDeps {
  readonly settings: LimitSettings
  readonly metrics: Metrics
  readonly heldPings: () => number
  /** Default: a limiter on the system clock built from `settings`. */
  readonly limiter?: RequestLimiter
}

/** Builds the limits the passes use: one limiter for the gateway, refusals counted by limit. */
export function createPassLimits (deps: PassLimitsDeps): PassLimits {
  const { metrics } = deps
  return {
    limiter: deps.limiter ?? createRequestLimiter(deps.settings, { now: () => performance.now(), random: Math.random }),
    deviceRateOff: deps.settings.perDevice.requestsPerSecond <= 0,
    heldPings: deps.heldPings,
    onRefuse (limit) { metrics.limitRejections.inc({ limit }) }
  }
}
