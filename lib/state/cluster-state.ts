import type { SharedState } from './create-shared-state.js'
import type { GatewayDevices } from './fleet-devices.js'
import { credentialTag, type FleetPing } from './fleet-pings.js'

/** One message between a worker and the primary of a process group (`serve --workers N`). */
export type ClusterMessage = { readonly t: string, readonly [k: string]: unknown }

/** Rate charges of one event-loop turn and who waits for each answer. */
interface RateBatch { q: [string, number, number][], done: ((ms: number | undefined) => void)[] }

/** The IPC link of a worker to its primary: node:cluster's worker.send / 'message'. */
export interface ClusterChannel {
  send (msg: ClusterMessage): void
  onMessage (fn: (msg: ClusterMessage) => void): void
}

/** Options of {@link createClusterState}. */
export interface ClusterStateOptions {
  /** This worker's id in the group (`w<cluster worker id>`). */
  readonly id: string
  readonly channel: ClusterChannel
  /** Longest wait for an answer of the primary (ms); past it the caller goes on with local state. */
  readonly timeout: number
  /** Epoch ms. Default: Date.now */
  readonly now?: () => number
}

/**
 * The worker's side of the state a process group shares without Redis: the same interfaces as the
 * Redis fleet (lib/state/fleet-*.ts), carried by cluster IPC to the primary (createClusterHub),
 * which relays Ping announcements to the other workers, keeps the per-device and global token
 * buckets, and gathers the other workers' devices for `/devices`. Nothing on the request path
 * waits on it.
 */
export function createClusterState (o: ClusterStateOptions): SharedState {
  const now = o.now ?? Date.now
  const pending = new Map<number, (msg: ClusterMessage | undefined) => void>()
  const pingHandlers: ((p: FleetPing) => void)[] = []
  let snapshot: (() => readonly object[]) | undefined
  let seq = 0
  let closed = false

  /** Sends a request; resolves with the answer, or undefined after the timeout. */
  const ask = async (msg: Record<string, unknown> & { t: string }): Promise<ClusterMessage | undefined> => {
    if (closed) return undefined
    const id = ++seq
    return await new Promise((resolve) => {
      const timer = setTimeout(() => { pending.delete(id); resolve(undefined) }, o.timeout)
      pending.set(id, (answer) => { clearTimeout(timer); pending.delete(id); resolve(answer) })
      o.channel.send({ ...msg, id })
    })
  }

  /**
   * Rate charges made in one event-loop turn (a request's device and global charge, and those of
   * every other request handled in that turn) travel as one message and one answer: one IPC round
   * trip per turn, not two per request.
   */
  let batch: RateBatch | undefined
  const charge = async (key: string, rate: number, burst: number): Promise<number | undefined> => {
    if (closed) return undefined
    const turn = batch ?? startBatch()
    turn.q.push([key, rate, burst])
    return await new Promise((resolve) => { turn.done.push(resolve) })
  }
  const startBatch = (): RateBatch => {
    const turn: RateBatch = batch = { q: [], done: [] }
    setImmediate(() => {
      batch = undefined
      void ask({ t: 'gw:rates', q: turn.q }).then((answer) => {
        const w = Array.isArray(answer?.w) ? answer.w as unknown[] : []
        turn.done.forEach((fn, i) => { const ms = w[i]; fn(typeof ms === 'number' ? ms : undefined) })
      })
    })
    return turn
  }

  o.channel.onMessage((msg) => {
    if (msg.t === 'gw:ping' && typeof msg.g === 'string' && msg.g !== o.id && typeof msg.k === 'string' && typeof msg.c === 'string' && typeof msg.at === 'number') {
      const ping: FleetPing = { gateway: msg.g, key: msg.k, tag: msg.c, at: msg.at }
      for (const fn of pingHandlers) fn(ping)
    } else if (msg.t === 'gw:snapshot') {
      o.channel.send({ t: 'gw:snapshot-re', id: msg.id, at: now(), devices: snapshot?.() ?? [] })
    } else if (msg.t.endsWith('-re') && typeof msg.id === 'number') {
      pending.get(msg.id)?.(msg)
    }
  })

  return {
    gateway: o.id,
    get up () { return !closed },
    pings: {
      announce (key, credential, at) { if (!closed) o.channel.send({ t: 'gw:ping', g: o.id, k: key, c: credentialTag(key, credential), at }) },
      onPing (fn) { pingHandlers.push(fn) }
    },
    rate: {
      async take (key, rate, burst) { return await charge(key, rate, burst) },
      // A device key always ends in a credential digest, so it is never this one.
      async takeGlobal (rate, burst) { return await charge('\u0000global', rate, burst) }
    },
    // Device slots and compliance lists are not carried over IPC: without Redis each worker keeps
    // its own (every answer is "no shared state", so the access controller stays local).
    slots: {
      async touch () { return undefined },
      async release () {}
    },
    lists: {
      async meta () { return undefined },
      async entries () { return undefined },
      async write () {},
      async lock () { return undefined },
      async unlock () {}
    },
    devices: {
      // The primary asks each worker for its table when /devices is read: nothing to write ahead.
      async write () {},
      async read () {
        const answer = await ask({ t: 'gw:devices' })
        return Array.isArray(answer?.list) ? answer.list as GatewayDevices[] : undefined
      },
      async remove () {}
    },
    startDevicesWriter (fn) { snapshot = fn },
    async close () {
      closed = true
      for (const resolve of [...pending.values()]) resolve(undefined)
    }
  }
}
