import { RecencyMap } from '../collections/index.js'
import { deviceKey } from './device-key.js'

/** What the gateway remembers about one device (user + DeviceId). */
export interface DeviceEntry {
  readonly key: string
  readonly deviceId: string
  readonly user: string
  deviceType: string | undefined
  userAgent: string | undefined
  protocolVersion: string | undefined
  /** Epoch ms of the last request. */
  lastSeen: number
  lastCommand: string
  /** Last HeartbeatInterval the device asked for (seconds): an empty Ping body reuses it. */
  heartbeat: number | undefined
  /** The newest Ping held for this device right now, if any. */
  held: HeldPing | undefined
  /**
   * Every Ping held for this device, oldest first: one per credential identity. A Ping whose
   * credentials differ (a rotated Bearer token the gateway cannot verify, a wrong password) is
   * tracked and counted too, it just cannot supersede the others (issue #10).
   */
  pings: HeldPing[]
  superseded: number
  /** The last access decision and the rule that made it (`/devices`). */
  access: { readonly decision: string, readonly rule: string } | undefined
  /** The client address of the last request forwarded or finished (as the access line's client.ip: PROXY protocol, trusted proxies). */
  address: string | undefined
  /** Outcome and HTTP status (0: none sent) of the last request that ended. */
  lastOutcome: string | undefined
  lastStatus: number | undefined
}

/** A held Ping, as the registry sees it: when it started and how to end it. */
export interface HeldPing {
  readonly since: number
  readonly heartbeat: number | undefined
  /**
   * Who holds the credentials: a digest of the Authorization header, or the verified Bearer
   * identity (stable when the token rotates). A Ping supersedes a held one only with the same
   * identity: the gateway cannot check a password, so a wrong one must not end a device's Ping.
   */
  readonly auth: string
  /** Answers the held Ping with Status 1 and cancels its upstream request. */
  readonly supersede: () => void
  /** Decides the held Ping again under the current access policy; ends it if refused now. */
  readonly recheck?: () => void
}

/** Bounds of the registry. */
export interface DeviceRegistryOptions {
  /** Most devices remembered; the least recently seen is dropped first. Default: 100000 */
  readonly maxDevices: number
  /** A device not seen for this long is forgotten (ms). Default: 2 h */
  readonly ttl: number
  /** A device counts as online when seen within this window (ms). */
  readonly onlineWindow: number
  readonly now?: () => number
  /** Called when a Ping becomes the device's held one (the fleet announces it to other gateways). */
  readonly onHold?: (e: DeviceEntry, ping: HeldPing) => void
}

/**
 * Per-device state, bounded in size (LRU) and in time (TTL): nothing grows without bound and no
 * state outlives its expiry. A device with a held Ping is never evicted by the LRU while held.
 * The use order is a RecencyMap (not delete + set on a Map: see there why).
 */
export class DeviceRegistry {
  /** Least recently seen first. */
  readonly #map = new RecencyMap<string, DeviceEntry>()
  readonly #opts: DeviceRegistryOptions
  readonly #now: () => number
  #held = 0

  constructor (opts: DeviceRegistryOptions) {
    this.#opts = opts
    this.#now = opts.now ?? Date.now
  }

  /** The key of a device: user (case-insensitive, as Exchange treats it) and DeviceId. */
  static keyOf (user: string | undefined, deviceId: string): string {
    return deviceKey(user, deviceId)
  }

  /** Records a request from a device and returns its entry (most recently used from now on). */
  touch (info: { user: string | undefined, deviceId: string, deviceType?: string, userAgent?: string, protocolVersion?: string, command: string }): DeviceEntry {
    const key = DeviceRegistry.keyOf(info.user, info.deviceId)
    const now = this.#now()
    let e = this.#map.touch(key)
    if (e === undefined) {
      e = { key, deviceId: info.deviceId, user: info.user ?? '', deviceType: undefined, userAgent: undefined, protocolVersion: undefined, lastSeen: now, lastCommand: '', heartbeat: undefined, held: undefined, pings: [], superseded: 0, access: undefined, address: undefined, lastOutcome: undefined, lastStatus: undefined }
      this.#map.set(key, e)
    }
    e.deviceType = info.deviceType ?? e.deviceType
    e.userAgent = info.userAgent ?? e.userAgent
    e.protocolVersion = info.protocolVersion ?? e.protocolVersion
    e.lastSeen = now
    e.lastCommand = info.command
    this.#evict(now, key)
    return e
  }

