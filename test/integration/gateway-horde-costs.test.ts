/**
 * What Horde's ActiveSync (scripts/horde-up.sh; horde.md) costs a path, each through the gateway:
 * a Ping Horde keeps after the device left (it writes nothing until the heartbeat ends, so PHP
 * never sees the disconnect), a wrong password answered 401 after seconds on a kept-alive
 * connection, and a Ping storm that the gateway's maxHeldPings keeps inside Horde's Apache workers.
 *
 * Every Ping here watches bob's INBOX (nothing delivers mail to him) from a fresh DeviceId.
 */
import t from 'tap'
import {
  easRequest,
  metricsView,
  newDeviceId,
  ping,
  requirePeer,
  waitForDevice,
  waitForMetrics,
  waitUntilHeld,
} from './helpers/index.js'
import { PING_ABORT, REQUESTS, USER, fx, hordeGateway, hordePingEntry, session, syncedInbox } from './suites/horde-devices.js'

if (await requirePeer(t, ['horde', 'libwbxml', 'gateway'])) {
  t.test('a device that leaves mid-Ping: device_abort at once, while Horde keeps its worker for the whole heartbeat', { timeout: 90_000 }, async (t) => {
    const { gw, base, admin } = await hordeGateway(t)
    const s = session(base, 'left')
    const folders = await syncedInbox(s)
    const heartbeat = 20
    const before = await metricsView(admin)
    const device = new AbortController()
    const sentAt = Date.now()
    const pending = ping(s, { heartbeat, folders, signal: device.signal })
    pending.catch(() => {})
    await waitUntilHeld(admin, s.deviceId)
    await waitForDevice(admin, s.deviceId, 'held 2 s', (d) => (d.heldPing?.heldSeconds ?? 0) >= 2, { maxIntervalMs: 100 })
    device.abort()
    const leftAt = Date.now()
    await t.rejects(pending, 'the device saw no answer')
    const m = await waitForMetrics(admin, 'the abort to be counted', (x) => x.value(REQUESTS, PING_ABORT) > before.value(REQUESTS, PING_ABORT))
    const releasedMs = Date.now() - leftAt
    t.equal(m.value(REQUESTS, PING_ABORT) - before.value(REQUESTS, PING_ABORT), 1, `device_abort recorded ${releasedMs} ms after the device left`)
    t.equal(m.value('eas_gateway_requests_in_flight', { command: 'Ping' }), 0, 'nothing in flight at the gateway')
    t.equal(m.value('eas_gateway_upstream_requests_in_flight', { upstream: 'horde' }), 0, 'its upstream request is closed (upstream_requests_in_flight 0)')
    const line = await gw.logs.waitFor((e) => e.msg === 'request' && e['eas.device.id'] === s.deviceId && e['eas.command'] === 'Ping')
    t.equal(line['eas.outcome'], 'device_abort', 'access log: outcome device_abort')

    const e = await hordePingEntry(s.deviceId, (heartbeat + 15) * 1000)
    const busyAfterLeft = sentAt + e.durationMs - leftAt
    t.equal(e.status, 200, 'Horde still answered the Ping (Apache logged 200 for nobody)')
    t.ok(e.durationMs >= heartbeat * 1000 - 1500, `Horde's worker was busy ${Math.round(e.durationMs)} ms: the whole ${heartbeat} s heartbeat`)
    t.ok(busyAfterLeft > (heartbeat - 5) * 1000, `${Math.round(busyAfterLeft)} ms of it after the device and the gateway had both gone`)
    t.comment(`device left ${leftAt - sentAt} ms into a ${heartbeat} s Ping; gateway released it in ${releasedMs} ms; Horde held an Apache worker (and an IMAP connection) ${Math.round(e.durationMs)} ms`)
  })

  t.test('a slow 401 that Horde keeps alive: the device still gets Connection: close, and nothing is held longer than Horde takes', { timeout: 60_000 }, async (t) => {
    const direct = await easRequest({ baseUrl: fx.easUrl, cmd: 'FolderSync', user: USER.user, password: 'wrong-password', deviceId: newDeviceId('auth'), body: Buffer.from('03016a00000756520330000101', 'hex'), closeWatchMs: 500, timeoutMs: 30_000 })
    t.equal(direct.status, 401, `Horde itself: 401 after ${direct.elapsedMs} ms`)
    t.not(direct.headers.connection, 'close', 'Horde itself sends no Connection: close')
    t.equal(direct.socketClosed, false, 'and keeps the connection alive')

    const { gw, base, admin } = await hordeGateway(t)
    const before = await metricsView(admin)
    const deviceId = newDeviceId('auth')
    const r = await easRequest({ baseUrl: base, cmd: 'FolderSync', user: USER.user, password: 'wrong-password', deviceId, body: Buffer.from('03016a00000756520330000101', 'hex'), timeoutMs: 30_000 })
    t.equal(r.status, 401, `through the gateway: 401 after ${r.elapsedMs} ms`)
    t.equal(r.headers.connection, 'close', 'Connection: close')
    t.equal(r.socketClosed, true, 'the gateway closed the device connection')
    const m = await metricsView(admin)
    t.equal(m.value('eas_gateway_unauthorized_closes_total') - before.value('eas_gateway_unauthorized_closes_total'), 1, 'unauthorized_closes_total +1')
    t.equal(m.value('eas_gateway_requests_in_flight', { command: 'FolderSync' }), 0, 'nothing in flight once the device has its 401')
    const line = await gw.logs.waitFor((e) => e.msg === 'request' && e['eas.device.id'] === deviceId)
    const overhead = (Number(line['event.duration']) - Number(line['eas.upstream.duration'])) / 1e6
    t.ok(overhead < 500, `the gateway held it ${Number(line['event.duration']) / 1e6} ms, Horde took ${Number(line['eas.upstream.duration']) / 1e6} ms: ${overhead} ms more`)
    t.comment(`wrong password: Horde ${direct.elapsedMs} ms (kept alive), through the gateway ${r.elapsedMs} ms (closed)`)
  })

  t.test('a Ping storm: the gateway\'s maxHeldPings keeps Horde inside its workers, with no false 401', { timeout: 120_000 }, async (t) => {
    // More Pings than Horde has Apache workers; the gateway admits fewer than that, leaving
    // room for the other test file tap may run at the same time.
    const held = Math.max(2, fx.workers - 8)
    const devices = fx.workers + 4
    const { base, admin } = await hordeGateway(t, { limits: { maxHeldPings: held } })
    const sessions = Array.from({ length: devices }, (_, i) => session(base, `storm${i}`))
    const folderLists: Array<Array<{ id: string; class: string }>> = []
    for (let i = 0; i < sessions.length; i += 4) folderLists.push(...(await Promise.all(sessions.slice(i, i + 4).map((s) => syncedInbox(s)))))
    const before = await metricsView(admin)
    const heartbeat = 15
    const pending = Promise.all(sessions.map((s, i) => ping(s, { heartbeat, folders: folderLists[i]!, closeWatchMs: 0, timeoutMs: 60_000 })))
    pending.catch(() => {})
    await waitForMetrics(admin, `${held} Pings held`, (m) => m.value('eas_gateway_pings_held') === held)
    // While the admitted Pings are held, Horde must still have a worker for anything else.
    const opts = await easRequest({ baseUrl: base, user: USER.user, password: USER.password, timeoutMs: 30_000 })
    const results = await pending
    const statuses = results.map((r) => r.response.status)
    const count = (st: number): number => statuses.filter((x) => x === st).length
    t.equal(count(401), 0, 'no 401: every Ping authenticated (Dovecot\'s per-user cap is above the storm)')
    t.equal(count(200), held, `${held} Pings admitted and answered 200 by Horde`)
    t.equal(count(503), devices - held, `${devices - held} refused by the gateway with 503 + Retry-After`)
    t.ok(results.filter((r) => r.response.status === 503).every((r) => r.response.headers['retry-after'] !== undefined), 'every 503 carries Retry-After')
    t.equal(opts.status, 200, `during the hold Horde still had a free worker: OPTIONS answered in ${opts.elapsedMs} ms`)
    t.ok(opts.elapsedMs < 5000, 'at once, not after a held Ping freed a worker')
    const m = await metricsView(admin)
    t.equal(m.value('eas_gateway_limit_rejections_total', { limit: 'held_pings' }) - before.value('eas_gateway_limit_rejections_total', { limit: 'held_pings' }), devices - held, 'limit_rejections_total{limit="held_pings"}')
    t.comment(`storm: ${devices} Pings, ${held} held by Horde (${fx.workers} workers), ${devices - held} refused by the gateway, 0 false 401s`)
  })
}
