import { setTimeout as delay } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { histogramCount, metricValue } from '../helpers/metric-values.js'
import { adminGet, decodePingResponse, histogramSum, PING_PASSWORD, pingBody, pingRequest, type PingIdentity } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'
import type { TestGateway } from '../helpers/start-gateway.js'

/** How long Ping A is held before B arrives: what the superseded-after histogram must see. */
const HOLD_MS = 300

/** Opens a connection, sends a Ping from `id` and waits until the upstream holds it. */
async function holdPing (t: Test, gw: TestGateway, up: Awaited<ReturnType<typeof startUpstream>>, id: PingIdentity, heartbeat = 5) {
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const n = up.requests.length + 1
  dev.write(DeviceConnection.format(pingRequest(id, { body: pingBody(heartbeat) }), gw.port))
  const seen = await up.waitForRequest(n)
  await seen.body
  return { dev, seen }
}

t.test('a new Ping from the same user and DeviceId supersedes the held one', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const id = { user: 'bob', deviceId: 'SUPER1' }

  const a = await holdPing(t, gw, up, id, 5)
  const aHeldFrom = performance.now()
  t.equal(gw.gateway.devices.heldCount, 1, 'A is held')
  await delay(HOLD_MS) // the scenario itself: A is held this long before B arrives
  const bSent = performance.now()
  const b = await holdPing(t, gw, up, id, 6) // same device, same credentials
  const resA = await a.dev.readResponse(2000)
  const aAnswered = performance.now()

  t.equal(resA.status, 200, 'A: HTTP 200')
  t.equal(resA.headers['content-type'], 'application/vnd.ms-sync.wbxml')
  t.strictSame(decodePingResponse(resA.body), { children: ['Ping:Status'], status: 1, heartbeatInterval: undefined }, 'A: Ping Status 1')
  t.ok(aAnswered - bSent < 1000, `A answered as soon as B arrived (${Math.round(aAnswered - bSent)} ms)`)
  await a.seen.closed
  t.ok(a.seen.aborted, 'A\'s upstream request was cancelled (closed unfinished)')
  t.ok((a.seen.closedAt ?? Infinity) - bSent < 1000, 'the upstream saw the cancel at once')
  t.notOk(a.dev.serverClosed, 'A\'s device connection stays open for the next Ping')
  t.equal(b.seen.closedAt, undefined, 'B is held at the upstream')
  t.equal(gw.gateway.devices.heldCount, 1, 'one Ping held: B')

  t.equal(await metricValue(gw.registry, metricNames.pingSuperseded), 1, `${metricNames.pingSuperseded} is 1`)
  t.equal(await histogramCount(gw.registry, metricNames.pingSupersededAfter), 1, 'one superseded-after observation')
  const after = await histogramSum(gw.registry, metricNames.pingSupersededAfter)
  const upper = (aAnswered - aHeldFrom) / 1000 + 0.1
  t.ok(after >= HOLD_MS / 1000 - 0.02 && after <= upper, `superseded after ${after} s: A's hold time (${HOLD_MS} ms to ${Math.round(upper * 1000)} ms)`)
  t.equal(await metricValue(gw.registry, metricNames.pingsHeld), 1, `${metricNames.pingsHeld} is 1`)

  const logged = await gw.sink.waitFor((l) => l.msg === 'ping superseded', 1000)
  t.match(logged, { level: 'info', deviceId: 'SUPER1', user: 'bob', heldSeconds: Number, heartbeat: 5 }, 'logged with how long A was held and its heartbeat')
  t.ok(Math.abs((logged.heldSeconds as number) - after) <= 0.5, `heldSeconds ${String(logged.heldSeconds)} matches the histogram (${after})`)
  const lineA = await gw.sink.waitFor((l) => l.msg === 'request' && l['eas.ping.heartbeat'] === 5)
  t.match(lineA, { level: 'info', 'eas.command': 'Ping', 'eas.outcome': 'answered_locally', 'http.response.status_code': 200, 'eas.reason': 'superseded', 'eas.upstream.name': 'up1' }, 'A\'s access line: answered locally, superseded')
  t.equal(gw.sink.accessLines().length, 1, 'B has no access line yet')
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors), 0, 'a supersede is no upstream error')
  t.equal(await metricValue(gw.registry, metricNames.responses, { status_class: '5xx' }), 0, 'no 5xx')

  const devices = JSON.parse((await adminGet(gw.adminPort, '/devices')).body) as { devices: Record<string, unknown>[] }
  t.match(devices.devices, [{ deviceId: 'SUPER1', user: 'bob', superseded: 1, heldPing: { heartbeat: 6 } }], '/devices counts the supersede, B held')
  t.notOk(gw.sink.raw.some((l) => l.includes(PING_PASSWORD)), 'no password in the logs')
})

t.test('a Ping from another DeviceId or another user does not supersede', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const held = [
    await holdPing(t, gw, up, { user: 'bob', deviceId: 'D1' }),
    await holdPing(t, gw, up, { user: 'bob', deviceId: 'D2' }),
    await holdPing(t, gw, up, { user: 'carol', deviceId: 'D1' }),
    // DeviceIds are case-sensitive (MS-ASHTTP §2.2.1.1.1.2.3): d1 is another device.
    await holdPing(t, gw, up, { user: 'bob', deviceId: 'd1' })
  ]
  // A short request from D1 does not touch its held Ping either.
  up.setMode({ kind: 'echo' })
  const sync = await DeviceConnection.open(gw.port)
  t.teardown(() => { sync.destroy() })
  t.equal((await sync.request(pingRequest({ user: 'bob', deviceId: 'D1' }, { cmd: 'Sync', body: Buffer.from([0x03, 0x01, 0x6a, 0x00]) }))).status, 200, 'a Sync from D1 completes')
  t.equal(gw.gateway.devices.heldCount, 4, 'all four Pings held')
  t.equal(await metricValue(gw.registry, metricNames.pingsHeld), 4)
  t.ok(held.every((h) => h.seen.closedAt === undefined), 'none cancelled at the upstream')
  t.ok(held.every((h) => !h.dev.serverClosed), 'no device answered')
  t.equal(await metricValue(gw.registry, metricNames.pingSuperseded), 0, 'nothing superseded')
  t.notOk(gw.sink.lines().some((l) => l.msg === 'ping superseded'), 'no supersede logged')
})

