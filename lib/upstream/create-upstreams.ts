import { Pool } from 'undici'
import type { Logger } from '../log/index.js'
import { gaugeSeries, type Metrics } from '../metrics/index.js'
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from './default-pool-settings.js'
import { H2Dispatcher, type RequestDispatcher } from './h2-dispatcher.js'
import { createHealthChecker, SYSTEM_CLOCK, type PoolClock } from './health-checker.js'
import type { ProbeFailure } from './probe-failure.js'
import { probeUpstream, type ProbeOptions, type ProbeResult } from './probe-upstream.js'
import { selectUpstream } from './select-upstream.js'
import { createHealthState, recordFailure, recordSuccess, type HealthChange, type HealthSettings, type HealthState } from './upstream-health.js'

/** What the composition root hands over per upstream: config plus the CA's PEM text, already read. */
export interface UpstreamSpec {
  readonly name: string
  readonly url: string
  readonly caPem?: string
  readonly servername?: string
  readonly verifyCertificate: boolean
  /** Relative share of new requests. Default: 1 */
  readonly weight?: number
  /** Speak HTTP/2 to it: every request a stream on a few shared sessions. Default: false */
  readonly http2?: boolean
  /** With http2: `pings` sends only Pings as streams, everything else over HTTP/1.1. Default: all */
  readonly http2For?: 'all' | 'pings'
  /** With http2: at most this many streams per connection. Default: the server's limit */
  readonly maxStreamsPerConnection?: number
}

/** One mail server: its connection pool, where its EAS path lives, and its health. */
export interface Upstream {
  readonly name: string
  readonly origin: string
  /** Path prefix from the configured URL, without a trailing slash (`/SOGo` or ``). */
  readonly basePath: string
  readonly weight: number
  /** Connections for short requests (everything but Ping) and health checks. */
  readonly pool: RequestDispatcher
  /**
   * Connections for Pings only. undici's Pool looks for a free connection by scanning its
   * connections, and every held Ping pins one for up to an hour: kept apart, the cost of a Sync
   * never grows with the number of Pings held (issue #14). With `http2` on, `pingPool` is an
   * {@link H2Dispatcher}: a held Ping is a stream, not a connection, and picking a session with a
   * free slot costs the same whatever the number held; `pool` is the same dispatcher, or with
   * `http2For: pings` an HTTP/1.1 pool (node:http2 costs more CPU per short request than undici).
   */
  readonly pingPool: RequestDispatcher
  /** Requests in flight on this upstream (held Pings included); change it with acquire/release. */
  inFlight: number
  /** Alive or ejected, failure counts, next re-probe. */
  readonly health: Readonly<HealthState>
}

/** The set of upstreams a gateway forwards to, with their health. */
export interface UpstreamSet {
  readonly all: readonly Upstream[]
  /** The alive upstream for the next request by weighted least connections, skipping `exclude`. */
  pick (exclude?: ReadonlySet<Upstream>): Upstream | undefined
  /** Counts a request in flight on `u` (held Pings included) / counts it out. */
  acquire (u: Upstream): void
  release (u: Upstream): void
  /** A request got an answer from `u`: its consecutive-failure count starts again. */
  reportSuccess (u: Upstream): void
  /**
   * A request could not connect to `u` (nothing was sent), or `u` dropped a request it had taken:
   * counts towards ejection. The last alive upstream is never ejected (panic mode).
   */
  reportFailure (u: Upstream, failure: { readonly reason: ProbeFailure, readonly code: string }): void
  /** True when at least one upstream is healthy: alive and not in panic mode (what readiness reports). */
  anyAlive (): boolean
  /** A jittered wait (ms) for a device when none is alive: until the next re-probe, plus up to half again. */
  retryAfterMs (): number
  /** Starts the periodic health checks of alive upstreams (ejected ones are re-probed regardless). */
  start (): void
  /** Stops every timer and probe for good (drain). Idempotent. */
  stop (): void
  /** Stops and closes every connection pool. */
  close (): Promise<void>
}

