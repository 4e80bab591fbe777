// Issue #11 (Cores): `gateway serve --workers 2`, the real built binary, a primary and two workers on
// a loopback upstream: both workers serve, /metrics sums them, a Ping on one worker is superseded
// by a Ping on the other, /devices shows both, a worker killed with SIGKILL is replaced and
// counted, SIGHUP rolls the workers with every held Ping answered 200 Status 1 one by one, and an
// invalid config on SIGHUP changes nothing.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { DeviceConnection, type DeviceResponse } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import type { LogLine } from '../helpers/log-sink.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { redisMissing, startRedis } from '../helpers/redis-server.js'
import { adminGet, decodePingResponse, pingBody, pingRequest } from '../helpers/ping-device.js'
import { ensureBuilt, spawnGateway } from '../helpers/spawn-gateway.js'

const config = (upstreamUrl: string, level = 'info', drainGrace = '3s'): string => `listen: { host: 127.0.0.1, port: 0 }
upstreams:
  - { name: up1, url: "${upstreamUrl}" }
server: { minHeartbeat: 2s, maxHeartbeat: 60s }
timeouts: { easRequestTimeout: 70s, executionTimeout: 75s, heartbeatMargin: 5s, drainGrace: ${drainGrace} }
admin: { listen: { host: 127.0.0.1, port: 0 } }
pool: { healthCheck: { interval: 10m } }
limits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: 0 } }
log: { level: ${level} }
`

