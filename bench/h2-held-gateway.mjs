// Issue #14 probe (not part of npm run bench): the gateway's cost per held Ping with its upstream
// over HTTP/1.1 (one connection per held Ping) or HTTP/2 (upstreams[].http2: streams on shared
// connections; the upstream is bench/upstream.mjs's h2c port, node:http2, 128 streams each).
// Prints, per N held: descriptors, RSS, heap (after a full GC) per held Ping, and the gateway's
// connections to the upstream. Needs `npm run build` first.
// Usage: node bench/h2-held-gateway.mjs h1|h2 [N...]   (default 1000 2000)
import { fork, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import { createServer, get } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const mode = process.argv[2] === 'h2' ? 'h2' : 'h1'
const counts = process.argv.slice(3).map(Number)
if (counts.length === 0) counts.push(1000, 2000)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const freePort = () => new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) }) })
const httpGet = (port, path) => new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path }, (r) => { let b = ''; r.on('data', (c) => { b += c }); r.on('end', () => resolve(b)) }).on('error', reject))
async function waitPort (port) { for (let i = 0; i < 200; i++) { try { await httpGet(port, '/__stats'); return } catch { await sleep(50) } } throw new Error(`port ${port} never answered`) }

const [upPort, h2Port, port, adminPort] = [await freePort(), await freePort(), await freePort(), await freePort()]
const dir = mkdtempSync(join(tmpdir(), 'h2-held-'))
const up = spawn(process.execPath, [join(HERE, 'upstream.mjs'), String(upPort), String(h2Port)], { stdio: 'ignore' })
await waitPort(upPort)
const cfg = join(dir, 'gateway.yaml')
writeFileSync(cfg, `listen: { host: 127.0.0.1, port: ${port} }
upstreams:
  - { name: bench, url: "http://127.0.0.1:${mode === 'h2' ? h2Port : upPort}/"${mode === 'h2' ? ', http2: true' : ''} }
server: { minHeartbeat: 60s, maxHeartbeat: 3540s }
timeouts: { easRequestTimeout: 61m, executionTimeout: 62m, drainGrace: 2s }
admin: { listen: { host: 127.0.0.1, port: ${adminPort} } }
log: { level: warn }
limits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: 0 } }
`)
const gw = spawn(process.execPath, ['--expose-gc', '--import', pathToFileURL(join(HERE, 'gc-on-signal.mjs')).href, join(HERE, '..', 'dist', 'bin', 'gateway.js'), 'serve', '-c', cfg, '--workers', '1'], { stdio: 'ignore' })
for (let i = 0; i < 200; i++) { try { await httpGet(adminPort, '/metrics'); break } catch { await sleep(50) } }
const holder = fork(join(HERE, 'hold-client.mjs'), [String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
const ask = (m) => new Promise((resolve) => { holder.once('message', resolve); holder.send(m) })

/** The gateway's descriptors, RSS, live heap, and TCP connections to the upstream port. */
async function measure () {
  process.kill(gw.pid, 'SIGUSR2')
  await sleep(500)
  const metrics = await httpGet(adminPort, '/metrics')
  const metric = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN)
  const inodes = new Set()
  const fds = readdirSync(`/proc/${gw.pid}/fd`)
  for (const fd of fds) { try { const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${gw.pid}/fd/${fd}`)); if (m) inodes.add(m[1]) } catch {} }
  const want = `0100007F:${(mode === 'h2' ? h2Port : upPort).toString(16).toUpperCase().padStart(4, '0')}`
  const upstreamConns = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f[2] === want && f[3] === '01' && inodes.has(f[9])).length
  return {
    fds: fds.length,
    rssKiB: Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${gw.pid}/status`, 'utf8'))[1]),
    heapKiB: metric('eas_gateway_nodejs_heap_size_used_bytes') / 1024,
    upstreamConns,
    h2Sessions: metric('eas_gateway_upstream_h2_sessions'),
    // Kernel side, whole machine (device, gateway and upstream ends alike): TCP sockets in use.
    tcpInUse: Number(/^TCP: inuse (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? NaN)
  }
}

try {
  // Warm-up: a few hundred Pings held and released, so code is compiled and pools are warm.
  await ask({ cmd: 'open', n: 200 })
  await sleep(1500)
  await ask({ cmd: 'destroy' })
  await httpGet(upPort, '/__release')
  await sleep(6000) // past both dispatchers' 4 s idle close: the baseline holds no upstream connection
  const base = await measure()
  console.log(JSON.stringify({ mode, n: 0, ...base }))
  for (const n of counts) {
    await ask({ cmd: 'open', n })
    for (let i = 0; i < 200; i++) { if (JSON.parse(await httpGet(upPort, '/__stats')).held >= n) break; await sleep(100) }
    await sleep(1500)
    const m = await measure()
    const held = JSON.parse(await httpGet(upPort, '/__stats')).held
    console.log(JSON.stringify({
      mode,
      n,
      held,
      ...m,
      fdsPerHeld: ((m.fds - base.fds) / n).toFixed(3),
      tcpSocketsPerHeld: ((m.tcpInUse - base.tcpInUse) / n).toFixed(2),
      kibRssPerHeld: ((m.rssKiB - base.rssKiB) / n).toFixed(2),
      kibHeapPerHeld: ((m.heapKiB - base.heapKiB) / n).toFixed(2)
    }))
  }
  // The devices vanish: every held Ping's upstream request must be cancelled (stream or connection).
  await ask({ cmd: 'destroy' })
  const t0 = Date.now()
  let left = -1
  while (Date.now() - t0 < 10_000) { left = JSON.parse(await httpGet(upPort, '/__stats')).held; if (left === 0) break; await sleep(100) }
  console.log(JSON.stringify({ mode, devicesGone: true, stillHeldAtUpstream: left, afterMs: Date.now() - t0, upstreamConnsAfter: (await measure()).upstreamConns }))
} finally {
  holder.kill('SIGKILL')
  gw.kill('SIGKILL')
  up.kill('SIGKILL')
}
