import t from 'tap'
import { createRequestLimiter, type LimitDecision, type LimitSettings } from '../../lib/policy/index.js'

const SETTINGS: LimitSettings = {
  requestsPerSecond: 100,
  burst: 10,
  perDevice: { requestsPerSecond: 2, burst: 4, maxTracked: 1000 },
  maxHeldPings: 3,
  maxConnections: 5,
  maxRetryAfter: 600_000
}

/** A fake clock: time moves only when the test says so; random is scripted. */
function fakeClock (random = 0.5): { now: () => number, random: () => number, t: number } {
  const c = { t: 0, now: () => c.t, random: () => random }
  return c
}

function refused (d: LimitDecision): { limit: string, retryAfterMs: number } {
  if (d.ok) throw new Error('expected a refusal')
  return d
}

t.test('global rate: burst, then refusals with a wait that grows with the refused crowd', async (t) => {
  const clock = fakeClock(1)
  const l = createRequestLimiter(SETTINGS, clock)
  for (let i = 0; i < 10; i++) t.ok(l.admitRequest().ok)
  const waits: number[] = []
  for (let i = 0; i < 500; i++) waits.push(refused(l.admitRequest()).retryAfterMs)
  t.equal(refused(l.admitRequest()).limit, 'global_rate')
  t.equal(waits[0], 1000, 'the first refused waits the minimum (1 s)')
  // 500 refused at 100/s need 5 s: the last is spread up to ~5 s out.
  t.ok((waits[499] as number) >= 5000 && (waits[499] as number) <= 5100, `last wait ${waits[499]}`)
  t.ok(waits.every((w, i) => i === 0 || w >= (waits[i - 1] as number)), 'with random = 1 the spread grows monotonically')
})

t.test('global rate: the backlog drains at the rate, so a later refusal waits less', async (t) => {
  const clock = fakeClock(1)
  const l = createRequestLimiter(SETTINGS, clock)
  for (let i = 0; i < 510; i++) l.admitRequest()
  clock.t = 4000
  for (let i = 0; i < 400; i++) l.admitRequest() // the refilled burst + refusals
  const later = refused(l.admitRequest()).retryAfterMs
  t.ok(later < 6000, `backlog drained, then grew again: ${later}`)
})

t.test('global rate: jitter is drawn from random, and capped by maxRetryAfter', async (t) => {
  const low = createRequestLimiter(SETTINGS, fakeClock(0))
  for (let i = 0; i < 10; i++) low.admitRequest()
  const waits = new Set<number>()
  for (let i = 0; i < 1000; i++) waits.add(refused(low.admitRequest()).retryAfterMs)
  t.same([...waits], [1000], 'random = 0: everyone gets the minimum')
  const capped = createRequestLimiter({ ...SETTINGS, maxRetryAfter: 2000 }, fakeClock(1))
  for (let i = 0; i < 2000; i++) capped.admitRequest()
  t.equal(refused(capped.admitRequest()).retryAfterMs, 2000)
})

t.test('the upstream sees the rate: over 10 s of constant pressure, burst + rate x 10 pass', async (t) => {
  const clock = fakeClock()
  const l = createRequestLimiter(SETTINGS, clock)
  let admitted = 0
  for (clock.t = 0; clock.t < 10_000; clock.t += 1) {
    for (let i = 0; i < 5; i++) if (l.admitRequest().ok) admitted++
  }
  t.ok(admitted >= 1009 && admitted <= 1010, `admitted ${admitted}`)
})

t.test('per-device rate: one device is limited, others are not', async (t) => {
  const clock = fakeClock(0)
  const l = createRequestLimiter(SETTINGS, clock)
  for (let i = 0; i < 4; i++) t.ok(l.admitDevice('alice\u0000A').ok)
  const r = refused(l.admitDevice('alice\u0000A'))
  t.equal(r.limit, 'device_rate')
  t.equal(r.retryAfterMs, 1000, '2/s: 500 ms to the next token, at least 1 s')
  t.ok(l.admitDevice('bob\u0000B').ok)
  t.equal(l.trackedDevices, 2)
  clock.t = 500
  t.ok(l.admitDevice('alice\u0000A').ok, 'refilled')
})

t.test('held Pings and connections: caps with a jittered 30-60 s wait', async (t) => {
  const l = createRequestLimiter(SETTINGS, fakeClock(0.5))
  t.ok(l.admitPing(2).ok)
  const p = refused(l.admitPing(3))
  t.same(p, { ok: false, limit: 'held_pings', retryAfterMs: 45_000 })
  t.ok(l.admitConnection(5).ok, 'the 5th connection is within maxConnections 5')
  t.equal(refused(l.admitConnection(6)).limit, 'connections')
})

t.test('0 switches each limit off', async (t) => {
  const off = createRequestLimiter({ ...SETTINGS, requestsPerSecond: 0, perDevice: { ...SETTINGS.perDevice, requestsPerSecond: 0 }, maxHeldPings: 0, maxConnections: 0 }, fakeClock())
  let refusals = 0
  for (let i = 0; i < 10_000; i++) {
    if (!(off.admitRequest().ok && off.admitDevice('x').ok && off.admitPing(i).ok && off.admitConnection(i).ok)) refusals++
  }
  t.equal(refusals, 0)
  t.equal(off.trackedDevices, 0, 'no per-device state when the per-device limit is off')
})
