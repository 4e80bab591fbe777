import type { Registry } from 'prom-client'

type Labels = Readonly<Record<string, string>>

interface JsonValue { readonly value: number, readonly labels: Record<string, string | number>, readonly metricName?: string }

function matches (v: JsonValue, labels: Labels): boolean {
  return Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)
}

/** Values of one metric from `registry.getMetricsAsJSON()` (never the text format). */
async function valuesOf (registry: Registry, name: string): Promise<JsonValue[]> {
  const all = await registry.getMetricsAsJSON()
  const m = all.find((x) => x.name === name)
  if (m === undefined) throw new Error(`metric ${name} is not registered`)
  return m.values as JsonValue[]
}

/** Sum of a counter's or gauge's values whose labels include `labels` (0 when none). */
export async function metricValue (registry: Registry, name: string, labels: Labels = {}): Promise<number> {
  return (await valuesOf(registry, name)).filter((v) => matches(v, labels)).reduce((s, v) => s + v.value, 0)
}

/** Every labelled value of a counter or gauge, as `{ labels, value }`. */
export async function metricSeries (registry: Registry, name: string): Promise<{ labels: Record<string, string | number>, value: number }[]> {
  return (await valuesOf(registry, name)).map((v) => ({ labels: v.labels, value: v.value }))
}

/** A histogram's observation count for the series whose labels include `labels`. */
export async function histogramCount (registry: Registry, name: string, labels: Labels = {}): Promise<number> {
  return (await valuesOf(registry, name))
    .filter((v) => v.metricName === `${name}_count` && matches(v, labels))
    .reduce((s, v) => s + v.value, 0)
}
