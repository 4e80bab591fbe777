import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { Registry } from 'prom-client'
import { cli, type CliIo } from '../../lib/cli/index.js'
import { EAS_COMMANDS } from '../../lib/eas/index.js'
import { createMetrics, LIMIT_NAMES, metricNames, PROBE_FAILURES, presetCounters } from '../../lib/metrics/index.js'
import { OUTCOMES } from '../../lib/proxy/index.js'
import { metricValue } from '../helpers/metric-values.js'
import { until } from '../helpers/until.js'

const PROMTOOL = ['/usr/bin/promtool', 'promtool'].find((p) => spawnSync(p, ['--version']).status === 0)

/** `promtool check metrics` on an exposition text: its exit status and complaints. */
function promtoolCheck (text: string): { status: number | null, output: string } {
  const r = spawnSync(PROMTOOL ?? 'promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

t.test('default metrics: no gauge ends in _total; the three prom-client renamed ones are kept as _all', async (t) => {
  const registry = new Registry()
  createMetrics(registry, { version: 'x' })
  const json = await registry.getMetricsAsJSON()
  for (const m of json) if (m.name.endsWith('_total')) t.equal(m.type, 'counter', `${m.name} is a counter`)
  for (const what of ['handles', 'requests', 'resources']) {
    const m = json.find((x) => x.name === `eas_gateway_nodejs_active_${what}_all`)
    t.ok(m !== undefined, `eas_gateway_nodejs_active_${what}_all exists`)
    t.equal(m?.type, 'gauge')
  }
  t.ok(await metricValue(registry, 'eas_gateway_nodejs_active_handles_all') >= 0, 'read at scrape time')
  t.ok(json.some((x) => x.name === 'eas_gateway_nodejs_active_handles'), 'the per-type gauge keeps its name')
})

t.test('presetCounters: every bounded series exists at 0 before the first event', async (t) => {
  const registry = new Registry()
  const m = createMetrics(registry, { version: 'x', defaultMetrics: false })
  presetCounters(m, { commands: [...EAS_COMMANDS, 'other'], outcomes: OUTCOMES, upstreams: ['ex1', 'ex2'] })
  const json = await registry.getMetricsAsJSON()
  const series = (name: string): { value: number, labels: Partial<Record<string, string | number>> }[] => json.find((x) => x.name === name)?.values ?? []
  t.equal(series(metricNames.requests).length, (EAS_COMMANDS.length + 1) * OUTCOMES.length, 'requests_total: command × outcome')
  t.ok(series(metricNames.requests).every((v) => v.value === 0), 'all at 0')
  t.ok(series(metricNames.requests).some((v) => v.labels.command === 'Ping' && v.labels.outcome === 'upstream_timeout'))
  t.equal(series(metricNames.upstreamEjections).length, 2 * PROBE_FAILURES.length, 'ejections: upstream × reason')
  t.same(series(metricNames.limitRejections).map((v) => v.labels.limit).sort(), [...LIMIT_NAMES].sort())
  t.ok(series(metricNames.responses).some((v) => v.labels.status_class === '5xx' && v.labels.command === 'Sync'))
  t.ok(series(metricNames.upstreamErrors).some((v) => v.labels.upstream === 'ex2' && v.labels.reason === 'timeout'))
  t.equal(series(metricNames.pingClamped).length, 2)
  m.upstreamEjections.inc({ upstream: 'ex1', reason: 'refused' })
  t.equal(await metricValue(registry, metricNames.upstreamEjections, { upstream: 'ex1', reason: 'refused' }), 1, 'an event adds to the preset series')
})

function memoryIo (): CliIo & { err: () => string, shutdown: () => void } {
  let err = ''
  let handler: (() => void) | undefined
  return {
    stdout: () => {},
    stderr: (s) => { err += s },
    readFile: async (p) => await readFile(p, 'utf8'),
    cwd: process.cwd(),
    env: {},
    onShutdown: (h) => { handler = h },
    err: () => err,
    shutdown: () => { handler?.() }
  }
}

t.test('gateway serve /metrics: promtool check metrics passes, preset counters at 0 from start-up', { skip: PROMTOOL === undefined ? 'promtool not installed' : false }, async (t) => {
  const io = memoryIo()
  const exit = cli(['serve', '--port', '0', '--admin-port', '0'], io)
  await until(() => /admin listener {3}http:\/\/127\.0\.0\.1:\d+\//.test(io.err()), 'the demo banner', 20_000)
  const admin = /admin listener {3}http:\/\/127\.0\.0\.1:(\d+)\//.exec(io.err())?.[1]
  const text = await (await fetch(`http://127.0.0.1:${admin}/metrics`)).text()
  io.shutdown()
  t.equal(await exit, 0, 'drained and exited 0')
  const check = promtoolCheck(text)
  t.equal(check.status, 0, `promtool check metrics: ${check.output}`)
  t.equal(check.output.trim(), '', 'no lint complaints')
  t.match(text, /^eas_gateway_upstream_ejections_total\{upstream="demo",reason="refused"\} 0$/m, 'the first ejection will be visible to increase()')
  t.match(text, /^eas_gateway_requests_total\{command="Ping",outcome="upstream_timeout"\} 0$/m)
  t.match(text, /^eas_gateway_limit_rejections_total\{limit="held_pings"\} 0$/m)
  t.match(text, /^eas_gateway_nodejs_active_handles_all \d+$/m)

  // Every metric the alerting rules and the dashboard read is one the gateway exports (a typo
  // there would be an alert that never fires).
  const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]))
  const used = new Set<string>()
  for (const file of ['policies/prometheus/eas-gateway-rules.yml', 'policies/grafana/eas-gateway-dashboard.json']) {
    const src = await readFile(new URL(`../../${file}`, import.meta.url), 'utf8')
    for (const m of src.matchAll(/(?<![:\w])(eas_gateway_[a-z0-9_]+)/g)) used.add((m[1] ?? '').replace(/_(bucket|sum|count)$/, ''))
  }
  t.ok(used.size >= 20, `${used.size} metrics used by rules and dashboard`)
  for (const name of used) t.ok(exported.has(name), `${name} is exported`)
  // Bounded and preset: every Ping Status and every exact HTTP status exists at 0 from start-up.
  t.match(text, /^eas_gateway_ping_answers_total\{status="129"\} 0$/m)
  t.match(text, /^eas_gateway_responses_total\{command="Sync",status_class="4xx",status="449"\} 0$/m)
})

t.test('promtool itself refuses a gauge ending in _total (the check above can fail)', { skip: PROMTOOL === undefined ? 'promtool not installed' : false }, async (t) => {
  const r = promtoolCheck('# HELP x_total x\n# TYPE x_total gauge\nx_total 1\n')
  t.not(r.status, 0)
  t.match(r.output, /non-counter metrics should not have "_total" suffix/)
})
