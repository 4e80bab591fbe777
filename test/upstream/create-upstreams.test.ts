import t, { type Test } from 'tap'
import { loadGatewayConfig } from '../../lib/config/index.js'
import { metricNames } from '../../lib/metrics/index.js'
import { createUpstreams, DEFAULT_POOL_SETTINGS, type ProbeResult, type Upstream, type UpstreamSet } from '../../lib/upstream/index.js'
import { fakeClock, type FakeClock } from './fixtures/fake-clock.js'
import { observe, type Observed } from './fixtures/observe.js'

const POOL = { healthCheck: { interval: 10_000, timeout: 5_000, path: 'Microsoft-Server-ActiveSync' }, ejection: { consecutiveFailures: 3 }, backoff: { initial: 30_000, max: 120_000, errorExpiry: 3_600_000 } }
const ALIVE: ProbeResult = { ok: true, status: 401 }
const REFUSED: ProbeResult = { ok: false, reason: 'refused', code: 'ECONNREFUSED' }

interface Rig { set: UpstreamSet, clock: FakeClock, obs: Observed, probes: { name: string, path: string, at: number }[], answer: Map<string, ProbeResult | Error>, u: (name: string) => Upstream }

/** Upstreams on a fake clock with a scripted probe (default: alive); closed at teardown. */
function rig (t: Test, names: string[], over: { random?: () => number, weights?: number[] } = {}): Rig {
  const clock = fakeClock(over.random)
  const obs = observe()
  const probes: Rig['probes'] = []
  const answer = new Map<string, ProbeResult | Error>()
  const specs = names.map((name, i) => ({ name, url: `http://${name}.example:8080/SOGo/`, verifyCertificate: true, weight: over.weights?.[i] ?? 1 }))
  const set = createUpstreams(specs, {
    connectTimeout: 1000,
    pool: POOL,
    metrics: obs.metrics,
    logger: obs.logger,
    clock,
    async probe (u, o) {
      probes.push({ name: u.name, path: o.path, at: clock.now() })
      const a = answer.get(u.name) ?? ALIVE
      if (a instanceof Error) throw a
      return a
    }
  })
  t.teardown(async () => { await set.close() })
  return { set, clock, obs, probes, answer, u: (n) => set.all.find((x) => x.name === n) as Upstream }
}

const refuse = (r: Rig, name: string, times = 1): void => {
  for (let i = 0; i < times; i++) r.set.reportFailure(r.u(name), { reason: 'refused', code: 'ECONNREFUSED' })
}

t.test('defaults: the pool defaults equal the config schema defaults', async (t) => {
  const l = loadGatewayConfig('upstreams: [{ name: a, url: "http://127.0.0.1:1/" }]\n', 'gw.yaml')
  t.same(l.config?.pool, DEFAULT_POOL_SETTINGS)
  t.equal(l.config?.upstreams[0]?.weight, 1)
})

t.test('pick: weighted least connections among alive upstreams, acquire/release tracked in metrics', async (t) => {
  const r = rig(t, ['a', 'b'], { weights: [1, 2] })
  const picked: string[] = []
  for (let i = 0; i < 6; i++) { const u = r.set.pick(); if (u !== undefined) { r.set.acquire(u); picked.push(u.name) } }
  t.same(picked.filter((n) => n === 'b').length, 4, 'b has twice the weight: 4 of 6')
  t.equal(await r.obs.value(metricNames.upstreamInFlight, { upstream: 'b' }), 4)
  r.set.release(r.u('b'))
  t.equal(r.u('b').inFlight, 3)
  t.equal(r.set.pick(new Set([r.u('b')]))?.name, 'a', 'exclude skips an upstream')
  t.equal(r.set.pick(new Set(r.set.all)), undefined)
})

t.test('passive ejection after N connect failures, told apart by reason in metrics and logs', async (t) => {
  const r = rig(t, ['a', 'b'])
  refuse(r, 'a', 2)
  t.ok(r.u('a').health.alive, '2 of 3')
  r.set.reportFailure(r.u('a'), { reason: 'dns', code: 'ENOTFOUND' })
  t.notOk(r.u('a').health.alive)
  t.equal(r.set.pick()?.name, 'b', 'only b takes requests')
  t.ok(r.set.anyAlive())
  t.equal(await r.obs.value(metricNames.upstreamUp, { upstream: 'a' }), 0)
  t.equal(await r.obs.value(metricNames.upstreamUp, { upstream: 'b' }), 1)
  t.equal(await r.obs.value(metricNames.upstreamEjections, { upstream: 'a', reason: 'dns' }), 1)
  t.match(r.obs.lines().find((l) => l.msg === 'upstream ejected'), { level: 'warn', upstream: 'a', reason: 'dns', code: 'ENOTFOUND', retryInMs: 22_500 })
})

