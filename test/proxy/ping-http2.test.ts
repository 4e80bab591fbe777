import http2, { type Http2Session, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { once } from 'node:events'
import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { metricValue } from '../helpers/metric-values.js'
import { easRequest } from '../helpers/eas-device.js'
import { decodePingResponse, pingBody, pingConfigTree, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'
import { startGateway, type Teardown } from '../helpers/start-gateway.js'
import { createTlsMaterial } from '../helpers/tls-material.js'
import { until } from '../helpers/until.js'

// upstreams[].http2 (issue #14): held Pings travel as streams on shared HTTP/2 sessions, and an
// upstream failure reaches the device exactly as an HTTP/1.1 reset does: 200 Status 1.

interface Held { readonly stream: ServerHttp2Stream, readonly path: string, rst?: number }

async function startH2Upstream (t: Teardown, settings: http2.Settings = {}): Promise<{ url: string, held: Held[], sessions: Set<Http2Session>, sockets: Set<Socket> }> {
  const held: Held[] = []
  const sessions = new Set<Http2Session>()
  const sockets = new Set<Socket>()
  const server = http2.createServer({ settings })
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)) })
  server.on('session', (s) => { sessions.add(s); s.on('close', () => sessions.delete(s)) })
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {})
    const h: Held = { stream, path: String(headers[':path']) }
    stream.on('close', () => { h.rst = stream.rstCode })
    stream.resume()
    // Short requests are answered at once; Pings are held until the test acts.
    if (!h.path.includes('Cmd=Ping')) { stream.respond({ ':status': 200, 'content-type': 'text/plain' }); stream.end('synced'); return }
    held.push(h)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { for (const s of sessions) s.destroy(); await new Promise((resolve) => server.close(resolve)) })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, held, sessions, sockets }
}

async function openPings (t: Teardown, port: number, n: number, prefix: string): Promise<DeviceConnection[]> {
  const devices: DeviceConnection[] = []
  t.teardown(() => { for (const d of devices) d.destroy() })
  for (let i = 0; i < n; i++) {
    const dev = await DeviceConnection.open(port)
    devices.push(dev)
    dev.write(DeviceConnection.format(pingRequest({ deviceId: `${prefix}${i}` }, { body: pingBody(5) }), port))
  }
  return devices
}

t.test('held Pings share one HTTP/2 session; a Sync rides along; answers are relayed', async (t) => {
  const up = await startH2Upstream(t)
  const gw = await startPingGateway(t, up.url, { upstreams: [{ name: 'up1', url: up.url, http2: true }] })
  const devices = await openPings(t, gw.port, 20, 'H2P')
  await until(() => up.held.length === 20, 'twenty Pings held at the server')
  t.equal(up.sessions.size, 1, 'one upstream connection for twenty held Pings')
  t.equal(await metricValue(gw.registry, metricNames.upstreamH2Sessions, { upstream: 'up1' }), 1)
  const sync = await DeviceConnection.open(gw.port)
  t.teardown(() => { sync.destroy() })
  const res = await sync.request(pingRequest({ deviceId: 'SYNC1' }, { cmd: 'Sync', body: Buffer.from('x') }))
  t.equal(res.status, 200)
  t.equal(res.body.toString(), 'synced')
  t.equal(up.sessions.size, 1, 'the Sync used the same session')
  for (const h of up.held) { h.stream.respond({ ':status': 200, 'content-type': 'application/vnd.ms-sync.wbxml' }); h.stream.end('answer') }
  for (const d of devices) {
    const r = await d.readResponse(2000)
    t.equal(r.body.toString(), 'answer')
  }
  t.equal(gw.gateway.devices.heldCount, 0)
})

t.test('the server\'s stream limit: a second session only when the first is full', async (t) => {
  const up = await startH2Upstream(t, { maxConcurrentStreams: 5 })
  const gw = await startPingGateway(t, up.url, { upstreams: [{ name: 'up1', url: up.url, http2: true }] })
  await openPings(t, gw.port, 7, 'LIM')
  await until(() => up.held.length === 7, 'seven Pings held')
  t.equal(up.sessions.size, 2)
})

t.test('a reset stream: that Ping alone gets 200 Status 1 (outcome upstream_reset); the others stay held', async (t) => {
  const up = await startH2Upstream(t)
  const gw = await startPingGateway(t, up.url, { upstreams: [{ name: 'up1', url: up.url, http2: true }] })
  const [first] = await openPings(t, gw.port, 3, 'RST')
  await until(() => up.held.length === 3, 'three Pings held')
  const victim = up.held.find((h) => h.path.includes('DeviceId=RST0'))
  victim?.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
  const res = await (first as DeviceConnection).readResponse(3000)
  t.equal(res.status, 200, 'HTTP 200, never a 5xx')
  t.equal(decodePingResponse(res.body).status, 1, 'Ping Status 1')
  const [line] = await gw.sink.waitForAccessLines(1)
  t.match(line, { 'eas.outcome': 'upstream_reset', 'eas.reason': 'reset', 'eas.ping.status': 1 })
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'reset' }), 1)
  t.equal(gw.gateway.devices.heldCount, 2, 'the other two Pings are still held')
  t.equal(up.sessions.size, 1, 'on the same session')
  t.equal(up.held.length, 3, 'nothing was re-sent')
})

