import { isAlias, isMap, isNode, isScalar, isSeq, type Alias, type Node, type Pair } from 'yaml'
import type { Diagnostic } from './diagnostic.js'
import { parseDuration } from './duration.js'
import type { Infer, Loose } from './schema-types.js'
import { suggestName } from './topology-suggest.js'
import { positionOf, type YamlSource } from './yaml-source.js'

/**
 * A declarative schema for YAML input. The validator walks the yaml AST (not a plain JS object) so
 * every finding points at the offending value, or at the key of the object missing a key.
 */
export type Schema =
  | { readonly type: 'duration', readonly default?: number, readonly min?: number, readonly doc?: string }
  | { readonly type: 'integer', readonly default?: number, readonly min?: number, readonly max?: number, readonly doc?: string }
  | { readonly type: 'number', readonly default?: number, readonly min?: number, readonly max?: number, readonly doc?: string }
  | { readonly type: 'string', readonly default?: string, readonly enum?: readonly string[], readonly doc?: string }
  | { readonly type: 'boolean', readonly default?: boolean, readonly doc?: string }
  | { readonly type: 'url', readonly protocols: readonly string[], readonly doc?: string }
  | { readonly type: 'object', readonly fields: Readonly<Record<string, Schema>>, readonly required?: readonly string[], readonly additional?: Schema, readonly doc?: string }
  | { readonly type: 'array', readonly items: Schema, readonly minItems?: number, readonly doc?: string }
  | { readonly type: 'any', readonly doc?: string }

/** Path of a value in a document: keys and array indexes. */
export type DocPath = readonly (string | number)[]

/** Where a value (and its key) stands in the file. */
export interface Located { readonly line: number, readonly col: number, readonly keyLine: number, readonly keyCol: number }

