import { encodePingResponse } from '../../lib/eas/index.js'
import t, { type Test } from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { histogramCount, metricValue } from '../helpers/metric-values.js'
import { decodePingResponse, histogramSum, pingBody, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'
import type { ConfigTree } from '../helpers/start-gateway.js'

/** "At once": a clamped Ping never waits for anything, so its whole request is this quick. */
const AT_ONCE_MS = 1000

/** Sends Pings with these heartbeats, one connection, and checks each is clamped to `allowed`. */
async function expectClamped (t: Test, over: ConfigTree, cases: readonly (readonly [number, number, 'min' | 'max'])[]): Promise<void> {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url, over)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  for (const [hb, allowed, bound] of cases) {
    const sent = performance.now()
    const res = await dev.request(pingRequest({}, { body: pingBody(hb) }))
    const took = performance.now() - sent
    t.equal(res.status, 200, `heartbeat ${hb}: HTTP 200`)
    t.equal(res.headers['content-type'], 'application/vnd.ms-sync.wbxml', `heartbeat ${hb}: WBXML`)
    t.strictSame(decodePingResponse(res.body), { children: ['Ping:Status', 'Ping:HeartbeatInterval'], status: 5, heartbeatInterval: allowed },
      `heartbeat ${hb}: Status 5 with HeartbeatInterval ${allowed} (the ${bound})`)
    t.ok(took < AT_ONCE_MS, `heartbeat ${hb}: answered at once (${Math.round(took)} ms)`)
  }
  const lines = await gw.sink.waitForAccessLines(cases.length)
  t.equal(up.requests.length, 0, 'the upstream received nothing')
  for (const l of lines) t.match(l, { 'eas.command': 'Ping', 'eas.outcome': 'answered_locally', 'http.response.status_code': 200, 'eas.reason': 'heartbeat_clamped', 'eas.upstream.name': undefined })
  const lows = cases.filter((c) => c[2] === 'min').length
  t.equal(await metricValue(gw.registry, metricNames.pingClamped, { bound: 'min' }), lows, `${metricNames.pingClamped}{bound="min"}`)
  t.equal(await metricValue(gw.registry, metricNames.pingClamped, { bound: 'max' }), cases.length - lows, `${metricNames.pingClamped}{bound="max"}`)
  t.equal(await histogramCount(gw.registry, metricNames.pingHeartbeat), cases.length, 'every requested heartbeat observed')
  t.equal(await histogramSum(gw.registry, metricNames.pingHeartbeat), cases.reduce((s, c) => s + c[0], 0), 'the requested (not the allowed) heartbeats')
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Ping', outcome: 'answered_locally' }), cases.length)
  t.equal(gw.gateway.devices.heldCount, 0, 'a clamped Ping is never held')
}

t.test('heartbeat outside the server bounds: HTTP 200 Status 5 with the bound, at once, upstream untouched', async (t) => {
  await expectClamped(t, {}, [[1, 2, 'min'], [0, 2, 'min'], [9, 8, 'max'], [3540, 8, 'max']])
})

t.test('the gateway\'s stricter ping.maxHeartbeat / ping.minHeartbeat win over the server\'s', async (t) => {
  await expectClamped(t, { ping: { minHeartbeat: '3s', maxHeartbeat: '6s' } }, [[7, 6, 'max'], [8, 6, 'max'], [2, 3, 'min']])
})

t.test('a looser gateway limit does not widen the server\'s bounds', async (t) => {
  await expectClamped(t, { ping: { minHeartbeat: '1s', maxHeartbeat: '20s' } }, [[9, 8, 'max'], [1, 2, 'min']])
})

t.test('heartbeats in range (bounds included) are forwarded unchanged', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url, { ping: { maxHeartbeat: '6s' } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const hbs = [2, 5, 6]
  for (const [i, hb] of hbs.entries()) {
    const body = pingBody(hb)
    const res = await dev.request(pingRequest({}, { body }))
    t.equal(res.status, 200, `heartbeat ${hb}: the upstream's answer`)
    const seen = await up.waitForRequest(i + 1)
    t.same(await seen.body, Buffer.from(body), `heartbeat ${hb}: the upstream got the body byte for byte`)
  }
  const lines = await gw.sink.waitForAccessLines(hbs.length)
  t.same(lines.map((l) => [l['eas.outcome'], l['eas.ping.heartbeat']]), hbs.map((hb) => ['completed', hb]), 'completed, each with its heartbeat in the access line')
  t.equal(await metricValue(gw.registry, metricNames.pingClamped), 0, 'nothing clamped')
  t.equal(await histogramCount(gw.registry, metricNames.pingHeartbeat), hbs.length)
  t.equal(await histogramSum(gw.registry, metricNames.pingHeartbeat), 13)
})

