import { pathToFileURL } from 'node:url'
import type { Diagnostic } from '../../config/index.js'
import type { LintReport } from '../report.js'
import type { RuleInfo } from '../types.js'

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const
/** Code ranges (README § Rules). */
const TAGS: Readonly<Record<string, string>> = { GW00: 'structure', GW01: 'timeout-chain', GW02: 'upstream-pool', GW03: 'security' }

/**
 * SARIF 2.1.0 as GitHub code scanning reads it: one run, the whole rule catalogue in
 * `tool.driver.rules`, one result per finding with its file, line and column.
 */
export function formatSarif (report: LintReport, rules: readonly RuleInfo[]): string {
  const index = new Map(rules.map((r, i) => [r.code, i]))
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'gateway-lint',
          version: report.toolVersion,
          rules: rules.map((r) => ({
            id: r.code,
            name: r.id,
            shortDescription: { text: firstSentence(r.description) },
            fullDescription: { text: r.description },
            help: { text: r.hint },
            defaultConfiguration: { level: LEVEL[r.severity] },
            properties: { tags: [TAGS[r.code.slice(0, 4)] ?? 'other'] }
          }))
        }
      },
      invocations: [{ executionSuccessful: true, exitCode: report.exitCode }],
      results: report.findings.map((d) => result(d, index.get(d.code))),
      properties: { heartbeat: report.heartbeat ?? null, suppressed: report.suppressed }
    }]
  }, null, 2) + '\n'
}

function result (d: Diagnostic, ruleIndex: number | undefined): object {
  return {
    ruleId: d.code,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    level: LEVEL[d.severity],
    message: { text: d.hint !== undefined ? `${d.message}\n\nHint: ${d.hint}` : d.message },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: toUri(d.file) },
        region: { startLine: d.line, startColumn: d.col }
      }
    }],
    properties: { ruleName: d.rule, path: d.path }
  }
}

/** A repository-relative path as a relative URI reference; an absolute path as a file: URL. */
function toUri (file: string): string {
  if (file.startsWith('/')) return pathToFileURL(file).href
  return encodeURI(file.replace(/\\/g, '/').replace(/^\.\//, ''))
}

function firstSentence (text: string): string {
  const end = text.search(/(?<!e\.g)\.(\s|$)/)
  return end < 0 ? text : text.slice(0, end + 1)
}
