import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Registry } from 'prom-client'
import { loadGatewayConfig, type GatewayConfig } from '../config/index.js'
import { createDemoUpstream } from '../demo/index.js'
import { createLogDestination, createLogger, type Logger } from '../log/index.js'
import { EAS_COMMANDS } from '../eas/index.js'
import { createMetrics, presetCounters } from '../metrics/index.js'
import { packageVersion } from '../package-root.js'
import { createGateway, OUTCOMES, type Gateway } from '../proxy/index.js'
import { createUpstreams } from '../upstream/index.js'
import { GatewayError } from '../errors.js'
import { openFilesWarning } from './check-open-files.js'
import { readOrThrow } from './cli-error.js'
import { checkConfig } from './check-config.js'
import { DEMO_PORTS, demoBanner, demoConfigText } from './demo-config.js'
import { EXIT, type CliIo } from './io.js'
import { contextParsers } from './parsers.js'
import { readConfigFiles } from './read-config-files.js'
import { createReloader } from './reload-config.js'
import { defaultWorkers } from './default-workers.js'
import { runPrimary } from './serve-cluster.js'
import { createWorkerLink, workerConfig, type WorkerLink } from './serve-worker.js'
import { startAccess } from './start-access.js'

const USAGE = `usage: gateway serve [-c FILE] [--workers N] [--port N] [--admin-port N]

Runs the gateway. The config is checked first with the same code path as \`gateway check\` and
\`gateway lint\`; a config with error findings is refused (exit 2). SIGTERM or SIGINT drains: held
Pings are answered Status 1, in-flight requests finish within timeouts.drainGrace, then exit 0.

With --workers N above 1, a primary process owns the admin listener (metrics summed over the
workers) and N worker processes share the device listener. SIGHUP (new config) and SIGUSR2 (new
build on disk) start N new workers, then drain the old ones: their held Pings are answered
Status 1 one by one over timeouts.drainGrace. A worker that dies is replaced at once.

options:
  -c, --config FILE      the gateway config (default: $EAS_GATEWAY_CONFIG); without either, the built-in demo runs:
                         a demo EAS server behind the gateway, both on 127.0.0.1
  -w, --workers N        worker processes (default: the number of cores, within the cgroup CPU quota;
                         1: one process, no primary, as before)
  -p, --port N           the demo's device port (default: ${DEMO_PORTS.port}; 0 picks a free one)
  --admin-port N         the demo's admin port: /metrics, /healthz, /readyz (default: ${DEMO_PORTS.adminPort})
  -h, --help             this text

npm start runs the demo: npm start -- --port 8081 --admin-port 9465
`

/**
 * `gateway serve [-c FILE]`: the composition root. Loads and checks the config with the same code
 * path as `gateway lint`, reads TLS/CA files, wires logger, metrics, upstreams and the proxy, and
 * drains on shutdown. Without -c it runs the built-in demo (a demo EAS server behind the gateway).
 * Resolves with the exit code once the gateway has drained.
 */
export async function runServe (argv: string[], io: CliIo): Promise<number> {
  // A worker of `serve --workers N`: the primary checked the config and hands it over as text.
  const asWorker = workerConfig(io.env)
  if (asWorker !== undefined) return await serve(asWorker.shown, asWorker.file, asWorker.text, io, createWorkerLink(io.onShutdown))
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      config: { type: 'string', short: 'c' },
      workers: { type: 'string', short: 'w' },
      port: { type: 'string', short: 'p' },
      'admin-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) { io.stdout(USAGE); return EXIT.OK }
  const count = await workersOption(values.workers, io)
  const run = async (shown: string, file: string | undefined, text: string): Promise<number> => {
    // --workers, else the file's `workers` (a config that does not load is refused further on), else the cores.
    const workers = count.of(loadGatewayConfig(text, shown).config)
    return workers === 1 ? await serve(shown, file, text, io) : await runPrimary({ shown, file, text, workers, workersOf: count.of, io, entry: io.cluster?.entry ?? '' })
  }
  const config = values.config ?? io.env.EAS_GATEWAY_CONFIG
  if (config === undefined) {
    const ports = { port: portOption('--port', values.port, DEMO_PORTS.port), adminPort: portOption('--admin-port', values['admin-port'], DEMO_PORTS.adminPort) }
    const demo = await startDemo()
    try {
      return await run('<built-in demo config>', undefined, demoConfigText(demo.port, ports))
    } finally {
      demo.server.close()
    }
  }
  if (values.port !== undefined || values['admin-port'] !== undefined) {
    throw new GatewayError('GW_ERR_CLI_USAGE', '--port and --admin-port set the built-in demo\'s ports; with -c, set listen.port and admin.listen.port in the file')
  }
  const file = resolve(io.cwd, config)
  return await run(config, file, await readOrThrow(io.readFile, file, config))
}