t.test('a chain of supersedes keeps exactly one held Ping per device; nothing leaks', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const id = { deviceId: 'CHAIN1' }
  const a = await holdPing(t, gw, up, id)
  const b = await holdPing(t, gw, up, id)
  t.equal(decodePingResponse((await a.dev.readResponse(2000)).body).status, 1, 'A: Status 1')
  const c = await holdPing(t, gw, up, id)
  t.equal(decodePingResponse((await b.dev.readResponse(2000)).body).status, 1, 'B: Status 1')
  await Promise.all([a.seen.closed, b.seen.closed])
  t.ok(a.seen.aborted && b.seen.aborted, 'A and B cancelled at the upstream')
  t.equal(gw.gateway.devices.heldCount, 1, 'one held: C')
  t.equal(await metricValue(gw.registry, metricNames.pingSuperseded), 2)
  t.equal(await histogramCount(gw.registry, metricNames.pingSupersededAfter), 2)
  c.dev.destroy()
  await c.seen.closed
  await gw.sink.waitForAccessLines(3)
  t.equal(gw.gateway.devices.heldCount, 0, 'C gone (device abort): nothing held')
  t.equal(await metricValue(gw.registry, metricNames.pingsHeld), 0)
  t.same(gw.sink.accessLines().map((l) => [l['eas.outcome'], l['eas.reason']]), [['answered_locally', 'superseded'], ['answered_locally', 'superseded'], ['device_abort', undefined]])
  const devices = JSON.parse((await adminGet(gw.adminPort, '/devices')).body) as { devices: Record<string, unknown>[] }
  t.match(devices.devices, [{ deviceId: 'CHAIN1', superseded: 2, heldPing: null }])
})

t.test('two Pings from one device in the same instant: one answered Status 1, the other held', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const id = { deviceId: 'RACE1' }
  const conns = await Promise.all([DeviceConnection.open(gw.port), DeviceConnection.open(gw.port)])
  t.teardown(() => { for (const c of conns) c.destroy() })
  // Written back to back: the second may arrive while the first is still being dispatched.
  for (const c of conns) c.write(DeviceConnection.format(pingRequest(id, { body: pingBody(5) }), gw.port))
  const first = await Promise.race(conns.map(async (c, i) => { await c.readResponse(2000); return i }))
  const held = conns[1 - first]
  if (held === undefined) throw new Error('two connections')
  const line = await gw.sink.waitForAccessLines(1)
  t.match(line, [{ 'eas.outcome': 'answered_locally', 'eas.reason': 'superseded', 'http.response.status_code': 200 }])
  t.equal(gw.gateway.devices.heldCount, 1, 'the other one is held')
  t.notOk(held.serverClosed, 'and its device still waits')
  // The superseded one may have been cancelled before its upstream request was even sent. Drain
  // ends the held one: then every upstream request is closed and nothing is left in flight.
  await gw.stop()
  t.equal(decodePingResponse((await held.readResponse(2000)).body).status, 1, 'the held one: Status 1 at drain')
  t.ok(up.requests.length <= 2, `the upstream saw ${up.requests.length} request(s)`)
  await Promise.all(up.requests.map(async (r) => await r.closed))
  t.ok(up.requests.every((r) => r.aborted), 'each was cancelled there')
  t.equal(gw.gateway.devices.heldCount, 0)
  t.same(gw.sink.accessLines().map((l) => l['eas.reason']).sort(), ['drained', 'superseded'])
  t.equal(gw.upstreams.all[0]?.inFlight, 0, 'nothing in flight upstream')
  t.equal(await metricValue(gw.registry, metricNames.pingSuperseded), 1)
})

// regression: #4 — the gateway cannot check a password: a Ping with other credentials for the same
// user and DeviceId must not end the held one (anyone knowing a DeviceId could cut push otherwise)
t.test('a Ping with other credentials does not supersede the held Ping', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const a = await holdPing(t, gw, up, { user: 'bob', deviceId: 'SUPER9' }, 5)
  const req = pingRequest({ user: 'bob', deviceId: 'SUPER9' }, { body: pingBody(6) })
  const wrong = `Basic ${Buffer.from('bob:guess').toString('base64')}`
  const intruder = { ...req, headers: (req.headers ?? []).map(([k, v]): [string, string] => [k, k === 'Authorization' ? wrong : v]) }
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  dev.write(DeviceConnection.format(intruder, gw.port))
  const seen = await up.waitForRequest(2)
  await seen.body
  t.equal(a.seen.aborted, false, 'the held Ping was not cancelled upstream')
  t.equal(await metricValue(gw.registry, metricNames.pingSuperseded), 0, 'nothing superseded')
  // regression: #10 — the other Ping is held too, tracked and counted (it used to be invisible)
  t.equal(gw.gateway.devices.heldCount, 2, 'both Pings are held and counted')
  t.equal(await metricValue(gw.registry, metricNames.pingsHeld), 2, 'eas_gateway_pings_held agrees with the Pings in flight')
})
