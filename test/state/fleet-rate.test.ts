import { connect, createServer, type AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { createLogger } from '../../lib/log/index.js'
import { createMetrics, metricNames } from '../../lib/metrics/index.js'
import { createSharedState } from '../../lib/state/index.js'
import { createLogSink } from '../helpers/log-sink.js'
import { metricValue } from '../helpers/metric-values.js'
import { redisMissing, startRedis } from '../helpers/redis-server.js'
import { until } from '../helpers/until.js'

const skip = redisMissing()

async function shared (t: Test, url: string, over: { logInterval?: number, now?: () => number } = {}) {
  const sink = createLogSink()
  const registry = new Registry()
  const metrics = createMetrics(registry, { version: 'test', defaultMetrics: false })
  const s = createSharedState({ url, keyPrefix: 'unit:', timeout: 200, devicesInterval: 1000, logger: createLogger({ level: 'info', destination: sink.stream }), metrics, ...over })
  t.teardown(async () => { await s.close() })
  await until(() => s.up, 'connected', 5000)
  return { s, sink, registry }
}

t.test('the fleet token bucket: burst, then a wait on Redis\' clock, debt down to -burst, a TTL', { skip }, async (t) => {
  const redis = await startRedis(t)
  const { s } = await shared(t, redis.url)
  const waits: (number | undefined)[] = []
  for (let i = 0; i < 6; i++) waits.push(await s.rate.take('dev-a', 1, 3))
  t.same(waits.slice(0, 3), [0, 0, 0], 'a burst of 3')
  t.ok(waits.slice(3).every((w) => w !== undefined && w > 0), `then waits (${waits.slice(3).join(', ')} ms)`)
  t.ok((waits[5] ?? 0) > (waits[3] ?? 0), 'debt makes the wait grow')
  for (let i = 0; i < 10; i++) await s.rate.take('dev-a', 1, 3)
  const floor = await s.rate.take('dev-a', 1, 3)
  t.ok(floor !== undefined && floor <= 4100, `debt stops at -burst: the wait is bounded (${String(floor)} ms)`)
  t.equal(await s.rate.take('dev-b', 1, 3), 0, 'another key has its own bucket')
  const client = new Redis(redis.url)
  t.teardown(() => { client.disconnect() })
  const keys = await client.keys('unit:rate:*')
  t.equal(keys.length, 2, 'one key per device, hashed')
  t.notOk(keys.some((k) => k.includes('dev-')), 'no device key in clear')
  const ttls = await Promise.all(keys.map(async (k) => await client.pttl(k)))
  t.ok(ttls.every((ms) => ms > 0 && ms <= 8000), `every bucket expires (${ttls.join(', ')} ms)`)
})

t.test('one log line per interval while Redis is unreachable; the gauge follows', { skip }, async (t) => {
  const redis = await startRedis(t)
  let now = 0
  const { s, sink, registry } = await shared(t, redis.url, { logInterval: 60_000, now: () => now })
  t.equal(await metricValue(registry, metricNames.stateRedisUp), 1)
  await redis.kill()
  await until(() => !s.up, 'down', 5000)
  for (let i = 0; i < 5; i++) t.equal(await s.rate.take('k', 1, 1), undefined, 'a call fails fast while down')
  const lines = (): number => sink.lines().filter((l) => l.code === 'GW_ERR_STATE_REDIS_UNAVAILABLE').length
  t.equal(lines(), 1, 'one line')
  t.equal(await metricValue(registry, metricNames.stateRedisUp), 0)
  t.equal(await metricValue(registry, metricNames.stateRedisErrors, { op: 'device_rate' }), 5)
  now += 60_000
  await s.rate.take('k', 1, 1)
  t.equal(lines(), 2, 'a second line one interval later')
})

t.test('a request\'s device and global charges leave together, neither waiting for the other\'s answer: one round trip', { skip }, async (t) => {
  const redis = await startRedis(t)
  // A TCP relay in front of redis-server that counts the client's writes as they arrive.
  const chunks: string[] = []
  const relay = createServer((client) => {
    const upstream = connect(redis.port, '127.0.0.1')
    client.on('data', (b: Buffer) => { chunks.push(b.toString('latin1')); upstream.write(b) })
    upstream.on('data', (b: Buffer) => { client.write(b) })
    client.on('error', () => { upstream.destroy() })
    upstream.on('error', () => { client.destroy() })
    client.on('close', () => { upstream.destroy() })
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { relay.close() })
  const { s } = await shared(t, `redis://127.0.0.1:${(relay.address() as AddressInfo).port}`)
  await until(() => s.up, 'connected', 5000)
  await s.rate.take('warm-up', 1, 1)
  await s.rate.takeGlobal(10, 10)
  const before = chunks.length
  const both = await Promise.all([s.rate.take('dev-x', 10, 10), s.rate.takeGlobal(10, 10)])
  t.same(both, [0, 0], 'both answered')
  const sent = chunks.slice(before).filter((c) => /eval/i.test(c))
  t.equal(sent.length, 1, 'both arrived in one read')
  t.equal((sent[0]?.match(/\beval\b/gi) ?? []).length, 2, 'two scripts in it')
})
