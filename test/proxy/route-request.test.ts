import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { AUTHORIZATION, easPath, easRequest, expectOutcome } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'

t.test('only the EAS path is forwarded: 404 elsewhere, 405 for other methods', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const notFound: [string, string][] = [
    ['GET', '/'],
    ['POST', '/owa/auth.owa'],
    ['POST', '/Microsoft-Server-ActiveSyncX?Cmd=Sync'],
    ['POST', '/Microsoft-Server-ActiveSync/../ecp/'],
    ['POST', '/autodiscover/autodiscover.xml'],
    ['GET', `http://127.0.0.1:${up.port}/Microsoft-Server-ActiveSync`]
  ]
  for (const [method, path] of notFound) {
    const res = await dev.request({ method, path, headers: [['Authorization', AUTHORIZATION]], body: method === 'POST' ? 'x' : undefined })
    t.equal(res.status, 404, `${method} ${path}: 404`)
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'HEAD']) {
    const res = await dev.request({ method, path: easPath('Sync') })
    t.equal(res.status, 405, `${method} on the EAS path: 405`)
    t.equal(res.headers.allow, 'OPTIONS, POST')
  }
  t.equal(up.requests.length, 0, 'nothing reached the upstream')
  t.notOk(dev.serverClosed, 'a refused path does not cost the connection')
  t.equal(await metricValue(gw.registry, metricNames.requests), 0, 'refused paths are not EAS requests')
  const refused = (await gw.registry.getSingleMetric(metricNames.refused)?.get())?.values ?? []
  t.same(refused.map((v) => [v.labels.status, v.value]).sort(), [['404', notFound.length], ['405', 4]], 'but they are counted')
})

t.test('the EAS path in any letter case is forwarded as the device wrote it', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const paths = ['/Microsoft-Server-ActiveSync', '/microsoft-server-activesync', '/MICROSOFT-SERVER-ACTIVESYNC', '/Microsoft-Server-ActiveSync/']
  for (const p of paths) {
    const res = await dev.request(easRequest('Sync', { path: easPath('Sync', p), body: p }))
    t.equal(res.status, 200, `${p}: forwarded`)
    t.equal(res.body.toString(), p)
  }
  const opt = await dev.request({ method: 'OPTIONS', path: '/Microsoft-Server-ActiveSync', headers: [['Authorization', AUTHORIZATION]] })
  t.equal(opt.status, 200, 'OPTIONS forwarded')
  t.same(up.requests.map((r) => r.url), [...paths.map((p) => easPath('Sync', p)), '/Microsoft-Server-ActiveSync'], 'the upstream got each path unchanged')
  t.same(up.requests.map((r) => r.method), ['POST', 'POST', 'POST', 'POST', 'OPTIONS'])
  const lines = await gw.sink.waitForAccessLines(5)
  t.equal(lines.length, 5, 'one access line per request')
  t.equal(new Set(lines.map((l) => l['http.request.id'])).size, 5, 'each with its own reqId')
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Sync', outcome: 'completed' }), 4)
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Options', outcome: 'completed' }), 1)
})

t.test('a malformed query is answered 400 locally and never forwarded', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync', { path: '/Microsoft-Server-ActiveSync?User=alice&DeviceId=DEV0001&DeviceType=iPhone' }))
  t.equal(res.status, 400)
  t.equal(res.headers.connection, 'close')
  await dev.waitServerClose()
  t.equal(up.requests.length, 0, 'never forwarded')
  const [line] = await gw.sink.waitForAccessLines(1)
  t.match(line, { 'eas.outcome': 'refused_malformed', 'http.response.status_code': 400, 'eas.reason': 'bad_query', 'user.name': 'alice' })
  t.equal(line?.['eas.upstream.name'], undefined, 'no upstream in the access line')
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'other', outcome: 'refused_malformed' }), 1)
})

t.test('a body over proxy.maxRequestBodyBytes is refused with 413 before forwarding', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { proxy: { maxRequestBodyBytes: 1000 } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('SendMail', { body: Buffer.alloc(1001) }))
  t.equal(res.status, 413)
  t.equal(res.headers.connection, 'close')
  await dev.waitServerClose()
  t.equal(up.requests.length, 0, 'never forwarded')
  await expectOutcome(t, gw, { command: 'SendMail', outcome: 'refused_malformed', status: 413, reason: 'body_too_large', upstream: false })
})
