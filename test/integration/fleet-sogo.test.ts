/**
 * The fleet as a user runs it (issue #11): three gateway processes (the built binary, `gateway
 * serve -c … --workers 1`, as startGateway spawns it) sharing a real redis-server, a real HAProxy
 * in front (`balance leastconn`, health checks on `/readyz`) and the real SOGo behind.
 *
 * - a device's Pings, each on a new connection, land on alternating gateways; each one ends the
 *   one before across gateways at once (long before SOGo's own supersede at its next check);
 * - the per-device rate limit holds for the fleet, not per gateway;
 * - redis-server killed and restarted mid-stream: no request lost, sharing resumes;
 * - `/devices` on every gateway lists every device of the fleet;
 * - SIGHUP of one gateway with 500 device connections on it: the Pings it holds at SOGo stay held
 *   and are answered by SOGo (new mail) after the reload, and the 494 other devices, Pinging with
 *   a heartbeat the gateway clamps (answered by the gateway, Status 5, SOGo never asked), see no
 *   error before, during or after the reload, on the same connections. SOGo cannot hold 500 Pings:
 *   each one holds a sogod worker (SOGO_WORKERS, 8 here) and its listen queue is 5 deep;
 * - an access policy's compliance list (a loopback MDM export) is fetched about once per interval
 *   for the whole fleet, and a device it lists is blocked on every gateway.
 *
 * SOGo-bound Pings watch bob's Trash (no other test delivers there) and take at most
 * half the sogod workers (SOGO_WORKERS) at once, so the other tests sharing SOGo are not starved.
 */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { decodePingResponse, pingBody, pingRequest } from '../helpers/ping-device.js'
import { redisMissing, startRedis, type TestRedis } from '../helpers/redis-server.js'
import {
  deliverMail,
  easRequest,
  easXml,
  folderSync,
  folderSyncXml,
  makeTempDir,
  metricsView,
  ping,
  readDevices,
  requirePeer,
  sogoFixture,
  startGateway,
  startHaproxy,
  syncUntilEmpty,
  toWbxml,
  waitFor,
  type EasSession,
  type RunningGateway,
} from './helpers/index.js'

const fx = sogoFixture()
const USER = fx.bob
const N = 3
const HB = 60 // SOGo-bound Pings (within [5 s, 120 s] and SOGo's maximum)
const MAX_HB = 120 // the gateways' server.maxHeartbeat: a Ping above it is clamped by the gateway
const RATE = 2
const BURST = 5
const HUP_DEVICES = 500
const SOGO_HELD = Math.max(1, Math.min(4, fx.workers - 4))

interface FleetDevicesView {
  devices: Array<{ deviceId: string; gateway?: string }>;
  fleet: { self: string; gateways: number; devices: number } | null;
}

