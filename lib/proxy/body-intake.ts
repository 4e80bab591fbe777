import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import type { PoolClock } from '../upstream/index.js'
import { DeadlineQueue, type DeadlineRule } from './deadline-queue.js'

/** Bodies up to this size are buffered (Sync, FolderSync); larger ones stream (notes/engine.md §4). */
export const BUFFER_LIMIT = 64 * 1024

/** The byte caps and the idle bound of body intake (from `proxy.*` and `timeouts.deviceBodyIdle`). */
export interface IntakeLimits {
  /** Any body. */
  readonly maxBodyBytes: number
  /** A Ping body, which is always buffered and parsed. */
  readonly maxPingBodyBytes: number
  /** Longest silence between two reads of the body (ms). */
  readonly idleTimeout: number
}

/** Why intake refused a body: over its cap (413), or the device went quiet mid-body (408). */
export type IntakeRefusal =
  | { readonly status: 413, readonly reason: 'body_too_large', readonly code: 'GW_ERR_PROXY_BODY_TOO_LARGE' }
  | { readonly status: 408, readonly reason: 'body_idle_timeout', readonly code: 'GW_ERR_PROXY_BODY_TIMEOUT' }

/** What intake tells its request. Exactly one of buffered/stream, then at most one refusal. */
export interface IntakeEvents {
  /** The whole body arrived (Pings, small bodies, requests without a body). */
  onBuffered (body: Buffer): void
  /** The body streams: forward `body` now; it is capped and idle-timed as it is read. */
  onStream (body: Readable): void
  /** The cap or the idle bound was hit, before or after forwarding began. */
  onRefused (r: IntakeRefusal): void
}

/** The error listener left on a request once its body is buffered (the response's close records the rest). */
function ignore (): void {}

const TOO_LARGE: IntakeRefusal = { status: 413, reason: 'body_too_large', code: 'GW_ERR_PROXY_BODY_TOO_LARGE' }
const IDLE: IntakeRefusal = { status: 408, reason: 'body_idle_timeout', code: 'GW_ERR_PROXY_BODY_TIMEOUT' }

/**
 * The idle bound of every body being read, on one timer: the intakes in the order of their last
 * read (a read moves an intake to the end), so the first is the next to fall due. A Timeout per
 * request (set, unref'd, cleared at the body's end) cost ~0.5 µs per request (issue #14).
 */
export class IntakeWatch {
  readonly clock: PoolClock
  /** Intakes reading a body, oldest last read first. */
  readonly reading = new Set<BodyIntake>()
  readonly queue: DeadlineQueue<BodyIntake>

  constructor (clock: PoolClock) {
    this.clock = clock
    this.queue = new DeadlineQueue(clock, this.reading, BodyIntake.idleRule)
  }
}

/**
 * The one owner of a request body. Bytes are counted as they arrive, whatever the framing
 * (Content-Length or chunked), so no body gets past its cap; a Ping is always buffered (chunked
 * included) so that it is always parsed; a device that stops sending mid-body is cut after
 * `idleTimeout`, as nginx's client_body_timeout does.
 */
export class BodyIntake {
  readonly #req: IncomingMessage
  readonly #limits: IntakeLimits
  readonly #watch: IntakeWatch
  readonly #events: IntakeEvents
  readonly #ping: boolean
  #bytes = 0
  #lastRead = 0
  #finished = false

  constructor (req: IncomingMessage, opts: { ping: boolean, limits: IntakeLimits, watch: IntakeWatch }, events: IntakeEvents) {
    this.#req = req
    this.#limits = opts.limits
    this.#watch = opts.watch
    this.#events = events
    this.#ping = opts.ping
  }

  /** `timeouts.deviceBodyIdle` after the last read (the same length for every intake of a watch). */
  static readonly idleRule: DeadlineRule<BodyIntake> = {
    dueAt: (i) => i.#lastRead + i.#limits.idleTimeout,
    expire: (i) => { i.#refuse(IDLE) }
  }

  /** Starts reading; the events may fire synchronously (a request without a body). */
  start (): void {
    const h = this.#req.headers
    const length = h['content-length'] === undefined ? NaN : Number(h['content-length'])
    const chunked = h['transfer-encoding'] !== undefined
    if (length > this.#cap) { this.#refuse(TOO_LARGE); return }
    // HTTP/1.1: no Content-Length and no Transfer-Encoding means no body (RFC 9112 §6.3).
    if (!chunked && Number.isNaN(length)) { this.#finish(); this.#events.onBuffered(Buffer.alloc(0)); return }
    this.#armIdle()
    if (this.#ping || (!chunked && length <= BUFFER_LIMIT)) this.#buffer()
    else this.#stream()
  }

  /** Body bytes read from the device so far (the access line's `http.request.body.bytes`). */
  get bytes (): number { return this.#bytes }

  /** Stops timers and listeners (the request has its outcome). */
  stop (): void { this.#finish() }

  get #cap (): number { return this.#ping ? this.#limits.maxPingBodyBytes : this.#limits.maxBodyBytes }

  #buffer (): void {
    const req = this.#req
    let chunks: Buffer[] = []
    const onData = (c: Buffer): void => {
      if (this.#finished || !this.#count(c)) return
      chunks.push(c)
    }
    const onError = (): void => { this.#finish() /* the device went away: the response's close records it */ }
    const onEnd = (): void => {
      if (this.#finished) return
      this.#finish()
      const body = chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, this.#bytes)
      chunks = []
      // A held Ping's request object lives as long as the Ping (up to an hour): its listeners,
      // and through them this intake, go now (issue #14: per-held-Ping memory). An error after
      // the end (the device going away) still has a listener.
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.on('error', ignore)
      this.#events.onBuffered(body)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  }

  #stream (): void {
    const req = this.#req
    const body = new Readable({ read () { req.resume() } })
    req.on('data', (c: Buffer) => {
      if (this.#finished) return
      if (!this.#count(c)) { body.destroy(); return }
      if (!body.push(c)) req.pause()
    })
    req.on('end', () => { if (!this.#finished) { this.#finish(); body.push(null) } })
    req.on('error', (err) => { this.#finish(); body.destroy(err) })
    this.#events.onStream(body)
  }

  /** Counts a chunk; false (and the refusal sent) once the body is over its cap. */
  #count (c: Buffer): boolean {
    this.#bytes += c.length
    this.#lastRead = this.#watch.clock.now()
    // To the end of the watch's order: its deadline is now the latest.
    const reading = this.#watch.reading
    reading.delete(this)
    reading.add(this)
    if (this.#bytes <= this.#cap) return true
    this.#refuse(TOO_LARGE)
    return false
  }

  /** Watched from now until the body ends: the watch's timer finds an intake silent for idleTimeout. */
  #armIdle (): void {
    this.#lastRead = this.#watch.clock.now()
    this.#watch.reading.add(this)
    this.#watch.queue.arm(this)
  }

  #refuse (r: IntakeRefusal): void {
    if (this.#finished) return
    this.#finish()
    this.#events.onRefused(r)
  }

  #finish (): void {
    if (this.#finished) return
    this.#finished = true
    this.#watch.reading.delete(this)
  }
}
