/**
 * Through the gateway to a real ActiveSync server, the same suite for each (SOGo 5.8 via
 * scripts/sogo-up.sh, Horde 5.2 via scripts/horde-up.sh; gateway-sogo.test.ts and
 * gateway-horde.test.ts run it). What a phone does, end to end: OPTIONS, FolderSync, Sync until
 * empty, a Ping held for its heartbeat (Status 1), a mail delivered during a hold (Status 2 naming
 * the INBOX), a second Ping from the same device superseding the first, an out-of-range heartbeat
 * clamped by the gateway (Status 5 at once), and a wrong password (401, Connection: close, socket
 * closed). The suite speaks the server's highest protocol version (14.1 to SOGo, 16.0 to Horde).
 *
 * Mail goes to alice's INBOX, and every Ping here watches that INBOX: a delivery wakes every held
 * Ping on it, so the subtests run one after the other (tap's default) and no other test file Pings
 * alice's INBOX on the same server (the hop tests watch alice's Drafts and Junk, the SOGo smoke test
 * and the Horde-only tests bob). Every subtest uses a fresh DeviceId, so the server keeps no device
 * state between them.
 */
import type { Test } from 'tap'
import {
  easRequest,
  folderSync,
  metricsView,
  newDeviceId,
  ping,
  readDevice,
  requirePeer,
  startGateway,
  syncOnce,
  syncUntilEmpty,
  waitForDevice,
  waitUntilHeld,
  type EasServer,
  type EasSession,
  type RunningGateway,
} from '../helpers/index.js'

const REQUESTS = 'eas_gateway_requests_total'
/** How long a test watches a Ping stay open before it delivers mail or supersedes it. */
const HOLD_OBSERVE_MS = 2000

/** 'held' when `pending` is still open after `ms` (a bounded observation, not a synchronisation). */
async function heldFor (pending: Promise<unknown>, ms: number): Promise<'held' | 'answered'> {
  let timer: NodeJS.Timeout | undefined
  const r = await Promise.race([
    pending.then(() => 'answered' as const, () => 'answered' as const),
    new Promise<'held'>((resolve) => (timer = setTimeout(() => resolve('held'), ms))),
  ])
  clearTimeout(timer)
  return r
}