const missingRedis = redisMissing()
if (missingRedis !== undefined) {
  if (process.env.CI !== undefined) t.fail(missingRedis)
  else t.skip(`SKIP: ${missingRedis}`, () => {})
} else if (await requirePeer(t, ['sogo', 'libwbxml', 'haproxy', 'gateway', 'dovecot-lda'])) {
  const redis: TestRedis = await startRedis(t)
  // An MDM export (a loopback server: the list source, not the mail server) of blocked DeviceIds.
  const LIST_INTERVAL_S = 2
  const blockedId = `itmdm${randomBytes(6).toString('hex')}`
  let mdmHits = 0
  const mdm = createServer((_req, res) => { mdmHits++; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify([blockedId])) })
  await new Promise<void>((resolve) => mdm.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { mdm.close() })
  const policyDir = await makeTempDir(t, 'eas-it-fleet-')
  const policyFile = join(policyDir, 'devices.yaml')
  await writeFile(policyFile, `default: allow
lists: { lost: { url: "http://127.0.0.1:${(mdm.address() as AddressInfo).port}/lost.json", interval: ${LIST_INTERVAL_S}s } }
rules:
  - { name: lost-phones, match: { list: lost }, action: block }
`)
  const keyPrefix = `it-${randomBytes(4).toString('hex')}:`
  const gateways: RunningGateway[] = await Promise.all(Array.from({ length: N }, async () => await startGateway(t, {
    upstreams: [{ name: 'sogo', url: `${new URL(fx.easUrl).origin}/` }],
    server: { minHeartbeat: '5s', maxHeartbeat: `${MAX_HB}s` },
    timeouts: { easRequestTimeout: '200s', executionTimeout: '210s', heartbeatMargin: '30s', drainGrace: '2s' },
    limits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: RATE, burst: BURST } },
    state: { redis: { url: redis.url, keyPrefix, devicesInterval: '1s' } },
    access: { policy: policyFile },
  })))
  const hitsAtStart = mdmHits
  /** MDM fetches and the time once Redis is back after the outage of the kill test. */
  let afterOutage = { hits: mdmHits, at: Date.now() }
  const admins = gateways.map((g) => g.adminUrl!)
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number[]> =>
    await Promise.all(admins.map(async (a) => (await metricsView(a)).value(name, labels)))
  await waitFor('every gateway connected to redis', async () => (await metric('eas_gateway_state_redis_up')).every((v) => v === 1), { timeoutMs: 10_000 })
  const servers = gateways.map((g, i) => `    server g${i + 1} 127.0.0.1:${g.port} check port ${g.adminPort!} inter 500ms`).join('\n')
  const haproxy = await startHaproxy(t, {
    config: (ctx) => `global
    nbthread 1
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    option abortonclose
frontend fe
    bind 127.0.0.1:${ctx.port}
    default_backend be
backend be
    balance leastconn
    option httpchk GET /readyz
${servers}
`,
  })
  const lb = `http://127.0.0.1:${haproxy.port}/Microsoft-Server-ActiveSync`
  const session = (deviceId: string, baseUrl = lb): EasSession => ({ baseUrl, user: USER.user, password: USER.password, deviceId })
  /** FolderSync and Sync of bob's Trash until empty, so that a Ping on it blocks at SOGo. */
  const readyToPing = async (s: EasSession): Promise<string> => {
    const fs = await folderSync(s)
    const trash = fs.folders.find((f) => f.type === 4)
    if (trash === undefined) throw new Error(`no Trash in bob's FolderSync (Status ${fs.status})`)
    await syncUntilEmpty(s, trash.serverId, { windowSize: 100 })
    return trash.serverId
  }
  const seen: string[] = []
  /** A FolderSync (SyncKey 0) as SOGo answers it in ~0.1 s, encoded once. */
  const folderSyncBody = await toWbxml(folderSyncXml('0'))
  const folderSyncOf = async (deviceId: string): Promise<number> =>
    (await easRequest({ baseUrl: lb, cmd: 'FolderSync', user: USER.user, password: USER.password, deviceId, body: folderSyncBody, closeWatchMs: 0, timeoutMs: 10_000 })).status

  t.test('a device\'s Pings alternate between the gateways and each ends the one before across them', async (t) => {
    const id = `itfleet${randomBytes(6).toString('hex')}`
    seen.push(id)
    const s = session(id)
    const trash = await readyToPing(s)
    const ROUNDS = 4
    const before = await metric('eas_gateway_ping_superseded_total')
    const answeredAfter: number[] = []
    let prev: ReturnType<typeof ping> | undefined
    const last = new AbortController()
    for (let i = 0; i <= ROUNDS; i++) {
      const held = await metric('eas_gateway_pings_held')
      const signal = i === ROUNDS ? last.signal : undefined
      const cur = ping(s, { heartbeat: HB, folders: [{ id: trash, class: 'Email' }], closeWatchMs: 0, ...(signal ? { signal } : {}) })
      cur.catch(() => {})
      const sent = Date.now()
      if (prev !== undefined) {
        const r = await prev
        answeredAfter.push(Date.now() - sent)
        t.equal(r.response.status, 200, `round ${i}: HTTP 200`)
        t.equal(r.status, '1', `round ${i}: the previous Ping was answered Status 1`)
      } else {
        await waitFor('the first Ping held', async () => (await metric('eas_gateway_pings_held')).reduce((a, b) => a + b, 0) > held.reduce((a, b) => a + b, 0))
      }
      prev = cur
    }
    last.abort()
    const after = await metric('eas_gateway_ping_superseded_total')
    const counted = after.map((v, i) => v - before[i]!)
    t.comment(`supersedes per gateway: ${counted.join(', ')}; previous Ping answered after ${answeredAfter.join(', ')} ms`)
    t.equal(counted.reduce((a, b) => a + b, 0), ROUNDS, 'each supersede counted once in the fleet')
    t.ok(counted.filter((c) => c > 0).length >= 2, 'Pings ended on at least two gateways: they alternated')
    t.ok(Math.max(...answeredAfter) < fx.internalSync * 1000, `every old Ping answered before SOGo's own check (${fx.internalSync} s) could have`)
  })

  t.test('the per-device rate limit holds for the fleet', async (t) => {
    const id = `itrate${randomBytes(6).toString('hex')}`
    seen.push(id)
    const before = await metric('eas_gateway_requests_total', { command: 'FolderSync' })
    const T = 3000
    const started = Date.now()
    let ok = 0
    let refused = 0
    const other: number[] = []
    while (Date.now() - started < T) {
      const status = await folderSyncOf(id)
      if (status === 200) ok++
      else if (status === 503) refused++
      else other.push(status)
    }
    const secs = (Date.now() - started) / 1000
    const served = (await metric('eas_gateway_requests_total', { command: 'FolderSync' })).map((v, i) => v - before[i]!)
    const bound = Math.ceil(RATE * secs) + 2 * BURST + N // README: rate·T + 2·burst, plus one Redis answer in flight per gateway
    t.comment(`${secs.toFixed(1)} s: ${ok} answered by SOGo, ${refused} refused; requests per gateway ${served.join(', ')}; fleet bound ${bound}, the gateways' own buckets alone ${N * (Math.ceil(RATE * secs) + BURST)}`)
    t.same(other, [], 'nothing but 200 and a rate refusal')
    t.ok(served.filter((c) => c > 0).length >= 2, 'the requests went to several gateways')
    t.ok(ok >= BURST, `at least the burst got through (${ok})`)
    t.ok(ok <= bound, `at most rate·T + 2·burst through the fleet (${ok} <= ${bound})`)
    t.ok(refused > 0, 'the rest was refused')
  })

  t.test('redis-server killed and restarted mid-stream: no request lost, sharing resumes', async (t) => {
    const ids = Array.from({ length: 60 }, (_, i) => `itkill${i}x${randomBytes(4).toString('hex')}`)
    seen.push(...ids)
    const statuses: number[] = []
    const errors: string[] = []
    let next = 0
    const worker = async (): Promise<void> => {
      for (let i = next++; i < ids.length; i = next++) {
        try {
          statuses.push(await folderSyncOf(ids[i]!))
        } catch (err) {
          errors.push((err as Error).message)
        }
      }
    }
    const load = Promise.all([worker(), worker(), worker()])
    await waitFor('a third of the requests answered', () => statuses.length >= 20)
    await redis.kill()
    await waitFor('every gateway on local state', async () => (await metric('eas_gateway_state_redis_up')).every((v) => v === 0), { timeoutMs: 10_000 })
    const atKill = statuses.length
    await waitFor('more requests answered while redis is down', () => statuses.length >= atKill + 10, { timeoutMs: 20_000 })
    const whileDown = statuses.length - atKill
    await redis.start()
    await load
    t.equal(errors.length, 0, `no request failed (${errors.slice(0, 3).join('; ')})`)
    t.equal(statuses.length, ids.length, 'every request answered')
    t.ok(statuses.every((s) => s === 200), `every answer 200 (${[...new Set(statuses)].join(', ')})`)
    await waitFor('every gateway back on redis', async () => (await metric('eas_gateway_state_redis_up')).every((v) => v === 1), { timeoutMs: 15_000 })
    afterOutage = { hits: mdmHits, at: Date.now() }
    const errs = await metric('eas_gateway_state_redis_errors_total')
    t.comment(`${ids.length} FolderSyncs, ${whileDown} of them answered while redis was down; redis errors counted per gateway: ${errs.join(', ')}`)
  })

  t.test('/devices on every gateway lists every device of the fleet', async (t) => {
    let lastViews: FleetDevicesView[] | undefined
    const views = await waitFor('every gateway to list every device', async () => {
      const vs = await Promise.all(admins.map(async (a) => (await fetch(`${a}/devices`).then(async (r) => await r.json())) as FleetDevicesView))
      lastViews = vs
      return vs.every((v) => seen.every((id) => v.devices.some((d) => d.deviceId === id))) ? vs : undefined
    }, { timeoutMs: 15_000 }).catch((err: unknown) => {
      t.comment(lastViews?.map((v) => `fleet ${JSON.stringify(v.fleet)} missing ${seen.filter((id) => !v.devices.some((d) => d.deviceId === id)).join(' ')}`).join('\n'))
      throw err
    })
    for (const [i, v] of views.entries()) {
      t.equal(v.fleet?.gateways, N, `gateway ${i + 1}: the fleet has ${N} gateways`)
    }
    const local = await Promise.all(admins.map(async (a) => (await readDevices(a)).tracked))
    t.comment(`devices tracked per gateway: ${local.join(', ')}; listed on each: ${seen.length} of ours`)
    t.ok(local.every((n) => n < seen.length), 'no gateway saw every device itself: the list is the fleet\'s')
  })

  t.test(`SIGHUP of one gateway with ${HUP_DEVICES} devices on it: no device-visible error`, async (t) => {
    const g = gateways[2]!
    const direct = `${g.url}/Microsoft-Server-ActiveSync`
    // The Pings SOGo can hold (one sogod worker each), through this gateway.
    const held = await Promise.all(Array.from({ length: SOGO_HELD }, async () => {
      const id = `ithup${randomBytes(6).toString('hex')}`
      const s = session(id, direct)
      const trash = await readyToPing(s)
      return { id, s, trash }
    }))
    const heldBefore = (await readDevices(admins[2]!)).pingsHeld
    const pending = held.map(({ s, trash }) => {
      const p = ping(s, { heartbeat: HB, folders: [{ id: trash, class: 'Email' }], closeWatchMs: 0 })
      p.catch(() => {})
      return p
    })
    await waitFor(`${SOGO_HELD} Pings held at SOGo`, async () => (await readDevices(admins[2]!)).pingsHeld >= heldBefore + SOGO_HELD, { timeoutMs: 15_000 })
    // The other devices: Pings the gateway clamps (heartbeat above its maximum), on keep-alive connections.
    const conns = await Promise.all(Array.from({ length: HUP_DEVICES - SOGO_HELD }, async () => await DeviceConnection.open(g.port)))
    t.teardown(() => { for (const c of conns) c.destroy() })
    const clamped = pingBody(MAX_HB * 5, [['1', 'Email']])
    const failures: string[] = []
    const wave = async (label: string): Promise<number> => {
      let fine = 0
      await Promise.all(conns.map(async (c, i) => {
        c.write(DeviceConnection.format(pingRequest({ user: USER.user, deviceId: `ithupc${i}` }, { body: clamped }), g.port))
        try {
          const res = await c.readResponse(20_000)
          const st = res.status === 200 ? decodePingResponse(res.body).status : undefined
          if (res.status === 200 && st === 5) fine++
          else failures.push(`${label} ${i}: HTTP ${res.status} Status ${String(st)}`)
        } catch (err) {
          failures.push(`${label} ${i}: ${(err as Error).message}`)
        }
      }))
      return fine
    }
    t.equal(await wave('before'), conns.length, 'every device answered before the reload')
    const during = wave('during')
    g.process.child.kill('SIGHUP')
    await g.logs.waitFor((e) => e.msg === 'reloaded', 10_000)
    t.equal(await during, conns.length, 'every device answered while the reload ran')
    const stillHeld = (await readDevices(admins[2]!)).pingsHeld
    t.ok(stillHeld >= heldBefore + SOGO_HELD, `the ${SOGO_HELD} Pings at SOGo are still held after the reload (${stillHeld})`)
    t.equal(await wave('after'), conns.length, 'every device answered after the reload, on the same connection')
    t.ok(conns.every((c) => !c.serverClosed), 'no connection was closed')
    t.same(failures.slice(0, 5), [], 'no device-visible error')
    // New mail in bob's Trash: SOGo answers the held Pings (Status 2) through the reloaded gateway.
    const mailed = Date.now()
    await deliverMail({ to: USER.user, mailbox: 'Trash', subject: 'fleet SIGHUP drill' })
    const answers = await Promise.all(pending)
    t.same(answers.map((a) => `${a.response.status} ${String(a.status)}`), answers.map(() => '200 2'), 'SOGo answered every held Ping Status 2 (new mail)')
    t.comment(`held Pings answered ${Date.now() - mailed} ms after the delivery; ${conns.length} clamped-Ping devices x 3 waves, ${failures.length} failures`)
  })

  t.test('the MDM list is fetched about once per interval for the fleet; a listed device is blocked on every gateway', async (t) => {
    for (const [i, g] of gateways.entries()) {
      const r = await easXml(session(blockedId, `${g.url}/Microsoft-Server-ActiveSync`), 'FolderSync', folderSyncXml('0'))
      t.equal(r.status, 200, `gateway ${i + 1}: HTTP 200`)
      t.match(r.xml, /<Status>129<\/Status>/, `gateway ${i + 1}: Status 129, SOGo never asked`)
    }
    const elapsed = (Date.now() - afterOutage.at) / 1000
    const polls = Math.ceil(elapsed / LIST_INTERVAL_S)
    const fetched = mdmHits - afterOutage.hits
    t.comment(`the MDM was asked ${hitsAtStart} times at start-up; in the ${elapsed.toFixed(1)} s (${polls} intervals of ${LIST_INTERVAL_S} s) since Redis came back, ${fetched} times (each gateway on its own: ${N * polls})`)
    t.equal(hitsAtStart, N, 'at start-up each gateway fetched once (the policy loads before Redis is connected)')
    t.ok(polls >= 3, 'several intervals since Redis came back')
    t.ok(fetched <= polls + 1, `about once per interval for the fleet (${fetched} <= ${polls} + 1)`)
    t.ok(fetched < N * polls, 'fewer than each gateway on its own')
  })
}
