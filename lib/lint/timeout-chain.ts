import type { DocPath, HopSetting, Topology, TopologyHop } from '../config/index.js'
import type { ReportFile, ValidGatewayConfig } from './types.js'

/** One timer that runs while a Ping is held, with what protects it. Milliseconds. */
export interface ChainTimer {
  readonly hop: TopologyHop
  readonly setting: HopSetting
  /** The file the value lives in (the topology, or an eas-gateway config). */
  readonly in: ReportFile
  readonly margin: number
  /** Interval of the TCP keepalives crossing this hop's connection(s), when every side has them. */
  readonly keepalive?: number
  /** An L4 timer that keepalives refresh before it expires: it never ends a Ping. */
  readonly covered: boolean
  /** Belongs to an eas-gateway hop (GW0101/GW0102 check it against the gateway's own bounds). */
  readonly gateway: boolean
}

/** The heartbeat in force on the path and what sets it. */
export interface EffectiveHeartbeat { readonly ms: number, readonly in: ReportFile, readonly path: DocPath, readonly label: string }

/** What the rules and the output need to know about the path. */
export interface ChainAnalysis {
  readonly heartbeat: EffectiveHeartbeat
  readonly timers: readonly ChainTimer[]
  /** Largest heartbeat every timer outlasts, and the timer that bounds it (absent: nothing bounds it). */
  readonly safe?: { readonly ms: number, readonly timer: ChainTimer }
}

/** How a timer fares against the heartbeat. */
export type TimerStatus = 'ok' | 'within-margin' | 'at-or-below' | 'capped' | 'covered' | 'unbounded' | 'unknown'

const PING_SEMANTICS = new Set(['idle', 'response', 'lifetime'])

/**
 * Analyses the path. TCP keepalives travel end to end of one TCP connection, so they refresh L4
 * timers of every pass-through hop between two full proxies, and stop at a full proxy (which
 * answers them itself). They never refresh L7 timers, which count application bytes.
 */
export function analyzeChain (model: Topology, gateways: ReadonlyMap<number, ValidGatewayConfig>, topo: ReportFile): ChainAnalysis {
  const heartbeat = effectiveHeartbeat(model, gateways, topo)
  const segments = keepaliveSegments(model.hops)
  const timers: ChainTimer[] = []
  for (const hop of model.hops) {
    const gw = gateways.get(hop.index)
    const isGateway = hop.kind.name === 'eas-gateway'
    const settings = isGateway ? gatewaySettings(hop, gw) : hop.settings
    const seg = segments.of(hop)
    for (const setting of settings) {
      if (!setting.spec.appliesToPing || !PING_SEMANTICS.has(setting.spec.semantics)) continue
      const keepalive = hop.kind.terminatesTcp ? both(seg.device, seg.server) : seg.device
      const value = setting.value
      const covered = setting.spec.refreshedByKeepalive && keepalive !== undefined && typeof value === 'number' && keepalive < value
      timers.push({
        hop,
        setting,
        in: setting.source ?? (isGateway && gw !== undefined ? { file: gw.source.file, positions: gw.positions } : topo),
        margin: isGateway && gw !== undefined ? gw.config.timeouts.heartbeatMargin : model.margin,
        ...(keepalive !== undefined ? { keepalive } : {}),
        covered,
        gateway: isGateway
      })
    }
  }
  let safe: ChainAnalysis['safe']
  for (const t of timers) {
    if (t.covered || typeof t.setting.value !== 'number') continue
    const ms = safeHeartbeat(t.setting.value, t.margin)
    if (safe === undefined || ms < safe.ms) safe = { ms, timer: t }
  }
  return { heartbeat, timers, ...(safe !== undefined ? { safe } : {}) }
}

/** Largest whole-second heartbeat H with `value > H + margin` (0 when none is). */
export function safeHeartbeat (value: number, margin: number): number {
  return Math.max(0, Math.floor((value - margin - 1) / 1000) * 1000)
}

