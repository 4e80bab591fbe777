import { isAlias, isScalar, isSeq, type Node } from 'yaml'
import { parsePattern, parseVersionRange } from './access-pattern.js'
import {
  BLOCK_STATUSES, type AccessPolicyFile, type BlockStatus, type MatchPattern, type PolicyMatch, type VersionRange
} from './access-policy-types.js'
import type { Diagnostic } from './diagnostic.js'
import { deepFreeze } from './deep-freeze.js'
import { formatPath, validateDocument, type DocPath, type PositionMap, type Schema } from './schema.js'
import { parseYamlSource, positionOf, type YamlSource } from './yaml-source.js'

const ANY: Schema = { type: 'any' }
/** Rule names are metric label values and access-log fields: short and plain. */
const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
/** Names the decision uses when no rule decided. */
export const RESERVED_NAMES: readonly string[] = ['default', 'device-limit', 'none']
const ACTIONS = ['allow', 'block', 'quarantine']

/** The policy file schema (README § Device access control mirrors it). */
export const ACCESS_POLICY_SCHEMA = {
  type: 'object',
  fields: {
    default: { type: 'string', enum: ACTIONS, default: 'allow' },
    maxDevicesPerUser: { type: 'integer', min: 1, max: 10_000 },
    refuseOverLimit: { type: 'string', enum: ['newest', 'oldest'], default: 'newest' },
    users: { type: 'object', fields: {}, additional: ANY },
    lists: {
      type: 'object',
      fields: {},
      additional: {
        type: 'object',
        required: ['url'],
        fields: {
          url: { type: 'url', protocols: ['http', 'https'] },
          format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          field: { type: 'string', default: 'deviceId' },
          interval: { type: 'duration', min: 1000, default: 5 * 60_000 },
          timeout: { type: 'duration', min: 100, default: 30_000 },
          onUnavailable: { type: 'string', enum: ['allow', 'block', 'last-known'], default: 'last-known' }
        }
      }
    },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'action'],
        fields: {
          name: { type: 'string' },
          match: {
            type: 'object',
            fields: { user: ANY, users: ANY, deviceId: ANY, deviceType: ANY, userAgent: ANY, protocol: ANY, command: ANY, list: ANY }
          },
          action: { type: 'string', enum: ACTIONS },
          status: { type: 'integer' }
        }
      }
    }
  }
} as const satisfies Schema

/** A policy file as loaded: the value (absent when the file has errors) plus positions. */
export interface LoadedAccessPolicy {
  readonly policy?: AccessPolicyFile
  readonly diagnostics: readonly Diagnostic[]
  readonly positions: PositionMap
  readonly source: YamlSource
}

type Raw = Record<string, unknown> & { rules?: (Record<string, unknown> & { match?: Record<string, unknown> } | undefined)[] }

/**
 * Parses and validates a device access policy (`access.policy` in gateway.yaml). Every problem is
 * a positioned diagnostic, never an exception: a bad regex or version range points at its own
 * list entry. Command names are checked by lib/policy, which owns the command vocabulary.
 */
export function loadAccessPolicy (text: string, file: string): LoadedAccessPolicy {
  const { source, diagnostics } = parseYamlSource(text, file)
  if (diagnostics.length > 0) return { diagnostics, positions: validateDocument(source, ANY).positions, source }
  const v = validateDocument(source, ACCESS_POLICY_SCHEMA)
  const diags = [...v.diagnostics]
  const raw = (v.value ?? {}) as Raw
  const check = new Checker(source, v.positions, diags)
  const users: Record<string, MatchPattern[]> = {}
  for (const name of Object.keys((raw.users as object | undefined) ?? {})) {
    users[name] = check.patterns(['users', name]) ?? []
  }
  const lists = (raw.lists ?? {}) as Record<string, unknown>
  const names = new Set<string>()
  const rules = (raw.rules ?? []).map((r, i) => {
    if (r === undefined) return undefined
    const name = r.name as string | undefined
    if (name !== undefined && !RULE_NAME.test(name)) {
      check.report(['rules', i, 'name'], 'GW0006', 'invalid-value', `rule name "${name}" must be letters, digits, ".", "_" or "-" (it is a metric label), up to 64 characters`)
    } else if (name !== undefined && RESERVED_NAMES.includes(name)) {
      check.report(['rules', i, 'name'], 'GW0006', 'invalid-value', `rule name "${name}" is reserved: the access log uses it for decisions no rule made`)
    }
    if (name !== undefined && names.has(name)) check.report(['rules', i, 'name'], 'GW0007', 'duplicate-name', `rule name "${name}" is used twice`)
    if (name !== undefined) names.add(name)
    const status = r.status as number | undefined
    if (status !== undefined && !(BLOCK_STATUSES as readonly number[]).includes(status)) {
      check.report(['rules', i, 'status'], 'GW0006', 'invalid-value', `${formatPath(['rules', i, 'status'])} must be one of ${BLOCK_STATUSES.join(', ')} (MS-ASCMD §2.2.2), got ${status}`)
    } else if (status !== undefined && r.action !== 'block') {
      check.report(['rules', i, 'status'], 'GW0006', 'invalid-value', `${formatPath(['rules', i, 'status'])} applies to block rules only (this rule's action is ${String(r.action)})`)
    }
    return { name, action: r.action, ...(status !== undefined ? { status: status as BlockStatus } : {}), match: check.match(i, r.match ?? {}, users, lists) }
  })
  if (diags.length > 0) return { diagnostics: diags, positions: v.positions, source }
  const policy = { ...raw, users, rules } as unknown as AccessPolicyFile
  return { policy: deepFreeze(policy), diagnostics: [], positions: v.positions, source }
}

