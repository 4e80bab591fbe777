import { formatDuration } from '../../config/index.js'
import { safeHeartbeat, timerStatus } from '../timeout-chain.js'
import { timerData } from '../describe-timer.js'
import type { Rule } from '../types.js'

/**
 * GW0104: some hops cap a timeout below any useful heartbeat (Entra application proxy 180 s,
 * Azure Front Door 240 s, Cloudflare 100 s, AWS NLB TLS listener 350 s). No setting fixes that:
 * the heartbeat has to come down, at the server or clamped by the gateway.
 */
export const rule: Rule = {
  code: 'GW0104',
  id: 'hop-timeout-capped-below-heartbeat',
  severity: 'error',
  description: 'A hop whose vendor maximum for a Ping-bounding timeout is not above the max heartbeat plus the margin: no setting can make it safe, the heartbeat must come down.',
  hint: 'Lower MaxHeartbeatInterval on the server, or clamp Pings at the gateway (server.maxHeartbeat in its config), to the safe value or less; or take the hop off the ActiveSync path.',
  messages: {
    capped: 'hop "{hop}" ({kind}) caps {setting} at {max}: no setting makes it outlast the max heartbeat {heartbeat} ({heartbeatFrom}) plus the margin {margin}',
    cappedNoSafe: 'hop "{hop}" ({kind}) caps {setting} at {max}: no setting makes it outlast the max heartbeat {heartbeat} ({heartbeatFrom}) plus the margin {margin}'
  },
  hints: {
    capped: 'Lower MaxHeartbeatInterval on the server, or clamp Pings at the gateway (server.maxHeartbeat in its config), to {cappedSafe} or less; or take "{hop}" off the ActiveSync path.',
    cappedNoSafe: 'Take "{hop}" off the ActiveSync path: its maximum leaves no room for any heartbeat plus the margin.'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    const hb = topo.chain.heartbeat
    for (const t of topo.chain.timers) {
      if (t.gateway || timerStatus(t, hb.ms) !== 'capped') continue
      const max = t.setting.spec.max as number
      ctx.report({
        in: t.in,
        path: t.setting.path,
        atKey: t.setting.origin !== 'set',
        messageId: safeHeartbeat(max, t.margin) > 0 ? 'capped' : 'cappedNoSafe',
        severity: max <= hb.ms ? 'error' : 'warning',
        data: { ...timerData(t, hb), max: formatDuration(max), cappedSafe: formatDuration(safeHeartbeat(max, t.margin)) }
      })
    }
  }
}
