import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import { admitRequest, type AccessController, type BearerVerifier } from '../access/index.js'
import type { GatewayConfig } from '../config/index.js'
import type { ErrorCode } from '../errors.js'
import type { Logger } from '../log/index.js'
import { counterSeries, type Metrics } from '../metrics/index.js'
import { createRequestLimiter, NO_POLICY, type RequestLimiter } from '../policy/index.js'
import { createSharedState, type SharedState } from '../state/index.js'
import { SYSTEM_CLOCK, type PoolClock, type UpstreamSet } from '../upstream/index.js'
import { createAdminServer, type AdminReply, type AdminTls } from './admin-server.js'
import { IntakeWatch } from './body-intake.js'
import { createClientAddressResolver } from './client-address.js'
import { serveTrace } from './trace-endpoint.js'
import { TraceHub } from './trace-hub.js'
import { DeviceRegistry } from './device-registry.js'
import { DeadlineQueue } from './deadline-queue.js'
import { devicesView } from './devices-view.js'
import { createFleetLimiter } from './fleet-limiter.js'
import { connectFleetSupersede } from './fleet-supersede.js'
import { guardDeviceSockets } from './guard-device-sockets.js'
import { forwardedPath } from './headers.js'
import { createOutcomeRecorder } from './outcome-recorder.js'
import { pingStatus1 } from './ping-answers.js'
import { acceptProxyProtocol } from './proxy-protocol.js'
import { INCOMING_PASSES, runPasses } from './passes/index.js'
import { createPassLimits } from './passes/limit-context.js'
import { ProxyRequest, type Decide, type ProxyDeps } from './proxy-request.js'
import { createRequestContext, type ContextParsers } from './request-context.js'
import { createRequestMetrics } from './request-metrics.js'
import { routeRequest } from './route-request.js'

/** Everything a gateway is built from: all injected, nothing global. */
export interface GatewayDeps {
  readonly config: GatewayConfig
  readonly logger: Logger
  readonly registry: Registry
  readonly metrics: Metrics
  readonly upstreams: UpstreamSet
  readonly parsers: ContextParsers
  /** TLS key and certificate PEM, read by the composition root when listen.tls is set. */
  readonly tls?: { readonly key: string, readonly cert: string }
  /** Storm-protection decisions. Default: built from `config.limits` on the system clock. */
  readonly limiter?: RequestLimiter
  /** Time, randomness and timers of requests and sockets. Default: the system's (unref'd timers). */
  readonly clock?: PoolClock
  /**
   * Device access control (README § Device access control): the policy (`access.policy`) and the
   * Bearer verifier (`auth.bearer`). Absent: every device allowed, Bearer tokens passed through.
   */
  readonly access?: { readonly controller?: AccessController, readonly verifier?: BearerVerifier }
  /**
   * State shared with the other workers of a process group (`serve --workers N`, over cluster IPC).
   * Default: through `state.redis` when it is set, else none (all state local).
   */
  readonly shared?: SharedState
  /** Whether `listen()` binds the admin listener too; a cluster worker leaves it to the primary. Default: true */
  readonly adminListener?: boolean
  /** The admin listener's credential and HTTPS (README § Admin listener). Default: none (loopback only) */
  readonly admin?: { readonly token?: string, readonly tls?: AdminTls }
}

/** A running (or ready to run) gateway. */
export interface Gateway {
  /** Binds the device and admin listeners; resolves with the bound ports. */
  listen (): Promise<{ port: number, adminPort: number }>
  /**
   * SIGTERM behaviour: readiness fails, listener closes, in-flight requests get drainGrace. Held
   * Pings are answered Status 1 at once, or with `spread` one by one over the first 80 % of
   * drainGrace (a rolling reload: the devices reconnect to the new workers a few at a time).
   */
  drain (opts?: { readonly spread?: boolean }): Promise<void>
  /** Takes traffic: not draining and at least one upstream alive (what `/readyz` answers). */
  readonly ready: boolean
  /** `gateway trace` subscriptions (README § Troubleshooting one device). */
  readonly trace: TraceHub
  /** The admin listener's answer for `path` beyond /metrics, /healthz, /readyz (`/devices`), or undefined. */
  adminReply (path: string, query: URLSearchParams): AdminReply | Promise<AdminReply> | undefined
  /** Requests in progress. */
  readonly active: ReadonlySet<ProxyRequest>
  /** The bounded per-device table behind `/devices`. */
  readonly devices: DeviceRegistry
  /** Device connections open right now (counted at TCP accept). */
  readonly openConnections: number
  /** Whether the shared-state Redis is connected; undefined without `state.redis`. */
  readonly sharedUp: boolean | undefined
  /** SIGHUP: a new TLS key and certificate for new handshakes; open connections (held Pings) keep theirs. No-op without listen.tls. */
  reload (opts: { readonly tls?: { readonly key: string, readonly cert: string } }): void
}

