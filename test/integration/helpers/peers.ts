/**
 * Start nginx, HAProxy and Prometheus as throw-away peers for a test: each gets
 * a generated config in its own temp dir, listens on a free 127.0.0.1 port,
 * is waited for by polling (bounded), and is killed (and its dir removed) at
 * teardown. The binaries come from `bash scripts/peers-install.sh`; guard tests
 * with `requirePeer(t, 'nginx' | 'haproxy' | 'prometheus')`.
 *
 * Default configs follow the appendix of shared/notes/engine.md (one worker /
 * thread, long proxy timeouts for held Pings).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  LOOPBACK,
  canConnect,
  exitedReason,
  findExecutable,
  freePort,
  httpStatus,
  makeTempDir,
  startProcess,
  waitFor,
  type ManagedProcess,
  type TapLike,
} from './proc.js'

/** A running peer. */
export interface Peer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Its temp dir (config, logs, data); removed at teardown. */
  dir: string;
  /** Path of the generated config file. */
  configFile: string;
  process: ManagedProcess;
  /** Stops it now (also done at teardown). */
  stop(): Promise<void>;
}

/** Passed to custom config generators. */
export interface PeerConfigContext {
  /** The port the peer must listen on (127.0.0.1). */
  port: number;
  /** The peer's temp dir. */
  dir: string;
}

interface LaunchSpec {
  name: string;
  binary: string;
  /** Write the config for `port` into `dir`, return its path. */
  writeConfig: (ctx: PeerConfigContext) => Promise<string>;
  args: (ctx: PeerConfigContext & { configFile: string }) => string[];
  /** Resolves truthy when ready. */
  ready: (port: number) => Promise<boolean>;
  readyTimeoutMs: number;
  stopSignal?: NodeJS.Signals;
  /** Use this port instead of a free one. */
  port?: number;
}

const BIND_ERROR = /address already in use|cannot bind|bind\(\).*failed|EADDRINUSE/i

async function launch (t: TapLike, spec: LaunchSpec): Promise<Peer> {
  const binPath = findExecutable(spec.binary)
  if (!binPath) throw new Error(`${spec.binary} not found: run \`bash scripts/peers-install.sh\``)
  const dir = await makeTempDir(t, `eas-it-${spec.name}-`)
  for (let attempt = 1; ; attempt++) {
    const port = spec.port ?? (await freePort())
    const configFile = await spec.writeConfig({ port, dir })
    const proc = startProcess(t, {
      name: spec.name,
      command: binPath,
      args: spec.args({ port, dir, configFile }),
      cwd: dir,
      stopGraceMs: 5000,
      ...(spec.stopSignal ? { stopSignal: spec.stopSignal } : {}),
    })
    try {
      await waitFor(`${spec.name} on 127.0.0.1:${port}`, () => spec.ready(port), {
        timeoutMs: spec.readyTimeoutMs,
        abortIf: () => exitedReason(proc),
      })
      return {
        url: `http://${LOOPBACK}:${port}`,
        port,
        dir,
        configFile,
        process: proc,
        stop: async () => { await proc.stop() },
      }
    } catch (err) {
      await proc.stop()
      // Someone took the port between freePort() and bind(): try another one.
      if (spec.port === undefined && attempt < 3 && BIND_ERROR.test(proc.output())) continue
      throw err
    }
  }
}

/** Options for {@link startNginx}. */
export interface NginxOptions {
  /** Where to proxy every request (`http://127.0.0.1:18080`); required unless `config` is given. */
  upstream?: string;
  /** proxy_read_timeout / proxy_send_timeout in seconds (default 3700: longer than any heartbeat). */
  readTimeoutSec?: number;
  /** Client keepalive_timeout in seconds (default 120). */
  keepaliveTimeoutSec?: number;
  /** Upstream keep-alive pool size (default 0 = a new upstream connection per request). */
  upstreamKeepalive?: number;
  /** Extra directives inside http {}, server {} and location / {}. */
  extraHttp?: string;
  extraServer?: string;
  extraLocation?: string;
  /** Full nginx.conf instead of the generated one (must listen on 127.0.0.1:ctx.port; no `daemon`/`pid`). */
  config?: (ctx: PeerConfigContext) => string;
  /** Fixed port instead of a free one. */
  port?: number;
}

