import { covers } from '../policy-coverage.js'
import type { Rule } from '../types.js'

/**
 * GW0401: first match wins, so a rule whose every request an earlier rule already matches never
 * decides anything: the admin who wrote it believes it is in force, and it is not.
 */
export const rule: Rule = {
  code: 'GW0401',
  id: 'policy-rule-shadowed',
  severity: 'warning',
  description: 'A policy rule can never match: an earlier rule matches every request it matches (first match wins).',
  hint: 'Move the rule above the one that shadows it, narrow that one, or delete the rule.',
  hints: {
    shadowed: 'Move the rule above "{by}", narrow "{by}", or delete the rule.'
  },
  messages: {
    shadowed: 'rule "{name}" can never match: rule "{by}" (line {line}) matches every request it matches, and comes first'
  },
  check (ctx) {
    const p = ctx.subject.accessPolicy
    if (p === undefined) return
    p.policy.rules.forEach((r, i) => {
      const j = p.policy.rules.slice(0, i).findIndex((e) => covers(e.match, r.match))
      if (j < 0) return
      const by = p.policy.rules[j]
      ctx.report({ in: p, path: ['rules', i, 'name'], messageId: 'shadowed', data: { name: r.name, by: by?.name ?? '', line: p.positions.at(['rules', j, 'name']).line } })
    })
  }
}
