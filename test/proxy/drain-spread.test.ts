import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { decodePingResponse, pingBody, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'

// Issue #11: a rolling reload drains the old workers with drain({ spread: true }): held Pings are
// answered Status 1 one by one over 80 % of drainGrace, not all at once.
t.test('drain({ spread: true }): every held Ping answered 200 Status 1, one by one over the grace', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const gw = await startPingGateway(t, up.url, { timeouts: { drainGrace: '2s' } })
  const N = 20
  const devs = await Promise.all(Array.from({ length: N }, async () => await DeviceConnection.open(gw.port)))
  t.teardown(() => { for (const d of devs) d.destroy() })
  for (const [i, d] of devs.entries()) d.write(DeviceConnection.format(pingRequest({ deviceId: `SPREAD${i}` }, { body: pingBody(5) }), gw.port))
  await up.waitForRequest(N)
  await Promise.all(up.requests.map(async (r) => await r.body))
  t.equal(gw.gateway.devices.heldCount, N, `${N} Pings held`)
  const t0 = performance.now()
  const drained = gw.gateway.drain({ spread: true })
  const answers = await Promise.all(devs.map(async (d) => { const r = await d.readResponse(10_000); return { r, at: performance.now() - t0 } }))
  await drained
  t.ok(answers.every(({ r }) => r.status === 200 && decodePingResponse(r.body).status === 1), 'all 200 Status 1')
  const times = answers.map((a) => a.at).sort((a, b) => a - b)
  const first = times[0] ?? 0
  const last = times[times.length - 1] ?? 0
  // 80 % of 2 s over 20 Pings: one every 80 ms, the last about 1.5 s after the first.
  t.ok(first < 500, `the first at once (${Math.round(first)} ms)`)
  t.ok(last - first > 800, `the last ${Math.round(last - first)} ms after the first: spread, not a herd`)
  const gaps = times.slice(1).map((x, i) => x - (times[i] ?? 0))
  t.ok(Math.max(...gaps) < 1000, 'no long gap: evenly spread')
})
