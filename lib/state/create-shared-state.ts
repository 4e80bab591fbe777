import { randomBytes } from 'node:crypto'
import type { Logger } from '../log/index.js'
import type { Metrics } from '../metrics/index.js'
import { createFleetLists, createFleetSlots, type FleetLists, type FleetSlots } from './fleet-access.js'
import { createFleetDevices, type FleetDevices } from './fleet-devices.js'
import { createFleetPings, type FleetPings } from './fleet-pings.js'
import { createFleetRate, type FleetRate } from './fleet-rate.js'
import { createRedisConnection } from './redis-connection.js'

/** Settings (`state.redis`) and dependencies of {@link createSharedState}. */
export interface SharedStateOptions {
  readonly url: string
  /** Prefix of every key and channel. */
  readonly keyPrefix: string
  /** Longest wait for one Redis call (ms). */
  readonly timeout: number
  /** How often this gateway writes its devices (ms); entries live three intervals. */
  readonly devicesInterval: number
  readonly logger: Logger
  readonly metrics: Metrics
  /** Epoch ms. Default: Date.now */
  readonly now?: () => number
  /** Least time between two "Redis unavailable" log lines (ms). Default: 60 s */
  readonly logInterval?: number
}

/** The state a gateway shares with the rest of its fleet through Redis. */
export interface SharedState {
  /** This gateway's id in the fleet (random per start). */
  readonly gateway: string
  /** Whether Redis is connected right now. */
  readonly up: boolean
  readonly pings: FleetPings
  readonly rate: FleetRate
  readonly devices: FleetDevices
  /** Device slots of the access policy (maxDevicesPerUser). */
  readonly slots: FleetSlots
  /** The compliance lists' shared copies. */
  readonly lists: FleetLists
  /** Writes `snapshot()` every devicesInterval, and at once each time Redis (re)connects. */
  startDevicesWriter (snapshot: () => readonly object[]): void
  /** Stops the writer, removes this gateway's devices (bounded by the timeout), disconnects. */
  close (): Promise<void>
}

/**
 * Connects a gateway to the fleet's Redis. Nothing here is awaited on the request path: callers
 * fire calls and apply their results later, and every call is bounded by `timeout`.
 */
export function createSharedState (o: SharedStateOptions): SharedState {
  const now = o.now ?? Date.now
  o.metrics.registerStateMetrics()
  const gateway = randomBytes(6).toString('hex')
  const conn = createRedisConnection({ url: o.url, timeout: o.timeout, logger: o.logger, metrics: o.metrics, now, ...(o.logInterval !== undefined ? { logInterval: o.logInterval } : {}) })
  const devices = createFleetDevices(conn, `${o.keyPrefix}devices`, gateway, 3 * o.devicesInterval, now)
  let timer: NodeJS.Timeout | undefined
  return {
    gateway,
    get up () { return conn.up },
    pings: createFleetPings(conn, `${o.keyPrefix}pings`, gateway),
    rate: createFleetRate(conn, o.keyPrefix),
    devices,
    slots: createFleetSlots(conn, o.keyPrefix),
    lists: createFleetLists(conn, o.keyPrefix, gateway),
    startDevicesWriter (snapshot) {
      const write = (): void => { if (conn.up) void devices.write(snapshot()) }
      conn.onReady(write)
      timer = setInterval(write, o.devicesInterval)
      timer.unref()
    },
    async close () {
      clearInterval(timer)
      if (conn.up) await devices.remove()
      conn.close()
    }
  }
}
