/**
 * Protocol behaviour of Horde's ActiveSync (scripts/horde-up.sh; horde.md) that SOGo does not
 * have, each through the gateway: EAS 16.0, forced provisioning (449, two-step Provision,
 * X-MS-PolicyKey), a superseded Ping answered 200 with an empty body, Status 5 with Horde's own
 * bounds against the gateway's clamp, and odd answers relayed untouched (Ping Status 132, HTTP
 * 500 with an empty body at 12.1, Status 3 for an empty Ping). What Horde's behaviour costs (a
 * Ping kept after the device left, a slow 401, a Ping storm) is in gateway-horde-costs.test.ts.
 *
 * Every Ping here watches one of bob's folders (gateway-horde.test.ts delivers to alice's INBOX,
 * the hop tests watch alice's Drafts and Junk), nothing delivers mail to bob, and every subtest
 * uses fresh DeviceIds, so Horde keeps no device state between them.
 */
import t from 'tap'
import {
  childText,
  easXml,
  findFirst,
  folderSync,
  metricsView,
  newDeviceId,
  ping,
  readDevice,
  requirePeer,
  waitForMetrics,
  waitUntilHeld,
} from './helpers/index.js'
import { HOLD_OBSERVE_MS, PING_DONE, REQUESTS, fx, heldFor, hordeGateway, session, syncedInbox } from './suites/horde-devices.js'

