import type { Counter, Gauge, Histogram, LabelValues } from 'prom-client'

/** One series' value in prom-client's store (counters and gauges). */
interface ValueEntry { value: number, labels: Record<string, string | number> }
/** One histogram series in prom-client's store: non-cumulative counts by upper bound, sum, count. */
interface BucketEntry { bucketValues: Record<string, number>, sum: number, count: number, labels: Record<string, string | number> }
/** What every prom-client metric keeps: its series by a string of their labels. */
interface Store<E> { hashMap: Record<string, E>, enableExemplars?: boolean, upperBounds?: readonly number[] }

/**
 * The store entry of the series with `labels`, made by prom-client itself (`make`) when missing,
 * so a series appears where and when prom-client would have made it. Undefined when the store is
 * not the shape this file knows (another prom-client version): the callers then use prom-client's
 * own labelled child, as before.
 */
function entryOf<E extends { labels: Record<string, string | number> }> (store: Store<E>, labels: Readonly<Record<string, string>>, make: () => void): { hash: string, entry: E } | undefined {
  const find = (): { hash: string, entry: E } | undefined => {
    if (typeof store.hashMap !== 'object' || store.hashMap === null) return undefined
    const names = Object.keys(labels)
    for (const hash in store.hashMap) {
      const entry = store.hashMap[hash] as E
      const l = entry.labels
      if (typeof l === 'object' && l !== null && Object.keys(l).length === names.length && names.every((n) => String(l[n]) === labels[n])) return { hash, entry }
    }
    return undefined
  }
  const found = find()
  if (found !== undefined) return found
  make()
  return find()
}

/**
 * Labelled series of the hot per-request metrics (issue #14): prom-client's labelled children hash
 * the label object, validate it and allocate on every inc()/observe() (~1.5 KB per request). These
 * keep a reference to the series' entry in prom-client's own store and update it exactly as
 * prom-client does (`value += 1`, `sum += v`, `count += 1`, the first bucket with v <= bound), so
 * `/metrics`, getMetricsAsJSON, the cluster aggregation and reset() see the same values, in the
 * same order. The reference is checked on each update (one property read) and resolved anew if
 * the series was removed or the metric reset. Bounded label sets only: a series is kept per call
 * site's cache, not per request.
 */
export function counterSeries<T extends string> (counter: Counter<T>, labels: LabelValues<T> & Readonly<Record<string, string>>): { inc (): void } {
  const store = counter as unknown as Store<ValueEntry>
  const make = (): void => { counter.inc(labels, 0) }
  const at = store.enableExemplars === true ? undefined : entryOf(store, labels, make)
  if (at === undefined) return counter.labels(labels)
  return { inc () { current(store, at, labels, make).value += 1 } }
}

/** A gauge series updated by inc()/dec() of 1 (see {@link counterSeries}). */
export function gaugeSeries<T extends string> (gauge: Gauge<T>, labels: LabelValues<T> & Readonly<Record<string, string>>): { inc (): void, dec (): void } {
  const store = gauge as unknown as Store<ValueEntry>
  const make = (): void => { gauge.inc(labels, 0) }
  const at = entryOf(store, labels, make)
  if (at === undefined) return gauge.labels(labels)
  return {
    inc () { current(store, at, labels, make).value += 1 },
    dec () { current(store, at, labels, make).value -= 1 }
  }
}

/** A histogram series (see {@link counterSeries}); a value that is not finite goes to prom-client, which refuses it. */
export function histogramSeries<T extends string> (histogram: Histogram<T>, labels: LabelValues<T> & Readonly<Record<string, string>>): { observe (v: number): void } {
  const store = histogram as unknown as Store<BucketEntry>
  const bounds = store.upperBounds
  const make = (): void => { histogram.zero(labels) }
  const at = store.enableExemplars === true || !Array.isArray(bounds) ? undefined : entryOf(store, labels, make)
  if (at === undefined || bounds === undefined) return histogram.labels(labels)
  const keys = bounds.map(String) // prom-client's bucket keys: the bounds as property names
  if (keys.some((k) => typeof at.entry.bucketValues?.[k] !== 'number')) return histogram.labels(labels)
  return {
    observe (v) {
      if (!Number.isFinite(v)) { histogram.observe(labels, v); return }
      const e = current(store, at, labels, make)
      e.sum += v
      e.count += 1
      for (let i = 0; i < bounds.length; i++) {
        if (v <= (bounds[i] as number)) { (e.bucketValues[keys[i] as string] as number) += 1; break }
      }
    }
  }
}

/** The entry `at` points to, resolved anew (and `at` updated) when the series was removed or the metric reset. */
function current<E extends { labels: Record<string, string | number> }> (store: Store<E>, at: { hash: string, entry: E }, labels: Readonly<Record<string, string>>, make: () => void): E {
  if (store.hashMap[at.hash] !== at.entry) {
    const again = entryOf(store, labels, make)
    if (again !== undefined) { at.hash = again.hash; at.entry = again.entry }
  }
  return at.entry
}