/** Generates the default nginx.conf (exported for tests that want to tweak it). */
export function nginxConfig (ctx: PeerConfigContext, o: NginxOptions): string {
  if (!o.upstream) throw new Error('startNginx: `upstream` or `config` is required')
  const up = new URL(o.upstream)
  const rt = o.readTimeoutSec ?? 3700
  const ka = o.upstreamKeepalive ?? 0
  return `worker_processes 1;
error_log ${join(ctx.dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log ${join(ctx.dir, 'access.log')};
  client_body_temp_path ${join(ctx.dir, 'tmp', 'body')};
  proxy_temp_path ${join(ctx.dir, 'tmp', 'proxy')};
  client_max_body_size 64m;
  upstream up {
    server ${up.hostname}:${up.port || 80};
    ${ka > 0 ? `keepalive ${ka};` : ''}
  }
  ${o.extraHttp ?? ''}
  server {
    listen ${LOOPBACK}:${ctx.port};
    keepalive_timeout ${o.keepaliveTimeoutSec ?? 120}s;
    ${o.extraServer ?? ''}
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_read_timeout ${rt}s;
      proxy_send_timeout ${rt}s;
      ${o.extraLocation ?? ''}
    }
  }
}
`
}

/** Starts nginx (master + 1 worker, foreground) as a reverse proxy. */
export function startNginx (t: TapLike, opts: NginxOptions): Promise<Peer> {
  return launch(t, {
    name: 'nginx',
    binary: 'nginx',
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    writeConfig: async (ctx) => {
      await mkdir(join(ctx.dir, 'tmp'), { recursive: true, mode: 0o755 })
      const file = join(ctx.dir, 'nginx.conf')
      await writeFile(file, opts.config ? opts.config(ctx) : nginxConfig(ctx, opts))
      return file
    },
    args: ({ dir, configFile }) => [
      '-p', `${dir}/`,
      '-c', configFile,
      '-e', join(dir, 'error.log'),
      '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`,
    ],
    ready: (port) => canConnect(port, 500),
    readyTimeoutMs: 10_000,
    stopSignal: 'SIGTERM',
  })
}

/** Options for {@link startHaproxy}. */
export interface HaproxyOptions {
  /** Backend server, `http://127.0.0.1:18080` or `127.0.0.1:18080`; required unless `config` is given. */
  upstream?: string;
  /** HAProxy timeouts (HAProxy syntax, e.g. "5s", "3700s"). */
  timeouts?: { connect?: string; client?: string; server?: string; httpKeepAlive?: string; httpRequest?: string };
  /** `option abortonclose` (default true, as in engine.md). */
  abortOnClose?: boolean;
  /** `http-reuse` mode (default "safe"). */
  httpReuse?: 'never' | 'safe' | 'aggressive' | 'always';
  extraGlobal?: string;
  extraDefaults?: string;
  extraFrontend?: string;
  extraBackend?: string;
  /** Full haproxy.cfg instead of the generated one (must bind 127.0.0.1:ctx.port). */
  config?: (ctx: PeerConfigContext) => string;
  port?: number;
}

/** Generates the default haproxy.cfg (engine.md appendix, `haproxy-abort.cfg`). */
export function haproxyConfig (ctx: PeerConfigContext, o: HaproxyOptions): string {
  if (!o.upstream) throw new Error('startHaproxy: `upstream` or `config` is required')
  const server = o.upstream.includes('://') ? new URL(o.upstream).host : o.upstream
  const to = o.timeouts ?? {}
  return `global
    nbthread 1
    maxconn 6000
    ${o.extraGlobal ?? ''}
defaults
    mode http
    timeout connect ${to.connect ?? '5s'}
    timeout client ${to.client ?? '3700s'}
    timeout server ${to.server ?? '3700s'}
    timeout http-keep-alive ${to.httpKeepAlive ?? '120s'}
    ${to.httpRequest ? `timeout http-request ${to.httpRequest}` : ''}
    ${o.abortOnClose ?? true ? 'option abortonclose' : ''}
    ${o.extraDefaults ?? ''}
frontend fe
    bind ${LOOPBACK}:${ctx.port}
    default_backend be
    ${o.extraFrontend ?? ''}
backend be
    http-reuse ${o.httpReuse ?? 'safe'}
    server up1 ${server}
    ${o.extraBackend ?? ''}
`
}

