import { pingStatus1 } from '../ping-answers.js'
import type { Pass } from './index.js'

/**
 * Registers the Ping as the device's held one. A Ping still held for the same user and DeviceId
 * (and the same credentials) is superseded: answered HTTP 200 Status 1 and its upstream request cancelled (PROTOCOL.md §2.8).
 * That is the live signature of a hop that dropped the old connection silently, so it is counted,
 * and how long the old one was held is observed and logged.
 */
export const holdPing: Pass = ({ request, control, devices, metrics, logger }) => {
  const device = request.device
  if (request.ping === undefined || device === undefined) return undefined
  const since = Date.now()
  const held = {
    since,
    heartbeat: request.ping.heartbeat,
    auth: request.credential,
    supersede: () => { control.endByGateway(pingStatus1('superseded')) }
  }
  const old = devices.hold(device, held)
  if (old === false) return undefined
  control.onDone(() => { devices.release(device, held) })
  if (old !== undefined) {
    const heldSeconds = (since - old.since) / 1000
    metrics.pingSuperseded.inc()
    metrics.pingSupersededAfter.observe(heldSeconds)
    logger.info({ reqId: request.ctx.reqId, deviceId: device.deviceId, user: device.user, heldSeconds: Math.round(heldSeconds), heartbeat: old.heartbeat }, 'ping superseded')
  }
  return undefined
}