t.test('an ejected upstream is re-probed with backoff, even when periodic checks never started', async (t) => {
  const r = rig(t, ['a', 'b'], { random: () => 1 })
  r.answer.set('a', REFUSED)
  refuse(r, 'a', 3)
  t.notOk(r.u('a').health.alive)
  t.ok(r.set.anyAlive(), 'b still serves')
  t.same(r.clock.pending(), [30_000])
  await r.clock.advance(30_000)
  t.same(r.probes, [{ name: 'a', path: '/SOGo/Microsoft-Server-ActiveSync', at: 30_000 }], 'OPTIONS path = base path + healthCheck.path')
  t.same(r.clock.pending(), [90_000], 'failed re-probe: next ceiling 60 s')
  await r.clock.advance(60_000)
  t.same(r.clock.pending(), [210_000], 'then 120 s (max)')
  await r.clock.advance(120_000)
  t.same(r.clock.pending(), [330_000], 'and stays at max')
  r.answer.set('a', ALIVE)
  await r.clock.advance(120_000)
  t.ok(r.u('a').health.alive, 'restored by a probe')
  t.same(r.clock.pending(), [], 'not started: no periodic probes of an alive upstream')
  t.equal(await r.obs.value(metricNames.upstreamHealthChecks, { upstream: 'a', result: 'refused' }), 3)
  t.equal(await r.obs.value(metricNames.upstreamHealthChecks, { upstream: 'a', result: 'alive' }), 1)
  t.equal(await r.obs.value(metricNames.upstreamUp, { upstream: 'a' }), 1)
  t.match(r.obs.lines().filter((l) => l.msg === 'upstream still down'), [{ reason: 'refused' }, { reason: 'refused' }, { reason: 'refused' }])
  t.ok(r.obs.lines().some((l) => l.msg === 'upstream restored'))
})

t.test('periodic health checks eject a dead idle upstream after N failed probes', async (t) => {
  const r = rig(t, ['a', 'b'])
  r.set.start()
  t.same(r.clock.pending(), [10_000, 10_000], 'first probes one interval after start')
  r.answer.set('b', { ok: false, reason: 'status', code: 'HTTP_503', status: 503 })
  await r.clock.advance(29_999)
  t.ok(r.u('b').health.alive, 'two failed probes')
  await r.clock.advance(1)
  t.notOk(r.u('b').health.alive, 'the third ejects')
  t.equal(await r.obs.value(metricNames.upstreamEjections, { upstream: 'b', reason: 'status' }), 1)
  t.equal(r.probes.filter((p) => p.name === 'a').length, 3)
})

t.test('error expiry: failures spread wider than errorExpiry never eject', async (t) => {
  const r = rig(t, ['a'])
  for (let i = 0; i < 5; i++) { refuse(r, 'a'); await r.clock.advance(POOL.backoff.errorExpiry) }
  t.ok(r.u('a').health.alive)
})

t.test('a probe that throws counts as a failure, never leaves the upstream stuck', async (t) => {
  const r = rig(t, ['a', 'b'])
  r.answer.set('a', new Error('boom'))
  refuse(r, 'a', 3)
  await r.clock.advance(30_000)
  t.equal(await r.obs.value(metricNames.upstreamHealthChecks, { upstream: 'a', result: 'other' }), 1)
  t.equal(r.clock.pending().length, 1, 're-armed')
})

t.test('nothing stays stuck: under random events every ejected upstream has a re-probe within max', async (t) => {
  let seed = 42
  const rnd = (): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31 }
  const r = rig(t, ['a', 'b', 'c'], { random: rnd })
  r.set.start()
  const names = ['a', 'b', 'c']
  let stuck = 0
  for (let step = 0; step < 400; step++) {
    const name = names[Math.floor(rnd() * 3)] as string
    const roll = rnd()
    if (roll < 0.4) refuse(r, name)
    else if (roll < 0.5) r.set.reportSuccess(r.u(name))
    else if (roll < 0.8) r.answer.set(name, rnd() < 0.5 ? REFUSED : ALIVE)
    await r.clock.advance(Math.floor(rnd() * 40_000))
    for (const u of r.set.all) {
      if (!u.health.alive && !(u.health.retryAt > r.clock.now() - 1 && u.health.retryAt <= r.clock.now() + POOL.backoff.max)) stuck++
    }
    if (r.clock.pending().length !== 3) stuck++
  }
  t.equal(stuck, 0)
})

