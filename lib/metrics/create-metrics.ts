import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { registerDefaultMetrics } from './default-metrics.js'

/** Every metric name, exported for tests and the README check. */
export const metricNames = {
  requests: 'eas_gateway_requests_total',
  duration: 'eas_gateway_request_duration_seconds',
  inFlight: 'eas_gateway_requests_in_flight',
  upstreamDuration: 'eas_gateway_upstream_response_seconds',
  upstreamErrors: 'eas_gateway_upstream_errors_total',
  unauthorizedCloses: 'eas_gateway_unauthorized_closes_total',
  refused: 'eas_gateway_refused_requests_total',
  responses: 'eas_gateway_responses_total',
  buildInfo: 'eas_gateway_build_info',
  pingHeartbeat: 'eas_gateway_ping_heartbeat_seconds',
  pingAnswers: 'eas_gateway_ping_answers_total',
  pingsHeld: 'eas_gateway_pings_held',
  pingClamped: 'eas_gateway_ping_clamped_total',
  pingSuperseded: 'eas_gateway_ping_superseded_total',
  pingSupersededAfter: 'eas_gateway_ping_superseded_after_seconds',
  devicesOnline: 'eas_gateway_devices_online',
  devicesTracked: 'eas_gateway_devices_tracked',
  upstreamUp: 'eas_gateway_upstream_up',
  upstreamInFlight: 'eas_gateway_upstream_requests_in_flight',
  upstreamH2Sessions: 'eas_gateway_upstream_h2_sessions',
  upstreamHealthChecks: 'eas_gateway_upstream_health_checks_total',
  upstreamEjections: 'eas_gateway_upstream_ejections_total',
  upstreamFailovers: 'eas_gateway_upstream_failovers_total',
  upstreamUnavailable: 'eas_gateway_upstream_unavailable_total',
  limitRejections: 'eas_gateway_limit_rejections_total',
  deviceConnections: 'eas_gateway_device_connections',
  fdExhausted: 'eas_gateway_fd_exhausted_total',
  tlsHandshakeFailures: 'eas_gateway_tls_handshake_failures_total',
  proxyProtocolRejections: 'eas_gateway_proxy_protocol_rejections_total',
  upstreamPanic: 'eas_gateway_upstream_panic_total',
  stateRedisUp: 'eas_gateway_state_redis_up',
  stateRedisErrors: 'eas_gateway_state_redis_errors_total',
  logLinesDropped: 'eas_gateway_log_lines_dropped_total',
  accessDecisions: 'eas_gateway_access_decisions_total',
  bearerRefusals: 'eas_gateway_bearer_refusals_total'
} as const

/** Heartbeat buckets (seconds): the values clients and servers actually use, up to Exchange's 3540. */
export const HEARTBEAT_BUCKETS = [30, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2400, 3000, 3540]

/**
 * Request duration buckets: fast EAS commands in the sub-second range, then the heartbeat range up
 * to about 65 min, so a held Ping lands in a bucket near its heartbeat (Exchange max 3540 s).
 */
export const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 480, 600, 900, 1200,
  1800, 2400, 3000, 3540, 3600, 3900
]

const COMMAND_OUTCOME = ['command', 'outcome'] as const

/** Live values the registry reads at scrape time (gauges computed in collect()). */
export interface MetricSources {
  readonly pingsHeld: () => number
  readonly devicesOnline: () => number
  readonly devicesTracked: () => number
}

/**
 * The gateway's metrics, defined once on an injected registry (never prom-client's global one).
 * `logLinesDropped` reads the log destination's drop count at scrape time. Default: always 0
 */
