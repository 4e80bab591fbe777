import type { Logger } from '../log/index.js'
import type { Metrics } from '../metrics/index.js'
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
  upstream_unreachable: 'GW_ERR_UPSTREAM_UNREACHABLE'
}

/** Outcomes logged at info; the others (the gateway or the upstream failed the device) at warn. */
const QUIET = new Set<Outcome>(['completed', 'answered_locally', 'device_abort'])

/** Writes a request's outcome: the metrics and the one access line (fastify's onResponse). */
export type OutcomeRecorder = (f: OutcomeFacts) => void

/**
 * Builds the recorder on the gateway's metrics and logger. The labelled children of the per-request
 * metrics are resolved once per (command, outcome) and kept: both label sets are bounded, and
 * prom-client otherwise hashes the labels on every observation.
 */
export function createOutcomeRecorder (metrics: Metrics, logger: Logger): OutcomeRecorder {
  const children = new Map<string, { inFlight: { dec (): void }, requests: { inc (): void }, duration: { observe (v: number): void } }>()
  const childrenOf = (command: string, outcome: Outcome): NonNullable<ReturnType<typeof children.get>> => {
    const key = `${command}\u0000${outcome}`
    let c = children.get(key)
    if (c === undefined) {
      c = { inFlight: metrics.inFlight.labels({ command }), requests: metrics.requests.labels({ command, outcome }), duration: metrics.duration.labels({ command, outcome }) }
      children.set(key, c)
    }
    return c
  }
  return (f) => {
    const c = f.ctx
    const m = childrenOf(c.commandLabel, f.outcome)
    m.inFlight.dec()
    m.requests.inc()
    m.duration.observe(f.durationMs / 1000)
    const line = {
      reqId: c.reqId,
      cmd: c.command,
      outcome: f.outcome,
      status: f.status,
      durationMs: Math.round(f.durationMs),
      upstreamMs: f.upstreamMs === undefined ? undefined : Math.round(f.upstreamMs),
      upstream: f.upstream,
      user: c.user,
      deviceId: c.deviceId,
      deviceType: c.deviceType,
      protocolVersion: c.protocolVersion,
      method: c.method,
      reason: f.reason,
      heartbeat: f.heartbeat,
      connectFailures: f.connectFailures,
      decision: f.access?.decision,
      rule: f.access?.rule,
      code: f.code ?? OUTCOME_CODES[f.outcome],
      errCode: f.errCode
    }
    if (QUIET.has(f.outcome)) logger.info(line, 'request')
    else logger.warn(line, 'request')
  }
}
