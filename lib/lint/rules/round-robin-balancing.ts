import type { Rule } from '../types.js'

/**
 * GW0111: Pings hold connections for up to an hour. Round-robin spreads requests, not held
 * connections, so one EAS server ends up holding far more Pings than another (DESIGN § Upstreams:
 * least-connections, held Pings count).
 */
export const rule: Rule = {
  code: 'GW0111',
  id: 'round-robin-balancing',
  severity: 'warning',
  description: 'A load balancer in front of EAS servers balances round-robin (set explicitly, or its default): held Pings pile up unevenly. Least connections counts them.',
  hint: 'Balance by least connections (HAProxy balance leastconn, nginx least_conn, F5 Least Connections, ALB least_outstanding_requests) and set balancing: least-connections; set balancing: single when the hop has one server.',
  messages: {
    roundRobin: 'hop "{hop}" ({kind}) balances round-robin{origin}: held Pings pile up unevenly across EAS servers'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    for (const hop of topo.model.hops) {
      const method = hop.balancing ?? hop.kind.balancing
      if (method !== 'round-robin') continue
      ctx.report({
        in: hop.sources?.balancing ?? topo,
        path: ['hops', hop.index, hop.balancing !== undefined ? 'balancing' : 'kind'],
        messageId: 'roundRobin',
        data: { hop: hop.name, kind: hop.kind.name, origin: hop.balancing !== undefined ? '' : ` (the ${hop.kind.name} default; balancing is not set)` }
      })
    }
  }
}
