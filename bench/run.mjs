#!/usr/bin/env node
// `npm run bench`: the gateway side by side with direct, HAProxy, nginx and a minimal undici proxy
// ("Node floor", bench/node-floor.mjs) on this machine, same upstream (bench/upstream.mjs):
//   (a) small EAS POST (Sync-like, 200 B): req/s, p50/p99 and proxy CPU µs/request at c=8 and c=64
//   (b) memory per held Ping at 1k and 8k concurrent Pings (RSS; the gateway's heap too), and
//       Syncs while 8k Pings are held
//   (c) held Pings released after the devices vanish (HAProxy with and without abortonclose)
//   (d) several cores: small POST req/s with the gateway on 1 and 2 workers (serve --workers) beside
//       HAProxy with nbthread 2, all three pinned to the same CPUs
// Prints markdown tables with absolute numbers, ratios and the targets of issue 5 (stdout);
// progress goes to stderr. Installs nothing; needs wrk, haproxy, nginx (exit 2 if missing).
// Every process it starts is stopped by PID, also on Ctrl-C and on errors; its temp dir is removed.
//
// Options: --duration S (measured wrk run, default 8)  --warmup S (default 2)
//          --rounds N (interleaved rounds of (a), default 2; the least disturbed round is reported)
//          --skip-mem  --only-mem  --skip-workers  --only-workers (just (d))
//          --profile (instead of the above: log-level A/B, a node --cpu-prof run, heap snapshots)
//          --json FILE (raw results; with --profile also FILE.cpuprofile and the snapshots)
import { execFileSync, fork, spawn, spawnSync } from 'node:child_process'
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { heapBySize } from './heap-by-size.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '..')
const GATEWAY_BIN = join(ROOT, 'dist', 'bin', 'gateway.js')
const LUA = join(HERE, 'post.lua')
const EAS_QUERY = '/Microsoft-Server-ActiveSync?Cmd=Sync&User=bench&DeviceId=BENCH0001&DeviceType=iPhone'
const PROXY_CPU = '0'
const LOAD_CPU = '1'
const HELD_COUNTS = [1000, 8000]
const RELEASE_WAIT_MS = 5000
const FLOOR = 'Node floor'
/** The floor plus the gateway's own request context, metrics and access line (bench/node-floor.mjs FLOOR_WITH=features). */
const FLOOR_FEATURES = 'Node floor + features'
/** The floor with HTTP/2 streams upstream (node:http2, 128 per session): Node's own cost of a held Ping on one socket and one stream. */
const FLOOR_H2 = 'Node floor, http2'
const HTTP_PROXY = 'node-http-proxy'
const TARGETS = { cpuVsHaproxy: 1.5, kibPerHeld: 9.7, p99AddedMs: 1 }

const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    'skip-mem': { type: 'boolean', default: false },
    'only-mem': { type: 'boolean', default: false },
    'skip-workers': { type: 'boolean', default: false },
    'only-workers': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    json: { type: 'string' }
  }
})
const DURATION = Number(opt.duration)
const WARMUP = Number(opt.warmup)
const ROUNDS = Math.max(1, Number(opt.rounds))
/** Most seconds the whole run may spend waiting for other processes on the machine to go quiet. */
let quietBudgetMs = 60_000

// ---------------------------------------------------------------- process bookkeeping
/** Every process started, by PID: stopped on exit, Ctrl-C and errors. */
const procs = new Map()
let TMP
let cleaning = false

function have (cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true } catch { return false }
}

const HAS_TASKSET = have('taskset')
function pinned (cpu, cmd, args) {
  return HAS_TASKSET ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args]
}

/** Starts a long-running process (taskset execs, so the PID is the program's own). */
function start (name, cpu, cmd, args, { stdout = 'ignore', stderr = 'ignore', ipc = false, env } = {}) {
  const [c, a] = cpu === null ? [cmd, args] : pinned(cpu, cmd, args)
  const out = typeof stdout === 'string' && stdout !== 'ignore' && stdout !== 'pipe' ? openSync(stdout, 'a') : stdout
  const err = typeof stderr === 'string' && stderr !== 'ignore' && stderr !== 'pipe' ? openSync(stderr, 'a') : stderr
  const child = spawn(c, a, { stdio: ['ignore', out, err, ...(ipc ? ['ipc'] : [])], env: env ?? process.env })
  if (typeof out === 'number') closeSync(out)
  if (typeof err === 'number') closeSync(err)
  const p = { name, child, pid: child.pid, extraPids: [], exited: false, code: null }
  child.on('exit', (code, signal) => { p.exited = true; p.code = code ?? signal; procs.delete(p.pid) })
  child.on('error', (e) => { p.exited = true; p.code = e.message; procs.delete(p.pid) })
  procs.set(p.pid, p)
  return p
}

function alive (pid) { try { process.kill(pid, 0); return true } catch { return false } }

async function stop (p, { signal = 'SIGTERM', graceMs = 8000 } = {}) {
  if (p === undefined) return
  if (!p.exited) { try { process.kill(p.pid, signal) } catch {} }
  const deadline = Date.now() + graceMs
  while (!p.exited && Date.now() < deadline) await sleep(50)
  if (!p.exited) { try { process.kill(p.pid, 'SIGKILL') } catch {} ; while (!p.exited) await sleep(20) }
  // nginx workers: normally gone with the master; make sure by PID.
  for (const pid of p.extraPids) {
    const until = Date.now() + 2000
    while (alive(pid) && Date.now() < until) await sleep(20)
    if (alive(pid)) { try { process.kill(pid, 'SIGKILL') } catch {} }
  }
  procs.delete(p.pid)
}

function killAllSync () {
  for (const p of procs.values()) {
    for (const pid of [p.pid, ...p.extraPids]) { try { process.kill(pid, 'SIGKILL') } catch {} }
  }
  procs.clear()
  if (TMP !== undefined && existsSync(TMP)) rmSync(TMP, { recursive: true, force: true })
}

async function cleanup () {
  if (cleaning) return
  cleaning = true
  await Promise.all([...procs.values()].map((p) => stop(p, { graceMs: 3000 })))
  killAllSync()
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping ${procs.size} process(es)…\n`)
    cleanup().finally(() => process.exit(130))
  })
}
process.on('exit', killAllSync)

// ---------------------------------------------------------------- small helpers
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const log = (s) => process.stderr.write(`[${((Date.now() - T0) / 1000).toFixed(0).padStart(3)}s] ${s}\n`)
const T0 = Date.now()

async function freePort () {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

async function canConnect (port) {
  return await new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' })
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}

async function waitPort (port, p, what, ms = 15000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (p.exited) throw new Error(`${what} exited (${p.code}) before listening; see ${TMP}`)
    if (await canConnect(port)) return
    await sleep(50)
  }
  throw new Error(`${what} not listening on ${port} after ${ms} ms`)
}

async function httpGet (port, path) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  return await res.text()
}

/**
 * The gateway's own GC and event-loop figures from /metrics (prom-client's default metrics):
 * count and seconds of GC pauses by kind, and the event-loop delay p99 since the previous scrape
 * (prom-client resets that histogram on every scrape). Two scrapes around a run give its share.
 */
async function gatewayGc (adminPort) {
  const text = await httpGet(adminPort, '/metrics')
  const gc = {}
  for (const kind of ['minor', 'major', 'incremental']) {
    const v = (what) => Number(new RegExp(`^eas_gateway_nodejs_gc_duration_seconds_${what}\\{kind="${kind}"\\} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? 0)
    gc[kind] = { n: v('count'), s: v('sum') }
  }
  const lag = Number(/^eas_gateway_nodejs_eventloop_lag_p99_seconds ([0-9.e+-]+)$/m.exec(text)?.[1] ?? NaN)
  return { gc, loopP99Ms: lag * 1000 }
}

