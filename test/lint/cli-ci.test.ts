/* eslint-disable no-control-regex -- these tests look for the ANSI colour escapes (ESC [) in the output */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import _addFormats from 'ajv-formats'
import { cli } from '../../lib/cli/index.js'
import { runLint } from '../../lib/cli/lint.js'
import { loadGatewayConfig } from '../../lib/config/index.js'
import { formatGithub, LINT_JSON_SCHEMA, lintGatewayConfig, type LintReport } from '../../lib/lint/index.js'
import { colOf, memoryIo, ROOT } from './lint-helpers.js'

// #15 "The linter in CI": several files, globs, stdin, .gateway-lint.yaml, GW0011, the github and
// gitlab formats, SARIF fingerprints / automation ids / help links / --base, colour, --version.
const addFormats = _addFormats as unknown as (ajv: Ajv2020) => Ajv2020
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }))
const validateSarif = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/sarif-multitool-ts/assets/sarif-2.1.0.schema.json'), 'utf8')) as object)
const validateJson = ajv.compile(LINT_JSON_SCHEMA)
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

const files: Record<string, string> = {
  'clean.yaml': 'server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n  - name: ng\n    kind: nginx\n    balancing: single\n    closeOn401: true\n    timeouts: { proxy_read_timeout: 1h }\n',
  'error.yaml': 'server: { kind: exchange }\nhops:\n  - name: ng\n    kind: nginx\n',
  'warning.yaml': 'server: { kind: exchange }\nhops:\n  - name: hp\n    kind: haproxy\n'
}

interface Run { code: number, out: string, err: string }
const run = async (argv: string[], extra: Record<string, string> = {}, io: { stdin?: string, tty?: boolean, env?: Record<string, string> } = {}): Promise<Run> => {
  const m = memoryIo({ ...files, ...extra }, io.env ?? {})
  const code = await runLint(argv, { ...m, ...(io.stdin !== undefined ? { readStdin: async () => io.stdin as string } : {}), ...(io.tty !== undefined ? { isTTY: io.tty } : {}) })
  return { code, out: m.out(), err: m.err() }
}

t.test('several files in one run: the worst exit code, one section / document / run per file', async (t) => {
  const text = await run(['clean.yaml', 'error.yaml'])
  t.equal(text.code, 1)
  t.match(text.out, /^== clean\.yaml\n[\s\S]*^== error\.yaml\nerror\.yaml:3:5 error GW0103/m)
  t.equal(text.err, 'clean.yaml: OK\n', 'OK only for the clean file')
  const json = JSON.parse((await run(['clean.yaml', 'error.yaml', '--format', 'json'])).out) as { file: string, exitCode: number }[]
  t.same(json.map((d) => [d.file, d.exitCode]), [['clean.yaml', 0], ['error.yaml', 1]])
  for (const d of json) t.ok(validateJson(d), ajv.errorsText(validateJson.errors))
  const sarif = JSON.parse((await run(['clean.yaml', 'error.yaml', '--format', 'sarif'])).out) as { runs: { automationDetails: { id: string } }[] }
  t.ok(validateSarif(sarif), ajv.errorsText(validateSarif.errors))
  t.same(sarif.runs.map((r) => r.automationDetails.id), ['gateway-lint/clean.yaml/', 'gateway-lint/error.yaml/'], 'one automation id per topology')
})

t.test('globs expand to the files they match, sorted; a glob matching nothing is exit 2', async (t) => {
  const r = await run(['examples/*/topology.yaml', '--format', 'json', '--failure-threshold', 'none'])
  t.equal(r.code, 0)
  const docs = JSON.parse(r.out) as { file: string }[]
  t.ok(docs.length >= 8, 'every example')
  t.same(docs.map((d) => d.file), [...docs.map((d) => d.file)].sort())
  t.ok(docs.every((d) => /^examples\/[^/]+\/topology\.yaml$/.test(d.file)))
  const none = await run(['examples/*/nothing-*.yaml'])
  t.equal(none.code, 2)
  t.match(none.err, /no file matches examples\/\*\/nothing-\*\.yaml/)
})

