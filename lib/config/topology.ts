import { isMap, isNode, isScalar, type YAMLMap } from 'yaml'
import type { Catalog, CatalogKind, CatalogSetting } from './catalog-types.js'
import { findSetting } from './catalog-types.js'
import type { Diagnostic } from './diagnostic.js'
import { deepFreeze } from './deep-freeze.js'
import { formatPath, PositionMap, validateDocument, type DocPath } from './schema.js'
import { didYouMean } from './topology-suggest.js'
import { TOPOLOGY_SCHEMA, type HopKeepalive, type HopSetting, type ServerBound, type SourceFile, type Topology, type TopologyHop } from './topology-types.js'
import { hasVendorReader, VENDOR_CONFIG_KINDS } from './vendor/read-vendor-config.js'
import type { VendorHop, VendorLocation } from './vendor/vendor-hop.js'
import { parseTimerValue, type TimerValue } from './topology-value.js'
import type { Loose } from './schema-types.js'
import { parseYamlSource, positionOf, type YamlSource } from './yaml-source.js'

/** A topology file after the structural pass: the raw value, before the catalog is applied. */
export interface ParsedTopology {
  readonly value?: RawTopology
  readonly diagnostics: readonly Diagnostic[]
  readonly positions: PositionMap
  readonly source: YamlSource
}

/** A topology resolved against the catalog (`topology` is absent when the file has errors). */
export interface LoadedTopology extends ParsedTopology { readonly topology?: Topology }

/** The raw shape the schema guarantees, even with layout errors (a field with an error is absent). */
export type RawTopology = Loose<typeof TOPOLOGY_SCHEMA>
/** A hop as the layout pass leaves it. */
export type RawHop = NonNullable<NonNullable<RawTopology['hops']>[number]>

/** First pass: YAML and layout. Its `value.catalog` names the user's catalog file, if any. */
export function parseTopology (text: string, file: string): ParsedTopology {
  const { source, diagnostics } = parseYamlSource(text, file)
  if (diagnostics.length > 0) return { diagnostics, positions: validateDocument(source, { type: 'any' }).positions, source }
  const v = validateDocument(source, TOPOLOGY_SCHEMA)
  const diags = [...v.diagnostics]
  // An empty document (or an empty hop) is silently "absent" to the schema walker: say so here.
  if (v.value === undefined && diags.length === 0) diags.push(at(v.positions, file, [], 'GW0004', 'missing-key', 'the file is empty: missing required keys "server" and "hops"'))
  const hops = v.value?.hops ?? []
  hops.forEach((h, i) => {
    if (h === undefined && !diags.some((d) => d.path[0] === 'hops' && d.path[1] === i)) {
      diags.push(at(v.positions, file, ['hops', i], 'GW0004', 'missing-key', `hops[${i}] is empty: a hop needs "name" and "kind"`))
    }
  })
  // Kept even with layout errors, so the catalog pass can report its own problems in the same run.
  return { ...(v.value !== undefined ? { value: v.value } : {}), diagnostics: diags, positions: v.positions, source }
}

function at (positions: PositionMap, file: string, path: DocPath, code: string, rule: string, message: string): Diagnostic {
  const { line, col } = positions.at(path)
  return { code, rule, severity: 'error', file, line, col, path, message }
}

type ValidRawHop = RawHop & { readonly name: string, readonly kind: string }

/** A hop whose name and kind survived the layout pass (the catalog pass needs both). */
function isNamedHop (h: RawHop | undefined): h is ValidRawHop {
  return h?.name !== undefined && h.kind !== undefined
}
interface Ctx { readonly parsed: ParsedTopology, readonly catalog: Catalog, readonly diags: Diagnostic[], readonly vendors: ReadonlyMap<number, VendorHop> }

/**
 * Second pass: resolves the server and every hop against the catalog. Unknown kinds and
 * settings, unit mistakes and duplicate names become diagnostics with positions and a "did you
 * mean"; unset timers take the catalog default.
 */
export function resolveTopology (parsed: ParsedTopology, catalog: Catalog, vendors: ReadonlyMap<number, VendorHop> = new Map()): LoadedTopology {
  const raw = parsed.value
  if (raw === undefined) return parsed
  const ctx: Ctx = { parsed, catalog, diags: [], vendors }
  const rs = raw.server
  const server = rs?.kind !== undefined ? resolveServer(ctx, rs.kind, rs) : undefined
  const names = new Set<string>()
  const hops: TopologyHop[] = []
  ;(raw.hops ?? []).forEach((h, i) => {
    if (!isNamedHop(h)) return
    if (names.has(h.name)) report(ctx, ['hops', i, 'name'], 'GW0007', 'duplicate-name', `hop name "${h.name}" is used twice`)
    names.add(h.name)
    const hop = resolveHop(ctx, h, i)
    if (hop !== undefined) hops.push(hop)
  })
  const all = [...parsed.diagnostics, ...ctx.diags]
  if (all.some((d) => d.severity === 'error') || server === undefined || raw.margin === undefined) return { ...parsed, diagnostics: ctx.diags }
  return { ...parsed, diagnostics: ctx.diags, topology: deepFreeze({ margin: raw.margin, server, hops, ...(raw.catalog !== undefined ? { catalog: raw.catalog } : {}) }) }
}

