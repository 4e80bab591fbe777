// Fault drill, issue 9 item 1: a full or failing log destination costs log lines, never mail.
// The real built gateway, spawned with its stdout on /dev/full, on a full 64 KiB tmpfs, and on a
// pipe nobody reads; a loopback upstream behind it.
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { adminGet, decodePingResponse, pingBody, pingRequest } from '../helpers/ping-device.js'
import { ensureBuilt, freePorts, spawnGateway, waitHealthy, type SpawnedGateway } from '../helpers/spawn-gateway.js'

/** The test object tap hands a subtest. */
type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

/** A gateway config on fixed free ports (its 'listening' line may go nowhere). */
async function gatewayDir (t: Tap, upstreamUrl: string, extra: Record<string, unknown> = {}): Promise<{ dir: string, port: number, adminPort: number }> {
  const [port, adminPort] = await freePorts(2) as [number, number]
  const dir = t.testdir({
    'gw.yaml': `listen: { host: 127.0.0.1, port: ${port} }
upstreams:
  - { name: up1, url: "${upstreamUrl}" }
server: { minHeartbeat: 2s, maxHeartbeat: 8s }
timeouts: { easRequestTimeout: 10s, executionTimeout: 11s, heartbeatMargin: 1s, drainGrace: 1s }
admin: { listen: { host: 127.0.0.1, port: ${adminPort} } }
pool: { healthCheck: { interval: 10m } }
limits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: 0 } }
`,
    ...extra
  })
  return { dir, port, adminPort }
}

/**
 * Sends `n` OPTIONS over `conns` keep-alive connections; resolves with the statuses. A connection
 * stops at its first unanswered request (10 s), so a hung gateway fails the test in seconds, not minutes.
 */
async function optionsRequests (port: number, n: number, conns = 4): Promise<(number | undefined)[]> {
  const statuses: (number | undefined)[] = Array.from({ length: n }, () => undefined)
  await Promise.all(Array.from({ length: conns }, async (_, c) => {
    const dev = await DeviceConnection.open(port)
    try {
      for (let i = c; i < n; i += conns) statuses[i] = (await dev.request(easRequest('', { method: 'OPTIONS' }), 10_000)).status
    } catch { /* counted as unanswered */ } finally { dev.destroy() }
  }))
  return statuses
}

