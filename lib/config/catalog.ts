import type { Diagnostic } from './diagnostic.js'
import type { Catalog, CatalogKind, CatalogServer, CatalogSetting, HeartbeatBound } from './catalog-types.js'
import { CATALOG_OVERRIDE_SCHEMA, CATALOG_SCHEMA } from './catalog-schema.js'
import { deepFreeze } from './deep-freeze.js'
import { formatPath, validateDocument, type DocPath, type PositionMap } from './schema.js'
import type { Loose } from './schema-types.js'
import { parseCatalogValue, type TimerValue } from './topology-value.js'
import { parseYamlSource, type YamlSource } from './yaml-source.js'

/** A catalog file as loaded: the merged catalog (absent on errors), diagnostics and positions. */
export interface LoadedCatalog {
  readonly catalog?: Catalog
  readonly diagnostics: readonly Diagnostic[]
  readonly positions: PositionMap
  readonly source: YamlSource
}

/** A catalog or override file as the layout pass leaves it (every field may be absent in an override). */
type RawCatalog = Loose<typeof CATALOG_SCHEMA>
type RawServer = NonNullable<NonNullable<RawCatalog['servers']>[string]>
type RawKind = NonNullable<NonNullable<RawCatalog['kinds']>[string]>
type RawBound = NonNullable<RawServer['minHeartbeat']>
type RawSetting = NonNullable<NonNullable<RawKind['settings']>[string]>
interface Ctx { readonly file: string, readonly positions: PositionMap, readonly diags: Diagnostic[] }

/**
 * Loads a catalog. Without `base` it is the shipped catalog and every entry must be complete;
 * with `base` it is a user's override file: fields it names replace the base's, new kinds,
 * settings and servers must be complete. Problems are diagnostics with positions, never throws.
 */
export function loadCatalog (text: string, file: string, base?: Catalog): LoadedCatalog {
  const { source, diagnostics } = parseYamlSource(text, file)
  const v = validateDocument(source, diagnostics.length > 0 ? { type: 'any' } : base === undefined ? CATALOG_SCHEMA : CATALOG_OVERRIDE_SCHEMA)
  if (diagnostics.length > 0 || v.diagnostics.length > 0) return { diagnostics: [...diagnostics, ...v.diagnostics], positions: v.positions, source }
  const ctx: Ctx = { file, positions: v.positions, diags: [] }
  // The override schema is the same layout with nothing required: both read as RawCatalog.
  const raw: RawCatalog = v.value ?? {}
  const servers = { ...base?.servers }
  for (const [name, r] of Object.entries(raw.servers ?? {})) {
    servers[name] = toServer(ctx, name, r ?? {}, base?.servers[name])
  }
  const kinds = { ...base?.kinds }
  for (const [name, r] of Object.entries(raw.kinds ?? {})) {
    kinds[name] = toKind(ctx, name, r ?? {}, base?.kinds[name])
  }
  if (ctx.diags.length > 0) return { diagnostics: ctx.diags, positions: v.positions, source }
  return { catalog: deepFreeze({ kinds, servers }), diagnostics: [], positions: v.positions, source }
}

function toServer (ctx: Ctx, name: string, r: RawServer, base: CatalogServer | undefined): CatalogServer {
  const path = ['servers', name]
  return {
    name,
    title: field(ctx, path, r, 'title', base?.title),
    minHeartbeat: toBound(ctx, [...path, 'minHeartbeat'], r.minHeartbeat ?? {}, base?.minHeartbeat),
    maxHeartbeat: toBound(ctx, [...path, 'maxHeartbeat'], r.maxHeartbeat ?? {}, base?.maxHeartbeat)
  }
}

function toBound (ctx: Ctx, path: DocPath, r: RawBound, base: HeartbeatBound | undefined): HeartbeatBound {
  return {
    value: timer(ctx, path, r, 'value', base?.value),
    ...optional('setting', r.setting ?? base?.setting),
    source: field(ctx, path, r, 'source', base?.source),
    confidence: field(ctx, path, r, 'confidence', base?.confidence),
    ...optional('note', r.note ?? base?.note)
  }
}

function toKind (ctx: Ctx, name: string, r: RawKind, base: CatalogKind | undefined): CatalogKind {
  const path = ['kinds', name]
  const settings = { ...base?.settings }
  for (const [s, sr] of Object.entries(r.settings ?? {})) {
    settings[s] = toSetting(ctx, [...path, 'settings', s], s, sr ?? {}, base?.settings[s])
  }
  return {
    name,
    title: field(ctx, path, r, 'title', base?.title),
    layer: field(ctx, path, r, 'layer', base?.layer),
    terminatesTcp: field(ctx, path, r, 'terminatesTcp', base?.terminatesTcp),
    ...optional('balancing', r.balancing ?? base?.balancing),
    abortOnClose: r.abortOnClose ?? base?.abortOnClose ?? false,
    ...optional('note', r.note ?? base?.note),
    settings
  }
}

