import type { ClusterMessage } from './cluster-state.js'
import type { GatewayDevices } from './fleet-devices.js'
import { RecencyMap } from '../collections/index.js'

/** A worker as the primary's hub sees it. */
export interface HubWorker {
  /** `w<cluster worker id>`, the worker's gateway id. */
  readonly id: string
  send (msg: ClusterMessage): void
}

/** Options of {@link createClusterHub}. */
export interface ClusterHubOptions {
  /** The workers that serve right now (draining ones included: their Pings still count). */
  readonly workers: () => Iterable<HubWorker>
  /** Longest wait for a worker's devices (ms). */
  readonly timeout: number
  /** Most per-device buckets kept; the least recently used goes first. Default: 100000 */
  readonly maxBuckets?: number
  /** Epoch ms. Default: Date.now */
  readonly now?: () => number
}

/** The primary's half of the group's shared state. */
export interface ClusterHub {
  /** Handles a worker's message; false when it is not a shared-state message. */
  handle (from: HubWorker, msg: ClusterMessage): boolean
}

/**
 * Shared state of a process group without Redis, held by the primary (which owns no requests):
 * relays each held Ping's announcement to the other workers (supersede across workers), keeps one
 * token bucket per device key with the semantics of the fleet's Redis bucket (lib/state/fleet-rate.ts:
 * debt down to -burst, answer = ms until a token is back), and gathers the workers' devices.
 */
export function createClusterHub (o: ClusterHubOptions): ClusterHub {
  const now = o.now ?? Date.now
  const maxBuckets = o.maxBuckets ?? 100_000
  /** Least recently charged first. */
  const buckets = new RecencyMap<string, { tokens: number, at: number }>()
  const waiting = new Map<number, { got: GatewayDevices[], left: number, done: () => void }>()
  let seq = 0

  const take = (key: string, rate: number, burst: number): number => {
    const t = now()
    let b = buckets.touch(key)
    if (b === undefined) {
      b = { tokens: burst, at: t }
      buckets.set(key, b)
    }
    if (t > b.at) b.tokens = Math.min(burst, b.tokens + (t - b.at) * rate / 1000)
    b.at = Math.max(b.at, t)
    const had = b.tokens
    b.tokens = Math.max(-burst, b.tokens - 1)
    while (buckets.size > maxBuckets) buckets.delete(buckets.oldestKey() as string)
    return had >= 1 ? 0 : Math.ceil((1 - b.tokens) * 1000 / rate)
  }

  const gather = (from: HubWorker, id: unknown): void => {
    const others = [...o.workers()].filter((w) => w.id !== from.id)
    const reqId = ++seq
    const entry = {
      got: [] as GatewayDevices[],
      left: others.length,
      done: () => { clearTimeout(timer); waiting.delete(reqId); from.send({ t: 'gw:devices-re', id, list: entry.got }) }
    }
    const timer = setTimeout(entry.done, o.timeout)
    waiting.set(reqId, entry)
    if (others.length === 0) { entry.done(); return }
    for (const w of others) w.send({ t: 'gw:snapshot', id: reqId })
  }

  return {
    handle (from, msg) {
      switch (msg.t) {
        case 'gw:ping':
          for (const w of o.workers()) if (w.id !== from.id) w.send(msg)
          return true
        case 'gw:rates': {
          // Every charge a worker made in one event-loop turn, answered in one message, in order.
          const q = Array.isArray(msg.q) ? msg.q as unknown[] : []
          const w = q.map((c) => Array.isArray(c) && typeof c[0] === 'string' && typeof c[1] === 'number' && typeof c[2] === 'number' && c[1] > 0 ? take(c[0], c[1], c[2]) : null)
          from.send({ t: 'gw:rates-re', id: msg.id, w })
          return true
        }
        case 'gw:devices':
          gather(from, msg.id)
          return true
        case 'gw:snapshot-re': {
          const entry = typeof msg.id === 'number' ? waiting.get(msg.id) : undefined
          if (entry === undefined) return true
          if (typeof msg.at === 'number' && Array.isArray(msg.devices)) entry.got.push({ gateway: from.id, at: msg.at, devices: msg.devices as object[] })
          if (--entry.left === 0) entry.done()
          return true
        }
        default:
          return false
      }
    }
  }
}
