import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { errors, type Dispatcher } from 'undici'
import type { GatewayConfig } from '../config/index.js'
import { pingStatusLabel, type Metrics } from '../metrics/index.js'
import { parsePingResponse } from '../eas/index.js'
import { retryAfterHeader } from '../policy/index.js'
import type { PoolClock, ProbeFailure, Upstream, UpstreamSet } from '../upstream/index.js'
import { BodyIntake, type IntakeLimits, type IntakeRefusal, type IntakeWatch } from './body-intake.js'
import { classifyUpstreamError, type ClassifiedError } from './classify-error.js'
import { buildDeviceHeaders, buildUpstreamHeaders, forwardedPath } from './headers.js'
import type { Outcome, UpstreamFailure } from './outcome.js'
import type { OutcomeRecorder } from './outcome-recorder.js'
import { pingStatus1 } from './ping-answers.js'
import { RelayHandler, type RelayTarget } from './relay-handler.js'
import type { RequestMetrics } from './request-metrics.js'
import { TRACE_BODY_CAP, type TraceHub } from './trace-hub.js'
import type { RequestContext } from './request-context.js'
import { createRequestState, type RequestState } from './request-state.js'
import type { DeadlineQueue, DeadlineRule } from './deadline-queue.js'
import type { DoneListener, RequestControl, Verdict } from './verdict.js'

/** Shared state and services every request uses. */
export interface ProxyDeps {
  readonly config: GatewayConfig
  readonly metrics: Metrics
  readonly upstreams: UpstreamSet
  readonly state: { draining: boolean }
  /** Requests in progress, so drain can reach them. */
  readonly active: Set<ProxyRequest>
  /** Writes each request's metrics and access line. */
  readonly record: OutcomeRecorder
  /** Time, randomness and timers (injected: tests need no real-time bounds). */
  readonly clock: PoolClock
  /** Every request's executionTimeout, on one timer (same clock), over `active`. */
  readonly deadlines: DeadlineQueue<ProxyRequest>
  /** Requests sent upstream whose response headers have not come yet, in the order they went. */
  readonly awaitingHeaders: Set<ProxyRequest>
  /** Their easRequestTimeout, on one timer, over `awaitingHeaders` ({@link ProxyRequest.headersRule}). */
  readonly headerDeadlines: DeadlineQueue<ProxyRequest>
  /** The labelled metric children of the request path, cached. */
  readonly children: RequestMetrics
  /** Every body being read, its idle bound on one timer (same clock). */
  readonly intakes: IntakeWatch
  /** The body caps and idle bound, from `proxy.*` and `timeouts.deviceBodyIdle`. */
  readonly intakeLimits: IntakeLimits
  /** `gateway trace` subscriptions; absent or inactive: nothing is captured. */
  readonly trace?: TraceHub
}

/**
 * The local passes: a Verdict answers the device, undefined forwards the request. A promise when
 * something must be awaited first (Bearer verification against the issuer's keys).
 */
export type Decide = (state: RequestState, control: RequestControl) => Verdict | undefined | Promise<Verdict | undefined>

type EndReason = 'device_abort' | 'execution_timeout' | 'gateway'

/** What `req.rawHeaders` becomes once the request went upstream (shared: nothing is kept per request). */
const NO_HEADERS: string[] = Object.freeze([]) as unknown as string[]
/** And what `req.headers` becomes (node:http's parsed copy of the same lines, ~0.2 KiB a held Ping). */
const NO_FIELDS: IncomingHttpHeaders = Object.freeze({})

/** A Ping answer is a few dozen bytes; more chunks than this are not worth reading. */
const PING_ANSWER_CHUNKS = 4

/** Catalog codes of upstream failure reasons that say more than the outcome's own code. */
const FAILURE_CODES: Partial<Record<string, string>> = {
  dns: 'GW_ERR_UPSTREAM_DNS',
  bad_response: 'GW_ERR_UPSTREAM_BAD_RESPONSE',
  fd_exhausted: 'GW_ERR_PROXY_FD_EXHAUSTED'
}