/** A timer against heartbeat H: at or below is an error, above by less than the margin a warning. */
export function timerStatus (t: ChainTimer, heartbeat: number): TimerStatus {
  const v = t.setting.value
  if (v === 'unknown') return 'unknown'
  if (v === 'none') return 'unbounded'
  const needed = heartbeat + t.margin
  if (v > needed) return 'ok'
  if (t.covered) return 'covered'
  const max = t.setting.spec.max
  if (typeof max === 'number' && max <= needed) return 'capped'
  return v <= heartbeat ? 'at-or-below' : 'within-margin'
}

function effectiveHeartbeat (model: Topology, gateways: ReadonlyMap<number, ValidGatewayConfig>, topo: ReportFile): EffectiveHeartbeat {
  const max = model.server.maxHeartbeat
  let hb: EffectiveHeartbeat = {
    ms: max.value as number,
    in: topo,
    path: max.origin === 'set' ? max.path : ['server', 'kind'],
    label: max.origin === 'set' ? 'server.maxHeartbeat' : `${model.server.kind.name} default ${model.server.kind.maxHeartbeat.setting ?? 'maximum heartbeat'}`
  }
  for (const [index, gw] of gateways) {
    // The gateway answers an out-of-range Ping itself (Status 5), so no hop ever holds a longer one.
    // Its clamp is the stricter of server.maxHeartbeat and its own ping.maxHeartbeat (clamp-heartbeat.ts).
    const own = gw.config.ping.maxHeartbeat
    const [clamp, path] = own !== undefined && own < gw.config.server.maxHeartbeat ? [own, ['ping', 'maxHeartbeat']] : [gw.config.server.maxHeartbeat, ['server', 'maxHeartbeat']]
    if (clamp < hb.ms) {
      hb = { ms: clamp, in: { file: gw.source.file, positions: gw.positions }, path, label: `the clamp of eas-gateway hop "${model.hops.find((h) => h.index === index)?.name ?? index}"` }
    }
  }
  return hb
}

function gatewaySettings (hop: TopologyHop, gw: ValidGatewayConfig | undefined): HopSetting[] {
  if (gw === undefined) return []
  const t = gw.config.timeouts as unknown as Record<string, number>
  return hop.settings.filter((s) => typeof t[s.spec.name] === 'number').map((s) => ({
    spec: s.spec,
    value: t[s.spec.name] as number,
    written: t[s.spec.name] as number,
    origin: 'gateway-config',
    path: ['timeouts', s.spec.name]
  }))
}

/** Keepalive interval per TCP segment; segment boundaries are the device, each full proxy, the server. */
function keepaliveSegments (hops: readonly TopologyHop[]): { of: (h: TopologyHop) => { device?: number, server?: number } } {
  const seg: (number | undefined)[] = []
  const sideOf = new Map<number, { device: number, server: number }>()
  let s = 0
  for (const h of hops) {
    if (h.kind.terminatesTcp) { sideOf.set(h.index, { device: s, server: s + 1 }); s++ } else sideOf.set(h.index, { device: s, server: s })
  }
  const add = (i: number, v: number | undefined): void => { if (v !== undefined) seg[i] = Math.min(seg[i] ?? Infinity, v) }
  for (const h of hops) {
    const ka = h.tcpKeepalive
    const sides = sideOf.get(h.index)
    if (ka === undefined || sides === undefined) continue
    if (h.kind.terminatesTcp) { add(sides.device, ka.deviceSide); add(sides.server, ka.serverSide) } else add(sides.device, ka.deviceSide ?? ka.serverSide)
  }
  return {
    of (h) {
      const sides = sideOf.get(h.index) ?? { device: 0, server: 0 }
      const device = seg[sides.device]
      const server = seg[sides.server]
      return { ...(device !== undefined ? { device } : {}), ...(server !== undefined ? { server } : {}) }
    }
  }
}

/** A full proxy's own L4 timer is safe only when both of its connections carry keepalives. */
function both (a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(a, b)
}
