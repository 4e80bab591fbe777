import { ACCESS_SCHEMA, AUTH_SCHEMA, checkAuthConfig } from './access-config.js'
import { parseCidr } from './cidr.js'
import type { Diagnostic } from './diagnostic.js'
import { deepFreeze } from './deep-freeze.js'
import { validateDocument, type PositionMap, type Schema } from './schema.js'
import type { Infer } from './schema-types.js'
import { parseYamlSource, type YamlSource } from './yaml-source.js'

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

const S = 1000
const M = 60 * S
const port = (def: number) => ({ type: 'integer', min: 0, max: 65535, default: def }) as const

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
        trustedProxies: {
          type: 'array',
          items: { type: 'string' },
          doc: 'CIDRs (or addresses) of proxies in front of the gateway whose X-Forwarded-For is believed for the client address; none by default'
        },
        proxyProtocol: {
          type: 'string',
          enum: ['off', 'v1', 'v2'],
          default: 'off',
          doc: 'Expect a PROXY protocol header (HAProxy send-proxy = v1, send-proxy-v2 = v2) at the start of every device connection; a connection without a valid one is refused'
        },
        tls: {
          type: 'object',
          required: ['cert', 'key'],
          doc: 'Serve HTTPS to devices; the PEM files are resolved against the config file\'s folder',
          fields: {
            cert: { type: 'string', doc: 'PEM certificate chain file' },
            key: { type: 'string', doc: 'PEM private key file' },
            minVersion: { type: 'string', enum: ['TLSv1.2', 'TLSv1.3'], default: 'TLSv1.2', doc: 'Oldest protocol version a device may use' },
            ciphers: { type: 'string', default: INTERMEDIATE_CIPHERS, doc: 'OpenSSL cipher list for TLS 1.2 (default: Mozilla\'s "intermediate" profile)' }
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
          name: { type: 'string', doc: 'Label of this upstream in metrics and logs (unique)' },
          url: { type: 'url', protocols: ['http', 'https'], doc: 'Base URL; the EAS path of the device request is appended to its path' },
          ca: { type: 'string', doc: 'PEM file of the CA that signs the upstream\'s certificate (resolved against the config file)' },
          servername: { type: 'string', doc: 'TLS server name to verify, when it differs from the URL host' },
          verifyCertificate: { type: 'boolean', default: true, doc: 'Verify the upstream certificate' },
          weight: { type: 'integer', min: 1, max: 1000, default: 1, doc: 'Share of new requests relative to the other upstreams (least connections per weight)' },
          http2: { type: 'boolean', default: false, doc: 'Speak HTTP/2 to this upstream (h2 over TLS for https://, h2c with prior knowledge for http://): requests, held Pings included, travel as streams on a few shared connections' },
          http2For: { type: 'string', enum: ['all', 'pings'], doc: 'With http2: which requests travel as HTTP/2 streams: all (default), or pings (held Pings only; every other command and the health checks over HTTP/1.1 to the same URL, so the server must speak both there, e.g. IIS or nginx over TLS, chosen by ALPN)' },
          maxStreamsPerConnection: { type: 'integer', min: 1, max: 1000000, doc: 'With http2: at most this many streams per connection, below the server\'s own SETTINGS_MAX_CONCURRENT_STREAMS (default: the server\'s); the linter checks it' }
        }
      }
    },
    server: {
      type: 'object',
      fields: {
        minHeartbeat: { type: 'duration', default: 60 * S, doc: 'The mail server\'s MinHeartbeatInterval' },
        maxHeartbeat: { type: 'duration', default: 3540 * S, doc: 'The mail server\'s MaxHeartbeatInterval (Exchange: 3540s)' }
      }
    },
    timeouts: {
      type: 'object',
      fields: {
        easRequestTimeout: { type: 'duration', default: 61 * M, min: 1, doc: 'Longest wait for the upstream\'s response headers; must exceed server.maxHeartbeat + heartbeatMargin' },
        executionTimeout: { type: 'duration', default: 62 * M, min: 1, doc: 'Hard cap on a request\'s whole life at the gateway; must exceed easRequestTimeout' },
        drainGrace: { type: 'duration', default: 30 * S, doc: 'On SIGTERM: how long in-flight requests may finish before held Pings are answered' },
        heartbeatMargin: { type: 'duration', default: 60 * S, doc: 'How much longer than the heartbeat the gateway waits' },
        connect: { type: 'duration', default: 10 * S, min: 1, doc: 'Upstream connect timeout' },
        deviceKeepAlive: { type: 'duration', default: 120 * S, min: 1, doc: 'Idle keep-alive of device connections' },
        deviceHeaders: { type: 'duration', default: 60 * S, min: 1, doc: 'Time a device has to send its request headers' },
        deviceBodyIdle: { type: 'duration', default: 60 * S, min: 1 },
        tlsHandshake: { type: 'duration', default: 10 * S, min: 1 }
      }
    },
    proxy: {
      type: 'object',
      fields: {
        closeOn401: { type: 'boolean', default: true, doc: 'Add Connection: close to every 401 and close the device socket' },
        autodiscover: { type: 'boolean', default: false, doc: 'Also forward /autodiscover/autodiscover.xml' },
        maxRequestBodyBytes: { type: 'integer', min: 1, default: 64 * 1024 * 1024, doc: 'Largest request body accepted (bytes), counted as they arrive' },
        maxPingBodyBytes: { type: 'integer', min: 1, max: 1024 * 1024, default: 64 * 1024 },
        maxHeaders: { type: 'integer', min: 10, max: 2000, default: 100 },
        maxHeaderBytes: { type: 'integer', min: 1024, max: 1024 * 1024, default: 16 * 1024 },
        maxUrlBytes: { type: 'integer', min: 256, max: 1024 * 1024, default: 8 * 1024 }
      }
    },
    ping: {
      type: 'object',
      doc: 'The gateway\'s own heartbeat limits, stricter than the server\'s (e.g. from gateway lint)',
      fields: {
        minHeartbeat: { type: 'duration', min: 1000 },
        maxHeartbeat: { type: 'duration', min: 1000 },
        failurePause: { type: 'duration', min: 0, default: 10 * S }
      }
    },
    devices: {
      type: 'object',
      doc: 'Bounds of the per-device table behind /devices',
      fields: {
        max: { type: 'integer', min: 1, default: 100_000 },
        ttl: { type: 'duration', min: 1000, default: 2 * 60 * M },
        viewLimit: { type: 'integer', min: 1, max: 1_000_000, default: 1000, doc: 'Most devices one /devices answer lists (?limit= asks for fewer)' }
      }
    },
    pool: {
      type: 'object',
      doc: 'Upstream pool: active health checks, passive ejection, re-probe backoff',
      fields: {
        healthCheck: {
          type: 'object',
          doc: 'OPTIONS on path every interval; 200 or 401 means alive',
          fields: {
            interval: { type: 'duration', min: 1, default: 10 * S },
            timeout: { type: 'duration', min: 1, default: 5 * S },
            path: { type: 'string', default: '/Microsoft-Server-ActiveSync' }
          }
        },
        ejection: { type: 'object', fields: { consecutiveFailures: { type: 'integer', min: 1, max: 100, default: 3, doc: 'Consecutive connect or health-check failures that eject an upstream' } } },
        backoff: {
          type: 'object',
          doc: 'Re-probe delay of an ejected upstream, and when failure counts reset',
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
      doc: 'Storm protection; a value of 0 switches that limit off',
      fields: {
        requestsPerSecond: { type: 'number', min: 0, default: 1000, doc: 'New upstream requests per second, all devices together' },
        burst: { type: 'integer', min: 1, default: 2000, doc: 'Bucket size of requestsPerSecond' },
        perDevice: {
          type: 'object',
          doc: 'Requests per second of one device (user + DeviceId)',
          fields: {
            requestsPerSecond: { type: 'number', min: 0, default: 10 },
            burst: { type: 'integer', min: 1, default: 50 },
            maxTracked: { type: 'integer', min: 1, default: 100_000, doc: 'Devices tracked at once' }
          }
        },
        maxHeldPings: { type: 'integer', min: 0, default: 10_000, doc: 'Pings held at once' },
        maxConnections: { type: 'integer', min: 0, default: 20_000, doc: 'Open device connections' },
        maxRetryAfter: { type: 'duration', min: 1000, default: 10 * M, doc: 'Longest Retry-After a rejected device is given' }
      }
    },
    workers: { type: 'integer', min: 0, max: 256, default: 0, doc: 'Worker processes of gateway serve: 0 = the cores (within the cgroup CPU quota), 1 = one process; --workers overrides' },
    admin: {
      type: 'object',
      fields: {
        listen: { type: 'object', fields: { host: { type: 'string', default: '127.0.0.1' }, port: port(9464) } },
        auth: {
          type: 'object',
          doc: '/devices and /trace need a credential; /metrics, /healthz, /readyz stay open. Required (this or admin.tls.clientCa) when admin.listen.host is not loopback',
          fields: {
            tokenFile: { type: 'string', doc: 'File holding the bearer token (Authorization: Bearer TOKEN), resolved against the config file; surrounding whitespace is ignored' }
          }
        },
        tls: {
          type: 'object',
          required: ['cert', 'key'],
          doc: 'Serve the admin listener over HTTPS (PEM files resolved against the config file)',
          fields: {
            cert: { type: 'string', doc: 'PEM certificate chain file' },
            key: { type: 'string', doc: 'PEM private key file' },
            clientCa: { type: 'string', doc: 'PEM CA file: /devices and /trace need a client certificate it signs (/metrics, /healthz, /readyz do not)' }
          }
        }
      }
    },
    log: {
      type: 'object',
      fields: { level: { type: 'string', default: 'info', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] } }
    },
    state: {
      type: 'object',
      doc: 'State shared by several gateways; without redis everything stays local to this process',
      fields: {
        redis: {
          type: 'object',
          required: ['url'],
          doc: 'The Redis (or Valkey) that several gateways share',
          fields: {
            url: { type: 'url', protocols: ['redis', 'rediss'], doc: 'redis://[user:password@]host:port[/db] or rediss:// (TLS)' },
            keyPrefix: { type: 'string', default: 'eas-gateway:', doc: 'Prefix of every key and channel, so that several fleets can share one Redis' },
            timeout: { type: 'duration', min: 1, default: 50, doc: 'Longest wait for one Redis call; a request never waits on Redis longer' },
            devicesInterval: { type: 'duration', min: 100, default: 5 * S, doc: 'How often each gateway writes its devices for the fleet\'s /devices' }
          }
        }
      }
    },
    access: ACCESS_SCHEMA,
    auth: AUTH_SCHEMA
  }
} as const satisfies Schema