class GatewayAbort extends Error {
  readonly reason: EndReason
  constructor (reason: EndReason) {
    super(`request ended by the gateway: ${reason}`)
    this.reason = reason
  }
}

/**
 * One device request from arrival to its single outcome: the coordinator of four small pieces.
 * The plain {@link RequestState} record (what passes read and change), {@link BodyIntake} (byte
 * caps, Ping buffering, the idle bound), one {@link RelayHandler} per forwarding attempt (undici's
 * callback order, asserted), and the outcome recorder (metrics and the one access line).
 */
export class ProxyRequest implements RelayTarget, RequestControl {
  readonly state: RequestState
  readonly #deps: ProxyDeps
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #started: number
  #intake: BodyIntake | undefined
  #stream: Readable | undefined
  #upstream: Upstream | undefined
  #released = false
  /** Upstreams this request could not connect to (failover never returns to them). */
  #tried: Set<Upstream> | undefined
  #upstreamStarted = 0
  /** When easRequestTimeout ends the wait for the upstream's response headers (set once the request is sent). */
  #headersDueAt = 0
  #upstreamMs: number | undefined
  #controller: Dispatcher.DispatchController | undefined
  #pendingAbort: Error | undefined
  #outcome: Outcome | undefined
  #endReason: EndReason | undefined
  #failure: ClassifiedError | undefined
  #localReason: string | undefined
  #code: string | undefined
  /** A Ping whose upstream failed waits here before its Status 1 (no hot loop). */
  #pause: { timer: unknown, outcome: Outcome } | undefined
  /** Who hears the end: one listener (a held Ping), rarely more; an array grown by push() keeps 17 slots. */
  #onDone: DoneListener | DoneListener[] | undefined
  /** The first bytes of a Ping's 200 answer, read for its Status and the heartbeat the server accepted. */
  #pingAnswer: Buffer[] | undefined
  /** Bytes of a buffered body (its intake is dropped once done; the access line still counts them). */
  #bufferedBytes = 0
  /** The Ping Status the device got (the server's or the gateway's answer). */
  #pingStatus: number | undefined
  /** Response body bytes sent to the device. */
  #bytesOut = 0
  /** Set only when `gateway trace` follows this device: the answer's chunks, up to the cap. */
  #traceBody: Buffer[] | undefined
  #traceBytes = 0

  constructor (deps: ProxyDeps, req: IncomingMessage, res: ServerResponse, ctx: RequestContext) {
    this.#deps = deps
    this.#req = req
    this.#res = res
    this.#started = deps.clock.now()
    this.state = createRequestState(ctx, req.headers.authorization)
  }

  get ctx (): RequestContext { return this.state.ctx }

