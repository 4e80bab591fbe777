import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TraceFilter, TraceHub, TraceSink } from './trace-hub.js'

/** Longest one trace may run, and the default (`?forMs=`). */
export const TRACE_MAX_MS = 60 * 60 * 1000
export const TRACE_DEFAULT_MS = 10 * 60 * 1000

/** Subscribes a sink to some source of trace lines (one gateway's hub, or a group's workers). */
export type TraceSubscribe = (filter: TraceFilter, sink: TraceSink) => () => void

/**
 * `GET /trace?deviceId=ID|user=NAME[&forMs=N][&content=1]` on the admin listener: one NDJSON line
 * per request and per response of that device as they happen (README § Troubleshooting one
 * device), `{"type":"dropped"}` when this reader fell behind, `{"type":"end"}` at the time limit.
 */
export function serveTrace (hub: TraceHub | TraceSubscribe, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
  const deviceId = query.get('deviceId') ?? undefined
  const user = query.get('user')?.toLowerCase()
  const forMs = query.has('forMs') ? Number(query.get('forMs')) : TRACE_DEFAULT_MS
  const bad = deviceId === undefined && user === undefined
    ? 'trace needs ?deviceId=ID or ?user=NAME'
    : !Number.isInteger(forMs) || forMs < 1 || forMs > TRACE_MAX_MS ? `forMs must be 1 to ${TRACE_MAX_MS} (one hour), got ${query.get('forMs') ?? ''}` : undefined
  if (bad !== undefined) {
    const body = `${bad}\n`
    res.writeHead(400, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) })
    res.end(body)
    return
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
  res.write(JSON.stringify({ type: 'subscribed', deviceId: deviceId ?? null, user: user ?? null, forMs, at: new Date().toISOString() }) + '\n')
  const filter = { ...(deviceId !== undefined ? { deviceId } : {}), ...(user !== undefined ? { user } : {}), showContent: query.get('content') === '1' }
  const sink = { write: (line: string) => { res.write(line) }, get backlog () { return res.writableLength } }
  const unsubscribe = typeof hub === 'function' ? hub(filter, sink) : hub.subscribe(filter, sink)
  const timer = setTimeout(() => {
    unsubscribe()
    res.end(JSON.stringify({ type: 'end', reason: 'time limit', at: new Date().toISOString() }) + '\n')
  }, forMs)
  timer.unref()
  const stop = (): void => { clearTimeout(timer); unsubscribe() }
  req.on('close', stop)
  res.on('close', stop)
}
