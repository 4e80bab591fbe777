import { createHash } from 'node:crypto'
import type { RedisConnection } from './redis-connection.js'

/** A Ping another gateway of the fleet has just started holding. */
export interface FleetPing {
  /** The gateway that holds the new Ping. */
  readonly gateway: string
  /** The device key (user + DeviceId, as lib/proxy/device-key.ts builds it). */
  readonly key: string
  /** {@link credentialTag} of the new Ping's credentials. */
  readonly tag: string
  /** Epoch ms at which the new Ping was held. */
  readonly at: number
}

/**
 * What the fleet learns of a request's credentials: a digest of the device key and the credential
 * digest, never the Authorization header. Two Pings with the same tag carry the same credentials.
 */
export function credentialTag (key: string, credential: string): string {
  return createHash('sha256').update('supersede\u0000').update(key).update('\u0000').update(credential).digest('base64').slice(0, 22)
}

/** Supersede across gateways: announce held Pings, hear the other gateways'. */
export interface FleetPings {
  /** Publishes that this gateway holds a new Ping (fire and forget: never awaited by a request). */
  announce (key: string, credential: string, at: number): void
  /** Calls `fn` for every Ping another gateway announces (this gateway's own are left out). */
  onPing (fn: (ping: FleetPing) => void): void
}

/** One channel per fleet (`<keyPrefix>pings`): one PUBLISH per held Ping, nothing while it is held. */
export function createFleetPings (conn: RedisConnection, channel: string, gateway: string): FleetPings {
  return {
    announce (key, credential, at) {
      const message = JSON.stringify({ g: gateway, k: key, c: credentialTag(key, credential), t: at })
      void conn.run('supersede', async (r) => await r.publish(channel, message))
    },
    onPing (fn) {
      conn.subscribe(channel, (message) => {
        const ping = parseFleetPing(message)
        if (ping !== undefined && ping.gateway !== gateway) fn(ping)
      })
    }
  }
}

function parseFleetPing (message: string): FleetPing | undefined {
  try {
    const m = JSON.parse(message) as { g?: unknown, k?: unknown, c?: unknown, t?: unknown }
    if (typeof m.g !== 'string' || typeof m.k !== 'string' || typeof m.c !== 'string' || typeof m.t !== 'number') return undefined
    return { gateway: m.g, key: m.k, tag: m.c, at: m.t }
  } catch {
    return undefined
  }
}
