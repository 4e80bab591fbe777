import t from 'tap'
import { metricNames } from '../../lib/metrics/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { metricValue } from '../helpers/metric-values.js'
import { startGateway } from '../helpers/start-gateway.js'

const DRAIN_GRACE_MS = 1000

async function get (port: number, path: string): Promise<number> {
  const c = await DeviceConnection.open(port)
  try { return (await c.request({ method: 'GET', path })).status } finally { c.destroy() }
}

t.test('drain: readiness fails, new connections refused, a short request finishes, a held one ends at drainGrace', async (t) => {
  const up = await startUpstream((req) => (req.url?.includes('Cmd=FolderSync') === true ? { kind: 'hold', ms: 400 } : req.url?.includes('Cmd=Sync') === true ? { kind: 'hold', ms: 30_000 } : { kind: 'echo' }))
  t.teardown(up.close)
  const gw = await startGateway(t, up.url, { timeouts: { drainGrace: `${DRAIN_GRACE_MS}ms` } })
  t.equal(await get(gw.adminPort, '/readyz'), 200, 'ready before the drain')
  t.equal(await get(gw.adminPort, '/healthz'), 200)

  const idle = await DeviceConnection.open(gw.port)
  t.teardown(() => { idle.destroy() })
  t.equal((await idle.request(easRequest('Settings'))).status, 200, 'an idle keep-alive connection')
  const held = await DeviceConnection.open(gw.port)
  t.teardown(() => { held.destroy() })
  held.write(DeviceConnection.format(easRequest('Sync'), gw.port))
  const heldSeen = await up.waitForRequest(2)
  const short = await DeviceConnection.open(gw.port)
  t.teardown(() => { short.destroy() })
  short.write(DeviceConnection.format(easRequest('FolderSync'), gw.port))
  await up.waitForRequest(3)

  const drainStarted = performance.now()
  const drained = gw.stop()
  t.equal(await get(gw.adminPort, '/readyz'), 503, '/readyz turns 503 at once')
  t.equal(await get(gw.adminPort, '/healthz'), 200, '/healthz still 200 while draining')
  await t.rejects(DeviceConnection.open(gw.port), { code: 'ECONNREFUSED' }, 'new device connections are refused')
  await idle.waitServerClose(500)
  t.pass('the idle keep-alive connection is closed')

  const shortRes = await short.readResponse()
  t.equal(shortRes.status, 200, 'the in-flight short request completes')
  t.equal(shortRes.headers.connection, 'close', 'with Connection: close')
  t.ok(performance.now() - drainStarted < DRAIN_GRACE_MS, 'before the grace ran out')

  let heldStatus: number | string
  try { heldStatus = (await held.readResponse(DRAIN_GRACE_MS + 2000)).status } catch { heldStatus = 'cut' }
  const endedAfter = performance.now() - drainStarted
  t.ok(heldStatus === 503 || heldStatus === 'cut', `the held request is ended (${heldStatus})`)
  t.ok(endedAfter >= DRAIN_GRACE_MS - 50 && endedAfter < DRAIN_GRACE_MS + 500, `at drainGrace (${Math.round(endedAfter)} ms)`)
  await heldSeen.closed
  t.ok(heldSeen.aborted, 'the upstream request of the held one is cancelled')

  await drained
  t.ok(performance.now() - drainStarted < DRAIN_GRACE_MS + 1000, 'drain resolves soon after the grace')
  await t.rejects(get(gw.adminPort, '/readyz'), { code: 'ECONNREFUSED' }, 'the admin listener is closed after the drain')

  const lines = gw.sink.accessLines()
  t.equal(lines.length, 3, 'one access line per request')
  t.match(lines.find((l) => l['eas.command'] === 'FolderSync'), { 'eas.outcome': 'completed', 'http.response.status_code': 200 })
  t.match(lines.find((l) => l['eas.command'] === 'Sync'), { 'eas.outcome': 'answered_locally', 'eas.reason': 'drained' })
  t.equal(await metricValue(gw.registry, metricNames.requests, { command: 'Sync', outcome: 'answered_locally' }), 1)
  t.equal(await metricValue(gw.registry, metricNames.inFlight), 0, 'nothing in flight after the drain')
  t.ok(gw.sink.lines().some((l) => l.msg === 'drained'), 'the drain is logged')
})
