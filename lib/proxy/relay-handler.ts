import type { IncomingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'
import { GatewayError } from '../errors.js'

/** What the relay hands its request, in undici's order. */
export interface RelayTarget {
  /** undici is about to write the request: from here on bytes may reach the upstream. */
  onUpstreamStart (controller: Dispatcher.DispatchController): void
  /** Final (non-1xx) response status and headers. */
  onUpstreamHeaders (controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void
  onUpstreamData (controller: Dispatcher.DispatchController, chunk: Buffer): void
  onUpstreamEnd (): void
  /** The dispatch failed; `started` tells whether undici had begun writing the request. */
  onUpstreamError (err: Error, started: boolean): void
}

const NEW = 0
const STARTED = 1
const RESPONDING = 2
const ENDED = 3
const PHASES = ['new', 'started', 'responding', 'ended']

/**
 * The undici dispatch handler of one forwarding attempt (a failover gets a new one, so a late
 * callback of an abandoned attempt can never touch the request). It asserts undici's callback
 * order, start, response start, data*, end | error, as undici's own decorator-handler.js does:
 * a callback out of order is not silently dropped but ends the attempt as an error with the
 * code GW_ERR_PROXY_RELAY_ORDER (logged), and later callbacks are ignored.
 */
export class RelayHandler implements Dispatcher.DispatchHandler {
  readonly #target: RelayTarget
  #phase = NEW
  #controller: Dispatcher.DispatchController | undefined

  constructor (target: RelayTarget) { this.#target = target }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    if (this.#phase !== NEW) { this.#violation('onRequestStart', controller); return }
    this.#phase = STARTED
    this.#controller = controller
    this.#target.onUpstreamStart(controller)
  }

  onRequestUpgrade (controller: Dispatcher.DispatchController): void {
    // The gateway never asks for an upgrade: an upstream that answers 101 breaks the exchange.
    this.#violation('onRequestUpgrade', controller)
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.#phase !== STARTED) { this.#violation('onResponseStart', controller); return }
    if (statusCode < 200) return // 1xx: informational, the final response follows
    this.#phase = RESPONDING
    this.#target.onUpstreamHeaders(controller, statusCode, headers)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#phase !== RESPONDING) { this.#violation('onResponseData', controller); return }
    this.#target.onUpstreamData(controller, chunk)
  }

  onResponseEnd (controller: Dispatcher.DispatchController): void {
    if (this.#phase !== RESPONDING) { this.#violation('onResponseEnd', controller); return }
    this.#phase = ENDED
    this.#target.onUpstreamEnd()
  }

  onResponseError (_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.#phase === ENDED) return // an error after the end (a late socket close) changes nothing
    const started = this.#phase !== NEW
    this.#phase = ENDED
    this.#target.onUpstreamError(err, started)
  }

  #violation (callback: string, controller: Dispatcher.DispatchController | undefined): void {
    if (this.#phase === ENDED) return
    const started = this.#phase !== NEW
    const err = new GatewayError('GW_ERR_PROXY_RELAY_ORDER', `${callback} in phase ${PHASES[this.#phase] ?? '?'}`)
    this.#phase = ENDED
    ;(controller ?? this.#controller)?.abort(err)
    this.#target.onUpstreamError(err, started)
  }
}
