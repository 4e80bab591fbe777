import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { adminGet, PING_PASSWORD, pingBody, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'

interface DevicesView {
  readonly tracked: number
  readonly online: number
  readonly pingsHeld: number
  readonly devices: Record<string, unknown>[]
}

async function devicesView (adminPort: number): Promise<DevicesView> {
  const res = await adminGet(adminPort, '/devices')
  if (res.status !== 200) throw new Error(`/devices answered ${res.status}`)
  return JSON.parse(res.body) as DevicesView
}

const EMPTY_SYNC = Buffer.from([0x03, 0x01, 0x6a, 0x00])

t.test('/devices on the admin listener: every field, and the gauges', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const before = Date.now()
  const iphone = { user: 'bob', deviceId: 'APPL123', deviceType: 'iPhone', userAgent: 'Apple-iPhone14C2/2105.255', protocolVersion: '14.1' }
  const android = { user: 'carol', deviceId: 'androidc42', deviceType: 'Android', userAgent: 'Android-Mail/2023.01', protocolVersion: '16.1' }

  const ping = await DeviceConnection.open(gw.port)
  t.teardown(() => { ping.destroy() })
  ping.write(DeviceConnection.format(pingRequest(iphone, { body: pingBody(5) }), gw.port))
  await up.waitForRequest(1)
  up.setMode({ kind: 'echo' })
  const sync = await DeviceConnection.open(gw.port)
  t.teardown(() => { sync.destroy() })
  t.equal((await sync.request(pingRequest(android, { cmd: 'Sync', body: EMPTY_SYNC }))).status, 200)

  const raw = await adminGet(gw.adminPort, '/devices')
  t.equal(raw.status, 200)
  t.notOk(raw.body.includes(PING_PASSWORD), 'no password in /devices')
  const view = JSON.parse(raw.body) as DevicesView
  t.match(view, { tracked: 2, online: 2, pingsHeld: 1 })
  t.equal(view.devices.length, 2)
  const [first, second] = view.devices
  t.strictSame(Object.keys(second ?? {}).sort(), ['address', 'deviceId', 'deviceType', 'heartbeat', 'heldPing', 'heldPings', 'lastCommand', 'lastOutcome', 'lastSeen', 'lastStatus', 'protocolVersion', 'superseded', 'user', 'userAgent'], 'the fields of a device (decision and rule too, with access.policy)')
  t.match(second, {
    deviceId: 'APPL123',
    user: 'bob',
    deviceType: 'iPhone',
    userAgent: 'Apple-iPhone14C2/2105.255',
    protocolVersion: '14.1',
    // heartbeat is the last one the server accepted (an empty Ping reuses it); this first Ping is
    // still held, so there is none yet: a Ping with wrong credentials must not set it.
    lastCommand: 'Ping',
    heartbeat: null,
    heldPing: { heartbeat: 5, heldSeconds: Number },
    superseded: 0,
    // The client address while the Ping is held; no request of it has ended yet (issue #13).
    address: '127.0.0.1',
    lastOutcome: null,
    lastStatus: null
  }, 'the iPhone, holding a Ping')
  t.match(first, {
    deviceId: 'androidc42',
    user: 'carol',
    deviceType: 'Android',
    userAgent: 'Android-Mail/2023.01',
    protocolVersion: '16.1',
    lastCommand: 'Sync',
    heldPing: null,
    superseded: 0,
    address: '127.0.0.1',
    lastOutcome: 'completed',
    lastStatus: 200
  }, 'the Android, most recently seen, first')
  for (const d of view.devices) {
    const seen = Date.parse(String(d.lastSeen))
    t.ok(seen >= before - 1 && seen <= Date.now() + 1, `${String(d.deviceId)}: lastSeen is an ISO time of this test (${String(d.lastSeen)})`)
  }
  t.equal(await metricValue(gw.registry, metricNames.devicesOnline), 2, metricNames.devicesOnline)
  t.equal(await metricValue(gw.registry, metricNames.devicesTracked), 2, metricNames.devicesTracked)
  t.equal(await metricValue(gw.registry, metricNames.pingsHeld), 1, metricNames.pingsHeld)

  // The device hangs up: its Ping is no longer held, the device stays known.
  ping.destroy()
  await gw.sink.waitForAccessLines(2)
  const after = await devicesView(gw.adminPort)
  t.match(after, { tracked: 2, pingsHeld: 0, devices: [{ deviceId: 'androidc42' }, { deviceId: 'APPL123', heldPing: null, heartbeat: null, lastOutcome: 'device_abort', lastStatus: 0 }] })
  t.equal(await metricValue(gw.registry, metricNames.pingsHeld), 0)
})

t.test('/devices is bounded by devices.max (least recently seen dropped first)', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url, { devices: { max: 3 } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  for (let i = 1; i <= 5; i++) t.equal((await dev.request(pingRequest({ deviceId: `BOUND${i}` }, { cmd: 'Sync', body: EMPTY_SYNC }))).status, 200)
  const view = await devicesView(gw.adminPort)
  t.same(view.devices.map((d) => d.deviceId), ['BOUND5', 'BOUND4', 'BOUND3'])
  t.equal(view.tracked, 3)
  t.equal(await metricValue(gw.registry, metricNames.devicesTracked), 3)
  t.equal(await metricValue(gw.registry, metricNames.devicesOnline), 3)
})

t.test('requests without a DeviceId are not tracked', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  t.equal((await dev.request({ method: 'OPTIONS', path: '/Microsoft-Server-ActiveSync' })).status, 200)
  t.equal((await devicesView(gw.adminPort)).tracked, 0)
})
