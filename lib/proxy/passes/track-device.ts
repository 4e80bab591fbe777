import type { Pass } from './index.js'

/** Records the device in the bounded per-device table (for `/devices`, heartbeat reuse, supersede). */
export const trackDevice: Pass = ({ request, devices }) => {
  const c = request.ctx
  if (c.deviceId === undefined || c.deviceId === '') return undefined
  return {
    device: devices.touch({
      user: c.user,
      deviceId: c.deviceId,
      deviceType: c.deviceType,
      userAgent: c.userAgent,
      protocolVersion: c.protocolVersion,
      command: c.command === '' ? c.method : c.command
    })
  }
}