t.test('"-" reads the topology from stdin, named by --stdin-filename', async (t) => {
  const r = await run(['-', '--stdin-filename', 'piped.yaml'], {}, { stdin: files['error.yaml'] })
  t.equal(r.code, 1)
  t.match(r.out, /^piped\.yaml:3:5 error GW0103/m)
  t.match((await run(['-'], {}, { stdin: files['clean.yaml'] })).err, /^<stdin>: OK$/m)
  t.equal((await run(['-'])).code, 2, 'no stdin available')
  t.equal((await run(['-', '-'], {}, { stdin: '' })).code, 2, 'stdin once')
})

t.test('.gateway-lint.yaml: ignored rules with reasons, threshold, catalog overrides, files', async (t) => {
  const config = 'failureThreshold: warning\nignore:\n  - rule: GW0112\n    reason: the F5 closes on 401, outside this topology\n  - rule: GW0111\n    reason: one server\n'
  const w = await run(['warning.yaml', '--format', 'json'], { '.gateway-lint.yaml': config })
  const doc = JSON.parse(w.out) as { findings: { ruleId: string }[], summary: { suppressed: number }, exitCode: number }
  t.equal(w.code, 1, 'the config\'s threshold: warnings fail')
  t.notOk(doc.findings.some((f) => f.ruleId === 'GW0112' || f.ruleId === 'GW0111'))
  t.equal(doc.summary.suppressed, 2)
  t.equal((await run(['warning.yaml', '--failure-threshold', 'error'], { '.gateway-lint.yaml': config })).code, 0, 'the flag wins over the file')
  const cf = 'server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n  - name: cf\n    kind: cloudflare\n    timeouts: { proxy_read_timeout: 3000 }\n    closeOn401: true\n'
  t.equal((await run(['cf.yaml'], { 'cf.yaml': cf })).code, 1, 'shipped catalog: 120 s cap')
  const withCatalog = await run(['cf.yaml'], { 'cf.yaml': cf, '.gateway-lint.yaml': 'catalog: ci/enterprise.yaml\n', 'ci/enterprise.yaml': 'kinds:\n  cloudflare:\n    settings:\n      proxy_read_timeout: { max: 6000s }\n' })
  t.equal(withCatalog.code, 0, 'the config\'s catalog (relative to it) raises the cap')
  const listed = await run([])
  t.equal(listed.code, 2, 'no operands and no files in the config')
  const fromConfig = await run(['--config', 'ci/lint.yaml'], { 'ci/lint.yaml': 'files: [../error.yaml, "../examples/f5-*/topology.yaml"]\n' })
  t.equal(fromConfig.code, 1)
  t.match(fromConfig.out, /^== error\.yaml\n[\s\S]*^== examples\/f5-exchange-short-request-timeout\/topology\.yaml\n[\s\S]*^== examples\/f5-exchange\/topology\.yaml$/m, 'files from the config (relative to it) when none is given')
})

t.test('a broken or missing config file is exit 2 with its diagnostics', async (t) => {
  const bad = await run(['clean.yaml'], { '.gateway-lint.yaml': 'ignore:\n  - rule: GW0112\n' })
  t.equal(bad.code, 2)
  t.match(bad.err, /^\.gateway-lint\.yaml:2:5 error GW0004 missing-key: missing required key "ignore\[0\]\.reason"$/m)
  const typo = await run(['clean.yaml'], { '.gateway-lint.yaml': 'treshold: warning\n' })
  t.match(typo.err, /GW0002 unknown-key/)
  const missing = await run(['clean.yaml', '--config', 'nope.yaml'])
  t.equal(missing.code, 2)
  t.match(missing.err, /cannot read nope\.yaml: ENOENT/)
})

