import { isMap, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml'
import type { DocPath } from '../schema.js'
import type { VendorLocation } from './vendor-hop.js'

/** Where a value and its key stand in a YAML document (for Envoy bootstraps and Kubernetes manifests). */
export function locate (doc: Document, lc: LineCounter, file: string, path: DocPath): { at: VendorLocation, key: VendorLocation } {
  const pos = (offset: number): VendorLocation => { const p = lc.linePos(offset); return { file, line: p.line, col: p.col } }
  const node = doc.getIn(path, true) as Node | undefined
  const parent = path.length > 0 ? doc.getIn(path.slice(0, -1), true) as Node | undefined : undefined
  const last = path[path.length - 1]
  const pair = parent !== undefined && isMap(parent) ? parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last) : undefined
  const keyOffset = (pair?.key as Node | undefined)?.range?.[0]
  const at = pos(node?.range?.[0] ?? keyOffset ?? 0)
  return { at, key: keyOffset !== undefined ? pos(keyOffset) : at }
}

/** A YAML value as a vendor duration string: Envoy writes `3700s` or `{ seconds: 3700, nanos: 0 }`. */
export function durationText (v: unknown): string | undefined {
  if (typeof v === 'string' || typeof v === 'number') return String(v)
  if (v !== null && typeof v === 'object' && 'seconds' in v) {
    const o = v as { seconds?: unknown, nanos?: unknown }
    return `${Number(o.seconds ?? 0) + Number(o.nanos ?? 0) / 1e9}s`
  }
  return undefined
}
