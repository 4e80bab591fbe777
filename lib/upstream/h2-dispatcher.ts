import type { ClientHttp2Session } from 'node:http2'
import { errors, type Dispatcher } from 'undici'
import { buildH2RequestHeaders } from './h2-request-headers.js'
import { H2StreamRequest, reset } from './h2-stream-request.js'
import { loadHttp2 } from './load-http2.js'

/** What the upstream set needs of a dispatcher: undici's `dispatch` contract, and a way to close. */
export interface RequestDispatcher {
  dispatch (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean
  destroy (): Promise<void>
}

/** Options of {@link H2Dispatcher}. */
export interface H2DispatcherOptions {
  /** A session that has not received the server's SETTINGS within this (ms) fails its requests. */
  readonly connectTimeout: number
  readonly caPem?: string
  readonly servername?: string
  /** Default: true */
  readonly verifyCertificate?: boolean
  /** A PING goes out on each session this often (ms); 0: never. Default: 30000 */
  readonly pingInterval?: number
  /** A session whose PING is not acknowledged within this (ms) is dead. Default: 10000 */
  readonly pingTimeout?: number
  /** A session without streams is closed after this (ms), as undici's keep-alive. Default: 4000 */
  readonly idleTimeout?: number
  /** At most this many streams per session, below the server's own limit. Default: the server's */
  readonly maxStreams?: number
  /** Told the number of open sessions whenever it changes (a gauge). */
  readonly onSessions?: (open: number) => void
}

interface Session {
  readonly session: ClientHttp2Session
  /** Streams open or being opened on it. */
  streams: number
  /** SETTINGS received: it takes streams. */
  ready: boolean
  /** GOAWAY received, closing or closed: it never takes a new stream. */
  closing: boolean
  idle?: NodeJS.Timeout
  ping?: NodeJS.Timeout
  /** Told when one of its streams is gone (one function per session, shared by its streams). */
  readonly streamClosed: () => void
}

interface Pending {
  readonly request: H2StreamRequest
  readonly opts: Dispatcher.DispatchOptions
}

/** The stream limit assumed of a session still connecting, to decide how many to open at once. */
const ASSUMED_STREAMS = 100

/**
 * HTTP/2 to one upstream origin on Node's own `node:http2` client (issue #14), behind undici's
 * `dispatch(opts, handler)` contract so the proxy keeps one relay path. Requests travel as
 * streams on a small set of shared sessions: a new stream goes to a session with a free slot
 * under the server's announced SETTINGS_MAX_CONCURRENT_STREAMS, and a new session is opened only
 * when every one is full. h2 over TLS (ALPN) for `https://`, h2c with prior knowledge for
 * `http://`. Faults stay as small as they can: a stream reset fails its request only; a session
 * that dies (socket closed, GOAWAY with an error, unanswered PING) fails the streams it carried,
 * each as `GW_ERR_UPSTREAM_STREAM_RESET`; after a GOAWAY the session takes no new stream. No
 * request is ever re-sent, not even one the server refused: its bytes may have reached it.
 */
export class H2Dispatcher implements RequestDispatcher {
  readonly #origin: URL
  readonly #opts: H2DispatcherOptions
  readonly #sessions = new Set<Session>()
  readonly #pending: Pending[] = []
  #connecting = 0
  #destroyed = false

  constructor (origin: string, opts: H2DispatcherOptions) {
    this.#origin = new URL(origin)
    this.#opts = opts
  }

