import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ALL_RULES, formatJson, formatSarif, formatText, exitCodeFor, summarizeHeartbeat, type LintReport } from '../../lib/lint/index.js'
import { lintTopology } from '../../lib/lint/index.js'
import { ROOT, shippedCatalog } from './lint-helpers.js'

// Formatter output snapshots (tap-snapshots/), with a fixed tool version so a release does not
// churn them. Regenerate with: npx tap --snapshot test/lint/format.test.ts
const catalog = shippedCatalog()

async function report (example: string): Promise<LintReport> {
  const file = `examples/${example}/topology.yaml`
  const r = await lintTopology({ file, text: readFileSync(join(ROOT, file), 'utf8'), catalog, readFile: async (p) => readFileSync(join(ROOT, p), 'utf8') })
  return {
    file,
    toolVersion: '0.0.0-test',
    findings: r.findings,
    suppressed: r.suppressed.length,
    exitCode: exitCodeFor(r.findings, 'error'),
    ...(r.chain !== undefined ? { heartbeat: summarizeHeartbeat(r.chain) } : {})
  }
}

for (const example of ['aws-alb-60s', 'f5-exchange', 'keepalive-both-ways']) {
  t.test(example, async (t) => {
    const r = await report(example)
    t.matchSnapshot(formatText(r), 'text')
    t.matchSnapshot(formatText(r, { color: true }), 'text, colour')
    t.matchSnapshot(formatJson(r), 'json')
    // Only the rules this example reports, so a rule added elsewhere does not churn the snapshot
    // (test/lint/cli.test.ts checks that the real output lists every rule).
    t.matchSnapshot(formatSarif(r, ALL_RULES.filter((rule) => rule.code < 'GW0002' || r.findings.some((f) => f.code === rule.code))), 'sarif')
  })
}

t.test('no chain on a broken file', async (t) => {
  const r: LintReport = { file: 'x.yaml', toolVersion: '0', findings: [], suppressed: 0, exitCode: 0 }
  t.match(formatText(r), /^timeout chain not checked: fix the errors above first\n0 errors, 0 warnings, 0 infos\n$/)
  const sarif = formatSarif({ ...r, file: '/abs/x y.yaml', findings: [{ code: 'GW0001', rule: 'yaml-syntax', severity: 'info', message: 'm', file: '/abs/x y.yaml', line: 1, col: 2, path: [] }] }, ALL_RULES)
  t.match(sarif, /"uri": "file:\/\/\/abs\/x%20y\.yaml"/, 'absolute paths become file: URLs')
  t.match(sarif, /"level": "note",\n\s+"message"/, 'info is a SARIF note')
})
