import { formatDuration, type TimerValue } from '../config/index.js'
import { safeHeartbeat, type ChainTimer, type EffectiveHeartbeat } from './timeout-chain.js'
import type { MessageData } from './types.js'

/** A timer value as users write it: `35m`, `none`, `unknown`. */
export function formatTimer (v: TimerValue): string {
  return typeof v === 'number' ? formatDuration(v) : v
}

/** The setting's name as the user wrote it (an alias stays an alias), or the catalog's. */
export function settingName (t: ChainTimer): string {
  const last = t.setting.path[t.setting.path.length - 1]
  return t.setting.origin === 'set' && typeof last === 'string' ? last : t.setting.spec.name
}

/** Message data shared by the timer rules: hop, setting, values, heartbeat, margin, safe bound. */
export function timerData (t: ChainTimer, hb: EffectiveHeartbeat): MessageData {
  const spec = t.setting.spec
  const value = t.setting.value
  return {
    hop: t.hop.name,
    kind: t.hop.kind.name,
    setting: settingName(t),
    value: formatTimer(value),
    origin: t.setting.origin === 'default' ? ` (not set: the ${t.hop.kind.name} default, ${spec.confidence}; source: ${spec.source})` : '',
    heartbeat: formatDuration(hb.ms),
    heartbeatFrom: hb.label,
    margin: formatDuration(t.margin),
    needed: formatDuration(hb.ms + t.margin),
    safe: typeof value === 'number' ? formatDuration(safeHeartbeat(value, t.margin)) : 'any',
    orLower: typeof value === 'number' && safeHeartbeat(value, t.margin) > 0
      ? `, or lower the max heartbeat to ${formatDuration(safeHeartbeat(value, t.margin))} or less`
      : '',
    keepalive: t.keepalive !== undefined ? formatDuration(t.keepalive) : 'none'
  }
}

/** Why TCP keepalives do not save this timer, when the user might think they do. */
export function keepaliveDetail (t: ChainTimer): string {
  const declared = t.hop.tcpKeepalive !== undefined || t.keepalive !== undefined
  if (!t.setting.spec.refreshedByKeepalive) {
    return declared ? '; TCP keepalives do not refresh it: it is an L7 timer and counts application bytes, not packets' : ''
  }
  if (t.keepalive !== undefined) return `; TCP keepalives every ${formatDuration(t.keepalive)} are not shorter than it`
  if (t.hop.tcpKeepalive !== undefined && t.hop.kind.terminatesTcp) return '; its TCP keepalives do not cover both of its connections'
  return ''
}
