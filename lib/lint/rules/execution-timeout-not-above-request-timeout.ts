import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

/** GW0101: executionTimeout caps the whole request, so it must exceed easRequestTimeout. */
export const rule: Rule = {
  code: 'GW0101',
  id: 'execution-timeout-not-above-request-timeout',
  severity: 'error',
  description: 'The gateway\'s executionTimeout must be longer than its easRequestTimeout, or held Pings end with execution_timeout instead of the server\'s answer.',
  hint: 'Set timeouts.executionTimeout above timeouts.easRequestTimeout (e.g. easRequestTimeout + 1m).',
  messages: {
    notAbove: 'executionTimeout ({execution}) must be longer than easRequestTimeout ({request})'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const t = g.config.timeouts
      if (t.executionTimeout <= t.easRequestTimeout) {
        ctx.report({
          in: { file: g.source.file, positions: g.positions },
          path: ['timeouts', 'executionTimeout'],
          messageId: 'notAbove',
          data: { execution: formatDuration(t.executionTimeout), request: formatDuration(t.easRequestTimeout) }
        })
      }
    }
  }
}
