import type { Logger } from '../log/index.js'
import type { Metrics } from '../metrics/index.js'
import { credentialTag, type FleetPings } from '../state/index.js'
import type { DeviceRegistry } from './device-registry.js'

/**
 * Supersede across gateways: a Ping held here is announced to the fleet, and a newer Ping of the
 * same device with the same credentials held by another gateway ends the one held here with
 * Status 1 (the same path as a local supersede). The gateway that ends a Ping counts it, so the
 * fleet counts each supersede once. "Newer" compares the two gateways' wall clocks (epoch ms):
 * NTP-synchronised hosts differ by milliseconds, far less than the seconds between two Pings.
 */
export function connectFleetSupersede (deps: { devices: DeviceRegistry, pings: FleetPings, metrics: Metrics, logger: Logger, now: () => number }): void {
  const { devices, metrics, logger } = deps
  deps.pings.onPing((ping) => {
    const ended = devices.supersedeRemote(ping.key, (auth) => credentialTag(ping.key, auth) === ping.tag, ping.at)
    if (ended === undefined) return
    const heldSeconds = (deps.now() - ended.ping.since) / 1000
    metrics.pingSuperseded.inc()
    metrics.pingSupersededAfter.observe(heldSeconds)
    logger.info({ deviceId: ended.entry.deviceId, user: ended.entry.user, heldSeconds: Math.round(heldSeconds), heartbeat: ended.ping.heartbeat, by: ping.gateway }, 'ping superseded')
  })
}
