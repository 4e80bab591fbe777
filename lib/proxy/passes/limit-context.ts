import type { Server } from 'node:http'
import type { Metrics } from '../../metrics/index.js'
import { createRequestLimiter, type LimitDecision, type LimitName, type LimitSettings, type RequestLimiter } from '../../policy/index.js'

/** Storm protection as the limit passes see it, for one request. */
export interface PassLimits {
  readonly limiter: RequestLimiter
  /** The decision taken when this request's connection was accepted (`limits.maxConnections`). */
  readonly connection: LimitDecision
  /** Pings held right now. */
  heldPings (): number
  /** Counts a refusal in `eas_gateway_limit_rejections_total`. */
  onRefuse (limit: LimitName): void
}

/** The gateway's side of storm protection: one limiter, and the device connections counted. */
export interface LimitContext {
  /** Counts device connections on `server`: at accept, or once the TLS handshake is done. */
  watch (server: Server, tls: boolean): void
  /** The limits for a request that arrived on `socket`. */
  forSocket (socket: object): PassLimits
}

/** Dependencies of {@link createLimitContext}. */
export interface LimitContextDeps {
  readonly settings: LimitSettings
  readonly metrics: Metrics
  readonly heldPings: () => number
  /** Default: a limiter on the system clock built from `settings`. */
  readonly limiter?: RequestLimiter
}

const ADMITTED: LimitDecision = Object.freeze({ ok: true })

/**
 * Builds the limiter and counts device connections. A connection accepted over
 * `limits.maxConnections` is remembered, and its request is answered 503 with Retry-After and
 * `Connection: close` by the limitConnections pass: a clear answer, where Node's own
 * `server.maxConnections` would drop the socket without a word.
 */
export function createLimitContext (deps: LimitContextDeps): LimitContext {
  const { metrics } = deps
  const limiter = deps.limiter ?? createRequestLimiter(deps.settings, { now: () => performance.now(), random: Math.random })
  const admitted: PassLimits = {
    limiter,
    connection: ADMITTED,
    heldPings: deps.heldPings,
    onRefuse (limit) { metrics.limitRejections.inc({ limit }) }
  }
  const overCap = new WeakMap<object, PassLimits>()
  let open = 0
  return {
    watch (server, tls) {
      server.on(tls ? 'secureConnection' : 'connection', (socket: NodeJS.EventEmitter) => {
        metrics.deviceConnections.set(++open)
        const d = limiter.admitConnection(open)
        if (!d.ok) overCap.set(socket, { ...admitted, connection: d })
        socket.once('close', () => { metrics.deviceConnections.set(--open) })
      })
    },
    forSocket (socket) { return overCap.get(socket) ?? admitted }
  }
}