/** Options of {@link createUpstreams}. Only `connectTimeout` is required. */
export interface UpstreamSetOptions {
  readonly connectTimeout: number
  /** Health checks, ejection, backoff. Default: {@link DEFAULT_POOL_SETTINGS} */
  readonly pool?: PoolSettings
  readonly metrics?: Metrics
  readonly logger?: Logger
  /** Time, randomness and timers (injected for deterministic tests). Default: the system's. */
  readonly clock?: PoolClock
  /** The health check. Default: {@link probeUpstream} on the upstream's pool. */
  readonly probe?: (u: Upstream, opts: ProbeOptions) => Promise<ProbeResult>
}

type Member = Upstream & { readonly health: HealthState }

/**
 * Creates one undici Pool per upstream and the pool logic around them: weighted least-connections
 * selection among alive upstreams, passive ejection after `ejection.consecutiveFailures` connect
 * failures, active `OPTIONS` health checks, and re-probes of ejected upstreams with exponential
 * backoff and jitter. undici's 300 s headers/body timeouts are switched off here and set per request
 * from easRequestTimeout (notes/engine.md §3.3): they would cut every Ping held longer than 5 min.
 */
export function createUpstreams (specs: readonly UpstreamSpec[], opts: UpstreamSetOptions): UpstreamSet {
  const settings = opts.pool ?? DEFAULT_POOL_SETTINGS
  const clock = opts.clock ?? SYSTEM_CLOCK
  const { metrics, logger } = opts
  const hs: HealthSettings = { consecutiveFailures: settings.ejection.consecutiveFailures, ...settings.backoff }
  const all: Member[] = specs.map((s) => createMember(s, opts.connectTimeout, metrics))
  let cursor = 0
  const isLastAlive = (u: Member): boolean => u.health.alive && all.every((o) => o === u || !o.health.alive)

  const changed = (u: Member, change: HealthChange, code: string): void => {
    const log = { upstream: u.name, reason: u.health.reason, code }
    if (change === 'ejected') {
      metrics?.upstreamEjections.inc({ upstream: u.name, reason: u.health.reason ?? 'other' })
      metrics?.upstreamUp.set({ upstream: u.name }, 0)
      logger?.warn({ ...log, retryInMs: Math.round(u.health.retryAt - clock.now()) }, 'upstream ejected')
    } else if (change === 'panic') {
      metrics?.upstreamPanic.inc({ upstream: u.name })
      metrics?.upstreamUp.set({ upstream: u.name }, 0)
      logger?.warn(log, 'upstream failing, kept in rotation: it is the last one alive (panic mode)')
    } else if (change === 'restored') {
      metrics?.upstreamUp.set({ upstream: u.name }, 1)
      logger?.info({ upstream: u.name }, 'upstream restored')
    }
  }
  const checker = createHealthChecker<Member>({
    clock,
    interval: settings.healthCheck.interval,
    probe: async (u, signal) => await (opts.probe ?? defaultProbe)(u, { path: u.basePath + normalisePath(settings.healthCheck.path), timeout: settings.healthCheck.timeout, signal }),
    onResult (u, r) {
      metrics?.upstreamHealthChecks.inc({ upstream: u.name, result: r.ok ? 'alive' : r.reason })
      if (r.ok) { changed(u, recordSuccess(u.health, 'probe'), `HTTP_${r.status}`); return }
      const wasAlive = u.health.alive
      changed(u, recordFailure(u.health, { now: clock.now(), reason: r.reason, source: 'probe', last: isLastAlive(u) }, hs, clock.random), r.code)
      if (!wasAlive) logger?.warn({ upstream: u.name, reason: r.reason, code: r.code, retryInMs: Math.round(u.health.retryAt - clock.now()) }, 'upstream still down')
    }
  })
  for (const u of all) {
    metrics?.upstreamUp.set({ upstream: u.name }, 1)
    metrics?.upstreamInFlight.set({ upstream: u.name }, 0)
  }
  // Each request moves its upstream's in-flight gauge twice: through the series, not a labelled
  // set() that hashes and validates the labels every time (issue #14's profile: 0.9 µs/request).
  const inFlight = new Map(metrics === undefined ? [] : all.map((u) => [u as Upstream, gaugeSeries(metrics.upstreamInFlight, { upstream: u.name })]))

  return {
    all,
    pick (exclude) {
      const u = selectUpstream(all, (c) => c.health.alive && exclude?.has(c) !== true, cursor)
      cursor = (cursor + 1) % Math.max(1, all.length)
      return u
    },
    acquire (u) { u.inFlight++; inFlight.get(u)?.inc() },
    release (u) { u.inFlight--; inFlight.get(u)?.dec() },
    reportSuccess (u) {
      const m = u as Member
      if (m.health.failures === 0 && !m.health.panic && m.health.level === 0) return // the hot path: nothing to change
      changed(m, recordSuccess(m.health, 'request'), 'HTTP')
    },
    reportFailure (u, f) {
      const m = u as Member
      const change = recordFailure(m.health, { now: clock.now(), reason: f.reason, source: 'request', last: isLastAlive(m) }, hs, clock.random)
      changed(m, change, f.code)
      if (change === 'ejected') checker.arm(m, m.health.retryAt - clock.now())
    },
    anyAlive () { return all.some((u) => u.health.alive && !u.health.panic) },
    retryAfterMs () {
      let soonest = Infinity
      for (const u of all) soonest = Math.min(soonest, u.health.alive ? clock.now() : u.health.retryAt)
      const base = Math.max(1000, Number.isFinite(soonest) ? soonest - clock.now() : settings.backoff.initial)
      return Math.round(base + clock.random() * base / 2)
    },
    start () { checker.start(all) },
    stop () { checker.stop() },
    async close () {
      checker.stop()
      await Promise.all([...new Set(all.flatMap((u) => [u.pool, u.pingPool]))].map(async (p) => { await p.destroy() }))
    }
  }
}

