#!/usr/bin/env node
// Fault drill for issue 9 items 1 and 9, run against the built gateway (npm run build first):
//   node bench/edge-drill.mjs --stdout devfull|tmpfs|stalled|file [--requests N]
//   node bench/edge-drill.mjs --sighup
// Starts a loopback echo upstream and `node dist/bin/gateway.js serve -c <tmp config>` with its
// stdout on /dev/full, on a 64 KiB tmpfs (needs root for mount), on a pipe nobody reads
// (stalled: writes block once the pipe is full), or on a plain file; sends N
// OPTIONS requests one after another (2 s timeout each, the run stops at the first unanswered one),
// then SIGTERM, and prints: requests answered, whether it hung, the time from the signal to the
// exit, and the exit code. --sighup sends SIGHUP after start-up and reports whether the process
// survived it and still answers. Every process it starts is killed by PID; the tmpfs is unmounted.
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..')
const { values } = parseArgs({ options: { stdout: { type: 'string', default: 'file' }, requests: { type: 'string', default: '2000' }, sighup: { type: 'boolean', default: false } } })
const N = Number(values.requests)
const dir = mkdtempSync(join(tmpdir(), 'edge-drill-'))
let mounted = false
let child
const upstream = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-length': 0 }); res.end() }) })

try {
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  writeFileSync(join(dir, 'gw.yaml'), `listen: { host: 127.0.0.1, port: 0 }
upstreams:
  - { name: up1, url: "http://127.0.0.1:${upstream.address().port}/" }
server: { minHeartbeat: 1s, maxHeartbeat: 2s }
timeouts: { easRequestTimeout: 4s, executionTimeout: 5s, heartbeatMargin: 1s, drainGrace: 1s }
admin: { listen: { host: 127.0.0.1, port: 0 } }
pool: { healthCheck: { interval: 10m } }
`)
  let outPath = join(dir, 'stdout.log')
  if (values.stdout === 'devfull') outPath = '/dev/full'
  if (values.stdout === 'tmpfs') {
    const mnt = join(dir, 'mnt')
    spawnSync('mkdir', [mnt])
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt])
    if (m.status !== 0) throw new Error(`mount refused: ${m.stderr}`)
    mounted = mnt
    outPath = join(mnt, 'stdout.log')
  }
  const out = values.stdout === 'stalled' ? 'pipe' : openSync(outPath, 'w')
  child = spawn(process.execPath, [join(ROOT, 'dist/bin/gateway.js'), 'serve', '-c', 'gw.yaml', '--workers', '1'], { cwd: dir, stdio: ['ignore', out, 'pipe'] })
  if (out !== 'pipe') closeSync(out)
  let stderr = ''
  child.stderr.on('data', (c) => { stderr += c })
  // The ports come from /proc: the device listener is the first listening socket of the child.
  const ports = await listeningPorts(child.pid, 5000)
  const result = { stdout: values.stdout, started: ports.length >= 2, answered: 0, hung: false }
  if (values.sighup && result.started) {
    child.kill('SIGHUP')
    await new Promise((resolve) => setTimeout(resolve, 500))
    result.survivedSighup = child.exitCode === null && child.signalCode === null
    result.exitAfterSighup = child.exitCode ?? child.signalCode
  }
  for (let i = 0; i < N && result.started && child.exitCode === null; i++) {
    const status = await options(ports[0] === undefined ? 0 : deviceOf(ports), 2000)
    if (status === undefined) { result.hung = true; break }
    result.answered++
  }
  if (result.started && child.exitCode === null) {
    const metrics = await get(ports[1], '/metrics', 2000)
    result.droppedMetric = metrics === undefined ? 'no answer' : /^eas_gateway_log_lines_dropped_total (\d+)/m.exec(metrics)?.[1] ?? 'absent'
  }
  const t0 = performance.now()
  child.kill('SIGTERM')
  const exit = await Promise.race([
    child.exitCode !== null || child.signalCode !== null
      ? { code: child.exitCode, signal: child.signalCode, before: 'exited before SIGTERM' }
      : new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    new Promise((resolve) => setTimeout(() => resolve(undefined), 10_000))
  ])
  result.exitMs = exit === undefined ? 'no exit within 10 s' : Math.round(performance.now() - t0)
  result.exit = exit
  result.dropReports = stderr.split('\n').filter((l) => l.includes('log lines dropped'))
  console.log(JSON.stringify(result))
} finally {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await new Promise((resolve) => child.once('exit', resolve)) }
  upstream.close()
  if (mounted !== false) spawnSync('umount', [mounted])
  rmSync(dir, { recursive: true, force: true })
}

async function get (port, path, timeoutMs) {
  return await new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = ''
      res.on('data', (c) => { body += c }); res.on('end', () => { clearTimeout(timer); resolve(body) })
    })
    const timer = setTimeout(() => { req.destroy(); resolve(undefined) }, timeoutMs)
    req.on('error', () => { clearTimeout(timer); resolve(undefined) })
    req.end()
  })
}

function deviceOf (ports) { return ports[0] }

async function options (port, timeoutMs) {
  return await new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'OPTIONS', path: '/Microsoft-Server-ActiveSync', agent: false }, (res) => {
      res.resume(); res.on('end', () => { clearTimeout(timer); resolve(res.statusCode) })
    })
    const timer = setTimeout(() => { req.destroy(); resolve(undefined) }, timeoutMs)
    req.on('error', () => { clearTimeout(timer); resolve(undefined) })
    req.end()
  })
}

/** Listening TCP ports of `pid`, in the order they were bound (the device listener first). */
async function listeningPorts (pid, timeoutMs) {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const ss = spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' }).stdout
    const ports = ss.split('\n').filter((l) => l.includes(`pid=${pid},`)).map((l) => {
      const m = /127\.0\.0\.1:(\d+)\s.*fd=(\d+)/.exec(l)
      return m === null ? undefined : { port: Number(m[1]), fd: Number(m[2]) }
    }).filter(Boolean).sort((a, b) => a.fd - b.fd).map((p) => p.port)
    if (ports.length >= 2 || performance.now() > deadline) return ports
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
