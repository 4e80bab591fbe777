import t from 'tap'
import type { Pool } from 'undici'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { pingBody, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'

// Held Pings live on their own upstream connections (issue #14): undici's Pool scans its
// connections for a free one, so a Sync must not share a pool with thousands of held Pings.

t.test('held Pings pin connections of the Ping pool only; a Sync uses the short-request pool', async (t) => {
  const up = await startUpstream((req) => (req.url ?? '').includes('Cmd=Ping') ? { kind: 'silence' } : { kind: 'echo' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const devices: DeviceConnection[] = []
  t.teardown(() => { for (const d of devices) d.destroy() })
  for (let i = 0; i < 20; i++) {
    const dev = await DeviceConnection.open(gw.port)
    devices.push(dev)
    dev.write(DeviceConnection.format(pingRequest({ deviceId: `POOL${i}` }, { body: pingBody(5) }), gw.port))
  }
  await up.waitForRequest(20)
  const sync = await DeviceConnection.open(gw.port)
  devices.push(sync)
  const res = await sync.request({ ...pingRequest({ deviceId: 'SYNC1' }, { cmd: 'Sync', body: Buffer.from('x') }) })
  t.equal(res.status, 200)
  const u = gw.upstreams.all[0]
  t.equal((u?.pingPool as Pool | undefined)?.stats.connected, 20, 'one connection per held Ping, in the Ping pool')
  t.equal((u?.pool as Pool | undefined)?.stats.connected, 1, 'the Sync had the short-request pool to itself')
  t.equal(gw.gateway.devices.heldCount, 20)
})