/** Starts HAProxy in the foreground (`-db`) as a reverse proxy. */
export function startHaproxy (t: TapLike, opts: HaproxyOptions): Promise<Peer> {
  return launch(t, {
    name: 'haproxy',
    binary: 'haproxy',
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    writeConfig: async (ctx) => {
      const file = join(ctx.dir, 'haproxy.cfg')
      await writeFile(file, opts.config ? opts.config(ctx) : haproxyConfig(ctx, opts))
      return file
    },
    args: ({ configFile }) => ['-db', '-f', configFile],
    ready: (port) => canConnect(port, 500),
    readyTimeoutMs: 10_000,
  })
}

/** Options for {@link startPrometheus}. */
export interface PrometheusOptions {
  /** Scrape targets as `127.0.0.1:port`. */
  targets?: string[];
  /** Default "/metrics". */
  metricsPath?: string;
  /** Seconds (default 1). */
  scrapeIntervalSec?: number;
  /** Default "eas-gateway". */
  jobName?: string;
  /** Full prometheus.yml instead of the generated one. */
  config?: (ctx: PeerConfigContext) => string;
  port?: number;
}

/** Generates the default prometheus.yml. */
export function prometheusConfig (_ctx: PeerConfigContext, o: PrometheusOptions): string {
  const iv = o.scrapeIntervalSec ?? 1
  const targets = (o.targets ?? []).map((x) => JSON.stringify(x)).join(', ')
  return `global:
  scrape_interval: ${iv}s
  scrape_timeout: ${iv}s
scrape_configs:
  - job_name: ${JSON.stringify(o.jobName ?? 'eas-gateway')}
    metrics_path: ${JSON.stringify(o.metricsPath ?? '/metrics')}
    static_configs:
      - targets: [${targets}]
`
}

/** Starts Prometheus with a fresh TSDB in its temp dir; ready when `/-/ready` answers 200. */
export function startPrometheus (t: TapLike, opts: PrometheusOptions = {}): Promise<Peer> {
  return launch(t, {
    name: 'prometheus',
    binary: 'prometheus',
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    writeConfig: async (ctx) => {
      const file = join(ctx.dir, 'prometheus.yml')
      await writeFile(file, opts.config ? opts.config(ctx) : prometheusConfig(ctx, opts))
      return file
    },
    args: ({ port, dir, configFile }) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      '--log.level=warn',
    ],
    ready: async (port) => (await httpStatus(`http://${LOOPBACK}:${port}/-/ready`, 1000)) === 200,
    readyTimeoutMs: 30_000,
  })
}

/** Runs an instant PromQL query; resolves the `data.result` array of the API answer. */
export async function queryPrometheus (prom: Peer, promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(promql)}`, {
    signal: AbortSignal.timeout(5000),
  })
  const body = (await res.json()) as { status: string; error?: string; data?: { result?: unknown } }
  if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error ?? res.status}`)
  return (body.data?.result ?? []) as Array<{ metric: Record<string, string>; value: [number, string] }>
}

/** Polls Prometheus until every scrape target is healthy ("up"), bounded by `timeoutMs`. */
export async function waitForScrape (prom: Peer, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    'Prometheus targets to be up',
    async () => {
      const res = await fetch(`${prom.url}/api/v1/targets`, { signal: AbortSignal.timeout(2000) })
      const body = (await res.json()) as { data?: { activeTargets?: Array<{ health: string }> } }
      const targets = body.data?.activeTargets ?? []
      return targets.length > 0 && targets.every((x) => x.health === 'up')
    },
    { timeoutMs, abortIf: () => exitedReason(prom.process) }
  )
}
