import { isMap, isScalar, parseDocument } from 'yaml'
import { loadAccessPolicy, type Diagnostic } from '../config/index.js'
import { compileAccessPolicy, type AccessPolicy } from '../policy/index.js'
import { runRules } from './run.js'
import { applySuppressions } from './suppress.js'

/** What `lintAccessPolicy` needs. */
export interface LintAccessPolicyInput {
  readonly file: string
  readonly text: string
  /** Suppression codes or rule names (`--ignore`). */
  readonly ignore?: readonly string[]
  /** Ignore `# gateway-lint ignore=` comments. Default: false */
  readonly disablePragmas?: boolean
}

/** Findings, what was suppressed, and the compiled policy when nothing at error level was found. */
export interface AccessPolicyLintResult {
  readonly findings: readonly Diagnostic[]
  readonly suppressed: readonly Diagnostic[]
  readonly policy?: AccessPolicy
}

/**
 * Lints a device access policy: structure (unknown keys, bad patterns and ranges, unknown groups,
 * lists and commands), then the GW04xx rules (shadowed rules, backtracking regexes, a policy that
 * blocks everyone). The access controller runs the same function on every reload, so `gateway
 * lint devices.yaml` and a running gateway never disagree about a file.
 */
export function lintAccessPolicy (input: LintAccessPolicyInput): AccessPolicyLintResult {
  const loaded = loadAccessPolicy(input.text, input.file)
  const compiled = compileAccessPolicy(loaded)
  // compileAccessPolicy passes the loader's findings through when the file did not load.
  const findings = loaded.policy === undefined || compiled.policy === undefined
    ? compiled.diagnostics
    : runRules({ gateways: [], accessPolicy: { file: input.file, positions: loaded.positions, policy: loaded.policy } })
  const { kept, suppressed } = applySuppressions(
    [...findings].sort((a, b) => a.line - b.line || a.col - b.col),
    new Map([[input.file, input.text]]),
    { ...(input.ignore !== undefined ? { ignore: input.ignore } : {}), ...(input.disablePragmas !== undefined ? { disablePragmas: input.disablePragmas } : {}) }
  )
  const ok = compiled.policy !== undefined && !kept.some((d) => d.severity === 'error')
  return { findings: kept, suppressed, ...(ok && compiled.policy !== undefined ? { policy: compiled.policy } : {}) }
}

const POLICY_KEYS = new Set(['default', 'rules', 'users', 'lists', 'maxDevicesPerUser', 'refuseOverLimit'])
const OTHER_KEYS = new Set(['hops', 'server', 'upstreams', 'catalog'])

/**
 * True when YAML text is a device access policy rather than a topology: its top-level keys
 * include a policy key and none of a topology's or gateway config's.
 */
export function isAccessPolicyText (text: string): boolean {
  let doc
  try { doc = parseDocument(text) } catch { return false }
  if (!isMap(doc.contents)) return false
  const keys = doc.contents.items.map((p) => isScalar(p.key) ? String(p.key.value) : '')
  return keys.some((k) => POLICY_KEYS.has(k)) && !keys.some((k) => OTHER_KEYS.has(k))
}