/** The validated, defaulted, frozen gateway configuration. All durations are milliseconds. */
export type GatewayConfig = Infer<typeof GATEWAY_SCHEMA>
/** One mail server the gateway forwards to. */
export type UpstreamConfig = GatewayConfig['upstreams'][number]
/** A listener address. */
export type ListenConfig = GatewayConfig['admin']['listen']
/** Device-side TLS (README § TLS). */
export type TlsListenConfig = NonNullable<GatewayConfig['listen']['tls']>
/** Upstream pool: active health checks, passive ejection, re-probe backoff (README § Upstream pool). */
export type PoolConfig = GatewayConfig['pool']
/** Storm protection (README § Upstream pool). A value of 0 switches that limit off. */
export type LimitsConfig = GatewayConfig['limits']
/** `state.redis`: the Redis (or Valkey) that several gateways share (README § Running several gateways). */
export type RedisStateConfig = NonNullable<GatewayConfig['state']['redis']>

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
  const diags = [...v.diagnostics, ...checkUpstreamNames(v.value?.upstreams ?? [], v.positions, file), ...checkAuthConfig(v.value, v.positions, file), ...checkTrustedProxies(v.value?.listen?.trustedProxies ?? [], v.positions, file), ...checkAdminExposure(v.valid, v.positions, file)]
  // An empty document is "absent" to the schema walker, not an error: say what is missing.
  if (v.value === undefined && diags.length === 0) {
    diags.push({ code: 'GW0004', rule: 'missing-key', severity: 'error', file, line: 1, col: 1, path: [], message: 'the file is empty: missing required key "upstreams"' })
  }
  if (diags.length > 0 || v.valid === undefined) return { diagnostics: diags, positions: v.positions, source }
  return { config: deepFreeze(v.valid), diagnostics: [], positions: v.positions, source }
}

