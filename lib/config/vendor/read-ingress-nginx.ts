import { LineCounter, parseAllDocuments } from 'yaml'
import type { DocPath } from '../schema.js'
import { locate } from './yaml-locate.js'
import { noBlock, splitMatch, syntaxError, type VendorLocation, type VendorRead, type VendorValue } from './vendor-hop.js'

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | undefined => v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : undefined
const arr = (v: unknown): unknown[] => Array.isArray(v) ? v : []
const PREFIX = 'nginx.ingress.kubernetes.io/'

/**
 * Reads Kubernetes manifests for ingress-nginx (one file, several `---` documents): the first
 * Ingress with a rule whose host and path (`Exact`, `Prefix` by path elements, or
 * `ImplementationSpecific` as a prefix) serve `match`; its `nginx.ingress.kubernetes.io/*`
 * annotations override the controller ConfigMap's keys (any ConfigMap in the file that sets one).
 */
export function readIngressNginx (file: string, text: string, wanted: readonly string[], match: string | undefined): VendorRead {
  const texts = new Map([[file, text]])
  const lc = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false })
  if (!Array.isArray(docs)) return { texts, diagnostics: [] }
  for (const d of docs) {
    const e = d.errors[0]
    if (e !== undefined) { const p = lc.linePos(e.pos[0]); return { texts, diagnostics: [syntaxError({ file, line: p.line, col: p.col }, e.message.split('\n')[0] ?? e.message)] } }
  }
  const { host, path } = splitMatch(match)
  const values = new Map<string, VendorValue>()
  const names = wanted.filter((w) => !w.startsWith(PREFIX))
  for (const d of docs) {
    const o = obj(d.toJS({ maxAliasCount: 100 }))
    if (o?.kind !== 'ConfigMap') continue
    for (const n of names) {
      const v = obj(o.data)?.[n]
      if (v !== undefined && !values.has(n)) values.set(n, { raw: String(v), ...locate(d, lc, file, ['data', n]) })
    }
  }
  for (const d of docs) {
    const o = obj(d.toJS({ maxAliasCount: 100 }))
    if (o?.kind !== 'Ingress') continue
    const hit = findPath(o, host, path)
    if (hit === undefined) continue
    const annotations = obj(obj(o.metadata)?.annotations) ?? {}
    for (const n of names) {
      const v = annotations[PREFIX + n]
      if (v !== undefined) values.set(n, { raw: String(v), ...locate(d, lc, file, ['metadata', 'annotations', PREFIX + n]) })
    }
    const at: VendorLocation = locate(d, lc, file, hit).at
    return { texts, diagnostics: [], hop: { values, block: at, described: `Ingress ${String(obj(o.metadata)?.name ?? '')} › path ${path}` } }
  }
  return { texts, diagnostics: [noBlock({ file, line: 1, col: 1 }, `no Ingress in this file serves ${host ?? ''}${path}`)] }
}

function findPath (ing: Obj, host: string | undefined, path: string): DocPath | undefined {
  for (const [ri, r] of arr(obj(ing.spec)?.rules).entries()) {
    const h = obj(r)?.host
    if (host !== undefined && h !== undefined && h !== host && !(String(h).startsWith('*.') && host.endsWith(String(h).slice(1)))) continue
    for (const [pi, p] of arr(obj(obj(r)?.http)?.paths).entries()) {
      const want = String(obj(p)?.path ?? '/')
      const type = obj(p)?.pathType ?? 'ImplementationSpecific'
      const ok = type === 'Exact'
        ? path === want
        : type === 'Prefix'
          ? want === '/' || path === want.replace(/\/$/, '') || path.startsWith(want.replace(/\/$/, '') + '/')
          : path.startsWith(want)
      if (ok) return ['spec', 'rules', ri, 'http', 'paths', pi]
    }
  }
  return undefined
}