function childPids (pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    const out = []
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue
      try {
        const st = readFileSync(`/proc/${d}/stat`, 'utf8')
        if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d))
      } catch {}
    }
    return out
  }
}

const CLK_TCK = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 } catch { return 100 } })()

/** utime+stime of the PIDs (all threads), in seconds. */
function cpuSeconds (pids) {
  let ticks = 0
  for (const pid of pids) {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
    ticks += Number(f[11]) + Number(f[12])
  }
  return ticks / CLK_TCK
}

/** The kernel's count of connections dropped because a listen queue was full (all sockets). */
function listenOverflows () {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'))
  if (lines.length < 2) return NaN
  const k = lines[0].split(/\s+/); const v = lines[1].split(/\s+/)
  return Number(v[k.indexOf('ListenOverflows')])
}

/** VmRSS of the PIDs, in KiB. */
/** Open file descriptors of the processes (sockets, files, pipes). */
function fdCount (pids) {
  let n = 0
  for (const pid of pids) n += readdirSync(`/proc/${pid}/fd`).length
  return n
}

function rssKiB (pids) {
  let kib = 0
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    kib += m === null ? 0 : Number(m[1])
  }
  return kib
}

function version (cmd, args, re) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  return re.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? '?'
}

/** Busy seconds of all CPUs together, from /proc/stat. */
function machineBusySeconds () {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal (guest is already inside user)
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / CLK_TCK
}

/** CPU seconds of this runner plus its reaped children (every finished wrk). */
function selfSeconds () {
  const st = readFileSync('/proc/self/stat', 'utf8')
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK
}

/** Starts a window that tells how much CPU processes other than ours used meanwhile (in cores). */
function foreignMeter (ourPids) {
  const m0 = machineBusySeconds(); const o0 = cpuSeconds(ourPids); const s0 = selfSeconds(); const t0 = performance.now()
  return () => {
    const wall = (performance.now() - t0) / 1000
    return Math.max(0, (machineBusySeconds() - m0 - (cpuSeconds(ourPids) - o0) - (selfSeconds() - s0)) / wall)
  }
}

/** Waits (bounded) until other processes use less than 0.15 of a core, so a row is not measured under someone's test run. */
async function quiet (ourPids) {
  const start = Date.now()
  for (;;) {
    const meter = foreignMeter(ourPids)
    await sleep(500)
    const load = meter()
    if (load < 0.15 || quietBudgetMs <= 0) return
    if (Date.now() - start > 10_000) return
    log(`   machine busy with other processes (${load.toFixed(2)} cores), waiting`)
    quietBudgetMs -= 500
  }
}

// ---------------------------------------------------------------- load generator
async function wrk (url, c, seconds) {
  const p = start('wrk', LOAD_CPU, 'wrk', ['-t1', `-c${c}`, `-d${seconds}s`, '--latency', '-s', LUA, url], { stdout: 'pipe', stderr: 'pipe' })
  let out = ''
  p.child.stdout.on('data', (d) => { out += d })
  p.child.stderr.on('data', (d) => { out += d })
  const deadline = Date.now() + (seconds + 15) * 1000
  while (!p.exited && Date.now() < deadline) await sleep(50)
  if (!p.exited) { await stop(p); throw new Error(`wrk did not finish:\n${out}`) }
  const line = /WRKJSON (\{.*\})/.exec(out)
  if (line === null) throw new Error(`wrk failed (${p.code}):\n${out}`)
  const r = JSON.parse(line[1])
  r.rps = r.requests / (r.durationUs / 1e6)
  r.errors = r.errConnect + r.errRead + r.errWrite + r.errStatus + r.errTimeout
  return r
}

// ---------------------------------------------------------------- simulated devices holding Pings
/** Forks bench/hold-client.mjs against a port (pinned with the load); ask() fails if it dies. */
function startHolder (port) {
  const child = fork(join(HERE, 'hold-client.mjs'), [String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] })
  const p = { name: 'hold-client', child, pid: child.pid, extraPids: [], exited: false, code: null }
  child.on('exit', (code, signal) => { p.exited = true; p.code = code ?? signal; procs.delete(p.pid) })
  procs.set(p.pid, p)
  if (HAS_TASKSET) { try { execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(child.pid)], { stdio: 'ignore' }) } catch {} }
  return {
    ask: (m) => new Promise((resolve, reject) => {
      if (p.exited) { reject(new Error(`hold client exited (${p.code})`)); return }
      const onExit = () => reject(new Error(`hold client exited (${p.code})`))
      child.once('exit', onExit)
      child.once('message', (r) => { child.off('exit', onExit); resolve(r) })
      child.send(m)
    }),
    stop: () => stop(p, { signal: 'SIGKILL', graceMs: 2000 })
  }
}

// ---------------------------------------------------------------- the systems under test
function haproxyConfig (port, upPort, abortonclose, threads = 1) {
  return `global
    nbthread ${threads}
    maxconn 9000
defaults
    mode http
    maxconn 9000
    timeout connect 5s
    timeout client 3700s
    timeout server 3700s
    timeout http-keep-alive 120s
${abortonclose ? '    option abortonclose\n' : ''}frontend fe
    bind 127.0.0.1:${port}
    default_backend be
    http-response set-header Connection close if { status 401 }
backend be
    http-reuse safe
    server up1 127.0.0.1:${upPort}
`
}

function nginxConfig (dir, port, upPort) {
  return `worker_processes 1;
worker_rlimit_nofile 19500;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 19000; }
http {
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    upstream up { server 127.0.0.1:${upPort}; keepalive 256; }
    server {
        listen 127.0.0.1:${port} backlog=8192;
        keepalive_timeout 120s;
        location / {
            proxy_pass http://up;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 3700s;
            proxy_send_timeout 3700s;
        }
    }
}
`
}

/** `http2`: false (HTTP/1.1), 'all' (every request a stream) or 'pings' (upstreams[].http2For: pings). */
function gatewayConfig (port, adminPort, upPort, logLevel = 'info', http2 = false) {
  return `# generated by bench/run.mjs
listen: { host: 127.0.0.1, port: ${port} }
upstreams:
  - { name: bench, url: "http://127.0.0.1:${upPort}/"${http2 ? ', http2: true' : ''}${http2 === 'pings' ? ', http2For: pings' : ''} }
server: { minHeartbeat: 60s, maxHeartbeat: 3540s }
timeouts: { easRequestTimeout: 61m, executionTimeout: 62m, drainGrace: 2s }
admin: { listen: { host: 127.0.0.1, port: ${adminPort} } }
log: { level: ${logLevel} }
# The rate limits are off: one wrk "device" sends thousands of requests per second, which the
# per-device limit (10/s) would answer locally. Held-Ping and connection caps keep their defaults.
limits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: 0 } }
`
}

