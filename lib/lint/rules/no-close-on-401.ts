import type { Rule } from '../types.js'

/**
 * GW0112: after a 401 the device connection should be closed (DESIGN: the gateway closes after
 * every 401), so a device retrying with new credentials starts clean and no connection carries an
 * authentication state across users. Only the L7 hop nearest the devices can do it for them.
 */
export const rule: Rule = {
  code: 'GW0112',
  id: 'no-close-on-401',
  severity: 'warning',
  description: 'The L7 hop nearest the devices does not close the device connection after a 401 response.',
  hint: 'Close the connection on 401 at that hop (HAProxy: http-response set-header Connection close if { status 401 }; eas-gateway: proxy.closeOn401: true) and set closeOn401: true there, or put eas-gateway nearest the devices.',
  messages: {
    noClose: 'hop "{hop}" ({kind}), the L7 hop nearest the devices, does not close the device connection after a 401{origin}'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    const hop = topo.model.hops.find((h) => h.kind.layer === 'l7')
    if (hop === undefined) return
    const gw = topo.gateways.get(hop.index)
    if (hop.kind.name === 'eas-gateway') {
      if (gw === undefined || gw.config.proxy.closeOn401) return
      ctx.report({
        in: { file: gw.source.file, positions: gw.positions },
        path: ['proxy', 'closeOn401'],
        messageId: 'noClose',
        data: { hop: hop.name, kind: hop.kind.name, origin: ' (proxy.closeOn401 is false)' }
      })
      return
    }
    if (hop.closeOn401 === true) return
    ctx.report({
      in: hop.sources?.closeOn401 ?? topo,
      path: ['hops', hop.index, 'closeOn401'],
      atKey: hop.closeOn401 === undefined,
      messageId: 'noClose',
      data: { hop: hop.name, kind: hop.kind.name, origin: hop.closeOn401 !== undefined ? '' : hop.sources?.closeOn401 !== undefined ? ' (its config file has no rule for it, and closeOn401 is not set)' : ' (closeOn401 is not set)' }
    })
  }
}
