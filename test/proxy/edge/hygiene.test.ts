import t from 'tap'
import { metricNames } from '../../../lib/metrics/index.js'
import { DeviceConnection } from '../../helpers/device-connection.js'
import { easPath, easRequest, expectOutcome } from '../../helpers/eas-device.js'
import { startUpstream } from '../../helpers/loopback-upstream.js'
import { metricValue } from '../../helpers/metric-values.js'
import { startGateway } from '../../helpers/start-gateway.js'

// Edge item 10 (issue #9): protocol hygiene.

t.test('CONNECT is answered 405, then the connection closes', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  dev.write('CONNECT mail.example:443 HTTP/1.1\r\nHost: mail.example:443\r\n\r\n')
  const res = await dev.readResponse(3000)
  t.equal(res.status, 405)
  t.equal(res.headers.allow, 'OPTIONS, POST')
  await dev.waitServerClose()
  t.equal(await metricValue(gw.registry, metricNames.refused, { status: '405' }), 1)
  t.equal(up.requests.length, 0)
})

t.test('headers a device must not set never reach the mail server; X-Forwarded-Host only carries a valid host', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync', {
    headers: [['X-Original-URL', '/ecp/'], ['X-Rewrite-URL', '/owa/'], ['Forwarded', 'for=10.0.0.1'], ['X-Real-IP', '10.0.0.1']]
  }))
  t.equal(res.status, 200)
  const seen = await up.waitForRequest(1)
  for (const h of ['x-original-url', 'x-rewrite-url', 'forwarded', 'x-real-ip']) t.equal(seen.headers[h], undefined, `${h} stripped`)
  t.equal(seen.headers['x-forwarded-host'], `127.0.0.1:${gw.port}`, 'a valid Host is passed on')

  const bad = await DeviceConnection.open(gw.port)
  t.teardown(() => { bad.destroy() })
  const r2 = await bad.request({ ...easRequest('Sync'), host: 'mail.example, evil.example' })
  t.equal(r2.status, 200)
  t.equal((await up.waitForRequest(2)).headers['x-forwarded-host'], undefined, 'an invalid Host is not passed on')
})

t.test('a #fragment never reaches the upstream', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync', { path: `${easPath('Sync')}#frag` }))
  t.equal(res.status, 200)
  t.equal((await up.waitForRequest(1)).url, easPath('Sync'))
})

t.test('a malformed upstream response is its own failure reason, with the parser\'s code', async (t) => {
  const up = await startUpstream({ kind: 'raw', response: 'HTTP/1.1 2x0 Nope\r\nContent-Length: 0\r\n\r\n' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync'))
  t.equal(res.status, 502)
  const line = await expectOutcome(t, gw, { command: 'Sync', outcome: 'upstream_reset', status: 502, reason: 'bad_response' })
  t.equal(line['error.code'], 'GW_ERR_UPSTREAM_BAD_RESPONSE')
  t.match(line['error.type'], /^(HPE_|HTTPParserError)/, 'undici\'s parser error, not UNKNOWN')
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { reason: 'bad_response' }), 1)
})
