import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'

/** An admin response: status, content type, body. */
export interface AdminReply { readonly status: number, readonly type: string, readonly body: string }

/**
 * Admin listener: `/metrics` (Prometheus), `/healthz` (process alive), `/readyz` (takes traffic).
 * `registry` is a Registry, or anything that renders one (the primary's sum over its workers).
 */
export function createAdminServer (opts: { registry: Pick<Registry, 'metrics' | 'contentType'>, isReady: () => boolean, extra?: (path: string, query: URLSearchParams) => AdminReply | Promise<AdminReply> | undefined }): Server {
  return createServer((req, res) => {
    const [path, search] = (req.url ?? '/').split('?')
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
      res.end(body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') { send(405, 'text/plain', 'method not allowed\n'); return }
    if (path === '/healthz') { send(200, 'text/plain', 'ok\n'); return }
    if (path === '/readyz') { const ok = opts.isReady(); send(ok ? 200 : 503, 'text/plain', ok ? 'ready\n' : 'not ready\n'); return }
    if (path === '/metrics') {
      opts.registry.metrics().then((text) => { send(200, opts.registry.contentType, text) }, (err: Error) => { send(500, 'text/plain', `${err.message}\n`) })
      return
    }
    const hit = path === undefined ? undefined : opts.extra?.(path, new URLSearchParams(search ?? ''))
    if (hit instanceof Promise) {
      hit.then((r) => { send(r.status, r.type, r.body) }, (err: Error) => { send(500, 'text/plain', `${err.message}\n`) })
      return
    }
    if (hit !== undefined) { send(hit.status, hit.type, hit.body); return }
    send(404, 'text/plain', 'not found\n')
  })
}
