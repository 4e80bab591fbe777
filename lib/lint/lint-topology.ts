import { dirname, isAbsolute, join } from 'node:path'
import {
  hasVendorReader, loadCatalog, loadGatewayConfig, parseTopology, readVendorConfig, resolveTopology,
  type Catalog, type Diagnostic, type DocPath, type PositionMap, type Topology, type VendorHop
} from '../config/index.js'
import { unknownPragmaCodes } from './rule-list.js'
import { runRules } from './run.js'
import { applySuppressions } from './suppress.js'
import { analyzeChain, type ChainAnalysis } from './timeout-chain.js'
import type { LintSubject, ValidGatewayConfig } from './types.js'

/** What `lintTopology` needs: the file, the shipped catalog, and a way to read referenced files. */
export interface LintTopologyInput {
  /** The topology file's name as the user gave it (findings and relative references use it). */
  readonly file: string
  readonly text: string
  /** The shipped catalog (policies/timeouts-catalog.yaml), already loaded. */
  readonly catalog: Catalog
  /** Reads a file the topology refers to; rejects when it cannot. */
  readonly readFile: (path: string) => Promise<string>
  /** Names in a folder (nginx `include conf.d/*.conf`); absent: include globs match nothing. */
  readonly listFiles?: (dir: string) => Promise<string[]>
  /** Suppression codes or rule names (`--ignore`). */
  readonly ignore?: readonly string[]
  /** Ignore `# gateway-lint ignore=` comments. Default: false */
  readonly disablePragmas?: boolean
}

/** Findings in output order, what was suppressed, and the chain analysis when the file was valid. */
export interface LintResult {
  readonly findings: readonly Diagnostic[]
  readonly suppressed: readonly Diagnostic[]
  readonly topology?: Topology
  readonly chain?: ChainAnalysis
}

/**
 * Lints a topology: its own structure, the user's catalog, every eas-gateway config it points at
 * (with the rules `gateway serve` runs on them), then the timeout chain. Never throws for bad
 * input: unreadable references are GW0010 findings.
 */
export async function lintTopology (input: LintTopologyInput): Promise<LintResult> {
  const texts = new Map<string, string>([[input.file, input.text]])
  const diags: Diagnostic[] = []
  const parsed = parseTopology(input.text, input.file)
  diags.push(...parsed.diagnostics)
  const read = async (ref: string, path: DocPath): Promise<{ name: string, text: string } | undefined> => {
    const name = isAbsolute(ref) ? ref : join(dirname(input.file), ref)
    try {
      const text = await input.readFile(name)
      texts.set(name, text)
      return { name, text }
    } catch (err) {
      diags.push(unreadable(input.file, parsed.positions, path, name, err))
      return undefined
    }
  }
  let catalog = input.catalog
  if (parsed.value?.catalog !== undefined) {
    const f = await read(parsed.value.catalog, ['catalog'])
    if (f !== undefined) {
      const own = loadCatalog(f.text, f.name, input.catalog)
      diags.push(...own.diagnostics)
      if (own.catalog !== undefined) catalog = own.catalog
    }
  }
  const vendors = new Map<number, VendorHop>()
  for (const [i, hop] of (parsed.value?.hops ?? []).entries()) {
    const kind = hop?.kind === undefined ? undefined : catalog.kinds[hop.kind]
    if (hop?.config === undefined || kind === undefined || !hasVendorReader(kind.name)) continue
    const f = await read(hop.config, ['hops', i, 'config'])
    if (f === undefined) continue
    const wanted = Object.values(kind.settings).flatMap((x) => [x.name, ...x.aliases])
    const v = await readVendorConfig(kind.name, f.name, f.text, wanted, hop.match, {
      readFile: input.readFile, ...(input.listFiles !== undefined ? { listFiles: input.listFiles } : {})
    })
    for (const [name, text] of v.texts) texts.set(name, text)
    diags.push(...v.diagnostics)
    if (v.hop !== undefined) vendors.set(i, v.hop)
  }
  const loaded = resolveTopology(parsed, catalog, vendors)
  diags.push(...(loaded === parsed ? [] : loaded.diagnostics))
  const gateways = new Map<number, ValidGatewayConfig>()
  const byFile = new Map<string, ValidGatewayConfig>()
  for (const [i, hop] of (parsed.value?.hops ?? []).entries()) {
    if (hop?.kind !== 'eas-gateway' || hop.config === undefined) continue
    const f = await read(hop.config, ['hops', i, 'config'])
    if (f === undefined) continue
    const known = byFile.get(f.name)
    if (known !== undefined) { gateways.set(i, known); continue }
    const gw = loadGatewayConfig(f.text, f.name)
    diags.push(...gw.diagnostics)
    if (gw.config !== undefined) { gateways.set(i, gw as ValidGatewayConfig); byFile.set(f.name, gw as ValidGatewayConfig) }
  }
  // Any structural error (the topology, the user's catalog, a gateway config, a missing file)
  // leaves the path incomplete: no chain analysis, the file has to be fixed first.
  const topology = diags.some((d) => d.severity === 'error') ? undefined : loaded.topology
  const chain = topology !== undefined ? analyzeChain(topology, gateways, { file: input.file, positions: parsed.positions }) : undefined
  const subject: LintSubject = {
    gateways: [...byFile.values()],
    ...(topology !== undefined && chain !== undefined ? { topology: { file: input.file, positions: parsed.positions, model: topology, gateways, chain } } : {})
  }
  diags.push(...runRules(subject))
  if (input.disablePragmas !== true) for (const [name, text] of texts) diags.push(...unknownPragmaCodes(text, name))
  const { kept, suppressed } = applySuppressions(sortFindings(diags, [...texts.keys()]), texts, {
    ...(input.ignore !== undefined ? { ignore: input.ignore } : {}), ...(input.disablePragmas !== undefined ? { disablePragmas: input.disablePragmas } : {})
  })
  return { findings: kept, suppressed, ...(topology !== undefined ? { topology } : {}), ...(chain !== undefined ? { chain } : {}) }
}

function unreadable (file: string, positions: PositionMap, path: DocPath, name: string, err: unknown): Diagnostic {
  const { line, col } = positions.at(path)
  const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message
  return { code: 'GW0010', rule: 'unreadable-file', severity: 'error', file, line, col, path, message: `cannot read ${name}: ${why}` }
}

/** Files in the order they were read (the topology first), then line and column; stable. */
function sortFindings (diags: readonly Diagnostic[], files: readonly string[]): Diagnostic[] {
  const rank = (f: string): number => { const i = files.indexOf(f); return i < 0 ? files.length : i }
  return diags.map((d, i) => ({ d, i })).sort((a, b) =>
    rank(a.d.file) - rank(b.d.file) || a.d.line - b.d.line || a.d.col - b.d.col || a.i - b.i).map((x) => x.d)
}