if (await requirePeer(t, ['horde', 'libwbxml', 'gateway'])) {
  t.test('EAS 16.0 end to end: FolderSync, Sync and a held Ping, logged as 16.0', { timeout: 60_000 }, async (t) => {
    const { gw, base } = await hordeGateway(t)
    const s = session(base, 'v16')
    const folders = await syncedInbox(s)
    const r = await ping(s, { heartbeat: fx.hbMin, folders, closeWatchMs: 0 })
    t.equal(r.status, '1', `Ping Status 1 after its ${fx.hbMin} s heartbeat (${r.response.elapsedMs} ms)`)
    await gw.logs.waitFor((e) => e.msg === 'request' && e['eas.device.id'] === s.deviceId && e['eas.command'] === 'Ping')
    const lines = gw.logs.entries.filter((e) => e.msg === 'request' && e['eas.device.id'] === s.deviceId)
    t.same([...new Set(lines.map((e) => e['eas.command']))].sort(), ['FolderSync', 'Ping', 'Sync'], 'FolderSync, Sync and Ping went through')
    t.ok(lines.every((e) => e['eas.protocol_version'] === '16.0' && e['eas.outcome'] === 'completed'), 'every access line: protocolVersion 16.0, outcome completed')
  })

  t.test('forced provisioning: 449, the two-step Provision, the PolicyKey passed through, a wrong key 449 again', async (t) => {
    const { base, admin } = await hordeGateway(t)
    const before = await metricsView(admin)
    for (const version of ['16.0', '14.1', '12.1']) {
      // DeviceIds starting with HORDE_PROVISIONING_PREFIX are forced through provisioning.
      const s = session(base, `${fx.provisioningPrefix}${version.replace('.', '')}`, version)
      const fs0 = await easXml(s, 'FolderSync', '<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>')
      t.equal(fs0.status, 449, `${version}: FolderSync without a PolicyKey is 449`)
      if (version === '12.1') t.equal(fs0.body.length, 0, `${version}: with an empty body`)
      // MS-ASCMD wants HTTP 200 + Status 142 from 14.0 on; Horde sends both 449 and the body, its
      // Status in the AirSync codepage (horde.md §2). Relayed as is.
      else t.match(fs0.xml, /<FolderSync xmlns="FolderHierarchy:"><Status xmlns="AirSync:">142<\/Status><\/FolderSync>/, `${version}: with Horde's WBXML body <FolderSync><AirSync:Status>142 relayed (${fs0.body.length} bytes)`)

      const policy = '<Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType></Policy></Policies>'
      const p1 = await easXml(s, 'Provision', `<Provision xmlns="Provision:">${policy}</Provision>`)
      const temp = p1.doc && childText(findFirst(p1.doc, 'Policy') ?? p1.doc, 'PolicyKey')
      t.equal(p1.status, 200, `${version}: Provision step 1 is 200`)
      t.ok(temp && /^\d+$/.test(temp), `${version}: step 1 hands out a temporary PolicyKey (${temp})`)
      const ack = `<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType><PolicyKey>${temp}</PolicyKey><Status>1</Status></Policy></Policies></Provision>`
      const p2 = await easXml(s, 'Provision', ack, { headers: { 'X-MS-PolicyKey': temp! } })
      const final = p2.doc && childText(findFirst(p2.doc, 'Policy') ?? p2.doc, 'PolicyKey')
      t.ok(final && final !== temp, `${version}: step 2 (the ack with X-MS-PolicyKey ${temp}) returns the final key ${final}`)

      const ok = await easXml(s, 'FolderSync', '<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>', { headers: { 'X-MS-PolicyKey': final! } })
      t.equal(ok.status, 200, `${version}: FolderSync with X-MS-PolicyKey ${final} is 200: the gateway passed the key through unchanged`)
      const wrong = await easXml(s, 'FolderSync', '<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>', { headers: { 'X-MS-PolicyKey': '1234567' } })
      t.equal(wrong.status, 449, `${version}: a wrong PolicyKey is 449 again`)
    }
    const after = await metricsView(admin)
    const d = (labels: Record<string, string>): number => after.value(REQUESTS, labels) - before.value(REQUESTS, labels)
    t.equal(d({ command: 'FolderSync', outcome: 'completed' }), 9, 'every FolderSync (449s included) counted completed: a 449 is Horde\'s answer, not a gateway error')
    t.equal(d({ command: 'Provision', outcome: 'completed' }), 6, 'both Provision steps counted completed')
    t.equal(after.value('eas_gateway_upstream_up', { upstream: 'horde' }), 1, 'the 449s do not count against the upstream')
  })

  t.test('a Ping superseded behind a second gateway: Horde\'s 200 with an empty body is a normal end', { timeout: 90_000 }, async (t) => {
    // Two gateways (replicas behind a balancer): the second Ping of the device reaches the other
    // one, so only Horde sees the supersede. It answers the first Ping 200 with 0 bytes at its next check.
    const a = await hordeGateway(t)
    const b = await hordeGateway(t)
    const id = newDeviceId('supd')
    const sa = session(a.base, 'supd', '14.1', id)
    const folders = await syncedInbox(sa)
    const before = await metricsView(a.admin)
    const first = ping(sa, { heartbeat: 60, folders, closeWatchMs: 0 })
    first.catch(() => {})
    await waitUntilHeld(a.admin, id)
    // Horde notices a newer Ping only once the first one is in its loop (stored its state): a
    // second Ping sent at once races it and neither is superseded. Observe the hold first.
    t.equal(await heldFor(first, HOLD_OBSERVE_MS), 'held', `the first Ping is held (still open after ${HOLD_OBSERVE_MS} ms)`)
    const second = ping(session(b.base, 'supd', '14.1', id), { heartbeat: fx.hbMin, folders, closeWatchMs: 0 })
    second.catch(() => {})
    const r1 = await first
    t.equal(r1.response.status, 200, 'the first Ping: HTTP 200')
    t.equal(r1.response.body.length, 0, 'with an empty body, relayed as Horde sent it')
    t.ok(r1.response.elapsedMs < HOLD_OBSERVE_MS + fx.waitInterval * 1000 + 6000, `ended at Horde's next check after the second Ping (${r1.response.elapsedMs} ms of a 60 s heartbeat)`)
    const after = await waitForMetrics(a.admin, 'the first Ping to be counted', (m) => m.value(REQUESTS, PING_DONE) > before.value(REQUESTS, PING_DONE))
    t.equal(after.value(REQUESTS, PING_DONE) - before.value(REQUESTS, PING_DONE), 1, 'gateway A: requests_total{command="Ping",outcome="completed"} +1')
    for (const outcome of ['upstream_reset', 'upstream_timeout', 'execution_timeout', 'device_abort']) {
      t.equal(after.value(REQUESTS, { command: 'Ping', outcome }) - before.value(REQUESTS, { command: 'Ping', outcome }), 0, `gateway A: no Ping ${outcome}`)
    }
    t.equal(after.value('eas_gateway_upstream_errors_total'), before.value('eas_gateway_upstream_errors_total'), 'gateway A: no upstream error')
    t.equal((await readDevice(a.admin, id))?.heldPing, null, 'gateway A: the Ping is no longer held')
    const line = await a.gw.logs.waitFor((e) => e.msg === 'request' && e['eas.device.id'] === id && e['eas.command'] === 'Ping')
    t.match(line, { 'eas.outcome': 'completed', 'http.response.status_code': 200 }, 'gateway A access log: outcome completed, status 200')
    const r2 = await second
    t.equal(r2.status, '1', `the second Ping (gateway B) ends normally: Status 1 after ${r2.response.elapsedMs} ms`)
    t.comment(`Horde answered the superseded Ping 200 with ${r1.response.body.length} bytes after ${r1.response.elapsedMs} ms`)
  })

  t.test('out-of-range heartbeats: the gateway\'s clamp against Horde\'s own Status 5', { timeout: 60_000 }, async (t) => {
    // Narrower than Horde's bounds: the gateway answers, Horde never sees the Ping.
    const narrow = await hordeGateway(t, { server: { minHeartbeat: `${fx.hbMin * 2}s`, maxHeartbeat: `${Math.floor(fx.hbMax / 2)}s` } })
    const sn = session(narrow.base, 'hbnarrow')
    const fn = await syncedInbox(sn)
    const nHigh = await ping(sn, { heartbeat: fx.hbMax - 1, folders: fn, timeoutMs: 30_000 })
    t.match({ status: nHigh.status, hb: nHigh.heartbeat }, { status: '5', hb: Math.floor(fx.hbMax / 2) }, `narrower clamp, H=${fx.hbMax - 1}: the gateway's Status 5 with its max ${Math.floor(fx.hbMax / 2)} (${nHigh.response.elapsedMs} ms)`)
    const nLow = await ping(sn, { heartbeat: fx.hbMin + 1, folders: fn, timeoutMs: 30_000 })
    t.match({ status: nLow.status, hb: nLow.heartbeat }, { status: '5', hb: fx.hbMin * 2 }, `narrower clamp, H=${fx.hbMin + 1}: the gateway's Status 5 with its min ${fx.hbMin * 2}`)
    const nm = await metricsView(narrow.admin)
    t.equal(nm.value('eas_gateway_upstream_response_seconds_count', { command: 'Ping' }), 0, 'Horde never saw them')

    // Wider than Horde's: the gateway forwards, Horde answers Status 5 at once with its own bound.
    const wide = await hordeGateway(t, { server: { minHeartbeat: '1s', maxHeartbeat: `${fx.hbMax + 300}s` } })
    for (const [label, hb, bound] of [['high', fx.hbMax + 100, fx.hbMax], ['low', Math.max(1, fx.hbMin - 3), fx.hbMin]] as const) {
      const s = session(wide.base, `hbwide${label}`)
      const folders = await syncedInbox(s)
      const r = await ping(s, { heartbeat: hb, folders, timeoutMs: 30_000 })
      t.equal(r.status, '5', `wider clamp, H=${hb}: Horde's Status 5 reaches the device`)
      t.equal(r.heartbeat, bound, `with Horde's bound HeartbeatInterval ${bound}`)
      t.ok(r.response.elapsedMs < 3000, `at once (${r.response.elapsedMs} ms), not after a hold`)
      const d = await readDevice(wide.admin, s.deviceId)
      // Horde stores the bound as the device's heartbeat (horde.md §3); an empty Ping reuses it.
      // regression: #12 — a forwarded Ping answered 200 stored the requested heartbeat even when the server refused it with Status 5
      t.equal(d?.heartbeat, bound, `/devices remembers the accepted heartbeat ${bound} (the device asked ${hb})`)
    }
  })

  t.test('odd answers relayed untouched: Ping Status 132, HTTP 500 with an empty body (12.1), Status 3 for an empty Ping', { timeout: 60_000 }, async (t) => {
    const { base, admin } = await hordeGateway(t)
    const before = await metricsView(admin)
    /** The same request to Horde directly (a fresh twin device), for the bytes. */
    const twin = async (version: string, xml: string | undefined): Promise<Buffer> => {
      const s = session(fx.easUrl, 'twin', version)
      let body = xml
      if (xml !== undefined) body = xml.replace('INBOX_ID', (await folderSync(s)).folders.find((f) => f.type === 2)!.serverId)
      return (await easXml(s, 'Ping', body)).body
    }
    const neverSynced = '<Ping xmlns="Ping:"><HeartbeatInterval>30</HeartbeatInterval><Folders><Folder><Id>INBOX_ID</Id><Class>Email</Class></Folder></Folders></Ping>'
    for (const [version, status, what] of [['16.0', 200, 'Status 132'], ['14.1', 200, 'Status 132'], ['12.1', 500, 'an empty body']] as const) {
      const s = session(base, 'odd', version)
      const inboxId = (await folderSync(s)).folders.find((f) => f.type === 2)!.serverId
      const r = await easXml(s, 'Ping', neverSynced.replace('INBOX_ID', inboxId))
      t.equal(r.status, status, `${version}, a never-synced folder: HTTP ${status}`)
      if (status === 200) t.equal(r.doc && childText(r.doc, 'Status'), '132', `${version}: ${what} (a Sync code, invalid for Ping) reaches the device`)
      else t.equal(r.body.length, 0, `${version}: ${what}, not turned into a Ping answer by the gateway`)
      t.same(r.body, await twin(version, neverSynced), `${version}: byte for byte what Horde sends directly`)
    }
    const empty = await easXml(session(base, 'empty'), 'Ping', undefined)
    t.equal(empty.doc && childText(empty.doc, 'Status'), '3', 'an empty Ping with nothing cached: Status 3 (send the full request)')
    t.same(empty.body, await twin('16.0', undefined), 'byte for byte what Horde sends directly')
    const m = await metricsView(admin)
    t.equal(m.value(REQUESTS, PING_DONE) - before.value(REQUESTS, PING_DONE), 4, 'all four counted completed (the server\'s answers, not gateway errors)')
    t.equal(m.value('eas_gateway_upstream_up', { upstream: 'horde' }), 1, 'the 500 does not take Horde out of rotation')
  })
}
