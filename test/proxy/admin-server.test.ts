import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { startGateway } from '../helpers/start-gateway.js'

t.test('admin listener: /metrics, /healthz, /readyz, nothing else', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  t.equal((await dev.request(easRequest('Sync'))).status, 200)
  await gw.sink.waitForAccessLines(1)

  const admin = await DeviceConnection.open(gw.adminPort)
  t.teardown(() => { admin.destroy() })
  const metrics = await admin.request({ method: 'GET', path: '/metrics' })
  t.equal(metrics.status, 200)
  t.match(metrics.headers['content-type'], /^text\/plain/)
  const text = metrics.body.toString()
  t.match(text, /^eas_gateway_requests_total\{command="Sync",outcome="completed"\} 1$/m)
  t.match(text, /^eas_gateway_request_duration_seconds_bucket\{le="3900",command="Sync",outcome="completed"\} 1$/m)
  t.match(text, /^eas_gateway_requests_in_flight\{command="Sync"\} 0$/m)
  t.notMatch(text, /alice|DEV0001|127\.0\.0\.1/, 'no user, device or address in any label')
  t.equal((await admin.request({ method: 'GET', path: '/healthz' })).status, 200)
  t.equal((await admin.request({ method: 'GET', path: '/readyz' })).status, 200)
  t.equal((await admin.request({ method: 'GET', path: '/Microsoft-Server-ActiveSync' })).status, 404, 'the admin listener forwards nothing')
  t.equal((await admin.request({ method: 'POST', path: '/metrics', body: 'x' })).status, 405)
})
