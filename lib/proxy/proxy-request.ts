import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import type { GatewayConfig } from '../config/index.js'
import type { Logger } from '../log/index.js'
import type { Metrics } from '../metrics/index.js'
import { retryAfterHeader } from '../policy/index.js'
import type { ConnectFailure, Upstream, UpstreamSet } from '../upstream/index.js'
import { classifyUpstreamError, type ClassifiedError } from './classify-error.js'
import type { DeviceEntry } from './device-registry.js'
import { buildDeviceHeaders, buildUpstreamHeaders } from './headers.js'
import type { Outcome, UpstreamFailure } from './outcome.js'
import { pingStatus1 } from './ping-answers.js'
import type { RequestContext } from './request-context.js'

/** Bodies up to this size are buffered (Ping, Sync, FolderSync); larger ones stream (notes/engine.md §4). */
export const BUFFER_LIMIT = 64 * 1024

/** A local answer: what a pass or the gateway itself sends instead of forwarding. */
export interface Verdict {
  readonly status: number
  readonly headers?: OutgoingHttpHeaders
  readonly body?: Uint8Array
  /** Short machine-readable reason for the access log (`heartbeat_clamped`, `draining`, …). */
  readonly reason: string
}

/** Shared state and services every request uses. */
export interface ProxyDeps {
  readonly config: GatewayConfig
  readonly metrics: Metrics
  readonly logger: Logger
  readonly upstreams: UpstreamSet
  readonly state: { draining: boolean }
  /** Requests in progress, so drain can reach them. */
  readonly active: Set<ProxyRequest>
}

type EndReason = 'device_abort' | 'execution_timeout' | 'gateway'

/** What the Ping passes learnt from the body. */
export interface PingInfo {
  /** Requested heartbeat in seconds (reused from the device's last Ping for an empty body). */
  readonly heartbeat: number | undefined
  readonly empty: boolean
  readonly folders: number | undefined
}

/** The catalog code (README § Error codes) an outcome stands for in the access log. */
const OUTCOME_CODES: Partial<Record<Outcome, string>> = {
  device_abort: 'GW_ERR_PROXY_DEVICE_ABORT',
  upstream_reset: 'GW_ERR_UPSTREAM_RESET',
  upstream_timeout: 'GW_ERR_UPSTREAM_TIMEOUT',
  execution_timeout: 'GW_ERR_PROXY_EXECUTION_TIMEOUT',
  upstream_unreachable: 'GW_ERR_UPSTREAM_UNREACHABLE'
}

class GatewayAbort extends Error {
  readonly reason: EndReason
  constructor (reason: EndReason) {
    super(`request ended by the gateway: ${reason}`)
    this.reason = reason
  }
}

/**
 * One device request from arrival to its single outcome. It is its own undici dispatch handler
 * (one object per request, no AbortController: the lean form measured in notes/engine.md §4) and
 * follows undici's callback order: start, response start, data*, end | error.
 */
export class ProxyRequest implements Dispatcher.DispatchHandler {
  readonly ctx: RequestContext
  readonly #deps: ProxyDeps
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #started = performance.now()
  #upstream: Upstream | undefined
  /** Upstreams this request could not connect to (failover never returns to them). */
  #tried: Set<Upstream> | undefined
  #upstreamStarted = 0
  #upstreamMs: number | undefined
  #controller: Dispatcher.DispatchController | undefined
  #pendingAbort: Error | undefined
  #outcome: Outcome | undefined
  #endReason: EndReason | undefined
  #failure: { reason: UpstreamFailure, code: string } | undefined
  #localReason: string | undefined
  #execTimer: NodeJS.Timeout | undefined
  #body: Buffer | undefined
  #onDone: (() => void)[] = []
  /** The device's entry in the per-device table, once known. */
  device: DeviceEntry | undefined
  /** Set for a Ping whose body parsed. */
  ping: PingInfo | undefined
  /** Catalog code of a local rejection (e.g. GW_ERR_WBXML_TRUNCATED), for the access log. */
  errorCode: string | undefined