/** Positions of every value seen, by path. */
export class PositionMap {
  readonly #map = new Map<string, Located>()
  /** Records a position. */
  set (path: DocPath, loc: Located): void { this.#map.set(pathKey(path), loc) }
  /** The value's position, or the nearest ancestor's key when the value is absent. */
  at (path: DocPath): { line: number, col: number } {
    for (let p = path; ; p = p.slice(0, -1)) {
      const hit = this.#map.get(pathKey(p))
      if (hit !== undefined) return p.length === path.length ? { line: hit.line, col: hit.col } : { line: hit.keyLine, col: hit.keyCol }
      if (p.length === 0) return { line: 1, col: 1 }
    }
  }

  /** The key's position (falls back like `at`). */
  keyAt (path: DocPath): { line: number, col: number } {
    const hit = this.#map.get(pathKey(path))
    return hit !== undefined ? { line: hit.keyLine, col: hit.keyCol } : this.at(path)
  }

  /** True when the file spelled this value out (it was not filled in from a default). */
  has (path: DocPath): boolean { return this.#map.has(pathKey(path)) }
}

function pathKey (path: DocPath): string { return path.join('\u0000') }

/** Renders a path the way users read it: `upstreams[0].url`. */
export function formatPath (path: DocPath): string {
  return path.map((p, i) => typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`).join('')
}

interface Ctx { readonly src: YamlSource, readonly diags: Diagnostic[], readonly positions: PositionMap, aliases: number }

/** YAML 1.1's merge key, read in 1.2 documents too: users copy it from Compose and Kubernetes files. */
const MERGE_KEY = '<<'

/** Most aliases one document may resolve (a guard against alias bombs). */
const MAX_ALIASES = 100

/** What `validateDocument` returns: `valid` is set exactly when there are no diagnostics. */
export interface Validated<S extends Schema> {
  /** The value with defaults applied; a value with an error is absent (see `Loose`). */
  readonly value: Loose<S> | undefined
  /** The complete value, typed by the schema; absent when there are diagnostics. */
  readonly valid: Infer<S> | undefined
  readonly diagnostics: Diagnostic[]
  readonly positions: PositionMap
}

/** Validates a parsed document against a schema; returns the value with defaults applied. */
export function validateDocument<const S extends Schema> (src: YamlSource, schema: S): Validated<S> {
  const ctx: Ctx = { src, diags: [], positions: new PositionMap(), aliases: 0 }
  const root: unknown = src.doc.contents
  const node = isNode(root) ? root : null
  const [line, col] = positionOf(src.lineCounter, node?.range?.[0] ?? 0)
  ctx.positions.set([], { line, col, keyLine: line, keyCol: col })
  // The one place the walker's output meets the types derived from the schema: walk() builds
  // exactly the shape Infer/Loose describe (test/config/schema-types.test.ts pins them together).
  const value = walk(ctx, node, schema, []) as Loose<S> | undefined
  const valid = ctx.diags.length === 0 ? value as Infer<S> | undefined : undefined
  return { value, valid, diagnostics: ctx.diags, positions: ctx.positions }
}

function report (ctx: Ctx, path: DocPath, code: string, rule: string, message: string, useKey = false): void {
  const { line, col } = useKey ? ctx.positions.keyAt(path) : ctx.positions.at(path)
  ctx.diags.push({ code, rule, severity: 'error', file: ctx.src.file, line, col, path, message })
}

function walk (ctx: Ctx, node: Node | null, schema: Schema, path: DocPath): unknown {
  if (node !== null && isAlias(node)) {
    const target = resolveAlias(ctx, node, path)
    if (target === undefined) return undefined
    node = target
  }
  if (node === null || (isScalar(node) && node.value === null)) {
    // An absent object with required keys is optional as a whole (e.g. listen.tls); the parent's
    // `required` says whether it may be absent. One without required keys becomes its defaults.
    if (schema.type === 'object') return (schema.required?.length ?? 0) > 0 ? undefined : walkObject(ctx, null, schema, path)
    return 'default' in schema ? schema.default : undefined
  }
  switch (schema.type) {
    case 'object': return walkObject(ctx, node, schema, path)
    case 'array': return walkArray(ctx, node, schema, path)
    case 'any':
      try {
        return node.toJS(ctx.src.doc, { maxAliasCount: MAX_ALIASES })
      } catch (err) {
        report(ctx, path, 'GW0001', 'yaml-syntax', (err as Error).message)
        return undefined
      }
    default: return walkScalar(ctx, node, schema, path)
  }
}

/**
 * Resolves an alias, counting it against the cap. Past the cap the document is refused with one
 * finding, at the first alias too many, not one per alias (regression: #15).
 */
function resolveAlias (ctx: Ctx, node: Node, path: DocPath): Node | null | undefined {
  if (++ctx.aliases > MAX_ALIASES) {
    if (ctx.aliases === MAX_ALIASES + 1) report(ctx, path, 'GW0001', 'yaml-syntax', `more than ${MAX_ALIASES} aliases in one document`)
    return undefined
  }
  return ((node as Alias).resolve(ctx.src.doc) as Node | undefined) ?? null
}

/**
 * A mapping's pairs with `<<: *anchor` (or `<<: [*a, *b]`) merge keys expanded: keys written in
 * the mapping win over merged ones, and an earlier merged mapping wins over a later one.
 */
function mapPairs (ctx: Ctx, node: Node | null, path: DocPath): Pair<Node, Node | null>[] {
  const own: Pair<Node, Node | null>[] = []
  const merged: Pair<Node, Node | null>[] = []
  for (const pair of (node !== null && isMap(node) ? node.items : []) as Pair<Node, Node | null>[]) {
    if (!isScalar(pair.key) || pair.key.value !== MERGE_KEY) { own.push(pair); continue }
    const sources = pair.value !== null && isSeq(pair.value) ? pair.value.items as Node[] : [pair.value]
    for (const src of sources) {
      const target = src !== null && isAlias(src) ? resolveAlias(ctx, src, path) : src
      if (target === undefined) continue
      if (target === null || !isMap(target)) {
        report(ctx, path, 'GW0003', 'invalid-type', `${formatPath(path) || 'document'}: "<<" merges a mapping or a list of mappings`)
        continue
      }
      merged.push(...mapPairs(ctx, target, path))
    }
  }
  const keyOf = (p: Pair<Node, Node | null>): string => isScalar(p.key) ? String(p.key.value) : String(p.key)
  const seen = new Set(own.map(keyOf))
  const out = [...own]
  for (const p of merged) {
    if (!seen.has(keyOf(p))) { seen.add(keyOf(p)); out.push(p) }
  }
  return out
}

function walkObject (ctx: Ctx, node: Node | null, schema: Extract<Schema, { type: 'object' }>, path: DocPath): Record<string, unknown> | undefined {
  if (node !== null && !isMap(node)) {
    report(ctx, path, 'GW0003', 'invalid-type', `${formatPath(path) || 'document'} must be a mapping`)
    return undefined
  }
  const out: Record<string, unknown> = {}
  const seen = new Set<string>()
  for (const pair of mapPairs(ctx, node, path)) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
    const childPath = [...path, key]
    const keyOffset = pair.key?.range?.[0] ?? 0
    const valOffset = pair.value?.range?.[0] ?? keyOffset
    const [keyLine, keyCol] = positionOf(ctx.src.lineCounter, keyOffset)
    const [line, col] = positionOf(ctx.src.lineCounter, valOffset)
    ctx.positions.set(childPath, { line, col, keyLine, keyCol })
    seen.add(key)
    const child = schema.fields[key] ?? schema.additional
    if (child === undefined) {
      const known = Object.keys(schema.fields)
      const near = suggestName(key, known)
      report(ctx, childPath, 'GW0002', 'unknown-key',
        `unknown key "${formatPath(childPath)}"` + (near !== undefined ? `: did you mean "${near}"?` : known.length > 0 ? ` (expected one of: ${known.join(', ')})` : ''), true)
      continue
    }
    out[key] = walk(ctx, pair.value ?? null, child, childPath)
  }
  for (const name of schema.required ?? []) {
    if (!seen.has(name)) report(ctx, path, 'GW0004', 'missing-key', `missing required key "${formatPath([...path, name])}"`, true)
  }
  for (const [name, child] of Object.entries(schema.fields)) {
    if (!seen.has(name)) out[name] = walk(ctx, null, child, [...path, name])
  }
  return out
}

function walkArray (ctx: Ctx, node: Node, schema: Extract<Schema, { type: 'array' }>, path: DocPath): unknown[] | undefined {
  if (!isSeq(node)) {
    report(ctx, path, 'GW0003', 'invalid-type', `${formatPath(path)} must be a list`)
    return undefined
  }
  if (node.items.length < (schema.minItems ?? 0)) {
    report(ctx, path, 'GW0004', 'missing-key', `${formatPath(path)} needs at least ${schema.minItems ?? 0} entr${schema.minItems === 1 ? 'y' : 'ies'}`)
  }
  return node.items.map((item, i) => {
    const child = item as Node
    const [line, col] = positionOf(ctx.src.lineCounter, child.range?.[0] ?? 0)
    ctx.positions.set([...path, i], { line, col, keyLine: line, keyCol: col })
    return walk(ctx, child, schema.items, [...path, i])
  })
}

function walkScalar (ctx: Ctx, node: Node, schema: Exclude<Schema, { type: 'object' | 'array' | 'any' }>, path: DocPath): unknown {
  const name = formatPath(path)
  if (!isScalar(node)) {
    report(ctx, path, 'GW0003', 'invalid-type', `${name} must be a ${schema.type}, not a ${isMap(node) ? 'mapping' : 'list'}`)
    return undefined
  }
  const v = node.value
  switch (schema.type) {
    case 'duration': {
      const d = parseDuration(v)
      if ('error' in d) { report(ctx, path, 'GW0005', 'invalid-duration', `${name}: ${d.error}`); return undefined }
      if (schema.min !== undefined && d.ms < schema.min) { report(ctx, path, 'GW0006', 'invalid-value', `${name} must be at least ${schema.min}ms`); return undefined }
      return d.ms
    }
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || (schema.type === 'integer' && !Number.isInteger(v))) {
        report(ctx, path, 'GW0003', 'invalid-type', `${name} must be ${schema.type === 'integer' ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`)
        return undefined
      }
      if ((schema.min !== undefined && v < schema.min) || (schema.max !== undefined && v > schema.max)) {
        report(ctx, path, 'GW0006', 'invalid-value', `${name} must be between ${schema.min ?? '-∞'} and ${schema.max ?? '∞'}, got ${v}`)
        return undefined
      }
      return v
    }
    case 'boolean':
      if (typeof v !== 'boolean') { report(ctx, path, 'GW0003', 'invalid-type', `${name} must be true or false, got ${JSON.stringify(v)}`); return undefined }
      return v
    case 'string':
    case 'url': {
      if (typeof v !== 'string' || v === '') { report(ctx, path, 'GW0003', 'invalid-type', `${name} must be a non-empty string, got ${JSON.stringify(v)}`); return undefined }
      if (schema.type === 'string' && schema.enum !== undefined && !schema.enum.includes(v)) {
        report(ctx, path, 'GW0006', 'invalid-value', `${name} must be one of ${schema.enum.join(', ')}, got "${v}"`)
        return undefined
      }
      if (schema.type === 'url') return checkUrl(ctx, path, v, schema.protocols)
      return v
    }
  }
}

function checkUrl (ctx: Ctx, path: DocPath, v: string, protocols: readonly string[]): string | undefined {
  let u: URL
  try { u = new URL(v) } catch {
    report(ctx, path, 'GW0006', 'invalid-value', `${formatPath(path)} is not a valid URL: "${v}"`)
    return undefined
  }
  if (!protocols.includes(u.protocol.slice(0, -1))) {
    report(ctx, path, 'GW0006', 'invalid-value', `${formatPath(path)} must use ${protocols.join(' or ')}, got "${u.protocol}"`)
    return undefined
  }
  return v
}
