import { formatDiagnostic, type Diagnostic } from '../../config/index.js'
import { countFindings, formatSeconds, type LintReport } from '../report.js'

const COLORS = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m', dim: '\u001b[2m', reset: '\u001b[0m' } as const

/**
 * The text format: `file:line:col level CODE name: message`, the hint on the next line, then the
 * heartbeat facts and a count. Colour only when asked for.
 */
export function formatText (report: LintReport, opts: { readonly color?: boolean } = {}): string {
  const paint = (c: keyof typeof COLORS, s: string): string => opts.color === true ? `${COLORS[c]}${s}${COLORS.reset}` : s
  const lines: string[] = []
  for (const d of report.findings) {
    lines.push(colorLevel(formatDiagnostic(d), d, paint))
    if (d.hint !== undefined) lines.push(paint('dim', `  hint: ${d.hint}`))
  }
  if (report.findings.length > 0) lines.push('')
  const hb = report.heartbeat
  if (hb === undefined) {
    lines.push('timeout chain not checked: fix the errors above first')
  } else {
    lines.push(`max heartbeat in force: ${formatSeconds(hb.effective.seconds)}, from ${hb.effective.source} (${hb.effective.file}:${hb.effective.line}:${hb.effective.col})`)
    const s = hb.largestSafe
    lines.push(s === null
      ? 'largest safe heartbeat: not bounded by any hop on this path'
      : `largest safe heartbeat: ${s.seconds > 0 ? formatSeconds(s.seconds) : 'none'}, bounded by hop "${s.hop}" ${s.setting} ${formatSeconds(s.valueSeconds)} with a ${s.marginSeconds}s margin (${s.file}:${s.line}:${s.col})`)
  }
  const n = countFindings(report.findings)
  lines.push(`${plural(n.errors, 'error')}, ${plural(n.warnings, 'warning')}, ${plural(n.infos, 'info')}` +
    (report.suppressed > 0 ? ` (${report.suppressed} suppressed)` : ''))
  return lines.join('\n') + '\n'
}

function colorLevel (line: string, d: Diagnostic, paint: (c: 'error' | 'warning' | 'info', s: string) => string): string {
  const level = ` ${d.severity} `
  const at = line.indexOf(level)
  return at < 0 ? line : line.slice(0, at + 1) + paint(d.severity, d.severity) + line.slice(at + level.length - 1)
}

function plural (n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
