import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2'
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import { errors, type Dispatcher } from 'undici'
import { GatewayError } from '../errors.js'
import { responseFields } from './h2-request-headers.js'

/** HTTP/2 error codes (RFC 9113 §7), as literals: node:http2 is loaded only when used (load-http2.ts). */
const NGHTTP2_NO_ERROR = 0
const NGHTTP2_CANCEL = 8

/**
 * One request carried on one HTTP/2 stream, driving an undici dispatch handler in undici's order
 * (onRequestStart, onResponseStart, onResponseData*, onResponseEnd | onResponseError) and acting
 * as its controller: `abort` cancels the stream (RST_STREAM CANCEL, the session stays up for the
 * other streams), `pause`/`resume` stop and restart reading, so HTTP/2 flow control holds the
 * server back while the device is slow. Nothing here ever re-sends a request.
 */
export class H2StreamRequest implements Dispatcher.DispatchController {
  readonly #handler: Dispatcher.DispatchHandler
  readonly #headersTimeout: number
  #stream: ClientHttp2Stream | undefined
  #onClose: (() => void) | undefined
  /** The stream's error, reported with its close. */
  #error: Error | undefined
  #timer: NodeJS.Timeout | undefined
  #reason: Error | null = null
  #paused = false
  #done = false
  #responded = false

  constructor (handler: Dispatcher.DispatchHandler, headersTimeout: number) {
    this.#handler = handler
    this.#headersTimeout = headersTimeout
  }

  get aborted (): boolean { return this.#reason !== null }
  get paused (): boolean { return this.#paused }
  get reason (): Error | null { return this.#reason }

  /** The request failed before it had a stream (connect failure, closed dispatcher): nothing was sent. */
  fail (err: Error): void {
    if (this.#done) return
    this.#done = true
    this.#handler.onResponseError?.(this, err)
  }

  /**
   * Opens the stream on `session` and writes the request. Returns false when the handler aborted
   * it in onRequestStart (no stream was opened). `onClose` runs once the stream is gone (one
   * function per session, not a closure per stream: a held Ping keeps it for an hour).
   */
  start (session: ClientHttp2Session, headers: OutgoingHttpHeaders, body: Dispatcher.DispatchOptions['body'], onClose: () => void): boolean {
    this.#handler.onRequestStart?.(this, {})
    if (this.#reason !== null) { this.fail(this.#reason); return false }
    let stream: ClientHttp2Stream
    try {
      stream = session.request(headers, { endStream: body === null || body === undefined })
    } catch (err) {
      // The session went away between the pick and the request (GOAWAY, destroyed).
      this.fail(reset('request refused by the session', err))
      return false
    }
    forgetSentHeaders(stream)
    this.#stream = stream
    this.#onClose = onClose
    // Shared listeners that find this request through the stream: five closures and their
    // context were ~400 bytes of every held Ping (issue #14, bench/held-heap.mjs).
    ;(stream as Carried)[REQUEST] = this
    stream.on('error', H2StreamRequest.#onStreamError)
    stream.on('response', H2StreamRequest.#onStreamResponse)
    stream.on('data', H2StreamRequest.#onStreamData)
    stream.on('end', H2StreamRequest.#onStreamEnd)
    stream.on('close', H2StreamRequest.#onStreamClose)
    if (this.#headersTimeout > 0) {
      this.#timer = setTimeout(() => { this.abort(new errors.HeadersTimeoutError()) }, this.#headersTimeout)
    }
    writeBody(stream, body)
    return true
  }

  static readonly #onStreamError = function (this: Carried, err: Error): void {
    const r = this[REQUEST]
    if (r !== undefined) r.#error = err
  }

  static readonly #onStreamResponse = function (this: Carried, headers: IncomingHttpHeaders): void {
    const r = this[REQUEST]
    if (r !== undefined) r.#onResponse(headers)
  }

  static readonly #onStreamData = function (this: Carried, chunk: Buffer): void {
    const r = this[REQUEST]
    if (r !== undefined && !r.#done) r.#handler.onResponseData?.(r, chunk)
  }

  static readonly #onStreamEnd = function (this: Carried): void {
    const r = this[REQUEST]
    if (r === undefined || r.#done || !r.#responded) return
    r.#done = true
    r.#handler.onResponseEnd?.(r, {})
  }

  static readonly #onStreamClose = function (this: Carried): void {
    const r = this[REQUEST]
    if (r === undefined) return
    clearTimeout(r.#timer)
    r.#onClose?.()
    if (r.#done) return
    const code = this.rstCode ?? NGHTTP2_NO_ERROR
    const error = r.#error
    r.fail(r.#reason ?? reset(error !== undefined ? error.message : `stream closed, code ${code}`, error))
  }

  #onResponse (headers: IncomingHttpHeaders): void {
    if (this.#done) return
    clearTimeout(this.#timer)
    this.#responded = true
    this.#handler.onResponseStart?.(this, Number(headers[':status']), responseFields(headers), '')
  }

  abort (reason: Error): void {
    if (this.#done || this.#reason !== null) return
    this.#reason = reason
    clearTimeout(this.#timer)
    if (this.#stream === undefined) return // before the stream: start() reports it
    // RST_STREAM CANCEL ends this stream only; the session carries on with the others.
    if (!this.#stream.closed) this.#stream.close(NGHTTP2_CANCEL)
    this.fail(reason)
  }

  pause (): void {
    this.#paused = true
    this.#stream?.pause()
  }

  resume (): void {
    this.#paused = false
    this.#stream?.resume()
  }
}

const REQUEST = Symbol('eas-gateway h2 request')
type Carried = ClientHttp2Stream & { [REQUEST]?: H2StreamRequest }

/** Node's key of `stream.sentHeaders`, found on the first stream (null: this Node has none). */
let sentHeadersKey: symbol | null | undefined

/**
 * Drops node:http2's copy of the request headers from the stream (`stream.sentHeaders`, a
 * dictionary-mode object with every header string, ~1 KiB a held Ping): the headers are encoded
 * and sent by now, nothing in the gateway reads them back, and Node only keeps them for that
 * getter. A Node without the key (raw headers) keeps nothing to drop.
 */
function forgetSentHeaders (stream: ClientHttp2Stream): void {
  sentHeadersKey ??= Object.getOwnPropertySymbols(stream).find((k) => k.description === 'sent-headers') ?? null
  if (sentHeadersKey !== null) (stream as unknown as Record<symbol, unknown>)[sentHeadersKey] = undefined
}

/** A stream reset, or its session gone, while the request was under way: the upstream's doing. */
export function reset (detail: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_UPSTREAM_STREAM_RESET', detail, { cause })
}

function writeBody (stream: ClientHttp2Stream, body: Dispatcher.DispatchOptions['body']): void {
  if (body === null || body === undefined) return
  if (typeof body === 'string' || body instanceof Uint8Array) { stream.end(body); return }
  if (body instanceof Readable) {
    body.on('error', (err) => { stream.destroy(err) })
    body.pipe(stream)
    return
  }
  stream.destroy(new TypeError('unsupported request body for HTTP/2'))
}
