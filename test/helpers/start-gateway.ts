import { Registry } from 'prom-client'
import { stringify } from 'yaml'
import { contextParsers } from '../../lib/cli/parsers.js'
import { loadGatewayConfig, type GatewayConfig } from '../../lib/config/index.js'
import { lintGatewayConfig } from '../../lib/lint/index.js'
import { createLogger } from '../../lib/log/index.js'
import { createMetrics, type Metrics } from '../../lib/metrics/index.js'
import { createGateway, type Gateway, type GatewayDeps } from '../../lib/proxy/index.js'
import { createUpstreams, type UpstreamSet } from '../../lib/upstream/index.js'
import { createLogSink, type LogSink } from './log-sink.js'

/** The part of a tap Test the helpers need. */
export interface Teardown { teardown (fn: () => unknown): void }

/** A plain nested object: the YAML a test wants, as data. */
export type ConfigTree = { [k: string]: unknown }

/**
 * Test-scale config: every timeout cut from minutes to seconds, keeping the gateway's invariant
 * (maxHeartbeat + heartbeatMargin < easRequestTimeout < executionTimeout), as 61m/62m do.
 */
export function testConfigTree (upstreamUrl: string): ConfigTree {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    upstreams: [{ name: 'up1', url: upstreamUrl }],
    server: { minHeartbeat: '100ms', maxHeartbeat: '2s' },
    timeouts: { easRequestTimeout: '3s', executionTimeout: '4s', heartbeatMargin: '500ms', drainGrace: '1s', connect: '2s' },
    admin: { listen: { host: '127.0.0.1', port: 0 } },
    // A Ping ended by an upstream failure is answered after this pause (10 s in production).
    ping: { failurePause: '300ms' },
    // The first health-check probe comes one interval after listen: none within a test, so the
    // loopback upstream sees only the device requests.
    pool: { healthCheck: { interval: '10m' } },
    log: { level: 'info' }
  }
}

/** Deep-merges `over` into `base` (objects merge, everything else replaces). */
export function mergeTree (base: ConfigTree, over: ConfigTree): ConfigTree {
  const out: ConfigTree = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    out[k] = isTree(v) && isTree(b) ? mergeTree(b, v) : v
  }
  return out
}

function isTree (v: unknown): v is ConfigTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Loads a config tree through the real loader and the lint rules serve runs; throws on any
 * error finding, as serve would refuse to start (scaled-down heartbeats do draw warnings).
 */
export function loadTestConfig (tree: ConfigTree): GatewayConfig {
  const loaded = loadGatewayConfig(stringify(tree), 'test.yaml')
  const findings = lintGatewayConfig(loaded).filter((d) => d.severity === 'error')
  if (loaded.config === undefined || findings.length > 0) {
    throw new Error(`test config refused:\n${findings.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`).join('\n')}`)
  }
  return loaded.config
}

/** A gateway running in this process, with everything a test asserts on. */
export interface TestGateway {
  readonly config: GatewayConfig
  readonly gateway: Gateway
  readonly sink: LogSink
  readonly registry: Registry
  readonly metrics: Metrics
  readonly upstreams: UpstreamSet
  readonly port: number
  readonly adminPort: number
  /** Drains the gateway (idempotent; teardown calls it too). */
  stop (): Promise<void>
}

/** PEM material the composition root would read from files (listen.tls, upstreams[].ca). */
export interface TestPem {
  /** Device-side HTTPS: key and certificate. */
  readonly tls?: { readonly key: string, readonly cert: string }
  /** CA for the upstream `up1`. */
  readonly upstreamCa?: string
}

/**
 * Builds and starts a gateway in-process: real sockets on 127.0.0.1, free ports, a fresh Registry,
 * logs into an in-memory sink. Teardown drains it (closing the listeners and the upstream pools).
 */
export async function startGateway (t: Teardown, upstreamUrl: string, over: ConfigTree = {}, pem: TestPem = {}, extra: Pick<GatewayDeps, 'access' | 'admin' | 'clock'> = {}): Promise<TestGateway> {
  const config = loadTestConfig(mergeTree(testConfigTree(upstreamUrl), over))
  const sink = createLogSink()
  const logger = createLogger({ level: config.log.level, destination: sink.stream })
  const registry = new Registry()
  const metrics = createMetrics(registry, { version: 'test', defaultMetrics: false })
  // Wired as lib/cli/serve.ts wires it.
  const upstreams = createUpstreams(config.upstreams.map((u) => ({ ...u, ...(pem.upstreamCa !== undefined ? { caPem: pem.upstreamCa } : {}) })),
    { connectTimeout: config.timeouts.connect, pool: config.pool, metrics, logger })
  const gateway = createGateway({ config, logger, registry, metrics, upstreams, parsers: contextParsers, ...(pem.tls !== undefined ? { tls: pem.tls } : {}), ...extra })
  const { port, adminPort } = await gateway.listen()
  let stopped: Promise<void> | undefined
  const stop = async (): Promise<void> => { stopped ??= gateway.drain(); await stopped }
  t.teardown(stop)
  return { config, gateway, sink, registry, metrics, upstreams, port, adminPort, stop }
}
