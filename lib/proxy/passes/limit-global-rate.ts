import type { Pass } from './index.js'
import { limitVerdict } from './limit-verdict.js'

/**
 * The global rate of new upstream requests (`limits.requestsPerSecond`, `burst`): after an outage
 * the reconnect storm reaches the mail server as a ramp, and the refused devices are told to come
 * back spread over the time the ramp needs. Last before forwarding, so requests answered locally
 * (clamped Pings, refusals) spend no token.
 */
export const limitGlobalRate: Pass = ({ limits }) => {
  if (limits === undefined) return undefined
  return limitVerdict(limits, limits.limiter.admitRequest())
}
