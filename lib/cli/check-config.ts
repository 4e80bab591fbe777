import { formatDiagnostic, loadGatewayConfig, type Diagnostic, type GatewayConfig } from '../config/index.js'
import { lintGatewayConfig } from '../lint/index.js'
import type { CliIo } from './io.js'

/** A config checked as `serve` checks it: the config when usable, and every finding. */
export interface CheckedConfig {
  /** Undefined when the text does not load or a finding is an error. */
  readonly config: GatewayConfig | undefined
  readonly findings: readonly Diagnostic[]
}

/**
 * The one path from config text to a running config, shared by `serve` at start-up and on SIGHUP
 * (so a reload refuses exactly what a start refuses): load, lint, print every finding to stderr as
 * `file:line:col severity CODE rule: message` with its hint.
 */
export function checkConfig (text: string, name: string, io: CliIo): CheckedConfig {
  const loaded = loadGatewayConfig(text, name)
  const findings = lintGatewayConfig(loaded)
  for (const d of findings) io.stderr(formatDiagnostic(d) + (d.hint !== undefined ? `\n  hint: ${d.hint}` : '') + '\n')
  const usable = loaded.config !== undefined && !findings.some((d) => d.severity === 'error')
  return { config: usable ? loaded.config : undefined, findings }
}