function resolveServer (ctx: Ctx, kindName: string, raw: { readonly minHeartbeat?: number, readonly maxHeartbeat?: number }): Topology['server'] | undefined {
  const kind = ctx.catalog.servers[kindName]
  if (kind === undefined) {
    report(ctx, ['server', 'kind'], 'GW0008', 'unknown-kind', `unknown server kind "${kindName}"${didYouMean(kindName, Object.keys(ctx.catalog.servers))}`)
    return undefined
  }
  const bound = (key: 'minHeartbeat' | 'maxHeartbeat', fallback: TimerValue): ServerBound => {
    const v = raw[key]
    return v !== undefined ? { value: v, origin: 'set', path: ['server', key] } : { value: fallback, origin: 'default', path: ['server', key] }
  }
  const min = bound('minHeartbeat', kind.minHeartbeat.value)
  const max = bound('maxHeartbeat', kind.maxHeartbeat.value)
  if (typeof max.value !== 'number') {
    report(ctx, ['server'], 'GW0004', 'missing-key', `missing required key "server.maxHeartbeat": the catalog has no default for server kind "${kind.name}"`, true)
    return undefined
  }
  if (typeof min.value === 'number' && min.value > max.value) {
    report(ctx, min.origin === 'set' ? ['server', 'minHeartbeat'] : ['server', 'maxHeartbeat'], 'GW0006', 'invalid-value', 'server.minHeartbeat is above server.maxHeartbeat')
  }
  return { kind, minHeartbeat: min, maxHeartbeat: max }
}

function resolveHop (ctx: Ctx, h: ValidRawHop, i: number): TopologyHop | undefined {
  const at = (k: string): DocPath => ['hops', i, k]
  const kind = ctx.catalog.kinds[h.kind]
  if (kind === undefined) {
    report(ctx, at('kind'), 'GW0008', 'unknown-kind', `unknown hop kind "${h.kind}"${didYouMean(h.kind, Object.keys(ctx.catalog.kinds))}`)
    return undefined
  }
  const isGateway = kind.name === 'eas-gateway'
  if (isGateway && h.config === undefined) report(ctx, ['hops', i], 'GW0004', 'missing-key', `hop "${h.name}" of kind eas-gateway needs "config": the path of its gateway config file`, true)
  if (!isGateway && h.config !== undefined && !hasVendorReader(kind.name)) notFor(ctx, at('config'), 'config', `lint reads the config files of ${['eas-gateway', ...VENDOR_CONFIG_KINDS].join(', ')} hops only`)
  if (h.match !== undefined && (isGateway || h.config === undefined)) notFor(ctx, at('match'), 'match', 'it chooses what is read from a hop\'s own config file (config:)')
  if (h.balancing !== undefined && kind.balancing === undefined) notFor(ctx, at('balancing'), 'balancing', `${kind.name} does not balance load`)
  if (h.abortOnClose !== undefined && !kind.abortOnClose) notFor(ctx, at('abortOnClose'), 'abortOnClose', 'it is an HAProxy option')
  if (h.closeOn401 !== undefined && kind.layer !== 'l7') notFor(ctx, at('closeOn401'), 'closeOn401', `${kind.name} is an L4 device and never sees HTTP status codes`)
  const settings = resolveSettings(ctx, kind, h, i)
  const keepalive = resolveKeepalive(ctx, kind, h, i, settings)
  const vendor = ctx.vendors.get(i)
  const balancing = h.balancing ?? vendor?.balancing?.value
  const abortOnClose = h.abortOnClose ?? vendor?.abortOnClose?.value
  const closeOn401 = h.closeOn401 ?? vendor?.closeOn401?.value
  return {
    index: i,
    name: h.name,
    kind,
    settings,
    ...(keepalive !== undefined ? { tcpKeepalive: keepalive } : {}),
    ...(balancing !== undefined ? { balancing } : {}),
    ...(closeOn401 !== undefined ? { closeOn401 } : {}),
    ...(abortOnClose !== undefined ? { abortOnClose } : {}),
    ...(vendor !== undefined ? { sources: optionSources(vendor, h, i), described: vendor.described } : {}),
    ...(h.terminationGrace !== undefined ? { terminationGrace: h.terminationGrace } : {}),
    ...(h.config !== undefined ? { config: h.config } : {})
  }
}

