import cluster from 'node:cluster'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname } from 'node:path'
import { Registry } from 'prom-client'
import { formatDiagnostic, type Diagnostic, type GatewayConfig } from '../config/index.js'
import { GatewayError } from '../errors.js'
import { createLogDestination, createLogger, type Logger } from '../log/index.js'
import { createClusterMetrics } from '../metrics/index.js'
import { adminSecurity, createAdminServer, serveTrace } from '../proxy/index.js'
import { createClusterHub, type ClusterMessage } from '../state/index.js'
import { checkConfig } from './check-config.js'
import { openFilesWarning } from './check-open-files.js'
import { demoBanner } from './demo-config.js'
import { formatCliError, toCliError } from './cli-error.js'
import { EXIT, type CliIo } from './io.js'
import { readConfigFiles } from './read-config-files.js'
import { createTraceRelay } from './trace-relay.js'
import { changedSettings } from './reload-config.js'
import { WORKER_ENV, type WorkerConfig } from './serve-worker.js'
import { askAdmin, createAsker, groupMetrics, retire, type Member, type Metrics } from './worker-group.js'

/** What {@link runPrimary} starts from. */
export interface PrimaryOptions {
  readonly shown: string
  /** The config file (absolute); undefined for the built-in demo. */
  readonly file: string | undefined
  readonly text: string
  readonly workers: number
  /** The worker count a config asks for (a reload may change it, unless --workers fixed it). */
  readonly workersOf: (config: GatewayConfig) => number
  readonly io: CliIo
  /** The script a worker runs (dist/bin/gateway.js). */
  readonly entry: string
}

/** How long the primary waits for its own stop signal before replacing a worker that drained on a signal. */
const SELF_DRAIN_WAIT_MS = 1000
/** Longest a new worker may take to listen (config, TLS files, access policy, bind). */
const START_TIMEOUT_MS = 30_000

/**
 * `serve --workers N`: the primary. It owns no requests: it checks the config, forks N workers
 * that share the device listener (node:cluster), serves the admin listener itself (`/metrics`
 * summed over every worker, `/readyz` ready while a worker is, `/devices` asked of a worker),
 * relays shared state between workers (lib/state/cluster-hub.ts), replaces a worker that dies at
 * once, rolls the workers on SIGHUP (new config) and SIGUSR2 (new build), and drains all on SIGTERM.
 */
