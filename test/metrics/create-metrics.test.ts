import t from 'tap'
import { Registry } from 'prom-client'
import { createMetrics, DURATION_BUCKETS, metricNames } from '../../lib/metrics/index.js'
import { histogramCount, metricValue } from '../helpers/metric-values.js'

t.test('every metric is registered on the injected registry under its eas_gateway_ name', async (t) => {
  const registry = new Registry()
  const metrics = createMetrics(registry, { version: '1.2.3', defaultMetrics: false })
  const before = (await registry.getMetricsAsJSON()).map((m) => m.name)
  t.notOk(before.includes(metricNames.stateRedisUp), 'no shared-state metrics without state.redis')
  metrics.registerStateMetrics()
  metrics.registerStateMetrics() // a second gateway on the same registry: no duplicate
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name)
  for (const name of Object.values(metricNames)) t.ok(names.includes(name), `${name} registered`)
  t.ok(names.every((n) => n.startsWith('eas_gateway_')), 'all prefixed eas_gateway_')
  t.equal(await metricValue(registry, metricNames.buildInfo, { version: '1.2.3' }), 1, 'build_info{version} is 1')
})

t.test('a fresh Registry each time: nothing global, no duplicate-registration error', async (t) => {
  const a = new Registry()
  const b = new Registry()
  const ma = createMetrics(a, { version: 'a', defaultMetrics: false })
  createMetrics(b, { version: 'b', defaultMetrics: false })
  ma.requests.inc({ command: 'Ping', outcome: 'completed' })
  t.equal(await metricValue(a, metricNames.requests), 1)
  t.equal(await metricValue(b, metricNames.requests), 0, 'the other registry is untouched')
})

t.test('default process metrics, prefixed, when asked for', async (t) => {
  const registry = new Registry()
  createMetrics(registry, { version: 'x' })
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name)
  t.ok(names.includes('eas_gateway_process_cpu_seconds_total'))
  t.ok(names.some((n) => n.startsWith('eas_gateway_nodejs_')))
})

t.test('request metrics: labels and buckets', async (t) => {
  const registry = new Registry()
  const m = createMetrics(registry, { version: 'x', defaultMetrics: false })
  t.ok(Math.max(...DURATION_BUCKETS) >= 3900, 'duration buckets reach about 65 min')
  t.ok(DURATION_BUCKETS.includes(3540), 'a bucket at Exchange\'s maximum heartbeat')
  m.duration.observe({ command: 'Ping', outcome: 'completed' }, 3539)
  m.duration.observe({ command: 'Ping', outcome: 'device_abort' }, 299)
  t.equal(await histogramCount(registry, metricNames.duration, { command: 'Ping', outcome: 'completed' }), 1)
  t.equal(await histogramCount(registry, metricNames.duration, { command: 'Ping' }), 2)
  m.inFlight.inc({ command: 'Ping' })
  m.inFlight.dec({ command: 'Ping' })
  t.equal(await metricValue(registry, metricNames.inFlight, { command: 'Ping' }), 0)
  m.unauthorizedCloses.inc()
  t.equal(await metricValue(registry, metricNames.unauthorizedCloses), 1)
  const json = await registry.getMetricsAsJSON()
  const labelsOf = (name: string): string[] => [...new Set((json.find((x) => x.name === name)?.values ?? []).flatMap((v) => Object.keys(v.labels)))].sort()
  t.same(labelsOf(metricNames.requests), [], 'no series before the first request (presetCounters adds them; see promtool.test.ts)')
  m.requests.inc({ command: 'Sync', outcome: 'upstream_reset' })
  const after = await registry.getMetricsAsJSON()
  t.same(Object.keys(after.find((x) => x.name === metricNames.requests)?.values[0]?.labels ?? {}).sort(), ['command', 'outcome'], 'requests_total labels: command, outcome only')
})

t.test('log lines dropped: a counter read from the log destination at scrape time', async (t) => {
  // regression: #9
  const registry = new Registry()
  let dropped = 0
  createMetrics(registry, { version: 'x', defaultMetrics: false, logLinesDropped: () => dropped })
  t.equal(await metricValue(registry, metricNames.logLinesDropped), 0)
  dropped = 42
  t.equal(await metricValue(registry, metricNames.logLinesDropped), 42, 'the current count at each scrape')
  t.match(await registry.metrics(), /# TYPE eas_gateway_log_lines_dropped_total counter\neas_gateway_log_lines_dropped_total 42\n/)
  const without = new Registry()
  createMetrics(without, { version: 'x', defaultMetrics: false })
  t.equal(await metricValue(without, metricNames.logLinesDropped), 0, 'without a source: 0')
})
