import { ACCESS_SCHEMA, AUTH_SCHEMA, checkAuthConfig, type AccessConfig, type BearerConfig } from './access-config.js'
import type { Diagnostic } from './diagnostic.js'
import { deepFreeze } from './deep-freeze.js'
import { validateDocument, type PositionMap, type Schema } from './schema.js'
import { parseYamlSource, type YamlSource } from './yaml-source.js'

/** A listener address. */
export interface ListenConfig { readonly host: string, readonly port: number }

/** One mail server the gateway forwards to. */
export interface UpstreamConfig {
  readonly name: string
  /** Base URL; the EAS path of the device request is appended to its path. */
  readonly url: string
  /** PEM file of the CA that signs the upstream's certificate (resolved against the config file). */
  readonly ca?: string
  /** TLS server name to verify, when it differs from the URL host. */
  readonly servername?: string
  /** Verify the upstream certificate. Default: true */
  readonly verifyCertificate: boolean
  /** Share of new requests relative to the other upstreams (least connections per weight). Default: 1 */
  readonly weight: number
}

/** Upstream pool: active health checks, passive ejection, re-probe backoff (README § Upstream pool). */
export interface PoolConfig {
  /** `OPTIONS` on `path` every `interval`; 200 or 401 means alive. Default: 10s, 5s, /Microsoft-Server-ActiveSync */
  readonly healthCheck: { readonly interval: number, readonly timeout: number, readonly path: string }
  /** Consecutive connect or health-check failures that eject an upstream. Default: 3 */
  readonly ejection: { readonly consecutiveFailures: number }
  /** Re-probe delay of an ejected upstream, and when failure counts reset. Default: 30s, 120s, 60m */
  readonly backoff: { readonly initial: number, readonly max: number, readonly errorExpiry: number }
}

/** Storm protection (README § Upstream pool). A value of 0 switches that limit off. */
export interface LimitsConfig {
  /** New upstream requests per second, all devices together, and the bucket size. Default: 1000, 2000 */
  readonly requestsPerSecond: number
  readonly burst: number
  /** Requests per second of one device (user + DeviceId). Default: 10, 50, 100000 devices tracked */
  readonly perDevice: { readonly requestsPerSecond: number, readonly burst: number, readonly maxTracked: number }
  /** Pings held at once. Default: 10000 */
  readonly maxHeldPings: number
  /** Open device connections. Default: 20000 */
  readonly maxConnections: number
  /** Longest Retry-After a rejected device is given (ms). Default: 10m */
  readonly maxRetryAfter: number
}

/** Device-side TLS (README § TLS). */
export interface TlsListenConfig {
  readonly cert: string
  readonly key: string
  /** Oldest protocol version a device may use. Default: TLSv1.2 */
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3'
  /** OpenSSL cipher list for TLS 1.2. Default: Mozilla's "intermediate" profile */
  readonly ciphers: string
}

/**
 * Mozilla's "intermediate" server profile (ssl-config.mozilla.org, v5.7): ECDHE/DHE with AES-GCM
 * or ChaCha20-Poly1305 only, so no static-RSA key exchange and no CBC-SHA1. TLS 1.3 suites are
 * OpenSSL's defaults and not named here.
 */
export const INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-CHACHA20-POLY1305'
].join(':')

/** The validated, defaulted, frozen gateway configuration. All durations are milliseconds. */
export interface GatewayConfig {
  readonly listen: ListenConfig & { readonly tls?: TlsListenConfig }
  readonly upstreams: readonly UpstreamConfig[]
  readonly server: { readonly minHeartbeat: number, readonly maxHeartbeat: number }
  readonly timeouts: {
    readonly easRequestTimeout: number
    readonly executionTimeout: number
    readonly drainGrace: number
    readonly heartbeatMargin: number
    readonly connect: number
    readonly deviceKeepAlive: number
    readonly deviceHeaders: number
    readonly deviceBodyIdle: number
    readonly tlsHandshake: number
  }
  readonly proxy: {
    readonly closeOn401: boolean
    readonly autodiscover: boolean
    readonly maxRequestBodyBytes: number
    readonly maxPingBodyBytes: number
    readonly maxHeaders: number
    readonly maxHeaderBytes: number
    readonly maxUrlBytes: number
  }
  /** The gateway's own heartbeat limits, stricter than the server's (e.g. from `gateway lint`), and the pause before a failed Ping's Status 1. */
  readonly ping: { readonly minHeartbeat?: number, readonly maxHeartbeat?: number, readonly failurePause: number }
  /** Bounds of the per-device table behind `/devices`. */
  readonly devices: { readonly max: number, readonly ttl: number }
  readonly pool: PoolConfig
  readonly limits: LimitsConfig
  readonly admin: { readonly listen: ListenConfig }
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' }
  /** State shared by several gateways; without `redis` everything stays local to this process. */
  readonly state: { readonly redis?: RedisStateConfig }
  /** Device access control (README § Device access control). */
  readonly access: AccessConfig
  /** Bearer verification at the gateway; absent: Bearer tokens pass through untouched. */
  readonly auth: { readonly bearer?: BearerConfig }
}

