import { TRACE_BACKLOG_BYTES, type TraceFilter, type TraceSink, type TraceSubscribe } from '../proxy/index.js'
import type { ClusterMessage } from '../state/index.js'

/** A worker as the relay sees it. */
export interface TraceWorker { readonly state: string, send (msg: ClusterMessage): void }

interface Sub { readonly filter: TraceFilter, readonly sink: TraceSink, dropped: number }

/**
 * The primary's `/trace` under `--workers`: each subscription goes to every worker that listens
 * (`gw:trace-sub`; one forked later gets it when it listens), each says `{"type":"worker"}`
 * once it follows, and their lines (`gw:trace-ev`)
 * are merged into the reader's stream as they arrive. A reader that falls behind loses lines,
 * counted; a worker whose IPC channel backs up drops on its side the same way (README §
 * Troubleshooting one device).
 */
export function createTraceRelay (members: () => Iterable<TraceWorker>): { subscribe: TraceSubscribe, joined: (m: TraceWorker) => void, handle: (msg: ClusterMessage) => boolean } {
  const subs = new Map<string, Sub>()
  let next = 0
  const listening = function * (): Iterable<TraceWorker> { for (const m of members()) if (m.state !== 'starting') yield m }
  return {
    subscribe (filter, sink) {
      const sub = `t${++next}`
      subs.set(sub, { filter, sink, dropped: 0 })
      for (const m of listening()) m.send({ t: 'gw:trace-sub', sub, filter })
      return () => { if (subs.delete(sub)) for (const m of listening()) m.send({ t: 'gw:trace-unsub', sub }) }
    },
    joined (m) { for (const [sub, s] of subs) m.send({ t: 'gw:trace-sub', sub, filter: s.filter }) },
    handle (msg) {
      if (msg.t !== 'gw:trace-ev') return false
      const s = typeof msg.sub === 'string' ? subs.get(msg.sub) : undefined
      if (s === undefined || typeof msg.line !== 'string') return true
      if (s.sink.backlog > TRACE_BACKLOG_BYTES) { s.dropped++; return true }
      if (s.dropped > 0) { s.sink.write(JSON.stringify({ type: 'dropped', events: s.dropped, at: new Date().toISOString() }) + '\n'); s.dropped = 0 }
      s.sink.write(msg.line)
      return true
    }
  }
}

/** The worker's side: follows the primary's subscriptions on its own gateway's trace hub. */
export function followTraces (worker: string, hub: { subscribe: TraceSubscribe }, send: (msg: ClusterMessage, done: () => void) => void): (m: ClusterMessage) => void {
  const subs = new Map<string, () => void>()
  return (m) => {
    if (m.t === 'gw:trace-sub' && typeof m.sub === 'string' && !subs.has(m.sub)) {
      const sub = m.sub
      const f = (m.filter ?? {}) as Partial<TraceFilter>
      let pending = 0
      const filter = { ...(typeof f.deviceId === 'string' ? { deviceId: f.deviceId } : {}), ...(typeof f.user === 'string' ? { user: f.user } : {}), showContent: f.showContent === true }
      subs.set(sub, hub.subscribe(filter, {
        write: (line) => { pending += line.length; send({ t: 'gw:trace-ev', sub, line }, () => { pending -= line.length }) },
        get backlog () { return pending }
      }))
      // The reader learns which workers follow (a worker forked later says so when it joins).
      send({ t: 'gw:trace-ev', sub, line: JSON.stringify({ type: 'worker', worker, at: new Date().toISOString() }) + '\n' }, () => {})
    } else if (m.t === 'gw:trace-unsub' && typeof m.sub === 'string') {
      subs.get(m.sub)?.()
      subs.delete(m.sub)
    }
  }
}
