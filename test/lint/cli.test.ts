/* eslint-disable no-control-regex -- these tests look for the ANSI colour escapes (ESC [) in the output */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import _addFormats from 'ajv-formats'
import { runLint } from '../../lib/cli/lint.js'
import { ALL_RULES, LINT_JSON_SCHEMA } from '../../lib/lint/index.js'
import { memoryIo, ROOT } from './lint-helpers.js'

// ajv-formats is CJS with a default export; NodeNext sees the module object.
const addFormats = _addFormats as unknown as (ajv: Ajv2020) => Ajv2020
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }))
// The SARIF 2.1.0 JSON schema as Microsoft's SARIF SDK ships it (devDependency).
const sarifSchema = JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/sarif-multitool-ts/assets/sarif-2.1.0.schema.json'), 'utf8')) as object
const validateSarif = ajv.compile(sarifSchema)
const validateJson = ajv.compile(LINT_JSON_SCHEMA)

t.test('the validators reject what they should', async (t) => {
  t.notOk(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), 'SARIF: driver.name is required')
  t.notOk(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'info' }] }] }), 'SARIF: info is not a level')
  t.notOk(validateJson({ version: 1 }), 'json: summary and findings are required')
})

const files: Record<string, string> = {
  'clean.yaml': 'server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n  - name: ng\n    kind: nginx\n    balancing: single\n    closeOn401: true\n    timeouts: { proxy_read_timeout: 1h }\n',
  'error.yaml': 'server: { kind: exchange }\nhops:\n  - name: ng\n    kind: nginx\n',
  'warning.yaml': 'server: { kind: exchange }\nhops:\n  - name: hp\n    kind: haproxy\n',
  'info.yaml': 'server: { kind: exchange }\nhops:\n  - name: nat\n    kind: carrier-nat\n',
  'syntax.yaml': 'server: { kind: exchange\n',
  'layout.yaml': 'server: { kind: exchange }\nhops:\n  - name: lb\n    kind: azure-lbb\n'
}

const run = async (...argv: string[]): Promise<{ code: number, out: string, err: string }> => {
  const io = memoryIo(files)
  const code = await runLint(argv, io)
  return { code, out: io.out(), err: io.err() }
}

// [file, threshold, expected exit code]: the same for every format.
const matrix: [string, string, number][] = [
  ['clean.yaml', 'error', 0], ['error.yaml', 'error', 1], ['warning.yaml', 'error', 0], ['warning.yaml', 'warning', 1],
  ['info.yaml', 'warning', 0], ['info.yaml', 'info', 1], ['error.yaml', 'none', 0], ['syntax.yaml', 'error', 1], ['layout.yaml', 'error', 1]
]
for (const [file, threshold, expected] of matrix) {
  t.test(`${file} at --failure-threshold ${threshold} exits ${expected} in every format`, async (t) => {
    for (const format of ['text', 'json', 'sarif']) {
      const r = await run(file, '--format', format, '--failure-threshold', threshold)
      t.equal(r.code, expected, format)
      if (format === 'json') {
        const doc = JSON.parse(r.out) as { exitCode: number }
        t.ok(validateJson(doc), `json matches its schema: ${ajv.errorsText(validateJson.errors)}`)
        t.equal(doc.exitCode, expected)
      }
      if (format === 'sarif') t.ok(validateSarif(JSON.parse(r.out)), `valid SARIF 2.1.0: ${ajv.errorsText(validateSarif.errors)}`)
      if (format !== 'text') t.equal(r.err, '', 'stdout only, nothing on stderr')
    }
  })
}

t.test('text format: finding line, hint, heartbeat facts; OK on stderr when clean', async (t) => {
  const bad = await run('error.yaml')
  t.match(bad.out, /^error\.yaml:3:5 error GW0103 hop-timeout-not-above-heartbeat: hop "ng" \(nginx\) proxy_read_timeout 1m/m)
  t.match(bad.out, /^ {2}hint: Raise proxy_read_timeout on hop "ng" above 1h/m)
  t.match(bad.out, /^largest safe heartbeat: none, bounded by hop "ng" proxy_read_timeout/m)
  const ok = await run('clean.yaml')
  t.match(ok.out, /^largest safe heartbeat: 3539s \(58m59s\), bounded by hop "ng" proxy_read_timeout 3600s \(1h\) with a 60s margin \(clean\.yaml:7:37\)$/m)
  t.match(ok.out, /^max heartbeat in force: 1800s \(30m\), from server\.maxHeartbeat \(clean\.yaml:1:41\)$/m)
  t.equal(ok.err, 'clean.yaml: OK\n')
})

t.test('json carries the largest safe heartbeat and what bounds it', async (t) => {
  const doc = JSON.parse((await run('clean.yaml', '--format', 'json')).out) as { heartbeat: unknown, findings: unknown[] }
  t.same(doc.findings, [])
  t.same(doc.heartbeat, {
    effective: { seconds: 1800, source: 'server.maxHeartbeat', file: 'clean.yaml', line: 1, col: 41 },
    largestSafe: { seconds: 3539, hop: 'ng', setting: 'proxy_read_timeout', valueSeconds: 3600, marginSeconds: 60, file: 'clean.yaml', line: 7, col: 37 }
  })
  const broken = JSON.parse((await run('layout.yaml', '--format', 'json')).out) as { heartbeat: unknown }
  t.equal(broken.heartbeat, null, 'no chain on a broken file')
})

