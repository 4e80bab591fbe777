import type { LintReport } from '../report.js'
import { fingerprint, relativePath, type OutputOptions } from './output-location.js'

const SEVERITY = { error: 'major', warning: 'minor', info: 'info' } as const

/**
 * `--format gitlab`: a GitLab Code Quality report (a JSON array of issues: description,
 * check_name, fingerprint, severity, location.path and location.lines.begin), for
 * `artifacts: reports: codequality`. Findings without a file (`<command line>`) keep their name.
 */
export function formatGitlab (reports: readonly LintReport[], opts: OutputOptions = {}): string {
  const issues = reports.flatMap((r) => r.findings.map((d) => ({
    type: 'issue',
    check_name: d.code,
    description: `${d.code} ${d.rule}: ${d.message}`,
    ...(d.hint !== undefined ? { content: { body: d.hint } } : {}),
    categories: ['Bug Risk'],
    fingerprint: fingerprint(d, opts),
    severity: SEVERITY[d.severity],
    location: { path: relativePath(d.file, opts) ?? d.file, lines: { begin: d.line } }
  })))
  return JSON.stringify(issues, null, 2) + '\n'
}
