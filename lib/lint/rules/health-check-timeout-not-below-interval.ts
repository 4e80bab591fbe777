import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

/**
 * GW0202: a probe may take up to pool.healthCheck.timeout, and the next one is scheduled only when
 * it has ended (probes of one upstream never overlap). A timeout at or above the interval means a
 * hanging upstream is probed every interval + timeout, not every interval as written.
 */
export const rule: Rule = {
  code: 'GW0202',
  id: 'health-check-timeout-not-below-interval',
  severity: 'warning',
  description: 'The health-check timeout should be shorter than the health-check interval.',
  hint: 'Set pool.healthCheck.timeout below pool.healthCheck.interval (defaults: 5s and 10s).',
  messages: {
    notBelow: 'pool.healthCheck.timeout ({timeout}) is not below pool.healthCheck.interval ({interval}): a hanging upstream is probed only every {effective}'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const h = g.config.pool.healthCheck
      if (h.timeout < h.interval) continue
      ctx.report({
        in: { file: g.source.file, positions: g.positions },
        path: ['pool', 'healthCheck', 'timeout'],
        atKey: !g.positions.has(['pool', 'healthCheck', 'timeout']),
        messageId: 'notBelow',
        data: { timeout: formatDuration(h.timeout), interval: formatDuration(h.interval), effective: formatDuration(h.interval + h.timeout) }
      })
    }
  }
}
