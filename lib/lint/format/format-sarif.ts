import { pathToFileURL } from 'node:url'
import type { Diagnostic } from '../../config/index.js'
import type { LintReport } from '../report.js'
import type { RuleInfo } from '../types.js'
import { fileUri, fingerprint, relativePath, ruleAnchor, type OutputOptions } from './output-location.js'

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const
/** Code ranges (README § Rules). */
const TAGS: Readonly<Record<string, string>> = { GW00: 'structure', GW01: 'timeout-chain', GW02: 'upstream-pool', GW03: 'security' }
/** Version of the fingerprint recipe (output-location.ts); bump it if the recipe changes. */
const FINGERPRINT_KEY = 'gatewayLint/v1'
const ROOT_ID = 'SRCROOT'

/**
 * SARIF 2.1.0 as GitHub code scanning reads it: one run per topology, each with its own
 * `automationDetails.id` (`gateway-lint/<topology>/`, so uploads of several topologies do not
 * replace each other), the whole rule catalogue in `tool.driver.rules` with a `helpUri` to the
 * rule's README section, and one result per finding with its file, line, column and a
 * `partialFingerprints` entry that survives edits elsewhere in the file. With `base`, URIs are
 * relative to it (`originalUriBaseIds.SRCROOT`).
 */
export function formatSarif (reports: LintReport | readonly LintReport[], rules: readonly RuleInfo[], opts: OutputOptions = {}): string {
  const list: readonly LintReport[] = Array.isArray(reports) ? reports : [reports as LintReport]
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: list.map((r) => run(r, rules, opts))
  }, null, 2) + '\n'
}

function run (report: LintReport, rules: readonly RuleInfo[], opts: OutputOptions): object {
  const index = new Map(rules.map((r, i) => [r.code, i]))
  return {
    tool: {
      driver: {
        name: 'gateway-lint',
        version: report.toolVersion,
        ...(opts.docsUrl !== undefined ? { informationUri: `${opts.docsUrl}#gateway-lint-the-timeout-chain-linter` } : {}),
        rules: rules.map((r) => ({
          id: r.code,
          name: r.id,
          shortDescription: { text: firstSentence(r.description) },
          fullDescription: { text: r.description },
          help: { text: r.hint },
          ...(opts.docsUrl !== undefined ? { helpUri: `${opts.docsUrl}#${ruleAnchor(r.code, r.id)}` } : {}),
          defaultConfiguration: { level: LEVEL[r.severity] },
          properties: { tags: [TAGS[r.code.slice(0, 4)] ?? 'other'] }
        }))
      }
    },
    automationDetails: { id: `gateway-lint/${relativePath(report.file, opts) ?? report.file}/` },
    ...(opts.base !== undefined ? { originalUriBaseIds: { [ROOT_ID]: { uri: pathToFileURL(opts.base.endsWith('/') ? opts.base : opts.base + '/').href } } } : {}),
    invocations: [{ executionSuccessful: true, exitCode: report.exitCode }],
    results: report.findings.map((d) => result(d, index.get(d.code), opts)),
    properties: { heartbeat: report.heartbeat ?? null, suppressed: report.suppressed }
  }
}

function result (d: Diagnostic, ruleIndex: number | undefined, opts: OutputOptions): object {
  const { uri, relative } = fileUri(d.file, opts)
  return {
    ruleId: d.code,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    level: LEVEL[d.severity],
    message: { text: d.hint !== undefined ? `${d.message}\n\nHint: ${d.hint}` : d.message },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri, ...(relative && opts.base !== undefined && !d.file.startsWith('<') ? { uriBaseId: ROOT_ID } : {}) },
        region: { startLine: d.line, startColumn: d.col }
      }
    }],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(d, opts) },
    properties: { ruleName: d.rule, path: d.path }
  }
}

function firstSentence (text: string): string {
  const end = text.search(/(?<!e\.g)\.(\s|$)/)
  return end < 0 ? text : text.slice(0, end + 1)
}
