import type { Rule } from '../types.js'

/**
 * GW0206: every held Ping occupies its own device connection, so limits.maxHeldPings above
 * limits.maxConnections can never be reached: the connection cap refuses first, and the Ping cap
 * written in the file is not the one in force.
 */
export const rule: Rule = {
  code: 'GW0206',
  id: 'held-pings-above-connections',
  severity: 'warning',
  description: 'The held-Ping cap should not exceed the device-connection cap: each held Ping needs a connection of its own.',
  hint: 'Set limits.maxHeldPings below limits.maxConnections, leaving room for the connections of short requests (defaults: 10000 and 20000).',
  messages: {
    above: 'limits.maxHeldPings ({pings}) is not below limits.maxConnections ({connections}): the connection cap refuses before the Ping cap is reached'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const l = g.config.limits
      if (l.maxHeldPings <= 0 || l.maxConnections <= 0 || l.maxHeldPings < l.maxConnections) continue
      const path = ['limits', 'maxHeldPings']
      ctx.report({
        in: { file: g.source.file, positions: g.positions },
        path,
        atKey: !g.positions.has(path),
        messageId: 'above',
        data: { pings: l.maxHeldPings, connections: l.maxConnections }
      })
    }
  }
}
