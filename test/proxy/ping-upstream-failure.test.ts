import { createServer, type AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection, type DeviceResponse } from '../helpers/device-connection.js'
import { expectNothingInFlight } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { histogramCount, metricValue } from '../helpers/metric-values.js'
import { decodePingResponse, pingBody, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'
import type { TestGateway } from '../helpers/start-gateway.js'

/** Heartbeat bounds of exactly 1 s, so the gateway's own timeouts can be a second or two. */
const SHORT = { server: { minHeartbeat: '1s', maxHeartbeat: '1s' }, timeouts: { heartbeatMargin: '100ms', easRequestTimeout: '1200ms', executionTimeout: '1500ms' } }

/** The Ping's answer is HTTP 200 with a Status 1 body; its access line and metrics keep the true outcome. */
async function expectStatus1 (t: Test, gw: TestGateway, res: DeviceResponse, outcome: string, reason: string | undefined, code: string): Promise<void> {
  t.equal(res.status, 200, 'HTTP 200, never a 5xx')
  t.equal(res.headers['content-type'], 'application/vnd.ms-sync.wbxml')
  t.strictSame(decodePingResponse(res.body), { children: ['Ping:Status'], status: 1, heartbeatInterval: undefined }, 'Ping Status 1')
  const [line] = await gw.sink.waitForAccessLines(1)
  t.match(line, { level: 'warn', 'eas.command': 'Ping', 'eas.outcome': outcome, 'http.response.status_code': 200, 'eas.reason': reason, 'error.code': code, 'eas.upstream.name': 'up1', 'eas.ping.status': 1 }, `access line: ${outcome}`)
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Ping', outcome }), 1, `${metricNames.requests}{outcome="${outcome}"} is 1`)
  t.equal(await metricValue(gw.registry, metricNames.requests), 1, 'one request in all')
  t.equal(await histogramCount(gw.registry, metricNames.duration, { command: 'Ping', outcome }), 1)
  t.equal(await metricValue(gw.registry, metricNames.responses, { command: 'Ping', status_class: '2xx' }), 1, 'counted as a 2xx response')
  t.equal(await metricValue(gw.registry, metricNames.responses, { status_class: '5xx' }), 0, 'no 5xx')
  t.equal(gw.gateway.devices.heldCount, 0, 'no longer held')
  t.equal(await metricValue(gw.registry, metricNames.pingsHeld), 0)
  await expectNothingInFlight(t, gw.registry)
}

for (const rst of [false, true]) {
  t.test(`upstream ${rst ? 'resets (RST)' : 'closes (FIN)'} during a held Ping: 200 Status 1, outcome upstream_reset`, async (t) => {
    const up = await startUpstream({ kind: 'silence' })
    t.teardown(up.close)
    const gw = await startPingGateway(t, up.url)
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    dev.write(DeviceConnection.format(pingRequest({}, { body: pingBody(5) }), gw.port))
    const seen = await up.waitForRequest(1)
    await seen.body
    t.equal(gw.gateway.devices.heldCount, 1, 'held')
    if (rst) seen.socket.resetAndDestroy()
    else seen.socket.destroy()
    const res = await dev.readResponse(2000)
    await expectStatus1(t, gw, res, 'upstream_reset', 'reset', 'GW_ERR_UPSTREAM_RESET')
    t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'reset' }), 1)
    t.notOk(dev.serverClosed, 'the device connection stays open for the next Ping')
  })
}

t.test('easRequestTimeout while a Ping is held: 200 Status 1, outcome upstream_timeout, upstream cancelled', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  // executionTimeout kept well clear of easRequestTimeout, so that a loaded machine cannot let the
  // execution timer win the race.
  const gw = await startPingGateway(t, up.url, { ...SHORT, timeouts: { ...SHORT.timeouts, executionTimeout: '3500ms' } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const sent = performance.now()
  const res = await dev.request(pingRequest({}, { body: pingBody(1) }), 5000)
  const took = performance.now() - sent
  t.ok(took >= 1200 && took < 4000, `answered at easRequestTimeout (${Math.round(took)} ms), never before it`)
  await expectStatus1(t, gw, res, 'upstream_timeout', 'timeout', 'GW_ERR_UPSTREAM_TIMEOUT')
  const seen = await up.waitForRequest(1)
  await seen.closed
  t.ok(seen.aborted, 'the upstream request was cancelled')
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'timeout' }), 1)
})

t.test('executionTimeout while a Ping is held: 200 Status 1, outcome execution_timeout, upstream cancelled', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url, SHORT)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  // easRequestTimeout (1.2 s) runs from forwarding, executionTimeout (1.5 s) from arrival: a body
  // that takes 0.7 s to arrive makes executionTimeout the first to fire (at 1.5 s, not 1.9 s).
  const bytes = DeviceConnection.format(pingRequest({}, { body: pingBody(1) }), gw.port)
  const headEnd = bytes.indexOf('\r\n\r\n') + 4
  const sent = performance.now()
  dev.write(bytes.subarray(0, headEnd))
  await delay(700) // the scenario: a slow upload
  dev.write(bytes.subarray(headEnd))
  const res = await dev.readResponse(5000)
  const took = performance.now() - sent
  t.ok(took >= 1450 && took < 3000, `answered at executionTimeout (${Math.round(took)} ms)`)
  await expectStatus1(t, gw, res, 'execution_timeout', undefined, 'GW_ERR_PROXY_EXECUTION_TIMEOUT')
  const seen = await up.waitForRequest(1)
  await seen.closed
  t.ok(seen.aborted, 'the upstream request was cancelled')
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors), 0, 'the gateway\'s own deadline is no upstream error')
})

t.test('upstream unreachable (connection refused): 503 with Retry-After, outcome upstream_unreachable', async (t) => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => { resolve() }))
  const gw = await startPingGateway(t, `http://127.0.0.1:${port}/`)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(pingRequest({}, { body: pingBody(5) }))
  t.equal(res.status, 503, '503: nothing upstream could be reached at all')
  t.match(res.headers['retry-after'], /^[1-9][0-9]*$/, `Retry-After in seconds (${String(res.headers['retry-after'])})`)
  const [line] = await gw.sink.waitForAccessLines(1)
  t.match(line, { level: 'warn', 'eas.command': 'Ping', 'eas.outcome': 'upstream_unreachable', 'http.response.status_code': 503, 'eas.reason': 'refused', 'error.code': 'GW_ERR_UPSTREAM_UNREACHABLE', 'eas.ping.heartbeat': 5 })
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Ping', outcome: 'upstream_unreachable' }), 1)
  t.equal(await metricValue(gw.registry, metricNames.responses, { command: 'Ping', status_class: '5xx' }), 1)
  t.equal(gw.gateway.devices.heldCount, 0, 'not held')
  await expectNothingInFlight(t, gw.registry)
})
