import type { Server } from 'node:http'
import { isIP, type Server as NetServer, type Socket } from 'node:net'

/** Why a connection's PROXY header was refused: a bounded set (the metric label). */
export type ProxyHeaderRejection = 'missing' | 'malformed' | 'timeout'

/** What the first bytes of a connection say. */
export type ProxyHeaderResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid', readonly reason: 'missing' | 'malformed' }
  /** `source` is absent for `UNKNOWN` (v1) and `LOCAL` or non-IP families (v2): the peer stays itself. */
  | { readonly kind: 'ok', readonly length: number, readonly source?: { readonly address: string, readonly port: number } }

/** v2's 12-byte signature (haproxy proxy-protocol.txt §2.2). */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a])
/** A v1 line is at most 107 bytes, CRLF included (§2.1). */
const V1_MAX = 107
const V1_PREFIX = Buffer.from('PROXY ')
/** `PROXY TCP4|TCP6 src dst sport dport` (§2.1): ports are 0-65535 without leading zeros. */
const V1_LINE = /^PROXY (TCP4|TCP6) (\S+) (\S+) (0|[1-9]\d{0,4}) (0|[1-9]\d{0,4})$/

/**
 * Parses the PROXY protocol header of `version` at the start of `buf` (HAProxy's
 * `send-proxy` = v1, `send-proxy-v2` = v2; spec: haproxy doc/proxy-protocol.txt). Anything else
 * at the start, including the other version, is `missing`.
 */
export function parseProxyHeader (buf: Buffer, version: 'v1' | 'v2'): ProxyHeaderResult {
  return version === 'v1' ? parseV1(buf) : parseV2(buf)
}

function parseV1 (buf: Buffer): ProxyHeaderResult {
  const head = buf.subarray(0, V1_PREFIX.length)
  if (!V1_PREFIX.subarray(0, head.length).equals(head)) return { kind: 'invalid', reason: 'missing' }
  const eol = buf.indexOf('\r\n')
  if (eol < 0) return buf.length >= V1_MAX ? { kind: 'invalid', reason: 'malformed' } : { kind: 'incomplete' }
  if (eol + 2 > V1_MAX) return { kind: 'invalid', reason: 'malformed' }
  const line = buf.subarray(0, eol).toString('latin1')
  if (line === 'PROXY UNKNOWN' || line.startsWith('PROXY UNKNOWN ')) return { kind: 'ok', length: eol + 2 }
  const m = V1_LINE.exec(line)
  if (m === null) return { kind: 'invalid', reason: 'malformed' }
  const family = m[1] === 'TCP4' ? 4 : 6
  const [src, dst, sport, dport] = [m[2] as string, m[3] as string, Number(m[4]), Number(m[5])]
  if (isIP(src) !== family || isIP(dst) !== family || sport > 65535 || dport > 65535) return { kind: 'invalid', reason: 'malformed' }
  return { kind: 'ok', length: eol + 2, source: { address: src, port: sport } }
}

function parseV2 (buf: Buffer): ProxyHeaderResult {
  const sig = buf.subarray(0, V2_SIGNATURE.length)
  if (!V2_SIGNATURE.subarray(0, sig.length).equals(sig)) return { kind: 'invalid', reason: 'missing' }
  if (buf.length < 16) return { kind: 'incomplete' }
  const verCmd = buf[12] as number
  const famProto = buf[13] as number
  const length = 16 + buf.readUInt16BE(14)
  // Version 2 only; command LOCAL (0) or PROXY (1) (§2.2).
  if ((verCmd >> 4) !== 2 || (verCmd & 0x0f) > 1) return { kind: 'invalid', reason: 'malformed' }
  if (buf.length < length) return { kind: 'incomplete' }
  if ((verCmd & 0x0f) === 0) return { kind: 'ok', length } // LOCAL: the proxy's own connection (a health check)
  const family = famProto >> 4
  const body = buf.subarray(16, length)
  if (family === 1) {
    if (body.length < 12) return { kind: 'invalid', reason: 'malformed' }
    return { kind: 'ok', length, source: { address: [...body.subarray(0, 4)].join('.'), port: body.readUInt16BE(8) } }
  }
  if (family === 2) {
    if (body.length < 36) return { kind: 'invalid', reason: 'malformed' }
    const groups: string[] = []
    for (let i = 0; i < 16; i += 2) groups.push(body.readUInt16BE(i).toString(16))
    return { kind: 'ok', length, source: { address: groups.join(':'), port: body.readUInt16BE(32) } }
  }
  // UNSPEC or AF_UNIX: no IP source to take; the connection is accepted as the peer's own.
  return family === 0 || family === 3 ? { kind: 'ok', length } : { kind: 'invalid', reason: 'malformed' }
}

/** Dependencies of {@link acceptProxyProtocol}. */
export interface ProxyProtocolDeps {
  readonly version: 'v1' | 'v2'
  /** How long the header may take from accept (ms). */
  readonly timeout: number
  /** Called once for each refused connection (before it is destroyed). */
  readonly onReject: (reason: ProxyHeaderRejection, socket: Socket) => void
}

/**
 * Accepts connections on `front` (the socket that listens), reads and strips the PROXY header,
 * then hands each connection to `target` (the HTTP or HTTPS server, which never listens itself)
 * with the header's source address as the socket's `remoteAddress`, and the bytes after the
 * header unread, so the TLS handshake or the HTTP request starts exactly there. A connection
 * without a valid header in time is destroyed, never answered (it may be anything).
 */
export function acceptProxyProtocol (front: NetServer, target: Server, deps: ProxyProtocolDeps): void {
  const tls = 'setSecureContext' in target
  front.on('connection', (socket: Socket) => {
    let buf: Buffer = Buffer.alloc(0)
    const timer = setTimeout(() => { reject('timeout') }, deps.timeout)
    timer.unref()
    const cleanup = (): void => { clearTimeout(timer); socket.off('data', onData); socket.off('error', onError); socket.off('close', cleanup) }
    const reject = (reason: ProxyHeaderRejection): void => {
      cleanup()
      deps.onReject(reason, socket)
      socket.destroy()
    }
    const onError = (): void => { cleanup(); socket.destroy() }
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
      const r = parseProxyHeader(buf, deps.version)
      if (r.kind === 'incomplete') return
      if (r.kind === 'invalid') { reject(r.reason); return }
      cleanup()
      socket.pause()
      if (r.source !== undefined) {
        Object.defineProperty(socket, 'remoteAddress', { value: r.source.address, configurable: true })
        Object.defineProperty(socket, 'remotePort', { value: r.source.port, configurable: true })
      }
      const rest = buf.subarray(r.length)
      if (rest.length > 0) socket.unshift(rest)
      target.emit('connection', socket)
      // HTTP reads on from the socket; TLS took its handle over and reads the unshifted bytes itself.
      if (!tls) socket.resume()
    }
    socket.on('data', onData)
    socket.on('error', onError)
    // A peer that hangs up before its header (a TCP health check) is not counted.
    socket.on('close', cleanup)
  })
  // A TLS socket reports its own peer address: it takes the header's from the socket it wraps.
  target.on('secureConnection', (tlsSocket: Socket & { _parent?: Socket }) => {
    const parent = tlsSocket._parent
    if (parent === undefined || !Object.hasOwn(parent, 'remoteAddress')) return
    Object.defineProperty(tlsSocket, 'remoteAddress', { value: parent.remoteAddress, configurable: true })
    Object.defineProperty(tlsSocket, 'remotePort', { value: parent.remotePort, configurable: true })
  })
}
