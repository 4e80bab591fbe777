import type { SharedState } from '../state/index.js'
import type { AdminReply } from './admin-server.js'
import { deviceKey } from './device-key.js'
import type { DeviceRegistry } from './device-registry.js'

type Row = { deviceId?: unknown, user?: unknown, lastSeen?: unknown, gateway?: string }

/**
 * `/devices`: this gateway's table, narrowed by `?deviceId=` (exact) and `?user=`
 * (case-insensitive). With a fleet, the devices of every gateway that wrote within the last three
 * devicesIntervals, merged: a device seen by several gateways is shown once, as the gateway that
 * saw it last knows it (`gateway` names it; this gateway's rows are live, the others' up to one
 * interval old). When Redis does not answer in time the answer is this gateway's alone, `fleet: null`.
 */
export function devicesView (devices: DeviceRegistry, shared: SharedState | undefined, query: URLSearchParams, access?: object): AdminReply | Promise<AdminReply> {
  const deviceId = query.get('deviceId') ?? undefined
  const user = query.get('user')?.toLowerCase()
  const keep = (r: Row): boolean => (deviceId === undefined || r.deviceId === deviceId) && (user === undefined || String(r.user).toLowerCase() === user)
  // With access.policy: the policy in force and its lists' state (README § Device access control).
  const head = { tracked: devices.size, online: devices.onlineCount(), pingsHeld: devices.heldCount, ...(access !== undefined ? { access } : {}) }
  const reply = (body: object): AdminReply => ({ status: 200, type: 'application/json', body: JSON.stringify(body) + '\n' })
  const local = (devices.snapshot() as Row[]).filter(keep)
  if (shared === undefined) return reply({ ...head, devices: local })
  return shared.devices.read().then((others) => {
    if (others === undefined) return reply({ ...head, devices: local.map((r) => ({ ...r, gateway: shared.gateway })), fleet: null })
    const merged = new Map<string, Row>()
    const add = (r: Row, gateway: string): void => {
      const k = deviceKey(String(r.user), String(r.deviceId))
      const had = merged.get(k)
      if (had === undefined || String(had.lastSeen) < String(r.lastSeen)) merged.set(k, { ...r, gateway })
    }
    for (const r of local) add(r, shared.gateway)
    for (const g of others) if (g.gateway !== shared.gateway) for (const r of g.devices as Row[]) if (keep(r)) add(r, g.gateway)
    const gateways = new Set([shared.gateway, ...others.map((g) => g.gateway)]).size
    const rows = [...merged.values()].sort((a, b) => String(b.lastSeen).localeCompare(String(a.lastSeen)))
    return reply({ ...head, devices: rows, fleet: { self: shared.gateway, gateways, devices: rows.length } })
  })
}