  /** Open sessions (connecting ones included). */
  get sessions (): number { return this.#sessions.size }

  /** Sessions that take no new stream (GOAWAY received, or closing). */
  get closingSessions (): number { let n = 0; for (const s of this.#sessions) if (s.closing) n++; return n }

  dispatch (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const request = new H2StreamRequest(handler, opts.headersTimeout ?? 300_000)
    if (this.#destroyed) { request.fail(new errors.ClientDestroyedError()); return false }
    this.#pending.push({ request, opts })
    this.#pump()
    return true
  }

  /** Places waiting requests on sessions with a free slot, and opens sessions for the rest. */
  #pump (): void {
    while (this.#pending.length > 0) {
      const s = this.#free()
      if (s === undefined) break
      const p = this.#pending.shift() as Pending
      if (p.request.aborted) { p.request.fail(p.request.reason as Error); continue }
      this.#place(s, p)
    }
    const wanted = Math.ceil(this.#pending.length / ASSUMED_STREAMS)
    while (this.#connecting < wanted) this.#open()
  }

  #free (): Session | undefined {
    for (const s of this.#sessions) {
      const limit = Math.min(s.session.remoteSettings.maxConcurrentStreams ?? ASSUMED_STREAMS, this.#opts.maxStreams ?? Infinity)
      if (s.ready && !s.closing && s.streams < limit) return s
    }
    return undefined
  }

  #place (s: Session, p: Pending): void {
    s.streams++
    clearTimeout(s.idle)
    const headers = buildH2RequestHeaders({ method: p.opts.method, path: p.opts.path, headers: p.opts.headers }, this.#origin)
    p.request.start(s.session, headers, p.opts.body, s.streamClosed)
  }

  #streamClosed (s: Session): void {
    s.streams--
    if (s.streams === 0 && !s.closing) {
      s.idle = setTimeout(() => { this.#retire(s) }, this.#opts.idleTimeout ?? 4000)
      s.idle.unref()
    }
    this.#pump()
  }

  #open (): void {
    const o = this.#opts
    const tls = this.#origin.protocol === 'https:'
    const session = loadHttp2().connect(this.#origin, {
      settings: { enablePush: false },
      ...(tls
        ? { ...(o.caPem !== undefined ? { ca: o.caPem } : {}), ...(o.servername !== undefined ? { servername: o.servername } : {}), rejectUnauthorized: o.verifyCertificate ?? true }
        : {})
    })
    const s: Session = { session, streams: 0, ready: false, closing: false, streamClosed: () => { this.#streamClosed(s) } }
    this.#sessions.add(s)
    this.#connecting++
    this.#opts.onSessions?.(this.#sessions.size)
    const timer = setTimeout(() => { session.destroy(new errors.ConnectTimeoutError()) }, o.connectTimeout)
    let failure: Error | undefined
    session.once('remoteSettings', () => {
      clearTimeout(timer)
      this.#connecting--
      s.ready = true
      this.#keepAlive(s)
      this.#pump()
    })
    session.on('error', (err) => { failure = err })
    session.on('goaway', () => { this.#retire(s) })
    session.on('close', () => {
      clearTimeout(timer)
      clearTimeout(s.idle)
      clearTimeout(s.ping)
      this.#sessions.delete(s)
      this.#opts.onSessions?.(this.#sessions.size)
      if (s.ready) { this.#pump(); return }
      // It never became usable: nothing was sent on it, so the waiting requests fail as a connect
      // failure would (the proxy may then fail them over to another upstream).
      this.#connecting--
      const err = failure ?? new errors.SocketError('HTTP/2 session closed before its SETTINGS')
      for (const p of this.#pending.splice(0)) p.request.fail(err)
    })
  }

  /** No new stream on `s` again; it closes once its streams are done (GOAWAY or idle). */
  #retire (s: Session): void {
    if (s.closing) return
    s.closing = true
    clearTimeout(s.idle)
    if (!s.session.closed && !s.session.destroyed) s.session.close()
    this.#pump()
  }

  /** PINGs a session now and then: one that goes unanswered is dead, and fails its streams. */
  #keepAlive (s: Session): void {
    const every = this.#opts.pingInterval ?? 30_000
    if (every <= 0) return
    s.ping = setTimeout(() => {
      const deadline = setTimeout(() => { s.session.destroy(reset('the session did not answer a PING')) }, this.#opts.pingTimeout ?? 10_000)
      const sent = s.session.ping((err) => {
        clearTimeout(deadline)
        if (err === null) this.#keepAlive(s)
      })
      if (!sent) clearTimeout(deadline)
    }, every)
    s.ping.unref()
  }

  async close (): Promise<void> { await this.destroy() }

  /** Fails what is still waiting and closes every session at once. Idempotent. */
  async destroy (): Promise<void> {
    this.#destroyed = true
    for (const p of this.#pending.splice(0)) p.request.fail(new errors.ClientDestroyedError())
    await Promise.all([...this.#sessions].map(async (s) => {
      if (s.session.destroyed) return
      await new Promise<void>((resolve) => { s.session.once('close', resolve); s.session.destroy() })
    }))
  }
}
