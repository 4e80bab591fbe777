import http2, { type Http2Server, type Http2Session, type ServerHttp2Stream } from 'node:http2'
import net, { type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { Readable } from 'node:stream'
import t from 'tap'
import type { Dispatcher } from 'undici'
import { H2Dispatcher } from '../../lib/upstream/index.js'
import { createTlsMaterial } from '../helpers/tls-material.js'
import { until } from '../helpers/until.js'

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants

import type { Teardown } from '../helpers/start-gateway.js'

/** What a test dispatch saw, in order: the callbacks the relay would get. */
interface Recorded {
  readonly events: string[]
  status?: number
  headers?: Record<string, unknown>
  body: Buffer[]
  error?: Error & { code?: string }
  controller?: Dispatcher.DispatchController
  readonly settled: Promise<void>
}

function record (hooks: { onData?: (c: Dispatcher.DispatchController, chunk: Buffer) => void } = {}): { rec: Recorded, handler: Dispatcher.DispatchHandler } {
  let done = (): void => {}
  const rec: Recorded = { events: [], body: [], settled: new Promise((resolve) => { done = resolve }) }
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart (c) { rec.events.push('start'); rec.controller = c },
    onResponseStart (_c, status, headers) { rec.events.push('response'); rec.status = status; rec.headers = headers },
    onResponseData (c, chunk) { rec.body.push(chunk); hooks.onData?.(c, chunk) },
    onResponseEnd () { rec.events.push('end'); done() },
    onResponseError (_c, err) { rec.events.push('error'); rec.error = err; done() }
  }
  return { rec, handler }
}

/** A node:http2 server on 127.0.0.1 that hands every stream to `onStream`; counts its sessions. */
async function startH2 (t: Teardown, onStream: (s: ServerHttp2Stream, h: http2.IncomingHttpHeaders) => void, settings: http2.Settings = {}): Promise<H2Upstream> {
  const sessions = new Set<Http2Session>()
  const sockets = new Set<net.Socket>()
  const server = http2.createServer({ settings })
  server.on('connection', (sock: net.Socket) => { sockets.add(sock); sock.on('close', () => sockets.delete(sock)) })
  server.on('session', (s) => { sessions.add(s); s.on('close', () => sessions.delete(s)) })
  server.on('stream', (s, h) => { s.on('error', () => {}); onStream(s, h) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { for (const s of sessions) s.destroy(); await new Promise((resolve) => server.close(resolve)) })
  // Breaks the TCP connection under a session, as a crashed server or a middlebox would.
  const breakSession = (s: Http2Session): void => { for (const sock of sockets) if (sock.remotePort === s.socket.remotePort) sock.destroy() }
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sessions, breakSession }
}

interface H2Upstream { server: Http2Server, url: string, sessions: Set<Http2Session>, breakSession: (s: Http2Session) => void }

function dispatcher (t: Teardown, url: string, over: Partial<ConstructorParameters<typeof H2Dispatcher>[1]> = {}): H2Dispatcher {
  const d = new H2Dispatcher(url, { connectTimeout: 2000, ...over })
  t.teardown(async () => { await d.destroy() })
  return d
}

const post = (path = '/Microsoft-Server-ActiveSync?Cmd=Ping', body: Dispatcher.DispatchOptions['body'] = Buffer.from('ping')): Dispatcher.DispatchOptions =>
  ({ method: 'POST', path, headers: ['content-type', 'application/vnd.ms-sync.wbxml'], body, headersTimeout: 0 })

t.test('POSTs share one session up to the server\'s SETTINGS_MAX_CONCURRENT_STREAMS; a new session only when all are full', async (t) => {
  const held: ServerHttp2Stream[] = []
  const up = await startH2(t, (s) => { held.push(s); s.resume() }, { maxConcurrentStreams: 3 })
  const counts: number[] = []
  const d = dispatcher(t, up.url, { onSessions: (n) => counts.push(n) })
  const recs = Array.from({ length: 7 }, () => { const r = record(); d.dispatch(post(), r.handler); return r.rec })
  await until(() => held.length === 7, 'seven streams at the server')
  t.equal(up.sessions.size, 3, 'ceil(7 / 3) sessions for seven held POSTs')
  t.equal(d.sessions, 3)
  const perSession = new Map<Http2Session, number>()
  for (const s of held) perSession.set(s.session as Http2Session, (perSession.get(s.session as Http2Session) ?? 0) + 1)
  t.same([...perSession.values()].sort(), [1, 3, 3], 'no session carries more than the server allows')
  for (const s of held) { s.respond({ ':status': 200 }); s.end('ok') }
  await Promise.all(recs.map(async (r) => { await r.settled }))
  for (const r of recs) t.same(r.events, ['start', 'response', 'end'])
  t.equal(Buffer.concat(recs[0]?.body ?? []).toString(), 'ok')
  t.ok(counts.includes(3), 'the session gauge saw three')
})

