import { timerStatus } from '../timeout-chain.js'
import { timerData } from '../describe-timer.js'
import type { Rule } from '../types.js'

/**
 * GW0107: a timer the file does not set is taken from the catalog. It is checked like any other,
 * and this finding says which default was assumed and where that number comes from. Timers that
 * GW0103/GW0104 already report say the same in their own message.
 */
export const rule: Rule = {
  code: 'GW0107',
  id: 'timeout-from-vendor-default',
  severity: 'info',
  description: 'A Ping-bounding timeout is not set in the topology, so the vendor default from the catalog was assumed; the finding names the default, its confidence and its source.',
  hint: 'Set the timeout explicitly (copy it from the device\'s configuration) so the check does not rest on a default that can change between versions.',
  messages: {
    fromDefault: 'hop "{hop}" ({kind}) {setting} is not set: the vendor default {value} was assumed ({confidence}; source: {source})'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    const hb = topo.chain.heartbeat
    for (const t of topo.chain.timers) {
      if (t.gateway || t.setting.origin !== 'default' || typeof t.setting.value !== 'number') continue
      const status = timerStatus(t, hb.ms)
      if (status !== 'ok') continue // the other statuses have their own rule, which names the default
      ctx.report({
        in: t.in,
        path: t.setting.path,
        atKey: true,
        messageId: 'fromDefault',
        data: { ...timerData(t, hb), confidence: t.setting.spec.confidence, source: t.setting.spec.source }
      })
    }
  }
}
