import t from 'tap'
import { metricNames } from '../../../lib/metrics/index.js'
import { DeviceConnection } from '../../helpers/device-connection.js'
import { startUpstream } from '../../helpers/loopback-upstream.js'
import { metricValue } from '../../helpers/metric-values.js'
import { decodePingResponse, pingBody, pingRequest } from '../../helpers/ping-device.js'
import { startPingGateway } from '../../helpers/ping-gateway.js'
import { until } from '../../helpers/until.js'

// Edge item 6 (issue #9): no hot loops. A server that resets every Ping must not turn a device
// that re-Pings at once into a tight loop, and its resets must count towards ejection.

// regression: #9 — a device sent 131 Pings in 8 s (each answered Status 1 within 9 ms) and the upstream was never ejected
t.test('an upstream resetting every Ping: each answered Status 1 only after the jittered pause, and the resets count towards ejection', async (t) => {
  const up = await startUpstream({ kind: 'reset-before-headers' })
  t.teardown(up.close)
  const pause = 400
  const gw = await startPingGateway(t, up.url, { ping: { failurePause: `${pause}ms` }, pool: { ejection: { consecutiveFailures: 3 } } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const gaps: number[] = []
  const started = performance.now()
  // A device that re-Pings the moment it has its answer, for about two seconds.
  while (performance.now() - started < 2000) {
    const sent = performance.now()
    const res = await dev.request(pingRequest({}, { body: pingBody(5) }), 5000)
    gaps.push(performance.now() - sent)
    t.equal(res.status, 200, 'never a 5xx')
    t.equal(decodePingResponse(res.body).status, 1)
  }
  const tooFast = gaps.filter((g) => g < pause / 2 - 20)
  t.same(tooFast, [], `every answer waited at least half the pause (${pause / 2} ms): ${gaps.map(Math.round).join(', ')} ms`)
  t.ok(gaps.length <= Math.ceil(2000 / (pause / 2)) + 1, `${gaps.length} Pings in 2 s (a tight loop was hundreds)`)
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Ping', outcome: 'upstream_reset' }), gaps.length, 'each one counted as upstream_reset')
  t.equal(await metricValue(gw.registry, metricNames.upstreamPanic, { upstream: 'up1' }), 1, 'three resets in a row: it would have been ejected, but it is the last one (panic mode)')
})

t.test('the pause is not a hold: a device that goes away during it is recorded with the failure as its outcome', async (t) => {
  const up = await startUpstream({ kind: 'reset-before-headers' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url, { ping: { failurePause: '5s' } })
  const dev = await DeviceConnection.open(gw.port)
  dev.write(DeviceConnection.format(pingRequest({}, { body: pingBody(5) }), gw.port))
  await up.waitForRequest(1)
  await until(() => gw.upstreams.all[0]?.inFlight === 0, 'the reset seen: the Ping waits out its pause')
  dev.destroy()
  const [line] = await gw.sink.waitForAccessLines(1)
  t.match(line, { 'eas.outcome': 'upstream_reset', 'eas.reason': 'reset' })
  t.equal(gw.gateway.devices.heldCount, 0)
})

t.test('drain during the pause: answered Status 1 at once', async (t) => {
  const up = await startUpstream({ kind: 'reset-before-headers' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url, { ping: { failurePause: '10s' } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  dev.write(DeviceConnection.format(pingRequest({}, { body: pingBody(5) }), gw.port))
  await up.waitForRequest(1)
  await until(() => gw.upstreams.all[0]?.inFlight === 0, 'the reset seen: the Ping waits out its pause')
  const started = performance.now()
  const drained = gw.stop()
  const res = await dev.readResponse(5000)
  t.ok(performance.now() - started < 4000, 'not held for the pause')
  t.equal(decodePingResponse(res.body).status, 1)
  await drained
})
