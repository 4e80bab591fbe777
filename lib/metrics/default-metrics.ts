import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * prom-client's default process and Node.js metrics, under `prefix`, on `registry`. Three of its
 * gauges end in `_total` (`nodejs_active_handles_total`, `_requests_total`, `_resources_total`),
 * which `promtool check metrics` refuses: only counters may. They are kept, renamed to `…_all`
 * (the count over all types; the per-type gauge keeps its own name), read from the original at
 * scrape time. Returns the renames, old name to new.
 */
export function registerDefaultMetrics (registry: Registry, prefix: string): ReadonlyMap<string, string> {
  const staging = new Registry()
  collectDefaultMetrics({ register: staging, prefix })
  const renamed = new Map<string, string>()
  for (const { name, help } of staging.getMetricsAsArray()) {
    const metric = staging.getSingleMetric(name)
    if (metric === undefined) continue
    if (!name.endsWith('_total') || metric instanceof Counter) { registry.registerMetric(metric); continue }
    const to = `${name.slice(0, -'_total'.length)}_all`
    renamed.set(name, to)
    const source = metric
    void new Gauge({
      name: to,
      help: `${help.replace(/\.$/, '')} (prom-client's ${name.slice(prefix.length)}, renamed: only counters end in _total)`,
      registers: [registry],
      async collect () {
        const { values } = await source.get()
        this.set(values.reduce((sum, v) => sum + v.value, 0))
      }
    })
  }
  return renamed
}
