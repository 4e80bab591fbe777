import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { Registry } from 'prom-client'

/** An admin response: status, content type, body. */
export interface AdminReply { readonly status: number, readonly type: string, readonly body: string }

/**
 * Who may read `/devices` and `/trace` (README § Admin listener). Either credential lets a request
 * in; with neither the listener stays on loopback (the config refuses anything else).
 */
export interface AdminAuth {
  /** The bearer token (`Authorization: Bearer TOKEN`). */
  readonly token?: string
  /** With admin TLS: a client certificate signed by the configured clientCa. */
  readonly clientCert?: boolean
}

/** Admin HTTPS: PEM key, certificate and, for client certificates, the CA that signs them. */
export interface AdminTls { readonly key: string, readonly cert: string, readonly ca?: string }

/** A streaming admin endpoint (`/trace`): takes the response and returns true, or false to pass. */
export type AdminStream = (path: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse) => boolean

const OPEN = new Set(['/healthz', '/readyz', '/metrics'])
const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** Whether `req` carries a credential `auth` accepts; compares SHA-256 digests in constant time. */
export function isAdminAuthorized (req: IncomingMessage, auth: AdminAuth | undefined): boolean {
  if (auth === undefined || (auth.token === undefined && auth.clientCert !== true)) return true
  if (auth.clientCert === true && (req.socket as Partial<TLSSocket>).authorized === true) return true
  if (auth.token === undefined) return false
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), digest(auth.token))
}

/**
 * Admin listener: `/metrics` (Prometheus), `/healthz` (process alive), `/readyz` (takes traffic),
 * open to whoever reaches it; anything else (`/devices`, `/trace`) needs `auth` when it is set:
 * 401 with `WWW-Authenticate: Bearer` otherwise. With `tls`, HTTPS; a `tls.ca` asks each client
 * for a certificate without requiring one (the kubelet's probes have none), and `auth.clientCert`
 * accepts the ones it signs. `registry` is a Registry, or anything that renders one (the primary's
 * sum over its workers).
 */
export function createAdminServer (opts: { registry: Pick<Registry, 'metrics' | 'contentType'>, isReady: () => boolean, extra?: (path: string, query: URLSearchParams) => AdminReply | Promise<AdminReply> | undefined, stream?: AdminStream, auth?: AdminAuth, tls?: AdminTls }): Server {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const [path = '/', search] = (req.url ?? '/').split('?')
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers })
      res.end(body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') { send(405, 'text/plain', 'method not allowed\n'); return }
    if (path === '/healthz') { send(200, 'text/plain', 'ok\n'); return }
    if (path === '/readyz') { const ok = opts.isReady(); send(ok ? 200 : 503, 'text/plain', ok ? 'ready\n' : 'not ready\n'); return }
    if (path === '/metrics') {
      opts.registry.metrics().then((text) => { send(200, opts.registry.contentType, text) }, (err: Error) => { send(500, 'text/plain', `${err.message}\n`) })
      return
    }
    if (!OPEN.has(path) && !isAdminAuthorized(req, opts.auth)) {
      send(401, 'text/plain', 'unauthorized: this admin path needs a credential (README § Admin listener)\n', { 'www-authenticate': 'Bearer realm="eas-gateway admin"' })
      return
    }
    const query = new URLSearchParams(search ?? '')
    if (opts.stream?.(path, query, req, res) === true) return
    const hit = opts.extra?.(path, query)
    if (hit instanceof Promise) {
      hit.then((r) => { send(r.status, r.type, r.body) }, (err: Error) => { send(500, 'text/plain', `${err.message}\n`) })
      return
    }
    if (hit !== undefined) { send(hit.status, hit.type, hit.body); return }
    send(404, 'text/plain', 'not found\n')
  }
  if (opts.tls === undefined) return createServer(handle)
  const t = opts.tls
  return createHttpsServer({ key: t.key, cert: t.cert, ...(t.ca !== undefined ? { ca: t.ca, requestCert: true, rejectUnauthorized: false } : {}) }, handle)
}
