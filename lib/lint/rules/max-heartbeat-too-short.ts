import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

const FLOOR = 180_000

/**
 * GW0109: a maximum heartbeat under 180 s (Outlook mobile's own) makes devices re-Ping that
 * often: Direct Push degrades into polling. SOGo's default of 10 s is the common case.
 */
export const rule: Rule = {
  code: 'GW0109',
  id: 'max-heartbeat-too-short',
  severity: 'warning',
  description: 'The max heartbeat (server, or the gateway\'s clamp) is below 180 s: devices must re-Ping at least that often and Direct Push turns into polling. SOGo\'s default SOGoMaximumPingInterval of 10 s does exactly this.',
  hint: 'Raise the maximum heartbeat as far as the path allows (see the largest safe heartbeat); for SOGo set SOGoMaximumPingInterval (the SOGo guide recommends 3540).',
  messages: {
    tooShort: '{what} {value}{origin} is below 180 s: devices must re-Ping at least every {value}, so Direct Push turns into polling{note}'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    const server = topo?.model.server
    if (topo !== undefined && server !== undefined && typeof server.maxHeartbeat.value === 'number' && server.maxHeartbeat.value < FLOOR) {
      const isDefault = server.maxHeartbeat.origin === 'default'
      ctx.report({
        in: topo,
        path: isDefault ? ['server', 'kind'] : ['server', 'maxHeartbeat'],
        messageId: 'tooShort',
        data: {
          what: 'server.maxHeartbeat',
          value: formatDuration(server.maxHeartbeat.value),
          origin: isDefault ? ` (not set: the ${server.kind.name} default ${server.kind.maxHeartbeat.setting ?? ''})` : '',
          note: isDefault && server.kind.maxHeartbeat.note !== undefined ? ` (${server.kind.maxHeartbeat.note})` : ''
        }
      })
    }
    for (const g of ctx.subject.gateways) {
      const max = g.config.server.maxHeartbeat
      if (max >= FLOOR) continue
      ctx.report({
        in: { file: g.source.file, positions: g.positions },
        path: ['server', 'maxHeartbeat'],
        messageId: 'tooShort',
        data: { what: 'the gateway\'s server.maxHeartbeat', value: formatDuration(max), origin: '', note: '' }
      })
    }
  }
}
