import type { Pass } from './index.js'
import { limitVerdict } from './limit-verdict.js'

/**
 * A new Ping while `limits.maxHeldPings` are held is answered 503 with Retry-After. A Ping that
 * replaces its device's held one adds nothing and passes. It runs before holdPing, so a refused
 * Ping never supersedes (cuts) the Ping its device already holds: the limiter cuts no held Ping.
 */
export const limitHeldPings: Pass = ({ request, limits }) => {
  if (limits === undefined || request.ping === undefined || request.device?.held !== undefined) return undefined
  return limitVerdict(limits, limits.limiter.admitPing(limits.heldPings()))
}