t.test('a session that dies: each Ping it carried gets 200 Status 1; nothing is re-sent', async (t) => {
  const up = await startH2Upstream(t)
  const gw = await startPingGateway(t, up.url, { upstreams: [{ name: 'up1', url: up.url, http2: true }] })
  const devices = await openPings(t, gw.port, 3, 'DIE')
  await until(() => up.held.length === 3, 'three Pings held')
  for (const s of up.sockets) s.destroy()
  for (const d of devices) {
    const r = await d.readResponse(3000)
    t.equal(r.status, 200)
    t.equal(decodePingResponse(r.body).status, 1)
  }
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'reset' }), 3)
  t.equal(up.held.length, 3, 'no Ping was sent again')
})

t.test('a device that goes away cancels its stream (RST_STREAM CANCEL); the session stays up', async (t) => {
  const up = await startH2Upstream(t)
  const gw = await startPingGateway(t, up.url, { upstreams: [{ name: 'up1', url: up.url, http2: true }] })
  const [gone] = await openPings(t, gw.port, 2, 'BYE')
  await until(() => up.held.length === 2, 'two Pings held')
  gone?.destroy()
  const h = up.held.find((x) => x.path.includes('DeviceId=BYE0'))
  await until(() => h?.rst !== undefined, 'the server saw the stream end')
  t.equal(h?.rst, http2.constants.NGHTTP2_CANCEL)
  t.equal(up.sessions.size, 1, 'the session stays up')
  t.equal(gw.gateway.devices.heldCount, 1, 'the other Ping is still held')
})

t.test('easRequestTimeout on a held Ping over HTTP/2: 200 Status 1 (upstream_timeout), only its stream cancelled', async (t) => {
  const up = await startH2Upstream(t)
  const timeouts = { heartbeatMargin: '100ms', easRequestTimeout: '1200ms', executionTimeout: '3500ms' }
  const gw = await startPingGateway(t, up.url, { upstreams: [{ name: 'up1', url: up.url, http2: true }], server: { minHeartbeat: '1s', maxHeartbeat: '1s' }, timeouts })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const sent = performance.now()
  const r = await dev.request(pingRequest({ deviceId: 'LATE0' }, { body: pingBody(1) }), 5000)
  const took = performance.now() - sent
  t.equal(r.status, 200)
  t.equal(decodePingResponse(r.body).status, 1, 'Ping Status 1')
  t.ok(took >= 1200, `answered at easRequestTimeout (${Math.round(took)} ms), never before it`)
  const [h] = up.held
  await until(() => h?.rst !== undefined, 'the server saw the stream end')
  t.equal(h?.rst, http2.constants.NGHTTP2_CANCEL, 'its stream cancelled')
  t.equal(up.sessions.size, 1, 'the session stays up')
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'timeout' }), 1)
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Ping', outcome: 'upstream_timeout' }), 1)
})

t.test('http2For: pings: held Pings are streams on one HTTP/2 connection, every other request HTTP/1.1 (TLS, ALPN)', async (t) => {
  const tls = createTlsMaterial()
  if (typeof tls === 'string') { t.fail(tls); return }
  const seen: { version: string, path: string }[] = []
  const held: http2.Http2ServerResponse[] = []
  const server = http2.createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true })
  server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    seen.push({ version: req.httpVersion, path: req.url ?? '' })
    req.resume()
    if ((req.url ?? '').includes('Cmd=Ping')) { held.push(res); return }
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('synced')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const sessions = new Set<Http2Session>()
  server.on('session', (s) => { sessions.add(s) })
  t.teardown(async () => { for (const s of sessions) s.destroy(); await new Promise((resolve) => server.close(resolve)) })
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const gw = await startGateway(t, url, pingConfigTree({ upstreams: [{ name: 'up1', url, http2: true, http2For: 'pings' }], pool: { healthCheck: { interval: '50ms' } } }), { upstreamCa: tls.caCert })
  await openPings(t, gw.port, 3, 'MIX')
  await until(() => held.length === 3, 'three Pings held')
  await until(() => seen.some((s) => s.path.endsWith('/Microsoft-Server-ActiveSync')), 'a health check reached the server')
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync'))
  t.equal(res.status, 200)
  t.equal(res.body.toString(), 'synced')
  const pings = seen.filter((s) => s.path.includes('Cmd=Ping'))
  const others = seen.filter((s) => !s.path.includes('Cmd=Ping'))
  t.same(pings.map((s) => s.version), ['2.0', '2.0', '2.0'], 'the Pings arrived over HTTP/2')
  t.ok(others.some((s) => s.path.includes('Cmd=Sync')), 'the Sync reached the server')
  t.same([...new Set(others.map((s) => s.version))], ['1.1'], 'every other request, health checks included, arrived over HTTP/1.1')
  t.equal(sessions.size, 1, 'one HTTP/2 connection carries the three Pings')
  t.equal(await metricValue(gw.registry, metricNames.upstreamH2Sessions, { upstream: 'up1' }), 1)
})
