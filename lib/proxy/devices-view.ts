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
export function devicesView (devices: DeviceRegistry, shared: SharedState | undefined, query: URLSearchParams, access?: object, viewLimit = 1000): AdminReply | Promise<AdminReply> {
  const deviceId = query.get('deviceId') ?? undefined
  const user = query.get('user')?.toLowerCase()
  const asked = query.get('limit')
  if (asked !== null && !/^[1-9][0-9]{0,8}$/.test(asked)) {
    return { status: 400, type: 'text/plain', body: `limit must be a positive integer (at most devices.viewLimit ${viewLimit}), got "${asked.slice(0, 40)}"\n` }
  }
  // ?limit= asks for fewer; devices.viewLimit bounds the answer either way.
  const limit = Math.min(asked === null ? viewLimit : Number(asked), viewLimit)
  const keep = (r: Row): boolean => (deviceId === undefined || r.deviceId === deviceId) && (user === undefined || String(r.user).toLowerCase() === user)
  // With access.policy: the policy in force and its lists' state (README § Device access control).
  const head = { tracked: devices.size, online: devices.onlineCount(), pingsHeld: devices.heldCount, limit, ...(access !== undefined ? { access } : {}) }
  const reply = (body: object): AdminReply => ({ status: 200, type: 'application/json', body: JSON.stringify(body) + '\n' })
  // The registry filters before it counts: a lookup finds its device however many others there are.
  const filter = { ...(deviceId !== undefined ? { deviceId } : {}), ...(user !== undefined ? { user } : {}) }
  const local = devices.snapshot(limit + 1, filter) as Row[]
  if (shared === undefined) return reply({ ...head, truncated: local.length > limit, devices: local.slice(0, limit) })
  return shared.devices.read().then((others) => {
    if (others === undefined) return reply({ ...head, truncated: local.length > limit, devices: local.slice(0, limit).map((r) => ({ ...r, gateway: shared.gateway })), fleet: null })
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
    return reply({ ...head, truncated: rows.length > limit, devices: rows.slice(0, limit), fleet: { self: shared.gateway, gateways, devices: rows.length } })
  })
}