/** The sum of a metric's samples whose labels include `labels`, from the Prometheus text. */
function sample (text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  let found = false
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    if (!Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) continue
    sum += Number(m[3])
    found = true
  }
  if (!found) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`)
  return sum
}

const PROMTOOL = ['/usr/bin/promtool', 'promtool'].find((p) => spawnSync(p, ['--version']).status === 0)

const isStatus1 = (r: DeviceResponse): boolean => r.status === 200 && decodePingResponse(r.body).status === 1

t.test('serve --workers 2: one admin listener over two workers', async (t) => {
  const skip = await ensureBuilt()
  if (skip !== undefined) { t.comment(`skipped: ${skip}`); t.pass('skipped: the build failed', { skip }); return }
  const up = await startUpstream((req) => /Cmd=Ping/.test(req.url ?? '') ? { kind: 'silence' } : { kind: 'echo' })
  t.teardown(up.close)
  const dir = t.testdir({ 'gw.yaml': config(up.url) })
  const gw = spawnGateway(t, { cwd: dir, stdout: 'pipe', workers: 2 })
  const ready = await gw.waitLine((l) => l.msg === 'workers listening', 'workers listening')
  const adminPort = ready.adminPort as number
  const port = (await gw.waitLine((l) => l.msg === 'listening', 'a worker listening')).port as number
  const workerPids = (ready.workers as { pid: number }[]).map((w) => w.pid)
  t.equal(new Set(workerPids).size, 2, 'two worker processes')
  t.notOk(workerPids.includes(gw.child.pid ?? -1), 'the primary is none of them')
  const metrics = async (): Promise<string> => (await adminGet(adminPort, '/metrics')).body
  const devs: DeviceConnection[] = []
  const open = async (): Promise<DeviceConnection> => { const d = await DeviceConnection.open(port); devs.push(d); return d }
  t.teardown(() => { for (const d of devs) d.destroy() })
  const options = async (): Promise<number> => (await (await open()).request(easRequest('', { method: 'OPTIONS' }))).status
  const holdPing = async (deviceId: string): Promise<DeviceConnection> => {
    const d = await open()
    d.write(DeviceConnection.format(pingRequest({ deviceId }, { body: pingBody(50) }), port))
    return d
  }
  const untilMetric = async (name: string, labels: Record<string, string>, want: number): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      if (sample(await metrics(), name, labels) === want) return
      await new Promise((resolve) => setTimeout(resolve, 50)) // polling the admin listener: no event to wait on from outside
    }
    throw new Error(`${name} never reached ${want}`)
  }

  await t.test('both workers serve; /metrics sums their counters; /readyz and /healthz answer for the group', async (t) => {
    const statuses = []
    for (let i = 0; i < 8; i++) statuses.push(await options())
    t.same(statuses, Array(8).fill(200), '8 OPTIONS answered 200')
    await gw.waitLine((l) => l.msg === 'request' && gw.lines.filter((x) => x.msg === 'request').length >= 8, '8 access lines')
    const pids = new Set(gw.lines.filter((l) => l.msg === 'request').map((l) => l.pid))
    t.same([...pids].sort(), [...workerPids].sort(), 'access lines from both workers (distinct pids)')
    const text = await metrics()
    t.equal(sample(text, 'eas_gateway_requests_total', { command: 'Options', outcome: 'completed' }), 8, 'requests_total sums both workers: 8')
    t.equal(sample(text, 'eas_gateway_build_info'), 1, 'build_info stays 1')
    t.equal(sample(text, 'eas_gateway_workers', { state: 'serving' }), 2, 'eas_gateway_workers{state="serving"} 2')
    if (PROMTOOL !== undefined) {
      const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 })
      t.equal(r.status, 0, `promtool check metrics passes on the group's /metrics ${r.stdout}${r.stderr}`)
    }
    t.equal((await adminGet(adminPort, '/readyz')).status, 200, '/readyz 200')
    t.equal((await adminGet(adminPort, '/healthz')).status, 200, '/healthz 200')
  })

  await t.test('a Ping held on one worker is superseded by the same device\'s Ping on the other', async (t) => {
    const before = sample(await metrics(), 'eas_gateway_ping_superseded_total')
    const held: DeviceConnection[] = []
    const base = up.requests.length
    // Round-robin hands consecutive connections to alternating workers: four Pings cross over.
    for (let i = 0; i < 4; i++) {
      held.push(await holdPing('SUPER1'))
      await up.waitForRequest(base + i + 1, 5000)
      if (i > 0) t.ok(isStatus1(await (held[i - 1] as DeviceConnection).readResponse(10_000)), `Ping ${i} answered 200 Status 1 by Ping ${i + 1}`)
    }
    const remote = await gw.waitLine((l) => l.msg === 'ping superseded' && typeof l.by === 'string', 'a supersede across workers', 5000)
    t.not(remote.by, remote.worker, `superseded on ${String(remote.worker)} by a Ping on ${String(remote.by)}`)
    await untilMetric('eas_gateway_ping_superseded_total', {}, before + 3)
    t.pass('ping_superseded_total counted each supersede once')
  })

  await t.test('/devices shows the devices of both workers', async (t) => {
    for (const id of ['DEVA', 'DEVB', 'DEVC', 'DEVD']) await holdPing(id)
    await untilMetric('eas_gateway_pings_held', {}, 5)
    const body = JSON.parse((await adminGet(adminPort, '/devices')).body) as { devices: { deviceId: string, gateway: string }[], fleet: { gateways: number } }
    const ids = body.devices.map((d) => d.deviceId).sort()
    t.same(ids, ['DEVA', 'DEVB', 'DEVC', 'DEVD', 'SUPER1'], 'every device, whichever worker holds it')
    t.equal(new Set(body.devices.map((d) => d.gateway)).size, 2, 'rows from both workers')
    t.equal(body.fleet.gateways, 2, 'fleet: 2 workers')
  })

  await t.test('kill -9 a worker: replaced at once, counted, its held Pings counted as cut, requests still served', async (t) => {
    const before = sample(await metrics(), 'eas_gateway_requests_total', { command: 'Options', outcome: 'completed' })
    const victim = workerPids[0] as number
    process.kill(victim, 'SIGKILL')
    const died = await gw.waitLine((l) => l.msg === 'worker died: starting a replacement', 'worker died')
    t.match(died, { level: 'error', code: 'GW_ERR_CLI_WORKER_DIED', pid: victim, signal: 'SIGKILL' }, 'logged with its pid and signal')
    const cut = died.pingsCut as number
    t.ok(cut >= 1 && cut <= 4, `${cut} held Ping(s) cut`)
    const replaced = await gw.waitLine((l) => l.msg === 'replacement worker serving', 'replacement serving')
    t.not(replaced.pid, victim, 'a new pid')
    const text = await metrics()
    t.equal(sample(text, 'eas_gateway_worker_restarts_total', { reason: 'crash' }), 1, 'worker_restarts_total{reason="crash"} 1')
    t.equal(sample(text, 'eas_gateway_worker_pings_cut_total'), cut, 'worker_pings_cut_total counts them')
    t.ok(sample(text, 'eas_gateway_requests_total', { command: 'Options', outcome: 'completed' }) >= before, 'no counter went back')
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push(await options())
    t.same(statuses, Array(4).fill(200), 'requests still served')
    t.equal(sample(await metrics(), 'eas_gateway_requests_total', { command: 'Options', outcome: 'completed' }) - before, 4, 'the dead worker\'s counts stay in the sum')
  })

  await t.test('SIGHUP with 500 held Pings: new workers, every held Ping answered 200 Status 1, spread out, none refused', async (t) => {
    for (const d of devs) d.destroy()
    devs.length = 0
    await untilMetric('eas_gateway_pings_held', {}, 0)
    const N = 500
    const pings = []
    for (let i = 0; i < N; i++) pings.push(await holdPing(`HUP${i}`))
    await untilMetric('eas_gateway_pings_held', {}, N)
    const reloadsBefore = gw.lines.filter((l) => (l.msg ?? '').startsWith('reloaded')).length
    const t0 = performance.now()
    gw.child.kill('SIGHUP')
    const answers = pings.map(async (d) => { const r = await d.readResponse(20_000); return { ok: isStatus1(r), at: performance.now() - t0 } })
    // New requests keep being served during the swap, until the last held Ping is answered.
    let settled = false
    const all = Promise.allSettled(answers).finally(() => { settled = true })
    const during: number[] = []
    // eslint-disable-next-line no-unmodified-loop-condition -- set by the promise's finally
    while (!settled) { during.push(await options()) }
    const results = await all
    const ok = results.filter((r) => r.status === 'fulfilled' && r.value.ok)
    t.equal(ok.length, N, `all ${N} held Pings answered 200 Status 1 (none reset)`)
    t.ok(during.length > 0 && during.every((s) => s === 200), `${during.length} requests during the swap, all 200`)
    const times = results.flatMap((r) => r.status === 'fulfilled' ? [r.value.at] : []).sort((a, b) => a - b)
    const spread = (times[times.length - 1] ?? 0) - (times[0] ?? 0)
    // drainGrace 3 s: the answers are spread over 80 % of it (2.4 s); at once would take a few ms.
    t.ok(spread > 1000, `answers spread over ${Math.round(spread)} ms, not all at once`)
    const reloaded = await gw.waitLine((l) => (l.msg ?? '').startsWith('reloaded') && gw.lines.filter((x) => (x.msg ?? '').startsWith('reloaded')).indexOf(l) === reloadsBefore, 'reloaded')
    t.equal((reloaded.workers as unknown[]).length, 2, 'two new workers')
    await untilMetric('eas_gateway_workers', { state: 'draining' }, 0)
    const text = await metrics()
    t.equal(sample(text, 'eas_gateway_worker_restarts_total', { reason: 'reload' }), 2, 'worker_restarts_total{reason="reload"} 2')
    t.equal(sample(text, 'eas_gateway_workers', { state: 'serving' }), 2, 'two workers serving')
  })

  await t.test('SIGHUP with an invalid config: reported, the running workers keep serving, nothing forked', async (t) => {
    const workersBefore = gw.lines.filter((l) => l.msg === 'listening').length
    writeFileSync(join(dir, 'gw.yaml'), config(up.url, 'info', '1 fortnight'))
    gw.child.kill('SIGHUP')
    await gw.waitStderr(/GW_ERR_CONFIG_INVALID: gw\.yaml: reload refused, keeping the running configuration/)
    t.match(await gw.waitLine((l) => l.msg === 'reload refused: keeping the running configuration', 'reload refused'), { level: 'error', code: 'GW_ERR_CONFIG_INVALID' })
    t.equal(await options(), 200, 'still serving')
    t.equal(gw.lines.filter((l) => l.msg === 'listening').length, workersBefore, 'no new worker started')
    t.equal((await adminGet(adminPort, '/readyz')).status, 200, 'still ready')
  })

  await t.test('SIGHUP whose new workers cannot start (port taken): refused, the running workers keep serving', async (t) => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    t.teardown(() => { taken.close() })
    const busy = (taken.address() as AddressInfo).port
    writeFileSync(join(dir, 'gw.yaml'), config(up.url).replace('port: 0 }', `port: ${busy} }`))
    gw.child.kill('SIGHUP')
    await gw.waitStderr(/reload refused: the new workers did not start, the running ones keep serving/)
    t.match(await gw.waitLine((l) => l.msg === 'reload refused: the new workers did not start; the running workers keep serving', 'refused line'), { level: 'error' })
    t.equal(await options(), 200, 'still serving on the old port')
    await untilMetric('eas_gateway_workers', { state: 'starting' }, 0)
    t.equal(sample(await metrics(), 'eas_gateway_workers', { state: 'serving' }), 2, 'the two running workers, nothing else')
  })

  await t.test('SIGUSR2 (upgrade): new workers forked from the build on disk, the old ones drained', async (t) => {
    writeFileSync(join(dir, 'gw.yaml'), config(up.url))
    const before = new Set(gw.lines.filter((l) => l.msg === 'listening').map((l) => l.pid))
    gw.child.kill('SIGUSR2')
    const rolled = await gw.waitLine((l) => (l.msg ?? '').startsWith('reloaded') && l.why === 'upgrade', 'reloaded (upgrade)')
    const fresh = (rolled.workers as { pid: number }[]).map((w) => w.pid)
    t.equal(fresh.length, 2, 'two new workers')
    t.ok(fresh.every((pid) => !before.has(pid)), 'new processes')
    t.equal(await options(), 200, 'served')
  })

  const exit = await gw.stop('SIGTERM', 15_000)
  t.same({ code: exit.code, signal: exit.signal, killed: exit.killed }, { code: 0, signal: null, killed: false }, 'SIGTERM drains the group and exits 0')
  t.ok(gw.lines.some((l: LogLine) => l.msg === 'drained' && l.role === 'primary'), 'the primary logged drained')
})

