import t from 'tap'
import { DeviceRegistry } from '../../lib/proxy/device-registry.js'
import { devicesView } from '../../lib/proxy/devices-view.js'
import type { AdminReply } from '../../lib/proxy/admin-server.js'

/** 2500 devices: D0 first seen (the oldest), D2499 the newest; D7 is carol's. */
function fleet (): DeviceRegistry {
  const clock = { now: 1_000_000 }
  const reg = new DeviceRegistry({ maxDevices: 100_000, ttl: 3_600_000, onlineWindow: 5000, now: () => clock.now })
  for (let i = 0; i < 2500; i++) { clock.now += 1; reg.touch({ user: i === 7 ? 'Carol' : 'bob', deviceId: `D${i}`, command: 'Sync' }) }
  return reg
}
const view = (reg: DeviceRegistry, q: string, viewLimit?: number): { status: number, body: { devices: { deviceId: string }[], truncated: boolean, limit: number, tracked: number } } => {
  const r = devicesView(reg, undefined, new URLSearchParams(q), undefined, viewLimit) as AdminReply
  return { status: r.status, body: r.status === 200 ? JSON.parse(r.body) : r.body }
}

t.test('/devices: devices.viewLimit bounds the answer, ?limit= asks for fewer, truncated says so', async (t) => {
  const reg = fleet()
  const all = view(reg, '', 5000)
  t.equal(all.body.devices.length, 2500, 'every device when viewLimit allows (not only 1000)')
  t.equal(all.body.truncated, false)
  t.equal(all.body.devices[0]?.deviceId, 'D2499', 'most recently seen first')
  const capped = view(reg, '', 1000)
  t.equal(capped.body.devices.length, 1000, 'the default viewLimit')
  t.equal(capped.body.truncated, true, 'truncated: more devices than shown')
  t.equal(view(reg, 'limit=10', 5000).body.devices.length, 10, '?limit=10')
  t.equal(view(reg, 'limit=99999', 2000).body.devices.length, 2000, '?limit= above viewLimit is held to it')
  for (const bad of ['0', '-1', 'x', '1.5', '']) t.equal(view(reg, `limit=${bad}`).status, 400, `limit=${bad}: 400`)
})

t.test('/devices: lookups find a device beyond the first page', async (t) => {
  const reg = fleet()
  const one = view(reg, 'deviceId=D3', 1000)
  t.same(one.body.devices.map((d) => d.deviceId), ['D3'], 'D3 is older than the newest 1000, still found')
  t.same(view(reg, 'user=carol', 1000).body.devices.map((d) => d.deviceId), ['D7'], '?user= any case')
  t.same(view(reg, 'deviceId=nope', 1000).body.devices, [], 'unknown: empty')
})
