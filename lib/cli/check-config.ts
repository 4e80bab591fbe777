import { loadGatewayConfig, type Diagnostic, type GatewayConfig, type LoadedGatewayConfig } from '../config/index.js'
import { lintGatewayConfig } from '../lint/index.js'
import { formatFinding } from './cli-error.js'
import { addDurationHints } from './duration-hints.js'
import type { CliIo } from './io.js'

/** A config checked as `serve` checks it: the config when usable, and every finding. */
export interface CheckedConfig {
  /** Undefined when the text does not load or a finding is an error. */
  readonly config: GatewayConfig | undefined
  readonly findings: readonly Diagnostic[]
  /** The loaded file: positions for findings about the files it names. */
  readonly loaded: LoadedGatewayConfig
}

/**
 * The one path from config text to a running config, shared by `serve` at start-up and on SIGHUP
 * (so a reload refuses exactly what a start refuses): load, lint, print every finding to stderr as
 * `file:line:col severity CODE rule: message` with its hint (field-aware for unit-less durations).
 */
export function checkConfig (text: string, name: string, io: CliIo): CheckedConfig {
  const loaded = loadGatewayConfig(text, name)
  const findings = addDurationHints(lintGatewayConfig(loaded), text, (t) => lintGatewayConfig(loadGatewayConfig(t, name)))
  for (const d of findings) io.stderr(formatFinding(d))
  const usable = loaded.config !== undefined && !findings.some((d) => d.severity === 'error')
  return { config: usable ? loaded.config : undefined, findings, loaded }
}
