import { findBacktracking } from '../regex-backtracking.js'
import type { Rule } from '../types.js'

/**
 * GW0402: a policy regex runs on text the device chose (User-Agent, DeviceType, DeviceId) on
 * every request; one that backtracks catastrophically lets a single crafted header stall the
 * gateway's only thread, and every held Ping with it (ReDoS).
 */
export const rule: Rule = {
  code: 'GW0402',
  id: 'policy-regex-backtracking',
  severity: 'error',
  description: 'A policy regular expression can backtrack catastrophically (nested quantifiers, overlapping repeated alternatives): one crafted header can stall the gateway.',
  hint: 'Rewrite it without a repeat inside a repeat, e.g. ^Outlook-iOS-Android/ instead of ^(\\w+[-/]?)+$; a glob (Outlook-*) never backtracks.',
  messages: {
    backtracks: '{what} {regex} can backtrack catastrophically: {why}'
  },
  check (ctx) {
    const p = ctx.subject.accessPolicy
    if (p === undefined) return
    const visit = (path: (string | number)[], patterns: readonly { kind: string, text: string, source?: string }[] | undefined, what: string): void => {
      patterns?.forEach((m, j) => {
        if (m.kind !== 'regex') return
        const why = findBacktracking(m.source ?? '')
        if (why === undefined) return
        ctx.report({ in: p, path: p.positions.has([...path, j]) ? [...path, j] : path, messageId: 'backtracks', data: { what, regex: m.text, why } })
      })
    }
    for (const [name, members] of Object.entries(p.policy.users)) visit(['users', name], members, `group "${name}" member`)
    p.policy.rules.forEach((r, i) => {
      for (const k of ['user', 'deviceId', 'deviceType', 'userAgent'] as const) visit(['rules', i, 'match', k], r.match[k], `rule "${r.name}" ${k}`)
    })
  }
}