export function createMetrics (registry: Registry, opts: { version: string, defaultMetrics?: boolean, logLinesDropped?: () => number }) {
  const sources: { current?: MetricSources } = {}
  const computed = (name: string, help: string, read: (s: MetricSources) => number): Gauge => new Gauge({
    name,
    help,
    registers: [registry],
    collect () { if (sources.current !== undefined) this.set(read(sources.current)) }
  })
  computed(metricNames.pingsHeld, 'Pings held right now, waiting for the mail server\'s answer', (s) => s.pingsHeld())
  computed(metricNames.devicesOnline, 'Devices seen within the last maxHeartbeat + heartbeatMargin, or holding a Ping', (s) => s.devicesOnline())
  computed(metricNames.devicesTracked, 'Devices in the bounded per-device table (LRU/TTL)', (s) => s.devicesTracked())
  const readDropped = opts.logLinesDropped
  void new Counter({
    name: metricNames.logLinesDropped,
    help: 'Log lines dropped because the log destination failed (ENOSPC, EIO, EPIPE, ...) or was too slow (memory cap); requests are served regardless',
    registers: [registry],
    // The log destination counts; a counter has no set(), so it is rebuilt from that count.
    collect () { if (readDropped !== undefined) { this.reset(); this.inc(readDropped()) } }
  })
  if (opts.defaultMetrics !== false) registerDefaultMetrics(registry, 'eas_gateway_')
  const buildInfo = new Gauge({ name: metricNames.buildInfo, help: 'Always 1; the version label tells which gateway runs', labelNames: ['version'] as const, registers: [registry], aggregator: 'first' })
  buildInfo.set({ version: opts.version }, 1)
  return {
    requests: new Counter({
      name: metricNames.requests,
      help: 'Requests by EAS command and outcome (exactly one outcome per request)',
      labelNames: COMMAND_OUTCOME,
      registers: [registry]
    }),
    duration: new Histogram({
      name: metricNames.duration,
      help: 'Whole request time at the gateway, from arrival to the last byte or the abort',
      labelNames: COMMAND_OUTCOME,
      buckets: DURATION_BUCKETS,
      registers: [registry]
    }),
    inFlight: new Gauge({
      name: metricNames.inFlight,
      help: 'Requests in progress, held Pings included',
      labelNames: ['command'] as const,
      registers: [registry]
    }),
    upstreamDuration: new Histogram({
      name: metricNames.upstreamDuration,
      help: 'Time from forwarding to the upstream\'s response headers',
      labelNames: ['command', 'upstream'] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry]
    }),
    upstreamErrors: new Counter({
      name: metricNames.upstreamErrors,
      help: 'Upstream failures by upstream and reason (dns, refused, connect_timeout, tls, reset, timeout, other)',
      labelNames: ['upstream', 'reason'] as const,
      registers: [registry]
    }),
    refused: new Counter({
      name: metricNames.refused,
      help: 'Requests refused before any EAS handling: a path other than the EAS path (404) or a wrong method (405)',
      labelNames: ['status'] as const,
      registers: [registry]
    }),
    unauthorizedCloses: new Counter({
      name: metricNames.unauthorizedCloses,
      help: '401 responses sent with Connection: close and the device connection closed after them',
      registers: [registry]
    }),
    responses: new Counter({
      name: metricNames.responses,
      help: 'Responses sent to devices by command, HTTP status class and exact status (200, 401, 403, 449, 451, 456, 457, 500, 502, 503, 504, other)',
      labelNames: ['command', 'status_class', 'status'] as const,
      registers: [registry]
    }),
    pingHeartbeat: new Histogram({
      name: metricNames.pingHeartbeat,
      help: 'HeartbeatInterval requested by devices in Ping (after reuse for empty Pings)',
      buckets: HEARTBEAT_BUCKETS,
      registers: [registry]
    }),
    pingAnswers: new Counter({
      name: metricNames.pingAnswers,
      help: 'Ping answers (HTTP 200) by their Ping Status (1-8, 129, other), the mail server\'s and the gateway\'s own',
      labelNames: ['status'] as const,
      registers: [registry]
    }),
    pingClamped: new Counter({
      name: metricNames.pingClamped,
      help: 'Pings answered locally with Status 5 because the heartbeat was out of bounds',
      labelNames: ['bound'] as const,
      registers: [registry]
    }),
    pingSuperseded: new Counter({
      name: metricNames.pingSuperseded,
      help: 'Held Pings ended because the same device sent a new Ping (a hop dropped the old connection silently)',
      registers: [registry]
    }),
    pingSupersededAfter: new Histogram({
      name: metricNames.pingSupersededAfter,
      help: 'How long a superseded Ping had been held: clusters here point at a hop\'s idle timeout',
      buckets: HEARTBEAT_BUCKETS,
      registers: [registry]
    }),
    upstreamUp: new Gauge({
      name: metricNames.upstreamUp,
      help: 'Whether the upstream takes new requests: 1 alive, 0 ejected (re-probed with backoff)',
      // Workers probe on their own: the group's value is the lowest (0 as soon as one worker ejected it).
      labelNames: ['upstream'] as const,
      registers: [registry],
      aggregator: 'min'
    }),
    upstreamInFlight: new Gauge({
      name: metricNames.upstreamInFlight,
      help: 'Requests in flight per upstream, held Pings included (what least-connections balances)',
      labelNames: ['upstream'] as const,
      registers: [registry]
    }),
    upstreamH2Sessions: new Gauge({
      name: metricNames.upstreamH2Sessions,
      help: 'Open HTTP/2 sessions (connections) to an upstream with http2 on, connecting ones included',
      labelNames: ['upstream'] as const,
      registers: [registry]
    }),
    upstreamHealthChecks: new Counter({
      name: metricNames.upstreamHealthChecks,
      help: 'Health-check probes (OPTIONS) by result: alive, or why not (dns, refused, connect_timeout, tls, timeout, status, reset, other)',
      labelNames: ['upstream', 'result'] as const,
      registers: [registry]
    }),
    upstreamEjections: new Counter({
      name: metricNames.upstreamEjections,
      help: 'Upstreams taken out of rotation after consecutive failures, by the last failure\'s reason',
      labelNames: ['upstream', 'reason'] as const,
      registers: [registry]
    }),
    upstreamFailovers: new Counter({
      name: metricNames.upstreamFailovers,
      help: 'Requests re-dispatched to another upstream because nothing reached this one (never after a byte was sent)',
      labelNames: ['upstream', 'reason'] as const,
      registers: [registry]
    }),
    upstreamUnavailable: new Counter({
      name: metricNames.upstreamUnavailable,
      help: 'Requests answered 503 with Retry-After because no upstream was alive',
      registers: [registry]
    }),
    limitRejections: new Counter({
      name: metricNames.limitRejections,
      help: 'Requests answered 503 with Retry-After by storm protection, by limit (global_rate, device_rate, held_pings, connections)',
      labelNames: ['limit'] as const,
      registers: [registry]
    }),
    deviceConnections: new Gauge({
      name: metricNames.deviceConnections,
      help: 'Open device connections (compare with limits.maxConnections)',
      registers: [registry]
    }),
    fdExhausted: new Counter({
      name: metricNames.fdExhausted,
      help: 'Times the gateway ran out of file descriptors (EMFILE/ENFILE), by side: device (accept) or upstream (connect)',
      labelNames: ['side'] as const,
      registers: [registry]
    }),
    tlsHandshakeFailures: new Counter({
      name: metricNames.tlsHandshakeFailures,
      help: 'Device TLS handshakes that failed, by reason (timeout, reset, protocol_version, no_shared_cipher, http_on_tls_port, client_alert, other)',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    proxyProtocolRejections: new Counter({
      name: metricNames.proxyProtocolRejections,
      help: 'Device connections closed for want of a valid PROXY protocol header (listen.proxyProtocol), by reason (missing, malformed, timeout)',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    upstreamPanic: new Counter({
      name: metricNames.upstreamPanic,
      help: 'Times the last live upstream failed enough to be ejected and was kept in rotation instead (panic mode)',
      labelNames: ['upstream'] as const,
      registers: [registry]
    }),
    stateRedisUp: new Gauge({
      name: metricNames.stateRedisUp,
      help: 'Whether the shared-state Redis (state.redis) is connected: 1 yes, 0 no (the gateway runs on local state); absent without state.redis',
      registers: [],
      aggregator: 'min'
    }),
    stateRedisErrors: new Counter({
      name: metricNames.stateRedisErrors,
      help: 'Shared-state Redis calls that failed or took longer than state.redis.timeout, by operation (supersede, device_rate, global_rate, devices, subscribe, device_slots, access_list)',
      labelNames: ['op'] as const,
      registers: []
    }),
    /** Registers the shared-state metrics: only a gateway with state.redis shows them. */
    registerStateMetrics (): void {
      if (registry.getSingleMetric(metricNames.stateRedisUp) === undefined) registry.registerMetric(this.stateRedisUp)
      if (registry.getSingleMetric(metricNames.stateRedisErrors) === undefined) registry.registerMetric(this.stateRedisErrors)
    },
    accessDecisions: new Counter({
      name: metricNames.accessDecisions,
      help: 'Device access decisions by decision (allow, block, quarantine) and rule (a rule name from the policy file, default, device-limit, none)',
      labelNames: ['decision', 'rule'] as const,
      registers: [registry]
    }),
    bearerRefusals: new Counter({
      name: metricNames.bearerRefusals,
      help: 'Bearer tokens refused at the gateway (auth.bearer), by reason (expired, wrong_audience, bad_signature, unknown_key, ...)',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    /** Connects the computed gauges to live state (called once by the gateway). */
    setSources (s: MetricSources): void { sources.current = s }
  }
}

/** The metric set returned by {@link createMetrics}. */
export type Metrics = ReturnType<typeof createMetrics>
