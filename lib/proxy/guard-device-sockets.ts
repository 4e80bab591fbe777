import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '../log/index.js'
import type { Metrics } from '../metrics/index.js'
import { retryAfterHeader, type RequestLimiter } from '../policy/index.js'
import type { PoolClock } from '../upstream/index.js'

/** Dependencies of {@link guardDeviceSockets}. */
export interface SocketGuardDeps {
  readonly limiter: RequestLimiter
  readonly metrics: Metrics
  readonly logger: Logger
  readonly clock: PoolClock
  /** The device listener speaks TLS. */
  readonly tls: boolean
  /** Longest a TLS handshake may take from the first byte (ms), however slowly it trickles. */
  readonly handshakeTimeout: number
  /** `proxy.maxUrlBytes`: a request line the header limit cut that is longer than this is a 414. */
  readonly maxUrlBytes: number
}

/** What the guard knows of the device listener's sockets. */
export interface SocketGuard {
  /** Device connections open right now (raw TCP, counted before any TLS handshake). */
  readonly open: number
}

/** Why a TLS handshake failed: a bounded set (the metric label). */
export type HandshakeFailure = 'timeout' | 'reset' | 'protocol_version' | 'no_shared_cipher' | 'http_on_tls_port' | 'client_alert' | 'other'

/** How long a socket we answered and ended may linger before it is destroyed (the peer may never close). */
const LINGER_MS = 2000
/** Out of descriptors is logged at most this often (it comes once per refused accept). */
const FD_LOG_EVERY_MS = 10_000

/**
 * Everything about device sockets before a request exists. Each connection is counted (and capped
 * at `limits.maxConnections`) at TCP accept, before any TLS handshake; a TLS handshake has an
 * absolute deadline; parse errors get the status Node would pick (400, 408, 414, 431) and the
 * socket is always destroyed in the end, never left half-closed; CONNECT is answered 405; an
 * accept that fails for want of file descriptors is counted as EMFILE, and never crashes.
 */