  constructor (deps: ProxyDeps, req: IncomingMessage, res: ServerResponse, ctx: RequestContext) {
    this.#deps = deps
    this.#req = req
    this.#res = res
    this.ctx = ctx
  }

  /** The buffered request body (small bodies only), for passes such as the Ping parser. */
  get body (): Buffer | undefined { return this.#body }

  /** True once the request has its outcome. */
  get done (): boolean { return this.#outcome !== undefined }

  /** The device's Authorization header (never logged; compared as a digest for supersede). */
  get authorization (): string | undefined { return this.#req.headers.authorization }

  /** Runs `fn` once when the request has its outcome. */
  onDone (fn: () => void): void { this.#onDone.push(fn) }

  /** Milliseconds since the request arrived. */
  get ageMs (): number { return performance.now() - this.#started }

  /** Starts the lifecycle: timers, body, then `decide` (local passes) and forwarding. */
  run (decide: (pr: ProxyRequest) => Verdict | undefined): void {
    const { metrics, config, active } = this.#deps
    active.add(this)
    metrics.inFlight.inc({ command: this.ctx.commandLabel })
    this.#res.on('close', () => { this.#onDeviceClose() })
    this.#execTimer = setTimeout(() => { this.#onExecutionTimeout() }, config.timeouts.executionTimeout)
    this.#execTimer.unref()
    const length = Number(this.#req.headers['content-length'] ?? NaN)
    if (length > config.proxy.maxRequestBodyBytes) {
      this.errorCode = 'GW_ERR_PROXY_BODY_TOO_LARGE'
      this.answer({ status: 413, reason: 'body_too_large', headers: { connection: 'close' } })
      return
    }
    // HTTP/1.1: no Content-Length and no Transfer-Encoding means no body (RFC 9112 §6.3), so an
    // empty Ping without either is buffered (as zero bytes) and parsed like any other.
    const chunked = this.#req.headers['transfer-encoding'] !== undefined
    if ((!chunked && Number.isNaN(length)) || length <= BUFFER_LIMIT) {
      const chunks: Buffer[] = []
      this.#req.on('data', (c: Buffer) => chunks.push(c))
      this.#req.on('end', () => {
        if (this.done) return
        this.#body = Buffer.concat(chunks)
        this.#decide(decide)
      })
      this.#req.on('error', () => { /* the device went away: res 'close' records it */ })
    } else {
      this.#decide(decide)
    }
  }

  /** Runs the local passes: a verdict answers the device, otherwise the request is forwarded. */
  #decide (decide: (pr: ProxyRequest) => Verdict | undefined): void {
    const verdict = decide(this)
    if (verdict !== undefined) this.answer(verdict)
    else this.#forward()
  }

  /** Answers the device locally (outcome `answered_locally`) and cancels any upstream request. */
  answer (v: Verdict): void {
    if (this.done) return
    this.#localReason = v.reason
    this.#abortUpstream('gateway')
    this.#sendVerdict(v)
    this.#finish('answered_locally')
  }

  #sendVerdict (v: Verdict): void {
    this.#send(v.status, { ...v.headers }, v.body)
  }

  /** Ends the request on the gateway's behalf (drain deadline): answered if possible, else cut. */
  endByGateway (v: Verdict): void {
    if (this.done) return
    if (this.#res.headersSent) {
      this.#localReason = v.reason
      this.#abortUpstream('gateway')
      this.#res.destroy()
      this.#finish('answered_locally')
    } else {
      this.answer(v)
    }
  }

  #forward (next?: Upstream): void {
    const { upstreams, config, metrics } = this.#deps
    const upstream = next ?? upstreams.pick()
    if (upstream === undefined) {
      // No upstream alive: the Retry-After (jittered) points past the next re-probe.
      metrics.upstreamUnavailable.inc()
      this.answer({ status: 503, reason: 'no_upstream', headers: { 'retry-after': retryAfterHeader(upstreams.retryAfterMs()), connection: 'close' } })
      return
    }
    this.#upstream = upstream
    upstreams.acquire(upstream)
    this.#upstreamStarted = performance.now()
    const req = this.#req
    const headers = buildUpstreamHeaders(req.rawHeaders, {
      remoteAddress: req.socket.remoteAddress,
      encrypted: 'encrypted' in req.socket && req.socket.encrypted === true,
      host: req.headers.host,
      forwardedFor: headerValue(req.headers['x-forwarded-for'])
    })
    const body = this.#body ?? (req.method === 'POST' ? req : null)
    if (this.#body !== undefined) setContentLength(headers, this.#body.length)
    try {
      upstream.pool.dispatch({
        path: upstream.basePath + (req.url ?? '/'),
        method: (req.method ?? 'POST') as Dispatcher.HttpMethod,
        headers,
        body,
        headersTimeout: config.timeouts.easRequestTimeout,
        bodyTimeout: 0
      }, this)
    } catch (err) {
      metrics.upstreamErrors.inc({ upstream: upstream.name, reason: 'other' })
      this.#fail(err)
    }
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    if (this.#pendingAbort !== undefined) controller.abort(this.#pendingAbort)
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.done) return
    const { config, metrics, state } = this.#deps
    if (this.#upstream !== undefined) this.#deps.upstreams.reportSuccess(this.#upstream)
    this.#upstreamMs = performance.now() - this.#upstreamStarted
    metrics.upstreamDuration.observe({ command: this.ctx.commandLabel, upstream: this.#upstream?.name ?? '' }, this.#upstreamMs / 1000)
    // The server accepted this Ping (so its credentials): only now is its heartbeat the one an
    // empty Ping reuses (MS-ASCMD §3.1.5.8). A 401'd Ping must not change what the device gets.
    if (statusCode === 200 && this.ping?.heartbeat !== undefined && this.device !== undefined) this.device.heartbeat = this.ping.heartbeat
    const out = buildDeviceHeaders(headers)
    // Every 401 closes the connection: clients retry authentication on a fresh connection, and
    // a kept-alive socket after a 401 is where NTLM/Basic state goes wrong behind proxies.
    if (statusCode === 401 && config.proxy.closeOn401) {
      out.connection = 'close'
      metrics.unauthorizedCloses.inc()
    } else if (state.draining) {
      out.connection = 'close'
    }
    this.#res.on('drain', () => { controller.resume() })
    this.#send(statusCode, out, undefined, false)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return
    if (!this.#res.write(chunk)) controller.pause()
  }

  onResponseEnd (): void {
    if (this.done) return
    this.#res.end()
    this.#finish('completed')
  }

  onResponseError (_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.#endReason !== undefined || this.done) return
    const c = classifyUpstreamError(err)
    this.#deps.metrics.upstreamErrors.inc({ upstream: this.#upstream?.name ?? '', reason: c.reason })
    if (this.#failover(c)) return
    this.#failure = { reason: c.reason, code: c.code }
    if (!this.#res.headersSent && this.ping !== undefined) {
      // A Ping the gateway must end gets 200 Status 1 (never a 5xx), unless nothing upstream could
      // be reached at all: then 503 + Retry-After. The metric still records the true outcome.
      // The pool knows when the next re-probe is due: the same jittered Retry-After as `no_upstream`.
      if (c.outcome === 'upstream_unreachable') this.#send(503, { 'retry-after': retryAfterHeader(this.#deps.upstreams.retryAfterMs()) })
      else this.#sendVerdict(pingStatus1(c.reason))
    } else if (!this.#res.headersSent) {
      this.#send(c.outcome === 'upstream_timeout' ? 504 : 502, { connection: 'close' })
    } else {
      this.#res.destroy()
    }
    this.#finish(c.outcome)
  }

  /**
   * A request that failed before any byte reached the upstream goes to another alive upstream,
   * once per upstream. "Before any byte" is exact: undici calls onRequestStart right before it
   * writes the request, so without a controller nothing was written (the connect failed). A
   * request whose bytes were sent is never replayed (no duplicate SendMail or Sync), nor one whose
   * body streams (it cannot be read twice): the device gets the error and retries itself.
   */
  #failover (c: ClassifiedError): boolean {
    const { upstreams, metrics } = this.#deps
    const from = this.#upstream
    if (from === undefined || this.#controller !== undefined || c.outcome !== 'upstream_unreachable') return false
    upstreams.reportFailure(from, { reason: c.reason as ConnectFailure, code: c.code })
    const tried = this.#tried ??= new Set()
    tried.add(from)
    const next = this.#body !== undefined || this.#req.method !== 'POST' ? upstreams.pick(tried) : undefined
    if (next === undefined) return false
    metrics.upstreamFailovers.inc({ upstream: from.name, reason: c.reason })
    upstreams.release(from)
    this.#upstream = undefined
    this.#forward(next)
    return true
  }

  #fail (err: unknown): void {
    this.onResponseError(undefined as unknown as Dispatcher.DispatchController, err as Error)
  }

  #onDeviceClose (): void {
    if (this.done || this.#res.writableFinished) return
    this.#abortUpstream('device_abort')
    this.#finish('device_abort')
  }

  #onExecutionTimeout (): void {
    if (this.done) return
    this.#abortUpstream('execution_timeout')
    if (!this.#res.headersSent && this.ping !== undefined) this.#sendVerdict(pingStatus1('execution_timeout'))
    else if (!this.#res.headersSent) this.#send(504, { connection: 'close' })
    else this.#res.destroy()
    this.#finish('execution_timeout')
  }

  /** Cancels the upstream request at once (its socket is closed, so the server sees it). */
  #abortUpstream (reason: EndReason): void {
    this.#endReason ??= reason
    if (this.#upstream === undefined) return
    const err = new GatewayAbort(reason)
    if (this.#controller !== undefined) this.#controller.abort(err)
    else this.#pendingAbort = err
  }

  #send (status: number, headers: OutgoingHttpHeaders, body?: Uint8Array, end = true): void {
    const res = this.#res
    if (res.headersSent || res.destroyed) return
    if (this.#deps.state.draining) headers.connection = 'close'
    if (end) headers['content-length'] = String(body?.length ?? 0)
    res.writeHead(status, headers)
    this.#deps.metrics.responses.inc({ command: this.ctx.commandLabel, status_class: `${Math.floor(status / 100)}xx` })
    if (end) res.end(body)
  }

  #finish (outcome: Outcome): void {
    if (this.#outcome !== undefined) return
    this.#outcome = outcome
    const { metrics, logger, active } = this.#deps
    clearTimeout(this.#execTimer)
    active.delete(this)
    for (const fn of this.#onDone) fn()
    if (this.#upstream !== undefined) this.#deps.upstreams.release(this.#upstream)
    const seconds = (performance.now() - this.#started) / 1000
    const labels = { command: this.ctx.commandLabel, outcome }
    metrics.inFlight.dec({ command: this.ctx.commandLabel })
    metrics.requests.inc(labels)
    metrics.duration.observe(labels, seconds)
    const c = this.ctx
    const line = {
      reqId: c.reqId, cmd: c.command, outcome, status: this.#res.headersSent ? this.#res.statusCode : 0,
      durationMs: Math.round(seconds * 1000), upstreamMs: this.#upstreamMs === undefined ? undefined : Math.round(this.#upstreamMs),
      upstream: this.#upstream?.name, user: c.user, deviceId: c.deviceId, deviceType: c.deviceType,
      protocolVersion: c.protocolVersion, method: c.method, reason: this.#failure?.reason ?? this.#localReason,
      heartbeat: this.ping?.heartbeat, connectFailures: this.#tried?.size, code: this.errorCode ?? (this.#failure?.reason === 'dns' ? 'GW_ERR_UPSTREAM_DNS' : OUTCOME_CODES[outcome]), errCode: this.#failure?.code
    }
    if (outcome === 'completed' || outcome === 'answered_locally' || outcome === 'device_abort') logger.info(line, 'request')
    else logger.warn(line, 'request')
  }
}

function headerValue (v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v
}

function setContentLength (headers: string[], length: number): void {
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).toLowerCase() === 'content-length') { headers[i + 1] = String(length); return }
  }
  if (length > 0) headers.push('content-length', String(length))
}
