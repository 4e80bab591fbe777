import { LineCounter, parseDocument } from 'yaml'
import type { Diagnostic } from '../diagnostic.js'
import type { DocPath } from '../schema.js'
import { durationText, locate } from './yaml-locate.js'
import { splitMatch, noBlock, syntaxError, type VendorRead, type VendorValue } from './vendor-hop.js'

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | undefined => v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : undefined
const arr = (v: unknown): unknown[] => Array.isArray(v) ? v : []

/**
 * Reads an Envoy v3 bootstrap (YAML or JSON, `static_resources`): the HTTP connection manager, the
 * virtual host (by `domains` against `match`'s host) and the first route whose `prefix`, `path` or
 * `safe_regex` matches the path, and its cluster. Settings: route `timeout`, `idle_timeout` (over
 * the HCM's `stream_idle_timeout`), `max_stream_duration`; the HCM's `request_timeout` and
 * `common_http_protocol_options`; the cluster's `connect_timeout`.
 */
export function readEnvoy (file: string, text: string, match: string | undefined): VendorRead {
  const texts = new Map([[file, text]])
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false })
  const first = doc.errors[0]
  if (first !== undefined) { const p = lc.linePos(first.pos[0]); return { texts, diagnostics: [syntaxError({ file, line: p.line, col: p.col }, first.message.split('\n')[0] ?? first.message)] } }
  const root = obj(doc.toJS({ maxAliasCount: 100 }))
  const { host, path } = splitMatch(match)
  const diags: Diagnostic[] = []
  const listeners = arr(obj(root?.static_resources)?.listeners)
  for (const [li, l] of listeners.entries()) {
    for (const [ci, chain] of arr(obj(l)?.filter_chains).entries()) {
      for (const [fi, f] of arr(obj(chain)?.filters).entries()) {
        const hcm = obj(obj(f)?.typed_config)
        const hcmPath: DocPath = ['static_resources', 'listeners', li, 'filter_chains', ci, 'filters', fi, 'typed_config']
        if (hcm === undefined || obj(hcm.route_config) === undefined) continue
        const hit = findRoute(hcm, host, path)
        if (hit === undefined) continue
        const routePath: DocPath = [...hcmPath, 'route_config', 'virtual_hosts', hit.vh, 'routes', hit.r]
        const values = new Map<string, VendorValue>()
        const take = (name: string, v: unknown, p: DocPath): void => {
          const raw = durationText(v)
          if (raw !== undefined && !values.has(name)) values.set(name, { raw, ...locate(doc, lc, file, p) })
        }
        const route = obj(hit.route.route) ?? {}
        take('route.timeout', route.timeout, [...routePath, 'route', 'timeout'])
        take('stream_idle_timeout', route.idle_timeout, [...routePath, 'route', 'idle_timeout'])
        take('stream_idle_timeout', hcm.stream_idle_timeout, [...hcmPath, 'stream_idle_timeout'])
        take('max_stream_duration', obj(route.max_stream_duration)?.max_stream_duration, [...routePath, 'route', 'max_stream_duration', 'max_stream_duration'])
        const common = obj(hcm.common_http_protocol_options) ?? {}
        take('max_stream_duration', common.max_stream_duration, [...hcmPath, 'common_http_protocol_options', 'max_stream_duration'])
        take('common_http_protocol_options.idle_timeout', common.idle_timeout, [...hcmPath, 'common_http_protocol_options', 'idle_timeout'])
        take('common_http_protocol_options.max_connection_duration', common.max_connection_duration, [...hcmPath, 'common_http_protocol_options', 'max_connection_duration'])
        take('request_timeout', hcm.request_timeout, [...hcmPath, 'request_timeout'])
        const clusters = arr(obj(root?.static_resources)?.clusters)
        const ci2 = clusters.findIndex((c) => obj(c)?.name === route.cluster)
        if (ci2 >= 0) take('connect_timeout', obj(clusters[ci2])?.connect_timeout, ['static_resources', 'clusters', ci2, 'connect_timeout'])
        const block = locate(doc, lc, file, routePath).at
        return { texts, diagnostics: diags, hop: { values, block, described: `listener ${String(obj(l)?.name ?? li)} › route ${JSON.stringify(hit.route.match ?? {})}` } }
      }
    }
  }
  return { texts, diagnostics: [noBlock({ file, line: 1, col: 1 }, `no HTTP connection manager route in static_resources serves ${path}`)] }
}

function findRoute (hcm: Obj, host: string | undefined, path: string): { vh: number, r: number, route: Obj } | undefined {
  for (const [vi, vh] of arr(obj(hcm.route_config)?.virtual_hosts).entries()) {
    const domains = arr(obj(vh)?.domains).map(String)
    if (host !== undefined && !domains.some((d) => d === '*' || d === host || (d.startsWith('*') && host.endsWith(d.slice(1))) || (d.endsWith('*') && host.startsWith(d.slice(0, -1))))) continue
    for (const [ri, r] of arr(obj(vh)?.routes).entries()) {
      const m = obj(obj(r)?.match) ?? {}
      const cs = m.case_sensitive !== false
      const p = cs ? path : path.toLowerCase()
      const c = (s: unknown): string => cs ? String(s) : String(s).toLowerCase()
      const ok = (m.prefix !== undefined && p.startsWith(c(m.prefix))) || (m.path !== undefined && p === c(m.path)) ||
        (m.path_separated_prefix !== undefined && (p === c(m.path_separated_prefix) || p.startsWith(c(m.path_separated_prefix) + '/'))) ||
        (obj(m.safe_regex)?.regex !== undefined && safeTest(String(obj(m.safe_regex)?.regex), path))
      if (ok) return { vh: vi, r: ri, route: obj(r) ?? {} }
    }
  }
  return undefined
}

function safeTest (re: string, path: string): boolean {
  try { return new RegExp(`^(?:${re})$`).test(path) } catch { return false }
}
