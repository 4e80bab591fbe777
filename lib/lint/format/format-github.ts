import { countFindings, type LintReport } from '../report.js'
import { relativePath, type OutputOptions } from './output-location.js'

const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const

/**
 * `--format github`: GitHub Actions workflow commands, one annotation per finding
 * (`::error file=…,line=…,col=…,title=…::message`), then one summary line per topology.
 * Escaping follows the Actions toolkit: `%`, CR and LF in data; also `:` and `,` in properties.
 */
export function formatGithub (reports: readonly LintReport[], opts: OutputOptions = {}): string {
  const lines: string[] = []
  for (const r of reports) {
    for (const d of r.findings) {
      const file = relativePath(d.file, opts)
      const props = [
        ...(file !== undefined ? [`file=${escapeProperty(file)}`, `line=${d.line}`, `col=${d.col}`] : []),
        `title=${escapeProperty(`${d.code} ${d.rule}`)}`
      ].join(',')
      const text = d.hint !== undefined ? `${d.message}\nhint: ${d.hint}` : d.message
      lines.push(`::${COMMAND[d.severity]} ${props}::${escapeData(file === undefined ? `${d.file}: ${text}` : text)}`)
    }
    const n = countFindings(r.findings)
    lines.push(`${r.file}: ${n.errors} errors, ${n.warnings} warnings, ${n.infos} infos` + (r.suppressed > 0 ? ` (${r.suppressed} suppressed)` : ''))
  }
  return lines.join('\n') + '\n'
}

function escapeData (s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty (s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}
