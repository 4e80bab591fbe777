import { formatTimer } from '../describe-timer.js'
import type { Rule } from '../types.js'

/**
 * GW0114: a value the vendor does not accept. The device refuses the configuration or clamps it,
 * so the linter checks the chain with the nearest bound in force: the maximum in place of a value
 * above it, the minimum in place of one below it (regression: #15).
 */
export const rule: Rule = {
  code: 'GW0114',
  id: 'timeout-outside-vendor-range',
  severity: 'error',
  description: 'A timeout is set outside the range the vendor accepts (e.g. an AWS ALB idle timeout above 4000 s, an Azure Load Balancer idle timeout below 4 minutes). The device refuses or clamps it, so the chain is checked with the nearest bound: the maximum for a value above it, the minimum for one below it.',
  hint: 'Use a value inside the vendor\'s range; if the range is too small for the heartbeat, see GW0104.',
  messages: {
    aboveMax: 'hop "{hop}" ({kind}) {setting} {written} is above the vendor maximum {max}: the device refuses or caps it, so {max} is assumed',
    belowMin: 'hop "{hop}" ({kind}) {setting} {written} is below the vendor minimum {min}: the device refuses or raises it, so {min} is assumed'
  },
  hints: {
    aboveMax: 'Set {setting} to {max} or less ({kind} accepts {min} to {max}).',
    belowMin: 'Set {setting} to at least {min} ({kind} accepts {min} to {max}).'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    for (const hop of topo.model.hops) {
      for (const s of hop.settings) {
        const w = s.written
        if (s.origin !== 'set' || typeof w !== 'number') continue
        const { max, min } = s.spec
        const messageId = typeof max === 'number' && w > max ? 'aboveMax' : typeof min === 'number' && w < min ? 'belowMin' : undefined
        if (messageId === undefined) continue
        ctx.report({
          in: s.source ?? topo,
          path: s.path,
          messageId,
          data: { hop: hop.name, kind: hop.kind.name, setting: String(s.path[s.path.length - 1]), written: formatTimer(w), max: formatTimer(max), min: formatTimer(min) }
        })
      }
    }
  }
}
