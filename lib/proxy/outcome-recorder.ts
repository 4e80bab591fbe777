import { createLineWriter, type LineField, type Logger } from '../log/index.js'
import { counterSeries, gaugeSeries, histogramSeries, seriesByTwo, type Metrics } from '../metrics/index.js'
import type { Outcome } from './outcome.js'
import type { RequestContext } from './request-context.js'

/** Everything the one access line and the outcome metrics say about a finished request. */
export interface OutcomeFacts {
  readonly ctx: RequestContext
  readonly outcome: Outcome
  /** HTTP status sent to the device (0 when nothing was sent). */
  readonly status: number
  readonly durationMs: number
  readonly upstreamMs: number | undefined
  readonly upstream: string | undefined
  /** Why: the upstream failure reason or the local answer's reason. */
  readonly reason: string | undefined
  /** Catalog code (README § Error codes). */
  readonly code: string | undefined
  /** The underlying error's own code (ECONNRESET, HPE_INVALID_STATUS, …). */
  readonly errCode: string | undefined
  readonly heartbeat: number | undefined
  /** The Ping Status the device got (the server's or the gateway's answer). */
  readonly pingStatus?: number | undefined
  /** Request body bytes read from the device. */
  readonly bytesIn?: number
  /** Response body bytes sent to the device. */
  readonly bytesOut?: number
  readonly connectFailures: number | undefined
  /** The access decision and rule, when access control decided (README § Device access control). */
  readonly access?: { readonly decision: string, readonly rule: string } | undefined
}

/** The catalog code an outcome stands for when nothing more precise is known. */
const OUTCOME_CODES: Partial<Record<Outcome, string>> = {
  device_abort: 'GW_ERR_PROXY_DEVICE_ABORT',
  upstream_reset: 'GW_ERR_UPSTREAM_RESET',
  upstream_timeout: 'GW_ERR_UPSTREAM_TIMEOUT',
  execution_timeout: 'GW_ERR_PROXY_EXECUTION_TIMEOUT',
  upstream_unreachable: 'GW_ERR_UPSTREAM_UNREACHABLE',
  refused_no_upstream: 'GW_ERR_UPSTREAM_NONE_ALIVE',
  refused_limit: 'GW_ERR_POLICY_LIMIT',
  refused_policy: 'GW_ERR_POLICY_DEVICE_REFUSED'
}

/**
 * Outcomes logged at info (served, or refused for the device's own doing); the others (the
 * gateway, its limits or the upstream failed the device) at warn.
 */
const QUIET = new Set<Outcome>(['completed', 'answered_locally', 'device_abort', 'refused_policy', 'refused_malformed'])

/**
 * The access line's fields (README § Logs), in the line's order: Elastic Common Schema names,
 * dotted; the gateway's own under `eas.`. Undefined values are left out of the line.
 * Written by {@link createLineWriter}: pino's bytes, without an object per request.
 */
const ACCESS_LINE: readonly LineField<OutcomeFacts>[] = [
  ['http.request.id', (f) => f.ctx.reqId],
  ['trace.id', (f) => f.ctx.traceId],
  ['http.request.method', (f) => f.ctx.method],
  ['http.response.status_code', (f) => f.status],
  ['http.request.body.bytes', (f) => f.bytesIn],
  ['http.response.body.bytes', (f) => f.bytesOut],
  ['event.duration', (f) => Math.round(f.durationMs * 1e6)],
  ['client.ip', (f) => f.ctx.clientAddress],
  ['source.ip', (f) => f.ctx.sourceAddress],
  ['user_agent.original', (f) => f.ctx.userAgent],
  ['tls.version', (f) => f.ctx.tlsVersion?.replace(/^TLSv/, '')],
  ['tls.version_protocol', (f) => f.ctx.tlsVersion === undefined ? undefined : 'tls'],
  ['user.name', (f) => f.ctx.user],
  ['error.code', (f) => f.code ?? OUTCOME_CODES[f.outcome]],
  ['error.type', (f) => f.errCode],
  ['eas.command', (f) => f.ctx.command],
  ['eas.outcome', (f) => f.outcome],
  ['eas.reason', (f) => f.reason],
  ['eas.device.id', (f) => f.ctx.deviceId],
  ['eas.device.type', (f) => f.ctx.deviceType],
  ['eas.protocol_version', (f) => f.ctx.protocolVersion],
  ['eas.ping.heartbeat', (f) => f.heartbeat],
  ['eas.ping.status', (f) => f.pingStatus],
  ['eas.upstream.name', (f) => f.upstream],
  ['eas.upstream.duration', (f) => f.upstreamMs === undefined ? undefined : Math.round(f.upstreamMs * 1e6)],
  ['eas.upstream.connect_failures', (f) => f.connectFailures],
  ['eas.access.decision', (f) => f.access?.decision],
  ['eas.access.rule', (f) => f.access?.rule]
]

/** Writes a request's outcome: the metrics and the one access line (fastify's onResponse). */
export type OutcomeRecorder = (f: OutcomeFacts) => void

/**
 * Builds the recorder on the gateway's metrics and logger. The labelled series of the per-request
 * metrics are resolved once per (command, outcome) and kept: both label sets are bounded, and
 * prom-client's own children hash and validate the labels on every observation (issue #14).
 */
export function createOutcomeRecorder (metrics: Metrics, logger: Logger): OutcomeRecorder {
  const childrenOf = seriesByTwo((command: string, outcome: Outcome) => ({
    inFlight: gaugeSeries(metrics.inFlight, { command }),
    requests: counterSeries(metrics.requests, { command, outcome }),
    duration: histogramSeries(metrics.duration, { command, outcome })
  }))
  const writeLine = createLineWriter(logger, ACCESS_LINE, 'request')
  return (f) => {
    const c = f.ctx
    const m = childrenOf(c.commandLabel, f.outcome)
    m.inFlight.dec()
    m.requests.inc()
    m.duration.observe(f.durationMs / 1000)
    writeLine(QUIET.has(f.outcome) ? 'info' : 'warn', f)
  }
}
