import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startFleet } from '../helpers/fleet.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { pingRequest } from '../helpers/ping-device.js'
import { redisMissing, startRedis } from '../helpers/redis-server.js'

const skip = redisMissing()
const RATE = 2
const BURST = 2
const WINDOW_MS = 3000

t.test('a device alternating between two gateways is limited at the fleet rate, not twice it', { skip }, async (t) => {
  const redis = await startRedis(t)
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const limits = { limits: { perDevice: { requestsPerSecond: RATE, burst: BURST } } }
  const { gateways } = await startFleet(t, 2, up.url, redis, limits)
  const conns = await Promise.all(gateways.map(async (g) => await DeviceConnection.open(g.port)))
  t.teardown(() => { for (const c of conns) c.destroy() })
  const sync = pingRequest({ user: 'eve', deviceId: 'LOOPY1' }, { cmd: 'Sync', body: Buffer.from([0x03, 0x01, 0x6a, 0x00]) })

  let sent = 0
  let admitted = 0
  let other = 0
  const start = performance.now()
  while (performance.now() - start < WINDOW_MS) {
    const c = conns[sent % 2]
    if (c === undefined) throw new Error('two connections')
    const res = await c.request(sync)
    sent++
    if (res.status === 200) admitted++
    else if (res.status !== 503) other++
  }
  t.equal(other, 0, 'every response is 200 or a 503 refusal')
  const elapsed = (performance.now() - start) / 1000
  // Documented bound (lib/proxy/fleet-limiter.ts): rate·T + 2·burst, plus at most one request per
  // gateway admitted while its Redis answer was on its way.
  const bound = RATE * elapsed + 2 * BURST + gateways.length
  // Each gateway's bucket alone admits its own burst + rate·T of a device that sends this fast.
  const local = gateways.length * (BURST + RATE * elapsed)
  t.comment(`${sent} requests in ${elapsed.toFixed(2)} s alternating over 2 gateways: ${admitted} admitted (fleet bound ${bound.toFixed(1)}; the gateways' own buckets alone: ${local.toFixed(1)})`)
  t.ok(sent > 4 * bound, `the device sent far more than the limit (${sent})`)
  // Less than a second's worth below rate·T at most: the window's edges.
  t.ok(admitted >= RATE * (elapsed - 1), `about the fleet rate went through (${admitted})`)
  t.ok(admitted <= bound, `at most the fleet bound went through (${admitted} <= ${bound.toFixed(1)})`)
  t.ok(admitted < local, 'fewer than the two gateways\' own buckets let through')
  const refusedA = await metricValue(gateways[0]?.registry ?? t.fail('A') as never, metricNames.limitRejections, { limit: 'device_rate' })
  const refusedB = await metricValue(gateways[1]?.registry ?? t.fail('B') as never, metricNames.limitRejections, { limit: 'device_rate' })
  t.equal(refusedA + refusedB, sent - admitted, 'every refusal counted as device_rate')
  t.ok(refusedA > 0 && refusedB > 0, 'both gateways refused the device')
})

t.test('the global rate (limits.requestsPerSecond) holds for the fleet, not per gateway', { skip }, async (t) => {
  const redis = await startRedis(t)
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const limits = { limits: { requestsPerSecond: RATE, burst: BURST, perDevice: { requestsPerSecond: 0 } } }
  const { gateways } = await startFleet(t, 2, up.url, redis, limits)
  const conns = await Promise.all(gateways.map(async (g) => await DeviceConnection.open(g.port)))
  t.teardown(() => { for (const c of conns) c.destroy() })
  let sent = 0
  let admitted = 0
  let other = 0
  const start = performance.now()
  while (performance.now() - start < WINDOW_MS) {
    const c = conns[sent % 2]
    if (c === undefined) throw new Error('two connections')
    // A new device each time: only the global bucket can refuse.
    const res = await c.request(pingRequest({ user: 'eve', deviceId: `G${sent}` }, { cmd: 'Sync', body: Buffer.from([0x03, 0x01, 0x6a, 0x00]) }))
    sent++
    if (res.status === 200) admitted++
    else if (res.status !== 503) other++
  }
  t.equal(other, 0, 'every response is 200 or a 503 refusal')
  const elapsed = (performance.now() - start) / 1000
  const bound = RATE * elapsed + 2 * BURST + gateways.length
  const local = gateways.length * (BURST + RATE * elapsed)
  t.comment(`${sent} requests of new devices in ${elapsed.toFixed(2)} s over 2 gateways: ${admitted} admitted (fleet bound ${bound.toFixed(1)}; the gateways' own buckets alone: ${local.toFixed(1)})`)
  t.ok(sent > 4 * bound, `far more than the limit was sent (${sent})`)
  t.ok(admitted >= RATE * (elapsed - 1), `about the fleet rate went through (${admitted})`)
  t.ok(admitted <= bound, `at most the fleet bound went through (${admitted} <= ${bound.toFixed(1)})`)
  t.ok(admitted < local, 'fewer than the two gateways\' own buckets let through')
  const refused = await Promise.all(gateways.map(async (g) => await metricValue(g.registry, metricNames.limitRejections, { limit: 'global_rate' })))
  t.equal(refused[0]! + refused[1]!, sent - admitted, 'every refusal counted as global_rate')
  t.ok(refused.every((n) => n > 0), 'both gateways refused')
})