/** Builds the gateway: device listener, admin listener, forwarding. */
export function createGateway (deps: GatewayDeps): Gateway {
  const { config, logger, metrics, upstreams } = deps
  const state = { draining: false }
  const active = new Set<ProxyRequest>()
  const clock = deps.clock ?? SYSTEM_CLOCK
  const trace = new TraceHub()
  const awaitingHeaders = new Set<ProxyRequest>()
  const proxyDeps: ProxyDeps = { config, metrics, upstreams, state, active, clock, deadlines: new DeadlineQueue(clock, active, ProxyRequest.executionRule), awaitingHeaders, headerDeadlines: new DeadlineQueue(clock, awaitingHeaders, ProxyRequest.headersRule), trace, record: createOutcomeRecorder(metrics, logger), children: createRequestMetrics(metrics), intakes: new IntakeWatch(clock), intakeLimits: { maxBodyBytes: config.proxy.maxRequestBodyBytes, maxPingBodyBytes: config.proxy.maxPingBodyBytes, idleTimeout: config.timeouts.deviceBodyIdle } }
  // With state.redis, the fleet shares supersede, per-device rates and /devices (lib/state).
  const shared = deps.shared ?? (config.state.redis === undefined ? undefined : createSharedState({ ...config.state.redis, logger, metrics }))
  const devices = new DeviceRegistry({
    maxDevices: config.devices.max,
    ttl: config.devices.ttl,
    onlineWindow: config.server.maxHeartbeat + config.timeouts.heartbeatMargin,
    ...(shared !== undefined ? { onHold: (e, ping) => { shared.pings.announce(e.key, ping.auth, ping.since) } } : {})
  })
  metrics.setSources({ pingsHeld: () => devices.heldCount, devicesOnline: () => devices.onlineCount(), devicesTracked: () => devices.size })
  const limiter = shared === undefined
    ? deps.limiter
    : createFleetLimiter({ local: deps.limiter ?? createRequestLimiter(config.limits, { now: () => performance.now(), random: Math.random }), rate: shared.rate, settings: config.limits, now: () => performance.now(), random: Math.random })
  const limits = createPassLimits({ settings: config.limits, metrics, heldPings: () => devices.heldCount, ...(limiter !== undefined ? { limiter } : {}) })
  if (shared !== undefined) {
    connectFleetSupersede({ devices, pings: shared.pings, metrics, logger, now: Date.now })
    shared.startDevicesWriter(() => devices.snapshot())
    deps.access?.controller?.share({ slots: shared.slots, lists: shared.lists })
  }
  let seq = 0
  const prefix = Date.now().toString(36)
  const clientAddress = createClientAddressResolver(config.listen.trustedProxies ?? [])

  /** Refuses a request before any EAS handling: counted, logged at debug, never forwarded. */
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, why: string, code?: ErrorCode, headers: Record<string, string> = {}): void => {
    metrics.refused.inc({ status: String(status) })
    logger.debug({ method: req.method, status, why, code, remote: req.socket.remoteAddress }, 'refused')
    const close = status !== 404 && status !== 405
    res.writeHead(status, { 'content-length': '0', ...headers, ...(state.draining || close ? { connection: 'close' } : {}) })
    res.end()
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // A connection the socket guard already answered and ended (over maxConnections): whatever
    // request still arrives on it is never handled, let alone forwarded.
    if (req.socket.writableEnded) { res.destroy(); return }
    const refusal = checkRequestLine(req, config)
    if (refusal !== undefined) { refuse(req, res, refusal.status, refusal.why, refusal.code); return }
    req.url = forwardedPath(req.url)
    const route = routeRequest(req, config)
    if (route !== 'eas') {
      // Not an EAS request (scanners, a wrong URL).
      if (route === 'not_found') refuse(req, res, 404, 'not an EAS path')
      else refuse(req, res, 405, 'method', undefined, { allow: 'OPTIONS, POST' })
      return
    }
    const ctx = createRequestContext(req, `${prefix}-${(++seq).toString(36)}`, deps.parsers, clientAddress)
    new ProxyRequest(proxyDeps, req, res, ctx).run(decide)
  }

  const access = deps.access
  // One literal per request, without a spread of the shared services (issue #14).
  const passes: Decide = access === undefined
    ? (request, control) => runPasses(INCOMING_PASSES, { request, control, config, gateway: state, devices, metrics, logger, limits })
    : (request, control) => runPasses(INCOMING_PASSES, { request, control, config, gateway: state, devices, metrics, logger, limits, access })
  /**
   * With access control, the admission (Bearer verification, then the policy) is awaited first
   * and written to the state record; the passes then act on it (controlAccess). A malformed query
   * skips it: it is answered 400 by the first pass.
   */
  // Without a policy and without auth.bearer, every admission is the same: forwarded, decision
  // NO_POLICY, identity the Authorization digest (the state record's default). Decided here
  // synchronously: admitRequest's promise, spreads and header decoding were ~5 µs per request.
  const noPolicy = Object.freeze({ decision: NO_POLICY.decision, rule: NO_POLICY.rule })
  const noPolicyCount = counterSeries(metrics.accessDecisions, noPolicy)
  const decide: Decide = access === undefined
    ? passes
    : access.controller === undefined && access.verifier === undefined
      ? (request, control) => {
          if (request.ctx.queryError === undefined) {
            request.access = noPolicy
            noPolicyCount.inc()
          }
          return passes(request, control)
        }
      : async (request, control) => {
        const c = request.ctx
        if (c.queryError !== undefined) return await passes(request, control)
        const a = await admitRequest({
          method: c.method,
          command: c.command,
          deviceId: c.deviceId,
          deviceType: c.deviceType,
          userAgent: c.userAgent,
          protocolVersion: c.protocolVersion,
          authorization: request.authorization
        }, { ...access, metrics, logger })
        request.admission = a
        if (a.kind === 'forward' || a.kind === 'refused') {
          request.access = { decision: a.decision.decision, rule: a.decision.rule }
          metrics.accessDecisions.inc(request.access)
        }
        if (a.kind === 'forward') request.identity = a.identity
        return await passes(request, control)
      }
  // A reload (SIGHUP, file change) or a list change re-checks every held Ping: a device the new
  // policy refuses gets its answer now (Ping Status 129), not at the end of its heartbeat.
  access?.controller?.onChange(() => {
    for (const e of [...devices.heldDevices()]) for (const p of [...e.pings]) p.recheck?.()
  })

  const tls = deps.tls
  const checkEvery = Math.min(5000, Math.max(100, Math.floor(config.timeouts.deviceHeaders / 4)))
  // Node's own header-count cap (maxHeadersCount, 2000) drops the headers beyond it silently (a
  // Content-Length among them): switched off, so that the gateway's cap answers 431 instead.
  const serverOptions: ServerOptions = {
    maxHeaderSize: config.proxy.maxHeaderBytes,
    // How often Node checks headersTimeout/requestTimeout: a quarter of the header bound, 0.1-5 s.
    connectionsCheckingInterval: checkEvery
  }
  const server: Server = tls !== undefined
    ? createHttpsServer({ ...serverOptions, key: tls.key, cert: tls.cert, minVersion: config.listen.tls?.minVersion ?? 'TLSv1.2', ciphers: config.listen.tls?.ciphers, handshakeTimeout: config.timeouts.tlsHandshake }, handle)
    : createHttpServer(serverOptions, handle)
  // Device side: receiving a request is bounded by executionTimeout, headers by deviceHeaders
  // (counted from accept, so a connection that never sends a byte is answered 408 and closed);
  // idle keep-alive by deviceKeepAlive, a stalled body by deviceBodyIdle. The socket itself has
  // no idle timer: a held Ping is silent.
  server.requestTimeout = config.timeouts.executionTimeout
  server.headersTimeout = config.timeouts.deviceHeaders
  server.keepAliveTimeout = config.timeouts.deviceKeepAlive
  server.maxHeadersCount = 0
  server.timeout = 0
  // With listen.proxyProtocol a plain TCP listener reads the PROXY header first and hands the
  // connection on (before TLS); the HTTP(S) server itself never listens.
  const front = config.listen.proxyProtocol === 'off' ? undefined : createNetServer()
  if (front !== undefined) {
    acceptProxyProtocol(front, server, {
      version: config.listen.proxyProtocol === 'v1' ? 'v1' : 'v2',
      timeout: config.timeouts.deviceHeaders,
      onReject: (reason, socket) => {
        metrics.proxyProtocolRejections.inc({ reason })
        logger.debug({ code: 'GW_ERR_PROXY_PROXY_PROTOCOL', reason, remote: socket.remoteAddress }, 'connection refused: no valid PROXY protocol header')
      }
    })
  }
  const listener = front ?? server
  const sockets = guardDeviceSockets(server, { limiter: limits.limiter, metrics, logger, clock, tls: tls !== undefined, handshakeTimeout: config.timeouts.tlsHandshake, maxUrlBytes: config.proxy.maxUrlBytes })
  // Not ready while no upstream is alive: the load balancer sends devices to another instance.
  const isReady = (): boolean => !state.draining && upstreams.anyAlive()
  const adminReply = (path: string, query: URLSearchParams): AdminReply | Promise<AdminReply> | undefined =>
    path === '/devices' ? devicesView(devices, shared, query, access?.controller?.status(), config.devices.viewLimit) : undefined
  const withAdmin = deps.adminListener !== false
  const stream = (path: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): boolean => {
    if (path !== '/trace') return false
    serveTrace(trace, query, req, res)
    return true
  }
  const admin = createAdminServer({ registry: deps.registry, isReady, extra: adminReply, stream, ...adminSecurity(deps.admin) })

  return {
    active,
    devices,
    get openConnections () { return sockets.open },
    get sharedUp () { return shared?.up },
    get ready () { return isReady() },
    adminReply,
    trace,
    async listen () {
      try {
        await listenOn(listener, config.listen.host, config.listen.port)
      } catch (err) {
        await shared?.close() // its Redis connections would keep a refused start's process alive
        throw err
      }
      try {
        if (withAdmin) await listenOn(admin, config.admin.listen.host, config.admin.listen.port)
      } catch (err) {
        // Unbind the device listener again: left open, it keeps a refused start's process alive.
        await new Promise<void>((resolve) => listener.close(() => { resolve() }))
        await shared?.close()
        throw err
      }
      const port = (listener.address() as AddressInfo).port
      const adminPort = withAdmin ? (admin.address() as AddressInfo).port : 0
      upstreams.start()
      logger.info({ port, ...(withAdmin ? { adminPort } : {}), host: config.listen.host, tls: deps.tls !== undefined, upstreams: upstreams.all.map((u) => u.name), ...(shared !== undefined ? { fleetId: shared.gateway } : {}) }, 'listening')
      logger.flush() // the line scripts and orchestrators wait for: do not leave it in the batch
      return { port, adminPort }
    },
    reload (opts) {
      // Without listen.tls at start there is no secure context to replace: HTTP -> HTTPS is a restart.
      if (opts.tls === undefined || deps.tls === undefined) return
      // setSecureContext builds the context from these options alone: without minVersion and
      // ciphers, Node's defaults would come back (measured: a TLSv1.3-only listener took TLS 1.2).
      const https = server as Server & { setSecureContext (o: import('node:tls').SecureContextOptions): void }
      https.setSecureContext({ key: opts.tls.key, cert: opts.tls.cert, minVersion: config.listen.tls?.minVersion ?? 'TLSv1.2', ciphers: config.listen.tls?.ciphers })
    },
    async drain (opts = {}) {
      state.draining = true
      upstreams.stop()
      logger.info({ inFlight: active.size, graceMs: config.timeouts.drainGrace, ...(opts.spread === true ? { spreadMs: 0.8 * config.timeouts.drainGrace } : {}) }, 'draining')
      // The listening socket's close waits for its connections (the HTTP server's own close
      // does not count connections handed to it by the PROXY protocol listener).
      const closed = new Promise<void>((resolve) => listener.close(() => { resolve() }))
      if (front !== undefined) server.close()
      server.closeIdleConnections()
      // Held Pings are answered Status 1 at once, so devices re-Ping straight away, to another
      // instance; short requests get the grace to finish.
      const held = (): ProxyRequest[] => [...active].filter((pr) => pr.isPing)
      const spreadTimer = opts.spread === true ? answerSpread(held, 0.8 * config.timeouts.drainGrace, clock) : undefined
      if (spreadTimer === undefined) for (const pr of held()) pr.endByGateway(pingStatus1('drained'))
      const deadline = setTimeout(() => {
        // A Ping still held here gets Status 1 (re-Ping at once), never an error; others 503.
        for (const pr of [...active]) pr.endByGateway(pr.isPing ? pingStatus1('drained') : { status: 503, reason: 'drained', headers: { 'retry-after': '5' } })
        server.closeAllConnections()
      }, config.timeouts.drainGrace)
      deadline.unref()
      await closed
      clearTimeout(deadline)
      if (spreadTimer !== undefined) clock.clearTimeout(spreadTimer.timer)
      // Cut admin connections with the close, not after it: one request in progress (a scrape,
      // a probe, a stalled client) would otherwise hold the drain until its timeout.
      if (withAdmin) {
        const adminClosed = new Promise<void>((resolve) => admin.close(() => { resolve() }))
        admin.closeAllConnections()
        await adminClosed
      }
      await upstreams.close()
      await shared?.close()
      logger.info('drained')
    }
  }
}