function toSetting (ctx: Ctx, path: DocPath, name: string, r: RawSetting, base: CatalogSetting | undefined): CatalogSetting {
  const has = (k: string): boolean => ctx.positions.has([...path, k])
  // An absent mapping comes back as {} from the walker: only a written one replaces the base's.
  const choices = has('choices') && r.choices !== undefined ? toChoices(ctx, [...path, 'choices'], r.choices) : base?.choices
  const max = timer(ctx, path, r, 'max', base?.max)
  const overrideMax = has('overrideMax') ? timer(ctx, path, r, 'overrideMax', undefined) : base?.overrideMax
  if (base !== undefined && has('max') && typeof base.overrideMax === 'number' && (max === 'none' || (typeof max === 'number' && max > base.overrideMax))) {
    report(ctx, [...path, 'max'], 'GW0006', 'invalid-value', `${formatPath([...path, 'max'])} ${String(r.max)} is above what ${name} can be raised to: ${base.overrideMax / 1000}s at most (the vendor's highest plan)`)
  }
  return {
    name,
    default: timer(ctx, path, r, 'default', base?.default),
    max,
    min: has('min') ? timer(ctx, path, r, 'min', undefined) : base?.min ?? 'none',
    ...optional('overrideMax', overrideMax),
    ...optional('unit', r.unit ?? base?.unit),
    off: r.off?.map(String) ?? base?.off ?? [],
    ...optional('choices', choices),
    aliases: r.aliases?.filter((a) => a !== undefined) ?? base?.aliases ?? [],
    semantics: field(ctx, path, r, 'semantics', base?.semantics),
    refreshedByKeepalive: field(ctx, path, r, 'refreshedByKeepalive', base?.refreshedByKeepalive),
    appliesToPing: field(ctx, path, r, 'appliesToPing', base?.appliesToPing),
    source: field(ctx, path, r, 'source', base?.source),
    confidence: field(ctx, path, r, 'confidence', base?.confidence),
    ...optional('note', r.note ?? base?.note)
  }
}

function toChoices (ctx: Ctx, path: DocPath, r: Readonly<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(r)) {
    const t = timer(ctx, path, r, k, undefined)
    if (typeof t === 'number') out[k] = t
    else if (t !== undefined) report(ctx, [...path, k], 'GW0006', 'invalid-value', `${formatPath([...path, k])} must be a duration, got ${String(v)}`)
  }
  return out
}

/**
 * A field present in this file, or inherited from the base entry; missing in both is GW0004. The
 * entry is then incomplete, but the whole catalog is discarded on any diagnostic, so the
 * placeholder never reaches a caller.
 */
function field<R, K extends keyof R & string> (ctx: Ctx, path: DocPath, r: R, key: K, inherited: NonNullable<R[K]> | undefined): NonNullable<R[K]> {
  const own = r[key]
  if (own !== undefined && own !== null) return own
  if (inherited !== undefined) return inherited
  report(ctx, path, 'GW0004', 'missing-key', `missing required key "${formatPath([...path, key])}"`, true)
  return incomplete()
}

/** Stands in for a missing field of an entry that is already reported (and so never returned). */
function incomplete<T> (): T {
  return undefined as T
}

function timer (ctx: Ctx, path: DocPath, r: Readonly<Record<string, unknown>>, key: string, inherited: TimerValue | undefined): TimerValue {
  if (!ctx.positions.has([...path, key])) {
    if (inherited !== undefined) return inherited
    report(ctx, path, 'GW0004', 'missing-key', `missing required key "${formatPath([...path, key])}"`, true)
    return 'unknown'
  }
  const v = parseCatalogValue(r[key])
  if ('error' in v) { report(ctx, [...path, key], 'GW0005', 'invalid-duration', `${formatPath([...path, key])}: ${v.error}`); return 'unknown' }
  return v.value
}

function optional<K extends string, V> (key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

function report (ctx: Ctx, path: DocPath, code: string, rule: string, message: string, atKey = false): void {
  const { line, col } = atKey ? ctx.positions.keyAt(path) : ctx.positions.at(path)
  ctx.diags.push({ code, rule, severity: 'error', file: ctx.file, line, col, path, message })
}
