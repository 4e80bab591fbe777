import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** The request header a probe names its delay in, in milliseconds. */
export const PROBE_DELAY_HEADER = 'x-gateway-probe-delay'
/** The first bytes of the probe server's answer: how the probe tells its own answer from a proxy's. */
export const PROBE_BODY_PREFIX = 'gateway-probe ok'

/** Options of {@link createProbeServer}. */
export interface ProbeServerOptions {
  /** Default: 127.0.0.1 */
  readonly host?: string
  /** Default: 0 (a free port) */
  readonly port?: number
  /** Longest delay a probe may ask for. Default: 2 h */
  readonly maxDelayMs?: number
}

/** A listening probe server. */
export interface ProbeServer {
  /** `http://host:port` */
  readonly url: string
  /** Requests answered so far (for tests and the log line). */
  readonly answered: () => number
  /** Stops listening, cancels pending answers and closes every connection. */
  close: () => Promise<void>
}

/**
 * The server side of `gateway probe`: answers a request only after the delay it asks for
 * (`x-gateway-probe-delay: <ms>`), sending nothing before, so the path in between sees one silent
 * request, as it sees a held Ping. It needs no mail server and reads no credentials; any method
 * and path are accepted, so the probe can go through a proxy's ActiveSync route.
 */
export async function createProbeServer (opts: ProbeServerOptions = {}): Promise<ProbeServer> {
  const maxDelay = opts.maxDelayMs ?? 2 * 3_600_000
  const timers = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()
  let answered = 0
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const delay = Number(req.headers[PROBE_DELAY_HEADER])
    req.resume() // a probe has no body worth reading; drain whatever comes
    if (!Number.isInteger(delay) || delay < 0 || delay > maxDelay) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`gateway-probe: send ${PROBE_DELAY_HEADER}: <milliseconds, 0..${maxDelay}>\n`)
      return
    }
    const started = Date.now()
    const timer = setTimeout(() => {
      timers.delete(timer)
      answered++
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end(`${PROBE_BODY_PREFIX} ${delay} ${Date.now() - started}\n`)
    }, delay)
    timers.add(timer)
    res.on('close', () => { clearTimeout(timer); timers.delete(timer) })
  })
  // A held probe is a request whose answer is late on purpose: no server-side timer may end it.
  server.requestTimeout = 0
  server.headersTimeout = 60_000
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)) })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  const { address, port } = server.address() as AddressInfo
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    answered: () => answered,
    close: async () => {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      await closed
    }
  }
}
