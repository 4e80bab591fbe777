import { retryAfterHeader, type LimitDecision } from '../../policy/index.js'
import type { Verdict } from '../verdict.js'
import type { PassLimits } from './limit-context.js'

/**
 * The answer to a refused request: 503 with a jittered Retry-After (RFC 9110 §15.6.4), so the
 * device retries on its own, later; counted by limit. `close` also ends the connection.
 * Undefined when the decision admits the request.
 */
export function limitVerdict (limits: PassLimits, d: LimitDecision, close = false): Verdict | undefined {
  if (d.ok) return undefined
  limits.onRefuse(d.limit)
  return {
    status: 503,
    reason: `limit_${d.limit}`,
    outcome: 'refused_limit',
    headers: { 'retry-after': retryAfterHeader(d.retryAfterMs), ...(close ? { connection: 'close' } : {}) }
  }
}