/** A proxy under test: start() → { port, pids(), stop(), heap?() }. */
const SYSTEMS = {
  async haproxy (upPort, { abortonclose = true, threads = 1, cpu = PROXY_CPU } = {}) {
    const port = await freePort()
    const dir = join(TMP, `haproxy-${abortonclose ? 'abort' : 'noabort'}-${threads}`)
    mkdirSync(dir, { recursive: true })
    const cfg = join(dir, 'haproxy.cfg')
    writeFileSync(cfg, haproxyConfig(port, upPort, abortonclose, threads))
    const p = start('haproxy', cpu, 'haproxy', ['-db', '-f', cfg], { stdout: join(dir, 'out.log'), stderr: join(dir, 'out.log') })
    await waitPort(port, p, 'haproxy')
    return { port, pids: () => [p.pid], stop: () => stop(p) }
  },
  async nginx (upPort) {
    const port = await freePort()
    const dir = join(TMP, 'nginx')
    mkdirSync(dir, { recursive: true })
    const cfg = join(dir, 'nginx.conf')
    writeFileSync(cfg, nginxConfig(dir, port, upPort))
    const p = start('nginx', PROXY_CPU, 'nginx', ['-p', dir, '-c', cfg, '-e', join(dir, 'nginx-error.log')], { stdout: join(dir, 'out.log'), stderr: join(dir, 'out.log') })
    await waitPort(port, p, 'nginx')
    let workers = []
    for (let i = 0; i < 100 && workers.length === 0; i++) { workers = childPids(p.pid); if (workers.length === 0) await sleep(50) }
    p.extraPids.push(...workers)
    return { port, pids: () => [p.pid, ...workers], stop: () => stop(p, { signal: 'SIGQUIT' }) }
  },
  async floor (upPort, { features = false, h2 = false } = {}) {
    const port = await freePort()
    const dir = join(TMP, 'node-floor')
    mkdirSync(dir, { recursive: true })
    const p = start('node-floor', PROXY_CPU, process.execPath, [join(HERE, 'node-floor.mjs'), String(port), String(upPort)], { stdout: join(dir, 'out.log'), stderr: join(dir, 'out.log'), env: features || h2 ? { ...process.env, FLOOR_WITH: features ? 'features' : '', FLOOR_UPSTREAM: h2 ? 'h2' : '' } : undefined })
    await waitPort(port, p, 'node-floor')
    return { port, pids: () => [p.pid], stop: () => stop(p) }
  },
  async httpProxy (upPort) {
    const port = await freePort()
    const dir = join(TMP, 'node-http-proxy')
    mkdirSync(dir, { recursive: true })
    const p = start('node-http-proxy', PROXY_CPU, process.execPath, [join(HERE, 'node-http-proxy.mjs'), String(port), String(upPort)], { stdout: join(dir, 'out.log'), stderr: join(dir, 'out.log') })
    await waitPort(port, p, 'node-http-proxy')
    return { port, pids: () => [p.pid], stop: () => stop(p) }
  },
  async gateway (upPort, { memory = false, nodeFlags = [], env, logLevel = 'info', workers = 1, cpu = PROXY_CPU, http2 = false } = {}) {
    const port = await freePort()
    const adminPort = await freePort()
    const dir = join(TMP, 'gateway')
    mkdirSync(dir, { recursive: true })
    const cfg = join(dir, 'gateway.yaml')
    writeFileSync(cfg, gatewayConfig(port, adminPort, upPort, logLevel, http2))
    const flags = [...nodeFlags, ...(memory ? ['--expose-gc', '--import', pathToFileURL(join(HERE, 'gc-on-signal.mjs')).href] : [])]
    const accessLog = join(dir, 'access.log')
    const p = start('gateway', cpu, process.execPath, [...flags, GATEWAY_BIN, 'serve', '-c', cfg, '--workers', String(workers)], { stdout: accessLog, stderr: join(dir, 'stderr.log'), env: env === undefined ? undefined : { ...process.env, ...env } })
    try {
      await waitPort(adminPort, p, 'gateway')
      await waitPort(port, p, 'gateway')
    } catch (e) {
      throw new Error(`${e.message}\n${existsSync(join(dir, 'stderr.log')) ? readFileSync(join(dir, 'stderr.log'), 'utf8') : ''}`)
    }
    return {
      port,
      adminPort,
      accessLog,
      proc: p,
      // With workers: the primary and its workers (children), for CPU accounting.
      pids: () => workers === 1 ? [p.pid] : [p.pid, ...childPids(p.pid)],
      stop: () => stop(p),
      async heap () {
        if (memory) { process.kill(p.pid, 'SIGUSR2'); await sleep(400) }
        const text = await httpGet(adminPort, '/metrics')
        const metric = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN)
        const ping = /^eas_gateway_requests_in_flight\{command="Ping"\} ([0-9.]+)$/m.exec(text)
        return {
          heapUsed: metric('eas_gateway_nodejs_heap_size_used_bytes'),
          external: metric('eas_gateway_nodejs_external_memory_bytes'),
          inFlightPing: ping === null ? 0 : Number(ping[1])
        }
      }
    }
  }
}