/** `state.redis`: the Redis (or Valkey) that several gateways share (README § Running several gateways). */
export interface RedisStateConfig {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). */
  readonly url: string
  /** Prefix of every key and channel, so that several fleets can share one Redis. Default: `eas-gateway:` */
  readonly keyPrefix: string
  /** Longest wait for one Redis call (ms); a request never waits on Redis longer. Default: 50 ms */
  readonly timeout: number
  /** How often each gateway writes its devices for the fleet's `/devices` (ms). Default: 5 s */
  readonly devicesInterval: number
}

const S = 1000
const M = 60 * S
const port = (def: number): Schema => ({ type: 'integer', min: 0, max: 65535, default: def })

/** The gateway config schema; every default lives here (README § Configuration mirrors it). */
export const GATEWAY_SCHEMA = {
  type: 'object',
  required: ['upstreams'],
  fields: {
    listen: {
      type: 'object',
      fields: {
        host: { type: 'string', default: '0.0.0.0' },
        port: port(8443),
        tls: {
          type: 'object',
          required: ['cert', 'key'],
          fields: {
            cert: { type: 'string' },
            key: { type: 'string' },
            minVersion: { type: 'string', enum: ['TLSv1.2', 'TLSv1.3'], default: 'TLSv1.2' },
            ciphers: { type: 'string', default: INTERMEDIATE_CIPHERS }
          }
        }
      }
    },
    upstreams: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'url'],
        fields: {
          name: { type: 'string' },
          url: { type: 'url', protocols: ['http', 'https'] },
          ca: { type: 'string' },
          servername: { type: 'string' },
          verifyCertificate: { type: 'boolean', default: true },
          weight: { type: 'integer', min: 1, max: 1000, default: 1 }
        }
      }
    },
    server: {
      type: 'object',
      fields: {
        minHeartbeat: { type: 'duration', default: 60 * S },
        maxHeartbeat: { type: 'duration', default: 3540 * S }
      }
    },
    timeouts: {
      type: 'object',
      fields: {
        easRequestTimeout: { type: 'duration', default: 61 * M, min: 1 },
        executionTimeout: { type: 'duration', default: 62 * M, min: 1 },
        drainGrace: { type: 'duration', default: 30 * S },
        heartbeatMargin: { type: 'duration', default: 60 * S },
        connect: { type: 'duration', default: 10 * S, min: 1 },
        deviceKeepAlive: { type: 'duration', default: 120 * S, min: 1 },
        deviceHeaders: { type: 'duration', default: 60 * S, min: 1 },
        deviceBodyIdle: { type: 'duration', default: 60 * S, min: 1 },
        tlsHandshake: { type: 'duration', default: 10 * S, min: 1 }
      }
    },
    proxy: {
      type: 'object',
      fields: {
        closeOn401: { type: 'boolean', default: true },
        autodiscover: { type: 'boolean', default: false },
        maxRequestBodyBytes: { type: 'integer', min: 1, default: 64 * 1024 * 1024 },
        maxPingBodyBytes: { type: 'integer', min: 1, max: 1024 * 1024, default: 64 * 1024 },
        maxHeaders: { type: 'integer', min: 10, max: 2000, default: 100 },
        maxHeaderBytes: { type: 'integer', min: 1024, max: 1024 * 1024, default: 16 * 1024 },
        maxUrlBytes: { type: 'integer', min: 256, max: 1024 * 1024, default: 8 * 1024 }
      }
    },
    ping: {
      type: 'object',
      fields: {
        minHeartbeat: { type: 'duration', min: 1000 },
        maxHeartbeat: { type: 'duration', min: 1000 },
        failurePause: { type: 'duration', min: 0, default: 10 * S }
      }
    },
    devices: {
      type: 'object',
      fields: {
        max: { type: 'integer', min: 1, default: 100_000 },
        ttl: { type: 'duration', min: 1000, default: 2 * 60 * M }
      }
    },
    pool: {
      type: 'object',
      fields: {
        healthCheck: {
          type: 'object',
          fields: {
            interval: { type: 'duration', min: 1, default: 10 * S },
            timeout: { type: 'duration', min: 1, default: 5 * S },
            path: { type: 'string', default: '/Microsoft-Server-ActiveSync' }
          }
        },
        ejection: { type: 'object', fields: { consecutiveFailures: { type: 'integer', min: 1, max: 100, default: 3 } } },
        backoff: {
          type: 'object',
          fields: {
            initial: { type: 'duration', min: 1, default: 30 * S },
            max: { type: 'duration', min: 1, default: 120 * S },
            errorExpiry: { type: 'duration', min: 1, default: 60 * M }
          }
        }
      }
    },
    limits: {
      type: 'object',
      fields: {
        requestsPerSecond: { type: 'number', min: 0, default: 1000 },
        burst: { type: 'integer', min: 1, default: 2000 },
        perDevice: {
          type: 'object',
          fields: {
            requestsPerSecond: { type: 'number', min: 0, default: 10 },
            burst: { type: 'integer', min: 1, default: 50 },
            maxTracked: { type: 'integer', min: 1, default: 100_000 }
          }
        },
        maxHeldPings: { type: 'integer', min: 0, default: 10_000 },
        maxConnections: { type: 'integer', min: 0, default: 20_000 },
        maxRetryAfter: { type: 'duration', min: 1000, default: 10 * M }
      }
    },
    admin: {
      type: 'object',
      fields: { listen: { type: 'object', fields: { host: { type: 'string', default: '127.0.0.1' }, port: port(9464) } } }
    },
    log: {
      type: 'object',
      fields: { level: { type: 'string', default: 'info', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] } }
    },
    state: {
      type: 'object',
      fields: {
        redis: {
          type: 'object',
          required: ['url'],
          fields: {
            url: { type: 'url', protocols: ['redis', 'rediss'] },
            keyPrefix: { type: 'string', default: 'eas-gateway:' },
            timeout: { type: 'duration', min: 1, default: 50 },
            devicesInterval: { type: 'duration', min: 100, default: 5 * S }
          }
        }
      }
    },
    access: ACCESS_SCHEMA,
    auth: AUTH_SCHEMA
  }
} as const satisfies Schema

