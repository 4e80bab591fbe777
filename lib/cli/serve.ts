import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Registry } from 'prom-client'
import { createDemoUpstream, DEMO_PASSWORD, DEMO_USER } from '../demo/index.js'
import { createLogDestination, createLogger } from '../log/index.js'
import { createMetrics } from '../metrics/index.js'
import { packageVersion } from '../package-root.js'
import { createGateway } from '../proxy/index.js'
import { createUpstreams } from '../upstream/index.js'
import { openFilesWarning } from './check-open-files.js'
import { checkConfig } from './check-config.js'
import { demoConfigText } from './demo-config.js'
import { EXIT, type CliIo } from './io.js'
import { contextParsers } from './parsers.js'
import { readConfigFiles } from './read-config-files.js'
import { createReloader } from './reload-config.js'
import { startAccess } from './start-access.js'

/**
 * `gateway serve [-c FILE]`: the composition root. Loads and checks the config with the same code
 * path as `gateway lint`, reads TLS/CA files, wires logger, metrics, upstreams and the proxy, and
 * drains on shutdown. Without -c it runs the built-in demo (a demo EAS server behind the gateway).
 * Resolves with the exit code once the gateway has drained.
 */
export async function runServe (argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false })
  let text: string
  let file: string
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined
  if (values.config === undefined) {
    demo = await startDemo()
    file = '<built-in demo config>'
    text = demoConfigText(demo.port)
  } else {
    file = resolve(io.cwd, values.config)
    try {
      text = await io.readFile(file)
    } catch (err) {
      io.stderr(`gateway: GW_ERR_CONFIG_UNREADABLE: cannot read ${values.config}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
      return EXIT.USAGE
    }
  }
  const { config } = checkConfig(text, values.config ?? file, io)
  if (config === undefined) {
    io.stderr(`gateway: GW_ERR_CONFIG_INVALID: ${values.config ?? file}: configuration refused, not starting\n`)
    demo?.server.close()
    return EXIT.USAGE
  }
  const files = await readConfigFiles(config, dirname(file), io)
  if (typeof files === 'string') { io.stderr(files); demo?.server.close(); return EXIT.USAGE }

  // A full or failing stdout costs log lines (counted, reported on stderr), never mail (issue 9).
  const destination = createLogDestination({
    ...(io.logWrite !== undefined ? { write: io.logWrite } : {}),
    report: (data, done) => { io.stderr(data.toString()); done(null, data.length) }
  })
  const logger = createLogger({ level: config.log.level, destination })
  const fdWarning = openFilesWarning(config, await io.readFile('/proc/self/limits').catch(() => undefined))
  if (fdWarning !== undefined) {
    io.stderr(`gateway: warning: ${fdWarning}\n`)
    logger.warn({ code: 'GW_ERR_PROXY_FD_EXHAUSTED' }, fdWarning)
  }
  const registry = new Registry()
  const metrics = createMetrics(registry, { version: packageVersion(), logLinesDropped: () => destination.dropped })
  // The pool's health checks start with the listeners and stop when the gateway drains.
  const upstreams = createUpstreams(config.upstreams.map((u) => ({ ...u, caPem: files.ca[u.name] })), { connectTimeout: config.timeouts.connect, pool: config.pool, metrics, logger })
  // Device access control (issue #10): a policy that does not load refuses the start, as lint would.
  const access = await startAccess(config, dirname(file), io, logger)
  if (typeof access === 'string') { io.stderr(access); await upstreams.close(); demo?.server.close(); return EXIT.USAGE }
  const gateway = createGateway({ config, logger, registry, metrics, upstreams, parsers: contextParsers, ...(files.tls !== undefined ? { tls: files.tls } : {}), access: access.deps })
  let ports
  try {
    ports = await gateway.listen()
  } catch (err) {
    io.stderr(`gateway: cannot listen: ${(err as Error).message}\n`)
    access.stop()
    await upstreams.close()
    demo?.server.close()
    return EXIT.FINDINGS
  }
  if (demo !== undefined) io.stderr(demoBanner(ports.port, ports.adminPort))
  // SIGHUP: TLS key/certificate and log level anew, through the same checks as start-up (issue 9).
  const reload = createReloader({ file: demo === undefined ? file : undefined, name: values.config ?? file, io, logger, gateway, running: { config, files } })
  // SIGHUP: TLS, log level (issue #9) and the device access policy (issue #10), one handler.
  io.onReload?.(async () => { await reload.run(); await access.reload() })
  await new Promise<void>((resolve) => { io.onShutdown?.(resolve) })
  reload.stop()
  access.stop()
  await gateway.drain()
  demo?.server.close()
  // Bounded: the destination calls back after its flushTimeout even when the write hangs.
  await new Promise<void>((resolve) => { logger.flush(() => { resolve() }) })
  destination.close()
  return EXIT.OK
}

async function startDemo (): Promise<{ port: number, server: ReturnType<typeof createDemoUpstream>['server'] }> {
  const d = createDemoUpstream()
  return { port: await d.listen(0), server: d.server }
}

/**
 * Reads the files a config names (upstream CAs, listen.tls key and certificate) relative to the
 * config file, and checks the key/certificate pair loads. Returns the PEM text, or the message to
 * print when one cannot be used. `gateway check` runs it too, so it refuses what serve refuses.
 */
function demoBanner (port: number, adminPort: number): string {
  const base = `http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`
  const q = '?Cmd=Ping&User=demo&DeviceId=DEMO0001&DeviceType=iPhone'
  return [
    '',
    'eas-gateway is running the BUILT-IN DEMO (no --config given): a demo EAS server sits behind it.',
    `  device listener  ${base}`,
    `  admin listener   http://127.0.0.1:${adminPort}/metrics  /healthz  /readyz`,
    '',
    'Try:',
    `  curl -i -X OPTIONS -u ${DEMO_USER}:${DEMO_PASSWORD} '${base}'`,
    `  curl -i -X OPTIONS -u demo:wrong '${base}'        # 401 with Connection: close`,
    '  # a Ping with HeartbeatInterval 10: held 10 s, then answered Status 1',
    `  printf '\\x03\\x01\\x6a\\x00\\x00\\x0d\\x45\\x48\\x0310\\x00\\x01\\x01' | curl -s -u ${DEMO_USER}:${DEMO_PASSWORD} -H 'Content-Type: application/vnd.ms-sync.wbxml' --data-binary @- '${base}${q}' | xxd`,
    `  curl -s http://127.0.0.1:${adminPort}/metrics | grep eas_gateway_requests_total`,
    '',
    'Run your own: gateway serve -c gateway.yaml   (see README § Configuration). Ctrl-C drains and exits.',
    ''
  ].join('\n')
}