  /**
   * Marks a Ping as held and returns the Ping it supersedes (already ended): the one held with the
   * same credential identity, if any. A Ping with other credentials is held and counted beside
   * the others and ends none of them: the mail server, not the gateway, decides whether those
   * credentials count (regression: #10, such Pings used to be untracked and uncounted).
   */
  hold (e: DeviceEntry, ping: HeldPing): HeldPing | undefined {
    const i = e.pings.findIndex((p) => p.auth === ping.auth)
    const old = i >= 0 ? e.pings[i] : undefined
    if (old !== undefined) {
      e.pings.splice(i, 1)
      this.#held--
      e.superseded++
    }
    // [ping] rather than push(): a push onto the empty array allocates 17 slots (152 bytes) that a
    // device with one held Ping never uses, and would keep after it (issue #14).
    if (e.pings.length === 0) e.pings = [ping]
    else e.pings.push(ping)
    e.held = ping
    this.#held++
    this.#opts.onHold?.(e, ping)
    old?.supersede()
    return old
  }

  /**
   * Ends the Ping held for `key` because a newer Ping of the device is held by another gateway of
   * the fleet: only one whose credentials are the same (`sameCredentials(held.auth)`) and that
   * began at or before `before` (epoch ms; a Ping that came here after the other one stays).
   * Returns what it ended. Held Pings with other credentials are left alone (issue #10).
   */
  supersedeRemote (key: string, sameCredentials: (auth: string) => boolean, before: number): { entry: DeviceEntry, ping: HeldPing } | undefined {
    const e = this.#map.get(key)
    const i = e === undefined ? -1 : e.pings.findIndex((p) => p.since <= before && sameCredentials(p.auth))
    const old = i >= 0 ? e?.pings[i] : undefined
    if (e === undefined || old === undefined) return undefined
    e.pings.splice(i, 1)
    e.held = e.pings[e.pings.length - 1]
    e.superseded++
    this.#held--
    old.supersede()
    return { entry: e, ping: old }
  }

  /** Removes a held Ping when it ends (a no-op for one already superseded or released). */
  release (e: DeviceEntry, ping: HeldPing): void {
    const i = e.pings.indexOf(ping)
    if (i < 0) return
    e.pings.splice(i, 1)
    this.#held--
    e.held = e.pings[e.pings.length - 1]
  }

  /** True when the device holds a Ping with this credential identity (a new one would replace it). */
  holdsFor (e: DeviceEntry, auth: string): boolean {
    return e.pings.some((p) => p.auth === auth)
  }

  /** Every device holding a Ping right now, with its held Pings (to re-check them after a policy change). */
  * heldDevices (): IterableIterator<DeviceEntry> {
    for (const e of this.#map.oldestFirst()) if (e.pings.length > 0) yield e
  }

  /** Held Pings right now. */
  get heldCount (): number { return this.#held }

  /** Devices remembered right now. */
  get size (): number { return this.#map.size }

  /** Devices seen within the online window. */
  onlineCount (): number {
    const since = this.#now() - this.#opts.onlineWindow
    let n = 0
    for (const e of this.#map.oldestFirst()) if (e.lastSeen >= since || e.pings.length > 0) n++
    return n
  }

  /**
   * A snapshot for `/devices`, most recently seen first (held devices may come early), at most
   * `limit` entries; `filter` keeps one DeviceId (exact) and/or one user (case-insensitive).
   */
  snapshot (limit = 1000, filter: { readonly deviceId?: string, readonly user?: string } = {}): object[] {
    const now = this.#now()
    this.#evict(now)
    const out: object[] = []
    const user = filter.user?.toLowerCase()
    for (const e of this.#map.newestFirst()) {
      if (out.length >= limit) break
      if (filter.deviceId !== undefined && e.deviceId !== filter.deviceId) continue
      if (user !== undefined && e.user.toLowerCase() !== user) continue
      out.push({
        deviceId: e.deviceId,
        user: e.user,
        deviceType: e.deviceType,
        userAgent: e.userAgent,
        protocolVersion: e.protocolVersion,
        lastSeen: new Date(e.lastSeen).toISOString(),
        lastCommand: e.lastCommand,
        heartbeat: e.heartbeat ?? null,
        heldPing: e.held === undefined ? null : { heartbeat: e.held.heartbeat, heldSeconds: Math.round((now - e.held.since) / 1000) },
        heldPings: e.pings.length,
        superseded: e.superseded,
        address: e.address ?? null,
        lastOutcome: e.lastOutcome ?? null,
        lastStatus: e.lastStatus ?? null,
        ...(e.access !== undefined ? { decision: e.access.decision, rule: e.access.rule } : {})
      })
    }
    return out
  }

  #evict (now: number, keep?: string): void {
    // The list runs from the least recently seen, so stop at the first keeper. A held entry is
    // never evicted: found at the head, it moves to the tail so that it cannot stall eviction
    // behind it. Its Ping ends within executionTimeout, so it still goes within ttl +
    // executionTimeout of its last request. `keep` (the entry just touched) always stays.
    let budget = this.#map.size
    for (const e of this.#map.oldestFirst()) {
      if (e.key === keep || budget-- === 0) break
      const expired = now - e.lastSeen > this.#opts.ttl
      const over = this.#map.size > this.#opts.maxDevices
      if (!expired && !over) break
      if (e.pings.length > 0) this.#map.touch(e.key)
      else this.#map.delete(e.key)
    }
  }
}
