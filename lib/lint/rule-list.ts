import { RULES } from './rules/index.js'
import { STRUCTURAL_RULES } from './structural-rules.js'
import type { RuleInfo } from './types.js'

/** Every code the linter can report, structural (GW00xx) and rules, in code order. */
export const ALL_RULES: readonly RuleInfo[] = [...STRUCTURAL_RULES, ...RULES].sort((a, b) => a.code.localeCompare(b.code))

/** A rule by code (`GW0102`, any case) or name (`request-timeout-not-above-max-heartbeat`). */
export function findRule (codeOrName: string): RuleInfo | undefined {
  const key = codeOrName.trim()
  return ALL_RULES.find((r) => r.code.toLowerCase() === key.toLowerCase() || r.id === key)
}
