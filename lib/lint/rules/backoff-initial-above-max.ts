import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

/**
 * GW0203: re-probe delays double from pool.backoff.initial and are capped at pool.backoff.max. An
 * initial delay above the maximum is capped from the first re-probe on, so the file says something
 * the gateway does not do.
 */
export const rule: Rule = {
  code: 'GW0203',
  id: 'backoff-initial-above-max',
  severity: 'error',
  description: 'The re-probe backoff\'s initial delay must not exceed its maximum.',
  hint: 'Set pool.backoff.initial at or below pool.backoff.max (defaults: 30s and 120s).',
  messages: {
    above: 'pool.backoff.initial ({initial}) is above pool.backoff.max ({max}): every re-probe would wait {max}'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const b = g.config.pool.backoff
      if (b.initial <= b.max) continue
      ctx.report({
        in: { file: g.source.file, positions: g.positions },
        path: ['pool', 'backoff', 'initial'],
        atKey: !g.positions.has(['pool', 'backoff', 'initial']),
        messageId: 'above',
        data: { initial: formatDuration(b.initial), max: formatDuration(b.max) }
      })
    }
  }
}