/** Runs the suite against `server`, through a gateway whose bounds are the server's own. */
export async function runServerSuite (t: Test, server: EasServer): Promise<void> {
  if (!(await requirePeer(t, [...server.peers, 'libwbxml', 'gateway']))) return
  const USER = server.alice
  const NAME = server.title
  /** A held Ping re-checks the folders every CHECK_S s. */
  const CHECK_S = server.checkSeconds
  /** The gateway's bounds: the server's own. */
  const MIN_HB = server.minHeartbeat
  const MAX_HB = server.maxHeartbeat
  /** An idle Ping of two check periods: the server answers it after ≈ H. */
  const IDLE_HB = 2 * CHECK_S
  const gw: RunningGateway = await startGateway(t, {
    upstreams: [{ name: server.kind, url: `${new URL(server.easUrl).origin}/` }],
    server: { minHeartbeat: `${MIN_HB}s`, maxHeartbeat: `${MAX_HB}s` },
  })
  const admin = gw.adminUrl!
  const base = `${gw.url}/Microsoft-Server-ActiveSync`
  const session = (label: string): EasSession => ({
    baseUrl: base, user: USER.user, password: USER.password, deviceId: newDeviceId(label), protocolVersion: server.protocolVersion,
  })

  /** FolderSync + Sync of the INBOX until the server answers empty (a Ping on it then blocks). */
  const syncedInbox = async (s: EasSession): Promise<{ inboxId: string; syncKey: string }> => {
    const fs = await folderSync(s)
    const inbox = fs.folders.find((f) => f.type === 2)
    if (!inbox) throw new Error(`no INBOX (Type 2) in FolderSync:\n${fs.response.xml}`)
    const { syncKey } = await syncUntilEmpty(s, inbox.serverId, { windowSize: 200 })
    return { inboxId: inbox.serverId, syncKey }
  }

  t.test('OPTIONS, FolderSync and Sync until empty through the gateway', async (t) => {
    const opts = await easRequest({ baseUrl: base, user: USER.user, password: USER.password, timeoutMs: 30_000 })
    t.equal(opts.status, 200, 'OPTIONS is 200')
    const versions = String(opts.headers['ms-asprotocolversions']).split(',')
    t.ok(versions.includes(server.protocolVersion), `${NAME}'s MS-ASProtocolVersions reach the device (${versions.join(',')})`)
    t.ok(String(opts.headers['ms-asprotocolcommands']).split(',').includes('Ping'), 'MS-ASProtocolCommands lists Ping')
    t.equal(opts.socketClosed, false, 'the gateway keeps the device connection open')

    const s = session('gwsync')
    const fs = await folderSync(s)
    t.equal(fs.response.status, 200, 'FolderSync: HTTP 200')
    t.equal(fs.status, '1', 'FolderSync Status 1')
    const inbox = fs.folders.find((f) => f.type === 2)
    t.equal(inbox?.displayName.toUpperCase(), 'INBOX', `the hierarchy has the INBOX ("${inbox?.displayName}")`)
    if (!inbox) return

    const first = await syncOnce(s, inbox.serverId, '0')
    t.equal(first.status, '1', 'Sync with SyncKey 0: Status 1')
    const all = await syncUntilEmpty(s, inbox.serverId, { fromKey: first.syncKey, windowSize: 200 })
    const last = all.rounds[all.rounds.length - 1]!
    t.equal(last.response.status, 200, 'the last Sync is HTTP 200')
    if (server.quietSync === 'empty-body') t.equal(last.response.body.length, 0, 'and has an empty body: nothing more to report')
    else t.ok(last.status === '1' && !last.hasCommands && last.syncKey === all.syncKey, 'and says Status 1, the same SyncKey, no Commands: nothing more to report')
    t.comment(`Sync: ${all.rounds.length} rounds, ${all.added.length} Adds, key ${first.syncKey} -> ${all.syncKey}`)

    const d = await readDevice(admin, s.deviceId)
    t.equal(d?.user, USER.user, '/devices knows the device and its user')
    t.equal(d?.lastCommand, 'Sync', '/devices: last command Sync')
  })

  t.test(`a ${IDLE_HB} s Ping is held for its heartbeat and answered Status 1`, { timeout: (IDLE_HB + 60) * 1000 }, async (t) => {
    const s = session('gwidle')
    const { inboxId } = await syncedInbox(s)
    const before = await metricsView(admin)
    const pending = ping(s, { heartbeat: IDLE_HB, folders: [{ id: inboxId, class: 'Email' }], closeWatchMs: 0 })
    pending.catch(() => {})
    const held = await waitUntilHeld(admin, s.deviceId)
    t.equal(held.heldPing?.heartbeat, IDLE_HB, `/devices shows the held Ping with heartbeat ${IDLE_HB}`)
    const during = await metricsView(admin)
    t.equal(during.value('eas_gateway_requests_in_flight', { command: 'Ping' }), 1, 'requests_in_flight{command="Ping"} is 1 during the hold')
    t.equal(during.value('eas_gateway_pings_held'), 1, 'pings_held is 1 during the hold')

    const r = await pending
    t.equal(r.response.status, 200, 'HTTP 200')
    t.equal(r.status, '1', 'Ping Status 1: heartbeat expired, nothing changed')
    const ms = r.response.elapsedMs
    t.ok(ms >= IDLE_HB * 1000 - server.earlyMs && ms <= IDLE_HB * 1000 + 3000, `held ≈ the heartbeat: ${ms} ms for ${IDLE_HB} s`)
    t.comment(`idle Ping: heartbeat ${IDLE_HB} s, held ${ms} ms`)

    const after = await metricsView(admin)
    const completed = { command: 'Ping', outcome: 'completed' }
    t.equal(after.value(REQUESTS, completed) - before.value(REQUESTS, completed), 1, 'requests_total{command="Ping",outcome="completed"} +1')
    t.equal(after.value('eas_gateway_requests_in_flight', { command: 'Ping' }), 0, 'nothing in flight afterwards')
    t.equal((await readDevice(admin, s.deviceId))?.heldPing, null, '/devices: no held Ping afterwards')
  })

  t.test('a mail delivered during a hold: Status 2 naming the INBOX', { timeout: 120_000 }, async (t) => {
    const s = session('gwpush')
    const { inboxId, syncKey } = await syncedInbox(s)
    const heartbeat = Math.min(120, MAX_HB)
    const pending = ping(s, { heartbeat, folders: [{ id: inboxId, class: 'Email' }], closeWatchMs: 0 })
    pending.catch(() => {})
    await waitUntilHeld(admin, s.deviceId)
    // The server checks the folders as soon as the Ping arrives, then every CHECK_S s: watch the hold
    // for a bounded moment first, so that the mail is found by a later check, as on a phone.
    t.equal(await heldFor(pending, HOLD_OBSERVE_MS), 'held', `the Ping is held (still open after ${HOLD_OBSERVE_MS} ms)`)

    const subject = `gateway push ${s.deviceId}`
    await server.deliver({ to: USER.user, subject })
    const deliveredAt = Date.now()
    const r = await pending
    const latency = Date.now() - deliveredAt
    t.equal(r.response.status, 200, 'HTTP 200')
    t.equal(r.status, '2', 'Ping Status 2: changes')
    t.same(r.folders, [inboxId], 'the changed folder is the INBOX')
    t.ok(latency <= CHECK_S * 1000 + 5000, `answered within one ${NAME} check period of the delivery (${latency} ms)`)
    t.ok(r.response.elapsedMs < heartbeat * 1000, `long before the ${heartbeat} s heartbeat (${r.response.elapsedMs} ms)`)
    t.comment(`push: Status 2 ${latency} ms after delivery, ${r.response.elapsedMs} ms after the Ping`)

    const next = await syncOnce(s, inboxId, syncKey)
    t.ok(next.added.length >= 1 && next.response.xml.includes(subject), 'the follow-up Sync brings the delivered message')
  })

  t.test('a second Ping from the same device supersedes the first', { timeout: 90_000 }, async (t) => {
    const s = session('gwsuper')
    const { inboxId } = await syncedInbox(s)
    const folders = [{ id: inboxId, class: 'Email' }]
    const before = await metricsView(admin)

    const first = ping(s, { heartbeat: 60, folders, closeWatchMs: 0 })
    first.catch(() => {})
    await waitUntilHeld(admin, s.deviceId)
    t.equal(await heldFor(first, HOLD_OBSERVE_MS), 'held', `the first Ping is held (still open after ${HOLD_OBSERVE_MS} ms)`)

    let secondSentAt = 0
    const second = ping(s, { heartbeat: MIN_HB, folders, closeWatchMs: 0, onRequestSent: () => (secondSentAt = Date.now()) })
    second.catch(() => {})
    const r1 = await first
    const answeredAfter = Date.now() - secondSentAt
    t.equal(r1.response.status, 200, 'the first Ping: HTTP 200 (never a 5xx)')
    t.equal(r1.status, '1', 'the first Ping: Status 1 from the gateway')
    t.ok(secondSentAt > 0 && answeredAfter < 1000, `answered at once when the second arrived (${answeredAfter} ms)`)
    t.ok(r1.response.elapsedMs < 60_000 - 10_000 && r1.response.elapsedMs >= HOLD_OBSERVE_MS, `held, then ended well before its own 60 s heartbeat (${r1.response.elapsedMs} ms)`)

    const dev = await waitForDevice(admin, s.deviceId, 'holds the second Ping', (d) => d.heldPing?.heartbeat === MIN_HB)
    t.equal(dev.superseded, 1, '/devices: superseded 1')
    const mid = await metricsView(admin)
    t.equal(mid.value('eas_gateway_ping_superseded_total') - before.value('eas_gateway_ping_superseded_total'), 1, 'ping_superseded_total +1')
    const local = { command: 'Ping', outcome: 'answered_locally' }
    t.equal(mid.value(REQUESTS, local) - before.value(REQUESTS, local), 1, 'the first Ping counted answered_locally')
    const line = await gw.logs.waitFor((e) => e.msg === 'ping superseded' && e.deviceId === s.deviceId)
    t.ok(typeof line.heldSeconds === 'number' && line.heldSeconds >= HOLD_OBSERVE_MS / 1000 - 1, `logged "ping superseded" with heldSeconds ${String(line.heldSeconds)}`)

    const r2 = await second
    t.equal(r2.status, '1', `the second Ping is held by ${NAME} and answered Status 1 (${r2.response.elapsedMs} ms)`)
    t.comment(`supersede: first answered ${answeredAfter} ms after the second was sent; second held ${r2.response.elapsedMs} ms`)
    t.equal((await readDevice(admin, s.deviceId))?.superseded, 1, 'still superseded 1 (the second ended normally)')
  })

  t.test('an out-of-range heartbeat is clamped by the gateway: Status 5 at once', async (t) => {
    const s = session('gwclamp')
    const fs = await folderSync(s)
    const inboxId = fs.folders.find((f) => f.type === 2)?.serverId ?? ''
    const folders = [{ id: inboxId, class: 'Email' }]
    const before = await metricsView(admin)

    const high = await ping(s, { heartbeat: MAX_HB * 2, folders, timeoutMs: 30_000 })
    t.equal(high.response.status, 200, 'too high: HTTP 200')
    t.equal(high.status, '5', 'too high: Status 5')
    t.equal(high.heartbeat, MAX_HB, `too high: HeartbeatInterval ${MAX_HB} (the maximum)`)
    t.ok(high.response.elapsedMs < 1000, `too high: answered at once (${high.response.elapsedMs} ms)`)

    const low = await ping(s, { heartbeat: 1, folders, timeoutMs: 30_000 })
    t.equal(low.status, '5', 'too low: Status 5')
    t.equal(low.heartbeat, MIN_HB, `too low: HeartbeatInterval ${MIN_HB} (the minimum)`)
    t.ok(low.response.elapsedMs < 1000, `too low: answered at once (${low.response.elapsedMs} ms)`)

    const after = await metricsView(admin)
    const d = (name: string, labels?: Record<string, string>): number => after.value(name, labels) - before.value(name, labels)
    t.equal(d('eas_gateway_ping_clamped_total', { bound: 'max' }), 1, 'ping_clamped_total{bound="max"} +1')
    t.equal(d('eas_gateway_ping_clamped_total', { bound: 'min' }), 1, 'ping_clamped_total{bound="min"} +1')
    t.equal(d(REQUESTS, { command: 'Ping', outcome: 'answered_locally' }), 2, 'both answered_locally')
    t.equal(d('eas_gateway_upstream_response_seconds_count', { command: 'Ping' }), 0, `${NAME} never saw them (no upstream Ping response)`)
    t.comment(`clamp: Status 5 in ${high.response.elapsedMs} ms (high) and ${low.response.elapsedMs} ms (low)`)
  })

  t.test('a wrong password: 401 with Connection: close, and the socket closed', async (t) => {
    const before = await metricsView(admin)
    const opts = await easRequest({ baseUrl: base, user: USER.user, password: 'wrong-password', timeoutMs: 30_000 })
    t.equal(opts.status, 401, 'OPTIONS: 401')
    t.match(String(opts.headers['www-authenticate']), /^basic /i, `${NAME}'s Basic challenge reaches the device`)
    t.equal(opts.headers.connection, 'close', 'Connection: close')
    t.equal(opts.socketClosed, true, 'the gateway closed the connection')

    const post = await easRequest({
      baseUrl: base,
      cmd: 'FolderSync',
      user: USER.user,
      password: 'wrong-password',
      deviceId: newDeviceId('gwauth'),
      body: Buffer.from('03016a00000756520330000101', 'hex'), // FolderSync SyncKey 0
      timeoutMs: 30_000,
    })
    t.equal(post.status, 401, 'FolderSync: 401')
    t.equal(post.headers.connection, 'close', 'Connection: close')
    t.equal(post.socketClosed, true, 'the gateway closed the connection')

    const after = await metricsView(admin)
    t.equal(after.value('eas_gateway_unauthorized_closes_total') - before.value('eas_gateway_unauthorized_closes_total'), 2, 'unauthorized_closes_total +2')
  })
}
