import t from 'tap'
import { buildDeviceHeaders, buildUpstreamHeaders } from '../../lib/proxy/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { AUTHORIZATION, easRequest, expectOutcome } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { startGateway } from '../helpers/start-gateway.js'

/** Hop-by-hop names (RFC 9110 §7.6.1) plus the ones a device names in Connection. */
const HOP_REQUEST: [string, string][] = [
  ['Connection', 'keep-alive, X-Device-Hop'],
  ['X-Device-Hop', 'must not pass'],
  ['Connection', 'X-Second-Hop'],
  ['X-Second-Hop', 'must not pass either'],
  ['Keep-Alive', 'timeout=5'],
  ['TE', 'trailers'],
  ['Trailer', 'X-Checksum'],
  ['Upgrade', 'websocket'],
  ['Proxy-Connection', 'keep-alive'],
  ['Proxy-Authorization', 'Basic cHJveHk6c2VjcmV0']
]

t.test('unit: buildUpstreamHeaders drops hop-by-hop and Connection-listed names, sets X-Forwarded-*', async (t) => {
  const raw = [...HOP_REQUEST.flat(), 'Authorization', AUTHORIZATION, 'X-Keep', 'yes', 'Host', 'mail.example.com', 'X-Forwarded-Proto', 'https']
  const out = buildUpstreamHeaders(raw, { remoteAddress: '192.0.2.1', encrypted: false, host: 'mail.example.com', forwardedFor: '203.0.113.7' })
  const names = out.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())
  for (const [name] of HOP_REQUEST) t.notOk(names.includes(name.toLowerCase()), `${name} dropped`)
  t.notOk(names.includes('host'), 'Host is the upstream\'s own')
  t.same(out.slice(-6), ['x-forwarded-for', '203.0.113.7, 192.0.2.1', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'mail.example.com'])
  t.equal(out[out.indexOf('Authorization') + 1], AUTHORIZATION)
  t.equal(out[out.indexOf('X-Keep') + 1], 'yes')
})

t.test('unit: buildDeviceHeaders drops hop-by-hop and Connection-listed names', async (t) => {
  const out = buildDeviceHeaders({
    connection: 'keep-alive, x-up-hop',
    'x-up-hop': '1',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'proxy-authenticate': 'Basic',
    upgrade: 'h2c',
    trailer: 'x-sum',
    'set-cookie': ['a=1', 'b=2'],
    'x-end': 'kept'
  })
  t.same(out, { 'set-cookie': ['a=1', 'b=2'], 'x-end': 'kept' })
})

t.test('hop-by-hop headers are stripped both ways; X-Forwarded-* set; Authorization byte-identical', async (t) => {
  const up = await startUpstream({
    kind: 'raw',
    response: 'HTTP/1.1 200 OK\r\nConnection: X-Up-Hop\r\nX-Up-Hop: secret\r\nKeep-Alive: timeout=5\r\n' +
      'Proxy-Authenticate: Basic realm="p"\r\nUpgrade: h2c\r\nTrailer: X-Checksum\r\nX-End: kept\r\nSet-Cookie: a=1\r\n' +
      'Set-Cookie: b=2\r\nContent-Type: application/vnd.ms-sync.wbxml\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
  })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  // An odd but legal Authorization: the gateway must not normalise a single byte of it.
  const oddAuth = 'Basic  YWxpY2U6UzNjcmV0LVBhc3N3MHJkIQ=='
  const req = easRequest('Sync', {
    headers: [...HOP_REQUEST, ['X-Forwarded-For', '203.0.113.7'], ['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'spoofed.example'], ['X-Keep', 'yes'], ['Cookie', 'session=1']]
  })
  const res = await dev.request({ ...req, host: 'mail.example.com', headers: (req.headers ?? []).map(([k, v]) => (k === 'Authorization' ? [k, oddAuth] : [k, v])) })
  t.equal(res.status, 200)
  t.equal(res.body.toString(), 'hello')

  const seen = await up.waitForRequest(1)
  const sent = new Map<string, string[]>()
  for (let i = 0; i < seen.rawHeaders.length; i += 2) {
    const k = (seen.rawHeaders[i] as string).toLowerCase()
    sent.set(k, [...(sent.get(k) ?? []), seen.rawHeaders[i + 1] as string])
  }
  for (const name of ['x-device-hop', 'x-second-hop', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection', 'proxy-authorization']) {
    t.notOk(sent.has(name), `request: ${name} not forwarded`)
  }
  t.not(sent.get('connection')?.join(), 'keep-alive, X-Device-Hop', 'the device\'s Connection header is not forwarded')
  t.same(sent.get('authorization'), [oddAuth], 'Authorization reaches the upstream byte-identical')
  t.same(sent.get('x-forwarded-for'), ['203.0.113.7, 127.0.0.1'], 'X-Forwarded-For appended to')
  t.same(sent.get('x-forwarded-proto'), ['http'], 'X-Forwarded-Proto set from the device connection, not trusted')
  t.same(sent.get('x-forwarded-host'), ['mail.example.com'], 'X-Forwarded-Host is the device\'s Host')
  t.same(sent.get('host'), [`127.0.0.1:${up.port}`], 'Host is the upstream\'s')
  t.same(sent.get('x-keep'), ['yes'], 'end-to-end headers pass')
  t.same(sent.get('cookie'), ['session=1'])

  for (const name of ['x-up-hop', 'proxy-authenticate', 'upgrade', 'trailer']) {
    t.notOk(res.rawHeaders.some(([k]) => k.toLowerCase() === name), `response: ${name} not relayed`)
  }
  // Node's server announces its own keep-alive (timeout = deviceKeepAlive); the upstream's is not relayed.
  t.same(res.rawHeaders.filter(([k]) => k.toLowerCase() === 'keep-alive').map(([, v]) => v), [`timeout=${gw.config.timeouts.deviceKeepAlive / 1000}`], 'response: only the gateway\'s own Keep-Alive')
  t.same(res.rawHeaders.filter(([k]) => k.toLowerCase() === 'connection').map(([, v]) => v.toLowerCase()), ['keep-alive'], 'response: only the gateway\'s own Connection')
  t.equal(res.headers['x-end'], 'kept')
  t.same(res.rawHeaders.filter(([k]) => k.toLowerCase() === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2'], 'both Set-Cookie lines relayed')
  await expectOutcome(t, gw, { command: 'Sync', outcome: 'completed', status: 200, upstreamAnswered: true })
})