/** Most workers `--workers` takes: far above any core count a gateway host has. */
const MAX_WORKERS = 256

/**
 * How many workers: `--workers N` (1 to 256) when given; else the config's `workers` when above 0;
 * else the host's cores within the container's CPU quota ({@link defaultWorkers}). Where no worker
 * can be forked (in-process, without bin/), 1 unless --workers asks for more (refused).
 */
async function workersOption (value: string | undefined, io: CliIo): Promise<{ of: (config: GatewayConfig | undefined) => number }> {
  if (value === undefined) {
    if (io.cluster === undefined) return { of: () => 1 }
    const cpuMax = await io.readFile('/sys/fs/cgroup/cpu.max').catch(() => undefined)
    const auto = Math.min(MAX_WORKERS, defaultWorkers(io.cluster.cores, cpuMax))
    return { of: (config) => config !== undefined && config.workers > 0 ? config.workers : auto }
  }
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_WORKERS) throw new GatewayError('GW_ERR_CLI_USAGE', `--workers must be a number from 1 to ${MAX_WORKERS}, got "${value}"`)
  if (n > 1 && io.cluster === undefined) throw new GatewayError('GW_ERR_CLI_USAGE', '--workers above 1 needs the gateway binary (dist/bin/gateway.js) to fork workers')
  return { of: () => n }
}

/** A port number from the command line (0 picks a free one), or GW_ERR_CLI_USAGE. */
function portOption (name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > 65535) throw new GatewayError('GW_ERR_CLI_USAGE', `${name} must be a port number from 0 to 65535, got "${value}"`)
  return n
}

/**
 * Checks the config as `gateway check` does, then runs the gateway until shutdown has drained.
 * `file` is the config file (absolute), undefined for the built-in demo.
 */