async function defaultProbe (u: Upstream, o: ProbeOptions): Promise<ProbeResult> {
  return await probeUpstream(u.pool, o)
}

function normalisePath (p: string): string {
  return p.startsWith('/') ? p : `/${p}`
}

function createMember (s: UpstreamSpec, connectTimeout: number, metrics: Metrics | undefined): Member {
  const u = new URL(s.url)
  const base = { name: s.name, origin: u.origin, basePath: u.pathname.replace(/\/+$/, ''), weight: s.weight ?? 1, inFlight: 0, health: createHealthState() }
  if (s.http2 === true) {
    metrics?.upstreamH2Sessions.set({ upstream: s.name }, 0)
    const h2 = new H2Dispatcher(u.origin, {
      connectTimeout,
      ...(s.caPem !== undefined ? { caPem: s.caPem } : {}),
      ...(s.servername !== undefined ? { servername: s.servername } : {}),
      verifyCertificate: s.verifyCertificate,
      ...(s.maxStreamsPerConnection !== undefined ? { maxStreams: s.maxStreamsPerConnection } : {}),
      onSessions: (n) => { metrics?.upstreamH2Sessions.set({ upstream: s.name }, n) }
    })
    return { ...base, pool: s.http2For === 'pings' ? http1Pool(u, s, connectTimeout) : h2, pingPool: h2 }
  }
  return { ...base, pool: http1Pool(u, s, connectTimeout), pingPool: http1Pool(u, s, connectTimeout) }
}

/** An undici Pool to the upstream's origin, with undici's own timeouts off (the gateway enforces them). */
function http1Pool (u: URL, s: UpstreamSpec, connectTimeout: number): Pool {
  return new Pool(u.origin, {
    connections: null,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: {
      timeout: connectTimeout,
      ...(s.caPem !== undefined ? { ca: s.caPem } : {}),
      ...(s.servername !== undefined ? { servername: s.servername } : {}),
      rejectUnauthorized: s.verifyCertificate
    }
  })
}
