import { dirname } from 'node:path'
import { formatDiagnostic, type Diagnostic, type GatewayConfig } from '../config/index.js'
import type { Logger } from '../log/index.js'
import type { Gateway } from '../proxy/index.js'
import { checkConfig } from './check-config.js'
import { formatCliError, toCliError } from './cli-error.js'
import type { CliIo } from './io.js'
import { readConfigFiles, type ConfigFiles } from './read-config-files.js'

/** What {@link createReloader} works on. */
export interface ReloaderDeps {
  /** The config file, absolute; undefined for the built-in demo (nothing to re-read). */
  readonly file: string | undefined
  /** The name findings carry: the -c argument as given. */
  readonly name: string
  readonly io: CliIo
  readonly logger: Logger
  readonly gateway: Pick<Gateway, 'reload'>
  /** The config and files the gateway was started with. */
  readonly running: { readonly config: GatewayConfig, readonly files: ConfigFiles }
}

/** Settings a reload applies to the running gateway; every other change needs a restart. */
const RELOADABLE = new Set(['log.level', 'listen.tls.cert', 'listen.tls.key'])

/**
 * SIGHUP (nginx's and HAProxy's reload signal, minus the new workers): re-reads the config file
 * through the checks `serve` runs at start-up and applies what can change under a running gateway
 * without dropping a held Ping: the TLS key and certificate (new handshakes get them; open
 * connections keep theirs) and the log level. A config that would not start is refused with the
 * same findings on stderr and in an error line, and the gateway keeps the running one. Changed
 * settings that need a restart are named in a warning. Reloads run one at a time.
 */
export function createReloader (deps: ReloaderDeps): { run: () => Promise<void>, stop: () => void } {
  const { io, logger, name, running } = deps
  const applied = { level: running.config.log.level, tls: running.files.tls }
  let stopped = false
  let queue = Promise.resolve()

  const refuse = (code: string, reason: string, findings: readonly string[] = []): void => {
    io.stderr(`gateway: ${code}: ${name}: reload refused, keeping the running configuration\n`)
    logger.error({ code, file: name, reason, findings }, 'reload refused: keeping the running configuration')
  }

  const once = async (): Promise<void> => {
    if (stopped) return
    if (deps.file === undefined) { logger.warn('reload: the built-in demo has no config file, nothing reloaded'); return }
    let text: string
    try { text = await io.readFile(deps.file) } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      io.stderr(`gateway: GW_ERR_CONFIG_UNREADABLE: cannot read ${name}: ${why}\n`)
      refuse('GW_ERR_CONFIG_UNREADABLE', why)
      return
    }
    const { config, findings, loaded } = checkConfig(text, name, io)
    if (config === undefined) {
      refuse('GW_ERR_CONFIG_INVALID', 'invalid configuration', findings.filter((d) => d.severity === 'error').map(formatDiagnostic))
      return
    }
    let files: ConfigFiles
    try {
      files = await readConfigFiles({ ...loaded, config }, dirname(deps.file), io)
    } catch (err) {
      const known = toCliError(err)
      if (known === undefined) throw err
      io.stderr(formatCliError(known))
      refuse(known.code, known.message, (known.diagnostics ?? []).map((d) => formatDiagnostic(d as Diagnostic)))
      return
    }
    apply(config, files)
  }

  const apply = (config: GatewayConfig, files: ConfigFiles): void => {
    const restartNeeded = changedSettings(running.config, config).filter((p) => !RELOADABLE.has(p))
    for (const [up, pem] of Object.entries(files.ca)) if (running.files.ca[up] !== pem && running.files.ca[up] !== undefined) restartNeeded.push(`upstreams "${up}" ca (file content)`)
    // HTTP <-> HTTPS is a different listener: that is listen.tls in restartNeeded, not a reload.
    const tlsChanged = files.tls !== undefined && applied.tls !== undefined && (files.tls.key !== applied.tls.key || files.tls.cert !== applied.tls.cert)
    if (tlsChanged && files.tls !== undefined) { deps.gateway.reload({ tls: files.tls }); applied.tls = files.tls }
    const from = applied.level
    const summary = { file: name, tls: tlsChanged ? 'reloaded' : 'unchanged', logLevel: from === config.log.level ? from : `${from} -> ${config.log.level}`, restartNeeded }
    // The summary goes out under the more verbose of the two levels, so quietening the log still says so.
    const rank = (level: string): number => logger.levels.values[level] ?? Infinity // silent: above every level
    const moreVerbose = rank(config.log.level) <= rank(from)
    if (!moreVerbose) logger.info(summary, 'reloaded')
    logger.level = config.log.level
    applied.level = config.log.level
    if (moreVerbose) logger.info(summary, 'reloaded')
    if (restartNeeded.length > 0) logger.warn({ file: name, restartNeeded }, 'reload: these settings changed but take effect only after a restart')
  }

  return {
    // Never rejects: a reload that fails is logged, the gateway keeps running.
    run: async () => {
      queue = queue.then(once).catch((err: unknown) => { logger.error({ err }, 'reload failed: keeping the running configuration') })
      await queue
    },
    stop: () => { stopped = true }
  }
}

/** Dotted paths (`timeouts.drainGrace`, `upstreams[0].url`) whose values differ between a and b. */
export function changedSettings (a: unknown, b: unknown, path = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return Object.is(a, b) ? [] : [path]
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  const out: string[] = []
  for (const k of keys) {
    const p = Array.isArray(a) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`
    out.push(...changedSettings((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], p))
  }
  return out
}