t.test('hop-by-hop headers are not sent; Host becomes :authority; the body arrives', async (t) => {
  let seen: http2.IncomingHttpHeaders | undefined
  let got = ''
  const up = await startH2(t, (s, h) => { seen = h; s.setEncoding('utf8'); s.on('data', (c: string) => { got += c }); s.on('end', () => { s.respond({ ':status': 200, 'x-up': 'yes' }); s.end() }) })
  const d = dispatcher(t, up.url)
  const { rec, handler } = record()
  d.dispatch({ method: 'POST', path: '/eas?Cmd=Sync', body: Readable.from([Buffer.from('a'), Buffer.from('b')]), headers: ['Host', 'mail.example', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c', 'X-Two', '1', 'x-two', '2'] }, handler)
  await rec.settled
  t.equal(rec.status, 200)
  t.equal(rec.headers?.['x-up'], 'yes')
  t.notOk(':status' in (rec.headers ?? {}), 'no pseudo-header reaches the relay')
  t.equal(seen?.[':authority'], 'mail.example')
  t.equal(seen?.[':path'], '/eas?Cmd=Sync')
  for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']) t.notOk(h in (seen ?? {}), `${h} not sent`)
  t.equal(seen?.['x-two'], '1, 2', 'a repeated field keeps both values')
  t.equal(got, 'ab', 'a streamed body is written')
})

t.test('a held stream keeps no copy of its request headers (stream.sentHeaders), and the server got them all', async (t) => {
  let seen: http2.IncomingHttpHeaders | undefined
  let held: ServerHttp2Stream | undefined
  const up = await startH2(t, (s, h) => { seen = h; held = s; s.resume() })
  // The client streams the dispatcher opens, seen through node:http2's own connect.
  const streams: http2.ClientHttp2Stream[] = []
  const connect = http2.connect
  t.teardown(() => { http2.connect = connect })
  http2.connect = ((...args: Parameters<typeof connect>) => {
    const session = connect(...args)
    const request = session.request.bind(session)
    session.request = (...a: Parameters<typeof request>) => { const st = request(...a); streams.push(st); return st }
    return session
  }) as typeof connect
  const d = dispatcher(t, up.url)
  const { rec, handler } = record()
  d.dispatch({ method: 'POST', path: '/eas?Cmd=Ping', body: Buffer.from('ping'), headers: ['Authorization', 'Basic YTpi', 'User-Agent', 'Apple-iPhone/1705.20'] }, handler)
  await until(() => held !== undefined, 'the stream at the server')
  t.equal(streams.length, 1)
  t.equal(streams[0]?.sentHeaders, undefined, 'node:http2 keeps no copy of the headers while the stream is held')
  t.equal(seen?.authorization, 'Basic YTpi')
  t.equal(seen?.['user-agent'], 'Apple-iPhone/1705.20')
  t.equal(seen?.[':path'], '/eas?Cmd=Ping')
  held?.respond({ ':status': 200 })
  held?.end('ok')
  await rec.settled
  t.same(rec.events, ['start', 'response', 'end'])
  t.equal(Buffer.concat(rec.body).toString(), 'ok')
})

t.test('a stream reset fails only its own request; the session carries on', async (t) => {
  const up = await startH2(t, (s, h) => {
    if (h[':path'] === '/reset') { s.close(NGHTTP2_INTERNAL_ERROR); return }
    s.respond({ ':status': 200 }); s.end('fine')
  })
  const d = dispatcher(t, up.url)
  const a = record()
  const b = record()
  d.dispatch(post('/reset'), a.handler)
  d.dispatch(post('/ok'), b.handler)
  await Promise.all([a.rec.settled, b.rec.settled])
  t.same(a.rec.events, ['start', 'error'], 'the reset request started (its bytes left) and failed')
  t.equal(a.rec.error?.code, 'GW_ERR_UPSTREAM_STREAM_RESET')
  t.same(b.rec.events, ['start', 'response', 'end'])
  t.equal(up.sessions.size, 1, 'one session, still open')
})

t.test('a session that dies fails exactly the streams it carried, as resets; none is re-sent', async (t) => {
  const streams: ServerHttp2Stream[] = []
  const up = await startH2(t, (s) => { streams.push(s); s.resume() }, { maxConcurrentStreams: 2 })
  const d = dispatcher(t, up.url)
  const recs = Array.from({ length: 4 }, () => { const r = record(); d.dispatch(post(), r.handler); return r.rec })
  await until(() => streams.length === 4, 'four streams held')
  const doomed = streams[0]?.session as Http2Session
  up.breakSession(doomed) // the connection breaks under two held streams
  const [r0, r1, r2, r3] = recs as [Recorded, Recorded, Recorded, Recorded]
  await Promise.all([r0.settled, r1.settled])
  for (const r of [r0, r1]) { t.same(r.events, ['start', 'error']); t.equal(r.error?.code, 'GW_ERR_UPSTREAM_STREAM_RESET') }
  for (const s of streams.slice(2)) { s.respond({ ':status': 200 }); s.end() }
  await Promise.all([r2.settled, r3.settled])
  for (const r of [r2, r3]) t.same(r.events, ['start', 'response', 'end'], 'the other session\'s streams are untouched')
  t.equal(streams.length, 4, 'no request was sent again')
})

t.test('after a GOAWAY no new stream goes to that session; its open stream still completes', async (t) => {
  const streams: ServerHttp2Stream[] = []
  const up = await startH2(t, (s) => { streams.push(s); s.resume() })
  const d = dispatcher(t, up.url)
  const first = record()
  d.dispatch(post(), first.handler)
  await until(() => streams.length === 1, 'first stream held')
  const old = streams[0]?.session as Http2Session
  old.goaway(NGHTTP2_NO_ERROR, streams[0]?.id ?? 1)
  await until(() => d.closingSessions === 1, 'the client took the GOAWAY in')
  const second = record()
  d.dispatch(post(), second.handler)
  await until(() => streams.length === 2, 'second stream held')
  t.not(streams[1]?.session, old, 'the new stream went to a new session')
  for (const s of streams) { s.respond({ ':status': 200 }); s.end('done') }
  await Promise.all([first.rec.settled, second.rec.settled])
  t.same(first.rec.events, ['start', 'response', 'end'], 'the stream below the GOAWAY\'s last id completes')
  t.same(second.rec.events, ['start', 'response', 'end'])
})

t.test('a device that goes away cancels its stream (RST_STREAM CANCEL); the session stays up for the others', async (t) => {
  const codes: number[] = []
  const streams: ServerHttp2Stream[] = []
  const up = await startH2(t, (s) => { streams.push(s); s.resume(); s.on('close', () => codes.push(s.rstCode)) })
  const d = dispatcher(t, up.url)
  const gone = record()
  const stays = record()
  d.dispatch(post(), gone.handler)
  d.dispatch(post(), stays.handler)
  await until(() => streams.length === 2, 'two streams held')
  gone.rec.controller?.abort(new Error('device went away'))
  await until(() => codes.length === 1, 'the server saw the stream end')
  t.same(codes, [NGHTTP2_CANCEL])
  t.same(gone.rec.events, ['start', 'error'])
  t.equal(gone.rec.error?.message, 'device went away')
  t.equal(up.sessions.size, 1, 'the session is still up')
  streams[1]?.respond({ ':status': 200 })
  streams[1]?.end('still here')
  await stays.rec.settled
  t.equal(Buffer.concat(stays.rec.body).toString(), 'still here')
})

t.test('flow control: a large body is relayed with backpressure (pause holds the server back, resume delivers all)', async (t) => {
  const total = 8 * 1024 * 1024
  let blocked = false
  let written = 0
  const up = await startH2(t, (s, h) => {
    s.respond({ ':status': 200 })
    if (h[':path'] === '/other') { s.end(Buffer.alloc(1024 * 1024, 1)); return }
    const chunk = Buffer.alloc(64 * 1024, 7)
    const pump = (): void => {
      while (written < total) {
        written += chunk.length
        if (!s.write(chunk)) { blocked = true; s.once('drain', pump); return }
      }
      s.end()
    }
    pump()
  })
  const d = dispatcher(t, up.url)
  let paused = false
  const { rec, handler } = record({ onData: (c) => { if (!paused) { paused = true; c.pause() } } })
  d.dispatch(post(), handler)
  await until(() => paused && blocked, 'the server blocked while the relay is paused', 5000)
  const during = written
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(written, during, 'nothing more is written while paused')
  t.ok(written < total, 'the server could not send the whole body into a paused relay')
  // A slow device holds back its own stream only: another large body on the same session flows.
  const other = record()
  d.dispatch(post('/other'), other.handler)
  await other.rec.settled
  t.equal(Buffer.concat(other.rec.body).length, 1024 * 1024, 'a second stream got its whole body meanwhile')
  t.equal(up.sessions.size, 1, 'on the same session')
  rec.controller?.resume()
  await rec.settled
  t.same(rec.events, ['start', 'response', 'end'])
  t.equal(Buffer.concat(rec.body).length, total)
})

t.test('an unanswered PING ends the session and fails its streams as resets', async (t) => {
  // A peer that sends its SETTINGS and then nothing at all: no SETTINGS ack, no PING ack, no answer.
  const sockets = new Set<net.Socket>()
  const server = net.createServer((sock) => { sockets.add(sock); sock.on('error', () => {}); sock.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { for (const s of sockets) s.destroy(); await new Promise((resolve) => server.close(resolve)) })
  const d = dispatcher(t, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, { pingInterval: 50, pingTimeout: 100 })
  const { rec, handler } = record()
  d.dispatch(post(), handler)
  await rec.settled
  t.same(rec.events, ['start', 'error'])
  t.equal(rec.error?.code, 'GW_ERR_UPSTREAM_STREAM_RESET')
  await until(() => d.sessions === 0, 'the dead session is gone')
})

t.test('a refused connect fails the request before it started (the proxy may fail it over)', async (t) => {
  const probe = net.createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  const d = dispatcher(t, `http://127.0.0.1:${port}`)
  const { rec, handler } = record()
  d.dispatch(post(), handler)
  await rec.settled
  t.same(rec.events, ['error'], 'never started: nothing was sent')
  t.equal(rec.error?.code, 'ECONNREFUSED')
  t.equal(d.sessions, 0)
})

t.test('a server that sends no SETTINGS within connectTimeout fails the request as a connect timeout', async (t) => {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((sock) => { sockets.add(sock); sock.on('error', () => {}) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { for (const s of sockets) s.destroy(); await new Promise((resolve) => server.close(resolve)) })
  const d = dispatcher(t, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connectTimeout: 100 })
  const { rec, handler } = record()
  d.dispatch(post(), handler)
  await rec.settled
  t.same(rec.events, ['error'])
  t.equal(rec.error?.code, 'UND_ERR_CONNECT_TIMEOUT')
})

t.test('headersTimeout cancels the stream and fails as UND_ERR_HEADERS_TIMEOUT', async (t) => {
  const codes: number[] = []
  const up = await startH2(t, (s) => { s.resume(); s.on('close', () => codes.push(s.rstCode)) })
  const d = dispatcher(t, up.url)
  const { rec, handler } = record()
  d.dispatch({ ...post(), headersTimeout: 100 }, handler)
  await rec.settled
  t.equal(rec.error?.code, 'UND_ERR_HEADERS_TIMEOUT')
  await until(() => codes.length === 1, 'the server saw the cancel')
  t.same(codes, [NGHTTP2_CANCEL])
})

t.test('h2 over TLS: ALPN, the configured CA and server name', async (t) => {
  const tls = createTlsMaterial()
  if (typeof tls === 'string') { t.pass('TLS test skipped', { skip: tls }); return }
  const server = http2.createSecureServer({ key: tls.key, cert: tls.cert })
  server.on('stream', (s) => { s.respond({ ':status': 200 }); s.end(String((s.session?.socket as { alpnProtocol?: string } | undefined)?.alpnProtocol)) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => { await new Promise((resolve) => server.close(resolve)) })
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const good = dispatcher(t, url, { caPem: tls.caCert, servername: tls.servername })
  const ok = record()
  good.dispatch(post(), ok.handler)
  await ok.rec.settled
  t.equal(Buffer.concat(ok.rec.body).toString(), 'h2', 'ALPN chose h2')
  const bad = dispatcher(t, url)
  const refused = record()
  bad.dispatch(post(), refused.handler)
  await refused.rec.settled
  t.same(refused.rec.events, ['error'], 'an unknown CA fails before anything is sent')
  t.match(refused.rec.error?.code, /CERT|UNABLE_TO/)
})

t.test('a destroyed dispatcher fails what waits and refuses new requests', async (t) => {
  const up = await startH2(t, (s) => { s.resume() })
  const d = new H2Dispatcher(up.url, { connectTimeout: 2000 })
  const held = record()
  d.dispatch(post(), held.handler)
  await until(() => up.sessions.size === 1 && held.rec.events.length === 1, 'held')
  await d.destroy()
  await held.rec.settled
  t.equal(held.rec.error?.code, 'GW_ERR_UPSTREAM_STREAM_RESET')
  const late = record()
  t.equal(d.dispatch(post(), late.handler), false)
  t.equal(late.rec.error?.code, 'UND_ERR_DESTROYED')
  await d.destroy()
})
