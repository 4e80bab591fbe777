import { countFindings, type LintReport } from '../report.js'

/** Version of the JSON output's shape; bumped only on incompatible changes. */
export const JSON_FORMAT_VERSION = 1

/** The JSON format (schema: LINT_JSON_SCHEMA, README § Output formats). */
export function formatJson (report: LintReport): string {
  return JSON.stringify({
    version: JSON_FORMAT_VERSION,
    tool: { name: 'gateway-lint', version: report.toolVersion },
    file: report.file,
    findings: report.findings.map((d) => ({
      ruleId: d.code,
      ruleName: d.rule,
      level: d.severity,
      message: d.message,
      hint: d.hint ?? null,
      file: d.file,
      line: d.line,
      col: d.col,
      path: d.path
    })),
    heartbeat: report.heartbeat ?? null,
    summary: { ...countFindings(report.findings), suppressed: report.suppressed },
    exitCode: report.exitCode
  }, null, 2) + '\n'
}
