import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

const OUTLOOK = 180_000

/**
 * GW0110: Outlook mobile sends HeartbeatInterval 180. A minimum above that answers its every Ping
 * with Status 5 (Zimbra/zm-mailbox#1332 shows such clients then miss new mail).
 */
export const rule: Rule = {
  code: 'GW0110',
  id: 'min-heartbeat-above-180s',
  severity: 'warning',
  description: 'The minimum heartbeat (server, or the gateway\'s clamp) is above 180 s, the heartbeat Outlook mobile asks for: its Pings are refused with Status 5.',
  hint: 'Lower the minimum heartbeat to 180 s or less (Exchange\'s default is 60 s).',
  messages: {
    aboveOutlook: '{what} {value} is above 180 s: Outlook mobile asks for 180 s and every such Ping is refused (Status 5)'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    const min = topo?.model.server.minHeartbeat
    if (topo !== undefined && min !== undefined && typeof min.value === 'number' && min.value > OUTLOOK) {
      ctx.report({
        in: topo,
        path: min.origin === 'set' ? ['server', 'minHeartbeat'] : ['server', 'kind'],
        messageId: 'aboveOutlook',
        data: { what: 'server.minHeartbeat', value: formatDuration(min.value) }
      })
    }
    for (const g of ctx.subject.gateways) {
      if (g.config.server.minHeartbeat <= OUTLOOK) continue
      ctx.report({
        in: { file: g.source.file, positions: g.positions },
        path: ['server', 'minHeartbeat'],
        messageId: 'aboveOutlook',
        data: { what: 'the gateway\'s server.minHeartbeat', value: formatDuration(g.config.server.minHeartbeat) }
      })
    }
  }
}
