import { encodePingResponse } from '../../eas/index.js'
import { WBXML_TYPE } from '../ping-answers.js'
import type { Pass } from './index.js'

/**
 * A heartbeat outside [min, max] is answered at once with Ping Status 5 and the allowed
 * HeartbeatInterval, exactly as Exchange does (MS-ASCMD §2.2.3.162.10, PROTOCOL.md §2.5), without
 * touching the upstream. The bounds are the server's, narrowed by the gateway's own `ping` limits.
 */
export const clampHeartbeat: Pass = ({ request, config, metrics }) => {
  const hb = request.ping?.heartbeat
  if (hb === undefined) return undefined
  metrics.pingHeartbeat.observe(hb)
  const min = Math.ceil(Math.max(config.server.minHeartbeat, config.ping.minHeartbeat ?? 0) / 1000)
  const max = Math.floor(Math.min(config.server.maxHeartbeat, config.ping.maxHeartbeat ?? Infinity) / 1000)
  if (hb >= min && hb <= max) return undefined
  const allowed = hb < min ? min : max
  metrics.pingClamped.inc({ bound: hb < min ? 'min' : 'max' })
  return {
    status: 200,
    reason: 'heartbeat_clamped',
    headers: { 'content-type': WBXML_TYPE },
    body: encodePingResponse({ status: 5, heartbeatInterval: allowed })
  }
}