  /** True once the request has its outcome. */
  get done (): boolean { return this.#outcome !== undefined }

  /** True for a Ping whose body parsed (drain answers these at once). */
  get isPing (): boolean { return this.state.ping !== undefined }

  /** executionTimeout, from arrival, over `active` (the request ends, so it leaves the set). */
  static readonly executionRule: DeadlineRule<ProxyRequest> = {
    dueAt: (r) => r.#started + r.#deps.config.timeouts.executionTimeout,
    expire: (r) => { r.#onExecutionTimeout() }
  }

  /**
   * easRequestTimeout, from the moment the whole request was handed to the upstream connection,
   * over `awaitingHeaders`: the gateway's own timer, exact to the millisecond (undici checks its
   * `headersTimeout` on a 0.5 s tick, so it could end a Ping up to 0.5 s before the configured
   * time). The wait ends as undici's would: a `HeadersTimeoutError`, classified `upstream_timeout`.
   */
  static readonly headersRule: DeadlineRule<ProxyRequest> = {
    dueAt: (r) => r.#headersDueAt,
    expire: (r) => {
      r.#deps.awaitingHeaders.delete(r)
      r.#controller?.abort(new errors.HeadersTimeoutError())
    }
  }

  onDone (listener: DoneListener): void {
    const d = this.#onDone
    if (d === undefined) this.#onDone = listener
    else if (Array.isArray(d)) d.push(listener)
    else this.#onDone = [d, listener]
  }

  /** Starts the lifecycle: timers, body intake, then `decide` (local passes) and forwarding. */
  run (decide: Decide): void {
    const { children, active, intakes, intakeLimits } = this.#deps
    active.add(this)
    children.inFlight(this.ctx.commandLabel).inc()
    // One listener for every response, which finds its request through the response: a closure
    // per request lived as long as a held Ping (issue #14).
    ;(this.#res as Answered)[REQUEST] = this
    this.#res.on('close', onResponseClose)
    this.#deps.deadlines.arm(this)
    const ping = this.ctx.command === 'Ping' && this.ctx.method === 'POST'
    this.#intake = new BodyIntake(this.#req, { ping, limits: intakeLimits, watch: intakes }, {
      // The intake is done with a buffered body: dropped, so a held Ping does not keep it alive.
      onBuffered: (body) => { this.state.body = body; this.#bufferedBytes = body.length; this.#intake = undefined; this.#decide(decide) },
      onStream: (body) => { this.#stream = body; this.#decide(decide) },
      onRefused: (r) => { this.#refuseBody(r) }
    })
    this.#intake.start()
  }

  #decide (decide: Decide): void {
    if (this.done) return
    // One boolean when nobody traces: no copy, no allocation (test/proxy/trace.test.ts).
    const trace = this.#deps.trace
    if (trace !== undefined && trace.active && trace.wants(this.ctx.user, this.ctx.deviceId)) this.#traceRequest(trace)
    const verdict = decide(this.state, this)
    if (verdict instanceof Promise) {
      // The device may have gone (or executionTimeout fired) while it was awaited: done then.
      verdict.then((v) => { if (!this.done) this.#apply(v) }, (err: unknown) => {
        // Fail closed: a decision that could not be made is not a permission.
        this.answer({ status: 503, reason: 'decision_failed', outcome: 'refused_policy', headers: { 'retry-after': '30', connection: 'close' }, code: (err as { code?: string }).code })
      })
      return
    }
    this.#apply(verdict)
  }

  #apply (verdict: Verdict | undefined): void {
    if (verdict !== undefined) {
      this.answer(verdict)
      return
    }
    // Known while a Ping is held, not only once it ends.
    if (this.state.device !== undefined) this.state.device.address = this.ctx.clientAddress ?? this.state.device.address
    this.#forward()
  }

  /** Answers the device locally (the verdict's outcome, `answered_locally` by default) and cancels any upstream request. */
  answer (v: Verdict): void {
    if (this.done) return
    this.#localReason = v.reason
    this.#code = v.code ?? this.#code
    if (v.access !== undefined) this.state.access = v.access
    this.#abortUpstream('gateway')
    this.#send(v.status, { ...v.headers }, v.body)
    this.#finish(v.outcome ?? 'answered_locally')
  }

  endByGateway (v: Verdict): void {
    if (this.done) return
    if (this.#pause !== undefined) {
      // A failed Ping waiting out its pause: answered now, the failure stays its outcome.
      this.#send(v.status, { ...v.headers }, v.body)
      this.#finish(this.#pause.outcome)
    } else if (this.#res.headersSent) {
      this.#localReason = v.reason
      this.#abortUpstream('gateway')
      this.#res.destroy()
      this.#finish(v.outcome ?? 'answered_locally')
    } else {
      this.answer(v)
    }
  }

  /** Over the byte cap (413) or silent mid-body (408): answered if nothing was sent yet, else cut. */
  #refuseBody (r: IntakeRefusal): void {
    this.#code = r.code
    this.endByGateway({ status: r.status, reason: r.reason, code: r.code, outcome: 'refused_malformed', headers: { connection: 'close' } })
  }

  #forward (next?: Upstream): void {
    const { upstreams, metrics } = this.#deps
    const upstream = next ?? upstreams.pick()
    if (upstream === undefined) {
      // No upstream alive: the Retry-After (jittered) points past the next re-probe.
      metrics.upstreamUnavailable.inc()
      this.answer({ status: 503, reason: 'no_upstream', outcome: 'refused_no_upstream', headers: { 'retry-after': retryAfterHeader(upstreams.retryAfterMs()), connection: 'close' } })
      return
    }
    this.#upstream = upstream
    this.#released = false
    upstreams.acquire(upstream)
    this.#upstreamStarted = this.#deps.clock.now()
    const req = this.#req
    const headers = buildUpstreamHeaders(req.rawHeaders, {
      remoteAddress: req.socket.remoteAddress,
      encrypted: 'encrypted' in req.socket && req.socket.encrypted === true,
      host: req.headers.host,
      forwardedFor: headerValue(req.headers['x-forwarded-for']),
      requestId: this.ctx.reqId
    })
    const body = this.state.body ?? this.#stream ?? null
    if (this.state.body !== undefined) setContentLength(headers, this.state.body.length)
    const relay = new RelayHandler(this)
    try {
      // Pings on their own connections: a Sync's dispatch never scans the held Pings' ones.
      const pool = this.state.ping !== undefined ? upstream.pingPool : upstream.pool
      pool.dispatch({
        path: upstream.basePath + forwardedPath(req.url),
        method: (req.method ?? 'POST') as Dispatcher.HttpMethod,
        headers,
        body,
        // undici's own timers off: easRequestTimeout is the gateway's (headersRule), and a slow
        // body is bounded by executionTimeout.
        headersTimeout: 0,
        bodyTimeout: 0
      }, relay)
    } catch (err) {
      relay.onResponseError(undefined, err as Error)
    }
  }

