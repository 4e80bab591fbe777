import { request as httpsRequest } from 'node:https'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadGatewayConfig, parseDuration } from '../config/index.js'
import { GatewayError } from '../errors.js'
import { formatFinding, readOrThrow } from './cli-error.js'
import { EXIT, type CliIo } from './io.js'

const USAGE = `usage: gateway healthcheck [-c FILE] [--timeout DURATION]

Asks a running gateway's /healthz on the admin listener its config names (admin.listen): the
container HEALTHCHECK, so it follows the configured admin port. A wildcard host (0.0.0.0, ::) is
probed on loopback; with admin.tls over HTTPS (the certificate is not checked: /healthz says only
that the process answers). /healthz needs no credential (admin.auth).

options:
  -c, --config FILE      the gateway config (default: $EAS_GATEWAY_CONFIG)
  --timeout DURATION     give up after this long (default: 3s)
  -h, --help             this text

exit codes: 0 healthy, 1 not healthy or not answering, 2 could not run (no or bad config)
`

/** `gateway healthcheck`: probes /healthz on the configured admin listener. */
export async function runHealthcheck (argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true) { io.stdout(USAGE); return EXIT.OK }
  const shown = values.config ?? io.env.EAS_GATEWAY_CONFIG
  if (shown === undefined) throw new GatewayError('GW_ERR_CLI_USAGE', 'gateway healthcheck needs -c FILE or EAS_GATEWAY_CONFIG')
  const timeout = parseDuration(values.timeout ?? '3s')
  if ('error' in timeout) throw new GatewayError('GW_ERR_CLI_USAGE', `--timeout: ${timeout.error}`)
  const loaded = loadGatewayConfig(await readOrThrow(io.readFile, resolve(io.cwd, shown), shown), shown)
  if (loaded.config === undefined) {
    for (const d of loaded.diagnostics) io.stderr(formatFinding(d))
    throw new GatewayError('GW_ERR_CONFIG_INVALID', `${shown}: cannot find the admin listener`)
  }
  const { host, port } = loaded.config.admin.listen
  if (port === 0) throw new GatewayError('GW_ERR_CLI_USAGE', `${shown}: admin.listen.port is 0 (any free port): no fixed port to probe`)
  const tls = loaded.config.admin.tls !== undefined
  const url = `${tls ? 'https' : 'http'}://${probeHost(host)}:${port}/healthz`
  try {
    const status = tls ? await httpsStatus(url, timeout.ms) : await httpStatus(url, timeout.ms)
    if (status === 200) return EXIT.OK
    io.stderr(`gateway healthcheck: ${url} answered ${status}\n`)
  } catch (err) {
    io.stderr(`gateway healthcheck: ${url}: ${err instanceof Error ? err.message : String(err)}\n`)
  }
  return EXIT.FINDINGS
}

/** Where to reach a listener bound to `host` from the same machine. */
function probeHost (host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::' || host === '[::]') return '[::1]'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

async function httpStatus (url: string, ms: number): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(ms) })
  await res.body?.cancel()
  return res.status
}

/** GET over HTTPS without verifying the certificate (the admin listener's, on this machine). */
async function httpsStatus (url: string, ms: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = httpsRequest(url, { rejectUnauthorized: false, timeout: ms }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('timeout', () => { req.destroy(new Error(`no answer within ${ms} ms`)) })
    req.on('error', reject)
    req.end()
  })
}