t.test('retryAfterMs: while an upstream is in rotation (panic included), 1 s plus up to half again', async (t) => {
  const r = rig(t, ['a', 'b'], { random: () => 1 })
  refuse(r, 'a', 3)
  refuse(r, 'b', 3)
  t.notOk(r.u('a').health.alive, 'a ejected')
  t.ok(r.u('b').health.panic, 'b, the last one, is kept in panic mode')
  t.equal(r.set.retryAfterMs(), 1500, 'b is still tried: floored at 1 s, +50 %')
})

// regression: #9 — a 1 s restart of the only mail server used to mean 19, 36, then 85 s of 503
t.test('panic mode: the last alive upstream is never ejected; its next success ends the panic, and backoff decays', async (t) => {
  const r = rig(t, ['a'])
  refuse(r, 'a', 3)
  t.ok(r.u('a').health.alive, 'still in rotation')
  t.ok(r.u('a').health.panic)
  t.equal(r.set.pick()?.name, 'a', 'each request still tries it')
  t.notOk(r.set.anyAlive(), 'readiness reports it unhealthy')
  refuse(r, 'a', 10)
  t.equal(await r.obs.value(metricNames.upstreamPanic, { upstream: 'a' }), 1, 'entered once, however many failures follow')
  t.equal(await r.obs.value(metricNames.upstreamUp, { upstream: 'a' }), 0)
  t.equal(await r.obs.value(metricNames.upstreamEjections), 0)
  t.same(r.clock.pending(), [], 'no re-probe needed: it was never taken out')
  t.match(r.obs.lines().find((l) => String(l.msg).includes('panic mode')), { level: 'warn', upstream: 'a', reason: 'refused' })
  r.set.reportSuccess(r.u('a'))
  t.notOk(r.u('a').health.panic, 'one answer ends the panic')
  t.ok(r.set.anyAlive())
  t.equal(await r.obs.value(metricNames.upstreamUp, { upstream: 'a' }), 1)
  t.ok(r.obs.lines().some((l) => l.msg === 'upstream restored'))
})

t.test('panic ends in an ejection once another upstream is alive again; an answer resets the backoff level', async (t) => {
  const r = rig(t, ['a', 'b'])
  r.answer.set('a', REFUSED)
  refuse(r, 'a', 3)
  t.equal(r.u('a').health.level, 1, 'ejected: backoff level 1')
  refuse(r, 'b', 3)
  t.ok(r.u('b').health.panic)
  r.answer.set('a', ALIVE)
  await r.clock.advance(30_000)
  t.ok(r.u('a').health.alive, 'a restored by its re-probe')
  refuse(r, 'b')
  t.notOk(r.u('b').health.alive, 'b is no longer the last: its next failure ejects it')
  t.equal(r.u('a').health.level, 1, 'restored, not yet answered')
  r.set.reportSuccess(r.u('a'))
  t.equal(r.u('a').health.level, 0, 'an answer: the backoff level decays to nothing')
})

t.test('stop: every timer cleared, probes aborted, results after stop ignored; close is idempotent', async (t) => {
  const r = rig(t, ['a', 'b'])
  let release: ((r: ProbeResult) => void) | undefined
  const set = createUpstreams([{ name: 'x', url: 'http://x.example/', verifyCertificate: true }], {
    connectTimeout: 1000,
    pool: POOL,
    clock: r.clock,
    probe: async (_u, o) => await new Promise<ProbeResult>((resolve) => { release = resolve; o.signal?.addEventListener('abort', () => { resolve(REFUSED) }) })
  })
  set.start()
  await r.clock.advance(10_000)
  t.ok(release !== undefined, 'a probe is running')
  set.stop()
  t.same(r.clock.pending(), [], 'no timer left')
  await r.clock.advance(1_000_000)
  t.ok(set.all[0]?.health.alive, 'the aborted probe changed nothing')
  set.reportFailure(set.all[0] as Upstream, { reason: 'refused', code: 'ECONNREFUSED' })
  await set.close()
  await set.close()
})
