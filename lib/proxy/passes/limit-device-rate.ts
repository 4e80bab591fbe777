import type { Pass } from './index.js'
import { limitVerdict } from './limit-verdict.js'

/**
 * One device (user + DeviceId, else the user alone) over `limits.perDevice` is answered 503 with
 * Retry-After: a device stuck in a loop cannot take the server's capacity from the others.
 * Requests with neither are left to the global limit (an IP is no key: carrier NAT shares it).
 */
export const limitDeviceRate: Pass = ({ pr, limits }) => {
  if (limits === undefined) return undefined
  const { user, deviceId } = pr.ctx
  if ((deviceId ?? '') === '' && (user ?? '') === '') return undefined
  return limitVerdict(limits, limits.limiter.admitDevice(`${(user ?? '').toLowerCase()}\u0000${deviceId ?? ''}`))
}
