import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { decodePingResponse, pingBody, pingRequest } from '../helpers/ping-device.js'
import { startPingGateway } from '../helpers/ping-gateway.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

// Issue #11: a rolling reload drains the old workers with drain({ spread: true }): held Pings are
// answered Status 1 one by one over 80 % of drainGrace, not all at once.
//
// The gateway runs on a fake clock (its requests' timers and the spread's): the answers are
// checked at the exact moments the spread schedules them, not by the wall-clock arrival times at
// the devices, which a loaded machine stretches (a 700 ms stall made "the first at once" fail).
// The drain's grace deadline stays a real timer: 20 s, far beyond the test's real duration; the
// Pings' own deadlines (heartbeat 50 s) are on the fake clock, far beyond the 16 s of the spread.
const LONG = { server: { maxHeartbeat: '60s' }, timeouts: { easRequestTimeout: '70s', executionTimeout: '71s', drainGrace: '20s' } }
const HEARTBEAT = 50
t.test('drain({ spread: true }): every held Ping answered 200 Status 1, one by one over the grace', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const clock = fakeClock()
  const gw = await startPingGateway(t, up.url, LONG, { clock })
  const N = 20
  /** 80 % of the 20 s grace over N Pings: one every 800 ms. */
  const STEP = 0.8 * 20_000 / N
  const devs = await Promise.all(Array.from({ length: N }, async () => await DeviceConnection.open(gw.port)))
  t.teardown(() => { for (const d of devs) d.destroy() })
  for (const [i, d] of devs.entries()) d.write(DeviceConnection.format(pingRequest({ deviceId: `SPREAD${i}` }, { body: pingBody(HEARTBEAT) }), gw.port))
  await up.waitForRequest(N)
  await Promise.all(up.requests.map(async (r) => await r.body))
  t.equal(gw.gateway.devices.heldCount, N, `${N} Pings held`)
  const answers = devs.map(async (d) => await d.readResponse(10_000))
  const drained = gw.gateway.drain({ spread: true })
  // The spread answers synchronously (a Ping ends in its request's #finish), so the count of held
  // Pings right after each step of the clock is exactly how many the spread has answered.
  t.equal(gw.gateway.devices.heldCount, N - 1, 'the first answered at once, before the clock moved')
  const early: number[] = []
  const late: number[] = []
  for (let k = 1; k < N; k++) {
    await clock.advance(STEP - 1)
    if (gw.gateway.devices.heldCount !== N - k) early.push(k)
    await clock.advance(1)
    if (gw.gateway.devices.heldCount !== N - k - 1) late.push(k)
  }
  t.same(early, [], `none answered before its turn (${N - 1} turns, ${STEP} ms apart)`)
  t.same(late, [], 'each answered exactly at its turn: one by one, evenly spread')
  t.equal(gw.gateway.devices.heldCount, 0, `all answered by ${(N - 1) * STEP} ms, inside 80 % of the grace`)
  const got = await Promise.all(answers)
  t.ok(got.every((r) => r.status === 200 && decodePingResponse(r.body).status === 1), 'all 200 Status 1')
  await drained
})

t.test('drain({ spread: true }) on a late timer: every Ping due by then is answered, no drift past the grace', async (t) => {
  const up = await startUpstream({ kind: 'silence' })
  t.teardown(up.close)
  const clock = fakeClock()
  const gw = await startPingGateway(t, up.url, LONG, { clock })
  const N = 10
  const STEP = 0.8 * 20_000 / N
  const devs = await Promise.all(Array.from({ length: N }, async () => await DeviceConnection.open(gw.port)))
  t.teardown(() => { for (const d of devs) d.destroy() })
  for (const [i, d] of devs.entries()) d.write(DeviceConnection.format(pingRequest({ deviceId: `LATE${i}` }, { body: pingBody(HEARTBEAT) }), gw.port))
  await up.waitForRequest(N)
  await Promise.all(up.requests.map(async (r) => await r.body))
  const answers = devs.map(async (d) => await d.readResponse(10_000))
  const drained = gw.gateway.drain({ spread: true })
  t.equal(gw.gateway.devices.heldCount, N - 1, 'the first at once')
  // The clock jumps by three and a half steps before the next timer runs (a busy event loop).
  clock.t += 3.5 * STEP
  await clock.advance(0)
  t.equal(gw.gateway.devices.heldCount, N - 4, 'the late timer answers the three that were due, not one')
  await clock.advance(STEP - 1)
  t.equal(gw.gateway.devices.heldCount, N - 4, 'the next one waits a full step from the late timer')
  await clock.advance(1)
  t.equal(gw.gateway.devices.heldCount, N - 5, 'then one per step again')
  await clock.advance((N - 5) * STEP)
  t.equal(gw.gateway.devices.heldCount, 0, 'all answered')
  t.ok((await Promise.all(answers)).every((r) => r.status === 200 && decodePingResponse(r.body).status === 1), 'all 200 Status 1')
  await drained
})
