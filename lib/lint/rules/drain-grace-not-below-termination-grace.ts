import { formatDuration } from '../../config/index.js'
import type { Rule } from '../types.js'

/**
 * GW0105: at SIGTERM the gateway drains for drainGrace, answering held Pings with Status 1. An
 * orchestrator that kills it at terminationGrace must wait longer, or devices see cut connections
 * in every rolling restart.
 */
export const rule: Rule = {
  code: 'GW0105',
  id: 'drain-grace-not-below-termination-grace',
  severity: 'error',
  description: 'An eas-gateway hop\'s drainGrace must be shorter than the termination grace its orchestrator allows (Kubernetes terminationGracePeriodSeconds), or the gateway is killed mid-drain.',
  hint: 'Raise terminationGrace (e.g. terminationGracePeriodSeconds) above drainGrace plus a few seconds, or lower timeouts.drainGrace in the gateway config.',
  messages: {
    notBelow: 'eas-gateway hop "{hop}": drainGrace {drain} ({gatewayFile}) is not shorter than terminationGrace {grace}: the orchestrator kills the gateway before it has answered every held Ping'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    for (const hop of topo.model.hops) {
      const gw = topo.gateways.get(hop.index)
      if (gw === undefined || hop.terminationGrace === undefined) continue
      const drain = gw.config.timeouts.drainGrace
      if (drain < hop.terminationGrace) continue
      ctx.report({
        in: topo,
        path: ['hops', hop.index, 'terminationGrace'],
        messageId: 'notBelow',
        data: { hop: hop.name, drain: formatDuration(drain), gatewayFile: gw.source.file, grace: formatDuration(hop.terminationGrace) }
      })
    }
  }
}
