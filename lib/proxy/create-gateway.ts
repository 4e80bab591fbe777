import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import type { GatewayConfig } from '../config/index.js'
import type { Logger } from '../log/index.js'
import type { Metrics } from '../metrics/index.js'
import type { RequestLimiter } from '../policy/index.js'
import type { UpstreamSet } from '../upstream/index.js'
import { createAdminServer } from './admin-server.js'
import { DeviceRegistry } from './device-registry.js'
import { pingStatus1 } from './ping-answers.js'
import { INCOMING_PASSES, runPasses } from './passes/index.js'
import { createLimitContext } from './passes/limit-context.js'
import { ProxyRequest, type ProxyDeps } from './proxy-request.js'
import { createRequestContext, type ContextParsers } from './request-context.js'
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
}

/** A running (or ready to run) gateway. */
export interface Gateway {
  /** Binds the device and admin listeners; resolves with the bound ports. */
  listen (): Promise<{ port: number, adminPort: number }>
  /** SIGTERM behaviour: readiness fails, listener closes, in-flight requests get drainGrace. */
  drain (): Promise<void>
  /** Requests in progress. */
  readonly active: ReadonlySet<ProxyRequest>
  /** The bounded per-device table behind `/devices`. */
  readonly devices: DeviceRegistry
}

/** Builds the gateway: device listener, admin listener, forwarding. */
export function createGateway (deps: GatewayDeps): Gateway {
  const { config, logger, metrics, upstreams } = deps
  const state = { draining: false }
  const active = new Set<ProxyRequest>()
  const proxyDeps: ProxyDeps = { config, metrics, logger, upstreams, state, active }
  const devices = new DeviceRegistry({
    maxDevices: config.devices.max,
    ttl: config.devices.ttl,
    onlineWindow: config.server.maxHeartbeat + config.timeouts.heartbeatMargin
  })
  metrics.setSources({ pingsHeld: () => devices.heldCount, devicesOnline: () => devices.onlineCount(), devicesTracked: () => devices.size })
  const limits = createLimitContext({ settings: config.limits, metrics, heldPings: () => devices.heldCount, ...(deps.limiter !== undefined ? { limiter: deps.limiter } : {}) })
  let seq = 0
  const prefix = Date.now().toString(36)

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const route = routeRequest(req, config)
    if (route !== 'eas') {
      const status = route === 'not_found' ? 404 : 405
      // Not an EAS request (scanners, a wrong URL): counted and logged at debug, never forwarded.
      metrics.refused.inc({ status: String(status) })
      logger.debug({ method: req.method, status, remote: req.socket.remoteAddress }, 'refused: not an EAS request')
      res.writeHead(status, { 'content-length': '0', ...(status === 405 ? { allow: 'OPTIONS, POST' } : {}), ...(state.draining ? { connection: 'close' } : {}) })
      res.end()
      return
    }
    const ctx = createRequestContext(req, `${prefix}-${(++seq).toString(36)}`, deps.parsers)
    new ProxyRequest(proxyDeps, req, res, ctx).run((pr) => runPasses(INCOMING_PASSES, { pr, config, state, devices, metrics, logger, limits: limits.forSocket(req.socket) }))
  }

  const server: Server = deps.tls !== undefined ? createHttpsServer({ key: deps.tls.key, cert: deps.tls.cert }, handle) : createHttpServer(handle)
  // Device side: receiving a request is bounded by executionTimeout, headers by deviceHeaders;
  // idle keep-alive by deviceKeepAlive. The socket itself has no idle timer: a held Ping is silent.
  server.requestTimeout = config.timeouts.executionTimeout
  server.headersTimeout = config.timeouts.deviceHeaders
  server.keepAliveTimeout = config.timeouts.deviceKeepAlive
  server.timeout = 0
  limits.watch(server, deps.tls !== undefined)
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    else socket.destroy()
    logger.debug({ err: { code: (err as NodeJS.ErrnoException).code, message: err.message } }, 'client error')
  })
  const admin = createAdminServer({
    registry: deps.registry,
    // Not ready while no upstream is alive: the load balancer sends devices to another instance.
    isReady: () => !state.draining && upstreams.anyAlive(),
    extra: (path) => path === '/devices'
      ? { status: 200, type: 'application/json', body: JSON.stringify({ tracked: devices.size, online: devices.onlineCount(), pingsHeld: devices.heldCount, devices: devices.snapshot() }) + '\n' }
      : undefined
  })

  return {
    active,
    devices,
    async listen () {
      await listenOn(server, config.listen.host, config.listen.port)
      try {
        await listenOn(admin, config.admin.listen.host, config.admin.listen.port)
      } catch (err) {
        // Unbind the device listener again: left open, it keeps a refused start's process alive.
        await new Promise<void>((resolve) => server.close(() => { resolve() }))
        throw err
      }
      const port = (server.address() as AddressInfo).port
      const adminPort = (admin.address() as AddressInfo).port
      upstreams.start()
      logger.info({ port, adminPort, host: config.listen.host, tls: deps.tls !== undefined, upstreams: upstreams.all.map((u) => u.name) }, 'listening')
      logger.flush() // the line scripts and orchestrators wait for: do not leave it in the batch
      return { port, adminPort }
    },
    async drain () {
      state.draining = true
      upstreams.stop()
      logger.info({ inFlight: active.size, graceMs: config.timeouts.drainGrace }, 'draining')
      const closed = new Promise<void>((resolve) => server.close(() => { resolve() }))
      server.closeIdleConnections()
      // Held Pings are answered Status 1 at once, so devices re-Ping straight away, to another
      // instance; short requests get the grace to finish.
      for (const pr of [...active]) if (pr.ping !== undefined) pr.endByGateway(pingStatus1('drained'))
      const deadline = setTimeout(() => {
        for (const pr of [...active]) pr.endByGateway({ status: 503, reason: 'drained', headers: { 'retry-after': '5' } })
        server.closeAllConnections()
      }, config.timeouts.drainGrace)
      deadline.unref()
      await closed
      clearTimeout(deadline)
      // Cut admin connections with the close, not after it: one request in progress (a scrape,
      // a probe, a stalled client) would otherwise hold the drain until its timeout.
      const adminClosed = new Promise<void>((resolve) => admin.close(() => { resolve() }))
      admin.closeAllConnections()
      await adminClosed
      await upstreams.close()
      logger.info('drained')
    }
  }
}

/** Listen queue length asked of the kernel (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 8192

async function listenOn (server: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    // A reconnect storm opens thousands of connections at once: Node's default backlog of 511 made
    // the kernel drop 4644 SYNs while 8000 devices connected (npm run bench); the kernel caps this
    // at net.core.somaxconn.
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => { server.off('error', reject); resolve() })
  })
}
