import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { createAccessController, type AccessController } from '../../lib/access/index.js'
import { createLogger } from '../../lib/log/index.js'
import { createMetrics, metricNames } from '../../lib/metrics/index.js'
import type { AccessRequest } from '../../lib/policy/index.js'
import { createSharedState, type SharedState } from '../../lib/state/index.js'
import { createLogSink } from '../helpers/log-sink.js'
import { metricValue } from '../helpers/metric-values.js'
import { redisMissing, startRedis } from '../helpers/redis-server.js'
import { until } from '../helpers/until.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

const skip = redisMissing()
const SYNC: AccessRequest = { method: 'POST', command: 'Sync', user: 'alice@corp.example', deviceId: 'PHONE1', deviceType: 'iPhone', userAgent: 'Apple-iPhone15C2/2104.81', protocolVersion: '16.1' }
const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve)) }

async function shared (t: Test, url: string, keyPrefix = 'acc:'): Promise<{ s: SharedState, registry: Registry }> {
  const registry = new Registry()
  const metrics = createMetrics(registry, { version: 'test', defaultMetrics: false })
  const s = createSharedState({ url, keyPrefix, timeout: 200, devicesInterval: 1000, logger: createLogger({ level: 'info', destination: createLogSink().stream }), metrics })
  t.teardown(async () => { await s.close() })
  await until(() => s.up, 'connected', 5000)
  return { s, registry }
}

async function policyFile (t: Test, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eas-fleet-access-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'devices.yaml')
  await writeFile(file, text)
  return file
}

t.test('fleet slots: first seen kept, bounded per user, expiring, released; no user name in keys', { skip }, async (t) => {
  const redis = await startRedis(t)
  const { s } = await shared(t, redis.url)
  const bounds = { ttl: 60_000, maxPerUser: 2 }
  t.same(await s.slots.touch('Alice', 'D1', 1000, bounds), [{ deviceId: 'D1', firstSeen: 1000, lastSeen: 1000 }])
  const two = await s.slots.touch('alice', 'D2', 2000, bounds)
  t.same([...(two ?? [])].sort((a, b) => a.firstSeen - b.firstSeen), [{ deviceId: 'D1', firstSeen: 1000, lastSeen: 1000 }, { deviceId: 'D2', firstSeen: 2000, lastSeen: 2000 }], 'users compare case-insensitively')
  const again = await s.slots.touch('alice', 'D1', 3000, bounds)
  t.match(again?.find((x) => x.deviceId === 'D1'), { firstSeen: 1000, lastSeen: 3000 }, 'first seen kept, last seen moved')
  const three = await s.slots.touch('alice', 'D3', 4000, bounds)
  t.same(three?.map((x) => x.deviceId).sort(), ['D1', 'D3'], 'over maxPerUser: the least recently seen (D2) is forgotten')
  const later = await s.slots.touch('alice', 'D4', 4000 + 60_001 + 3000, { ttl: 60_000, maxPerUser: 5 })
  t.same(later?.map((x) => x.deviceId), ['D4'], 'slots not seen for ttl are gone')
  await s.slots.release('ALICE', 'D4')
  t.same(await s.slots.touch('alice', 'D5', 70_000, bounds), [{ deviceId: 'D5', firstSeen: 70_000, lastSeen: 70_000 }], 'a released slot is gone')
  const client = new Redis(redis.url)
  t.teardown(() => { client.disconnect() })
  const keys = await client.keys('acc:slots:*')
  t.equal(keys.length, 1)
  t.notOk(keys[0]?.includes('alice'), 'the user is hashed')
  const ttl = await client.pttl(keys[0] ?? '')
  t.ok(ttl > 0 && ttl <= 60_000, `the key expires (${ttl} ms)`)
})

