import type { Pass } from './index.js'
import { limitVerdict } from './limit-verdict.js'

/**
 * A new Ping while `limits.maxHeldPings` are held is answered 503 with Retry-After. A Ping that
 * replaces its device's held one (same credential identity) adds nothing and passes; one with
 * other credentials is held beside it, so it counts. It runs before holdPing, so a refused
 * Ping never supersedes (cuts) the Ping its device already holds: the limiter cuts no held Ping.
 */
export const limitHeldPings: Pass = ({ request, limits, devices }) => {
  const d = request.device
  if (limits === undefined || request.ping === undefined) return undefined
  if (d !== undefined && devices.holdsFor(d, request.identity)) return undefined
  return limitVerdict(limits, limits.limiter.admitPing(limits.heldPings()))
}
