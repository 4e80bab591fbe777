import { LineCounter, parseAllDocuments } from 'yaml'
import { locate } from './yaml-locate.js'
import { noBlock, syntaxError, type VendorRead, type VendorValue } from './vendor-hop.js'

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | undefined => v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : undefined

/** Cloud annotations on a Service of type LoadBalancer that set the load balancer's idle timeout, by hop kind. */
const ANNOTATIONS: Readonly<Record<string, { readonly setting: string, readonly annotation: string }>> = {
  'aws-elb': { setting: 'ConnectionSettings.IdleTimeout', annotation: 'service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout' },
  'azure-lb': { setting: 'IdleTimeoutInMinutes', annotation: 'service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout' }
}

/** The hop kinds whose Service annotations are read. */
export const SERVICE_LB_KINDS = Object.keys(ANNOTATIONS)

/**
 * Reads Kubernetes manifests for the cloud load balancer in front of a Service of type
 * LoadBalancer: the Service `match` names (`name` or `namespace/name`; default the first such
 * Service) and the cloud's idle-timeout annotation (AWS Classic ELB seconds, Azure minutes).
 */
export function readServiceLb (kind: string, file: string, text: string, match: string | undefined): VendorRead {
  const texts = new Map([[file, text]])
  const spec = ANNOTATIONS[kind]
  const lc = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false })
  if (!Array.isArray(docs) || spec === undefined) return { texts, diagnostics: [] }
  for (const d of docs) {
    const e = d.errors[0]
    if (e !== undefined) { const p = lc.linePos(e.pos[0]); return { texts, diagnostics: [syntaxError({ file, line: p.line, col: p.col }, e.message.split('\n')[0] ?? e.message)] } }
  }
  for (const d of docs) {
    const o = obj(d.toJS({ maxAliasCount: 100 }))
    const meta = obj(o?.metadata) ?? {}
    const name = String(meta.name ?? '')
    if (o?.kind !== 'Service' || obj(o.spec)?.type !== 'LoadBalancer') continue
    if (match !== undefined && match !== name && match !== `${String(meta.namespace ?? 'default')}/${name}`) continue
    const values = new Map<string, VendorValue>()
    const v = obj(meta.annotations)?.[spec.annotation]
    if (v !== undefined) values.set(spec.setting, { raw: String(v), ...locate(d, lc, file, ['metadata', 'annotations', spec.annotation]) })
    return { texts, diagnostics: [], hop: { values, block: locate(d, lc, file, ['metadata', 'name']).key, described: `Service ${name} (type LoadBalancer)` } }
  }
  return { texts, diagnostics: [noBlock({ file, line: 1, col: 1 }, `no Service of type LoadBalancer${match !== undefined ? ` named ${match}` : ''} in this file`)] }
}
