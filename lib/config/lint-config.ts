import type { Diagnostic } from './diagnostic.js'
import { deepFreeze } from './deep-freeze.js'
import { validateDocument, type DocPath, type PositionMap, type Schema } from './schema.js'
import { parseYamlSource } from './yaml-source.js'

/** The file `gateway lint` looks for in the working directory (or `--config FILE`). */
export const LINT_CONFIG_FILE = '.gateway-lint.yaml'

/** Layout of `.gateway-lint.yaml`. */
export const LINT_CONFIG_SCHEMA = {
  type: 'object',
  fields: {
    ignore: {
      type: 'array',
      doc: 'Rules suppressed in every file, each with the reason (code or rule name)',
      items: { type: 'object', required: ['rule', 'reason'], fields: { rule: { type: 'string' }, reason: { type: 'string' } } }
    },
    failureThreshold: { type: 'string', enum: ['error', 'warning', 'info', 'none'], doc: 'Lowest level that exits 1 (--failure-threshold wins)' },
    catalog: { type: 'string', doc: 'Catalog additions and overrides for every topology, relative to this file' },
    files: { type: 'array', items: { type: 'string' }, doc: 'Topologies (paths or globs, relative to this file) linted when none is given' }
  }
} as const satisfies Schema

/** An ignored rule with its reason and where it is written (for GW0011 on an unknown code). */
export interface LintIgnore { readonly rule: string, readonly reason: string, readonly path: DocPath }

/** `.gateway-lint.yaml` as loaded. */
export interface LintConfig {
  readonly ignore: readonly LintIgnore[]
  readonly failureThreshold?: 'error' | 'warning' | 'info' | 'none'
  readonly catalog?: string
  readonly files: readonly string[]
}

/** A loaded lint config: the value (absent on errors), diagnostics with positions. */
export interface LoadedLintConfig {
  readonly file: string
  readonly config?: LintConfig
  readonly diagnostics: readonly Diagnostic[]
  readonly positions: PositionMap
}

/** Reads `.gateway-lint.yaml`. Problems are diagnostics with positions, never exceptions. */
export function loadLintConfig (text: string, file: string): LoadedLintConfig {
  const { source, diagnostics } = parseYamlSource(text, file)
  const v = validateDocument(source, diagnostics.length > 0 ? { type: 'any' } : LINT_CONFIG_SCHEMA)
  const all = [...diagnostics, ...v.diagnostics]
  if (all.length > 0) return { file, diagnostics: all, positions: v.positions }
  const raw = (v.value ?? {}) as { ignore?: { rule: string, reason: string }[], failureThreshold?: LintConfig['failureThreshold'], catalog?: string, files?: string[] }
  const config: LintConfig = {
    ignore: (raw.ignore ?? []).map((e, i) => ({ rule: e.rule, reason: e.reason, path: ['ignore', i, 'rule'] })),
    files: raw.files ?? [],
    ...(raw.failureThreshold !== undefined ? { failureThreshold: raw.failureThreshold } : {}),
    ...(raw.catalog !== undefined ? { catalog: raw.catalog } : {})
  }
  return { file, config: deepFreeze(config), diagnostics: [], positions: v.positions }
}
