import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) plus `expect` (undici refuses it; Node already answered the
 * 100-continue) and `host` (the upstream gets its own). Never forwarded in either direction.
 */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'expect', 'host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'
])

/**
 * Headers a device must not set for the mail server: IIS (where Exchange runs) rewrites the path
 * from `X-Original-URL` and `X-Rewrite-URL`, and `Forwarded` / `X-Real-IP` would let a device
 * claim another client address; `X-Request-Id` is the gateway's own (its access line's id).
 * Stripped from every device request.
 */
const DEVICE_FORBIDDEN = new Set(['x-original-url', 'x-rewrite-url', 'forwarded', 'x-real-ip', 'x-request-id'])

/**
 * A Host value as X-Forwarded-Host may carry it: a name or IPv4 address (letters, digits, `-`,
 * `_`, `.`) or a bracketed IPv6 address, with an optional port (RFC 9110 §7.2). Anything else
 * (spaces, commas, `/`, `@`, quotes) could smuggle a second host or a path into the upstream's URL
 * building, so it is not forwarded.
 */
const VALID_HOST = /^(?:[A-Za-z0-9_.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/

/** True when `host` is a syntactically valid Host header value. */
export function isValidHost (host: string): boolean {
  return VALID_HOST.test(host)
}

/** The request target as forwarded: never with a `#fragment` (RFC 9112 §3.2: not part of a request target). */
export function forwardedPath (url: string | undefined): string {
  const u = url ?? '/'
  const hash = u.indexOf('#')
  return hash < 0 ? u : u.slice(0, hash)
}

/** The Connection values that list no other header: nothing to strip beyond HOP_BY_HOP. */
const PLAIN_CONNECTION = new Set(['keep-alive', 'close', 'Keep-Alive', 'Close'])

/**
 * Names listed in a Connection header are hop-by-hop too (RFC 9110 §7.6.1); added to `out`. A
 * plain `keep-alive` or `close` (nearly every request and response) adds nothing and allocates
 * nothing (issue #14: a Set per message on the request path).
 */
function addConnectionListed (value: string | string[] | undefined, out: Set<string> | undefined): Set<string> | undefined {
  if (value === undefined || (typeof value === 'string' && PLAIN_CONNECTION.has(value))) return out
  for (const v of Array.isArray(value) ? value : [value]) {
    for (const name of v.split(',')) (out ??= new Set()).add(name.trim().toLowerCase())
  }
  return out
}

/** What the device connection looks like, for the X-Forwarded-* headers. */
export interface ForwardedInfo {
  readonly remoteAddress: string | undefined
  readonly encrypted: boolean
  readonly host: string | undefined
  /** Existing X-Forwarded-For from the device side (appended to, never trusted as the only value). */
  readonly forwardedFor: string | undefined
  /** The gateway's request id, sent as `X-Request-Id` (the access line's `http.request.id`). */
  readonly requestId?: string
}

/**
 * Builds the upstream request headers as a flat [name, value, …] list from the device's raw headers:
 * hop-by-hop headers dropped, `Authorization` passed through untouched, X-Forwarded-* and
 * X-Request-Id set; a W3C `traceparent`/`tracestate` the device sent passes unchanged.
 */
export function buildUpstreamHeaders (rawHeaders: readonly string[], info: ForwardedInfo): string[] {
  // Connection may come in several field lines; each one's names are hop-by-hop (RFC 9110 §5.3).
  // One pass lowercases each name once; the names a Connection line lists are dropped after it.
  let listed: Set<string> | undefined
  const out: string[] = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    const lower = name.toLowerCase()
    if (lower === 'connection') listed = addConnectionListed(rawHeaders[i + 1], listed)
    if (HOP_BY_HOP.has(lower) || DEVICE_FORBIDDEN.has(lower)) continue
    out.push(name, rawHeaders[i + 1] as string)
  }
  if (listed !== undefined) {
    // Rare (a device naming extra hop-by-hop headers): filtered once every line is known.
    let k = 0
    for (let i = 0; i < out.length; i += 2) {
      if (listed.has((out[i] as string).toLowerCase())) continue
      out[k++] = out[i] as string
      out[k++] = out[i + 1] as string
    }
    out.length = k
  }
  const client = info.remoteAddress ?? 'unknown'
  out.push('x-forwarded-for', info.forwardedFor !== undefined ? `${info.forwardedFor}, ${client}` : client)
  out.push('x-forwarded-proto', info.encrypted ? 'https' : 'http')
  if (info.host !== undefined && isValidHost(info.host)) out.push('x-forwarded-host', info.host)
  if (info.requestId !== undefined) out.push('x-request-id', info.requestId)
  return out
}

/** Response headers for the device: the upstream's, minus hop-by-hop ones. */
export function buildDeviceHeaders (upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = addConnectionListed(upstream.connection, undefined)
  const out: OutgoingHttpHeaders = {}
  for (const name in upstream) {
    const value = upstream[name]
    if (value === undefined || HOP_BY_HOP.has(name) || listed?.has(name) === true) continue
    out[name] = value
  }
  return out
}
