import t from 'tap'
import { request } from 'undici'
import { startCountingUpstream } from '../upstream/fixtures/counting-upstream.js'
import { send, startPoolGateway, type PoolGateway } from '../upstream/fixtures/pool-gateway.js'

// Active health checks, readiness and recovery over real sockets, with test-scale durations (ms).
const FAST = {
  pool: {
    healthCheck: { interval: '50ms', timeout: '300ms' },
    ejection: { consecutiveFailures: 2 },
    backoff: { initial: '100ms', max: '400ms', errorExpiry: '1m' }
  }
}

async function readyz (gw: PoolGateway): Promise<number> {
  const res = await request(`http://127.0.0.1:${gw.adminPort}/readyz`)
  await res.body.dump()
  return res.statusCode
}

// regression: #9 — with one upstream, a 1 s restart meant 19, then 36, then 85 s of 503 for every device
t.test('the only upstream goes away: kept in rotation (panic mode), readiness fails, each device whose connect fails gets 503 + jittered Retry-After; the first request after it is back is served', async (t) => {
  let up = await startCountingUpstream()
  const port = up.port
  const gw = await startPoolGateway(t, { only: `http://127.0.0.1:${port}/SOGo/` }, FAST)
  t.equal(await readyz(gw), 200)
  t.equal((await send(gw.base)).status, 200)

  await up.close()
  const panic = await gw.waitForLog((l) => String(l.msg).includes('panic mode'))
  t.match(panic, { level: 'warn', upstream: 'only', reason: 'refused', code: 'ECONNREFUSED' })
  t.equal(await readyz(gw), 503, 'readiness reflects "no healthy upstream"')
  const retryAfters = new Set<string>()
  for (let i = 0; i < 20; i++) {
    const res = await send(gw.base, { deviceId: `D${i}` })
    t.equal(res.status, 503)
    t.equal(res.headers.connection, 'close')
    retryAfters.add(String(res.headers['retry-after']))
  }
  t.ok([...retryAfters].every((v) => v === '1' || v === '2'), `Retry-After: 1 s plus up to half again: ${[...retryAfters].join(',')}`)
  t.equal(await gw.value('requests', { outcome: 'upstream_unreachable' }), 20, 'each one tried the server')
  t.equal(await gw.value('upstreamEjections'), 0, 'never ejected')
  t.equal(await gw.value('upstreamUp', { upstream: 'only' }), 0)

  up = await startCountingUpstream(port)
  t.teardown(up.close)
  // No waiting for a re-probe: the very next request reaches the server and ends the panic.
  t.equal((await send(gw.base)).status, 200)
  t.equal(up.posts().length, 1)
  t.ok(gw.lines().some((l) => l.msg === 'upstream restored'))
  t.equal(await readyz(gw), 200)
  t.equal(await gw.value('upstreamUp', { upstream: 'only' }), 1)
  t.ok(await gw.value('upstreamHealthChecks', { upstream: 'only', result: 'refused' }) >= 1, 'probed while down')
})

t.test('401 means alive (IIS and the EAS app answered); 503 does not', async (t) => {
  const up = await startCountingUpstream()
  t.teardown(up.close)
  up.behave = (req) => ({ kind: 'answer', status: req.method === 'OPTIONS' ? 401 : 200 })
  const gw = await startPoolGateway(t, { a: up.url }, FAST)
  await up.waitUntil((seen) => seen.filter((s) => s.method === 'OPTIONS').length >= 3)
  t.ok(gw.upstreams.anyAlive())
  t.equal(await gw.value('upstreamPanic'), 0)
  up.behave = () => ({ kind: 'answer', status: 503 })
  t.match(await gw.waitForLog((l) => String(l.msg).includes('panic mode')), { reason: 'status', code: 'HTTP_503' })
  t.equal(await readyz(gw), 503)
})

t.test('a name that does not resolve: reason dns, and kept being probed', async (t) => {
  const gw = await startPoolGateway(t, { a: 'http://eas-gateway-test.invalid/' }, FAST)
  t.match(await gw.waitForLog((l) => String(l.msg).includes('panic mode')), { reason: 'dns', code: 'ENOTFOUND' })
  const until = Date.now() + 5000
  while (await gw.value('upstreamHealthChecks', { upstream: 'a', result: 'dns' }) < 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50))
  t.ok(await gw.value('upstreamHealthChecks', { upstream: 'a', result: 'dns' }) >= 3)
  t.equal(await gw.value('upstreamPanic', { upstream: 'a' }), 1)
})

t.test('drain stops the health checks: no probe reaches the upstream afterwards', async (t) => {
  const up = await startCountingUpstream()
  t.teardown(up.close)
  const gw = await startPoolGateway(t, { a: up.url }, FAST)
  await up.waitUntil((seen) => seen.length >= 2)
  await gw.stop()
  const after = up.seen.length
  // A negative check needs a wait: ten probe intervals.
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(up.seen.length, after)
})
