import type { IncomingMessage } from 'node:http'
import { GatewayError, isGatewayError } from '../errors.js'
import type { ClientAddressResolver } from './client-address.js'

/** Everything the gateway knows about one device request, built once before any decision. */
export interface RequestContext {
  readonly reqId: string
  readonly method: string
  /** EAS command as sent (`Ping`, `Sync`, …), `` for OPTIONS. */
  readonly command: string
  /** Bounded label for metrics: a known command or `other`. */
  readonly commandLabel: string
  /** The authenticated user name from Basic auth when present, else the query's User. */
  readonly user: string | undefined
  readonly deviceId: string | undefined
  readonly deviceType: string | undefined
  readonly protocolVersion: string | undefined
  readonly policyKey: string | undefined
  readonly userAgent: string | undefined
  /** Raw query string, forwarded unchanged. */
  readonly search: string
  /** The device's address: the socket peer, or X-Forwarded-For's from a trusted proxy (`listen.trustedProxies`). */
  readonly clientAddress: string | undefined
  /** The socket peer's address (a proxy's, when there is one in front). */
  readonly sourceAddress: string | undefined
  /** The device connection's TLS version (`TLSv1.3`), undefined on plain HTTP. */
  readonly tlsVersion: string | undefined
  /** The trace id of a valid W3C `traceparent` the device sent (passed upstream unchanged). */
  readonly traceId: string | undefined
  /** Set when the query could not be parsed: the request is answered 400 and never forwarded. */
  readonly queryError?: GatewayError
}

/** Parsed request-line facts an EAS query parser provides. */
export interface ParsedQuery {
  readonly command: string
  readonly user?: string
  readonly deviceId?: string
  readonly deviceType?: string
  readonly protocolVersion?: string
  readonly policyKey?: string
}

/** Dependencies for building a context: the EAS query parser and command normalisation. */
export interface ContextParsers {
  parseQuery (search: string): ParsedQuery
  commandLabel (command: string): string
}

/**
 * Builds the request context. A malformed query is kept as `queryError` (a pass answers 400), so
 * even a bad request gets its one outcome and access-log line. The user comes from Basic auth when present: servers such as SOGo ignore the query's User
 * (notes/sogo.md), so it is the identity that matters; only the name is decoded, never logged
 * with the password.
 */
export function createRequestContext (req: IncomingMessage, reqId: string, parsers: ContextParsers, clientAddress?: ClientAddressResolver): RequestContext {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const search = q >= 0 ? url.slice(q) : ''
  const method = req.method ?? 'GET'
  let parsed: ParsedQuery = { command: '' }
  let queryError: GatewayError | undefined
  try {
    if (!(method === 'OPTIONS' && search === '')) parsed = parsers.parseQuery(search.slice(1))
  } catch (err) {
    // OPTIONS asks what the server supports; clients send it with partial queries (User, DeviceId
    // and no Cmd), and servers answer them. Only a command request needs a valid query.
    if (method !== 'OPTIONS') queryError = isGatewayError(err) ? err : new GatewayError('GW_ERR_EAS_BAD_QUERY', String(err), { cause: err })
  }
  const h = req.headers
  return {
    queryError,
    reqId,
    method,
    command: parsed.command,
    commandLabel: method === 'OPTIONS' ? 'Options' : queryError !== undefined ? 'other' : parsers.commandLabel(parsed.command),
    user: basicUser(h.authorization) ?? parsed.user,
    deviceId: parsed.deviceId,
    deviceType: parsed.deviceType,
    protocolVersion: parsed.protocolVersion ?? header(h['ms-asprotocolversion']),
    policyKey: parsed.policyKey ?? header(h['x-ms-policykey']),
    userAgent: header(h['user-agent']),
    search,
    clientAddress: clientAddress === undefined ? req.socket.remoteAddress : clientAddress(req.socket.remoteAddress, header(h['x-forwarded-for'])),
    sourceAddress: req.socket.remoteAddress,
    tlsVersion: tlsVersionOf(req),
    traceId: traceIdOf(header(h.traceparent))
  }
}

/** W3C Trace Context `traceparent`: version-traceid-parentid-flags, lowercase hex (§3.2). */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/

function traceIdOf (traceparent: string | undefined): string | undefined {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent)
  return m === null || /^0+$/.test(m[1] as string) ? undefined : m[1]
}

function tlsVersionOf (req: IncomingMessage): string | undefined {
  const socket = req.socket as IncomingMessage['socket'] & { getProtocol?: () => string | null }
  return typeof socket.getProtocol === 'function' ? socket.getProtocol() ?? undefined : undefined
}

function header (v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

/** The user name of a Basic Authorization header, or undefined. The password is never kept. */
export function basicUser (authorization: string | undefined): string | undefined {
  if (authorization === undefined || !/^basic\s/i.test(authorization)) return undefined
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const name = colon >= 0 ? decoded.slice(0, colon) : ''
  return name === '' ? undefined : name
}
