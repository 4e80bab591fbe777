/** How a request ended: the vocabulary of metrics and logs (DESIGN.md § Outcomes). */
export type Outcome =
  | 'completed'
  | 'device_abort'
  | 'upstream_reset'
  | 'upstream_timeout'
  | 'execution_timeout'
  | 'upstream_unreachable'
  | 'answered_locally'

/** Every outcome, in README order. */
export const OUTCOMES: readonly Outcome[] = [
  'completed', 'device_abort', 'upstream_reset', 'upstream_timeout', 'execution_timeout', 'upstream_unreachable', 'answered_locally'
]

/** Why the upstream failed, finer than the outcome (bounded set: safe as a metric label). */
export type UpstreamFailure = 'dns' | 'refused' | 'connect_timeout' | 'tls' | 'reset' | 'bad_response' | 'timeout' | 'fd_exhausted' | 'other'