/** Reads the `any`-typed parts (string or list of strings) with a position for every entry. */
class Checker {
  readonly #src: YamlSource
  readonly #positions: PositionMap
  readonly #diags: Diagnostic[]

  constructor (src: YamlSource, positions: PositionMap, diags: Diagnostic[]) {
    this.#src = src
    this.#positions = positions
    this.#diags = diags
  }

  report (path: DocPath, code: string, rule: string, message: string): void {
    const { line, col } = this.#positions.at(path)
    this.#diags.push({ code, rule, severity: 'error', file: this.#src.file, line, col, path, message })
  }

  match (i: number, m: Record<string, unknown>, users: Record<string, unknown>, lists: Record<string, unknown>): PolicyMatch {
    const at = (k: string): DocPath => ['rules', i, 'match', k]
    const out: Record<string, unknown> = {}
    for (const k of ['user', 'deviceId', 'deviceType', 'userAgent'] as const) if (k in m && m[k] !== undefined) out[k] = this.patterns(at(k))
    if (m.protocol !== undefined) out.protocol = this.strings(at('protocol'), parseVersionRange)
    if (m.command !== undefined) out.command = this.strings(at('command'), (s) => s)
    if (m.users !== undefined) out.users = this.strings(at('users'), (s) => s in users ? s : { error: `no group "${s}" under users:${hint(Object.keys(users))}` })
    if (m.list !== undefined) out.list = this.strings(at('list'), (s) => s in lists ? s : { error: `no list "${s}" under lists:${hint(Object.keys(lists))}` })
    return out as PolicyMatch
  }

  patterns (path: DocPath): MatchPattern[] | undefined {
    return this.strings(path, parsePattern)
  }

  /** A string or a list of strings at `path`, each parsed; errors point at the entry. */
  strings<T extends MatchPattern | VersionRange | string> (path: DocPath, parse: (s: string) => T | { error: string }): T[] | undefined {
    let node = this.#src.doc.getIn(path, true) as Node | undefined
    if (node !== undefined && isAlias(node)) node = node.resolve(this.#src.doc) as Node | undefined
    const items = node !== undefined && isSeq(node) ? node.items as Node[] : node !== undefined ? [node] : []
    if (node !== undefined && isSeq(node) && items.length === 0) {
      this.report(path, 'GW0006', 'invalid-value', `${formatPath(path)} is an empty list: it would never match`)
      return undefined
    }
    const out: T[] = []
    items.forEach((item, j) => {
      const p = node !== undefined && isSeq(node) ? [...path, j] : path
      const where = (): { line: number, col: number } => {
        const [line, col] = positionOf(this.#src.lineCounter, item.range?.[0] ?? 0)
        return { line, col }
      }
      if (p !== path) {
        const { line, col } = where()
        this.#positions.set(p, { line, col, keyLine: line, keyCol: col })
      }
      const value = isScalar(item) ? item.value : undefined
      // A number keeps its spelling: `14.0` is the version 14.0, not the number 14.
      const text = typeof value === 'string' ? value : typeof value === 'number' ? this.#src.text.slice(item.range?.[0] ?? 0, item.range?.[1] ?? 0) : undefined
      const parsed = text === undefined || text === '' ? { error: `${formatPath(p)} must be a non-empty string or a list of them` } : parse(text)
      if (typeof parsed === 'object' && 'error' in parsed) {
        this.#diags.push({ code: text === undefined ? 'GW0003' : 'GW0006', rule: text === undefined ? 'invalid-type' : 'invalid-value', severity: 'error', file: this.#src.file, ...where(), path: p, message: `${formatPath(p)}: ${parsed.error}` })
        return
      }
      out.push(parsed)
    })
    return out
  }
}

function hint (known: string[]): string {
  return known.length > 0 ? ` (defined: ${known.join(', ')})` : ' (none defined)'
}
