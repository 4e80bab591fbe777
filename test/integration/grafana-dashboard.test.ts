/**
 * The Grafana dashboard (policies/grafana/eas-gateway-dashboard.json) against a real Prometheus
 * scraping the real gateway (dist/bin/gateway.js serve), with the recording rules of
 * policies/prometheus/eas-gateway-rules.yml loaded: every panel query is evaluated as Grafana
 * would (instant and range) and none may return an error. The template variables are queried
 * through the label API, as Grafana's label_values() does.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import {
  prometheusConfig,
  queryPrometheus,
  requirePeer,
  startGateway,
  startPrometheus,
  waitFor,
  waitForScrape,
  type Peer,
} from './helpers/index.js'

const RULES = fileURLToPath(new URL('../../policies/prometheus/eas-gateway-rules.yml', import.meta.url))
const DASHBOARD = JSON.parse(readFileSync(new URL('../../policies/grafana/eas-gateway-dashboard.json', import.meta.url), 'utf8')) as {
  panels: Array<{ type: string; title: string; targets?: Array<{ expr: string; refId: string }> }>;
}

/** Grafana's variables, as they expand with "All" selected and a 1 s scrape interval. */
function expand (expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.+').replaceAll('$instance', '.+')
}

/** A range query as Grafana's time-series panels send it; resolves the result, throws Prometheus' error. */
async function queryRange (prom: Peer, promql: string): Promise<unknown[]> {
  const end = Math.floor(Date.now() / 1000)
  const url = `${prom.url}/api/v1/query_range?query=${encodeURIComponent(promql)}&start=${end - 120}&end=${end}&step=5`
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()) as { status: string; error?: string; data?: { result?: unknown[] } }
  if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error ?? 'failed'}`)
  return body.data?.result ?? []
}

// Queries that are empty on an idle gateway: nothing was observed yet.
const EMPTY_WITHOUT_TRAFFIC = new Set([
  'Request duration p50 / p99 by command', // histogram with command/outcome labels: no request yet
  'Upstream response time p95', // histogram with command/upstream labels: nothing forwarded yet
  'Abort rate by command and outcome (README expression)', // `> 0`: no abort yet, no row
])

t.test('every Grafana panel query evaluates without error against the real Prometheus', { timeout: 120_000 }, async (t) => {
  if (!(await requirePeer(t, ['prometheus', 'gateway']))) return
  // An upstream that refuses connections: the pool ejects it, so upstream series have values.
  const gw = await startGateway(t, {
    upstreams: [{ name: 'ex1', url: 'http://127.0.0.1:9/' }],
    server: { minHeartbeat: '1s', maxHeartbeat: '2s' },
    timeouts: { easRequestTimeout: '4s', executionTimeout: '5s', heartbeatMargin: '1s', drainGrace: '1s' },
    pool: { healthCheck: { interval: '1s', timeout: '500ms' } },
  })
  const prom = await startPrometheus(t, {
    config: (ctx) =>
      prometheusConfig(ctx, { targets: [`127.0.0.1:${gw.adminPort}`], scrapeIntervalSec: 1 }).replace(
        'global:\n',
        'global:\n  evaluation_interval: 1s\n'
      ) + `rule_files:\n  - ${JSON.stringify(RULES)}\n`,
  })
  await waitForScrape(prom)
  // Recording rules evaluated over at least two scrapes.
  await waitFor('the recording rules to have a value', async () => (await queryPrometheus(prom, 'instance:eas_gateway_upstreams_up:sum')).length > 0, {
    timeoutMs: 20_000,
    maxIntervalMs: 250,
  })
  await waitFor('two samples for rate()', async () => (await queryPrometheus(prom, 'count_over_time(eas_gateway_build_info[1m]) >= 3')).length > 0, {
    timeoutMs: 20_000,
    maxIntervalMs: 250,
  })

  const panels = DASHBOARD.panels.filter((p) => p.type !== 'row')
  t.ok(panels.length >= 20, `${panels.length} panels`)
  let withData = 0
  for (const panel of panels) {
    t.ok((panel.targets ?? []).length > 0, `${panel.title}: has a query`)
    let rows = 0
    for (const target of panel.targets ?? []) {
      const expr = expand(target.expr)
      const instant = await queryPrometheus(prom, expr).catch((err: Error) => err)
      const range = await queryRange(prom, expr).catch((err: Error) => err)
      t.notOk(instant instanceof Error, `${panel.title} [${target.refId}] instant: ${instant instanceof Error ? instant.message : 'ok'}`)
      t.notOk(range instanceof Error, `${panel.title} [${target.refId}] range: ${range instanceof Error ? range.message : 'ok'}`)
      if (Array.isArray(instant)) rows += instant.length
    }
    if (rows > 0) withData++
    if (!EMPTY_WITHOUT_TRAFFIC.has(panel.title)) t.ok(rows > 0, `${panel.title}: has data on an idle gateway (preset counters, gauges)`)
  }
  t.comment(`${withData} of ${panels.length} panels return data on an idle gateway`)

  // Template variables: label_values(eas_gateway_build_info, job) and (..., instance).
  for (const label of ['job', 'instance']) {
    const res = await fetch(`${prom.url}/api/v1/label/${label}/values?match[]=eas_gateway_build_info`, { signal: AbortSignal.timeout(5000) })
    const body = (await res.json()) as { status: string; data: string[] }
    t.equal(body.status, 'success')
    t.ok(body.data.length > 0, `$${label} has values: ${body.data.join(', ')}`)
  }
})
