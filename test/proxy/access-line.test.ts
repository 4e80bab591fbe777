import t from 'tap'
import { encodePingResponse } from '../../lib/eas/index.js'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { pingBody, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'
import { startGateway } from '../helpers/start-gateway.js'
import { createClientAddressResolver } from '../../lib/proxy/client-address.js'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`

t.test('the request id reaches the upstream as X-Request-Id; traceparent passes; the access line has the ECS fields', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const req = easRequest('Sync', { body: 'twelve bytes', headers: [['User-Agent', 'Apple-iPhone14C2/2105.255'], ['traceparent', TRACEPARENT], ['X-Request-Id', 'spoofed-by-device']] })
  const res = await dev.request(req)
  t.equal(res.status, 200)
  const seen = await up.waitForRequest(1)
  const [line] = await gw.sink.waitForAccessLines(1)
  t.ok(line !== undefined)
  const id = line?.['http.request.id']
  t.match(id, /^[0-9a-z]+-[0-9a-z]+$/, 'the gateway\'s own id')
  t.equal(seen.headers['x-request-id'], id, 'the upstream got the access line\'s id as X-Request-Id, not the device\'s')
  t.equal(seen.headers.traceparent, TRACEPARENT, 'traceparent passed unchanged')
  t.match(line, {
    'trace.id': TRACE_ID,
    'http.request.method': 'POST',
    'http.response.status_code': 200,
    'http.request.body.bytes': 12,
    'http.response.body.bytes': 12,
    'event.duration': Number,
    'client.ip': '127.0.0.1',
    'source.ip': '127.0.0.1',
    'user_agent.original': 'Apple-iPhone14C2/2105.255',
    'eas.command': 'Sync',
    'eas.outcome': 'completed',
    'eas.upstream.name': 'up1'
  })
  t.equal(line?.['tls.version'], undefined, 'no TLS on a plain listener')
  for (const old of ['reqId', 'cmd', 'outcome', 'status', 'durationMs', 'deviceId']) t.notOk(old in (line ?? {}), `no legacy key ${old}`)
  t.equal(await metricValue(gw.registry, metricNames.responses, { command: 'Sync', status_class: '2xx', status: '200' }), 1, 'the exact status is a label')
})

t.test('a device without traceparent gets none upstream, and no trace.id', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  t.equal((await dev.request(easRequest('Sync', { body: 'x', headers: [['traceparent', 'not-a-traceparent']] }))).status, 200)
  const [line] = await gw.sink.waitForAccessLines(1)
  t.equal(line?.['trace.id'], undefined, 'an invalid traceparent is not logged as a trace id')
  const seen = await up.waitForRequest(1)
  t.ok(typeof seen.headers['x-request-id'] === 'string')
})

t.test('unit: the client address resolver', async (t) => {
  const none = createClientAddressResolver([])
  t.equal(none('::ffff:192.0.2.1', '203.0.113.7'), '192.0.2.1', 'no trusted proxies: the peer (IPv4-mapped written plain), XFF ignored')
  t.equal(none(undefined, undefined), undefined)
  const r = createClientAddressResolver(['10.0.0.0/8', '2001:db8::/32'])
  t.equal(r('192.0.2.1', '203.0.113.7'), '192.0.2.1', 'an untrusted peer: its XFF is ignored')
  t.equal(r('10.1.2.3', undefined), '10.1.2.3', 'a trusted peer without XFF: the peer')
  t.equal(r('10.1.2.3', '203.0.113.7'), '203.0.113.7')
  t.equal(r('::ffff:10.1.2.3', 'spoofed.example, 203.0.113.7, 10.9.9.9'), '203.0.113.7', 'right to left, past trusted hops; the device\'s own entries never reached')
  t.equal(r('2001:db8::5', '2001:db8::6, 198.51.100.1'), '198.51.100.1')
  t.equal(r('10.1.2.3', '10.0.0.1, not-an-ip'), '10.1.2.3', 'a garbage entry stops the walk at the last good address')
  t.equal(r('10.1.2.3', '10.0.0.9, 10.0.0.1'), '10.0.0.9', 'every hop trusted: the leftmost')
})

t.test('listen.trustedProxies: X-Forwarded-For is believed only from a trusted peer', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const xff: [string, string] = ['X-Forwarded-For', '198.51.100.9, 203.0.113.7']
  for (const [name, over, client] of [
    ['no trusted proxies: the peer', {}, '127.0.0.1'],
    ['the peer is not trusted: XFF ignored', { listen: { trustedProxies: ['10.0.0.0/8'] } }, '127.0.0.1'],
    ['the peer is trusted: the last untrusted XFF hop', { listen: { trustedProxies: ['127.0.0.1/32'] } }, '203.0.113.7'],
    ['every hop trusted but the first: past them all', { listen: { trustedProxies: ['127.0.0.1', '203.0.113.0/24'] } }, '198.51.100.9']
  ] as const) {
    const gw = await startGateway(t, up.url, over)
    const dev = await DeviceConnection.open(gw.port)
    t.equal((await dev.request(easRequest('Sync', { body: 'x', headers: [xff] }))).status, 200)
    dev.destroy()
    const [line] = await gw.sink.waitForAccessLines(1)
    t.match(line, { 'client.ip': client, 'source.ip': '127.0.0.1' }, name)
    await gw.stop()
  }
})

t.test('eas_gateway_ping_answers_total counts the server\'s and the gateway\'s answers by Ping Status', async (t) => {
  const status1 = Buffer.from(encodePingResponse({ status: 1 })).toString('latin1')
  const up = await startUpstream({ kind: 'hold', ms: 10, body: status1 })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  t.equal((await dev.request(pingRequest({}, { body: pingBody(5) }))).status, 200, 'a Ping the server answers Status 1')
  t.equal((await dev.request(pingRequest({}, { body: pingBody(1) }))).status, 200, 'a Ping the gateway clamps (Status 5)')
  const lines = await gw.sink.waitForAccessLines(2)
  t.same(lines.map((l) => [l['eas.outcome'], l['eas.ping.status']]), [['completed', 1], ['answered_locally', 5]])
  t.equal(await metricValue(gw.registry, metricNames.pingAnswers, { status: '1' }), 1, 'the server\'s Status 1')
  t.equal(await metricValue(gw.registry, metricNames.pingAnswers, { status: '5' }), 1, 'the gateway\'s Status 5')
  t.equal(await metricValue(gw.registry, metricNames.pingAnswers), 2, 'nothing else')
})

t.test('every upstream down: the requests end upstream_unreachable, then refused_no_upstream (503), never answered_locally', async (t) => {
  // Nothing listens on port 9 (discard): the first request's connect is refused.
  const gw = await startGateway(t, 'http://127.0.0.1:9/')
  const send = async (): Promise<number> => {
    const dev = await DeviceConnection.open(gw.port)
    try { return (await dev.request(easRequest('Sync', { body: 'x' }))).status } finally { dev.destroy() }
  }
  t.equal(await send(), 503, 'a refused connect: 503')
  // The pool with every upstream ejected (the last one is kept in panic mode by a single
  // gateway; several failing together, or a probe, get there): pick() finds none.
  const pool = gw.upstreams as { pick: typeof gw.upstreams.pick }
  pool.pick = () => undefined
  for (let i = 0; i < 3; i++) t.equal(await send(), 503, 'no upstream alive: 503')
  const lines = await gw.sink.waitForAccessLines(4)
  t.same(lines.map((l) => l['eas.outcome']), ['upstream_unreachable', 'refused_no_upstream', 'refused_no_upstream', 'refused_no_upstream'])
  t.equal(await metricValue(gw.registry, metricNames.requests, { outcome: 'answered_locally' }), 0, 'none counted as answered_locally')
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Sync', outcome: 'refused_no_upstream' }), 3)
  t.match(lines[1], { 'eas.reason': 'no_upstream', 'error.code': 'GW_ERR_UPSTREAM_NONE_ALIVE', level: 'warn', 'http.response.status_code': 503 })
})
