import type { TimerUnit, TimerValue } from './topology-value.js'

/** What a timer measures: only idle, response and lifetime timers can end a held Ping. */
export type TimerSemantics = 'idle' | 'response' | 'lifetime' | 'connect' | 'keepalive'

/** How sure the catalog is of an entry (notes/timeouts-catalog.md marks [S], [2], [?]). */
export type Confidence = 'confirmed' | 'secondary' | 'unconfirmed'

/** Load-balancing methods the linter tells apart. */
export type Balancing = 'round-robin' | 'least-connections' | 'hash' | 'single' | 'other'

/** Every balancing method, for validation and documentation. */
export const BALANCING_METHODS: readonly Balancing[] = ['round-robin', 'least-connections', 'hash', 'single', 'other']

/** One vendor setting: its default, range, meaning and source. All durations are milliseconds. */
export interface CatalogSetting {
  /** The vendor's own name, e.g. `proxy_read_timeout`. */
  readonly name: string
  readonly default: TimerValue
  readonly max: TimerValue
  readonly min: TimerValue
  /** The largest `max` a user's catalog may set (a limit sold per plan, e.g. Cloudflare Enterprise); absent: no limit. */
  readonly overrideMax?: TimerValue
  readonly unit?: TimerUnit
  readonly off: readonly string[]
  readonly choices?: Readonly<Record<string, number>>
  readonly aliases: readonly string[]
  readonly semantics: TimerSemantics
  /** TCP keepalive probes reset it (an L4 flow timer); L7 timers count application bytes. */
  readonly refreshedByKeepalive: boolean
  /** The timer runs while a Ping is held. */
  readonly appliesToPing: boolean
  readonly source: string
  readonly confidence: Confidence
  readonly note?: string
}

/** A hop kind: a product and the settings it has. */
export interface CatalogKind {
  readonly name: string
  readonly title: string
  readonly layer: 'l4' | 'l7'
  /** A full proxy: it ends the device's TCP connection and opens its own (keepalives stop here). */
  readonly terminatesTcp: boolean
  /** Default balancing method; absent when the kind does not balance. */
  readonly balancing?: Balancing
  /** The kind has HAProxy's `option abortonclose`. */
  readonly abortOnClose: boolean
  readonly note?: string
  readonly settings: Readonly<Record<string, CatalogSetting>>
}

/** A server's heartbeat bound and where the value comes from. */
export interface HeartbeatBound {
  readonly value: TimerValue
  readonly setting?: string
  readonly source: string
  readonly confidence: Confidence
  readonly note?: string
}

/** A mail server kind and its heartbeat defaults. */
export interface CatalogServer {
  readonly name: string
  readonly title: string
  readonly minHeartbeat: HeartbeatBound
  readonly maxHeartbeat: HeartbeatBound
}

/** The vendor timeout catalog (policies/timeouts-catalog.yaml, plus the user's overrides). */
export interface Catalog {
  readonly kinds: Readonly<Record<string, CatalogKind>>
  readonly servers: Readonly<Record<string, CatalogServer>>
}

/** Finds a setting by its name or one of its aliases. */
export function findSetting (kind: CatalogKind, name: string): CatalogSetting | undefined {
  const direct = kind.settings[name]
  if (direct !== undefined) return direct
  return Object.values(kind.settings).find((s) => s.aliases.includes(name))
}
