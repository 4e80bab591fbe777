import t from 'tap'
import { Client } from 'undici'
import { startCountingUpstream } from '../upstream/fixtures/counting-upstream.js'
import { pingBody, send, startPoolGateway } from '../upstream/fixtures/pool-gateway.js'

const QUIET_POOL = { healthCheck: { interval: '1h' } }

t.test('held Pings are never cut by the limiter; a Ping over maxHeldPings gets 503 + Retry-After', async (t) => {
  const up = await startCountingUpstream()
  t.teardown(up.close)
  up.behave = (_req, cmd) => ({ kind: 'answer', holdMs: cmd === 'Ping' ? 1500 : 0 })
  const gw = await startPoolGateway(t, { a: up.url }, { pool: QUIET_POOL, limits: { requestsPerSecond: 0.01, burst: 3, maxHeldPings: 3 } })
  const held = ['P1', 'P2', 'P3'].map(async (deviceId) => await send(gw.base, { cmd: 'Ping', deviceId, body: pingBody(300) }))
  await up.waitUntil((seen) => seen.filter((s) => s.cmd === 'Ping').length === 3)

  const overCap = await send(gw.base, { cmd: 'Ping', deviceId: 'P4', body: pingBody(300) })
  t.equal(overCap.status, 503, 'a 4th Ping: over maxHeldPings')
  const ra = Number(overCap.headers['retry-after'])
  t.ok(ra >= 30 && ra <= 60, `Retry-After ${ra} s (30-60, jittered)`)
  const storm = await Promise.all(Array.from({ length: 30 }, async (_, i) => await send(gw.base, { deviceId: `S${i}` })))
  t.ok(storm.every((r) => r.status === 503 && Number(r.headers['retry-after']) >= 1), 'the burst is spent: every other request refused, with Retry-After')
  const again = await send(gw.base, { cmd: 'Ping', deviceId: 'P1', body: pingBody(300) })
  t.equal(again.status, 503, 'P1 re-Pings while the limit is reached: refused before it could supersede its held Ping')

  const answers = await Promise.all(held)
  t.same(answers.map((a) => [a.status, a.body]), [[200, 'ok'], [200, 'ok'], [200, 'ok']], 'every held Ping got the server\'s own answer')
  t.equal(up.posts().filter((s) => s.cmd === 'Ping').length, 3, 'the upstream saw only the three held Pings')
  t.equal(up.posts().length, 3)
  t.equal(await gw.value('limitRejections', { limit: 'held_pings' }), 1)
  t.equal(await gw.value('limitRejections', { limit: 'global_rate' }), 31)
  t.equal(await gw.value('requests', { command: 'Ping', outcome: 'completed' }), 3)
  t.match(gw.lines().find((l) => l.msg === 'request' && l['eas.reason'] === 'limit_held_pings'), { 'eas.outcome': 'refused_limit', 'http.response.status_code': 503, 'eas.device.id': 'P4', 'error.code': 'GW_ERR_POLICY_LIMIT' })
})

t.test('per-device rate: a looping device is limited, the others are not', async (t) => {
  const up = await startCountingUpstream()
  t.teardown(up.close)
  const gw = await startPoolGateway(t, { a: up.url }, { pool: QUIET_POOL, limits: { perDevice: { requestsPerSecond: 0.5, burst: 3 } } })
  const loop: number[] = []
  for (let i = 0; i < 10; i++) loop.push((await send(gw.base, { deviceId: 'LOOPY' })).status)
  t.same(loop, [200, 200, 200, 503, 503, 503, 503, 503, 503, 503])
  t.equal((await send(gw.base, { deviceId: 'CALM' })).status, 200)
  t.equal((await send(gw.base, { deviceId: 'LOOPY', user: 'bob' })).status, 200, 'the key is user + DeviceId')
  t.same(up.posts().map((s) => s.deviceId), ['LOOPY', 'LOOPY', 'LOOPY', 'CALM', 'LOOPY'])
  t.equal(await gw.value('limitRejections', { limit: 'device_rate' }), 7)
})

t.test('maxConnections: a connection over the cap gets 503 + Retry-After + Connection: close, and a freed slot is reused', async (t) => {
  const up = await startCountingUpstream()
  t.teardown(up.close)
  const gw = await startPoolGateway(t, { a: up.url }, { pool: QUIET_POOL, limits: { maxConnections: 2 } })
  const origin = new URL(gw.base).origin
  const clients = [new Client(origin), new Client(origin), new Client(origin)]
  t.teardown(async () => { await Promise.all(clients.map(async (c) => { await c.destroy() })) })
  const [c1, c2, c3] = clients as [Client, Client, Client]
  t.equal((await send(gw.base, { deviceId: 'C1', dispatcher: c1 })).status, 200)
  t.equal((await send(gw.base, { deviceId: 'C2', dispatcher: c2 })).status, 200)
  t.equal(await gw.value('deviceConnections'), 2, 'both kept alive')
  const third = await send(gw.base, { deviceId: 'C3', dispatcher: c3 })
  t.equal(third.status, 503)
  t.equal(third.headers.connection, 'close')
  t.ok(Number(third.headers['retry-after']) >= 30)
  t.equal(await gw.value('limitRejections', { limit: 'connections' }), 1)
  t.equal((await send(gw.base, { deviceId: 'C1', dispatcher: c1 })).status, 200, 'admitted connections keep working')
  await c2.close()
  // The server sees c2's close a moment after the client does, and exposes no event for it:
  // bounded retries, each on a new connection (a refused one is closed by the server).
  let admitted = false
  for (let i = 0; i < 50 && !admitted; i++) {
    const fresh = new Client(origin)
    admitted = (await send(gw.base, { deviceId: 'C4', dispatcher: fresh })).status === 200
    await fresh.destroy()
    if (!admitted) await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.ok(admitted, 'a freed slot admits a new connection')
  t.equal(up.posts().filter((s) => s.deviceId === 'C3').length, 0, 'the refused connection reached nobody')
})