// ---------------------------------------------------------------- (a) small POST throughput / latency / CPU
async function throughput (upstream, results) {
  const runs = []
  const setups = [
    ['direct', async () => ({ port: upstream.port, pids: () => [], stop: async () => {} })],
    ['HAProxy', () => SYSTEMS.haproxy(upstream.port)],
    ['nginx', () => SYSTEMS.nginx(upstream.port)],
    [FLOOR, () => SYSTEMS.floor(upstream.port)],
    // What the features issue #14 keeps (request context, metrics, the access line) cost on
    // top of the floor, with the gateway's own code: the lowest a gateway with them could be.
    [FLOOR_FEATURES, () => SYSTEMS.floor(upstream.port, { features: true })],
    [HTTP_PROXY, () => SYSTEMS.httpProxy(upstream.port)],
    ['gateway', () => SYSTEMS.gateway(upstream.port)],
    // The same short requests over HTTP/1.1, with node:http2 loaded for the held Pings' streams.
    ['gateway, http2 pings', () => SYSTEMS.gateway(upstream.h2Port, { http2: 'pings' })]
  ]
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, make] of setups) {
      const sys = await make()
      try {
        const url = `http://127.0.0.1:${sys.port}${EAS_QUERY}`
        for (const c of [8, 64]) {
          const pids = sys.pids()
          await quiet([...pids, upstream.pid])
          const warm = c === 8 ? WARMUP : Math.max(1, WARMUP / 2)
          log(`(a) round ${round}/${ROUNDS} ${name} c=${c}: warm-up ${warm}s, run ${DURATION}s`)
          await wrk(url, c, warm)
          const cpu0 = cpuSeconds(pids)
          const up0 = cpuSeconds([upstream.pid])
          const gc0 = sys.adminPort === undefined ? undefined : await gatewayGc(sys.adminPort)
          const foreign = foreignMeter([...pids, upstream.pid])
          const t0 = performance.now()
          const r = await wrk(url, c, DURATION)
          const wall = (performance.now() - t0) / 1000
          const cpu = cpuSeconds(pids) - cpu0
          const upCpu = cpuSeconds([upstream.pid]) - up0
          const gc1 = gc0 === undefined ? undefined : await gatewayGc(sys.adminPort)
          runs.push({
            setup: name,
            c,
            round,
            rps: r.rps,
            requests: r.requests,
            p50: r.p50,
            p90: r.p90,
            p99: r.p99,
            max: r.max,
            errors: r.errors,
            cpuUsPerReq: pids.length === 0 ? null : cpu * 1e6 / r.requests,
            proxyCorePct: pids.length === 0 ? null : 100 * cpu / wall,
            upstreamUsPerReq: upCpu * 1e6 / r.requests,
            foreignCores: foreign(),
            // The gateway's GC during the run, per second of it, and its event-loop delay p99.
            ...(gc1 === undefined
              ? {}
              : {
                  gc: Object.fromEntries(Object.entries(gc1.gc).map(([k, v]) => [k, { perS: (v.n - gc0.gc[k].n) / wall, msPerS: 1000 * (v.s - gc0.gc[k].s) / wall }])),
                  loopP99Ms: gc1.loopP99Ms
                })
          })
        }
      } finally {
        await sys.stop()
      }
      if (sys.accessLog !== undefined) {
        // The access log is a real file, as in production: count its lines as a sanity check.
        results.accessLogLines = (results.accessLogLines ?? 0) + Number(execFileSync('wc', ['-l', sys.accessLog], { encoding: 'utf8' }).trim().split(' ')[0])
        rmSync(sys.accessLog, { force: true })
      }
    }
  }
  results.gatewayRequestsServed = runs.filter((x) => x.setup.startsWith('gateway')).reduce((a, x) => a + x.requests, 0)
  results.throughputRuns = runs
  // Per setup and concurrency, report the round least disturbed by other processes on the
  // machine; among rounds equally quiet (within 5 % of a core), the fastest one.
  const rows = []
  for (const [name] of setups) {
    for (const c of [8, 64]) {
      const all = runs.filter((r) => r.setup === name && r.c === c)
      const quietest = Math.min(...all.map((r) => r.foreignCores))
      const best = all.filter((r) => r.foreignCores <= quietest + 0.05)
        .reduce((a, b) => (name === 'direct' ? (b.rps > a.rps ? b : a) : (b.cpuUsPerReq < a.cpuUsPerReq ? b : a)))
      rows.push({ ...best, allCpuUsPerReq: all.map((r) => r.cpuUsPerReq), allRps: all.map((r) => r.rps) })
    }
  }
  results.throughput = rows
}

// ---------------------------------------------------------------- (d) several cores
/** CPUs the (d) proxies may use: both of a 2-core machine (shared with wrk and the upstream). */
const MULTI_CPU = '0,1'

/** (d): the same small POST at c=64, gateway on 1 and 2 workers and HAProxy nbthread 2, same CPUs. */
async function workersRow (upstream, results) {
  const setups = [
    ['gateway, 1 worker', () => SYSTEMS.gateway(upstream.port, { workers: 1, cpu: MULTI_CPU })],
    ['gateway, 2 workers', () => SYSTEMS.gateway(upstream.port, { workers: 2, cpu: MULTI_CPU })],
    ['HAProxy, nbthread 2', () => SYSTEMS.haproxy(upstream.port, { threads: 2, cpu: MULTI_CPU })]
  ]
  const c = 64
  const rows = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, make] of setups) {
      const sys = await make()
      try {
        const url = `http://127.0.0.1:${sys.port}${EAS_QUERY}`
        const pids = sys.pids()
        await quiet([...pids, upstream.pid])
        log(`(d) round ${round}/${ROUNDS} ${name} c=${c}: warm-up ${WARMUP}s, run ${DURATION}s`)
        await wrk(url, c, WARMUP)
        const cpu0 = cpuSeconds(pids)
        const foreign = foreignMeter([...pids, upstream.pid])
        const r = await wrk(url, c, DURATION)
        const cpu = cpuSeconds(pids) - cpu0
        rows.push({ setup: name, c, round, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, cpuUsPerReq: cpu * 1e6 / r.requests, processes: pids.length, foreignCores: foreign() })
      } finally {
        await sys.stop()
      }
      if (sys.accessLog !== undefined) rmSync(sys.accessLog, { force: true })
    }
  }
  // Per setup, the round least disturbed by other processes (among equally quiet ones, the fastest).
  results.workers = setups.map(([name]) => {
    const all = rows.filter((r) => r.setup === name)
    const quietest = Math.min(...all.map((r) => r.foreignCores))
    return all.filter((r) => r.foreignCores <= quietest + 0.05).reduce((a, b) => (b.rps > a.rps ? b : a))
  })
}

// ---------------------------------------------------------------- (b)+(c) held Pings: memory and release
async function upstreamStats (upstream) { return JSON.parse(await httpGet(upstream.port, '/__stats')) }

async function waitHeld (upstream, n, ms) {
  const deadline = Date.now() + ms
  let s
  do { s = await upstreamStats(upstream); if (s.held >= n) break; await sleep(100) } while (Date.now() < deadline)
  return s.held
}

/** Sync requests at c=8 against a (b) setup with n Pings held: the proxy's CPU per request. */
async function syncCost (sys, upstream, n) {
  if (sys.heap) await sys.heap() // the gateway: a full GC first, at both measurements alike
  log(`(b) Sync c=8 ${Math.min(DURATION, 4)}s with ${n} Pings held`)
  const pids = sys.pids()
  const cpu0 = cpuSeconds(pids)
  const foreign = foreignMeter([...pids, upstream.pid])
  const w = await wrk(`http://127.0.0.1:${sys.port}${EAS_QUERY}`, 8, Math.min(DURATION, 4))
  return { n, rps: w.rps, p50: w.p50, p99: w.p99, errors: w.errors, cpuUsPerReq: (cpuSeconds(pids) - cpu0) * 1e6 / w.requests, foreignCores: foreign() }
}

