import t from 'tap'
import { Pool } from 'undici'
import { metricNames } from '../../lib/metrics/index.js'
import { createUpstreams } from '../../lib/upstream/index.js'
import { CutResponseError, DeviceConnection } from '../helpers/device-connection.js'
import { easRequest, expectOutcome } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'

/** undici's 300 s default against the production easRequestTimeout of 61 min, scaled to the tests' 3 s. */
const SCALED_UNDICI_DEFAULT_MS = Math.round(3000 * 300 / 3660)
const HOLD_MS = 1500

/** Reads a symbol-keyed field of an undici object by the symbol's description. */
function symbolField (obj: object, description: string): unknown {
  const sym = Object.getOwnPropertySymbols(obj).find((s) => s.description === description)
  if (sym === undefined) throw new Error(`no symbol "${description}" on ${obj.constructor.name}`)
  return (obj as Record<symbol, unknown>)[sym]
}

t.test('createUpstreams switches undici\'s own headers/body timeouts off on every pool', async (t) => {
  const set = createUpstreams([
    { name: 'a', url: 'http://127.0.0.1:1/', verifyCertificate: true },
    { name: 'b', url: 'https://mail.invalid/SOGo/', verifyCertificate: false }
  ], { connectTimeout: 1234 })
  t.teardown(async () => { await set.close() })
  for (const u of set.all) {
    const opts = symbolField(u.pool, 'options') as { headersTimeout?: number, bodyTimeout?: number, connections?: unknown }
    t.equal(opts.headersTimeout, 0, `${u.name}: Pool headersTimeout 0`)
    t.equal(opts.bodyTimeout, 0, `${u.name}: Pool bodyTimeout 0`)
  }
  t.equal(set.all[1]?.basePath, '/SOGo')
})

t.test('a held request outlives what undici\'s default would allow at the same scale', async (t) => {
  const up = await startUpstream({ kind: 'hold', ms: HOLD_MS })
  t.teardown(up.close)

  t.test('control: a plain undici Pool with the scaled default cuts the same hold', async (t) => {
    const pool = new Pool(up.url.slice(0, -1), { headersTimeout: SCALED_UNDICI_DEFAULT_MS })
    t.teardown(async () => { await pool.destroy() })
    await t.rejects(pool.request({ path: '/Microsoft-Server-ActiveSync?Cmd=Sync', method: 'POST', body: 'x' }), { code: 'UND_ERR_HEADERS_TIMEOUT' })
  })

  t.test('the gateway (easRequestTimeout 3s) delivers it: undici gets no timeout of its own per dispatch', async (t) => {
    const gw = await startGateway(t, up.url)
    const pool = gw.upstreams.all[0]?.pool
    if (pool === undefined) throw new Error('no upstream pool')
    const seen: { headersTimeout?: number | null, bodyTimeout?: number | null }[] = []
    const dispatch = pool.dispatch.bind(pool)
    pool.dispatch = (opts, handler) => { seen.push({ headersTimeout: opts.headersTimeout, bodyTimeout: opts.bodyTimeout }); return dispatch(opts, handler) }

    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const started = performance.now()
    const res = await dev.request(easRequest('Sync'))
    const took = performance.now() - started
    t.equal(res.status, 200)
    t.equal(res.body.toString(), 'held')
    t.ok(took >= HOLD_MS - 20, `held ${Math.round(took)} ms, more than ${SCALED_UNDICI_DEFAULT_MS} ms`)
    t.same(seen, [{ headersTimeout: 0, bodyTimeout: 0 }], 'dispatch gets headersTimeout 0 (easRequestTimeout is the gateway\'s own timer), bodyTimeout 0')
    const clients = symbolField(pool, 'clients') as object[]
    t.ok(clients.length >= 1, 'the pool made a client')
    for (const c of clients) {
      t.equal(symbolField(c, 'headers timeout'), 0, 'client default headersTimeout 0')
      t.equal(symbolField(c, 'body timeout'), 0, 'client default bodyTimeout 0')
    }
    const line = await expectOutcome(t, gw, { command: 'Sync', outcome: 'completed', status: 200, upstreamAnswered: true })
    t.ok(Number(line['eas.upstream.duration']) / 1e6 >= HOLD_MS - 20, 'upstreamMs covers the hold')
    t.equal(await metricValue(gw.registry, metricNames.upstreamErrors), 0, 'no upstream error')
  })
})

t.test('upstream silence past easRequestTimeout: 504, upstream_timeout, upstream request cancelled', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {
    server: { maxHeartbeat: '200ms' },
    timeouts: { easRequestTimeout: '800ms', executionTimeout: '2s', heartbeatMargin: '300ms' }
  })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const started = performance.now()
  const res = await dev.request(easRequest('Sync'))
  const took = performance.now() - started
  t.equal(res.status, 504)
  t.equal(res.headers.connection, 'close')
  // The gateway's own timer, never early (undici's 0.5 s tick could fire up to 499 ms early).
  t.ok(took >= 800 && took < 1900, `answered at easRequestTimeout (${Math.round(took)} ms), before executionTimeout`)
  await dev.waitServerClose()
  const seen = await up.waitForRequest(1)
  await seen.closed
  t.ok(seen.aborted, 'the upstream saw its request cancelled')
  await expectOutcome(t, gw, { command: 'Sync', outcome: 'upstream_timeout', status: 504, reason: 'timeout', upstreamAnswered: false })
  t.equal(await metricValue(gw.registry, metricNames.upstreamErrors, { upstream: 'up1', reason: 'timeout' }), 1)
})

