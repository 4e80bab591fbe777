import { formatDuration, type ServerBound } from '../../config/index.js'
import { settingName } from '../describe-timer.js'
import type { Rule } from '../types.js'

/**
 * GW0117: Horde answers a Ping outside [heartbeatmin, heartbeatmax] at once with Status 5 and the
 * violated bound (measured on Horde_ActiveSync 2.41: H=59 and H=2701 answered in 0.02 s). A path
 * whose largest safe heartbeat is below Horde's minimum carries no Ping Horde accepts: every
 * shorter one is refused, every accepted one is cut by the hop (error). A path that could hold more
 * than Horde's maximum is fine: Horde refuses the longer Pings and devices settle at its maximum,
 * one Status 5 round trip later (warning, so the headroom is visible).
 */
export const rule: Rule = {
  code: 'GW0117',
  id: 'safe-heartbeat-outside-horde-range',
  severity: 'error',
  description: 'The server is Horde, and the largest heartbeat the path carries safely is below Horde\'s heartbeatmin (every Ping it accepts is cut: error) or above its heartbeatmax (Horde answers longer Pings with Status 5 and devices settle at its maximum: warning).',
  hint: 'Raise the bounding hop timeout above Horde\'s heartbeatmin plus the margin, or lower activesync.ping.heartbeatmin in Horde\'s conf.php.',
  hints: {
    belowMin: 'Raise {setting} on hop "{hop}" above {min} plus the margin, or lower Horde\'s activesync.ping.heartbeatmin to {safe} or less.',
    aboveMax: 'Nothing to fix: devices asking more than {max} get Status 5 from Horde and re-Ping at {max}. Raise Horde\'s activesync.ping.heartbeatmax (at most 3540 s) up to {safe} to use the path\'s headroom.'
  },
  messages: {
    belowMin: 'the largest heartbeat this path carries safely is {safe} ({setting} {value} on hop "{hop}"), below Horde\'s minimum {min}{origin}: Horde refuses every shorter Ping with Status 5, and every Ping it accepts is cut by the hop',
    aboveMax: 'the largest heartbeat this path carries safely is {safe}, above Horde\'s maximum {max}{origin}: Horde answers longer Pings at once with Status 5 and HeartbeatInterval {max}, so devices settle at {max}'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    const safe = topo?.chain.safe
    if (topo === undefined || safe === undefined || topo.model.server.kind.name !== 'horde') return
    const { minHeartbeat: min, maxHeartbeat: max } = topo.model.server
    const t = safe.timer
    if (typeof min.value === 'number' && safe.ms < min.value) {
      ctx.report({
        in: t.in,
        path: t.setting.path,
        messageId: 'belowMin',
        data: { safe: formatDuration(safe.ms), setting: settingName(t), value: formatDuration(t.setting.value as number), hop: t.hop.name, min: formatDuration(min.value), origin: origin(min, 'heartbeatmin') }
      })
    } else if (typeof max.value === 'number' && safe.ms > max.value) {
      ctx.report({
        in: topo,
        path: max.origin === 'set' ? ['server', 'maxHeartbeat'] : ['server', 'kind'],
        severity: 'warning',
        messageId: 'aboveMax',
        data: { safe: formatDuration(safe.ms), max: formatDuration(max.value), origin: origin(max, 'heartbeatmax') }
      })
    }
  }
}

function origin (b: ServerBound, setting: string): string {
  return b.origin === 'default' ? ` (not set: Horde's default activesync.ping.${setting})` : ''
}