async function heldPings (upstream, results) {
  const rows = []
  const setups = [
    ['gateway', () => SYSTEMS.gateway(upstream.port, { memory: true })],
    // Held Pings as HTTP/2 streams on shared upstream connections (issue #14).
    ['gateway, http2', () => SYSTEMS.gateway(upstream.h2Port, { memory: true, http2: 'all' })],
    // Held Pings as streams, Syncs over HTTP/1.1 to the same port (upstreams[].http2For: pings).
    ['gateway, http2 pings', () => SYSTEMS.gateway(upstream.h2Port, { memory: true, http2: 'pings' })],
    ['HAProxy', () => SYSTEMS.haproxy(upstream.port)],
    ['nginx', () => SYSTEMS.nginx(upstream.port)],
    [FLOOR, () => SYSTEMS.floor(upstream.port)],
    // What Node keeps per held Ping with one device socket and one upstream stream, before any
    // gateway object: the memory floor of `http2For: pings`.
    [FLOOR_H2, () => SYSTEMS.floor(upstream.h2Port, { h2: true })],
    ['HAProxy, no abortonclose', () => SYSTEMS.haproxy(upstream.port, { abortonclose: false })]
  ]
  for (const [name, make] of setups) {
    await httpGet(upstream.port, '/__release')
    const sys = await make()
    let holder
    try {
      log(`(b) ${name}: warm-up, baseline`)
      await wrk(`http://127.0.0.1:${sys.port}${EAS_QUERY}`, 8, 2)
      const measureSync = !name.includes('no abortonclose')
      // The Sync cost with nothing held, in this same process and the same way as with Pings held
      // below (after a forced GC for the gateway, same duration): growth is the ratio of the two.
      // Against table (a)'s row, another process run longer and picked as the quietest of its
      // rounds, the ratio mixed in process-to-process and round-to-round differences (±0.1).
      const syncNothingHeld = measureSync ? await syncCost(sys, upstream, 0) : undefined
      await sleep(1000)
      // The gateway's heap() forces a full GC first: RSS is read after it, at the baseline as with
      // Pings held (a baseline read before it carried the warm-up's garbage, and made the 1,000
      // row's RSS per held Ping meaningless, negative once).
      const heap0 = sys.heap ? await sys.heap() : {}
      const base = { rss: rssKiB(sys.pids()), fds: fdCount(sys.pids()), ...heap0 }
      holder = startHolder(sys.port)
      const ask = holder.ask
      const row = { setup: name, base, levels: [], syncNothingHeld }
      for (const n of HELD_COUNTS) {
        log(`(b) ${name}: holding ${n} Pings`)
        const lo0 = listenOverflows()
        const o = await ask({ cmd: 'open', n })
        const overflows = listenOverflows() - lo0
        const held = await waitHeld(upstream, n, 20000)
        await sleep(1500)
        const heapN = sys.heap ? await sys.heap() : {}
        const m = { rss: rssKiB(sys.pids()), fds: fdCount(sys.pids()), ...heapN }
        row.levels.push({
          n,
          held,
          opened: o.opened,
          clientErrors: o.errors,
          answered: o.answered,
          overflows,
          ...m,
          kibRssPerHeld: (m.rss - base.rss) / n,
          fdsPerHeld: (m.fds - base.fds) / n,
          kibHeapPerHeld: sys.heap ? (m.heapUsed - base.heapUsed) / 1024 / n : null,
          kibExternalPerHeld: sys.heap ? (m.external - base.external) / 1024 / n : null
        })
      }
      // Syncs while the most Pings are held: does the per-request cost grow with held requests?
      if (measureSync) row.syncWithHeld = await syncCost(sys, upstream, HELD_COUNTS.at(-1))
      // (c) the devices vanish: every socket destroyed at once; how many Pings does the upstream still hold?
      const before = (await upstreamStats(upstream)).held
      await ask({ cmd: 'destroy' })
      const t = Date.now()
      let left = before
      let zeroAfterMs = null
      while (Date.now() - t < RELEASE_WAIT_MS) {
        left = (await upstreamStats(upstream)).held
        if (left === 0) { zeroAfterMs = Date.now() - t; break }
        await sleep(100)
      }
      row.release = { before, left, zeroAfterMs, waitedMs: RELEASE_WAIT_MS, rssAfter: rssKiB(sys.pids()) }
      log(`(c) ${name}: ${before} held, ${left} still held ${zeroAfterMs === null ? `after ${RELEASE_WAIT_MS} ms` : `(all released in ${zeroAfterMs} ms)`}`)
      rows.push(row)
    } finally {
      await holder?.stop()
      await sys.stop()
    }
  }
  await httpGet(upstream.port, '/__release')
  results.held = rows
}

// ---------------------------------------------------------------- --profile: where the gateway's CPU goes
async function profile (upstream, results) {
  // 1. A/B without the profiler: the same gateway with its access log on (info) and off (silent),
  //    alternating, so the log's share of the CPU per request is measured rather than guessed.
  const ab = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const level of ['info', 'silent']) {
      const sys = await SYSTEMS.gateway(upstream.port, { logLevel: level })
      try {
        const url = `http://127.0.0.1:${sys.port}${EAS_QUERY}`
        await quiet([sys.proc.pid, upstream.pid])
        log(`profile: A/B round ${round} log level ${level}, c=64 ${DURATION}s`)
        await wrk(url, 64, WARMUP)
        const cpu0 = cpuSeconds(sys.pids())
        const foreign = foreignMeter([sys.proc.pid, upstream.pid])
        const r = await wrk(url, 64, DURATION)
        ab.push({ level, round, rps: r.rps, cpuUsPerReq: (cpuSeconds(sys.pids()) - cpu0) * 1e6 / r.requests, foreignCores: foreign() })
      } finally { await sys.stop() }
    }
  }
  // 2. The CPU profile (main thread only: pino's file writes run on libuv's pool and are not in it).
  const dir = join(TMP, 'prof')
  mkdirSync(dir, { recursive: true })
  const sys = await SYSTEMS.gateway(upstream.port, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
  const url = `http://127.0.0.1:${sys.port}${EAS_QUERY}`
  log(`profile: gateway under --cpu-prof, wrk c=64 ${DURATION}s`)
  const w = await wrk(url, 64, WARMUP)
  const r = await wrk(url, 64, DURATION)
  await sys.stop()
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error('no .cpuprofile written (did the gateway exit cleanly on SIGTERM?)')
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  results.profile = { ab, rps: r.rps, requests: w.requests + r.requests, ...summarizeProfile(prof) }
  if (opt.json !== undefined) writeFileSync(opt.json.replace(/\.json$/, '') + '.cpuprofile', JSON.stringify(prof))
  results.heapProfile = await heapProfile(upstream)
}

/** Heap snapshots of the gateway before and with N held Pings: what each held Ping keeps alive, by constructor. */
async function heapProfile (upstream, n = 2000) {
  const dir = join(TMP, 'heap')
  mkdirSync(dir, { recursive: true })
  await httpGet(upstream.port, '/__release')
  const sys = await SYSTEMS.gateway(upstream.port, { memory: true, env: { BENCH_HEAPSNAPSHOT_DIR: dir } })
  let holder
  try {
    await wrk(`http://127.0.0.1:${sys.port}${EAS_QUERY}`, 8, 2)
    await sleep(500)
    const snap = async (i) => {
      process.kill(sys.proc.pid, 'SIGUSR2')
      const done = join(dir, `snap-${i}.heapsnapshot.done`)
      const deadline = Date.now() + 60_000
      while (!existsSync(done) && Date.now() < deadline) await sleep(100)
      if (!existsSync(done)) throw new Error('heap snapshot not written')
      const r = heapBySize(JSON.parse(readFileSync(join(dir, `snap-${i}.heapsnapshot`), 'utf8'))).by
      if (opt.json !== undefined) writeFileSync(opt.json.replace(/\.json$/, '') + `.snap-${i}.heapsnapshot`, readFileSync(join(dir, `snap-${i}.heapsnapshot`)))
      rmSync(join(dir, `snap-${i}.heapsnapshot`))
      return r
    }
    log('profile: heap snapshot baseline')
    const base = await snap(1)
    holder = startHolder(sys.port)
    await holder.ask({ cmd: 'open', n })
    const held = await waitHeld(upstream, n, 20000)
    await sleep(1000)
    log(`profile: heap snapshot with ${held} held Pings`)
    const withHeld = await snap(2)
    const keys = new Set([...base.keys(), ...withHeld.keys()])
    const diff = []
    let totalBytes = 0
    for (const k of keys) {
      const a = base.get(k) ?? { count: 0, size: 0 }
      const b = withHeld.get(k) ?? { count: 0, size: 0 }
      totalBytes += b.size - a.size
      diff.push({ key: k, perHeldCount: (b.count - a.count) / held, perHeldBytes: (b.size - a.size) / held })
    }
    diff.sort((x, y) => y.perHeldBytes - x.perHeldBytes)
    return { held, perHeldBytes: totalBytes / held, top: diff.slice(0, 30) }
  } finally {
    await holder?.stop()
    await sys.stop()
    await httpGet(upstream.port, '/__release')
  }
}

