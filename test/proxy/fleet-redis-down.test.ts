import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startFleet } from '../helpers/fleet.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { decodePingResponse, pingBody, pingRequest } from '../helpers/ping-device.js'
import { redisMissing, startRedis } from '../helpers/redis-server.js'
import { until } from '../helpers/until.js'

const skip = redisMissing()
const SYNC_BODY = Buffer.from([0x03, 0x01, 0x6a, 0x00])

t.test('Redis killed mid-test: every request is served on local state, one log line, a metric; sharing resumes when it returns', { skip }, async (t) => {
  const redis = await startRedis(t)
  const up = await startUpstream((req) => (req.url ?? '').includes('Cmd=Ping') ? { kind: 'silence' } : { kind: 'echo' })
  t.teardown(up.close)
  const fleet = await startFleet(t, 2, up.url, redis)
  const [a, b] = fleet.gateways
  if (a === undefined || b === undefined) throw new Error('two gateways')
  const conns = await Promise.all([a, b].map(async (g) => await DeviceConnection.open(g.port)))
  t.teardown(() => { for (const c of conns) c.destroy() })

  await redis.kill()
  await until(() => a.gateway.sharedUp === false && b.gateway.sharedUp === false, 'both gateways to see Redis gone', 5000)
  let worst = 0
  let ok = 0
  for (let i = 0; i < 200; i++) {
    const c = conns[i % 2]
    if (c === undefined) throw new Error('two connections')
    const t0 = performance.now()
    const res = await c.request(pingRequest({ user: `u${i % 7}`, deviceId: `DOWN${i % 13}` }, { cmd: 'Sync', body: SYNC_BODY }))
    worst = Math.max(worst, performance.now() - t0)
    if (res.status === 200) ok++
  }
  t.comment(`Redis down: 200 Syncs over two gateways, slowest ${worst.toFixed(1)} ms`)
  t.equal(ok, 200, 'every request answered 200 on local state')
  for (const [name, g] of [['A', a], ['B', b]] as const) {
    t.equal(await metricValue(g.registry, metricNames.stateRedisUp), 0, `${name}: ${metricNames.stateRedisUp} is 0`)
    t.ok(await metricValue(g.registry, metricNames.stateRedisErrors, { op: 'device_rate' }) > 0, `${name}: failed calls counted`)
    const lines = g.sink.lines().filter((l) => l.code === 'GW_ERR_STATE_REDIS_UNAVAILABLE')
    t.equal(lines.length, 1, `${name}: one log line for the outage, however many calls failed`)
    t.match(lines[0], { level: 'warn' }, `${name}: at warn`)
  }
  // Local supersede still works while Redis is away.
  const p1 = await DeviceConnection.open(a.port)
  const p2 = await DeviceConnection.open(a.port)
  t.teardown(() => { p1.destroy(); p2.destroy() })
  const n = up.requests.length
  p1.write(DeviceConnection.format(pingRequest({ deviceId: 'LOCAL1' }, { body: pingBody(5) }), a.port))
  await up.waitForRequest(n + 1)
  p2.write(DeviceConnection.format(pingRequest({ deviceId: 'LOCAL1' }, { body: pingBody(5) }), a.port))
  t.equal(decodePingResponse((await p1.readResponse(2000)).body).status, 1, 'a local supersede needs no Redis')

  await redis.start()
  await until(() => a.gateway.sharedUp === true && b.gateway.sharedUp === true, 'both gateways to reconnect', 10_000)
  await fleet.subscribed(10_000)
  t.equal(await metricValue(a.registry, metricNames.stateRedisUp), 1, `${metricNames.stateRedisUp} back to 1`)
  t.ok(a.sink.lines().some((l) => l.msg === 'shared-state redis back: sharing resumes'), 'the return is logged')
  // Sharing resumes: a Ping on B supersedes one held on A.
  const onA = await DeviceConnection.open(a.port)
  const onB = await DeviceConnection.open(b.port)
  t.teardown(() => { onA.destroy(); onB.destroy() })
  const m = up.requests.length
  onA.write(DeviceConnection.format(pingRequest({ deviceId: 'BACK1' }, { body: pingBody(5) }), a.port))
  await up.waitForRequest(m + 1)
  onB.write(DeviceConnection.format(pingRequest({ deviceId: 'BACK1' }, { body: pingBody(5) }), b.port))
  t.equal(decodePingResponse((await onA.readResponse(3000)).body).status, 1, 'after Redis returns, B supersedes A again')
})

t.test('Redis frozen (SIGSTOP): calls time out after state.redis.timeout, requests are not held up', { skip }, async (t) => {
  const redis = await startRedis(t)
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const { gateways: [a] } = await startFleet(t, 1, up.url, redis, { state: { redis: { timeout: '50ms' } } })
  if (a === undefined) throw new Error('one gateway')
  const c = await DeviceConnection.open(a.port)
  t.teardown(() => { c.destroy() })
  redis.signal('SIGSTOP')
  t.teardown(() => { redis.signal('SIGCONT') })
  let worst = 0
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now()
    t.equal((await c.request(pingRequest({ deviceId: `FROZEN${i}` }, { cmd: 'Sync', body: SYNC_BODY }))).status, 200)
    worst = Math.max(worst, performance.now() - t0)
  }
  t.comment(`Redis frozen: slowest of 40 Syncs ${worst.toFixed(1)} ms`)
  await until(() => a.sink.lines().some((l) => l.code === 'GW_ERR_STATE_REDIS_UNAVAILABLE'), 'the timeout log line', 5000)
  t.ok(await metricValue(a.registry, metricNames.stateRedisErrors, { op: 'device_rate' }) > 0, 'timed-out calls counted')
  t.equal(a.sink.lines().filter((l) => l.code === 'GW_ERR_STATE_REDIS_UNAVAILABLE').length, 1, 'one log line')
  redis.signal('SIGCONT')
  t.equal((await c.request(pingRequest({ deviceId: 'THAWED' }, { cmd: 'Sync', body: SYNC_BODY }))).status, 200)
  await a.sink.waitFor((l) => l.msg === 'shared-state redis back: sharing resumes', 5000)
  t.pass('the first call answered in time after the freeze logs the return')
})
