import { RULES } from './rules/index.js'
import { STRUCTURAL_RULES } from './structural-rules.js'
import { suggestName, type Diagnostic } from '../config/index.js'
import { findUnknownPragmaCodes } from './suppress.js'
import type { RuleInfo } from './types.js'

/** Every code the linter can report, structural (GW00xx) and rules, in code order. */
export const ALL_RULES: readonly RuleInfo[] = [...STRUCTURAL_RULES, ...RULES].sort((a, b) => a.code.localeCompare(b.code))

/** A rule by code (`GW0102`, any case) or name (`request-timeout-not-above-max-heartbeat`). */
export function findRule (codeOrName: string): RuleInfo | undefined {
  const key = codeOrName.trim()
  return ALL_RULES.find((r) => r.code.toLowerCase() === key.toLowerCase() || r.id === key)
}

/** The closest rule code or name to a misspelt one (`GW013` → `GW0103`), if any is close. */
export function suggestRule (codeOrName: string): string | undefined {
  return suggestName(codeOrName, ALL_RULES.flatMap((r) => [r.code, r.id]))
}

/** GW0011 findings for the unknown codes in a file's `# gateway-lint ignore=` comments. */
export function unknownPragmaCodes (text: string, file: string): Diagnostic[] {
  return findUnknownPragmaCodes(text, file, (c) => findRule(c) !== undefined, suggestRule)
}