t.test('an empty Ping reuses the device\'s last heartbeat', async (t) => {
  // The server accepts each Ping (Status 1): only an accepted heartbeat is remembered.
  const up = await startUpstream({ kind: 'hold', ms: 0, body: Buffer.from(encodePingResponse({ status: 1 })).toString('latin1') })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const known = { deviceId: 'KNOWN1' }

  t.equal((await dev.request(pingRequest(known, { body: pingBody(5) }))).status, 200, 'a full Ping in range is forwarded')
  t.equal((await dev.request(pingRequest(known))).status, 200, 'an empty Ping (Content-Length: 0) is forwarded')
  t.equal((await dev.request(pingRequest(known, { noLength: true }))).status, 200, 'an empty Ping without Content-Length is forwarded')
  // An out-of-range Ping is clamped and not remembered: the next empty Ping still reuses 5.
  t.equal(decodePingResponse((await dev.request(pingRequest(known, { body: pingBody(60) }))).body).status, 5, 'an out-of-range Ping is clamped')
  t.equal((await dev.request(pingRequest(known))).status, 200, 'empty again after the clamp')
  // Same DeviceId, another user: a different device as far as the cache goes.
  t.equal((await dev.request(pingRequest({ ...known, user: 'carol' }))).status, 200, 'an empty Ping from another user with that DeviceId')
  t.equal((await dev.request(pingRequest({ deviceId: 'UNKNOWN1' }))).status, 200, 'an empty Ping from an unknown device is forwarded')
  // regression: #4 — a Ping with Folders but no HeartbeatInterval also reuses the cached one (MS-ASCMD §3.1.5.8).
  t.equal((await dev.request(pingRequest(known, { body: pingBody(undefined) }))).status, 200, 'a Ping with Folders only is forwarded')
  t.equal((await dev.request(pingRequest({ deviceId: 'UNKNOWN2' }, { body: pingBody(undefined) }))).status, 200, 'the same from an unknown device')

  const lines = await gw.sink.waitForAccessLines(9)
  t.same(lines.map((l) => [l['eas.device.id'], l['user.name'], l['eas.outcome'], l['eas.ping.heartbeat']]), [
    ['KNOWN1', 'bob', 'completed', 5],
    ['KNOWN1', 'bob', 'completed', 5],
    ['KNOWN1', 'bob', 'completed', 5],
    ['KNOWN1', 'bob', 'answered_locally', 60],
    ['KNOWN1', 'bob', 'completed', 5],
    ['KNOWN1', 'carol', 'completed', undefined],
    ['UNKNOWN1', 'bob', 'completed', undefined],
    ['KNOWN1', 'bob', 'completed', 5],
    ['UNKNOWN2', 'bob', 'completed', undefined]
  ], 'heartbeat in the access lines: the remembered one when the body has none, absent when unknown')
  for (const i of [5, 6, 8]) t.notOk('eas.ping.heartbeat' in (lines[i] ?? { 'eas.ping.heartbeat': 'missing line' }), `line ${i + 1}: no heartbeat key at all`)
  t.equal(up.requests.length, 8, 'every Ping but the clamped one reached the upstream')
  t.same(await Promise.all(up.requests.map(async (r) => (await r.body).length)).then((n) => n.map((x) => x > 0)),
    [true, false, false, false, false, false, true, true], 'empty Pings are forwarded empty')
  t.equal(await histogramCount(gw.registry, metricNames.pingHeartbeat), 6, 'observed: sent or reused heartbeats; none when unknown')
  t.equal(await histogramSum(gw.registry, metricNames.pingHeartbeat), 5 + 5 + 5 + 60 + 5 + 5)
})

t.test('an empty Ping whose remembered heartbeat is now out of range is clamped too', async (t) => {
  // Only in-range heartbeats are remembered, so this needs the table seeded by hand: the clamp
  // applies to a reused value exactly as to a sent one.
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const entry = gw.gateway.devices.touch({ user: 'bob', deviceId: 'STALE1', command: 'Ping' })
  entry.heartbeat = 30
  const res = await dev.request(pingRequest({ deviceId: 'STALE1' }))
  t.strictSame(decodePingResponse(res.body), { children: ['Ping:Status', 'Ping:HeartbeatInterval'], status: 5, heartbeatInterval: 8 })
  t.equal(up.requests.length, 0, 'not forwarded')
  t.equal(await metricValue(gw.registry, metricNames.pingClamped, { bound: 'max' }), 1)
})

// regression: #12 — a forwarded Ping answered 200 stored the requested heartbeat even when the server refused it with Status 5
t.test('the remembered heartbeat follows the server\'s answer: its Status 5 bound, not the requested value; an empty or odd answer changes nothing', async (t) => {
  const answers = [encodePingResponse({ status: 1 }), encodePingResponse({ status: 5, heartbeatInterval: 4 }), new Uint8Array(0), encodePingResponse({ status: 3 })]
  let n = 0
  const up = await startUpstream(() => ({ kind: 'hold', ms: 0, body: Buffer.from(answers[n++] ?? new Uint8Array(0)).toString('latin1') }))
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const id = { deviceId: 'BOUND1' }
  const remembered = (): number | undefined => gw.gateway.devices.snapshot().map((d) => d as { deviceId: string, heartbeat: number | null }).find((d) => d.deviceId === 'BOUND1')?.heartbeat ?? undefined
  await dev.request(pingRequest(id, { body: pingBody(6) }))
  t.equal(remembered(), 6, 'Status 1: the requested heartbeat')
  await dev.request(pingRequest(id, { body: pingBody(7) }))
  t.equal(remembered(), 4, 'Status 5 with HeartbeatInterval 4: the server\'s bound')
  await dev.request(pingRequest(id, { body: pingBody(8) }))
  t.equal(remembered(), 4, 'an empty 200 (Horde\'s superseded Ping): unchanged')
  await dev.request(pingRequest(id, { body: pingBody(3) }))
  t.equal(remembered(), 4, 'Status 3: unchanged')
})
