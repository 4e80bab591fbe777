import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest, expectOutcome } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { startGateway } from '../helpers/start-gateway.js'

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

t.test('a large body (> 64 KiB) is streamed: forwarded before it has all arrived, intact both ways', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const body = randomBytes(1024 * 1024 + 7)
  const head = DeviceConnection.format(easRequest('SendMail', { headers: [['Content-Length', String(body.length)]], body: Buffer.alloc(0) }), gw.port)
  dev.write(Buffer.concat([head, body.subarray(0, 200 * 1024)]))
  const seen = await up.waitForRequest(1)
  t.pass('the upstream has the request while the device still holds back most of the body')
  dev.write(body.subarray(200 * 1024))
  const res = await dev.readResponse()
  t.equal(res.status, 200)
  t.equal(sha256(await seen.body), sha256(body), 'the upstream got the body intact')
  t.equal(seen.headers['content-length'], String(body.length), 'with the device\'s Content-Length')
  t.equal(res.body.length, body.length)
  t.equal(sha256(res.body), sha256(body), 'the device got the response body intact')
  await expectOutcome(t, gw, { command: 'SendMail', outcome: 'completed', status: 200, upstreamAnswered: true })
})

t.test('a chunked body without Content-Length is streamed intact', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const parts = [randomBytes(40_000), randomBytes(50_000), randomBytes(3)]
  const chunked = Buffer.concat([...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')])
  const res = await dev.request(easRequest('SendMail', { headers: [['Transfer-Encoding', 'chunked']], body: chunked }))
  t.equal(res.status, 200)
  t.equal(sha256(res.body), sha256(Buffer.concat(parts)))
  await expectOutcome(t, gw, { command: 'SendMail', outcome: 'completed', status: 200, upstreamAnswered: true })
})

t.test('a small body is buffered: forwarded only once whole, with its exact length', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const body = randomBytes(4096)
  const head = DeviceConnection.format(easRequest('Sync', { headers: [['Content-Length', String(body.length)]], body: Buffer.alloc(0) }), gw.port)
  dev.write(Buffer.concat([head, body.subarray(0, 1000)]))
  // A whole round trip of another request on another connection: had the partial one been
  // forwarded, the upstream would have it first.
  const other = await DeviceConnection.open(gw.port)
  t.teardown(() => { other.destroy() })
  t.equal((await other.request(easRequest('FolderSync', { body: 'other' }))).status, 200)
  t.same(up.requests.map((r) => r.url.split('&')[0]), ['/Microsoft-Server-ActiveSync?Cmd=FolderSync'], 'the incomplete small request was held back')
  dev.write(body.subarray(1000))
  const res = await dev.readResponse()
  t.equal(res.status, 200)
  t.equal(sha256(res.body), sha256(body), 'intact')
  const seen = await up.waitForRequest(2)
  t.equal(seen.headers['content-length'], '4096')
  t.equal(seen.headers['transfer-encoding'], undefined, 'sent with a length, not chunked')
  await gw.sink.waitForAccessLines(2)
})

t.test('the boundary: exactly 64 KiB is buffered, 64 KiB + 1 is streamed', async (t) => {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url)
  for (const size of [64 * 1024, 64 * 1024 + 1]) {
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const body = randomBytes(size)
    const res = await dev.request(easRequest('Sync', { body }))
    t.equal(res.status, 200)
    t.equal(sha256(res.body), sha256(body), `${size} bytes intact`)
  }
  await gw.sink.waitForAccessLines(2)
})