function shortUrl (url) {
  if (url === '') return ''
  const u = url.replace(/^file:\/\//, '')
  const nm = u.lastIndexOf('/node_modules/')
  if (nm >= 0) return u.slice(nm + 14)
  if (u.startsWith(ROOT)) return u.slice(ROOT.length + 1)
  return u
}

function groupOf (cf) {
  const u = shortUrl(cf.url)
  if (u === '') return cf.functionName.startsWith('(') ? cf.functionName : '(native/V8 builtins)'
  if (u.startsWith('node:')) return 'node: ' + u.slice(5).replace(/^internal\//, '').split('/')[0].replace(/\.js$/, '')
  if (u.startsWith('dist/')) return 'gateway: ' + u.slice(5)
  return u.split('/')[0].startsWith('@') ? u.split('/').slice(0, 2).join('/') : u.split('/')[0]
}

function summarizeProfile (prof) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const selfUs = new Map()
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i]
    selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0))
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const key = (cf) => `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}${cf.url ? ':' + (cf.lineNumber + 1) : ''}`
  const self = new Map()
  const groups = new Map()
  for (const [id, us] of selfUs) {
    const cf = byId.get(id).callFrame
    self.set(key(cf), (self.get(key(cf)) ?? 0) + us)
    groups.set(groupOf(cf), (groups.get(groupOf(cf)) ?? 0) + us)
  }
  // Inclusive time per function, counting each function once per stack (recursion-safe).
  const incl = new Map()
  const inclOf = new Map()
  const visit = (id) => {
    const n = byId.get(id)
    let t = selfUs.get(id) ?? 0
    for (const c of n.children ?? []) t += visit(c)
    inclOf.set(id, t)
    return t
  }
  const root = prof.nodes[0].id
  visit(root)
  const walk = (id, active) => {
    const n = byId.get(id)
    const k = key(n.callFrame)
    const fresh = !active.has(k)
    if (fresh) { incl.set(k, (incl.get(k) ?? 0) + inclOf.get(id)); active.add(k) }
    for (const c of n.children ?? []) walk(c, active)
    if (fresh) active.delete(k)
  }
  walk(root, new Set())
  const idle = self.get('(idle) ') ?? 0
  const busy = total - idle
  const top = (m, n, filter = () => true) => [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, us]) => ({ frame: k, ms: us / 1000, pctBusy: 100 * us / busy }))
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    topSelf: top(self, 25, (k) => !k.startsWith('(idle)')),
    groups: top(groups, 20, (k) => k !== '(idle)'),
    topInclusive: top(incl, 30, (k) => !/^\((root|program|idle|garbage collector)\)/.test(k)),
    gatewayInclusive: top(incl, 30, (k) => / (dist\/|pino\/|prom-client\/|sonic-boom\/)/.test(k))
  }
}

// ---------------------------------------------------------------- report
const f0 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'))
const f1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(1))
const f2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2))
const ms = (us) => (us === null || us === undefined ? '–' : us < 1000 ? `${Math.round(us)} µs` : `${(us / 1000).toFixed(2)} ms`)
const ratio = (a, b) => (a == null || b == null || b === 0 || Number.isNaN(a) || Number.isNaN(b) ? '–' : `${(a / b).toFixed(2)}x`)
const mib = (kib) => (kib / 1024).toFixed(1)

function table (head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(w[i])).join(' | ') + ' |'
  return [line(head), '| ' + w.map((n) => '-'.repeat(n)).join(' | ') + ' |', ...rows.map(line)].join('\n')
}

