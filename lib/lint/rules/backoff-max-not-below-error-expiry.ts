import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

/**
 * GW0204: an ejected upstream is re-probed up to pool.backoff.max apart, and failures older than
 * pool.backoff.errorExpiry are forgotten. With max at or above the expiry the failure history
 * expires between two re-probes, so the backoff starts over at `initial` instead of growing, and an
 * upstream that flaps is re-probed as eagerly as one that failed once.
 */
export const rule: Rule = {
  code: 'GW0204',
  id: 'backoff-max-not-below-error-expiry',
  severity: 'warning',
  description: 'The re-probe backoff\'s maximum should be shorter than the error expiry, or the failure history expires between re-probes.',
  hint: 'Keep pool.backoff.max well below pool.backoff.errorExpiry (defaults: 120s and 60m).',
  messages: {
    notBelow: 'pool.backoff.max ({max}) is not below pool.backoff.errorExpiry ({expiry}): failures expire between two re-probes, so the backoff never grows'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const b = g.config.pool.backoff
      if (b.max < b.errorExpiry) continue
      ctx.report({
        in: { file: g.source.file, positions: g.positions },
        path: ['pool', 'backoff', 'max'],
        atKey: !g.positions.has(['pool', 'backoff', 'max']),
        messageId: 'notBelow',
        data: { max: formatDuration(b.max), expiry: formatDuration(b.errorExpiry) }
      })
    }
  }
}
