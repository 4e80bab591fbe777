import { createHash } from 'node:crypto'
import type { RedisConnection } from './redis-connection.js'

/** A device's slot as the fleet keeps it (lib/policy's SharedSlot, structurally). */
export interface FleetSlot { readonly deviceId: string, readonly firstSeen: number, readonly lastSeen: number }

/** The fleet's device slots (maxDevicesPerUser): lib/access's SharedSlotStore. */
export interface FleetSlots {
  touch (user: string, deviceId: string, now: number, bounds: { readonly ttl: number, readonly maxPerUser: number }): Promise<readonly FleetSlot[] | undefined>
  release (user: string, deviceId: string): Promise<void>
}

/** The fleet's copy of a compliance list: lib/access's SharedListStore. */
export interface FleetListMeta { readonly fetchedAt: number, readonly changedAt: number, readonly etag?: string, readonly lastModified?: string }
export interface FleetLists {
  meta (key: string): Promise<FleetListMeta | null | undefined>
  entries (key: string): Promise<string[] | undefined>
  write (key: string, meta: FleetListMeta, entries: readonly string[] | undefined, ttl: number): Promise<void>
  lock (key: string, ms: number): Promise<boolean | undefined>
  unlock (key: string): Promise<void>
}

/** Deletes the lock only if it still holds this gateway's token. */
const UNLOCK_SCRIPT = 'if redis.call(\'GET\', KEYS[1]) == ARGV[1] then return redis.call(\'DEL\', KEYS[1]) end return 0'

/**
 * One hash per user, field DeviceId, value `firstSeen:lastSeen` (epoch ms). Touches the device
 * (its first-seen time kept), drops slots not seen for `ttl`, keeps the `max` most recently seen,
 * sets the key to expire `ttl` after this touch, and returns the slots as a flat list.
 */
const TOUCH_SCRIPT = `
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local old = redis.call('HGET', KEYS[1], ARGV[1])
local first = ARGV[2]
if old then first = string.match(old, '^(%d+):') or ARGV[2] end
redis.call('HSET', KEYS[1], ARGV[1], first .. ':' .. ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local f, l = string.match(all[i + 1], '^(%d+):(%d+)$')
  if f == nil or now - tonumber(l) > ttl then redis.call('HDEL', KEYS[1], all[i])
  else live[#live + 1] = { all[i], f, l } end
end
if #live > max then
  table.sort(live, function (a, b) return tonumber(a[3]) > tonumber(b[3]) end)
  for i = max + 1, #live do redis.call('HDEL', KEYS[1], live[i][1]) end
end
redis.call('PEXPIRE', KEYS[1], ttl)
local out = {}
for i = 1, math.min(#live, max) do
  out[#out + 1] = live[i][1]
  out[#out + 1] = live[i][2]
  out[#out + 1] = live[i][3]
end
return out
`

const digest = (s: string): string => createHash('sha256').update(s).digest('base64url').slice(0, 27)

/** Slots under `<keyPrefix>slots:<digest of the user, lower-cased>`: no user names in Redis keys. */
export function createFleetSlots (conn: RedisConnection, prefix: string): FleetSlots {
  const key = (user: string): string => `${prefix}slots:${digest(user.toLowerCase())}`
  return {
    async touch (user, deviceId, now, bounds) {
      const flat = await conn.run('device_slots', async (r) => await r.eval(TOUCH_SCRIPT, 1, key(user), deviceId, now, bounds.ttl, bounds.maxPerUser))
      if (!Array.isArray(flat)) return undefined
      const out: FleetSlot[] = []
      for (let i = 0; i + 2 < flat.length; i += 3) out.push({ deviceId: String(flat[i]), firstSeen: Number(flat[i + 1]), lastSeen: Number(flat[i + 2]) })
      return out
    },
    async release (user, deviceId) {
      await conn.run('device_slots', async (r) => await r.hdel(key(user), deviceId))
    }
  }
}

/**
 * Lists under `<keyPrefix>list:<digest of url, format, field>`: a hash with `meta` (JSON) and
 * `entries` (JSON array), expiring `ttl` after the last write; `…:lock` (SET NX PX, the holder's
 * gateway id) is the right to fetch, held by one gateway at a time and given back after the fetch.
 */
export function createFleetLists (conn: RedisConnection, prefix: string, gateway: string): FleetLists {
  const key = (k: string): string => `${prefix}list:${digest(k)}`
  return {
    async meta (k) {
      const v = await conn.run('access_list', async (r) => await r.hget(key(k), 'meta'))
      if (v === undefined) return undefined
      if (v === null) return null
      try {
        const m = JSON.parse(v) as Partial<FleetListMeta>
        if (typeof m.fetchedAt !== 'number' || typeof m.changedAt !== 'number') return null
        return { fetchedAt: m.fetchedAt, changedAt: m.changedAt, ...(typeof m.etag === 'string' ? { etag: m.etag } : {}), ...(typeof m.lastModified === 'string' ? { lastModified: m.lastModified } : {}) }
      } catch {
        return null
      }
    },
    async entries (k) {
      const v = await conn.run('access_list', async (r) => await r.hget(key(k), 'entries'))
      if (typeof v !== 'string') return undefined
      try {
        const e = JSON.parse(v) as unknown
        return Array.isArray(e) && e.every((x) => typeof x === 'string') ? e : undefined
      } catch {
        return undefined
      }
    },
    async write (k, meta, entries, ttl) {
      await conn.run('access_list', async (r) => {
        const m = r.multi()
        if (entries !== undefined) m.hset(key(k), 'entries', JSON.stringify(entries))
        return await m.hset(key(k), 'meta', JSON.stringify(meta)).pexpire(key(k), ttl).exec()
      })
    },
    async lock (k, ms) {
      const v = await conn.run('access_list', async (r) => await r.set(`${key(k)}:lock`, gateway, 'PX', ms, 'NX'))
      return v === undefined ? undefined : v === 'OK'
    },
    async unlock (k) {
      await conn.run('access_list', async (r) => await r.eval(UNLOCK_SCRIPT, 1, `${key(k)}:lock`, gateway))
    }
  }
}