function report (results) {
  const out = []
  const m = results.meta
  out.push(`## eas-gateway bench, ${m.date}`)
  out.push('')
  out.push(`Machine: ${m.cpus}× ${m.cpuModel}, Linux ${m.kernel}; Node ${m.node}, HAProxy ${m.haproxy}, nginx ${m.nginx}, wrk ${m.wrk}.`)
  out.push(`Proxy pinned to CPU${PROXY_CPU}; wrk, the upstream and the hold client on CPU${LOAD_CPU}${HAS_TASKSET ? '' : ' (taskset missing: NOT pinned)'}. ` +
    `wrk -t1, ${WARMUP} s warm-up (c=8; ${Math.max(1, WARMUP / 2)} s for c=64) + ${DURATION} s measured per row, ${ROUNDS} interleaved round(s), 200-byte POST, Content-Type application/vnd.ms-sync.wbxml.`)
  const t = results.throughput
  if (t !== undefined) {
    const get = (s, c) => t.find((r) => r.setup === s && r.c === c)
    out.push('')
    out.push('### (a) Small EAS POST (Sync-like, 200 B)')
    out.push('')
    out.push(table(
      ['setup', 'conns', 'req/s', 'p50', 'p99', 'p99 added vs direct', 'proxy CPU µs/req', 'proxy core busy', 'upstream CPU µs/req', 'errors', 'other load', `CPU µs/req, req/s (all ${ROUNDS} rounds)`],
      t.map((r) => {
        const d = get('direct', r.c)
        return [r.setup, r.c, f0(r.rps), ms(r.p50), ms(r.p99), r.setup === 'direct' ? '–' : ms(r.p99 - d.p99),
          f1(r.cpuUsPerReq), r.proxyCorePct === null ? '–' : `${Math.round(r.proxyCorePct)} %`, f1(r.upstreamUsPerReq), r.errors,
          `${Math.round(100 * r.foreignCores)} %`, r.allRps.map((x, i) => `${r.setup === 'direct' ? '–' : f1(r.allCpuUsPerReq[i])} @ ${(x / 1000).toFixed(1)}k`).join('; ')]
      })))
    out.push('')
    out.push(`"${FLOOR}": bench/node-floor.mjs, the smallest undici dispatch proxy (no log, metrics, EAS parsing or policy): what Node + undici alone cost here. ` +
      `"${FLOOR_FEATURES}": the same floor with the gateway's own request context (EAS query, Basic user), request metrics and outcome recorder (metrics and the access line at info, to a file): what those features cost before any other gateway code. ` +
      `"${HTTP_PROXY}": bench/node-http-proxy.mjs, the \`http-proxy\` package with a keep-alive agent: what a Node user would pick first.`)
    out.push('')
    out.push('"other load": CPU used by processes outside the bench during the reported row, in % of one core (the machine is shared; ' +
      'rows with high values are less trustworthy). Each row is the least disturbed of the rounds (among equally quiet ones, the fastest); all rounds are listed last.')
    out.push('')
    out.push('Gateway ratios (gateway ÷ other; for req/s below 1 is worse, for latency and CPU above 1 is worse):')
    out.push('')
    const rrows = []
    for (const c of [8, 64]) {
      const g = get('gateway', c)
      for (const other of ['HAProxy', 'nginx', FLOOR, FLOOR_FEATURES, HTTP_PROXY, 'direct']) {
        const o = get(other, c)
        rrows.push([`vs ${other}`, c, ratio(g.rps, o.rps), ratio(g.p50, o.p50), ratio(g.p99, o.p99), other === 'direct' ? '–' : ratio(g.cpuUsPerReq, o.cpuUsPerReq)])
      }
    }
    out.push(table(['gateway', 'conns', 'req/s', 'p50', 'p99', 'CPU µs/req'], rrows))
    const ff = [8, 64].map((c) => `c=${c} ${ratio(get(FLOOR_FEATURES, c)?.cpuUsPerReq, get(FLOOR, c)?.cpuUsPerReq)}`)
    out.push('')
    out.push(`"${FLOOR_FEATURES}" ÷ "${FLOOR}", proxy CPU µs/req: ${ff.join(', ')} (the gateway's features alone, before any other gateway code).`)
    if (results.accessLogLines !== undefined) {
      out.push('')
      out.push(`Gateway access log: ${f0(results.accessLogLines)} JSON lines written to a file (${f0(results.gatewayRequestsServed)} measured requests plus warm-ups); /metrics on.`)
    }
    const gcRows = [8, 64].map((c) => get('gateway', c)).filter((g) => g?.gc !== undefined)
    if (gcRows.length > 0) {
      out.push('')
      out.push('Gateway GC during these rows (its /metrics; pauses in ms per second of the run): ' + gcRows.map((g) =>
        `c=${g.c}: ${f1(g.gc.minor.perS)} scavenges/s (${f1(g.gc.minor.msPerS)} ms/s), ${f1(g.gc.major.perS)} mark-compacts/s (${f1(g.gc.major.msPerS)} ms/s), incremental ${f1(g.gc.incremental.msPerS)} ms/s, event-loop delay p99 ${f1(g.loopP99Ms)} ms`).join('; ') + '.')
    }
  }
  const h = results.held
  if (h !== undefined) {
    out.push('')
    out.push('### (b) Memory per held Ping')
    out.push('')
    out.push('RSS of the proxy processes (nginx: master + worker) after a short warm-up, then with N Pings held by the upstream; ' +
      'gateway heap = eas_gateway_nodejs_heap_size_used_bytes from its /metrics after a forced full GC. ' +
      `"${FLOOR_H2}": bench/node-floor.mjs with every request a node:http2 stream upstream (128 per session), no gateway code: what Node itself keeps per held Ping with one socket and one stream.`)
    out.push('')
    const rows = []
    for (const r of h) {
      for (const l of r.levels) {
        rows.push([r.setup, f0(l.n), f0(l.held), `${mib(r.base.rss)} → ${mib(l.rss)}`, f1(l.kibRssPerHeld), l.fdsPerHeld.toFixed(2),
          l.kibHeapPerHeld === null ? '–' : f1(l.kibHeapPerHeld), l.kibExternalPerHeld === null ? '–' : f1(l.kibExternalPerHeld),
          [l.clientErrors > 0 ? `${l.clientErrors} connections failed and were retried` : '', l.answered > 0 ? `${l.answered} answered early` : '',
            l.overflows > 0 ? `${l.overflows} listen-queue overflows during the ramp` : ''].filter(Boolean).join('; ')])
      }
    }
    out.push(table(['proxy', 'Pings', 'held at upstream', 'RSS MiB', 'KiB RSS / held', 'fds / held', 'KiB heap / held', 'KiB external / held', 'notes'], rows))
    const g8 = h.find((r) => r.setup === 'gateway')?.levels.find((l) => l.n === 8000)
    if (g8 !== undefined) {
      out.push('')
      const rr = []
      for (const other of ['HAProxy', 'nginx', FLOOR]) {
        const o8 = h.find((r) => r.setup === other)?.levels.find((l) => l.n === 8000)
        if (o8 !== undefined) rr.push([`vs ${other}`, ratio(g8.kibRssPerHeld, o8.kibRssPerHeld)])
      }
      const p8 = h.find((r) => r.setup === 'gateway, http2 pings')?.levels.find((l) => l.n === 8000)
      const f8 = h.find((r) => r.setup === FLOOR_H2)?.levels.find((l) => l.n === 8000)
      if (p8 !== undefined && f8 !== undefined) rr.push([`gateway, http2 pings vs ${FLOOR_H2}`, ratio(p8.kibRssPerHeld, f8.kibRssPerHeld)])
      out.push(table(['gateway at 8k held', 'KiB RSS / held'], rr))
    }
    const sw = h.filter((r) => r.syncWithHeld !== undefined)
    if (sw.length > 0) {
      out.push('')
      out.push(`Sync requests (c=8) while ${f0(HELD_COUNTS.at(-1))} Pings are held, against the same process with nothing held (measured the same way before the Pings were opened; table (a)'s c=8 row for reference):`)
      out.push('')
      out.push(table(['proxy', 'req/s', 'p50', 'p99', 'CPU µs/req', 'CPU µs/req, nothing held', 'growth', 'table (a), c=8', 'other load (held / none)'],
        sw.map((r) => {
          const idle = results.throughput?.find((x) => x.setup === r.setup && x.c === 8)
          const x = r.syncWithHeld
          const z = r.syncNothingHeld
          return [r.setup, f0(x.rps), ms(x.p50), ms(x.p99), f1(x.cpuUsPerReq), f1(z?.cpuUsPerReq), ratio(x.cpuUsPerReq, z?.cpuUsPerReq), f1(idle?.cpuUsPerReq), `${Math.round(100 * x.foreignCores)} / ${z === undefined ? '–' : Math.round(100 * z.foreignCores)} %`]
        })))
    }
    out.push('')
    out.push(`### (c) Held Pings released after the devices vanish (all ${f0(HELD_COUNTS.at(-1))} hold-client sockets destroyed at once)`)
    out.push('')
    out.push(table(['proxy', 'held before', `still held at upstream (wait ≤ ${RELEASE_WAIT_MS / 1000} s)`, 'all released after'],
      h.map((r) => [r.setup, f0(r.release.before), f0(r.release.left), r.release.zeroAfterMs === null ? 'not within the wait' : `${r.release.zeroAfterMs} ms`])))
  }
  // Targets of issue 5.
  const tg = []
  if (t !== undefined) {
    const get = (s, c) => t.find((r) => r.setup === s && r.c === c)
    for (const c of [64, 8]) {
      const g = get('gateway', c); const hp = get('HAProxy', c)
      const rr = g.cpuUsPerReq / hp.cpuUsPerReq
      tg.push([`proxy CPU/req within ${TARGETS.cpuVsHaproxy}x of HAProxy (c=${c})`, `${f1(g.cpuUsPerReq)} vs ${f1(hp.cpuUsPerReq)} µs = ${rr.toFixed(2)}x`, rr <= TARGETS.cpuVsHaproxy ? 'met' : 'NOT met'])
    }
    const g = get('gateway', 8); const d = get('direct', 8)
    const added = g.p99 - d.p99
    tg.push([`p99 added latency at c=8 < ${TARGETS.p99AddedMs} ms`, `${ms(g.p99)} − ${ms(d.p99)} direct = ${ms(added)}`, added < TARGETS.p99AddedMs * 1000 ? 'met' : 'NOT met'])
  }
  if (h !== undefined) {
    const g = h.find((r) => r.setup === 'gateway')
    const n = h.find((r) => r.setup === 'nginx')
    for (const l of g.levels) {
      const nl = n?.levels.find((x) => x.n === l.n)
      tg.push([`memory per held Ping ≤ ${TARGETS.kibPerHeld} KiB (nginx, planning) at ${f0(l.n)}`, `${f1(l.kibRssPerHeld)} KiB (nginx this run: ${f1(nl?.kibRssPerHeld)} KiB)`, l.kibRssPerHeld <= TARGETS.kibPerHeld ? 'met' : 'NOT met'])
    }
    tg.push(['held Pings released after devices vanish (gateway)', `${f0(g.release.left)} of ${f0(g.release.before)} still held`, g.release.left === 0 && g.release.before > 0 ? 'met' : 'NOT met'])
  }
  if (tg.length > 0) {
    out.push('')
    out.push('### Targets (issue 5)')
    out.push('')
    out.push(table(['target', 'measured', 'result'], tg))
  }
  const p = results.profile
  if (p !== undefined) {
    const perReq = (x) => f1(x.ms * 1000 / p.requests)
    out.push('')
    out.push(`### Gateway access log cost (A/B without the profiler, c=64, ${DURATION} s per run)`)
    out.push('')
    out.push(table(['log level', 'round', 'req/s', 'CPU µs/req', 'other load'], p.ab.map((x) => [x.level, x.round, f0(x.rps), f1(x.cpuUsPerReq), `${Math.round(100 * x.foreignCores)} %`])))
    out.push('')
    out.push(`### Gateway CPU profile (node --cpu-prof, main thread, wrk c=64 ${WARMUP}+${DURATION} s, ${f0(p.requests)} requests, ${f0(p.rps)} req/s under the profiler; busy ${f0(p.busyMs)} of ${f0(p.totalMs)} ms sampled)`)
    out.push('')
    out.push('µs/req = profile time ÷ requests served while profiling (the profiler itself slows the process down).')
    out.push('')
    out.push(table(['self time by module', 'ms', 'µs/req', '% of busy'], p.groups.map((x) => [x.frame, f0(x.ms), perReq(x), f1(x.pctBusy)])))
    out.push('')
    out.push(table(['top self frames', 'ms', 'µs/req', '% of busy'], p.topSelf.map((x) => [x.frame, f0(x.ms), perReq(x), f1(x.pctBusy)])))
    out.push('')
    out.push(table(['top inclusive frames', 'ms', 'µs/req', '% of busy'], p.topInclusive.map((x) => [x.frame, f0(x.ms), perReq(x), f1(x.pctBusy)])))
    out.push('')
    out.push(table(['inclusive: gateway code, pino, prom-client', 'ms', 'µs/req', '% of busy'], p.gatewayInclusive.map((x) => [x.frame, f0(x.ms), perReq(x), f1(x.pctBusy)])))
  }
  const hpf = results.heapProfile
  if (hpf !== undefined) {
    out.push('')
    out.push(`### Gateway heap per held Ping (V8 heap snapshots after full GC, baseline vs ${f0(hpf.held)} held): ${f0(hpf.perHeldBytes)} bytes of self size per held Ping`)
    out.push('')
    out.push(table(['object (constructor or V8 type)', 'objects / held Ping', 'bytes / held Ping'], hpf.top.map((x) => [x.key, f2(x.perHeldCount), f0(x.perHeldBytes)])))
  }
  out.push('')
  out.push(`Total bench runtime: ${((Date.now() - T0) / 1000).toFixed(0)} s.`)
  const w = results.workers
  if (w !== undefined) {
    const one = w.find((r) => r.setup === 'gateway, 1 worker')
    out.push('')
    out.push('### (d) Several cores: small POST at c=64, `serve --workers`')
    out.push('')
    out.push(`Each proxy may use CPUs ${MULTI_CPU} (taskset), which wrk and the upstream share on this ${m.cpus}-core machine; same upstream, same run.`)
    out.push('')
    out.push(table(['setup', 'processes', 'req/s', 'vs 1 worker', 'p50', 'p99', 'proxy CPU µs/req', 'errors', 'other load'],
      w.map((r) => [r.setup, r.processes, f0(r.rps), one === undefined ? '–' : `${(r.rps / one.rps).toFixed(2)}x`, ms(r.p50), ms(r.p99), f1(r.cpuUsPerReq), r.errors, `${Math.round(100 * r.foreignCores)} %`])))
  }
  return out.join('\n')
}

