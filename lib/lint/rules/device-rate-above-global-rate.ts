import type { Rule } from '../types.js'

/**
 * GW0205: the per-device limit exists so that one device cannot take the capacity the global limit
 * leaves for everyone. A per-device rate or burst above the global one lets a single looping
 * device spend the whole global budget, and every other device is refused.
 */
export const rule: Rule = {
  code: 'GW0205',
  id: 'device-rate-above-global-rate',
  severity: 'warning',
  description: 'The per-device rate limit should be below the global one, or one device can use up the global budget.',
  hint: 'Set limits.perDevice.requestsPerSecond and burst well below limits.requestsPerSecond and burst (defaults: 10/s, 50 against 1000/s, 2000).',
  messages: {
    rate: 'limits.perDevice.requestsPerSecond ({device}) is not below limits.requestsPerSecond ({global}): one device can use the whole global budget',
    burst: 'limits.perDevice.burst ({device}) is not below limits.burst ({global}): one device can spend the whole global burst'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const l = g.config.limits
      if (l.requestsPerSecond <= 0 || l.perDevice.requestsPerSecond <= 0) continue
      const where = { file: g.source.file, positions: g.positions }
      if (l.perDevice.requestsPerSecond >= l.requestsPerSecond) {
        const path = ['limits', 'perDevice', 'requestsPerSecond']
        ctx.report({ in: where, path, atKey: !g.positions.has(path), messageId: 'rate', data: { device: l.perDevice.requestsPerSecond, global: l.requestsPerSecond } })
      }
      if (l.perDevice.burst >= l.burst) {
        const path = ['limits', 'perDevice', 'burst']
        ctx.report({ in: where, path, atKey: !g.positions.has(path), messageId: 'burst', data: { device: l.perDevice.burst, global: l.burst } })
      }
    }
  }
}