function resolveSettings (ctx: Ctx, kind: CatalogKind, h: ValidRawHop, i: number): HopSetting[] {
  const written = new Map<string, HopSetting>()
  for (const [key, rawValue] of Object.entries(h.timeouts ?? {})) {
    const path = ['hops', i, 'timeouts', key]
    if (kind.name === 'eas-gateway') { notFor(ctx, path, key, 'eas-gateway timeouts are read from its config file', true); continue }
    const spec = findSetting(kind, key)
    if (spec === undefined) {
      const names = Object.values(kind.settings).flatMap((s) => [s.name, ...s.aliases])
      report(ctx, path, 'GW0009', 'unknown-setting', `${kind.name} has no setting "${key}"${didYouMean(key, names)}`, true)
      continue
    }
    if (written.has(spec.name)) { report(ctx, path, 'GW0007', 'duplicate-name', `"${key}" sets ${spec.name} a second time`, true); continue }
    const v = parseTimerValue(rawValue, spec)
    if ('error' in v) { report(ctx, path, 'GW0005', 'invalid-duration', `${formatPath(path)}: ${v.error}`); continue }
    written.set(spec.name, { spec, value: withinRange(v.value, spec), written: v.value, origin: 'set', path })
  }
  const vendor = ctx.vendors.get(i)
  return Object.values(kind.settings).map((spec) => {
    if (vendor !== undefined) return fromVendor(ctx, spec, vendor, written.get(spec.name))
    return written.get(spec.name) ?? { spec, value: spec.default, origin: 'default', path: ['hops', i, 'timeouts', spec.name] }
  })
}

/**
 * A setting of a hop whose own config file was read: the file is what runs, so its value wins
 * (unset there: the vendor default, pointing at the block that lacks it). A different value
 * written in the topology as well is a stale copy: GW0014.
 */
function fromVendor (ctx: Ctx, spec: CatalogSetting, vendor: VendorHop, topo: HopSetting | undefined): HopSetting {
  const path = ['timeouts', spec.name]
  const found = [spec.name, ...spec.aliases].map((n) => vendor.values.get(n)).find((v) => v !== undefined)
  let setting: HopSetting
  if (found === undefined) {
    const at = vendor.missingAt?.get(spec.name) ?? vendor.block
    setting = { spec, value: spec.default, origin: 'default', path, source: sourceAt(path, at, at) }
  } else {
    const v = parseTimerValue(found.raw, spec)
    if ('error' in v) {
      ctx.diags.push({ code: 'GW0005', rule: 'invalid-duration', severity: 'error', file: found.at.file, line: found.at.line, col: found.at.col, path: [], message: `${spec.name}: ${v.error}` })
      return { spec, value: 'unknown', origin: 'set', path, source: sourceAt(path, found.at, found.key) }
    }
    setting = { spec, value: withinRange(v.value, spec), written: v.value, origin: 'set', path, source: sourceAt(path, found.at, found.key) }
  }
  if (topo !== undefined && topo.written !== (setting.written ?? setting.value)) {
    const { line, col } = ctx.parsed.positions.at(topo.path)
    const where = found === undefined ? 'leaves it unset (the vendor default is in force)' : `sets ${found.raw} (${found.at.file}:${found.at.line}:${found.at.col})`
    ctx.diags.push({
      code: 'GW0014',
      rule: 'topology-differs-from-config',
      severity: 'warning',
      file: ctx.parsed.source.file,
      line,
      col,
      path: topo.path,
      message: `${spec.name} here differs from the hop's config file, which ${where}: the file is what runs, so its value is checked`
    })
  }
  return setting
}

/** A one-entry position map for a value in another file. */
function sourceAt (path: DocPath, at: VendorLocation, key: VendorLocation): SourceFile {
  const positions = new PositionMap()
  positions.set(path, { line: at.line, col: at.col, keyLine: key.line, keyCol: key.col })
  return { file: at.file, positions }
}