/** A gateway config as loaded: the value (absent when the file has errors) plus where each value stands. */
export interface LoadedGatewayConfig {
  readonly config?: GatewayConfig
  readonly diagnostics: readonly Diagnostic[]
  readonly positions: PositionMap
  readonly source: YamlSource
}

/**
 * Parses and validates gateway YAML. Structural problems come back as diagnostics with positions;
 * the timeout invariants are lint rules (lib/lint), run by both `gateway lint` and `gateway serve`.
 */
export function loadGatewayConfig (text: string, file: string): LoadedGatewayConfig {
  const { source, diagnostics } = parseYamlSource(text, file)
  if (diagnostics.length > 0) {
    return { diagnostics, positions: validateDocument(source, { type: 'any' }).positions, source }
  }
  const v = validateDocument(source, GATEWAY_SCHEMA)
  const diags = [...v.diagnostics, ...checkUpstreamNames(v.value, v.positions, file), ...checkAuthConfig(v.value, v.positions, file)]
  if (diags.length > 0) return { diagnostics: diags, positions: v.positions, source }
  return { config: deepFreeze(v.value as GatewayConfig), diagnostics: [], positions: v.positions, source }
}

function checkUpstreamNames (value: unknown, positions: PositionMap, file: string): Diagnostic[] {
  const ups = (value as { upstreams?: ({ name?: string } | undefined)[] } | undefined)?.upstreams ?? []
  const seen = new Set<string>()
  const out: Diagnostic[] = []
  ups.forEach((u, i) => {
    if (u?.name === undefined) return
    if (seen.has(u.name)) {
      const { line, col } = positions.at(['upstreams', i, 'name'])
      out.push({ code: 'GW0007', rule: 'duplicate-name', severity: 'error', file, line, col, path: ['upstreams', i, 'name'], message: `upstream name "${u.name}" is used twice` })
    }
    seen.add(u.name)
  })
  return out
}
