import { counterSeries, gaugeSeries, histogramSeries, responseStatusLabel, seriesByTwo, type Metrics } from '../metrics/index.js'

/** The labelled children a request touches on its way, resolved once per label set. */
export interface RequestMetrics {
  inFlight (command: string): { inc (): void }
  upstreamDuration (command: string, upstream: string): { observe (seconds: number): void }
  responses (command: string, status: number): { inc (): void }
}

/**
 * Caches the labelled series (as the outcome recorder does): every label here is bounded (command
 * label, upstream name, HTTP status: keyed by the number, which a device cannot choose). They are
 * lib/metrics' hot series, not prom-client's labelled children, which hash and validate the label
 * object on every call (issue #14: one of the per-request costs in the profile).
 */
export function createRequestMetrics (metrics: Metrics): RequestMetrics {
  const inFlight = new Map<string, { inc (): void }>()
  return {
    inFlight (command) {
      let c = inFlight.get(command)
      if (c === undefined) inFlight.set(command, c = gaugeSeries(metrics.inFlight, { command }))
      return c
    },
    upstreamDuration: seriesByTwo((command: string, name: string) => histogramSeries(metrics.upstreamDuration, { command, upstream: name })),
    responses: seriesByTwo((command: string, status: number) => counterSeries(metrics.responses, { command, status_class: `${Math.floor(status / 100)}xx`, status: responseStatusLabel(status) }))
  }
}
