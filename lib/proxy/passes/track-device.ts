import type { Pass } from './index.js'

/** Records the device in the bounded per-device table (for `/devices`, heartbeat reuse, supersede). */
export const trackDevice: Pass = ({ pr, devices }) => {
  const c = pr.ctx
  if (c.deviceId === undefined || c.deviceId === '') return undefined
  pr.device = devices.touch({
    user: c.user, deviceId: c.deviceId, deviceType: c.deviceType, userAgent: c.userAgent,
    protocolVersion: c.protocolVersion, command: c.command === '' ? c.method : c.command
  })
  return undefined
}
