import { Redis, type RedisOptions } from 'ioredis'
import { ERRORS } from '../errors.js'
import type { Logger } from '../log/index.js'
import type { Metrics } from '../metrics/index.js'

/** What a shared-state call was for: the bounded `op` label of the errors counter. */
export type StateOp = 'supersede' | 'device_rate' | 'global_rate' | 'devices' | 'subscribe' | 'device_slots' | 'access_list'

/** Dependencies and settings of {@link createRedisConnection}. */
export interface RedisConnectionOptions {
  /** `redis://…` or `rediss://…` */
  readonly url: string
  /** Longest wait for one call (ms): ioredis' commandTimeout. */
  readonly timeout: number
  readonly logger: Logger
  readonly metrics: Metrics
  /** Epoch ms. Default: Date.now */
  readonly now?: () => number
  /** Least time between two "Redis unavailable" log lines (ms). Default: 60 s */
  readonly logInterval?: number
}

/** The two ioredis clients of a gateway (commands, and the subscriber pub/sub needs) and their health. */
export interface RedisConnection {
  /** True while the command client is connected and ready. */
  readonly up: boolean
  /**
   * Runs one call on the command client; resolves `undefined` when Redis is down, fails or is
   * slower than the timeout (counted by `op`, logged at most once per interval). Never rejects.
   */
  run<T>(op: StateOp, call: (redis: Redis) => Promise<T>): Promise<T | undefined>
  /** Calls `fn` each time the command client becomes ready (again): the catch-up hook. */
  onReady (fn: () => void): void
  /** Subscribes to `channel` on the subscriber client (re-subscribed after each reconnect). */
  subscribe (channel: string, onMessage: (message: string) => void): void
  /** Closes both clients at once (no QUIT round trip: Redis may be the thing that is gone). */
  close (): void
}

const RECONNECT_MAX_MS = 2000

/**
 * Connects to the shared-state Redis with ioredis. No offline queue on the command client: while
 * Redis is away a call fails at once instead of waiting, so the caller goes on with local state;
 * ioredis reconnects on its own (backoff up to 2 s). The gauge says whether Redis is there, and one
 * warn line per `logInterval` says so while it is not.
 */
export function createRedisConnection (o: RedisConnectionOptions): RedisConnection {
  const now = o.now ?? Date.now
  const logInterval = o.logInterval ?? 60_000
  const base: RedisOptions = {
    commandTimeout: o.timeout,
    connectTimeout: Math.max(1000, o.timeout),
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 100, RECONNECT_MAX_MS)
  }
  const cmd = new Redis(o.url, { ...base, enableOfflineQueue: false })
  // The subscriber queues its SUBSCRIBE until connected; nothing on the request path waits on it.
  const sub = new Redis(o.url, { ...base, commandTimeout: undefined, enableOfflineQueue: true })
  const readyHooks: (() => void)[] = []
  let up = false
  let lastLog = -Infinity
  let down = false
  o.metrics.stateRedisUp.set(0)

  const fail = (op: StateOp | undefined, err: unknown): void => {
    if (op !== undefined) o.metrics.stateRedisErrors.inc({ op })
    down = true
    const t = now()
    if (t - lastLog < logInterval) return
    lastLog = t
    o.logger.warn({ code: 'GW_ERR_STATE_REDIS_UNAVAILABLE', op, err: { message: (err as Error).message } }, ERRORS.GW_ERR_STATE_REDIS_UNAVAILABLE.message.replace('%s', `no answer within ${o.timeout} ms or not connected`))
  }
  const recovered = (): void => {
    if (!down) return
    down = false
    lastLog = -Infinity
    o.logger.info('shared-state redis back: sharing resumes')
  }
  cmd.on('ready', () => {
    up = true
    o.metrics.stateRedisUp.set(1)
    recovered()
    for (const fn of readyHooks) fn()
  })
  cmd.on('close', () => { if (up) { up = false; o.metrics.stateRedisUp.set(0); fail(undefined, new Error('connection closed')) } })
  // ioredis emits 'error' on every failed reconnect; the listener also keeps them from throwing.
  cmd.on('error', (err) => { fail(undefined, err) })
  sub.on('error', () => { /* the command client reports the same outage */ })

  return {
    get up () { return up },
    async run (op, call) {
      try {
        const result = await call(cmd)
        recovered() // a Redis that was only slow answers in time again
        return result
      } catch (err) {
        fail(op, err)
        return undefined
      }
    },
    onReady (fn) { readyHooks.push(fn) },
    subscribe (channel, onMessage) {
      sub.on('message', (ch: string, message: string) => { if (ch === channel) onMessage(message) })
      sub.subscribe(channel).catch((err: unknown) => { fail('subscribe', err) })
    },
    close () {
      readyHooks.length = 0
      cmd.disconnect()
      sub.disconnect()
      up = false
    }
  }
}