t.test('GW0011: an unknown code in --ignore, in the config, or in a pragma is itself a finding', async (t) => {
  const cliRun = await run(['error.yaml', '--format', 'json', '--ignore', 'GW0111,GW01O3'])
  const doc = JSON.parse(cliRun.out) as { findings: { ruleId: string, file: string, line: number, col: number, message: string }[] }
  const argLine = 'error.yaml --format json --ignore GW0111,GW01O3'
  t.match(doc.findings[0], { ruleId: 'GW0011', file: '<command line>', line: 1, col: argLine.indexOf('GW01O3') + 1, message: /"GW01O3" is not a rule code or name.*did you mean "GW0103"\?/ })
  const config = 'ignore:\n  - rule: round-robin-balancng\n    reason: typo\n'
  const c = await run(['clean.yaml'], { '.gateway-lint.yaml': config })
  t.equal(c.code, 1, 'an error finding')
  t.match(c.out, new RegExp(`^\\.gateway-lint\\.yaml:2:${colOf(config, 2, 'round')} error GW0011 unknown-rule-code: "round-robin-balancng".*did you mean "round-robin-balancing"`, 'm'))
  const pragma = 'server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n  # gateway-lint ignore=GW0111,GW9999 reason\n  - name: ng\n    kind: nginx\n    closeOn401: true\n    timeouts: { proxy_read_timeout: 1h }\n'
  const p = JSON.parse((await run(['p.yaml', '--format', 'json'], { 'p.yaml': pragma })).out) as { findings: { ruleId: string, line: number, col: number }[] }
  t.same(p.findings.map((f) => [f.ruleId, f.line, f.col]), [['GW0011', 3, colOf(pragma, 3, 'GW9999')]])
  const strict = JSON.parse((await run(['p.yaml', '--format', 'json', '--disable-ignore-pragma'], { 'p.yaml': pragma })).out) as { findings: { ruleId: string }[] }
  t.notOk(strict.findings.some((f) => f.ruleId === 'GW0011'), 'pragmas switched off: nothing to check')
  const gw = 'upstreams: [{ name: ex, url: "https://mail.internal/" }] # gateway-lint ignore=GW0109,GW0999\n'
  const serve = lintGatewayConfig(loadGatewayConfig(gw, 'gw.yaml'))
  t.match(serve, [{ code: 'GW0011', file: 'gw.yaml', line: 1, col: colOf(gw, 1, 'GW0999') }], 'serve and check report it too')
})

t.test('--format github: workflow annotations with file, line, col and escaped text', async (t) => {
  const r = await run(['error.yaml', '--format', 'github'])
  t.equal(r.code, 1)
  t.match(r.out, /^::error file=error\.yaml,line=3,col=5,title=GW0103 hop-timeout-not-above-heartbeat::hop "ng" \(nginx\) proxy_read_timeout 1m[^\n]*%0Ahint: Raise/m)
  t.match(r.out, /^::warning file=error\.yaml,line=\d+,col=\d+,title=GW0111 round-robin-balancing::/m)
  t.match(r.out, /^error\.yaml: 1 errors, 2 warnings, 0 infos$/m)
  t.equal(r.err, '')
  const report: LintReport = { file: 'a,b:c.yaml', toolVersion: '0', suppressed: 0, exitCode: 1, findings: [{ code: 'GW0116', rule: 'timeout-unknown', severity: 'info', message: '100% sure\r\nnot', file: 'a,b:c.yaml', line: 2, col: 3, path: [] }] }
  t.equal(formatGithub([report]).split('\n')[0], '::notice file=a%2Cb%3Ac.yaml,line=2,col=3,title=GW0116 timeout-unknown::100%25 sure%0D%0Anot')
})

t.test('--format gitlab: a Code Quality report', async (t) => {
  const r = await run(['error.yaml', 'warning.yaml', '--format', 'gitlab'])
  const issues = JSON.parse(r.out) as { check_name: string, description: string, fingerprint: string, severity: string, location: { path: string, lines: { begin: number } } }[]
  t.ok(issues.length >= 3)
  t.match(issues[0], { check_name: 'GW0103', severity: 'major', description: /^GW0103 hop-timeout-not-above-heartbeat: hop "ng"/, location: { path: 'error.yaml', lines: { begin: 3 } } })
  t.ok(issues.every((i) => /^[0-9a-f]{32}$/.test(i.fingerprint)))
  t.equal(new Set(issues.map((i) => i.fingerprint)).size, issues.length, 'fingerprints are unique')
  t.ok(issues.some((i) => i.severity === 'minor' && i.location.path === 'warning.yaml'))
})