export async function runPrimary (o: PrimaryOptions): Promise<number> {
  const { io, shown } = o
  const checked = checkConfig(o.text, shown, io)
  if (checked.config === undefined) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${shown}: configuration refused, not starting`)
  let config: GatewayConfig = checked.config
  const files = await readConfigFiles({ ...checked.loaded, config }, dirname(o.file ?? io.cwd), io)
  const destination = createLogDestination({
    ...(io.logWrite !== undefined ? { write: io.logWrite } : {}),
    report: (data, done) => { io.stderr(data.toString()); done(null, data.length) }
  })
  const logger = createLogger({ level: config.log.level, destination }).child({ role: 'primary' })
  // Each worker inherits the primary's open-files limit, and the limits apply per worker.
  const fdWarning = openFilesWarning(config, await io.readFile('/proc/self/limits').catch(() => undefined))
  if (fdWarning !== undefined) {
    io.stderr(`gateway: warning: ${fdWarning}\n`)
    logger.warn({ code: 'GW_ERR_PROXY_FD_EXHAUSTED' }, fdWarning)
  }
  const members = new Map<number, Member>()
  const registry = new Registry()
  const metrics = createClusterMetrics(registry, () => {
    const n = { starting: 0, serving: 0, draining: 0 }
    for (const m of members.values()) n[m.state]++
    return n
  })
  const group = { text: o.text, workers: o.workers, retired: [] as Metrics, retiring: Promise.resolve(), stopping: false, startFailures: 0 }
  // Below the worker's own 1 s bound on /devices, so the asking worker gets the answer, late workers left out.
  const hub = createClusterHub({ workers: () => members.values(), timeout: 500 })
  const asks = createAsker()
  const traces = createTraceRelay(() => members.values())

  cluster.setupPrimary({ exec: o.entry, args: ['serve'], silent: false })

  const fork = (text: string): Member => {
    const cfg: WorkerConfig = { shown, file: o.file, text }
    const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify(cfg) })
    let settle: (ok: boolean) => void = () => {}
    const m: Member = {
      id: `w${worker.id}`,
      worker,
      pid: worker.process.pid ?? 0,
      state: 'starting',
      selfDrained: false,
      ready: false,
      held: 0,
      port: 0,
      last: undefined,
      started: new Promise<boolean>((resolve) => { settle = resolve }),
      send: (msg) => { if (worker.isConnected()) worker.send(msg, undefined, undefined, () => {}) }
    }
    members.set(worker.id, m)
    worker.on('message', (msg: ClusterMessage) => {
      if (typeof msg !== 'object' || msg === null) return
      if (msg.t === 'gw:listening') {
        if (m.state === 'starting') m.state = 'serving'
        m.port = typeof msg.port === 'number' ? msg.port : 0
        traces.joined(m)
        settle(true)
      } else if (msg.t === 'gw:status') {
        m.ready = msg.ready === true
        m.held = typeof msg.held === 'number' ? msg.held : m.held
      } else if (msg.t === 'gw:draining') {
        if (m.state !== 'draining') { m.state = 'draining'; m.selfDrained = true }
      } else if (msg.t === 'gw:final' && Array.isArray(msg.metrics)) m.last = msg.metrics as Metrics
      else if (!asks.answer(msg) && !traces.handle(msg)) hub.handle(m, msg)
    })
    worker.on('exit', (code, signal) => { settle(false); onExit(m, code, signal) })
    return m
  }

  const onExit = (m: Member, code: number | null, signal: string | null): void => {
    members.delete(m.worker.id)
    // Its counters stay in the sums: the group's totals never go back when a worker goes.
    const last = m.last
    if (last !== undefined) group.retiring = group.retiring.then(async () => { await retire(group, last) }) // one at a time: no lost update
    if (m.state === 'draining' || group.stopping) {
      logger.info({ worker: m.id, pid: m.pid, code, signal }, 'worker retired')
      // A worker signalled on its own (not by a group stop, whose signal reaches the primary too
      // within this second): replaced, so the group keeps its size.
      if (m.selfDrained) {
        setTimeout(() => {
          if (group.stopping) return
          logger.warn({ worker: m.id, pid: m.pid }, 'a worker drained on its own signal: starting a replacement')
          replace()
        }, SELF_DRAIN_WAIT_MS).unref()
      }
      return
    }
    const wasServing = m.state === 'serving'
    if (!wasServing) { group.startFailures++; return } // a start that failed: the starter decides
    metrics.workerRestarts.inc({ reason: 'crash' })
    metrics.workerPingsCut.inc(m.held)
    logger.error({ code: 'GW_ERR_CLI_WORKER_DIED', worker: m.id, pid: m.pid, exitCode: code, signal, pingsCut: m.held }, 'worker died: starting a replacement')
    replace()
  }

  const replace = (): void => {
    if (group.stopping) return
    const m = fork(group.text)
    void m.started.then((ok) => {
      if (ok) { group.startFailures = 0; logger.info({ worker: m.id, pid: m.pid }, 'replacement worker serving'); return }
      // A worker that cannot even start (the port, the files): retry with backoff, never a busy loop.
      const wait = Math.min(30_000, 100 * 2 ** Math.min(group.startFailures, 9))
      logger.error({ code: 'GW_ERR_CLI_WORKER_DIED', worker: m.id, pid: m.pid, retryMs: wait }, 'replacement worker failed to start')
      setTimeout(replace, wait).unref()
    })
  }

  /** Forks `n` workers and waits until all listen; on a failure, drains the ones that did. */
  const startGeneration = async (text: string, n: number): Promise<Member[] | undefined> => {
    const fresh = Array.from({ length: n }, () => fork(text))
    const timer = new Promise<false>((resolve) => { setTimeout(() => { resolve(false) }, START_TIMEOUT_MS).unref() })
    const ok = await Promise.all(fresh.map(async (m) => await Promise.race([m.started, timer])))
    if (ok.every(Boolean)) return fresh
    for (const m of fresh) { if (members.has(m.worker.id)) { m.state = 'draining'; m.send({ t: 'gw:drain', spread: false }) } }
    return undefined
  }

  const first = await startGeneration(group.text, group.workers)
  if (first === undefined) {
    group.stopping = true
    io.stderr(`gateway: cannot start ${o.workers} workers: see the workers' messages above\n`)
    await waitExits(members, config.timeouts.drainGrace)
    await flush(logger, destination)
    return EXIT.FINDINGS
  }

  const admin = createAdminServer({
    registry: { contentType: registry.contentType, metrics: async () => await groupMetrics(members, group, registry, asks) },
    isReady: () => !group.stopping && [...members.values()].some((m) => m.state === 'serving' && m.ready),
    extra: (path, query) => path === '/devices' ? askAdmin(members, asks, path, query) : undefined,
    // gateway trace: the subscription goes to every worker, their lines merge here.
    stream: (path, query, req, res) => {
      if (path !== '/trace') return false
      serveTrace(traces.subscribe, query, req, res)
      return true
    },
    ...adminSecurity(files.admin)
  })
  try {
    await new Promise<void>((resolve, reject) => {
      admin.once('error', reject)
      admin.listen({ port: config.admin.listen.port, host: config.admin.listen.host }, () => { admin.off('error', reject); resolve() })
    })
  } catch (err) {
    io.stderr(`gateway: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`)
    group.stopping = true
    for (const m of members.values()) m.send({ t: 'gw:drain', spread: false })
    await waitExits(members, config.timeouts.drainGrace)
    await flush(logger, destination)
    return EXIT.FINDINGS
  }
  const adminPort = (admin.address() as AddressInfo).port
  logger.info({ adminPort, host: config.admin.listen.host, workers: first.map((m) => ({ worker: m.id, pid: m.pid })) }, 'workers listening')
  logger.flush()
  if (o.file === undefined) io.stderr(demoBanner(first[0]?.port ?? 0, adminPort))

  // SIGHUP and SIGUSR2: one roll at a time. A roll re-reads the file (the demo keeps its text).
  let rolling = Promise.resolve()
  const roll = (why: 'reload' | 'upgrade') => async (): Promise<void> => {
    rolling = rolling.then(async () => {
      if (group.stopping) return
      const next = await loadNext(o, config, logger)
      if (next === undefined) return
      const old = [...members.values()].filter((m) => m.state !== 'draining')
      const n = o.workersOf(next.config)
      const fresh = await startGeneration(next.text, n)
      if (fresh === undefined) {
        io.stderr(`gateway: ${shown}: ${why} refused: the new workers did not start, the running ones keep serving\n`)
        logger.error({ code: 'GW_ERR_CONFIG_INVALID', file: shown, why }, `${why} refused: the new workers did not start; the running workers keep serving`)
        return
      }
      group.text = next.text
      group.workers = n
      const restartNeeded = changedSettings(config.admin, next.config.admin, 'admin')
      config = next.config
      logger.level = config.log.level
      for (const m of old) {
        m.state = 'draining'
        metrics.workerRestarts.inc({ reason: 'reload' })
        m.send({ t: 'gw:drain', spread: true })
      }
      logger.info({ why, file: shown, workers: fresh.map((m) => ({ worker: m.id, pid: m.pid })), draining: old.map((m) => ({ worker: m.id, pid: m.pid, heldPings: m.held })), graceMs: config.timeouts.drainGrace }, 'reloaded: new workers serving, old ones draining')
      if (restartNeeded.length > 0) logger.warn({ file: shown, restartNeeded }, 'reload: the admin listener keeps its address until the primary restarts')
    }).catch((err: unknown) => { logger.error({ err }, `${why} failed: the running workers keep serving`) })
    await rolling
  }
  io.onReload?.(roll('reload'))
  io.onUpgrade?.(roll('upgrade'))

  await new Promise<void>((resolve) => { io.onShutdown?.(resolve) })
  group.stopping = true
  logger.info({ workers: members.size, graceMs: config.timeouts.drainGrace }, 'draining the workers')
  for (const m of members.values()) m.send({ t: 'gw:drain', spread: false })
  await waitExits(members, config.timeouts.drainGrace)
  await closeAdmin(admin)
  logger.info('drained')
  await flush(logger, destination)
  return EXIT.OK
}

