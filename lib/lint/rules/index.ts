import type { Rule } from '../types.js'
import { rule as executionTimeoutNotAboveRequestTimeout } from './execution-timeout-not-above-request-timeout.js'
import { rule as requestTimeoutNotAboveMaxHeartbeat } from './request-timeout-not-above-max-heartbeat.js'
import { rule as hopTimeoutNotAboveHeartbeat } from './hop-timeout-not-above-heartbeat.js'
import { rule as hopTimeoutCappedBelowHeartbeat } from './hop-timeout-capped-below-heartbeat.js'
import { rule as drainGraceNotBelowTerminationGrace } from './drain-grace-not-below-termination-grace.js'
import { rule as timeoutsNotGrowingOutward } from './timeouts-not-growing-outward.js'
import { rule as timeoutFromVendorDefault } from './timeout-from-vendor-default.js'
import { rule as hopWithoutTimeout } from './hop-without-timeout.js'
import { rule as maxHeartbeatTooShort } from './max-heartbeat-too-short.js'
import { rule as minHeartbeatAbove180s } from './min-heartbeat-above-180s.js'
import { rule as roundRobinBalancing } from './round-robin-balancing.js'
import { rule as noCloseOn401 } from './no-close-on-401.js'
import { rule as haproxyWithoutAbortonclose } from './haproxy-without-abortonclose.js'
import { rule as timeoutOutsideVendorRange } from './timeout-outside-vendor-range.js'
import { rule as keepaliveCoversIdleTimeout } from './keepalive-covers-idle-timeout.js'
import { rule as timeoutUnknown } from './timeout-unknown.js'
import { rule as healthCheckIntervalNotBelowErrorExpiry } from './health-check-interval-not-below-error-expiry.js'
import { rule as healthCheckTimeoutNotBelowInterval } from './health-check-timeout-not-below-interval.js'
import { rule as backoffInitialAboveMax } from './backoff-initial-above-max.js'
import { rule as backoffMaxNotBelowErrorExpiry } from './backoff-max-not-below-error-expiry.js'
import { rule as deviceRateAboveGlobalRate } from './device-rate-above-global-rate.js'
import { rule as heldPingsAboveConnections } from './held-pings-above-connections.js'
import { rule as http2StreamLimitSavesLittle } from './http2-stream-limit-saves-little.js'
import { rule as safeHeartbeatOutsideHordeRange } from './safe-heartbeat-outside-horde-range.js'
import { rule as policyRuleShadowed } from './policy-rule-shadowed.js'
import { rule as policyRegexBacktracking } from './policy-regex-backtracking.js'
import { rule as policyBlocksEveryDevice } from './policy-blocks-every-device.js'

/** Every rule, in the order findings are reported. */
export const RULES: readonly Rule[] = [
  executionTimeoutNotAboveRequestTimeout,
  requestTimeoutNotAboveMaxHeartbeat,
  hopTimeoutNotAboveHeartbeat,
  hopTimeoutCappedBelowHeartbeat,
  drainGraceNotBelowTerminationGrace,
  timeoutsNotGrowingOutward,
  timeoutFromVendorDefault,
  hopWithoutTimeout,
  maxHeartbeatTooShort,
  minHeartbeatAbove180s,
  roundRobinBalancing,
  noCloseOn401,
  haproxyWithoutAbortonclose,
  timeoutOutsideVendorRange,
  keepaliveCoversIdleTimeout,
  timeoutUnknown,
  healthCheckIntervalNotBelowErrorExpiry,
  healthCheckTimeoutNotBelowInterval,
  backoffInitialAboveMax,
  backoffMaxNotBelowErrorExpiry,
  deviceRateAboveGlobalRate,
  heldPingsAboveConnections,
  http2StreamLimitSavesLittle,
  safeHeartbeatOutsideHordeRange,
  policyRuleShadowed,
  policyRegexBacktracking,
  policyBlocksEveryDevice
]
