import { Counter, Gauge, type Registry } from 'prom-client'

/** The primary's metric names (`serve --workers N`), exported for tests and the README. */
export const clusterMetricNames = {
  workers: 'eas_gateway_workers',
  workerRestarts: 'eas_gateway_worker_restarts_total',
  workerPingsCut: 'eas_gateway_worker_pings_cut_total'
} as const

/** Why a worker was replaced: it died (`crash`), or a reload or upgrade rolled it (`reload`). */
export const WORKER_RESTART_REASONS = ['crash', 'reload'] as const

/** What a worker is doing: starting (not listening yet), serving, draining (after a reload). */
export const WORKER_STATES = ['starting', 'serving', 'draining'] as const

/**
 * The metrics of a process group's primary, which owns no requests: its workers and their deaths.
 * The request metrics come from the workers, summed (lib/cli/serve-cluster.ts).
 */
export function createClusterMetrics (registry: Registry, workers: () => Record<(typeof WORKER_STATES)[number], number>) {
  void new Gauge({
    name: clusterMetricNames.workers,
    help: 'Worker processes of this gateway by state (starting, serving, draining)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect () { const n = workers(); for (const state of WORKER_STATES) this.set({ state }, n[state]) }
  })
  const m = {
    workerRestarts: new Counter({
      name: clusterMetricNames.workerRestarts,
      help: 'Workers replaced, by reason: crash (the worker died; a new one was started at once) or reload (SIGHUP/SIGUSR2 rolled it)',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    workerPingsCut: new Counter({
      name: clusterMetricNames.workerPingsCut,
      help: 'Held Pings whose worker died: their devices saw a connection reset and reconnect',
      registers: [registry]
    })
  }
  for (const reason of WORKER_RESTART_REASONS) m.workerRestarts.inc({ reason }, 0)
  m.workerPingsCut.inc(0)
  return m
}

/** The metric set returned by {@link createClusterMetrics}. */
export type ClusterMetrics = ReturnType<typeof createClusterMetrics>