async function serve (shown: string, file: string | undefined, text: string, io: CliIo, worker?: WorkerLink): Promise<number> {
  // A worker's findings were printed by the primary already: once per group, not once per worker.
  const { config, loaded } = checkConfig(text, shown, worker === undefined ? io : { ...io, stderr: () => {} })
  if (config === undefined) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${shown}: configuration refused, not starting`)
  const files = await readConfigFiles({ ...loaded, config }, dirname(file ?? io.cwd), io)

  // A full or failing stdout costs log lines (counted, reported on stderr), never mail (issue 9).
  const destination = createLogDestination({
    ...(io.logWrite !== undefined ? { write: io.logWrite } : {}),
    report: (data, done) => { io.stderr(data.toString()); done(null, data.length) }
  })
  const root = createLogger({ level: config.log.level, destination })
  // A worker's lines say which worker wrote them (the primary logs its deaths by the same id and pid).
  const logger = worker === undefined ? root : root.child({ worker: worker.id, pid: worker.pid })
  const fdWarning = worker === undefined ? openFilesWarning(config, await io.readFile('/proc/self/limits').catch(() => undefined)) : undefined
  if (fdWarning !== undefined) {
    io.stderr(`gateway: warning: ${fdWarning}\n`)
    logger.warn({ code: 'GW_ERR_PROXY_FD_EXHAUSTED' }, fdWarning)
  }
  const registry = new Registry()
  const metrics = createMetrics(registry, { version: packageVersion(), logLinesDropped: () => destination.dropped })
  presetCounters(metrics, { commands: [...EAS_COMMANDS, 'other'], outcomes: OUTCOMES, upstreams: config.upstreams.map((u) => u.name) })
  // The pool's health checks start with the listeners and stop when the gateway drains.
  const upstreams = createUpstreams(config.upstreams.map((u) => ({ ...u, caPem: files.ca[u.name] })), { connectTimeout: config.timeouts.connect, pool: config.pool, metrics, logger })
  // Device access control (issue #10): a policy that does not load refuses the start, as lint would.
  const access = await startAccess(config, dirname(file ?? io.cwd), io, logger)
  if (typeof access === 'string') { io.stderr(access); await upstreams.close(); return EXIT.USAGE }
  // A worker leaves the admin listener to the primary and, without Redis, shares state through it.
  const group = worker === undefined ? {} : { adminListener: false, ...(config.state.redis === undefined ? { shared: worker.sharedState() } : {}) }
  const gateway = createGateway({ config, logger, registry, metrics, upstreams, parsers: contextParsers, ...(files.tls !== undefined ? { tls: files.tls } : {}), ...(files.admin !== undefined ? { admin: files.admin } : {}), access: access.deps, ...group })
  let ports
  try {
    ports = await gateway.listen()
  } catch (err) {
    io.stderr(`gateway: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`)
    access.stop()
    await upstreams.close()
    return EXIT.FINDINGS
  }
  if (worker !== undefined) return await serveWorker(worker, { gateway, registry, logger, access, port: ports.port, io, done: async () => { await flushLog(logger, destination) } })
  if (file === undefined) io.stderr(demoBanner(ports.port, ports.adminPort))
  // SIGHUP: TLS key/certificate and log level anew, through the same checks as start-up (issue 9).
  const reload = createReloader({ file, name: shown, io, logger, gateway, running: { config, files } })
  // SIGHUP: TLS, log level (issue #9) and the device access policy (issue #10), one handler.
  io.onReload?.(async () => { await reload.run(); await access.reload() })
  await new Promise<void>((resolve) => { io.onShutdown?.(resolve) })
  reload.stop()
  access.stop()
  await gateway.drain()
  // Bounded: the destination calls back after its flushTimeout even when the write hangs.
  await new Promise<void>((resolve) => { logger.flush(() => { resolve() }) })
  destination.close()
  return EXIT.OK
}

/** Bounded: the destination calls back after its flushTimeout even when the write hangs. */
async function flushLog (logger: Logger, destination: { close: () => void }): Promise<void> {
  await new Promise<void>((resolve) => { logger.flush(() => { resolve() }) })
  destination.close()
}

/**
 * A worker's life after listen: it tells the primary, serves until the primary (or a signal) says
 * drain, drains (spreading held Pings' answers on a reload), hands over its final metrics, exits.
 * SIGHUP and SIGUSR2 are the primary's: a worker only notes them (their default would kill it).
 */
async function serveWorker (worker: WorkerLink, o: { gateway: Gateway, registry: Registry, logger: Logger, access: { stop: () => void }, port: number, io: CliIo, done: () => Promise<void> }): Promise<number> {
  worker.listening(o.gateway, o.registry, o.port)
  const ignore = async (): Promise<void> => { o.logger.debug('signal ignored by a worker: the primary reloads and upgrades') }
  o.io.onReload?.(ignore)
  o.io.onUpgrade?.(ignore)
  const how = await worker.stopped
  o.access.stop()
  await o.gateway.drain({ spread: how.spread })
  await worker.finish(o.registry)
  await o.done()
  return EXIT.OK
}

async function startDemo (): Promise<{ port: number, server: ReturnType<typeof createDemoUpstream>['server'] }> {
  const d = createDemoUpstream()
  return { port: await d.listen(0), server: d.server }
}