t.test('SARIF: fingerprints survive edits above, help links to the README section, --base', async (t) => {
  type Sarif = { runs: [{ tool: { driver: { informationUri: string, rules: { id: string, name: string, helpUri: string }[] } }, originalUriBaseIds: { SRCROOT: { uri: string } }, results: { ruleId: string, partialFingerprints: Record<string, string>, locations: [{ physicalLocation: { artifactLocation: { uri: string, uriBaseId?: string }, region: { startLine: number } } }] }[] }] }
  const a = JSON.parse((await run(['error.yaml', '--format', 'sarif'])).out) as Sarif
  const b = JSON.parse((await run(['error.yaml', '--format', 'sarif'], { 'error.yaml': '# a comment added later\n\n' + (files['error.yaml'] ?? '') })).out) as Sarif
  const fp = (s: Sarif): string[] => s.runs[0].results.map((r) => r.partialFingerprints['gatewayLint/v1'] ?? '')
  t.same(fp(a), fp(b), 'same fingerprints')
  t.not(a.runs[0].results[0]?.locations[0].physicalLocation.region.startLine, b.runs[0].results[0]?.locations[0].physicalLocation.region.startLine, 'though the lines moved')
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  for (const rule of a.runs[0].tool.driver.rules) {
    t.match(rule.helpUri, new RegExp(`README\\.md#${rule.id.toLowerCase()}-${rule.name}$`))
    if (/^GW0[01]/.test(rule.id)) t.match(readme, new RegExp(`^#### ${rule.id} ${rule.name}$`, 'm'), `${rule.id}: the anchor exists`)
  }
  t.match(a.runs[0].tool.driver.informationUri, /README\.md#gateway-lint-the-timeout-chain-linter$/)
  t.ok(validateSarif(a), ajv.errorsText(validateSarif.errors))
  const based = JSON.parse((await run(['examples/aws-alb-60s/topology.yaml', '--format', 'sarif', '--base', 'examples'])).out) as Sarif
  t.equal(based.runs[0].originalUriBaseIds.SRCROOT.uri, `file://${ROOT}/examples/`)
  t.match(based.runs[0].results[0]?.locations[0].physicalLocation.artifactLocation, { uri: 'aws-alb-60s/topology.yaml', uriBaseId: 'SRCROOT' })
  const outside = JSON.parse((await run(['error.yaml', '--format', 'sarif', '--base', 'examples'])).out) as Sarif
  t.same(outside.runs[0].results[0]?.locations[0].physicalLocation.artifactLocation, { uri: `file://${ROOT}/error.yaml` }, 'outside --base: an absolute file: URL')
  t.ok(validateSarif(based), ajv.errorsText(validateSarif.errors))
})

t.test('colour: on a terminal, off otherwise, off with NO_COLOR, flags win', async (t) => {
  t.match((await run(['error.yaml'], {}, { tty: true })).out, /\u001b\[31merror\u001b\[0m/)
  t.notMatch((await run(['error.yaml'], {}, { tty: false })).out, /\u001b\[/)
  t.notMatch((await run(['error.yaml'], {}, { tty: true, env: { NO_COLOR: '1' } })).out, /\u001b\[/)
  t.match((await run(['error.yaml', '--color'], {}, { tty: false, env: { NO_COLOR: '1' } })).out, /\u001b\[31m/)
  t.notMatch((await run(['error.yaml', '--no-color'], {}, { tty: true })).out, /\u001b\[/)
})

t.test('gateway --version and gateway lint --version', async (t) => {
  const io = memoryIo()
  t.equal(await cli(['--version'], io), 0)
  t.equal(io.out(), `${version}\n`)
  t.equal((await run(['--version'])).out, `${version}\n`)
})
