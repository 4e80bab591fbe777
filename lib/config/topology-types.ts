import { BALANCING_METHODS, type Balancing, type CatalogKind, type CatalogServer, type CatalogSetting } from './catalog-types.js'
import type { DocPath, PositionMap, Schema } from './schema.js'
import type { TimerValue } from './topology-value.js'

const S = 1000

/** Layout of a topology file (hop kinds and settings are checked against the catalog afterwards). */
export const TOPOLOGY_SCHEMA = {
  type: 'object',
  required: ['server', 'hops'],
  fields: {
    catalog: { type: 'string', doc: 'Your own catalog file (additions and overrides), relative to this file' },
    margin: { type: 'duration', default: 60 * S, doc: 'How much longer than the heartbeat every hop must wait' },
    server: {
      type: 'object',
      required: ['kind'],
      fields: {
        kind: { type: 'string' },
        minHeartbeat: { type: 'duration' },
        maxHeartbeat: { type: 'duration', min: 1 }
      }
    },
    hops: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'kind'],
        fields: {
          name: { type: 'string' },
          kind: { type: 'string' },
          config: { type: 'string', doc: 'The hop\'s own config file, relative to this file: an eas-gateway config, nginx.conf, haproxy.cfg' },
          match: { type: 'string', doc: 'The request the hop\'s config file is read for: [host]/path. Default: /Microsoft-Server-ActiveSync' },
          timeouts: { type: 'object', fields: {}, additional: { type: 'any' } },
          tcpKeepalive: { type: 'any' },
          balancing: { type: 'string', enum: BALANCING_METHODS },
          closeOn401: { type: 'boolean' },
          abortOnClose: { type: 'boolean' },
          terminationGrace: { type: 'duration' },
          note: { type: 'string' }
        }
      }
    }
  }
} as const satisfies Schema

/** Where a value came from: the topology file, the catalog default, or an eas-gateway config. */
export type ValueOrigin = 'set' | 'default' | 'gateway-config'

/** A file other than the topology where a value (or the block missing it) stands: a hop's own config. */
export interface SourceFile { readonly file: string, readonly positions: PositionMap }

/** One of a hop's timers as the linter sees it. Milliseconds. */
export interface HopSetting {
  readonly spec: CatalogSetting
  /** In force: the written value capped at the vendor maximum, or the default. */
  readonly value: TimerValue
  /** As written in the file, when it was. */
  readonly written?: TimerValue
  readonly origin: ValueOrigin
  /** Path of the written value, or where it would be written. */
  readonly path: DocPath
  /** Read from the hop's own config file: `path` is looked up there, not in the topology. */
  readonly source?: SourceFile
}

/** TCP keepalive intervals on a hop's connections (a pass-through hop has one: both sides equal). */
export interface HopKeepalive { readonly deviceSide?: number, readonly serverSide?: number, readonly path: DocPath }

/** One hop, resolved against the catalog. */
export interface TopologyHop {
  readonly index: number
  readonly name: string
  readonly kind: CatalogKind
  readonly settings: readonly HopSetting[]
  readonly tcpKeepalive?: HopKeepalive
  readonly balancing?: Balancing
  readonly closeOn401?: boolean
  readonly abortOnClose?: boolean
  readonly terminationGrace?: number
  /** Its own config file as written (relative to the topology file). */
  readonly config?: string
  /**
   * Where the hop's own config file states (or lacks) an option; each map has the topology path
   * the rules use (`['hops', i, 'balancing']`, `['hops', i, 'abortOnClose']`, `['hops', i, 'timeouts']`).
   */
  readonly sources?: { readonly balancing?: SourceFile, readonly abortOnClose?: SourceFile, readonly closeOn401?: SourceFile, readonly block?: SourceFile }
  /** How the hop's block was found in its config file (`server … › location …`). */
  readonly described?: string
}

/** A heartbeat bound of the server: value in force and where it came from. */
export interface ServerBound { readonly value: TimerValue, readonly origin: ValueOrigin, readonly path: DocPath }

/** A validated topology: the server, then the hops from the device inward. */
export interface Topology {
  readonly margin: number
  readonly server: { readonly kind: CatalogServer, readonly minHeartbeat: ServerBound, readonly maxHeartbeat: ServerBound }
  readonly hops: readonly TopologyHop[]
  /** The user's catalog file as written, if any. */
  readonly catalog?: string
}