/** The next generation's config on a roll, checked as at start; undefined (reported) when refused. */
async function loadNext (o: PrimaryOptions, running: GatewayConfig, logger: Logger): Promise<{ config: GatewayConfig, text: string } | undefined> {
  const { io, shown } = o
  const refuse = (code: string, reason: string, findings: readonly string[] = []): undefined => {
    io.stderr(`gateway: ${code}: ${shown}: reload refused, keeping the running configuration\n`)
    logger.error({ code, file: shown, reason, findings }, 'reload refused: keeping the running configuration')
    return undefined
  }
  if (o.file === undefined) return { config: running, text: o.text }
  let text: string
  try { text = await io.readFile(o.file) } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    io.stderr(`gateway: GW_ERR_CONFIG_UNREADABLE: cannot read ${shown}: ${why}\n`)
    return refuse('GW_ERR_CONFIG_UNREADABLE', why)
  }
  const { config, findings, loaded } = checkConfig(text, shown, io)
  if (config === undefined) return refuse('GW_ERR_CONFIG_INVALID', 'invalid configuration', findings.filter((d) => d.severity === 'error').map(formatDiagnostic))
  try {
    await readConfigFiles({ ...loaded, config }, dirname(o.file), io)
  } catch (err) {
    const known = toCliError(err)
    if (known === undefined) throw err
    io.stderr(formatCliError(known))
    return refuse(known.code, known.message, (known.diagnostics ?? []).map((d) => formatDiagnostic(d as Diagnostic)))
  }
  return { config, text }
}

/** Waits until every worker has exited; SIGKILL the ones still there after grace + 5 s. */
async function waitExits (members: Map<number, Member>, grace: number): Promise<void> {
  const deadline = Date.now() + grace + 5000
  while (members.size > 0) {
    if (Date.now() > deadline) for (const m of members.values()) m.worker.process.kill('SIGKILL')
    await new Promise<void>((resolve) => { const any = [...members.values()][0]; if (any === undefined) { resolve(); return } any.worker.once('exit', () => { resolve() }); setTimeout(resolve, 500).unref() })
  }
}

async function closeAdmin (admin: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => admin.close(() => { resolve() }))
  admin.closeAllConnections()
  await closed
}

async function flush (logger: Logger, destination: { close: () => void }): Promise<void> {
  await new Promise<void>((resolve) => { logger.flush(() => { resolve() }) })
  destination.close()
}
