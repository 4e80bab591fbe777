import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

/**
 * GW0201: failures older than pool.backoff.errorExpiry are forgotten. Active health checks of an
 * idle upstream come interval + up to timeout apart, so if that gap reaches the expiry, each failed
 * probe is forgotten before the next one: the failures never add up to
 * ejection.consecutiveFailures, and a dead upstream nobody sends requests to is never ejected.
 */
export const rule: Rule = {
  code: 'GW0201',
  id: 'health-check-interval-not-below-error-expiry',
  severity: 'error',
  description: 'Health checks must come closer together than the error expiry, or failed probes are forgotten before they add up to an ejection.',
  hint: 'Lower pool.healthCheck.interval (default 10s) or raise pool.backoff.errorExpiry (default 60m) so that interval + timeout stays well below it.',
  messages: {
    notBelow: 'pool.healthCheck.interval ({interval}) + timeout ({timeout}) is not below pool.backoff.errorExpiry ({expiry}): failed health checks are forgotten before {failures} of them can eject an upstream'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const p = g.config.pool
      if (p.healthCheck.interval + p.healthCheck.timeout < p.backoff.errorExpiry) continue
      ctx.report({
        in: { file: g.source.file, positions: g.positions },
        path: ['pool', 'healthCheck', 'interval'],
        atKey: !g.positions.has(['pool', 'healthCheck', 'interval']),
        messageId: 'notBelow',
        data: { interval: formatDuration(p.healthCheck.interval), timeout: formatDuration(p.healthCheck.timeout), expiry: formatDuration(p.backoff.errorExpiry), failures: p.ejection.consecutiveFailures }
      })
    }
  }
}