export function guardDeviceSockets (server: Server, deps: SocketGuardDeps): SocketGuard {
  const { limiter, metrics, logger, clock } = deps
  const secured = new WeakSet<object>()
  const refused = (status: number): void => { metrics.refused.inc({ status: String(status) }) }
  let open = 0
  let fdLoggedAt = -Infinity

  const closeWith = (socket: Socket, status: number, extra = ''): void => {
    if (socket.writable && !socket.destroyed) {
      socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${extra}connection: close\r\ncontent-length: 0\r\n\r\n`)
      clock.setTimeout(() => { socket.destroy() }, LINGER_MS)
    } else {
      socket.destroy()
    }
  }

  // One listener shared by every socket ('close' comes once): a closure and a once() wrapper per
  // connection were about 250 bytes of every held Ping (issue #14, bench/held-heap.mjs).
  const onSocketClose = (): void => { metrics.deviceConnections.set(--open) }
  server.on('connection', (socket: Socket) => {
    metrics.deviceConnections.set(++open)
    socket.on('close', onSocketClose)
    const d = limiter.admitConnection(open)
    if (!d.ok) {
      metrics.limitRejections.inc({ limit: 'connections' })
      logger.debug({ code: 'GW_ERR_PROXY_CONNECTIONS', open, remote: socket.remoteAddress }, 'connection refused: limits.maxConnections')
      // Plain HTTP can still be told when to come back; on TLS any answer costs a handshake,
      // which is what a flood wants: the connection is closed at once.
      if (deps.tls) socket.destroy()
      else closeWith(socket, 503, `retry-after: ${retryAfterHeader(d.retryAfterMs)}\r\n`)
      return
    }
    if (deps.tls) {
      const deadline = clock.setTimeout(() => {
        if (secured.has(socket) || socket.destroyed) return
        metrics.tlsHandshakeFailures.inc({ reason: 'timeout' })
        logger.debug({ code: 'GW_ERR_PROXY_TLS_HANDSHAKE', reason: 'timeout', remote: socket.remoteAddress }, 'TLS handshake failed')
        socket.destroy()
      }, deps.handshakeTimeout)
      socket.once('close', () => { clock.clearTimeout(deadline) })
    }
  })
  server.on('secureConnection', (tlsSocket: Socket & { _parent?: Socket }) => {
    secured.add(tlsSocket)
    if (tlsSocket._parent !== undefined) secured.add(tlsSocket._parent)
  })
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const code = err.code ?? ''
    if (deps.tls && !secured.has(socket)) {
      // https.Server reports TLS handshake errors here (tlsClientError): the socket is mid-handshake,
      // so an HTTP answer is meaningless and end() would leave it open for good. Destroy it.
      const reason = handshakeFailure(code)
      metrics.tlsHandshakeFailures.inc({ reason })
      logger.debug({ code: 'GW_ERR_PROXY_TLS_HANDSHAKE', reason, errCode: code, remote: socket.remoteAddress }, 'TLS handshake failed')
      socket.destroy()
      return
    }
    const status = parseErrorStatus(code, err.rawPacket, deps.maxUrlBytes)
    if (status !== undefined) refused(status)
    logger.debug({ code: status === undefined ? undefined : PARSE_ERROR_CODES[status], errCode: code, status, remote: socket.remoteAddress }, 'client error')
    if (status === undefined) socket.destroy()
    else closeWith(socket, status)
  })
  server.on('connect', (_req, socket: Socket) => {
    // CONNECT would make the gateway a tunnel: answered, never silently dropped.
    refused(405)
    closeWith(socket, 405, 'allow: OPTIONS, POST\r\n')
  })
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EMFILE' || err.code === 'ENFILE') {
      metrics.fdExhausted.inc({ side: 'device' })
      const now = clock.now()
      if (now - fdLoggedAt >= FD_LOG_EVERY_MS) {
        fdLoggedAt = now
        logger.error({ code: 'GW_ERR_PROXY_FD_EXHAUSTED', errCode: err.code }, 'out of file descriptors: device connections are being refused (raise the open-files limit or lower limits.maxConnections)')
      }
      return
    }
    logger.error({ err: { code: err.code, message: err.message } }, 'device listener error')
  })
  return { get open () { return open } }
}

const PARSE_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'GW_ERR_PROXY_BAD_REQUEST', 408: 'GW_ERR_PROXY_HEADERS_TIMEOUT', 414: 'GW_ERR_PROXY_URL_TOO_LONG', 431: 'GW_ERR_PROXY_HEADERS_TOO_LARGE'
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable'
}

/**
 * The status for an HTTP parse error, as nginx answers them: slow headers 408, a request line
 * over the header limit 414, headers over it 431, anything else malformed 400. Undefined for a
 * socket error (reset, EPIPE): nobody is left to answer.
 */
export function parseErrorStatus (code: string, rawPacket?: Buffer, maxUrlBytes = Infinity): number | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return 408
  if (code === 'HPE_HEADER_OVERFLOW') return requestLineTooLong(rawPacket, maxUrlBytes) ? 414 : 431
  if (code.startsWith('HPE_')) return 400
  return undefined
}

/** True when the bytes the parser choked on start with a request line longer than `maxUrlBytes`. */
function requestLineTooLong (raw: Buffer | undefined, maxUrlBytes: number): boolean {
  if (raw === undefined || !/^[A-Z]{3,10} /.test(raw.subarray(0, 11).toString('latin1'))) return false
  const eol = raw.indexOf('\r\n')
  return (eol < 0 ? raw.length : eol) > maxUrlBytes
}

/** The reason label of a TLS handshake failure, from Node's / OpenSSL's error code. */
export function handshakeFailure (code: string): HandshakeFailure {
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'timeout'
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset'
  if (code === 'ERR_SSL_HTTP_REQUEST') return 'http_on_tls_port'
  if (code.includes('CIPHER')) return 'no_shared_cipher'
  if (code.includes('VERSION') || code.includes('PROTOCOL')) return 'protocol_version'
  if (code.includes('ALERT')) return 'client_alert'
  return 'other'
}