/**
 * Checks on the request line and headers before routing: more header lines than
 * `proxy.maxHeaders` (431, like Envoy's 100-header default), a URL over `proxy.maxUrlBytes` (414),
 * and two Host headers (400, RFC 9112 §3.2: a server must reject them).
 */
function checkRequestLine (req: IncomingMessage, config: GatewayConfig): { status: number, why: string, code: ErrorCode } | undefined {
  if (req.rawHeaders.length / 2 > config.proxy.maxHeaders) return { status: 431, why: 'too many header lines', code: 'GW_ERR_PROXY_HEADERS_TOO_LARGE' }
  if ((req.url ?? '').length > config.proxy.maxUrlBytes) return { status: 414, why: 'URL too long', code: 'GW_ERR_PROXY_URL_TOO_LONG' }
  let hosts = 0
  for (let i = 0; i < req.rawHeaders.length; i += 2) if ((req.rawHeaders[i] as string).length === 4 && (req.rawHeaders[i] as string).toLowerCase() === 'host') hosts++
  if (hosts > 1) return { status: 400, why: 'two Host headers', code: 'GW_ERR_PROXY_BAD_REQUEST' }
  return undefined
}

/**
 * Answers held Pings Status 1 one at a time, evenly over `window` ms (a rolling reload): the
 * devices re-Ping a few at a time, not as one herd. A Ping that ended meanwhile is skipped; one
 * that arrived meanwhile (a keep-alive connection racing the close) is answered at the end.
 */
