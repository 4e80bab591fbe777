/**
 * Two gateways sharing a real redis-server, behind a real HAProxy with `balance leastconn` and
 * health checks on `/readyz` (issue #11): a device's Pings, each on a new connection as after a
 * dropped one, land on alternating gateways and each ends the one before across them, counted
 * once. A loopback upstream holds the Pings (fleet-sogo.test.ts: three spawned gateways, SOGo behind).
 */
import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startFleet } from '../helpers/fleet.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { decodePingResponse, pingBody, pingRequest } from '../helpers/ping-device.js'
import { redisMissing, startRedis } from '../helpers/redis-server.js'
import { requirePeer, startHaproxy } from './helpers/index.js'

t.test('through HAProxy leastconn, a device\'s Pings alternate between two gateways and supersede across them', async (t) => {
  if (!await requirePeer(t, 'haproxy')) return
  const missing = redisMissing()
  if (missing !== undefined) {
    // As requirePeer does: CI must have run scripts/peers-install.sh; elsewhere, skip loudly.
    if (process.env.CI !== undefined) t.fail(missing)
    else t.skip(`SKIP: ${missing}`, () => {})
    return
  }
  const redis = await startRedis(t)
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const { gateways } = await startFleet(t, 2, up.url, redis)
  const servers = gateways.map((g, i) => `    server g${i + 1} 127.0.0.1:${g.port} check port ${g.adminPort} inter 500ms`).join('\n')
  const haproxy = await startHaproxy(t, {
    config: (ctx) => `global
    nbthread 1
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option abortonclose
frontend fe
    bind 127.0.0.1:${ctx.port}
    default_backend be
backend be
    balance leastconn
    option httpchk GET /readyz
${servers}
`
  })
  const ROUNDS = 6
  const held = (): number[] => gateways.map((g) => g.gateway.devices.heldCount)
  let prev: DeviceConnection | undefined
  for (let i = 0; i <= ROUNDS; i++) {
    const dev = await DeviceConnection.open(haproxy.port)
    t.teardown(() => { dev.destroy() })
    const n = up.requests.length + 1
    dev.write(DeviceConnection.format(pingRequest({ user: 'hap', deviceId: 'LB1' }, { body: pingBody(5) }), haproxy.port))
    await (await up.waitForRequest(n)).body
    if (prev !== undefined) {
      const res = await prev.readResponse(3000)
      t.equal(decodePingResponse(res.body).status, 1, `round ${i}: the previous Ping was answered Status 1`)
    }
    prev = dev
  }
  const counted = await Promise.all(gateways.map(async (g) => await metricValue(g.registry, metricNames.pingSuperseded)))
  t.comment(`supersedes counted per gateway: ${counted.join(', ')}`)
  t.equal(counted.reduce((a, b) => a + b, 0), ROUNDS, 'each supersede counted once in the fleet')
  t.ok(counted.every((c) => c > 0), 'both gateways ended Pings: the Pings did alternate between them')
  t.equal(held().reduce((a, b) => a + b, 0), 1, 'one Ping held in the fleet')
})