t.test('maxDevicesPerUser across two gateways: a device seen by one takes a slot on the other', { skip }, async (t) => {
  const redis = await startRedis(t)
  const file = await policyFile(t, 'maxDevicesPerUser: 1\n')
  const clock = fakeClock()
  const controllers: AccessController[] = []
  for (let i = 0; i < 2; i++) {
    const c = createAccessController({ policyFile: file, readFile: async (p) => await readFile(p, 'utf8'), timers: clock, now: () => 1_000_000 + clock.t })
    t.teardown(() => { c.close() })
    await c.reload()
    c.share({ slots: (await shared(t, redis.url)).s.slots, lists: (await shared(t, redis.url)).s.lists })
    controllers.push(c)
  }
  const [a, b] = controllers as [AccessController, AccessController]
  t.match(a.decide(SYNC), { decision: 'allow' }, 'gateway A: the first device')
  await settle()
  clock.t = 10
  t.match(b.decide({ ...SYNC, deviceId: 'PHONE2' }), { decision: 'allow' }, 'gateway B decides at once on what it knows: the one request the fleet lets slip')
  await until(() => b.check({ ...SYNC, deviceId: 'PHONE2' }).decision === 'block', 'B heard of A\'s device', 2000)
  t.match(b.decide({ ...SYNC, deviceId: 'PHONE2' }), { decision: 'block', rule: 'device-limit', status: 177 }, 'gateway B: the second device is over the limit from its next request')
  t.match(b.decide(SYNC), { decision: 'allow' }, 'gateway B: the first device holds the slot')
  clock.t = 20_000
  t.match(a.decide(SYNC), { decision: 'allow' })
  await settle()
  await until(() => a.check({ ...SYNC, deviceId: 'PHONE2' }).decision === 'block', 'A syncs within SLOT_SYNC_INTERVAL', 2000)
  t.pass('gateway A learned of PHONE2 too')
})

t.test('a compliance list is fetched once for the fleet; the others adopt the copy; Redis down: each fetches itself', { skip }, async (t) => {
  const redis = await startRedis(t)
  let hits = 0
  const server = createServer((_req, res) => { hits++; res.setHeader('content-type', 'application/json'); res.setHeader('etag', '"v1"'); res.end('["PHONE1","PHONE3"]') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mdm.json`
  const file = await policyFile(t, `default: block\nlists: { mdm: { url: "${url}", interval: 1m } }\nrules:\n  - { name: mdm, match: { list: mdm }, action: allow }\n`)
  const clock = fakeClock()
  const controllers: AccessController[] = []
  const registries: Registry[] = []
  for (let i = 0; i < 3; i++) {
    const c = createAccessController({ policyFile: file, readFile: async (p) => await readFile(p, 'utf8'), timers: clock, now: () => 1_000_000 + clock.t })
    t.teardown(() => { c.close() })
    const { s, registry } = await shared(t, redis.url)
    registries.push(registry)
    c.share({ slots: s.slots, lists: s.lists })
    await c.reload()
    controllers.push(c)
  }
  t.equal(hits, 1, 'three gateways started: the MDM was asked once')
  for (const c of controllers) {
    t.match(c.status().lists, [{ name: 'mdm', state: 'fresh', entries: 2 }], 'every gateway has the list')
    t.match(c.decide({ ...SYNC, deviceId: 'PHONE3' }), { decision: 'allow', rule: 'mdm' })
  }
  await clock.advance(60_000)
  // Each list polls again once its refresh is done: three timers pending means all three are.
  await until(() => clock.pending().length === 3, 'the three polls done', 3000)
  t.equal(hits, 2, `one interval later: asked once more for the whole fleet (a conditional GET); pending ${clock.pending().join(',')}`)
  t.ok(controllers.every((c) => c.status().lists[0]?.state === 'fresh'), 'every gateway still fresh')
  await redis.kill()
  await clock.advance(60_000)
  await until(() => hits === 5, 'each gateway fetched itself', 3000)
  t.ok(controllers.every((c) => c.status().lists[0]?.state === 'fresh'), 'Redis down: each gateway fetches itself, the list stays fresh')
  const errors = await Promise.all(registries.map(async (r) => await metricValue(r, metricNames.stateRedisErrors, { op: 'access_list' })))
  t.ok(errors.every((n) => n >= 1), `the failed Redis calls are counted (${errors.join(', ')})`)
})
