import type { Metrics } from './create-metrics.js'
import {
  CLAMP_BOUNDS, CONNECT_FAILURES, FD_SIDES, LIMIT_NAMES, PING_ANSWER_STATUSES, PROBE_FAILURES, PROXY_PROTOCOL_REJECTIONS, REFUSED_STATUSES, RESPONSE_STATUSES, STATUS_CLASSES, TLS_HANDSHAKE_FAILURES, UPSTREAM_ERROR_REASONS,
  type BoundedLabels
} from './label-values.js'

/**
 * Creates every series of the counters alerts read, at 0, before the first request: `increase()`
 * and `rate()` need a sample before the first event, or the first ejection, limit rejection or
 * timeout of an instance's life is invisible. Histograms are left alone (buckets × labels).
 */
export function presetCounters (m: Metrics, sets: BoundedLabels): void {
  for (const command of sets.commands) {
    for (const outcome of sets.outcomes) m.requests.inc({ command, outcome }, 0)
    // Each exact status with its class, and `other` in every class.
    for (const status of RESPONSE_STATUSES) if (status !== 'other') m.responses.inc({ command, status_class: `${status[0] ?? ''}xx`, status }, 0)
    for (const statusClass of STATUS_CLASSES) m.responses.inc({ command, status_class: statusClass, status: 'other' }, 0)
  }
  for (const upstream of sets.upstreams) {
    for (const reason of UPSTREAM_ERROR_REASONS) m.upstreamErrors.inc({ upstream, reason }, 0)
    for (const reason of PROBE_FAILURES) m.upstreamEjections.inc({ upstream, reason }, 0)
    for (const result of ['alive', ...PROBE_FAILURES]) m.upstreamHealthChecks.inc({ upstream, result }, 0)
    for (const reason of CONNECT_FAILURES) m.upstreamFailovers.inc({ upstream, reason }, 0)
    m.upstreamPanic.inc({ upstream }, 0)
  }
  for (const side of FD_SIDES) m.fdExhausted.inc({ side }, 0)
  for (const reason of TLS_HANDSHAKE_FAILURES) m.tlsHandshakeFailures.inc({ reason }, 0)
  for (const limit of LIMIT_NAMES) m.limitRejections.inc({ limit }, 0)
  for (const status of REFUSED_STATUSES) m.refused.inc({ status }, 0)
  for (const reason of PROXY_PROTOCOL_REJECTIONS) m.proxyProtocolRejections.inc({ reason }, 0)
  for (const status of PING_ANSWER_STATUSES) m.pingAnswers.inc({ status }, 0)
  for (const bound of CLAMP_BOUNDS) m.pingClamped.inc({ bound }, 0)
}
