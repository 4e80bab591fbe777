import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

/**
 * GW0108: a proxy with no timer at all on a held Ping (HAProxy without `timeout client` and
 * `timeout server`) keeps the request and a server worker forever when a device or the server
 * vanishes without a FIN: dead Pings are never released.
 */
export const rule: Rule = {
  code: 'GW0108',
  id: 'hop-without-timeout',
  severity: 'warning',
  description: 'A proxy on the path has no timeout that can end a held Ping (every Ping-bounding timeout is unset or off), so Pings whose device or server vanished are never released.',
  hint: 'Set the hop\'s idle or response timeout above the max heartbeat plus the margin.',
  messages: {
    noTimeout: 'hop "{hop}" ({kind}) has no timeout that ends a held Ping ({settings}): a Ping whose device or server vanished is never released'
  },
  hints: {
    noTimeout: 'Set {all} on "{hop}" above {needed} (max heartbeat + margin), e.g. {suggest}.'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    const hb = topo.chain.heartbeat.ms
    for (const hop of topo.model.hops) {
      if (!hop.kind.terminatesTcp || hop.kind.name === 'eas-gateway') continue
      const timers = topo.chain.timers.filter((t) => t.hop === hop)
      if (timers.length === 0 || timers.some((t) => t.setting.value !== 'none')) continue
      const needed = hb + topo.model.margin
      ctx.report({
        in: hop.sources?.block ?? topo,
        path: ['hops', hop.index, 'timeouts'],
        atKey: true,
        messageId: 'noTimeout',
        data: {
          hop: hop.name,
          kind: hop.kind.name,
          settings: timers.map((t) => `${t.setting.spec.name} ${t.setting.origin === 'set' ? 'off' : 'unset'}`).join(', '),
          all: timers.map((t) => t.setting.spec.name).join(' and '),
          needed: formatDuration(needed),
          suggest: formatDuration(Math.ceil((needed + topo.model.margin) / 60_000) * 60_000)
        }
      })
    }
  }
}
