import type { IncomingMessage } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import t from 'tap'
import { BodyIntake, IntakeWatch, type IntakeRefusal } from '../../lib/proxy/body-intake.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

// Body intake on a fake request stream and a fake clock: caps, framing, Ping buffering and the
// idle bound, with no sockets and no real time.

const LIMITS = { maxBodyBytes: 1000, maxPingBodyBytes: 100, idleTimeout: 500 }

function rig (headers: Record<string, string>, ping = false) {
  const req = Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough
  const clock = fakeClock()
  const watch = new IntakeWatch(clock)
  const got: { buffered?: Buffer, stream?: Readable, refused?: IntakeRefusal[] } = {}
  const intake = new BodyIntake(req, { ping, limits: LIMITS, watch }, {
    onBuffered (b) { got.buffered = b },
    onStream (s) { got.stream = s },
    onRefused (r) { (got.refused ??= []).push(r) }
  })
  intake.start()
  return { req, clock, got, intake, watch }
}

t.test('no Content-Length and no Transfer-Encoding: an empty body at once (RFC 9112 §6.3)', async (t) => {
  const { got, clock } = rig({})
  t.same(got.buffered, Buffer.alloc(0))
  t.same(clock.pending(), [], 'no idle timer')
})

t.test('a small body is buffered, whole', async (t) => {
  const { req, got } = rig({ 'content-length': '6' })
  req.write('abc')
  req.end('def')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(got.buffered?.toString(), 'abcdef')
})

t.test('Content-Length over the cap: refused before a byte is read', async (t) => {
  t.match(rig({ 'content-length': '1001' }).got.refused, [{ status: 413, code: 'GW_ERR_PROXY_BODY_TOO_LARGE' }])
  t.match(rig({ 'content-length': '101' }, true).got.refused, [{ status: 413 }], 'a Ping has its own, smaller cap')
})

t.test('a chunked body is streamed and counted: over the cap, refused once and the stream destroyed', async (t) => {
  const { req, got } = rig({ 'transfer-encoding': 'chunked' })
  t.ok(got.stream, 'streamed')
  const seen: Buffer[] = []
  got.stream?.on('data', (c: Buffer) => seen.push(c))
  got.stream?.on('error', () => {})
  req.write(Buffer.alloc(600))
  req.write(Buffer.alloc(600))
  req.write(Buffer.alloc(600))
  await new Promise((resolve) => setImmediate(resolve))
  t.match(got.refused, [{ status: 413 }])
  t.equal(got.refused?.length, 1)
  t.equal(Buffer.concat(seen).length, 600, 'nothing past the cap was passed on')
  t.ok(got.stream?.destroyed)
})

t.test('a chunked Ping is buffered (so it can be parsed), and capped', async (t) => {
  const ok = rig({ 'transfer-encoding': 'chunked' }, true)
  ok.req.end(Buffer.alloc(80, 1))
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(ok.got.buffered?.length, 80)
  t.equal(ok.got.stream, undefined)
  const big = rig({ 'transfer-encoding': 'chunked' }, true)
  big.req.write(Buffer.alloc(101, 1))
  await new Promise((resolve) => setImmediate(resolve))
  t.match(big.got.refused, [{ status: 413 }])
})

t.test('idle bound: silence between reads is measured from the last read, not from the start', async (t) => {
  const { req, clock, got } = rig({ 'content-length': '10' })
  await clock.advance(400)
  req.write('a')
  await clock.advance(400)
  t.equal(got.refused, undefined, '800 ms in, but only 400 ms since the last byte')
  await clock.advance(100)
  t.match(got.refused, [{ status: 408, reason: 'body_idle_timeout', code: 'GW_ERR_PROXY_BODY_TIMEOUT' }])
})

t.test('stop(): out of the idle watch, nothing reported afterwards', async (t) => {
  const { req, clock, got, intake, watch } = rig({ 'content-length': '10' })
  t.equal(watch.reading.size, 1, 'watched while reading')
  intake.stop()
  t.equal(watch.reading.size, 0, 'not watched once stopped')
  req.end('0123456789')
  await clock.advance(1000)
  t.same(got, {})
})

t.test('a buffered body leaves no data or end listener on the request (a held Ping keeps the request an hour), only one for errors', async (t) => {
  const { req, got } = rig({ 'content-length': '3' }, true)
  const before = { data: req.listenerCount('data'), end: req.listenerCount('end'), error: req.listenerCount('error') }
  req.end('abc')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(got.buffered?.toString(), 'abc')
  t.equal(req.listenerCount('data'), before.data - 1, 'the data listener is gone')
  t.equal(req.listenerCount('end'), before.end - 1, 'the end listener is gone')
  t.equal(req.listenerCount('error'), before.error, 'an error listener stays')
  t.doesNotThrow(() => { req.emit('error', new Error('device went away')) }, 'an error after the end is absorbed')
})

t.test('one watch, one timer: each body is cut after its own silence, whatever the others do', async (t) => {
  const clock = fakeClock()
  const watch = new IntakeWatch(clock)
  const mk = () => {
    const req = Object.assign(new PassThrough(), { headers: { 'content-length': '100' } }) as unknown as IncomingMessage & PassThrough
    const refused: number[] = []
    new BodyIntake(req, { ping: false, limits: LIMITS, watch }, { onBuffered () {}, onStream () {}, onRefused () { refused.push(clock.t) } }).start()
    return { req, refused }
  }
  const quiet = mk()
  await clock.advance(100)
  const busy = mk()
  const late = mk()
  t.ok(clock.pending().length <= 1, 'at most one timer for all of them')
  for (let at = 100; at < 1500; at += 300) { busy.req.write('x'); await clock.advance(300) }
  t.same(quiet.refused, [500], 'the silent one at 500 ms')
  t.same(late.refused, [600], 'the other silent one 500 ms after its start')
  t.same(busy.refused, [], 'the one reading every 300 ms is never cut')
  t.ok(clock.pending().length <= 1, 'still one timer')
  await clock.advance(500)
  t.same(busy.refused, [1800], 'cut 500 ms after its last read (1300 ms)')
  t.equal(watch.reading.size, 0)
})
