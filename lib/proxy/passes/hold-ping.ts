import { accessAnswer } from '../../policy/index.js'
import { pingStatus1 } from '../ping-answers.js'
import { accessVerdict } from './control-access.js'
import type { Pass } from './index.js'

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
  const since = Date.now()
  const held = {
    since,
    heartbeat: request.ping.heartbeat,
    auth: request.identity,
    supersede: () => { control.endByGateway(pingStatus1('superseded')) },
    // After a policy reload (or a list change): a device the new policy refuses is answered at
    // once, e.g. HTTP 200 Ping Status 129, instead of waiting out its heartbeat.
    recheck: () => {
      const controller = access?.controller
      const a = request.admission
      if (controller === undefined || a?.kind !== 'forward') return
      const d = controller.check(a.request)
      const answer = accessAnswer(d, a.request)
      if (answer !== undefined) {
        device.access = { decision: d.decision, rule: d.rule }
        control.endByGateway(accessVerdict(d, answer))
      }
    }
  }
  const old = devices.hold(device, held)
  control.onDone(() => { devices.release(device, held) })
  if (old !== undefined) {
    const heldSeconds = (since - old.since) / 1000
    metrics.pingSuperseded.inc()
    metrics.pingSupersededAfter.observe(heldSeconds)
    logger.info({ reqId: request.ctx.reqId, deviceId: device.deviceId, user: device.user, heldSeconds: Math.round(heldSeconds), heartbeat: old.heartbeat }, 'ping superseded')
  }
  return undefined
}
