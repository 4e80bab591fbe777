import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startFleet } from '../helpers/fleet.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { adminGet, pingConfigTree, pingRequest } from '../helpers/ping-device.js'
import { redisMissing, startRedis } from '../helpers/redis-server.js'
import { startGateway } from '../helpers/start-gateway.js'

const skip = redisMissing()

interface DevicesBody { devices: { deviceId: string, user: string, gateway: string }[], fleet: { self: string, gateways: number, devices: number } | null }

t.test('/devices on either gateway shows the devices of both, with lookups by DeviceId and user', { skip }, async (t) => {
  const redis = await startRedis(t)
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const fleet = await startFleet(t, 2, up.url, redis, { state: { redis: { devicesInterval: '200ms' } } })
  const [a, b] = fleet.gateways
  if (a === undefined || b === undefined) throw new Error('two gateways')
  const sync = (user: string, deviceId: string) => pingRequest({ user, deviceId }, { cmd: 'Sync', body: Buffer.from([0x03, 0x01, 0x6a, 0x00]) })
  for (const [gw, user, deviceId] of [[a, 'alice', 'DA1'], [a, 'alice', 'DA2'], [b, 'Bob', 'DB1']] as const) {
    const c = await DeviceConnection.open(gw.port)
    t.teardown(() => { c.destroy() })
    t.equal((await c.request(sync(user, deviceId))).status, 200, `${deviceId} served by its gateway`)
  }
  const read = async (port: number, q = ''): Promise<DevicesBody> => JSON.parse((await adminGet(port, `/devices${q}`)).body) as DevicesBody
  // The writers run every 200 ms: poll until a gateway's view has all three (bounded), no fixed
  // sleep. Each view is polled: B may still hold a snapshot A wrote before DA2 arrived.
  const settled = async (port: number): Promise<DevicesBody | undefined> => {
    let view: DevicesBody | undefined
    const deadline = performance.now() + 5000
    while (performance.now() < deadline) {
      view = await read(port)
      if (view.devices.length === 3) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return view
  }
  const seen = await settled(a.adminPort)
  t.same(seen?.devices.map((d) => d.deviceId).sort(), ['DA1', 'DA2', 'DB1'], 'A shows all three devices')
  const ids = a.sink.lines().filter((l) => l.msg === 'listening').map((l) => l.fleetId)
  t.same(seen?.fleet, { self: ids[0], gateways: 2, devices: 3 }, 'from two gateways; `self` is the fleetId of A\'s listening line')
  const onB = await settled(b.adminPort) ?? { devices: [], fleet: null }
  t.same(onB.devices.map((d) => d.deviceId).sort(), ['DA1', 'DA2', 'DB1'], 'B shows all three devices')
  t.equal(onB.devices.find((d) => d.deviceId === 'DA1')?.gateway, onB.devices.find((d) => d.deviceId === 'DA2')?.gateway, 'DA1 and DA2 come from the same gateway')
  t.not(onB.devices.find((d) => d.deviceId === 'DA1')?.gateway, onB.devices.find((d) => d.deviceId === 'DB1')?.gateway, 'DB1 from the other one')
  t.same((await read(b.adminPort, '?deviceId=DA2')).devices.map((d) => d.deviceId), ['DA2'], '?deviceId= on B finds a device of A')
  t.same((await read(a.adminPort, '?user=bob')).devices.map((d) => d.deviceId), ['DB1'], '?user= (case-insensitive) on A finds a device of B')
  t.same((await read(a.adminPort, '?deviceId=NOPE')).devices, [], 'an unknown DeviceId: nothing')

  await b.stop()
  const afterDrain = await read(a.adminPort)
  t.same(afterDrain.devices.map((d) => d.deviceId).sort(), ['DA1', 'DA2'], 'a drained gateway\'s devices leave the fleet view')
})

t.test('/devices without state.redis is the local table, with the same lookups', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const { startPingGateway } = await import('../helpers/ping-gateway.js')
  const gw = await startPingGateway(t, up.url)
  const c = await DeviceConnection.open(gw.port)
  t.teardown(() => { c.destroy() })
  for (const id of ['L1', 'L2']) t.equal((await c.request(pingRequest({ user: 'Lou', deviceId: id }, { cmd: 'Sync', body: Buffer.from([0x03, 0x01, 0x6a, 0x00]) }))).status, 200)
  const body = JSON.parse((await adminGet(gw.adminPort, '/devices?deviceId=L2')).body) as DevicesBody & { tracked: number }
  t.same(body.devices.map((d) => d.deviceId), ['L2'])
  t.equal(body.tracked, 2)
  t.notOk('fleet' in body, 'no fleet field without Redis')
  t.same((JSON.parse((await adminGet(gw.adminPort, '/devices?user=lou')).body) as DevicesBody).devices.length, 2)
})

t.test('a gateway that cannot listen closes its Redis connections', { skip }, async (t) => {
  const redis = await startRedis(t)
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const fleet = await startFleet(t, 1, up.url, redis)
  const taken = fleet.gateways[0]?.port ?? t.fail('one gateway') as never
  const clients = async (): Promise<number> => (await fleet.client.client('LIST') as string).trim().split('\n').length
  const before = await clients()
  await t.rejects(startGateway(t, up.url, pingConfigTree({ listen: { port: taken }, state: { redis: { url: redis.url, keyPrefix: fleet.keyPrefix } } })), { code: 'EADDRINUSE' })
  const deadline = performance.now() + 5000
  while (await clients() !== before && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(await clients(), before, 'no Redis connection left behind')
})