t.test('sarif lists every rule and points at line and column', async (t) => {
  const doc = JSON.parse((await run('error.yaml', '--format', 'sarif')).out) as { runs: [{ tool: { driver: { rules: { id: string }[] } }, results: { ruleId: string, ruleIndex: number, level: string, locations: [{ physicalLocation: { artifactLocation: { uri: string }, region: { startLine: number, startColumn: number } } }] }[] }] }
  const run0 = doc.runs[0]
  t.same(run0.tool.driver.rules.map((r) => r.id), ALL_RULES.map((r) => r.code))
  const res = run0.results.find((r) => r.ruleId === 'GW0103')
  t.match(res, { level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: 'error.yaml' }, region: { startLine: 3, startColumn: 5 } } }] })
  t.equal(run0.tool.driver.rules[res?.ruleIndex ?? -1]?.id, 'GW0103', 'ruleIndex points at the rule')
  t.ok(run0.results.some((r) => r.level === 'warning'))
})

t.test('usage errors and unreadable files exit 2 with one line, never a stack trace', async (t) => {
  for (const argv of [['--format', 'xml', 'clean.yaml'], ['--failure-threshold', 'fatal', 'clean.yaml'], ['--bogus'], [], ['a.yaml', 'b.yaml'], ['missing.yaml'], ['--explain', 'GW9999']]) {
    const r = await run(...argv)
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.err, /^gateway lint: /)
    t.notMatch(r.err, /\n\s+at /, 'no stack trace')
    t.equal(r.out, '')
  }
  const io = memoryIo()
  const code = await runLint(['clean.yaml'], { ...io, readFile: async () => { throw new TypeError('boom') } })
  t.equal(code, 2)
  t.match(io.err(), /^gateway lint: cannot read the vendor catalog .*: boom\n$/)
})

t.test('--list-rules, --explain, --list-kinds, --help', async (t) => {
  const list = await run('--list-rules')
  t.equal(list.code, 0)
  t.match(list.out, /^GW0103 {2}hop-timeout-not-above-heartbeat +error$/m)
  t.equal(list.out.trim().split('\n').length, ALL_RULES.length)
  const json = JSON.parse((await run('--list-rules', '--format', 'json')).out) as { code: string }[]
  t.equal(json.length, ALL_RULES.length)
  const ex = await run('--explain', 'GW0102')
  t.match(ex.out, /^GW0102 request-timeout-not-above-max-heartbeat \(error\)\n\nThe gateway's easRequestTimeout must exceed/)
  t.match((await run('--explain', 'hop-timeout-capped-below-heartbeat')).out, /^GW0104 /)
  t.match((await run('--explain', 'gw0008')).out, /^GW0008 unknown-kind/)
  const kinds = await run('--list-kinds')
  t.match(kinds.out, /^ {2}haproxy +HAProxy \(mode http\) \[l7; timeout client=none, timeout server=none\] \(config: its own file\)$/m)
  t.match(kinds.out, /^ {2}palo-alto +.*\]$/m, 'kinds without a reader')
  t.match(kinds.out, /^ {2}sogo +SOGo \(heartbeat 10s\.\.10s\)$/m)
  t.match((await run('--help')).out, /^usage: gateway lint/)
})

t.test('--ignore, pragmas and --disable-ignore-pragma', async (t) => {
  const a = JSON.parse((await run('error.yaml', '--format', 'json', '--ignore', 'GW0103,round-robin-balancing')).out) as { findings: { ruleId: string }[], summary: { suppressed: number }, exitCode: number }
  t.same(a.findings.map((f) => f.ruleId), ['GW0112'])
  t.equal(a.summary.suppressed, 2)
  t.equal(a.exitCode, 0)
  files['pragma.yaml'] = '# gateway-lint global ignore=GW0112\nserver: { kind: exchange }\nhops:\n  # gateway-lint ignore=GW0103,GW0111 reason: known, tracked\n  - name: ng\n    kind: nginx\n'
  const p = await run('pragma.yaml')
  t.equal(p.code, 0)
  t.match(p.out, /0 errors, 0 warnings, 0 infos \(3 suppressed\)/)
  const strict = await run('pragma.yaml', '--disable-ignore-pragma')
  t.equal(strict.code, 1)
})

t.test('colour only when asked for', async (t) => {
  t.notMatch((await run('error.yaml')).out, /\u001b\[/)
  t.match((await run('error.yaml', '--color')).out, /\u001b\[31merror\u001b\[0m/)
  const io = memoryIo(files, { FORCE_COLOR: '1' })
  await runLint(['error.yaml'], io)
  t.match(io.out(), /\u001b\[31m/)
  const off = memoryIo(files, { FORCE_COLOR: '1', NO_COLOR: '1' })
  await runLint(['error.yaml'], off)
  t.notMatch(off.out(), /\u001b\[/)
  t.notMatch((await run('error.yaml', '--color', '--no-color')).out, /\u001b\[/)
})