function answerSpread (held: () => ProxyRequest[], window: number, clock: PoolClock): { timer: unknown } {
  const first = held()
  const start = clock.now()
  const step = first.length === 0 ? 0 : window / first.length
  const out: { timer: unknown } = { timer: undefined }
  let i = 0
  const next = (): void => {
    // Every Ping due by now is answered: a late timer (a busy event loop) catches up instead of
    // drifting past the drain grace, where the rest would be cut (measured: 21 of 500 under load).
    const due = step === 0 ? first.length : Math.min(first.length, Math.floor((clock.now() - start) / step) + 1)
    while (i < due) first[i++]?.endByGateway(pingStatus1('drained'))
    if (i >= first.length) { for (const late of held()) late.endByGateway(pingStatus1('drained')); return }
    out.timer = clock.setTimeout(next, step)
  }
  next()
  return out
}

/** Listen queue length asked of the kernel (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 8192

async function listenOn (server: Server | import('node:net').Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    // A reconnect storm opens thousands of connections at once: Node's default backlog of 511 made
    // the kernel drop 4644 SYNs while 8000 devices connected (npm run bench); the kernel caps this
    // at net.core.somaxconn.
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => { server.off('error', reject); resolve() })
  })
}

/** The admin server's `auth` and `tls` options from the files serve read (README § Admin listener). */
export function adminSecurity (a: GatewayDeps['admin']): { auth?: { token?: string, clientCert?: boolean }, tls?: AdminTls } {
  if (a === undefined) return {}
  const clientCert = a.tls?.ca !== undefined
  const auth = a.token !== undefined || clientCert ? { ...(a.token !== undefined ? { token: a.token } : {}), clientCert } : undefined
  return { ...(auth !== undefined ? { auth } : {}), ...(a.tls !== undefined ? { tls: a.tls } : {}) }
}