t.test('easRequestTimeout counts from the last byte of a streamed body, as a wait for the answer', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, {
    server: { maxHeartbeat: '200ms' },
    timeouts: { easRequestTimeout: '800ms', executionTimeout: '4s', heartbeatMargin: '300ms' }
  })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  // 200 KiB streams (over the 64 KiB buffer limit): half now, the rest once the upstream has the first half.
  const half = 100 * 1024
  dev.write(DeviceConnection.format(easRequest('SendMail', { headers: [['Content-Length', String(2 * half)]], body: Buffer.alloc(half, 3) }), gw.port))
  const seen = await up.waitForRequest(1)
  await new Promise((resolve) => setTimeout(resolve, 600)) // the upload's pace, not synchronisation
  const lastByte = performance.now()
  dev.write(Buffer.alloc(half, 4))
  const res = await dev.readResponse(4000)
  const waited = performance.now() - lastByte
  t.equal(res.status, 504)
  t.ok(waited >= 800, `504 ${Math.round(waited)} ms after the last byte, not 800 ms after the first`)
  t.equal((await seen.body).length, 2 * half, 'the whole body reached the upstream')
  await expectOutcome(t, gw, { command: 'SendMail', outcome: 'upstream_timeout', status: 504, reason: 'timeout', upstreamAnswered: false })
})

t.test('slow upload past executionTimeout', async (t) => {
  const over = { server: { maxHeartbeat: '200ms' }, timeouts: { easRequestTimeout: '600ms', executionTimeout: '1s', heartbeatMargin: '200ms' } }

  t.test('small (buffered) body: 504 and never forwarded', async (t) => {
    const up = await startUpstream()
    t.teardown(up.close)
    const gw = await startGateway(t, up.url, over)
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const started = performance.now()
    dev.write(DeviceConnection.format(easRequest('Sync', { headers: [['Content-Length', '100']], body: Buffer.alloc(10, 1) }), gw.port))
    let status: number | string
    try { status = (await dev.readResponse()).status } catch { status = 'cut' }
    const took = performance.now() - started
    t.ok(status === 504 || status === 'cut', `504 or cut (got ${status})`)
    t.ok(took >= 980 && took < 2000, `ended at executionTimeout (${Math.round(took)} ms)`)
    await dev.waitServerClose()
    await expectOutcome(t, gw, { command: 'Sync', outcome: 'execution_timeout', status: 504, upstream: false, upstreamAnswered: false })
    t.equal(up.requests.length, 0, 'nothing reached the upstream')
  })

  t.test('large (streamed) body: 504 or cut, upstream request cancelled', async (t) => {
    const up = await startUpstream()
    t.teardown(up.close)
    const gw = await startGateway(t, up.url, over)
    const dev = await DeviceConnection.open(gw.port)
    t.teardown(() => { dev.destroy() })
    const started = performance.now()
    dev.write(DeviceConnection.format(easRequest('SendMail', { headers: [['Content-Length', String(200 * 1024)]], body: Buffer.alloc(100 * 1024, 2) }), gw.port))
    const seen = await up.waitForRequest(1)
    let status: number | string
    try { status = (await dev.readResponse()).status } catch { status = 'cut' }
    const took = performance.now() - started
    t.ok(status === 504 || status === 'cut', `504 or cut (got ${status})`)
    t.ok(took >= 980 && took < 2000, `ended at executionTimeout (${Math.round(took)} ms)`)
    await seen.closed
    t.ok(seen.aborted, 'the upstream saw its request cancelled')
    const line = await expectOutcome(t, gw, { command: 'SendMail', outcome: 'execution_timeout', status: status === 504 ? 504 : 0, upstreamAnswered: false })
    t.ok(Number(line['event.duration']) / 1e6 >= 990, 'durationMs is the executionTimeout')
  })
})

t.test('slow download past executionTimeout: the device connection is cut, execution_timeout', async (t) => {
  const up = await startUpstream({ kind: 'stall-mid-body', length: 1_000_000, sent: 1000 })
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { server: { maxHeartbeat: '200ms' }, timeouts: { easRequestTimeout: '600ms', executionTimeout: '1s', heartbeatMargin: '200ms' } })
  const dev = await DeviceConnection.open(gw.port)
  t.teardown(() => { dev.destroy() })
  const started = performance.now()
  const err = await dev.request(easRequest('ItemOperations')).then(() => undefined, (e: unknown) => e)
  const took = performance.now() - started
  t.ok(err instanceof CutResponseError, 'cut: the device cannot take the short body for a whole one')
  t.equal((err as CutResponseError).partial?.status, 200)
  t.ok(took >= 980 && took < 2000, `cut at executionTimeout (${Math.round(took)} ms), although the upstream answered in time`)
  const seen = await up.waitForRequest(1)
  await seen.closed
  t.ok(seen.aborted, 'the upstream response was cancelled')
  await expectOutcome(t, gw, { command: 'ItemOperations', outcome: 'execution_timeout', status: 200, upstreamAnswered: true })
})
