import { timerStatus } from '../timeout-chain.js'
import type { Rule } from '../types.js'

/**
 * GW0116: some timers have no reliable default (carrier NAT: RFC 5382 asks for at least 7440 s,
 * carriers were measured at minutes to an hour). The linter cannot check them and says so.
 */
export const rule: Rule = {
  code: 'GW0116',
  id: 'timeout-unknown',
  severity: 'info',
  description: 'A Ping-bounding timeout has no reliable default and is not set, so this hop cannot be checked (e.g. carrier NAT).',
  hint: 'Set the timeout if you configured or measured it; devices\' adaptive heartbeats cope with carrier NAT they cannot control.',
  messages: {
    unknown: 'hop "{hop}" ({kind}) {setting} has no reliable default, so this hop cannot be checked: {note}'
  },
  hints: {
    unknown: 'Set {setting} on "{hop}" if you configured or measured it.'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    for (const t of topo.chain.timers) {
      if (t.gateway || timerStatus(t, topo.chain.heartbeat.ms) !== 'unknown') continue
      ctx.report({
        in: t.in,
        path: t.setting.path,
        atKey: true,
        messageId: 'unknown',
        data: { hop: t.hop.name, kind: t.hop.kind.name, setting: t.setting.spec.name, note: t.setting.spec.note ?? 'no default is known' }
      })
    }
  }
}