t.test('workers: 2 in the file (no flag); a primary killed with SIGKILL: its workers drain and exit', async (t) => {
  const skip = await ensureBuilt()
  if (skip !== undefined) { t.comment(`skipped: ${skip}`); t.pass('skipped: the build failed', { skip }); return }
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const dir = t.testdir({ 'gw.yaml': `${config(up.url)}workers: 2\n` })
  const gw = spawnGateway(t, { cwd: dir, stdout: 'pipe', workers: 'from-config' })
  const ready = await gw.waitLine((l) => l.msg === 'workers listening', 'workers listening')
  const pids = (ready.workers as { pid: number }[]).map((w) => w.pid)
  t.equal(pids.length, 2, 'two workers, as the file says')
  t.teardown(() => { for (const pid of pids) { try { process.kill(pid, 'SIGKILL') } catch { /* gone, as it should be */ } } })
  gw.child.kill('SIGKILL')
  const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }
  const deadline = performance.now() + 15_000
  while (pids.some(alive) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50)) // no event: another process's exit
  t.same(pids.filter(alive), [], 'both workers exited')
})

t.test('with state.redis: each worker is one more fleet member on Redis (supersede, /devices)', async (t) => {
  const missing = redisMissing()
  if (missing !== undefined) { t.comment(`skipped: ${missing}`); t.pass('skipped: no redis-server', { skip: missing }); return }
  const skip = await ensureBuilt()
  if (skip !== undefined) { t.comment(`skipped: ${skip}`); t.pass('skipped: the build failed', { skip }); return }
  const redis = await startRedis(t)
  const up = await startUpstream((req) => /Cmd=Ping/.test(req.url ?? '') ? { kind: 'silence' } : { kind: 'echo' })
  t.teardown(up.close)
  const dir = t.testdir({ 'gw.yaml': `${config(up.url)}state: { redis: { url: "${redis.url}", timeout: 500ms, devicesInterval: 200ms } }\n` })
  const gw = spawnGateway(t, { cwd: dir, stdout: 'pipe', workers: 2 })
  const ready = await gw.waitLine((l) => l.msg === 'workers listening', 'workers listening')
  const adminPort = ready.adminPort as number
  const port = (await gw.waitLine((l) => l.msg === 'listening', 'a worker listening')).port as number
  await gw.waitLine((l) => l.msg === 'listening' && gw.lines.filter((x) => x.msg === 'listening').length === 2, 'both workers listening')
  const fleetIds = new Set(gw.lines.filter((l) => l.msg === 'listening').map((l) => l.fleetId))
  t.equal(fleetIds.size, 2, 'two fleet members, one per worker')
  const devs: DeviceConnection[] = []
  t.teardown(() => { for (const d of devs) d.destroy() })
  const base = up.requests.length
  for (let i = 0; i < 4; i++) {
    const d = await DeviceConnection.open(port)
    devs.push(d)
    d.write(DeviceConnection.format(pingRequest({ deviceId: 'REDIS1' }, { body: pingBody(50) }), port))
    await up.waitForRequest(base + i + 1, 5000)
    if (i > 0) t.ok(isStatus1(await (devs[i - 1] as DeviceConnection).readResponse(10_000)), `Ping ${i} answered 200 Status 1 by Ping ${i + 1}`)
  }
  const remote = await gw.waitLine((l) => l.msg === 'ping superseded' && typeof l.by === 'string' && fleetIds.has(l.by), 'a supersede through Redis', 5000)
  t.ok(fleetIds.has(remote.by), `superseded by the other worker's fleet id ${String(remote.by)}`)
  const body = JSON.parse((await adminGet(adminPort, '/devices')).body) as { fleet: { gateways: number } | null }
  t.equal(body.fleet?.gateways, 2, '/devices: the fleet of the two workers, from Redis')
  t.match((await adminGet(adminPort, '/metrics')).body, /^eas_gateway_state_redis_up 1$/m, 'state_redis_up 1 (the lowest of the workers)')
  const exit = await gw.stop('SIGTERM', 15_000)
  t.equal(exit.code, 0, 'drained, exit 0')
})
