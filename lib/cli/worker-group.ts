/**
 * The primary's view of its workers (`serve --workers N`): the record it keeps per worker, and the
 * IPC questions it asks them (metrics for `/metrics`, admin answers for `/devices`).
 */
import type { Worker } from 'node:cluster'
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client'
import type { AdminReply } from '../proxy/index.js'
import type { ClusterMessage, HubWorker } from '../state/index.js'

/** Longest wait for a worker's answer to a scrape or an admin request (ms). */
const ASK_TIMEOUT_MS = 2000

/** A registry's metrics as JSON (what a worker sends for a scrape). */
export type Metrics = MetricObjectWithValues<MetricValue<string>>[]

/** One worker process as the primary tracks it. */
export interface Member extends HubWorker {
  readonly worker: Worker
  readonly pid: number
  state: 'starting' | 'serving' | 'draining'
  /** It drains because it got SIGTERM/SIGINT itself (systemd and Ctrl-C signal the whole group). */
  selfDrained: boolean
  ready: boolean
  held: number
  /** The device port it listens on (0 until it does). */
  port: number
  /** Its newest metrics (a scrape's, or the final ones it sent after draining). */
  last: Metrics | undefined
  /** Settles when it listens (true) or dies first (false). */
  readonly started: Promise<boolean>
}

/** Request/answer over IPC by id, each bounded by ASK_TIMEOUT_MS. */
export function createAsker () {
  const pending = new Map<number, (msg: ClusterMessage | undefined) => void>()
  let seq = 0
  return {
    async ask (m: Member, msg: Record<string, unknown> & { t: string }): Promise<ClusterMessage | undefined> {
      const id = ++seq
      return await new Promise((resolve) => {
        const timer = setTimeout(() => { pending.delete(id); resolve(undefined) }, ASK_TIMEOUT_MS)
        pending.set(id, (a) => { clearTimeout(timer); pending.delete(id); resolve(a) })
        m.send({ ...msg, id })
      })
    },
    /** Settles the request `msg` answers; false when it answers none. */
    answer (msg: ClusterMessage): boolean {
      if ((msg.t !== 'gw:metrics-re' && msg.t !== 'gw:admin-re') || typeof msg.id !== 'number') return false
      pending.get(msg.id)?.(msg)
      return true
    }
  }
}
export type Asker = ReturnType<typeof createAsker>

/**
 * `/metrics` of the group: every worker's registry summed (prom-client's aggregators: counters and
 * histograms add up, gauges as each metric declares), plus the counters of workers that are gone
 * (so no total ever goes back), plus the primary's own. A worker that does not answer in time
 * counts with its last answer.
 */
export async function groupMetrics (members: Map<number, Member>, group: { retired: Metrics, retiring: Promise<void> }, own: Registry, asks: Asker): Promise<string> {
  const live = [...members.values()]
  await Promise.all(live.map(async (m) => {
    const a = await asks.ask(m, { t: 'gw:metrics' })
    if (!Array.isArray(a?.metrics)) return
    m.last = a.metrics as Metrics
    // A scrape that shows N held Pings leaves the primary knowing them too (Pings cut by a death).
    const held = m.last.find((x) => x.name === 'eas_gateway_pings_held')?.values[0]?.value
    if (typeof held === 'number') m.held = held
  }))
  await group.retiring
  const parts = [group.retired, ...live.flatMap((m) => m.last === undefined ? [] : [m.last])]
  const summed = await AggregatorRegistry.aggregate(parts).metrics()
  return summed + (await own.metrics())
}

/** Folds a gone worker's counters and histograms into the retired sums. */
export async function retire (group: { retired: Metrics }, last: Metrics): Promise<void> {
  const kept = last.filter((metric) => ['counter', 'histogram'].includes(String(metric.type)))
  group.retired = await AggregatorRegistry.aggregate([group.retired, kept]).getMetricsAsJSON() as Metrics
}

/** An admin answer (`/devices`) from one ready worker: with shared state it sees the whole group. */
export async function askAdmin (members: Map<number, Member>, asks: Asker, path: string, query: URLSearchParams): Promise<AdminReply> {
  const m = [...members.values()].find((w) => w.state === 'serving') ?? [...members.values()][0]
  if (m === undefined) return { status: 503, type: 'text/plain', body: 'no worker\n' }
  const a = await asks.ask(m, { t: 'gw:admin', path, query: query.toString() })
  const r = a?.reply as AdminReply | undefined
  return r ?? { status: 503, type: 'text/plain', body: `worker ${m.id} did not answer within ${ASK_TIMEOUT_MS} ms\n` }
}