// ---------------------------------------------------------------- main
async function main () {
  const missing = ['wrk', 'haproxy', 'nginx'].filter((c) => !have(c))
  if (missing.length > 0) {
    process.stderr.write(`bench: missing ${missing.join(', ')}. Install them with:\n  apt-get install -y wrk haproxy nginx-light\n`)
    process.exit(2)
  }
  if (!existsSync(GATEWAY_BIN)) {
    process.stderr.write(`bench: ${GATEWAY_BIN} missing; run npm run build (npm run bench does)\n`)
    process.exit(2)
  }
  if (!HAS_TASKSET) process.stderr.write('bench: taskset (util-linux) not found, running unpinned: numbers are less comparable\n')
  TMP = mkdtempSync(join(tmpdir(), 'eas-bench-'))
  chmodSync(TMP, 0o755) // nginx workers may run as nobody
  const results = {
    meta: {
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      haproxy: version('haproxy', ['-v'], /version (\S+)/),
      nginx: version('nginx', ['-v'], /nginx\/(\S+)/),
      wrk: version('wrk', ['-v'], /wrk (?:debian\/)?(\S+)/),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? '?',
      kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()
    }
  }
  const upPort = await freePort()
  const h2Port = await freePort()
  // The same upstream process also speaks h2c on h2Port, for the gateway with upstreams[].http2.
  const up = start('upstream', LOAD_CPU, process.execPath, [join(HERE, 'upstream.mjs'), String(upPort), String(h2Port)], { stdout: join(TMP, 'upstream.log'), stderr: join(TMP, 'upstream.log') })
  await waitPort(upPort, up, 'upstream')
  const upstream = { port: upPort, h2Port, pid: up.pid }
  log(`upstream on ${upPort} (pid ${up.pid}); temp dir ${TMP}`)
  try {
    if (opt.profile) {
      await profile(upstream, results)
    } else if (opt['only-workers']) {
      await workersRow(upstream, results)
    } else {
      if (!opt['only-mem']) await throughput(upstream, results)
      if (!opt['skip-mem']) await heldPings(upstream, results)
      if (!opt['skip-workers'] && !opt['only-mem']) await workersRow(upstream, results)
    }
  } finally {
    await stop(up)
  }
  const text = report(results)
  process.stdout.write(text + '\n')
  if (opt.json !== undefined) writeFileSync(opt.json, JSON.stringify(results, null, 2))
  await cleanup()
}

main().catch(async (err) => {
  if (cleaning) return // interrupted: the signal handler is already stopping everything
  process.stderr.write(`bench: ${err.stack ?? err}\n`)
  await cleanup()
  process.exit(1)
})
