import t from 'tap'
import { deadPort, startCountingUpstream } from '../upstream/fixtures/counting-upstream.js'
import { send, startPoolGateway } from '../upstream/fixtures/pool-gateway.js'

// Failover (DESIGN.md § Upstreams and storms): a request that failed before any byte reached an
// upstream may go to another one; a request whose bytes were sent is never replayed. Each test
// counts exactly what every loopback upstream received.

/** Pool settings that keep background probes out of the counts: health checks far away. */
const QUIET = { pool: { healthCheck: { interval: '1h' }, ejection: { consecutiveFailures: 2 }, backoff: { initial: '1h', max: '1h' } } }

t.test('connect refused: the request goes to the next upstream, which receives it exactly once', async (t) => {
  const b = await startCountingUpstream()
  t.teardown(b.close)
  const gw = await startPoolGateway(t, { a: `http://127.0.0.1:${await deadPort()}/`, b: b.url }, QUIET)
  const res = await send(gw.base, { cmd: 'SendMail', deviceId: 'D1' })
  t.equal(res.status, 200)
  t.equal(res.body, 'ok')
  t.same(b.posts().map((s) => [s.cmd, s.deviceId]), [['SendMail', 'D1']])
  t.equal(await gw.value('upstreamFailovers', { upstream: 'a', reason: 'refused' }), 1)
  t.equal(await gw.value('upstreamErrors', { upstream: 'a', reason: 'refused' }), 1)
  t.equal(await gw.value('requests', { command: 'SendMail', outcome: 'completed' }), 1)
  t.match(gw.lines().find((l) => l.msg === 'request'), { 'eas.upstream.name': 'b', 'eas.outcome': 'completed', 'eas.upstream.connect_failures': 1 })
})

t.test('DNS failure is told apart, and fails over the same way', async (t) => {
  const b = await startCountingUpstream()
  t.teardown(b.close)
  const gw = await startPoolGateway(t, { a: 'http://eas-gateway-test.invalid/', b: b.url }, QUIET)
  t.equal((await send(gw.base)).status, 200)
  t.equal(b.posts().length, 1)
  t.equal(await gw.value('upstreamFailovers', { upstream: 'a', reason: 'dns' }), 1)
})

t.test('passive ejection: after N connect failures the dead upstream is skipped, not tried', async (t) => {
  const b = await startCountingUpstream()
  t.teardown(b.close)
  const gw = await startPoolGateway(t, { a: `http://127.0.0.1:${await deadPort()}/`, b: b.url }, QUIET)
  for (let i = 0; i < 6; i++) t.equal((await send(gw.base, { deviceId: `D${i}` })).status, 200)
  t.equal(b.posts().length, 6, 'every request served once, by b')
  t.equal(await gw.value('upstreamFailovers', { upstream: 'a' }), 2, 'a was tried twice (consecutiveFailures 2), then ejected')
  t.equal(await gw.value('upstreamEjections', { upstream: 'a', reason: 'refused' }), 1)
  t.equal(await gw.value('upstreamUp', { upstream: 'a' }), 0)
  t.ok(gw.lines().some((l) => l.msg === 'upstream ejected' && l.upstream === 'a' && l.reason === 'refused'))
})

t.test('bytes sent: never replayed. The upstream that got them resets; nobody else sees the request', async (t) => {
  const a = await startCountingUpstream()
  const b = await startCountingUpstream()
  t.teardown(a.close)
  t.teardown(b.close)
  a.behave = () => ({ kind: 'reset' })
  const gw = await startPoolGateway(t, { a: a.url, b: b.url }, QUIET, { weights: { a: 100 } })
  for (const cmd of ['SendMail', 'Sync']) {
    const res = await send(gw.base, { cmd, deviceId: `D-${cmd}` })
    t.equal(res.status, 502, `${cmd}: a clear error, the device retries itself`)
  }
  t.same(a.posts().map((s) => s.cmd), ['SendMail', 'Sync'], 'a received each exactly once')
  t.same(b.posts(), [], 'b received nothing: no replay')
  t.equal(await gw.value('upstreamFailovers'), 0)
  t.equal(await gw.value('requests', { outcome: 'upstream_reset' }), 2)
  // regression: #9 — resets of requests a server had taken count towards ejection (no hot loop)
  t.equal(await gw.value('upstreamEjections', { upstream: 'a', reason: 'reset' }), 1, 'two resets in a row (consecutiveFailures 2) eject a')
  t.equal((await send(gw.base, { cmd: 'SmartReply', deviceId: 'D-SmartReply' })).status, 200, 'the next request goes to b')
  t.same(b.posts().map((s) => s.cmd), ['SmartReply'])
  t.equal(a.posts().length, 2, 'a saw nothing more')
})

t.test('a streamed body (over 64 KiB) is not replayed either, even when the connect failed', async (t) => {
  const b = await startCountingUpstream()
  t.teardown(b.close)
  const gw = await startPoolGateway(t, { a: `http://127.0.0.1:${await deadPort()}/`, b: b.url }, QUIET)
  const res = await send(gw.base, { cmd: 'SendMail', body: Buffer.alloc(200 * 1024, 7) })
  t.equal(res.status, 503, 'nothing reached any server: 503 with Retry-After')
  t.ok(Number(res.headers['retry-after']) >= 1)
  t.same(b.seen, [], 'b saw nothing')
  t.equal(await gw.value('requests', { command: 'SendMail', outcome: 'upstream_unreachable' }), 1)
  t.equal(await gw.value('upstreamFailovers'), 0)
})

// regression: #9 — every upstream refusing this request's connect used to answer a bare 502
t.test('every upstream unreachable: each tried once, then 503 with a jittered Retry-After at once', async (t) => {
  const gw = await startPoolGateway(t, { a: `http://127.0.0.1:${await deadPort()}/`, b: `http://127.0.0.1:${await deadPort()}/` }, QUIET)
  const res = await send(gw.base)
  t.equal(res.status, 503)
  t.ok(['1', '2'].includes(String(res.headers['retry-after'])), 'Retry-After 1-1.5 s, rounded up')
  t.equal(res.headers.connection, 'close')
  t.equal(await gw.value('upstreamErrors', { reason: 'refused' }), 2, 'a and b tried once each')
  t.equal(await gw.value('upstreamFailovers'), 1)
})
