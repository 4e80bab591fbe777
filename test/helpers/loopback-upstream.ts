import { EventEmitter } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

/** What the loopback upstream does with the next request. */
export type UpstreamMode =
  /** 200 with the request body echoed back (and `extraHeaders`), once the body has arrived. */
  | { readonly kind: 'echo', readonly extraHeaders?: Readonly<Record<string, string>> }
  /** Hold the request for `ms`, then answer `status` (default 200) with `body`. */
  | { readonly kind: 'hold', readonly ms: number, readonly status?: number, readonly body?: string }
  /** Read the request and never answer. */
  | { readonly kind: 'silence' }
  /** Read the request, then close the connection without a byte of response (`rst`: TCP reset instead of FIN). */
  | { readonly kind: 'reset-before-headers', readonly rst?: boolean }
  /** Send 200 headers announcing `length` bytes, `sent` bytes of body, then close the connection. */
  | { readonly kind: 'reset-mid-body', readonly length: number, readonly sent: number }
  /** Send 200 headers announcing `length` bytes and `sent` bytes of body, then stall (a slow download). */
  | { readonly kind: 'stall-mid-body', readonly length: number, readonly sent: number }
  /**
   * 401 with WWW-Authenticate; with a Content-Length body, or chunked (no Content-Length).
   * `early`: answered as soon as the headers arrive, without reading the body (Exchange does this
   * to a SendMail with bad credentials).
   */
  | { readonly kind: 'unauthorized', readonly contentLength: boolean, readonly early?: boolean }
  /** Raw response bytes written to the socket as they are, then the connection is ended. */
  | { readonly kind: 'raw', readonly response: string }

/** Picks the mode per request (e.g. by the query's Cmd). */
export type ModeChooser = (req: IncomingMessage) => UpstreamMode

/** One request as the upstream saw it. */
export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly rawHeaders: readonly string[]
  /** Resolves with the whole body (or what arrived before the connection went away). */
  readonly body: Promise<Buffer>
  /** performance.now() when the request headers arrived. */
  readonly receivedAt: number
  /** performance.now() when the exchange closed: response finished or connection gone (undefined while open). */
  closedAt: number | undefined
  /** True when the connection went away before the upstream finished its response (a cancel). */
  aborted: boolean
  /** Resolves when the response has closed: finished, or abandoned because the gateway cancelled. */
  readonly closed: Promise<void>
  /** The upstream-side socket (its remotePort identifies the gateway's connection). */
  readonly socket: Socket
}

/** A loopback HTTP upstream with scripted behaviour that records what it received. */
export interface LoopbackUpstream {
  readonly port: number
  /** `http://127.0.0.1:<port>/` (`https://` when started with TLS) */
  readonly url: string
  /** Every request received, in order. */
  readonly requests: readonly SeenRequest[]
  /** Sets what the upstream does with the following requests (or a choice per request). Default: echo. */
  setMode (mode: UpstreamMode | ModeChooser): void
  /** Resolves with request number `n` (1-based) once it has arrived; rejects after timeoutMs. */
  waitForRequest (n?: number, timeoutMs?: number): Promise<SeenRequest>
  close (): Promise<void>
}

/** Starts a {@link LoopbackUpstream} on 127.0.0.1 with a free port; HTTPS when given a key and certificate. */
export async function startUpstream (mode: UpstreamMode | ModeChooser = { kind: 'echo' }, opts: { tls?: { key: string, cert: string } } = {}): Promise<LoopbackUpstream> {
  let current = mode
  const requests: SeenRequest[] = []
  const events = new EventEmitter()
  const timers = new Set<NodeJS.Timeout>()
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const seen = record(req, res)
    requests.push(seen)
    events.emit('request')
    respond(typeof current === 'function' ? current(req) : current, req, res, seen, timers)
  }
  const server: Server = opts.tls !== undefined ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, handle) : createServer(handle)
  server.keepAliveTimeout = 10_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `${opts.tls !== undefined ? 'https' : 'http'}://127.0.0.1:${port}/`,
    requests,
    setMode (m) { current = m },
    async waitForRequest (n = requests.length + 1, timeoutMs = 5000) {
      const have = requests[n - 1]
      if (have !== undefined) return have
      return await new Promise<SeenRequest>((resolve, reject) => {
        const onRequest = (): void => {
          const r = requests[n - 1]
          if (r === undefined) return
          clearTimeout(timer)
          events.off('request', onRequest)
          resolve(r)
        }
        const timer = setTimeout(() => {
          events.off('request', onRequest)
          reject(new Error(`upstream: request #${n} did not arrive within ${timeoutMs} ms (got ${requests.length})`))
        }, timeoutMs)
        events.on('request', onRequest)
      })
    },
    async close () {
      for (const t of timers) clearTimeout(t)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

function record (req: IncomingMessage, res: ServerResponse): SeenRequest {
  const chunks: Buffer[] = []
  const body = new Promise<Buffer>((resolve) => {
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => { resolve(Buffer.concat(chunks)) })
    req.on('close', () => { resolve(Buffer.concat(chunks)) })
  })
  let onClosed: () => void = () => {}
  const seen: SeenRequest = {
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body,
    receivedAt: performance.now(),
    closedAt: undefined,
    aborted: false,
    closed: new Promise<void>((resolve) => { onClosed = resolve }),
    socket: req.socket
  }
  // Node (>= 16) fires the request's own 'close' as soon as its body is read, so a held request is
  // seen as cancelled by its response's 'close' before the response finished (notes/engine.md §5).
  res.on('close', () => {
    seen.aborted = !res.writableFinished
    seen.closedAt = performance.now()
    onClosed()
  })
  return seen
}

function respond (mode: UpstreamMode, req: IncomingMessage, res: ServerResponse, seen: SeenRequest, timers: Set<NodeJS.Timeout>): void {
  const ready = mode.kind === 'unauthorized' && mode.early === true ? Promise.resolve(Buffer.alloc(0)) : seen.body
  void ready.then((body) => {
    if (res.destroyed) return
    switch (mode.kind) {
      case 'echo':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, ...mode.extraHeaders })
        res.end(body)
        return
      case 'hold': {
        const timer = setTimeout(() => {
          timers.delete(timer)
          const text = mode.body ?? 'held'
          res.writeHead(mode.status ?? 200, { 'content-length': Buffer.byteLength(text) })
          res.end(text)
        }, mode.ms)
        timers.add(timer)
        res.on('close', () => { clearTimeout(timer); timers.delete(timer) })
        return
      }
      case 'silence':
        return
      case 'reset-before-headers':
        if (mode.rst === true) req.socket.resetAndDestroy()
        else req.socket.destroy()
        return
      case 'reset-mid-body':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': mode.length })
        res.write(Buffer.alloc(mode.sent, 0x61), () => { req.socket.destroy() })
        return
      case 'stall-mid-body':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': mode.length })
        res.write(Buffer.alloc(mode.sent, 0x62))
        return
      case 'unauthorized': {
        const text = 'authentication required'
        const headers: Record<string, string | number> = { 'www-authenticate': 'Basic realm="loopback"', 'content-type': 'text/plain' }
        if (mode.contentLength) headers['content-length'] = Buffer.byteLength(text)
        res.writeHead(401, headers)
        if (mode.contentLength) { res.end(text); return }
        // No Content-Length: Node sends it chunked; write in two pieces so it really is.
        res.write(text.slice(0, 5))
        setImmediate(() => { res.end(text.slice(5)) })
        return
      }
      case 'raw':
        req.socket.end(mode.response)
    }
  })
}
