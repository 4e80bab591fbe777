import { accessAnswer } from '../../policy/index.js'
import type { DeviceEntry, DeviceRegistry, HeldPing } from '../device-registry.js'
import { pingStatus1 } from '../ping-answers.js'
import type { RequestState } from '../request-state.js'
import type { DoneListener, RequestControl } from '../verdict.js'
import { accessVerdict } from './control-access.js'
import type { Pass, PassContext } from './index.js'

/**
 * Registers the Ping as held for its device, whatever its credentials (every Ping is tracked and
 * counted). A Ping still held for the same user and DeviceId with the same credential identity
 * (the same Basic credentials, or the same verified Bearer subject across token rotation) is superseded: answered HTTP 200 Status 1 and its upstream request cancelled (PROTOCOL.md §2.8).
 * That is the live signature of a hop that dropped the old connection silently, so it is counted,
 * and how long the old one was held is observed and logged.
 */
export const holdPing: Pass = ({ request, control, devices, metrics, logger, access }) => {
  const device = request.device
  if (request.ping === undefined || device === undefined) return undefined
  const held = new RequestPing(request, device, control, devices, access)
  const old = devices.hold(device, held)
  control.onDone(held)
  if (old !== undefined) {
    const heldSeconds = (held.since - old.since) / 1000
    metrics.pingSuperseded.inc()
    metrics.pingSupersededAfter.observe(heldSeconds)
    logger.info({ reqId: request.ctx.reqId, deviceId: device.deviceId, user: device.user, heldSeconds: Math.round(heldSeconds), heartbeat: old.heartbeat }, 'ping superseded')
  }
  return undefined
}

/**
 * One held Ping in the device registry. A class, not an object of closures: it lives as long as
 * the Ping (up to an hour), and three closures with their context were about 250 bytes of every
 * held Ping (issue #14, bench/held-heap.mjs).
 */
class RequestPing implements HeldPing, DoneListener {
  readonly since = Date.now()
  readonly heartbeat: number | undefined
  readonly auth: string
  readonly #request: Readonly<RequestState>
  readonly #device: DeviceEntry
  readonly #control: RequestControl
  readonly #devices: DeviceRegistry
  readonly #access: PassContext['access']

  constructor (request: Readonly<RequestState>, device: DeviceEntry, control: RequestControl, devices: DeviceRegistry, access: PassContext['access']) {
    this.heartbeat = request.ping?.heartbeat
    this.auth = request.identity
    this.#request = request
    this.#device = device
    this.#control = control
    this.#devices = devices
    this.#access = access
  }

  supersede (): void { this.#control.endByGateway(pingStatus1('superseded')) }

  /**
   * After a policy reload (or a list change): a device the new policy refuses is answered at
   * once, e.g. HTTP 200 Ping Status 129, instead of waiting out its heartbeat.
   */
  recheck (): void {
    const controller = this.#access?.controller
    const a = this.#request.admission
    if (controller === undefined || a?.kind !== 'forward') return
    const d = controller.check(a.request)
    const answer = accessAnswer(d, a.request)
    if (answer !== undefined) {
      this.#device.access = { decision: d.decision, rule: d.rule }
      this.#control.endByGateway(accessVerdict(d, answer))
    }
  }

  /** The request ended: the Ping is no longer held. */
  requestDone (): void { this.#devices.release(this.#device, this) }
}