/** Resolves once the async `cond` holds, checking every 50 ms; rejects after `ms`. */
async function until (cond: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms
  while (!await cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function droppedMetric (adminPort: number): Promise<number> {
  const m = /^eas_gateway_log_lines_dropped_total (\d+)$/m.exec((await adminGet(adminPort, '/metrics')).body)
  return m === null ? NaN : Number(m[1])
}

/** Still serving: OPTIONS relayed, and a Ping below minHeartbeat answered Status 5 by the gateway itself. */
async function serves (t: Tap, gw: SpawnedGateway, port: number, n: number): Promise<void> {
  const statuses = await optionsRequests(port, n)
  const counts: Record<string, number> = {}
  for (const s of statuses) counts[String(s)] = (counts[String(s)] ?? 0) + 1
  t.same(counts, { 200: n }, `all ${n} OPTIONS answered 200`)
  const dev = await DeviceConnection.open(port)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(pingRequest({}, { body: pingBody(1) }), 10_000)
  t.equal(res.status, 200, 'a Ping with HeartbeatInterval 1 (below 2 s) ...')
  t.equal(decodePingResponse(res.body).status, 5, '... answered Status 5 by the gateway')
  dev.destroy()
  t.ok(gw.child.exitCode === null, 'still running')
}

async function stopsOnSigterm (t: Tap, gw: SpawnedGateway): Promise<void> {
  const exit = await gw.stop('SIGTERM', 15_000)
  t.equal(exit.killed, false, `exited by itself after SIGTERM (${Math.round(exit.ms)} ms)`)
  t.same({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'exit code 0')
  t.notMatch(gw.stderr(), /^\s+at /m, 'no stack trace on stderr')
}

t.test('drill: the gateway with a failing log destination', async (t) => {
  const skip = await ensureBuilt()
  if (skip !== undefined) { t.comment(`skipped: ${skip}`); t.pass('skipped: the build failed', { skip }); return }
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)

  // regression: #9 (today: 19 requests answered, then every request hangs; SIGTERM ignored)
  t.test('stdout on /dev/full: starts, serves, counts and reports the drops, drains on SIGTERM', async (t) => {
    const { dir, port, adminPort } = await gatewayDir(t, up.url)
    const out = openSync('/dev/full', 'w')
    const gw = spawnGateway(t, { cwd: dir, stdout: out })
    closeSync(out)
    await waitHealthy(adminPort)
    await serves(t, gw, port, 300)
    await gw.waitStderr(/eas-gateway: \d+ log lines dropped: ENOSPC\n/)
    t.pass('drops reported on stderr with the code')
    // The last batch fails within the 250 ms flush interval: no event to wait on across processes.
    await until(async () => await droppedMetric(adminPort) >= 300, 'eas_gateway_log_lines_dropped_total >= 300')
    t.pass('eas_gateway_log_lines_dropped_total counts at least the 300 access lines')
    await stopsOnSigterm(t, gw)
  })

  // regression: #9 (today: 312 requests answered, then every request hangs; SIGTERM ignored)
  t.test('stdout on a 64 KiB tmpfs that fills: 2000 requests answered, SIGTERM exits', async (t) => {
    const { dir, port, adminPort } = await gatewayDir(t, up.url)
    // Outside the testdir: tap removes that before later teardowns run, and a mount point is busy.
    const mnt = mkdtempSync(join(tmpdir(), 'eas-gw-tmpfs-'))
    t.teardown(() => { rmdirSync(mnt) })
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' })
    if (mount.status !== 0) {
      t.comment(`skipped: this machine refused to mount a tmpfs (${mount.stderr.trim() || mount.error?.message || `exit ${mount.status}`}); run as root, or with CAP_SYS_ADMIN, to drill a full disk`)
      t.pass('skipped: no tmpfs', { skip: 'mount refused' })
      return
    }
    t.teardown(() => { spawnSync('umount', ['-l', mnt]) })
    const file = join(mnt, 'gateway.log')
    const out = openSync(file, 'w')
    const gw = spawnGateway(t, { cwd: dir, stdout: out })
    closeSync(out)
    t.teardown(async () => { if (gw.child.exitCode === null && gw.child.signalCode === null) await gw.stop('SIGKILL') })
    await waitHealthy(adminPort)
    await serves(t, gw, port, 2000)
    await gw.waitStderr(/log lines dropped: ENOSPC/)
    await until(async () => await droppedMetric(adminPort) > 1000, 'most access lines dropped once the disk was full')
    t.pass('eas_gateway_log_lines_dropped_total: most access lines dropped once the disk was full')
    await stopsOnSigterm(t, gw)
    const written = readFileSync(file, 'utf8').split('\n')
    t.ok(written.length > 10, 'lines were written until the disk filled')
    t.ok(written.slice(0, 5).some((l) => l.includes('"msg":"listening"')), 'the listening line among the first ones (logger.flush() at once)')
  })

  // regression: #9 (a write stuck on a full pipe held the exit forever)
  t.test('stdout on a pipe nobody reads: serves, and still exits on SIGTERM', async (t) => {
    const { dir, port, adminPort } = await gatewayDir(t, up.url)
    const gw = spawnGateway(t, { cwd: dir, stdout: 'stalled' })
    await waitHealthy(adminPort)
    // ~280-byte access lines: 3000 of them are more than the pipe holds, so a write stays stuck
    // (the memory cap on what waits behind it is a unit test: test/log/create-log-destination.test.ts).
    await serves(t, gw, port, 3000)
    await stopsOnSigterm(t, gw)
  })
})
