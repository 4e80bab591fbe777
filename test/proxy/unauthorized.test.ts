import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest, expectOutcome } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'

for (const contentLength of [true, false]) {
  t.test(`401 ${contentLength ? 'with' : 'without'} Content-Length: Connection: close, and the gateway closes the connection`, async (t) => {
    const up = await startUpstream({ kind: 'unauthorized', contentLength })
    t.teardown(up.close)
    const gw = await startGateway(t, up.url)
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const res = await dev.request(easRequest('Sync', { headers: [['Connection', 'keep-alive']] }))
    t.equal(res.status, 401)
    t.equal(res.headers.connection, 'close')
    t.equal(res.headers['www-authenticate'], 'Basic realm="loopback"', 'the challenge is passed on')
    t.equal(res.body.toString(), 'authentication required', 'the body arrives whole')
    if (contentLength) t.equal(res.headers['content-length'], String('authentication required'.length))
    else t.equal(res.headers['transfer-encoding'], 'chunked', 'relayed chunked, as it came')
    await dev.waitServerClose()
    t.ok(dev.serverClosed, 'the gateway closed the device connection after the 401')
    await expectOutcome(t, gw, { command: 'Sync', outcome: 'completed', status: 401, upstreamAnswered: true })
    t.equal(await metricValue(gw.registry, metricNames.unauthorizedCloses), 1, `${metricNames.unauthorizedCloses} is 1`)
    t.equal(await metricValue(gw.registry, metricNames.responses, { command: 'Sync', status_class: '4xx' }), 1)
  })
}

t.test('200 keeps the device connection alive: a second request on the same socket', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const first = await dev.request(easRequest('Sync', { body: 'one' }))
  t.equal(first.status, 200)
  t.not(first.headers.connection, 'close')
  const second = await dev.request(easRequest('Sync', { body: 'two' }))
  t.equal(second.status, 200)
  t.equal(second.body.toString(), 'two')
  t.notOk(dev.serverClosed, 'still open after two requests')
  t.equal(up.requests[0]?.socket.remotePort, up.requests[1]?.socket.remotePort, 'the upstream connection is kept alive too')
  await gw.sink.waitForAccessLines(2)
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Sync', outcome: 'completed' }), 2)
  t.equal(await metricValue(gw.registry, metricNames.unauthorizedCloses), 0)
})

t.test('proxy.closeOn401: false keeps the connection open after a 401, and counts nothing', async (t) => {
  const up = await startUpstream({ kind: 'unauthorized', contentLength: true })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { proxy: { closeOn401: false } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync'))
  t.equal(res.status, 401)
  t.not(res.headers.connection, 'close')
  up.setMode({ kind: 'echo' })
  const again = await dev.request(easRequest('Sync', { body: 'retry' }))
  t.equal(again.status, 200, 'the same connection carries the retry')
  t.equal(again.body.toString(), 'retry')
  t.notOk(dev.serverClosed)
  await gw.sink.waitForAccessLines(2)
  t.equal(await metricValue(gw.registry, metricNames.unauthorizedCloses), 0)
})

t.test('401 before the upload is finished (bad credentials on a large SendMail): relayed, connection closed', async (t) => {
  const up = await startUpstream({ kind: 'unauthorized', contentLength: true, early: true })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const body = Buffer.alloc(2 * 1024 * 1024, 7)
  const res = await dev.request(easRequest('SendMail', { body }))
  t.equal(res.status, 401)
  t.equal(res.headers.connection, 'close')
  await dev.waitServerClose()
  const [line] = await gw.sink.waitForAccessLines(1)
  t.match(line, { 'eas.command': 'SendMail', 'http.response.status_code': 401, 'eas.outcome': 'completed' })
  t.equal(await metricValue(gw.registry, metricNames.unauthorizedCloses), 1)
})