  onUpstreamStart (controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    // From here the request is never forwarded again (no failover once bytes may have left), so
    // its header lines (raw and parsed) and its buffered body are not read again: a held Ping does not keep them
    // (issue #14; the access line counts the body from #bufferedBytes).
    this.#req.rawHeaders = NO_HEADERS
    this.#req.headers = NO_FIELDS
    this.state.body = undefined
    if (this.#pendingAbort !== undefined) { controller.abort(this.#pendingAbort); return }
    // The wait for the answer starts once the request is all sent: a buffered body goes in one
    // write, a streamed one when undici has read its last byte (as undici's own timer would).
    const stream = this.#stream
    if (stream === undefined || stream.readableEnded) this.#awaitHeaders()
    else stream.once('end', () => { this.#awaitHeaders() })
  }

  #awaitHeaders (): void {
    // Response headers already relayed (an upstream answering before the body's end): no wait.
    if (this.done || this.#res.headersSent || this.#endReason !== undefined) return
    const { awaitingHeaders, headerDeadlines, clock, config } = this.#deps
    this.#headersDueAt = clock.now() + config.timeouts.easRequestTimeout
    // Re-added at the end (a failover's second attempt): the set stays in deadline order.
    awaitingHeaders.delete(this)
    awaitingHeaders.add(this)
    headerDeadlines.arm(this)
  }

  onUpstreamHeaders (_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.done) return
    const { config, metrics, state, upstreams, clock, children, awaitingHeaders } = this.#deps
    awaitingHeaders.delete(this)
    if (this.#upstream !== undefined) upstreams.reportSuccess(this.#upstream)
    this.#upstreamMs = clock.now() - this.#upstreamStarted
    children.upstreamDuration(this.ctx.commandLabel, this.#upstream?.name ?? '').observe(this.#upstreamMs / 1000)
    // A Ping the server answered 200: its answer's Status is counted, and says which heartbeat the
    // server holds (read at the end). A 401'd Ping must not change what the device gets.
    if (statusCode === 200 && this.state.ping !== undefined) this.#pingAnswer = []
    const out = buildDeviceHeaders(headers)
    // Every 401 closes the connection: clients retry authentication on a fresh connection, and
    // a kept-alive socket after a 401 is where NTLM/Basic state goes wrong behind proxies.
    if (statusCode === 401 && config.proxy.closeOn401) {
      out.connection = 'close'
      metrics.unauthorizedCloses.inc()
    } else if (state.draining) {
      out.connection = 'close'
    }
    this.#res.on('drain', onResponseDrain)
    this.#send(statusCode, out, undefined, false)
  }

  onUpstreamData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return
    if (this.#traceBody !== undefined) this.#traceKeep(chunk)
    if (this.#pingAnswer !== undefined && this.#pingAnswer.length < PING_ANSWER_CHUNKS) this.#pingAnswer.push(chunk)
    this.#bytesOut += chunk.length
    if (!this.#res.write(chunk)) controller.pause()
  }

  onUpstreamEnd (): void {
    if (this.done) return
    if (this.#pingAnswer !== undefined) this.#rememberHeartbeat(Buffer.concat(this.#pingAnswer))
    this.#res.end()
    this.#finish('completed')
  }

  /**
   * The heartbeat an empty Ping reuses (MS-ASCMD §3.1.5.8) is the one the server holds: the
   * requested one once the server accepted it (Status 1 or 2), the server's bound when it
   * refused it with Status 5 (Horde stores the bound; the device re-Pings with it). Any other
   * answer (an error status, Horde's empty body for a superseded Ping) changes nothing.
   */
  #rememberHeartbeat (body: Buffer): void {
    const { ping, device } = this.state
    const answer = parsePingResponse(body)
    this.#countPingAnswer(answer?.status)
    if (ping === undefined || device === undefined || answer === undefined) return
    if ((answer.status === 1 || answer.status === 2) && ping.heartbeat !== undefined) device.heartbeat = ping.heartbeat
    else if (answer.status === 5 && answer.heartbeatInterval !== undefined) device.heartbeat = answer.heartbeatInterval
  }

  /** Counts the Ping Status the device got (`eas_gateway_ping_answers_total`) and keeps it for the access line. */
  #countPingAnswer (status: number | undefined): void {
    this.#pingStatus = status
    this.#deps.metrics.pingAnswers.inc({ status: pingStatusLabel(status) })
  }

  onUpstreamError (err: Error, started: boolean): void {
    this.#deps.awaitingHeaders.delete(this)
    if (this.#endReason !== undefined || this.done) return
    const { metrics, upstreams } = this.#deps
    const c = classifyUpstreamError(err)
    const from = this.#upstream
    metrics.upstreamErrors.inc({ upstream: from?.name ?? '', reason: c.reason })
    if (c.reason === 'fd_exhausted') metrics.fdExhausted.inc({ side: 'upstream' })
    else if (from !== undefined && !started && c.outcome === 'upstream_unreachable') {
      upstreams.reportFailure(from, { reason: asProbeFailure(c.reason), code: c.code })
      if (this.#failover(from, c)) return
    } else if (from !== undefined && c.outcome === 'upstream_reset' && !this.#res.headersSent) {
      // The server dropped a request it had taken (a held Ping, usually): that counts towards
      // ejection like a refused connect, or a server resetting every Ping is never taken out.
      upstreams.reportFailure(from, { reason: asProbeFailure(c.reason), code: c.code })
    }
    this.#failure = c
    this.#releaseUpstream()
    if (this.#res.headersSent) {
      this.#res.destroy()
    } else if (c.outcome === 'upstream_unreachable') {
      // Nothing reached any upstream (every one refused this request's connect): 503 with the
      // pool's jittered Retry-After, so the device comes back on its own, not a bare 502.
      this.#send(503, { 'retry-after': retryAfterHeader(upstreams.retryAfterMs()), connection: 'close' })
    } else if (this.state.ping !== undefined) {
      // A Ping the gateway must end gets 200 Status 1, never a 5xx; after an upstream failure
      // only once a jittered pause has passed, so a device re-Pinging at once cannot loop.
      if (c.outcome === 'upstream_reset') { this.#pauseThenAnswer(c.outcome); return }
      const v = pingStatus1(c.reason)
      this.#send(v.status, { ...v.headers }, v.body)
    } else {
      this.#send(c.outcome === 'upstream_timeout' ? 504 : 502, { connection: 'close' })
    }
    this.#finish(c.outcome)
  }

  /** Answers a failed Ping Status 1 after `ping.failurePause`, jittered to 50-150 %. */
  #pauseThenAnswer (outcome: Outcome): void {
    const { clock, config } = this.#deps
    const ms = config.ping.failurePause * (0.5 + clock.random())
    const timer = clock.setTimeout(() => {
      if (this.done) return
      const v = pingStatus1('upstream_failed')
      this.#send(v.status, { ...v.headers }, v.body)
      this.#finish(outcome)
    }, ms)
    this.#pause = { timer, outcome }
  }

  /**
   * A request that failed before any byte reached the upstream goes to another alive upstream,
   * once per upstream. "Before any byte" is exact: undici calls onRequestStart right before it
   * writes the request, so a failure without it means the connect failed. A request whose bytes
   * were sent is never replayed (no duplicate SendMail or Sync), nor one whose body streams (it
   * cannot be read twice): the device gets the error and retries itself.
   */
  #failover (from: Upstream, c: ClassifiedError): boolean {
    const { upstreams, metrics } = this.#deps
    const tried = this.#tried ??= new Set()
    tried.add(from)
    const next = this.#stream === undefined ? upstreams.pick(tried) : undefined
    if (next === undefined) return false
    metrics.upstreamFailovers.inc({ upstream: from.name, reason: c.reason })
    this.#releaseUpstream()
    this.#upstream = undefined
    this.#forward(next)
    return true
  }

  /** The device's response closed (the connection went, or the answer was sent). */
  static deviceClosed (pr: ProxyRequest): void { pr.#onDeviceClose() }

  /** The device took what was written: the upstream answer, paused on a full buffer, reads on. */
  static deviceDrained (pr: ProxyRequest): void { pr.#controller?.resume() }

  #onDeviceClose (): void {
    if (this.done || this.#res.writableFinished) return
    if (this.#pause !== undefined) { this.#finish(this.#pause.outcome); return }
    this.#abortUpstream('device_abort')
    this.#finish('device_abort')
  }

  #onExecutionTimeout (): void {
    if (this.done) return
    this.#abortUpstream('execution_timeout')
    if (!this.#res.headersSent && this.state.ping !== undefined) {
      const v = pingStatus1('execution_timeout')
      this.#send(v.status, { ...v.headers }, v.body)
    } else if (!this.#res.headersSent) this.#send(504, { connection: 'close' })
    else this.#res.destroy()
    this.#finish('execution_timeout')
  }

  /** Cancels the upstream request at once (its socket is closed, so the server sees it). */
  #abortUpstream (reason: EndReason): void {
    this.#endReason ??= reason
    if (this.#upstream === undefined || this.#released) return
    const err = new GatewayAbort(reason)
    if (this.#controller !== undefined) this.#controller.abort(err)
    else this.#pendingAbort = err
  }

  #releaseUpstream (): void {
    if (this.#upstream === undefined || this.#released) return
    this.#released = true
    this.#deps.upstreams.release(this.#upstream)
  }

  /** The request as it arrived (a held Ping: before it is held); starts keeping the answer. */
  #traceRequest (trace: TraceHub): void {
    this.#traceBody = []
    const c = this.ctx
    trace.emit('request', {
      reqId: c.reqId,
      user: c.user,
      deviceId: c.deviceId,
      headers: this.#req.headers,
      contentType: headerValue(this.#req.headers['content-type']),
      fields: { method: c.method, command: c.command, query: c.search, ...(this.#stream !== undefined ? { bodyStreamed: true } : {}) },
      body: this.state.body !== undefined ? [this.state.body] : undefined
    })
  }

  /** Keeps a reference to a chunk already handed on (never a copy), up to the trace's cap. */
  #traceKeep (chunk: Buffer): void {
    if (this.#traceBody === undefined || this.#traceBytes >= TRACE_BODY_CAP) return
    this.#traceBody.push(chunk)
    this.#traceBytes += chunk.length
  }

  /** The answer as it was sent: status, outcome, duration, headers, body (up to the cap). */
  #traceResponse (outcome: Outcome): void {
    const trace = this.#deps.trace
    if (trace === undefined || this.#traceBody === undefined) return
    const c = this.ctx
    const res = this.#res
    trace.emit('response', {
      reqId: c.reqId,
      user: c.user,
      deviceId: c.deviceId,
      headers: res.getHeaders() as Record<string, string | string[] | number | undefined>,
      contentType: headerValue(res.getHeader('content-type') as string | undefined),
      fields: { method: c.method, command: c.command, status: res.headersSent ? res.statusCode : 0, outcome, durationMs: Math.round(this.#deps.clock.now() - this.#started), ...(this.#upstream !== undefined ? { upstream: this.#upstream.name } : {}) },
      body: this.#traceBody
    })
    this.#traceBody = undefined
  }

  #send (status: number, headers: OutgoingHttpHeaders, body?: Uint8Array, end = true): void {
    const res = this.#res
    if (res.headersSent || res.destroyed) return
    if (this.#deps.state.draining) headers.connection = 'close'
    if (end) headers['content-length'] = String(body?.length ?? 0)
    res.writeHead(status, headers)
    this.#deps.children.responses(this.ctx.commandLabel, status).inc()
    if (this.#traceBody !== undefined && body !== undefined) this.#traceKeep(Buffer.from(body.buffer, body.byteOffset, body.byteLength))
    if (!end) return
    // The gateway's own answer to a Ping (Status 1, 4, 5, 129, …) is counted like the server's.
    if (status === 200 && this.ctx.command === 'Ping' && body !== undefined) this.#countPingAnswer(parsePingResponse(body)?.status)
    this.#bytesOut += body?.length ?? 0
    res.end(body)
  }

  #finish (outcome: Outcome): void {
    if (this.#outcome !== undefined) return
    this.#outcome = outcome
    const { active, clock } = this.#deps
    if (this.#pause !== undefined) clock.clearTimeout(this.#pause.timer)
    this.#intake?.stop()
    active.delete(this)
    this.#deps.awaitingHeaders.delete(this)
    const done = this.#onDone
    if (Array.isArray(done)) for (const l of done) l.requestDone()
    else done?.requestDone()
    this.#releaseUpstream()
    if (this.#traceBody !== undefined) this.#traceResponse(outcome)
    const device = this.state.device
    if (device !== undefined) {
      device.address = this.ctx.clientAddress ?? device.address
      device.lastOutcome = outcome
      device.lastStatus = this.#res.headersSent ? this.#res.statusCode : 0
    }
    const f = this.#failure
    this.#deps.record({
      ctx: this.ctx,
      outcome,
      status: this.#res.headersSent ? this.#res.statusCode : 0,
      durationMs: clock.now() - this.#started,
      upstreamMs: this.#upstreamMs,
      upstream: this.#upstream?.name,
      reason: f?.reason ?? this.#localReason,
      code: this.#code ?? (f !== undefined ? FAILURE_CODES[f.reason] : undefined),
      errCode: f?.code,
      heartbeat: this.state.ping?.heartbeat,
      pingStatus: this.#pingStatus,
      bytesIn: this.#intake?.bytes ?? this.#bufferedBytes,
      bytesOut: this.#bytesOut,
      connectFailures: this.#tried?.size,
      access: this.state.access
    })
  }
}

const REQUEST = Symbol('eas-gateway request')
type Answered = ServerResponse & { [REQUEST]?: ProxyRequest }

function onResponseClose (this: ServerResponse): void {
  const pr = (this as Answered)[REQUEST]
  if (pr !== undefined) ProxyRequest.deviceClosed(pr)
}

/** The one drain listener of every response (a closure per request was ~0.3 µs: issue #14). */
function onResponseDrain (this: ServerResponse): void {
  const pr = (this as Answered)[REQUEST]
  if (pr !== undefined) ProxyRequest.deviceDrained(pr)
}

/** The pool's name for a failure (its health vocabulary has no bad_response or fd_exhausted). */
function asProbeFailure (r: UpstreamFailure): ProbeFailure {
  return r === 'bad_response' || r === 'fd_exhausted' ? 'other' : r
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
