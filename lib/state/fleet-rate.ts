import { createHash } from 'node:crypto'
import type { RedisConnection } from './redis-connection.js'

/**
 * The fleet's token bucket of one key, atomic in Redis: refilled on Redis' own clock (TIME, one
 * clock for every gateway), then one token taken for a request a gateway has already admitted.
 * The bucket may go into debt down to -burst: requests the gateways admitted before they heard of
 * an empty bucket are still paid for, so the fleet's long-run rate stays the configured one.
 * Returns 0 when a token was there, else the ms until the bucket is back at one token. The key
 * expires once the bucket would be full again.
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
local had = tokens
tokens = math.max(-burst, tokens - 1)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(at, now)))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
if had >= 1 then return 0 end
return math.ceil((1 - tokens) * 1000 / rate)
`

/** A fleet-wide token bucket per key. */
export interface FleetRate {
  /**
   * Takes a token from the key's fleet bucket (`rate` per second, `burst`): resolves 0, the ms
   * until a token is back, or `undefined` when Redis did not answer in time.
   */
  take (key: string, rate: number, burst: number): Promise<number | undefined>
  /** The same for the fleet's one global bucket (`<keyPrefix>rate:global`). */
  takeGlobal (rate: number, burst: number): Promise<number | undefined>
}

/**
 * Device buckets under `<keyPrefix>rate:<digest>` (the key is hashed: no user names, bounded
 * length, and never `global`, which is the global bucket's).
 */
export function createFleetRate (conn: RedisConnection, prefix: string): FleetRate {
  const take = async (op: 'device_rate' | 'global_rate', k: string, rate: number, burst: number): Promise<number | undefined> => {
    const wait = await conn.run(op, async (r) => await r.eval(TAKE_SCRIPT, 1, k, rate, burst))
    return typeof wait === 'number' ? wait : undefined
  }
  return {
    async take (key, rate, burst) {
      return await take('device_rate', `${prefix}rate:${createHash('sha256').update(key).digest('base64url').slice(0, 27)}`, rate, burst)
    },
    async takeGlobal (rate, burst) {
      return await take('global_rate', `${prefix}rate:global`, rate, burst)
    }
  }
}
