import t from 'tap'
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { counterSeries, DURATION_BUCKETS, gaugeSeries, histogramSeries } from '../../lib/metrics/index.js'

/** The same three metrics on a fresh registry, one preset counter series at 0 as lib/metrics presets them. */
function metricsOn (registry: Registry) {
  const m = {
    requests: new Counter({ name: 'x_requests_total', help: 'h', labelNames: ['command', 'outcome'] as const, registers: [registry] }),
    inFlight: new Gauge({ name: 'x_in_flight', help: 'h', labelNames: ['command'] as const, registers: [registry] }),
    duration: new Histogram({ name: 'x_duration_seconds', help: 'h', labelNames: ['command', 'outcome'] as const, buckets: DURATION_BUCKETS, registers: [registry] })
  }
  m.requests.inc({ command: 'Ping', outcome: 'completed' }, 0)
  return m
}

type Children = (m: ReturnType<typeof metricsOn>, command: string, outcome: string) => { inc (): void, dec (): void, count (): void, observe (v: number): void }
const promChildren: Children = (m, command, outcome) => {
  const g = m.inFlight.labels({ command })
  const c = m.requests.labels({ command, outcome })
  const h = m.duration.labels({ command, outcome })
  return { inc: () => { g.inc() }, dec: () => { g.dec() }, count: () => { c.inc() }, observe: (v) => { h.observe(v) } }
}
const hotChildren: Children = (m, command, outcome) => {
  const g = gaugeSeries(m.inFlight, { command })
  const c = counterSeries(m.requests, { command, outcome })
  const h = histogramSeries(m.duration, { command, outcome })
  return { inc: () => { g.inc() }, dec: () => { g.dec() }, count: () => { c.inc() }, observe: (v) => { h.observe(v) } }
}

// Values on, between, below and above the bounds, and sums whose rounding depends on the order of additions.
const VALUES = [0, 0.005, 0.0050001, 0.1 + 0.2, 1e-9, 0.7, 3599.999, 3900, 3900.0001, 1e6, 0.3, 0.1, 0.2, 17.25]
const LABELS: [string, string][] = [['Sync', 'completed'], ['Ping', 'completed'], ['Sync', 'upstream_reset'], ['FolderSync', 'completed']]

/** Runs one event sequence (several series, a reset, a removal) and returns the text and JSON after each phase. */
async function run (children: Children): Promise<string[]> {
  const registry = new Registry()
  const m = metricsOn(registry)
  const out: string[] = []
  const snap = async (): Promise<void> => { out.push(await registry.metrics(), JSON.stringify(await registry.getMetricsAsJSON())) }
  const kids = LABELS.map(([c, o]) => children(m, c, o))
  for (let i = 0; i < VALUES.length; i++) {
    const k = kids[i % kids.length]
    k?.inc()
    k?.count()
    k?.observe(VALUES[i] as number)
    if (i % 3 === 0) k?.dec()
  }
  await snap()
  m.duration.remove({ command: 'Sync', outcome: 'completed' })
  m.requests.reset()
  for (const k of kids) { k.count(); k.observe(0.02); k.inc() }
  await snap()
  registry.resetMetrics()
  kids[3]?.observe(2)
  kids[3]?.count()
  kids[3]?.dec()
  await snap()
  return out
}

t.test('hot series give /metrics and getMetricsAsJSON byte for byte as prom-client\'s labelled children: order, buckets, sums, preset zeros, after remove() and reset()', async (t) => {
  const want = await run(promChildren)
  const got = await run(hotChildren)
  t.equal(got.length, 6)
  for (let i = 0; i < want.length; i++) t.equal(got[i], want[i], `snapshot ${i}`)
  t.match(want[0], /x_duration_seconds_bucket\{le="3900",command="Sync",outcome="completed"\} \d/)
  t.match(want[2], /x_requests_total\{command="Sync",outcome="completed"\} 1\n/, 'the reset counter counts again from its first inc')
})

t.test('the cluster aggregation (serve --workers) sums hot series as it sums prom-client\'s', async (t) => {
  const perWorker = async (children: Children): Promise<unknown> => {
    const registry = new Registry()
    const m = metricsOn(registry)
    const k = children(m, 'Sync', 'completed')
    k.inc(); k.count(); k.observe(0.3); k.observe(7)
    return await registry.getMetricsAsJSON()
  }
  const prom = await perWorker(promChildren)
  const hot = await perWorker(hotChildren)
  const agg = async (a: unknown, b: unknown): Promise<string> => await AggregatorRegistry.aggregate([a, b] as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics()
  t.equal(await agg(hot, hot), await agg(prom, prom))
  t.match(await agg(hot, prom), /x_duration_seconds_count\{command="Sync",outcome="completed"\} 4/)
})

t.test('a value that is not finite is refused as prom-client refuses it', async (t) => {
  const m = metricsOn(new Registry())
  t.throws(() => { histogramSeries(m.duration, { command: 'Sync', outcome: 'completed' }).observe(Number.NaN) }, TypeError)
})