/** Every `listen.trustedProxies` entry must be a CIDR or an address (GW0006 at the entry). */
function checkTrustedProxies (list: readonly (string | undefined)[], positions: PositionMap, file: string): Diagnostic[] {
  const out: Diagnostic[] = []
  list.forEach((cidr, i) => {
    if (cidr === undefined || parseCidr(cidr) !== undefined) return
    const path = ['listen', 'trustedProxies', i]
    const { line, col } = positions.at(path)
    out.push({ code: 'GW0006', rule: 'invalid-value', severity: 'error', file, line, col, path, message: `"${cidr}" is not a CIDR (10.0.0.0/8, 2001:db8::/32) or an IP address` })
  })
  return out
}

function checkUpstreamNames (ups: readonly ({ readonly name?: string } | undefined)[], positions: PositionMap, file: string): Diagnostic[] {
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

/** Whether a listen host stays on this machine: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost (host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h)
}

/**
 * An admin listener beyond loopback shows /devices (users, DeviceIds, addresses) and /trace
 * (a device's requests): it needs admin.auth.tokenFile or admin.tls.clientCa (README § Admin listener).
 */
function checkAdminExposure (valid: GatewayConfig | undefined, positions: PositionMap, file: string): Diagnostic[] {
  const a = valid?.admin
  if (a === undefined || isLoopbackHost(a.listen.host)) return []
  if (a.auth?.tokenFile !== undefined || a.tls?.clientCa !== undefined) return []
  const path = ['admin', 'listen', 'host']
  const { line, col } = positions.keyAt(path)
  return [{
    code: 'GW0006',
    rule: 'invalid-value',
    severity: 'error',
    file,
    line,
    col,
    path,
    message: `admin.listen.host ${a.listen.host} is not loopback: /devices and /trace would be open to anyone who reaches it`,
    hint: 'set admin.auth.tokenFile (a bearer token) or admin.tls with clientCa (client certificates), or bind 127.0.0.1'
  }]
}
