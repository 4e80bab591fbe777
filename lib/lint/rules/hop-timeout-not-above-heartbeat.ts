import { timerStatus } from '../timeout-chain.js'
import { keepaliveDetail, timerData } from '../describe-timer.js'
import type { Rule } from '../types.js'

const RAISE = 'Raise {setting} on hop "{hop}" above {needed} (max heartbeat + margin){orLower}.'
const RAISE_L4 = 'Raise {setting} on hop "{hop}" above {needed} (max heartbeat + margin), send TCP keepalives through it more often than every {value} (tcpKeepalive: this L4 timer counts packets){orLower}.'
const AT_OR_BELOW = 'hop "{hop}" ({kind}) {setting} {value}{origin} is at or below the max heartbeat {heartbeat} ({heartbeatFrom}): it ends Pings before the server answers{detail}'
const WITHIN_MARGIN = 'hop "{hop}" ({kind}) {setting} {value}{origin} exceeds the max heartbeat {heartbeat} ({heartbeatFrom}) by less than the margin {margin}{detail}'

/**
 * GW0103: a hop's idle, response or lifetime timer must outlast the max heartbeat by the margin,
 * or it ends Pings the mail server would have answered (DESIGN § invariant). An L4 idle timer
 * that TCP keepalives refresh first is exempt (GW0115 says so); an L7 timer never is.
 */
export const rule: Rule = {
  code: 'GW0103',
  id: 'hop-timeout-not-above-heartbeat',
  severity: 'error',
  description: 'Every hop\'s idle, response or lifetime timeout must exceed the max heartbeat plus the margin, so the mail server, not a middlebox, ends each Ping. At or below the heartbeat is an error; above it by less than the margin is a warning.',
  hint: 'Raise the hop\'s setting above the max heartbeat plus the margin (for an L4 idle timer, TCP keepalives more often than it expires also do), or lower the max heartbeat to the largest safe heartbeat or less.',
  messages: { atOrBelow: AT_OR_BELOW, withinMargin: WITHIN_MARGIN, atOrBelowL4: AT_OR_BELOW, withinMarginL4: WITHIN_MARGIN },
  hints: { atOrBelow: RAISE, withinMargin: RAISE, atOrBelowL4: RAISE_L4, withinMarginL4: RAISE_L4 },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    const hb = topo.chain.heartbeat
    for (const t of topo.chain.timers) {
      if (t.gateway) continue
      const status = timerStatus(t, hb.ms)
      if (status !== 'at-or-below' && status !== 'within-margin') continue
      const l4 = t.setting.spec.refreshedByKeepalive ? 'L4' : ''
      ctx.report({
        in: t.in,
        path: t.setting.path,
        atKey: t.setting.origin !== 'set',
        messageId: (status === 'at-or-below' ? 'atOrBelow' : 'withinMargin') + l4,
        severity: status === 'at-or-below' ? 'error' : 'warning',
        data: { ...timerData(t, hb), detail: keepaliveDetail(t) }
      })
    }
  }
}
