import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

/**
 * GW0102: easRequestTimeout bounds the wait for the upstream's answer, and a Ping's answer comes
 * only after the heartbeat. Unless it exceeds maxHeartbeat + heartbeatMargin, the gateway, not the
 * mail server, ends Pings (MS-ASCMD §2.2.3.79: the server answers when the interval expires).
 */
export const rule: Rule = {
  code: 'GW0102',
  id: 'request-timeout-not-above-max-heartbeat',
  severity: 'error',
  description: 'The gateway\'s easRequestTimeout must exceed the server\'s maximum heartbeat plus the margin, so the mail server ends every Ping.',
  hint: 'Raise timeouts.easRequestTimeout above server.maxHeartbeat + timeouts.heartbeatMargin, or lower server.maxHeartbeat (and the server\'s MaxHeartbeatInterval) to match.',
  messages: {
    notAbove: 'easRequestTimeout ({request}) must be longer than server.maxHeartbeat ({heartbeat}) + heartbeatMargin ({margin}) = {needed}'
  },
  check (ctx) {
    for (const g of ctx.subject.gateways) {
      const t = g.config.timeouts
      const needed = g.config.server.maxHeartbeat + t.heartbeatMargin
      if (t.easRequestTimeout <= needed) {
        ctx.report({
          in: { file: g.source.file, positions: g.positions },
          path: ['timeouts', 'easRequestTimeout'],
          messageId: 'notAbove',
          data: {
            request: formatDuration(t.easRequestTimeout),
            heartbeat: formatDuration(g.config.server.maxHeartbeat),
            margin: formatDuration(t.heartbeatMargin),
            needed: formatDuration(needed)
          }
        })
      }
    }
  }
}
