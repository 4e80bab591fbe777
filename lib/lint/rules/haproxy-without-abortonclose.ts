import type { Rule } from '../types.js'

/**
 * GW0113: HAProxy keeps a request whose client has gone unless `option abortonclose` is set, so
 * Pings abandoned by devices (which re-Ping at once) still wait in queue or at the server.
 */
export const rule: Rule = {
  code: 'GW0113',
  id: 'haproxy-without-abortonclose',
  severity: 'warning',
  description: 'An HAProxy hop runs without option abortonclose: requests whose device has gone stay queued or held towards the server.',
  hint: 'Add "option abortonclose" to the defaults or backend section, then set abortOnClose: true on the hop.',
  messages: {
    noAbort: 'hop "{hop}" (haproxy) runs without option abortonclose{origin}: Pings abandoned by devices stay queued or held towards the server'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    for (const hop of topo.model.hops) {
      if (!hop.kind.abortOnClose || hop.abortOnClose === true) continue
      ctx.report({
        in: hop.sources?.abortOnClose ?? topo,
        path: ['hops', hop.index, 'abortOnClose'],
        atKey: hop.abortOnClose === undefined,
        messageId: 'noAbort',
        data: { hop: hop.name, origin: hop.abortOnClose === undefined ? ' (abortOnClose is not set)' : '' }
      })
    }
  }
}
