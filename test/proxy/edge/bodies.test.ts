import t from 'tap'
import { metricNames } from '../../../lib/metrics/index.js'
import { DeviceConnection } from '../../helpers/device-connection.js'
import { easRequest, expectOutcome } from '../../helpers/eas-device.js'
import { startUpstream } from '../../helpers/loopback-upstream.js'
import { metricValue } from '../../helpers/metric-values.js'
import { decodePingResponse, pingBody, pingRequest } from '../../helpers/ping-device.js'
import { startPingGateway } from '../../helpers/ping-gateway.js'
import { startGateway } from '../../helpers/start-gateway.js'

// Edge items 3, 4 and 8 (issue #9): no body past its cap whatever the framing; every Ping a
// Ping; slow clients bounded. All on real loopback sockets.

/** A body in HTTP/1.1 chunked framing, `size` bytes per chunk. */
function chunked (body: Buffer, size = 16 * 1024): Buffer {
  const parts: Buffer[] = []
  for (let i = 0; i < body.length; i += size) {
    const c = body.subarray(i, i + size)
    parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from('0\r\n\r\n'))
  return Buffer.concat(parts)
}

// regression: #9 — 2000 filler headers pushed Content-Length out of req.headers, so a 300 MB body was buffered whole
t.test('too many header lines: 431, and nothing reaches the upstream', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  for (const n of [150, 2000]) {
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const filler = Array.from({ length: n }, (_, i) => [`X-F${i}`, 'x'] as const)
    const res = await dev.request(easRequest('Sync', { headers: [...filler, ['Content-Length', '4']], body: 'abcd' }))
    t.equal(res.status, 431, `${n} header lines`)
    await dev.waitServerClose()
  }
  t.equal(up.requests.length, 0)
  t.equal(await metricValue(gw.registry, metricNames.refused, { status: '431' }), 2)
})

// regression: #9 — a chunked upload ignored proxy.maxRequestBodyBytes (1000 MiB reached the upstream against 64 MiB)
t.test('a chunked upload over maxRequestBodyBytes is cut at the cap: the upstream never gets more', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const cap = 256 * 1024
  const gw = await startGateway(t, up.url, { proxy: { maxRequestBodyBytes: cap } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const body = Buffer.alloc(4 * cap, 7)
  const res = await dev.request(easRequest('SendMail', { headers: [['Transfer-Encoding', 'chunked']], body: chunked(body) }))
  t.equal(res.status, 413, 'answered 413: the upstream had not answered yet')
  const seen = await up.waitForRequest(1)
  const got = await seen.body
  t.ok(got.length <= cap, `the upstream got ${got.length} bytes, no more than the cap`)
  await seen.closed
  t.ok(seen.aborted, 'and its request was cancelled')
  await expectOutcome(t, gw, { command: 'SendMail', outcome: 'refused_malformed', status: 413, reason: 'body_too_large', upstream: true })
})

t.test('a buffered body is counted too: Content-Length over the cap is 413 before a byte is read', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { proxy: { maxRequestBodyBytes: 1000 } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync', { headers: [['Content-Length', '1001']], body: '' }))
  t.equal(res.status, 413)
  t.equal(up.requests.length, 0)
})

// regression: #9 — a chunked Ping was streamed through: never parsed, clamped, tracked or answered on drain
t.test('a chunked Ping is parsed like any other: clamped at the gateway, never forwarded', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const req = pingRequest({}, { noLength: true })
  const res = await dev.request({ ...req, headers: [...(req.headers ?? []), ['Transfer-Encoding', 'chunked']], body: chunked(Buffer.from(pingBody(1)), 3) })
  t.equal(res.status, 200)
  t.match(decodePingResponse(res.body), { status: 5, heartbeatInterval: 2 }, 'Status 5 with the allowed heartbeat')
  t.equal(up.requests.length, 0)
})

t.test('a chunked Ping is held and tracked, and answered Status 1 at once on drain', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const req = pingRequest({}, { noLength: true })
  dev.write(DeviceConnection.format({ ...req, headers: [...(req.headers ?? []), ['Transfer-Encoding', 'chunked']], body: chunked(Buffer.from(pingBody(5)), 7) }, gw.port))
  const seen = await up.waitForRequest(1)
  t.equal(seen.headers['content-length'], String(pingBody(5).length), 'forwarded with its length, parsed')
  t.equal(gw.gateway.devices.heldCount, 1, 'tracked as held')
  const drained = gw.stop()
  const res = await dev.readResponse(3000)
  t.equal(res.status, 200)
  t.match(decodePingResponse(res.body), { status: 1 })
  await drained
})

t.test('a Ping over maxPingBodyBytes is 413 and never forwarded, even malformed', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url)
  for (const framing of ['length', 'chunked'] as const) {
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const junk = Buffer.alloc(70 * 1024, 0x41)
    const req = pingRequest({}, { noLength: true })
    const res = await dev.request(framing === 'chunked'
      ? { ...req, headers: [...(req.headers ?? []), ['Transfer-Encoding', 'chunked']], body: chunked(junk) }
      : { ...req, body: junk })
    t.equal(res.status, 413, framing)
  }
  t.equal(up.requests.length, 0, 'the 70 KB malformed Ping reached nobody')
})

t.test('a body that stalls: 408 after deviceBodyIdle before forwarding; cut upstream once streaming', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { timeouts: { deviceBodyIdle: '300ms' } })
  const small = await DeviceConnection.open(gw.port)
  t.teardown(() => { small.destroy() })
  small.write(DeviceConnection.format(easRequest('Sync', { headers: [['Content-Length', '100']], body: Buffer.alloc(10) }), gw.port))
  const r1 = await small.readResponse(3000)
  t.equal(r1.status, 408, 'buffered body: 408')
  t.equal(up.requests.length, 0, 'nothing forwarded')

  const big = await DeviceConnection.open(gw.port)
  t.teardown(() => { big.destroy() })
  big.write(DeviceConnection.format(easRequest('SendMail', { headers: [['Content-Length', String(200 * 1024)]], body: Buffer.alloc(100 * 1024) }), gw.port))
  const seen = await up.waitForRequest(1)
  const r2 = await big.readResponse(3000)
  t.equal(r2.status, 408, 'streamed body: 408 (the upstream had not answered)')
  await seen.closed
  t.ok(seen.aborted, 'the upstream request was cut')
  t.equal(await metricValue(gw.registry, metricNames.requests, { outcome: 'refused_malformed' }), 2)
})

t.test('a URL over maxUrlBytes is 414; two Host headers are 400', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { proxy: { maxUrlBytes: 1024 } })
  const d1 = await DeviceConnection.open(gw.port)
  t.teardown(() => { d1.destroy() })
  const long = await d1.request(easRequest('Sync', { path: `/Microsoft-Server-ActiveSync?Cmd=Sync&User=u&DeviceId=D&DeviceType=t&x=${'a'.repeat(2000)}` }))
  t.equal(long.status, 414)
  const d2 = await DeviceConnection.open(gw.port)
  t.teardown(() => { d2.destroy() })
  const longer = await d2.request(easRequest('Sync', { path: `/Microsoft-Server-ActiveSync?x=${'a'.repeat(40_000)}` }))
  t.equal(longer.status, 414, 'a request line over the header limit too')
  const d3 = await DeviceConnection.open(gw.port)
  t.teardown(() => { d3.destroy() })
  const two = await d3.request(easRequest('Sync', { headers: [['Host', 'evil.example']] }))
  t.equal(two.status, 400)
  t.equal(up.requests.length, 0)
})
