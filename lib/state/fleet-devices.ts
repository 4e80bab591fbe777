import type { RedisConnection } from './redis-connection.js'

/** One gateway's devices as the fleet sees them. */
export interface GatewayDevices {
  readonly gateway: string
  /** Epoch ms of the write. */
  readonly at: number
  readonly devices: readonly object[]
}

/** The fleet view behind `/devices`. */
export interface FleetDevices {
  /** Writes this gateway's devices (the newest `/devices` snapshot) now. */
  write (devices: readonly object[]): Promise<void>
  /** Every live gateway's last write; `undefined` when Redis did not answer in time. */
  read (): Promise<GatewayDevices[] | undefined>
  /** Removes this gateway's entry (on drain). */
  remove (): Promise<void>
}

/**
 * One Redis hash per fleet (`<keyPrefix>devices`), one field per gateway holding its snapshot as
 * JSON: the snapshot is already bounded (1000 devices), so the hash is bounded by the number of
 * gateways. The hash expires `ttl` after the last write of any gateway; a field older than `ttl`
 * (a gateway that died without draining) is ignored by readers and deleted by them.
 */
export function createFleetDevices (conn: RedisConnection, key: string, gateway: string, ttl: number, now: () => number): FleetDevices {
  return {
    async write (devices) {
      const value = JSON.stringify({ at: now(), devices })
      await conn.run('devices', async (r) => await r.multi().hset(key, gateway, value).pexpire(key, ttl).exec())
    },
    async read () {
      const all = await conn.run('devices', async (r) => await r.hgetall(key))
      if (all === undefined) return undefined
      const out: GatewayDevices[] = []
      const stale: string[] = []
      for (const [g, value] of Object.entries(all)) {
        const parsed = parseEntry(value)
        if (parsed === undefined || now() - parsed.at > ttl) stale.push(g)
        else out.push({ gateway: g, ...parsed })
      }
      if (stale.length > 0) void conn.run('devices', async (r) => await r.hdel(key, ...stale))
      return out
    },
    async remove () {
      await conn.run('devices', async (r) => await r.hdel(key, gateway))
    }
  }
}

function parseEntry (value: string): { at: number, devices: object[] } | undefined {
  try {
    const v = JSON.parse(value) as { at?: unknown, devices?: unknown }
    return typeof v.at === 'number' && Array.isArray(v.devices) ? { at: v.at, devices: v.devices as object[] } : undefined
  } catch {
    return undefined
  }
}
