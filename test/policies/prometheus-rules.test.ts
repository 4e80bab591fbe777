import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'

const DIR = fileURLToPath(new URL('../../policies/prometheus/', import.meta.url))
const RULES = join(DIR, 'eas-gateway-rules.yml')
const TESTS = readdirSync(join(DIR, 'tests')).filter((f) => f.endsWith('.test.yml')).map((f) => join(DIR, 'tests', f))
const PROMTOOL = ['/usr/bin/promtool', 'promtool'].find((p) => spawnSync(p, ['--version']).status === 0)
const skip = PROMTOOL === undefined ? 'promtool is not installed (apt install prometheus)' : false

function promtool (...args: string[]): { status: number | null, output: string } {
  const r = spawnSync(PROMTOOL ?? 'promtool', args, { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

interface RuleFile { groups: { name: string, rules: { alert?: string, record?: string, expr: string }[] }[] }
const rules = (parse(readFileSync(RULES, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules)

t.test('promtool check rules: the rules file is valid', { skip }, async (t) => {
  const r = promtool('check', 'rules', RULES)
  t.equal(r.status, 0, r.output)
  t.match(r.output, new RegExp(`SUCCESS: ${rules.length} rules found`))
})

t.test('promtool test rules: every unit test file passes', { skip }, async (t) => {
  t.ok(TESTS.length >= 2, 'alert and recording tests exist')
  for (const file of TESTS) {
    const r = promtool('test', 'rules', file)
    t.equal(r.status, 0, `${file}: ${r.output}`)
  }
})

t.test('every alert has an alert_rule_test and every recording rule a promql_expr_test', async (t) => {
  const tested = TESTS.map((f) => readFileSync(f, 'utf8')).join('\n')
  for (const r of rules) {
    if (r.alert !== undefined) t.match(tested, new RegExp(`alertname: ${r.alert}\\n`), `${r.alert} is tested`)
    if (r.record !== undefined) t.ok(tested.includes(`expr: ${r.record}`), `${r.record} is tested`)
  }
})

t.test('alerts carry a severity, a summary and a description', async (t) => {
  const raw = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert?: string, labels?: { severity?: string }, annotations?: Record<string, string> }[] }[] }).groups.flatMap((g) => g.rules)
  for (const r of raw.filter((x) => x.alert !== undefined)) {
    t.match(r.labels?.severity, /^(critical|warning|info)$/, `${r.alert} severity`)
    t.ok((r.annotations?.summary ?? '').length > 0 && (r.annotations?.description ?? '').length > 0, `${r.alert} annotations`)
  }
})

t.test('promtool test rules can fail: a wrong expectation is reported', { skip }, async (t) => {
  const dir = t.testdir({
    'wrong.test.yml': `rule_files: [${JSON.stringify(RULES)}]
evaluation_interval: 30s
tests:
  - interval: 1m
    input_series:
      - series: 'eas_gateway_upstream_up{job="gw",instance="a",upstream="ex1"}'
        values: '1x10'
    alert_rule_test:
      - eval_time: 5m
        alertname: EasGatewayNoUpstreamAlive
        exp_alerts:
          - exp_labels: { severity: critical, job: gw, instance: a }
`
  })
  const r = promtool('test', 'rules', join(dir, 'wrong.test.yml'))
  t.not(r.status, 0)
  t.match(r.output, /FAILED/)
})
