import { createServer } from 'node:net'
import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest, expectOutcome } from '../helpers/eas-device.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'

/** A port nothing listens on: bound, read, released. */
async function closedPort (): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

t.test('DNS failure (a .invalid host): 503 + Retry-After, upstream_unreachable, reason dns', async (t) => {
  const gw = await startGateway(t, 'http://nonexistent.invalid/')
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync'))
  t.equal(res.status, 503)
  t.ok(Number(res.headers['retry-after']) >= 1, 'the device is told when to come back')
  t.equal(res.headers.connection, 'close')
  await dev.waitServerClose()
  const line = await expectOutcome(t, gw, { command: 'Sync', outcome: 'upstream_unreachable', status: 503, reason: 'dns', upstreamAnswered: false })
  t.match(line['error.type'], /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/, 'the resolver\'s code is logged')
  t.equal(line.level, 'warn')
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'dns' }), 1)
})

t.test('refused port: 503 + Retry-After, upstream_unreachable, reason refused', async (t) => {
  const gw = await startGateway(t, `http://127.0.0.1:${await closedPort()}/`)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('FolderSync'))
  t.equal(res.status, 503)
  t.ok(Number(res.headers['retry-after']) >= 1, 'the device is told when to come back')
  t.equal(res.headers.connection, 'close')
  await dev.waitServerClose()
  const line = await expectOutcome(t, gw, { command: 'FolderSync', outcome: 'upstream_unreachable', status: 503, reason: 'refused', upstreamAnswered: false })
  t.equal(line['error.type'], 'ECONNREFUSED')
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'refused' }), 1)
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { reason: 'dns' }), 0, 'a refusal is not counted as DNS')
})
