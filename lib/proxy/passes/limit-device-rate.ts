import { deviceKey } from '../device-key.js'
import type { Pass } from './index.js'
import { limitVerdict } from './limit-verdict.js'

/**
 * One device over `limits.perDevice` is answered 503 with Retry-After: a device stuck in a loop
 * cannot take the server's capacity from the others. The bucket is the device's (user + DeviceId)
 * AND its credentials': someone sending a victim's User and DeviceId with a wrong password spends
 * a bucket of their own, never the victim's, so they cannot lock the real device out. Requests
 * with neither user nor DeviceId are left to the global limit (an IP is no key: carrier NAT).
 */
export const limitDeviceRate: Pass = ({ request, limits }) => {
  if (limits === undefined || limits.deviceRateOff === true) return undefined
  const { user, deviceId } = request.ctx
  if ((deviceId ?? '') === '' && (user ?? '') === '') return undefined
  return limitVerdict(limits, limits.limiter.admitDevice(`${deviceKey(user, deviceId)}\u0000${request.credential}`))
}