/** Where the hop's config file states balancing and abortonclose, or the block that lacks them. */
function optionSources (vendor: VendorHop, h: ValidRawHop, i: number): NonNullable<TopologyHop['sources']> {
  const at = (k: string, loc: VendorLocation): SourceFile => {
    const src = sourceAt(['hops', i, k], loc, loc)
    // GW0111 points at the kind when balancing is not stated anywhere: that is the block here.
    if (k === 'balancing') src.positions.set(['hops', i, 'kind'], { line: loc.line, col: loc.col, keyLine: loc.line, keyCol: loc.col })
    return src
  }
  return {
    block: at('timeouts', vendor.block),
    ...(h.balancing === undefined ? { balancing: at('balancing', vendor.balancing?.at ?? vendor.block) } : {}),
    ...(h.abortOnClose === undefined ? { abortOnClose: at('abortOnClose', vendor.abortOnClose?.at ?? vendor.block) } : {}),
    ...(h.closeOn401 === undefined ? { closeOn401: at('closeOn401', vendor.closeOn401?.at ?? vendor.block) } : {})
  }
}

/**
 * The value a device runs with: one outside the vendor's range is refused or clamped by the device,
 * so the nearest bound is in force, below the minimum as above the maximum (GW0114 reports both).
 */
function withinRange (v: number | 'none', spec: CatalogSetting): number | 'none' {
  if (typeof v !== 'number') return v
  if (typeof spec.max === 'number' && v > spec.max) return spec.max
  if (typeof spec.min === 'number' && v < spec.min) return spec.min
  return v
}

function resolveKeepalive (ctx: Ctx, kind: CatalogKind, h: ValidRawHop, i: number, settings: readonly HopSetting[]): HopKeepalive | undefined {
  const path: DocPath = ['hops', i, 'tcpKeepalive']
  if (h.tcpKeepalive === undefined) {
    // A vendor keepalive setting written in `timeouts` (F5 keep-alive-interval) counts; its default does not.
    for (const s of settings) {
      if (s.spec.semantics === 'keepalive' && s.origin === 'set' && typeof s.value === 'number') return { deviceSide: s.value, serverSide: s.value, path: s.path }
    }
    return undefined
  }
  const node: unknown = ctx.parsed.source.doc.getIn(path, true)
  if (isMap(node)) {
    recordPairs(ctx, node, path)
    if (!kind.terminatesTcp) {
      report(ctx, path, 'GW0006', 'invalid-value', `${kind.name} passes TCP through: it carries one connection, so give tcpKeepalive one interval`)
      return undefined
    }
    const sides: Record<string, number> = {}
    for (const [key, value] of Object.entries(isRecord(h.tcpKeepalive) ? h.tcpKeepalive : {})) {
      if (key !== 'deviceSide' && key !== 'serverSide') {
        report(ctx, [...path, key], 'GW0002', 'unknown-key', `unknown key "${formatPath([...path, key])}"${didYouMean(key, ['deviceSide', 'serverSide'])}`, true)
        continue
      }
      const ms = keepaliveMs(ctx, [...path, key], value)
      if (ms !== undefined) sides[key] = ms
    }
    return { ...sides, path }
  }
  const ms = keepaliveMs(ctx, path, h.tcpKeepalive)
  return ms === undefined ? undefined : { deviceSide: ms, serverSide: ms, path }
}

function keepaliveMs (ctx: Ctx, path: DocPath, value: unknown): number | undefined {
  const v = parseTimerValue(value)
  if ('error' in v) { report(ctx, path, 'GW0005', 'invalid-duration', `${formatPath(path)}: ${v.error}`); return undefined }
  if (v.value === 'none' || v.value <= 0) { report(ctx, path, 'GW0006', 'invalid-value', `${formatPath(path)} must be a positive interval`); return undefined }
  return v.value
}

function isRecord (v: unknown): v is Readonly<Record<string, unknown>> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** The schema walker stops at `any` values; record the keys of a keepalive mapping by hand. */
function recordPairs (ctx: Ctx, node: YAMLMap, path: DocPath): void {
  const lc = ctx.parsed.source.lineCounter
  for (const pair of node.items) {
    const key = isNode(pair.key) ? pair.key : null
    const value = isNode(pair.value) ? pair.value : null
    const k = isScalar(key) ? String(key.value) : String(pair.key)
    const [keyLine, keyCol] = positionOf(lc, key?.range?.[0] ?? 0)
    const [line, col] = positionOf(lc, value?.range?.[0] ?? key?.range?.[0] ?? 0)
    ctx.parsed.positions.set([...path, k], { line, col, keyLine, keyCol })
  }
}

function notFor (ctx: Ctx, path: DocPath, key: string, why: string, atKey = true): void {
  report(ctx, path, 'GW0009', 'unknown-setting', `"${key}" does not apply here: ${why}`, atKey)
}

function report (ctx: Ctx, path: DocPath, code: string, rule: string, message: string, atKey = false): void {
  const { line, col } = atKey ? ctx.parsed.positions.keyAt(path) : ctx.parsed.positions.at(path)
  ctx.diags.push({ code, rule, severity: 'error', file: ctx.parsed.source.file, line, col, path, message })
}
