import { RecencyMap } from '../collections/index.js'
import type { DeviceSlot } from './access-types.js'

/** Bounds of the per-user device table behind maxDevicesPerUser. */
export interface DeviceSlotOptions {
  /** Most users remembered; the least recently seen is forgotten first. Default: 100000 */
  readonly maxUsers: number
  /** Most devices remembered per user (beyond the limit, so `oldest` can push one out). Default: 64 */
  readonly maxPerUser: number
  /** A device not seen for this long gives its slot back (ms). Default: 30 days */
  readonly ttl: number
}

/** Defaults for DeviceSlotOptions. */
export const DEFAULT_DEVICE_SLOTS: DeviceSlotOptions = Object.freeze({ maxUsers: 100_000, maxPerUser: 64, ttl: 30 * 24 * 3600_000 })

interface Slot { readonly deviceId: string, firstSeen: number, lastSeen: number, syncedAt?: number }

/** A slot as the fleet keeps it (README § Running several gateways). */
export interface SharedSlot { readonly deviceId: string, readonly firstSeen: number, readonly lastSeen: number }

/**
 * Which devices hold a slot of each user, bounded in users (LRU), devices per user and time
 * (TTL). No I/O; time comes from the caller. Users compare case-insensitively, as Exchange does.
 */
export class DeviceSlots {
  /** Least recently seen user first. */
  readonly #users = new RecencyMap<string, Map<string, Slot>>()
  readonly #opts: DeviceSlotOptions

  constructor (opts: Partial<DeviceSlotOptions> = {}) {
    this.#opts = { ...DEFAULT_DEVICE_SLOTS, ...opts }
  }

  /** The user's live slots (expired ones dropped), for decideAccess. */
  of (user: string, now: number): DeviceSlot[] {
    const m = this.#users.get(user.toLowerCase())
    if (m === undefined) return []
    for (const [id, s] of m) if (now - s.lastSeen > this.#opts.ttl) m.delete(id)
    return [...m.values()].map((s) => ({ deviceId: s.deviceId, firstSeen: s.firstSeen }))
  }

  /** Records that the device was seen and holds (or competes for) a slot. */
  touch (user: string, deviceId: string, now: number): void {
    const key = user.toLowerCase()
    let m = this.#users.touch(key)
    if (m === undefined) {
      m = new Map()
      this.#users.set(key, m)
    }
    const s = m.get(deviceId)
    if (s !== undefined) s.lastSeen = now
    else {
      m.set(deviceId, { deviceId, firstSeen: now, lastSeen: now })
      // Over the per-user bound: forget the least recently seen device.
      if (m.size > this.#opts.maxPerUser) {
        let lru: Slot | undefined
        for (const x of m.values()) if (lru === undefined || x.lastSeen < lru.lastSeen) lru = x
        if (lru !== undefined) m.delete(lru.deviceId)
      }
    }
    this.#forgetOverflow()
  }

  /**
   * Whether the device's slot should be told to the fleet: it is not known here, or it was last
   * synchronised more than `every` ms ago.
   */
  needsSync (user: string, deviceId: string, now: number, every: number): boolean {
    const s = this.#users.get(user.toLowerCase())?.get(deviceId)
    return s?.syncedAt === undefined || now - s.syncedAt >= every
  }

  /**
   * Replaces the user's slots by the fleet's (`slots`, bounded by maxPerUser like local ones):
   * devices other gateways saw count here too, and a slot the fleet gave back is gone here too.
   */
  replace (user: string, slots: readonly SharedSlot[], now: number): void {
    const key = user.toLowerCase()
    const m = new Map<string, Slot>()
    const sorted = [...slots].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, this.#opts.maxPerUser)
    for (const s of sorted) m.set(s.deviceId, { deviceId: s.deviceId, firstSeen: s.firstSeen, lastSeen: s.lastSeen, syncedAt: now })
    this.#users.set(key, m)
    this.#forgetOverflow()
  }

  /** Gives a device's slot back (it was blocked by a rule). */
  release (user: string, deviceId: string): void {
    this.#users.get(user.toLowerCase())?.delete(deviceId)
  }

  /** Over maxUsers: forget the least recently seen users. */
  #forgetOverflow (): void {
    while (this.#users.size > this.#opts.maxUsers) this.#users.delete(this.#users.oldestKey() as string)
  }

  /** Users remembered right now. */
  get size (): number { return this.#users.size }
}
