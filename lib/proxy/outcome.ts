/** How a request ended: the vocabulary of metrics and logs (DESIGN.md § Outcomes, README § Outcomes). */
export type Outcome =
  | 'completed'
  | 'device_abort'
  | 'upstream_reset'
  | 'upstream_timeout'
  | 'execution_timeout'
  | 'upstream_unreachable'
  | 'answered_locally'
  | RefusedOutcome

/**
 * The gateway refused the request and answered it itself, and says why: no upstream was alive,
 * a storm limit, the access policy (or a Bearer token), or the request itself (malformed query or
 * WBXML, body too large or too slow). Kept apart from `answered_locally` (a healthy local answer:
 * heartbeat clamp, superseded or drained Ping) so that an outage reads as failed requests.
 */
export type RefusedOutcome = 'refused_no_upstream' | 'refused_limit' | 'refused_policy' | 'refused_malformed'

/** What a local answer may count as. Default: `answered_locally`. */
export type LocalOutcome = 'answered_locally' | RefusedOutcome

/** Every outcome, in README order. */
export const OUTCOMES: readonly Outcome[] = [
  'completed', 'device_abort', 'upstream_reset', 'upstream_timeout', 'execution_timeout', 'upstream_unreachable', 'answered_locally',
  'refused_no_upstream', 'refused_limit', 'refused_policy', 'refused_malformed'
]

/** Why the upstream failed, finer than the outcome (bounded set: safe as a metric label). */
export type UpstreamFailure = 'dns' | 'refused' | 'connect_timeout' | 'tls' | 'reset' | 'bad_response' | 'timeout' | 'fd_exhausted' | 'other'
