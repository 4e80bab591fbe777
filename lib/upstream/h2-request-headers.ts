import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'

/**
 * Connection-specific fields an HTTP/2 request must not carry (RFC 9113 §8.2.2): a stream that
 * carries one is malformed, and Node refuses to send it. `host` becomes `:authority` (§8.3.1).
 */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'host', 'http2-settings'])

/** The request's method, path and headers as undici takes them, for an HTTP/2 stream. */
export interface H2RequestHead {
  readonly method: string
  readonly path: string
  readonly headers?: Dispatcher.DispatchOptions['headers']
}

/**
 * HTTP/2 request headers from undici's dispatch options: the pseudo-headers first, then every
 * field but the connection-specific ones, lower-cased (§8.2.1). A `Host` the device sent is the
 * `:authority`, as undici's HTTP/1.1 client sends it as the Host line; else the origin's host.
 */
export function buildH2RequestHeaders (head: H2RequestHead, origin: URL): OutgoingHttpHeaders {
  const fields: Array<[string, string | string[]]> = []
  const add = (name: string, value: unknown): void => {
    if (value === undefined || value === null) return
    fields.push([name.toLowerCase(), Array.isArray(value) ? value.map(String) : String(value)])
  }
  const h = head.headers
  if (Array.isArray(h)) {
    for (let i = 0; i + 1 < h.length; i += 2) add(h[i] as string, h[i + 1])
  } else if (h !== null && h !== undefined) {
    const entries = Symbol.iterator in h ? h as Iterable<[string, unknown]> : Object.entries(h)
    for (const [name, value] of entries) add(name, value)
  }
  let authority = origin.host
  const out: OutgoingHttpHeaders = {}
  for (const [name, value] of fields) {
    if (name === 'host') authority = Array.isArray(value) ? value[0] ?? authority : value
    if (CONNECTION_SPECIFIC.has(name) || name.startsWith(':')) continue
    const prev = out[name]
    out[name] = prev === undefined ? value : [...[prev].flat().map(String), ...[value].flat()]
  }
  return { ':method': head.method, ':path': head.path, ':scheme': origin.protocol.slice(0, -1), ':authority': authority, ...out }
}

/** Response headers for the relay: the upstream's fields without the pseudo-headers (`:status`). */
export function responseFields (headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':')) out[name] = value
  return out
}
