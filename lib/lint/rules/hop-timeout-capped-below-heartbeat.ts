import { formatDuration, type CatalogSetting } from '../../config/index.js'
import { safeHeartbeat, timerStatus } from '../timeout-chain.js'
import { timerData } from '../describe-timer.js'
import type { Rule } from '../types.js'

const CAPPED = 'hop "{hop}" ({kind}) caps {setting} at {max}: no setting makes it outlast the max heartbeat {heartbeat} ({heartbeatFrom}) plus the margin {margin}'
const LOWER = 'Lower MaxHeartbeatInterval on the server, or clamp Pings at the gateway (server.maxHeartbeat in its config)'

/**
 * GW0104: some hops cap a timeout below any useful heartbeat (Entra application proxy 180 s,
 * Azure Front Door 240 s, Cloudflare 120 s, AWS NLB TLS listener 350 s). No setting fixes that:
 * the heartbeat has to come down, at the server or clamped by the gateway. When the hop is set
 * below its cap, lowering the heartbeat to what the cap allows is not enough: the hint gives both
 * ways out, each with its own number (regression: #15).
 */
export const rule: Rule = {
  code: 'GW0104',
  id: 'hop-timeout-capped-below-heartbeat',
  severity: 'error',
  description: 'A hop whose vendor maximum for a Ping-bounding timeout is not above the max heartbeat plus the margin: no setting can make it safe, the heartbeat must come down.',
  hint: `${LOWER} to the largest safe heartbeat or less (when the hop is set below its cap: raise the setting to its cap first, or lower the heartbeat to what the current value allows); or take the hop off the ActiveSync path.`,
  messages: { capped: CAPPED, cappedBelowMax: CAPPED, cappedRaise: CAPPED, cappedNoSafe: CAPPED },
  hints: {
    capped: `${LOWER} to {cappedSafe} or less; or take "{hop}" off the ActiveSync path.`,
    cappedBelowMax: 'Either raise {setting} on "{hop}" from {value} to its maximum {maxAs} and lower MaxHeartbeatInterval on the server, or clamp Pings at the gateway (server.maxHeartbeat in its config), to {cappedSafe} or less; or leave it at {value} and lower the heartbeat to {safe} or less; or take "{hop}" off the ActiveSync path.',
    cappedRaise: 'Raise {setting} on "{hop}" from {value} to its maximum {maxAs} and lower MaxHeartbeatInterval on the server, or clamp Pings at the gateway (server.maxHeartbeat in its config), to {cappedSafe} or less; or take "{hop}" off the ActiveSync path.',
    cappedNoSafe: 'Take "{hop}" off the ActiveSync path: its maximum leaves no room for any heartbeat plus the margin.'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    const hb = topo.chain.heartbeat
    for (const t of topo.chain.timers) {
      if (t.gateway || timerStatus(t, hb.ms) !== 'capped') continue
      const max = t.setting.spec.max as number
      const value = t.setting.value as number
      const cappedSafe = safeHeartbeat(max, t.margin)
      ctx.report({
        in: t.in,
        path: t.setting.path,
        atKey: t.setting.origin !== 'set',
        messageId: cappedSafe <= 0 ? 'cappedNoSafe' : value >= max ? 'capped' : safeHeartbeat(value, t.margin) > 0 ? 'cappedBelowMax' : 'cappedRaise',
        severity: max <= hb.ms ? 'error' : 'warning',
        data: { ...timerData(t, hb), max: formatDuration(max), maxAs: maxAs(t.setting.spec, max), cappedSafe: formatDuration(cappedSafe) }
      })
    }
  }
}

/** The maximum as the vendor spells it: `Long (3m)` for a named choice, else the duration. */
function maxAs (spec: CatalogSetting, max: number): string {
  const name = Object.entries(spec.choices ?? {}).find(([, v]) => v === max)?.[0]
  return name === undefined ? formatDuration(max) : `${name} (${formatDuration(max)})`
}
