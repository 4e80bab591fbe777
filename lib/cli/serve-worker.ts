import cluster from 'node:cluster'
import type { Registry } from 'prom-client'
import type { Gateway } from '../proxy/index.js'
import { createClusterState, type ClusterChannel, type ClusterMessage, type SharedState } from '../state/index.js'
import { followTraces } from './trace-relay.js'

/** Environment variable that carries a worker's config from the primary: JSON {shown, file, text}. */
export const WORKER_ENV = 'EAS_GATEWAY_WORKER'

/** What the primary hands a worker: the config it checked, as text (a reload's new text). */
export interface WorkerConfig { readonly shown: string, readonly file: string | undefined, readonly text: string }

/** The config a worker of `serve --workers N` runs, or undefined when this process is no worker. */
export function workerConfig (env: Readonly<Record<string, string | undefined>>): WorkerConfig | undefined {
  const raw = env[WORKER_ENV]
  if (raw === undefined || !cluster.isWorker) return undefined
  const v = JSON.parse(raw) as WorkerConfig
  return { shown: v.shown, file: v.file ?? undefined, text: v.text }
}

/** A worker's link to its primary. */
export interface WorkerLink {
  /** `w<cluster worker id>`: in log lines, `/devices` and the group's shared state. */
  readonly id: string
  readonly pid: number
  /** State shared with the other workers through the primary (when state.redis is not set). */
  sharedState (): SharedState
  /** Reports the device port bound, then readiness and held Pings twice a second. */
  listening (gateway: Gateway, registry: Registry, port: number): void
  /** Resolves when the worker must drain: the primary said so (`spread` on a reload), or it is gone. */
  readonly stopped: Promise<{ readonly spread: boolean }>
  /** After the drain: the final metrics to the primary (so its sums never go back), then disconnect. */
  finish (registry: Registry): Promise<void>
}

/** STATUS_EVERY_MS: how often a worker tells the primary whether it is ready and how many Pings it holds. */
const STATUS_EVERY_MS = 500

/**
 * Connects this process (a node:cluster worker) to its primary. The primary owns the admin
 * listener: it asks workers for their metrics (`gw:metrics`) and admin answers (`gw:admin`, i.e.
 * `/devices`), and tells them to drain (`gw:drain`). A worker whose primary is gone drains too.
 */
export function createWorkerLink (onShutdown: ((handler: () => void) => void) | undefined): WorkerLink {
  const w = cluster.worker
  if (w === undefined) throw new Error('createWorkerLink outside a cluster worker')
  const send = (msg: ClusterMessage): void => {
    // A primary that is gone must not crash the worker: the send fails quietly, the worker drains.
    if (w.isConnected()) w.send(msg, undefined, undefined, () => {})
  }
  const handlers: ((m: ClusterMessage) => void)[] = []
  w.on('error', () => { /* EPIPE towards a primary that is gone: the 'disconnect' below drains */ })
  w.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && typeof (m as ClusterMessage).t === 'string') for (const fn of handlers) fn(m as ClusterMessage)
  })
  const channel: ClusterChannel = { send, onMessage: (fn) => { handlers.push(fn) } }
  const stopped = new Promise<{ spread: boolean }>((resolve) => {
    handlers.push((m) => { if (m.t === 'gw:drain') resolve({ spread: m.spread === true }) })
    w.on('disconnect', () => { resolve({ spread: false }) })
    // SIGTERM/SIGINT to this worker itself: the primary is told, so it does not take the exit for a crash.
    onShutdown?.(() => { send({ t: 'gw:draining' }); resolve({ spread: false }) })
  })
  const id = `w${w.id}`
  return {
    id,
    pid: w.process.pid ?? 0,
    sharedState: () => createClusterState({ id, channel, timeout: 1000 }),
    stopped,
    listening (gateway, registry, port) {
      handlers.push((m) => {
        if (m.t === 'gw:metrics') {
          registry.getMetricsAsJSON().then((metrics) => { send({ t: 'gw:metrics-re', id: m.id, metrics }) }, () => { send({ t: 'gw:metrics-re', id: m.id }) })
        } else if (m.t === 'gw:admin' && typeof m.path === 'string') {
          const reply = gateway.adminReply(m.path, new URLSearchParams(typeof m.query === 'string' ? m.query : ''))
          Promise.resolve(reply).then((r) => { send({ t: 'gw:admin-re', id: m.id, reply: r }) }, (err: Error) => {
            send({ t: 'gw:admin-re', id: m.id, reply: { status: 500, type: 'text/plain', body: `${err.message}\n` } })
          })
        }
      })
      // gateway trace (README § Troubleshooting one device): the primary's subscriptions, this worker's part.
      handlers.push(followTraces(id, gateway.trace, (msg, done) => { if (w.isConnected()) w.send(msg, undefined, undefined, () => { done() }) }))
      const status = (): void => { send({ t: 'gw:status', ready: gateway.ready, held: gateway.devices.heldCount }) }
      send({ t: 'gw:listening', port })
      status()
      setInterval(status, STATUS_EVERY_MS).unref()
    },
    async finish (registry) {
      if (!w.isConnected()) return
      const metrics = await registry.getMetricsAsJSON()
      await new Promise<void>((resolve) => { w.send({ t: 'gw:final', metrics }, undefined, undefined, () => { resolve() }) })
      w.disconnect()
    }
  }
}
