import type { Rule } from '../types.js'

/**
 * GW0403: `default: block` with no rule that allows anything refuses every device: usually an
 * allow list that was emptied by mistake, which takes mail away from the whole fleet at once.
 */
export const rule: Rule = {
  code: 'GW0403',
  id: 'policy-blocks-every-device',
  severity: 'warning',
  description: 'The policy blocks by default and no rule allows anything: every device is refused.',
  hint: 'Add the allow rules (or the compliance list rule) the default is meant to protect, or set default: allow.',
  messages: {
    none: 'default is block and no rule allows: every device is refused (or quarantined)'
  },
  check (ctx) {
    const p = ctx.subject.accessPolicy
    if (p === undefined || p.policy.default !== 'block') return
    if (p.policy.rules.some((r) => r.action === 'allow')) return
    ctx.report({ in: p, path: ['default'], messageId: 'none' })
  }
}
