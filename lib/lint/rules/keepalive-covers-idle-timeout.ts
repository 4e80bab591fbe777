import { timerStatus } from '../timeout-chain.js'
import { timerData } from '../describe-timer.js'
import type { Rule } from '../types.js'

/**
 * GW0115: an L4 idle timer below the heartbeat is safe when TCP keepalives cross it more often:
 * NATs, firewalls and L4 load balancers count packets, and a keepalive probe is one. Said out
 * loud, because the path now depends on those keepalives.
 */
export const rule: Rule = {
  code: 'GW0115',
  id: 'keepalive-covers-idle-timeout',
  severity: 'info',
  description: 'An L4 idle timeout is not above the heartbeat plus the margin, but TCP keepalives refresh it first, so it never ends a Ping. The path depends on those keepalives.',
  hint: 'Keep the keepalive interval shorter than the idle timeout; if keepalives stop, this hop ends Pings.',
  messages: {
    covered: 'hop "{hop}" ({kind}) {setting} {value}{origin} is not above the max heartbeat {heartbeat} plus the margin {margin}, but TCP keepalives every {keepalive} refresh this L4 idle timer first'
  },
  hints: {
    covered: 'Keep TCP keepalives through "{hop}" shorter than {value}; if they stop, this hop ends Pings after {value}.'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    const hb = topo.chain.heartbeat
    for (const t of topo.chain.timers) {
      if (t.gateway || timerStatus(t, hb.ms) !== 'covered') continue
      ctx.report({ in: t.in, path: t.setting.path, atKey: t.setting.origin !== 'set', messageId: 'covered', data: timerData(t, hb) })
    }
  }
}
