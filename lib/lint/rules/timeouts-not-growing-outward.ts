import { timerStatus, type ChainTimer } from '../timeout-chain.js'
import { formatTimer, settingName } from '../describe-timer.js'
import type { Rule } from '../types.js'

/**
 * GW0106: "the mail server must close the connection" extends to failures: if the server stays
 * silent, the innermost hop should give up first and its answer travel outward. A shorter outer
 * hop cuts the device off while inner hops still hold the request. eas-gateway hops are left
 * out: GW0101/GW0102 bind their timeouts to the heartbeat, they answer held Pings themselves,
 * and they cancel the upstream request the moment the device side closes. For the same reason,
 * hops on the two sides of an eas-gateway hop are not compared: when an outer hop cuts a Ping,
 * the gateway cancels it inward at once, so nothing further in keeps holding it.
 */
export const rule: Rule = {
  code: 'GW0106',
  id: 'timeouts-not-growing-outward',
  severity: 'warning',
  description: 'Timeouts should grow outward from the server: a hop nearer the devices with a shorter Ping-bounding timeout than a hop further in cuts devices off while the inner hops still hold the request.',
  hint: 'Raise the outer hop\'s timeout to at least the inner one\'s, or lower the inner one (both must stay above the heartbeat plus the margin).',
  messages: {
    shorterThanInner: 'hop "{hop}" {setting} {value} is shorter than hop "{innerHop}" {innerSetting} {innerValue} further in: timeouts should grow outward from the server'
  },
  hints: {
    shorterThanInner: 'Raise {setting} on "{hop}" to at least {innerValue}, or lower {innerSetting} on "{innerHop}" (keeping it above the heartbeat plus the margin).'
  },
  check (ctx) {
    const topo = ctx.subject.topology
    if (topo === undefined) return
    const hb = topo.chain.heartbeat.ms
    // The timer that ends a silent request first at each hop (keepalive-covered timers never do).
    const bound = new Map<number, ChainTimer>()
    for (const t of topo.chain.timers) {
      if (t.gateway || t.covered || typeof t.setting.value !== 'number') continue
      const cur = bound.get(t.hop.index)
      if (cur === undefined || t.setting.value < (cur.setting.value as number)) bound.set(t.hop.index, t)
    }
    const ordered = [...bound.values()].sort((a, b) => a.hop.index - b.hop.index)
    const gatewayAt = topo.chain.timers.filter((t) => t.gateway).map((t) => t.hop.index)
    const sameSide = (a: ChainTimer, b: ChainTimer): boolean => !gatewayAt.some((g) => a.hop.index < g && g < b.hop.index)
    ordered.forEach((outer, i) => {
      if (timerStatus(outer, hb) !== 'ok') return // GW0103/GW0104 already report it
      const inner = ordered.slice(i + 1).filter((t) => sameSide(outer, t)).reduce<ChainTimer | undefined>((m, t) => m === undefined || (t.setting.value as number) > (m.setting.value as number) ? t : m, undefined)
      if (inner === undefined || (outer.setting.value as number) >= (inner.setting.value as number)) return
      ctx.report({
        in: outer.in,
        path: outer.setting.path,
        atKey: outer.setting.origin !== 'set',
        messageId: 'shorterThanInner',
        data: {
          hop: outer.hop.name,
          setting: settingName(outer),
          value: formatTimer(outer.setting.value),
          innerHop: inner.hop.name,
          innerSetting: settingName(inner),
          innerValue: formatTimer(inner.setting.value)
        }
      })
    })
  }
}
