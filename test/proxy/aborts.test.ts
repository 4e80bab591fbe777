import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { CutResponseError, DeviceConnection } from '../helpers/device-connection.js'
import { easRequest, expectOutcome } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'
import { until } from '../helpers/until.js'

/** How soon after the device hangs up the upstream must see its request cancelled. */
const PROMPT_MS = 300

t.test('device abort mid-hold: the upstream sees the cancel at once; outcome device_abort', async (t) => {
  const up = await startUpstream({ kind: 'hold', ms: 10_000 })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  dev.write(DeviceConnection.format(easRequest('Sync'), gw.port))
  const seen = await up.waitForRequest(1)
  await seen.body
  t.equal(seen.closedAt, undefined, 'held at the upstream')
  const hungUp = performance.now()
  dev.destroy()
  await seen.closed
  const after = (seen.closedAt ?? Infinity) - hungUp
  t.ok(seen.aborted, 'the upstream request was cancelled (response closed unfinished)')
  t.ok(after < PROMPT_MS, `the upstream saw it ${Math.round(after)} ms after the device hung up`)
  await expectOutcome(t, gw, { command: 'Sync', outcome: 'device_abort', status: 0, upstreamAnswered: false })
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors), 0, 'a device abort is no upstream error')
})

t.test('device abort mid-download: device_abort, the upstream response is cancelled', async (t) => {
  const up = await startUpstream({ kind: 'stall-mid-body', length: 1_000_000, sent: 1000 })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  dev.write(DeviceConnection.format(easRequest('ItemOperations'), gw.port))
  const seen = await up.waitForRequest(1)
  // Wait for the response headers to reach the device: the abort must come mid-body.
  await new Promise<void>((resolve) => { if (dev.socket.bytesRead > 0) resolve(); else dev.socket.once('data', () => { resolve() }) })
  dev.destroy()
  await seen.closed
  t.ok(seen.aborted, 'the upstream response was cancelled')
  await expectOutcome(t, gw, { command: 'ItemOperations', outcome: 'device_abort', status: 200, upstreamAnswered: true })
})

t.test('device abort mid-upload of a streamed body: device_abort, upstream cancelled', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  dev.write(DeviceConnection.format(easRequest('SendMail', { headers: [['Content-Length', String(512 * 1024)]], body: Buffer.alloc(128 * 1024, 3) }), gw.port))
  const seen = await up.waitForRequest(1)
  dev.destroy()
  await seen.closed
  t.ok(seen.aborted, 'the upstream request was cancelled')
  t.ok((await seen.body).length < 512 * 1024, 'the upstream never got the whole body')
  await expectOutcome(t, gw, { command: 'SendMail', outcome: 'device_abort', status: 0, upstreamAnswered: false })
})

t.test('device abort mid-upload of a small (buffered) body: device_abort, nothing forwarded', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  dev.write(DeviceConnection.format(easRequest('Sync', { headers: [['Content-Length', '5000']], body: Buffer.alloc(100) }), gw.port))
  await until(() => gw.gateway.active.size === 1, 'the gateway to have the request in progress')
  dev.destroy()
  await expectOutcome(t, gw, { command: 'Sync', outcome: 'device_abort', status: 0, upstream: false, upstreamAnswered: false })
  t.equal(up.requests.length, 0, 'nothing reached the upstream')
})

t.test('upstream closes before response headers: 502, upstream_reset', async (t) => {
  for (const rst of [false, true]) {
    t.test(rst ? 'TCP reset' : 'FIN', async (t) => {
      const up = await startUpstream({ kind: 'reset-before-headers', rst })
      t.teardown(up.close)
      const gw = await startGateway(t, up.url)
      const dev = await DeviceConnection.open(gw.port)
      t.teardown(() => { dev.destroy() })
      const res = await dev.request(easRequest('Sync'))
      t.equal(res.status, 502)
      t.equal(res.headers.connection, 'close')
      t.equal(res.headers['content-length'], '0', 'no upstream message passed on')
      await dev.waitServerClose()
      const line = await expectOutcome(t, gw, { command: 'Sync', outcome: 'upstream_reset', status: 502, reason: 'reset', upstreamAnswered: false })
      t.match(line['error.type'], /^(UND_ERR_SOCKET|ECONNRESET)$/)
      t.equal(line.level, 'warn')
      t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'reset' }), 1)
      t.equal(await metricValue(gw.registry, metricNames.responses, { command: 'Sync', status_class: '5xx' }), 1)
    })
  }
})

t.test('upstream closes mid-body: the device connection is cut, upstream_reset', async (t) => {
  const up = await startUpstream({ kind: 'reset-mid-body', length: 100_000, sent: 1000 })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const err = await dev.request(easRequest('Sync')).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof CutResponseError, 'the response is cut, not completed')
  const partial = (err as CutResponseError).partial
  t.equal(partial?.status, 200, 'the upstream\'s headers had reached the device')
  t.equal(partial?.headers['content-length'], '100000', 'with its Content-Length, so the device knows the body is short')
  t.ok((partial?.bodyBytes ?? 0) < 100_000, `only ${partial?.bodyBytes} body bytes arrived`)
  await dev.closed
  await expectOutcome(t, gw, { command: 'Sync', outcome: 'upstream_reset', status: 200, reason: 'reset', upstreamAnswered: true })
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'reset' }), 1)
})

t.test('upstream closes mid-body of a chunked response: the device connection is cut', async (t) => {
  const up = await startUpstream({ kind: 'raw', response: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const err = await dev.request(easRequest('Sync')).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof CutResponseError, 'no terminating chunk: the device cannot mistake it for a whole answer')
  await expectOutcome(t, gw, { command: 'Sync', outcome: 'upstream_reset', status: 200, reason: 'reset', upstreamAnswered: true })
})
