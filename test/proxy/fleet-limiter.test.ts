import t from 'tap'
import { createRequestLimiter, type LimitSettings } from '../../lib/policy/index.js'
import { createFleetLimiter } from '../../lib/proxy/fleet-limiter.js'

const SETTINGS: LimitSettings = {
  requestsPerSecond: 0,
  burst: 1,
  maxHeldPings: 0,
  maxConnections: 0,
  maxRetryAfter: 600_000,
  perDevice: { requestsPerSecond: 1, burst: 2, maxTracked: 2 }
}

/** A limiter on a hand-moved clock over a fleet bucket the test answers by hand. */
function fleet (settings = SETTINGS) {
  const clock = { now: 0 }
  const calls: { key: string, rate: number, burst: number, answer: (ms: number | undefined) => void }[] = []
  const charge = async (key: string, r: number, burst: number): Promise<number | undefined> => await new Promise((resolve) => { calls.push({ key, rate: r, burst, answer: resolve }) })
  const rate = { take: charge, takeGlobal: async (r: number, burst: number) => await charge('(global)', r, burst) }
  const local = createRequestLimiter(settings, { now: () => clock.now, random: () => 0 })
  const limiter = createFleetLimiter({ local, rate, settings, now: () => clock.now, random: () => 0 })
  return { clock, calls, limiter }
}

t.test('an admitted request is charged to the fleet bucket; a refusal from the fleet blocks the next one here', async (t) => {
  const { clock, calls, limiter } = fleet()
  t.same(limiter.admitDevice('k1'), { ok: true }, 'decided at once on local state')
  t.equal(calls.length, 1, 'one fleet charge')
  t.match(calls[0], { key: 'k1', rate: 1, burst: 2 })
  calls[0]?.answer(0)
  await Promise.resolve()
  t.same(limiter.admitDevice('k1'), { ok: true }, 'the fleet had a token: nothing blocked')
  calls[1]?.answer(1500) // the fleet bucket was empty: a token is back in 1.5 s
  await new Promise((resolve) => setImmediate(resolve))
  clock.now += 500
  t.same(limiter.admitDevice('k1'), { ok: false, limit: 'device_rate', retryAfterMs: 1000 }, 'blocked here until the fleet has a token (Retry-After at least 1 s)')
  t.equal(calls.length, 2, 'a refused request is not charged')
  t.same(limiter.admitDevice('k2'), { ok: true }, 'another device is not blocked')
  clock.now += 1000
  t.same(limiter.admitDevice('k1'), { ok: true }, 'after the wait, admitted again')
})

t.test('Redis not answering in time leaves the local decision alone', async (t) => {
  const { calls, limiter } = fleet()
  limiter.admitDevice('k1')
  calls[0]?.answer(undefined)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(limiter.admitDevice('k1'), { ok: true })
})

t.test('the local bucket still applies first, and a rate of 0 switches both off', async (t) => {
  const { limiter, calls } = fleet()
  t.ok(limiter.admitDevice('k').ok)
  t.ok(limiter.admitDevice('k').ok)
  t.match(limiter.admitDevice('k'), { ok: false, limit: 'device_rate' }, 'burst 2 spent locally')
  t.equal(calls.length, 2, 'only admitted requests are charged')
  const off = fleet({ ...SETTINGS, perDevice: { ...SETTINGS.perDevice, requestsPerSecond: 0 } })
  for (let i = 0; i < 5; i++) t.ok(off.limiter.admitDevice('k').ok)
  t.equal(off.calls.length, 0, 'no Redis call when the limit is off')
})

t.test('the blocked set is bounded by perDevice.maxTracked', async (t) => {
  const { calls, limiter } = fleet()
  for (const k of ['a', 'b', 'c']) limiter.admitDevice(k)
  for (const c of calls) c.answer(10_000)
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(limiter.admitDevice('a').ok, 'the oldest block was dropped (more lenient, never stricter)')
  t.notOk(limiter.admitDevice('b').ok, 'b is still blocked')
  t.notOk(limiter.admitDevice('c').ok, 'c is still blocked')
  t.equal(limiter.trackedDevices, 2, 'tracked devices are the local limiter\'s (bounded too)')
  t.same(limiter.admitPing(0), { ok: true })
  t.same(limiter.admitConnection(1), { ok: true })
  t.same(limiter.admitRequest(), { ok: true })
})

t.test('the global rate: each admitted request is charged to the fleet bucket; an empty fleet bucket refuses every request here until a token is back', async (t) => {
  const { clock, calls, limiter } = fleet({ ...SETTINGS, requestsPerSecond: 10, burst: 3, perDevice: { ...SETTINGS.perDevice, requestsPerSecond: 0 } })
  t.same(limiter.admitRequest(), { ok: true }, 'decided at once on local state')
  t.match(calls, [{ key: '(global)', rate: 10, burst: 3 }], 'one charge to the fleet\'s global bucket')
  calls[0]?.answer(0)
  t.same(limiter.admitRequest(), { ok: true })
  calls[1]?.answer(2500) // another gateway spent the fleet's tokens: one is back in 2.5 s
  await new Promise((resolve) => setImmediate(resolve))
  clock.now += 500
  t.same(limiter.admitRequest(), { ok: false, limit: 'global_rate', retryAfterMs: 2000 }, 'refused here until the fleet has a token')
  t.equal(calls.length, 2, 'a refused request is not charged')
  t.ok(limiter.admitDevice('k').ok, 'the per-device limit is another matter')
  clock.now += 2000
  t.same(limiter.admitRequest(), { ok: true }, 'after the wait, admitted again')
  calls[2]?.answer(undefined) // Redis did not answer in time
  await new Promise((resolve) => setImmediate(resolve))
  t.same(limiter.admitRequest(), { ok: true }, 'no answer from Redis: the local bucket decides alone')
  t.ok(limiter.admitRequest().ok, 'the third token of the local burst')
  t.match(limiter.admitRequest(), { ok: false, limit: 'global_rate' }, 'the local bucket still applies first (burst 3 spent here)')
  t.equal(calls.length, 5, 'only admitted requests are charged')
})

t.test('a global rate of 0 makes no Redis call', async (t) => {
  const { calls, limiter } = fleet({ ...SETTINGS, perDevice: { ...SETTINGS.perDevice, requestsPerSecond: 0 } })
  for (let i = 0; i < 5; i++) t.ok(limiter.admitRequest().ok)
  t.equal(calls.length, 0)
})
