#!/usr/bin/env node
// What one held Ping keeps alive, load-independently: heap snapshots (after two forced GCs) of the
// built gateway (or of the Node floor, bench/node-floor.mjs, or of the bench upstream itself
// holding the Pings: `origin`, what a bare node:http server keeps per held request) with 0 and N
// held Pings, diffed by node type and constructor / closure name, divided by N. Plus RSS (after
// the GCs, before the snapshot).
// Same setup as `npm run bench` (bench/upstream.mjs, bench/hold-client.mjs, serve --workers 1).
// Usage: node bench/held-heap.mjs [--system gateway|floor|origin] [--http2 all|pings] [--held 2000] [--from N] [--rss-only] [--top 40] [--json FILE] [--keep DIR (the snapshots)]
// Needs `npm run build` first. Every process it starts is stopped by PID; its temp dir is removed.
import { fork, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { heapBySize } from './heap-by-size.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '..')
const { values: opt } = parseArgs({
  options: {
    system: { type: 'string', default: 'gateway' },
    // gateway only: upstreams[].http2 (all: every request a stream; pings: http2For: pings).
    http2: { type: 'string' },
    held: { type: 'string', default: '2000' },
    // Also a snapshot at this many held first: the marginal cost per held Ping from there to
    // --held, with the young generation already grown by the first ramp (see the note below).
    from: { type: 'string' },
    // No heap snapshots: RSS and the V8 heap spaces only. Writing a snapshot leaves native memory
    // in RSS (the next reading counts it), so RSS per held Ping is only trustworthy this way.
    'rss-only': { type: 'boolean', default: false },
    top: { type: 'string', default: '40' },
    json: { type: 'string' },
    keep: { type: 'string' }
  }
})
const N = Number(opt.held)
const TMP = mkdtempSync(join(tmpdir(), 'held-heap-'))
const procs = []
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const log = (s) => process.stderr.write(`held-heap: ${s}\n`)

function cleanup () {
  for (const p of procs) { try { process.kill(p.pid, 'SIGKILL') } catch {} }
  rmSync(TMP, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

async function freePort () {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

function get (port, path, method = 'GET', headers = {}, body) {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }))
    })
    r.on('error', reject)
    r.setTimeout(10_000, () => r.destroy(new Error('timeout')))
    r.end(body)
  })
}

async function waitFor (fn, ms, what) {
  const deadline = Date.now() + ms
  for (;;) {
    try { if (await fn()) return } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

function startProc (args, env) {
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } })
  procs.push(p)
  return p
}

const preload = ['--expose-gc', '--import', pathToFileURL(join(HERE, 'gc-on-signal.mjs')).href]
const env = { BENCH_HEAPSNAPSHOT_DIR: TMP, ...(opt['rss-only'] ? { BENCH_NO_SNAPSHOT: '1' } : {}) }
if (opt.http2 !== undefined && (opt.system !== 'gateway' || !['all', 'pings'].includes(opt.http2))) throw new Error('--http2 all|pings, with --system gateway only')
const upPort = await freePort()
const h2Port = await freePort()
const upstream = startProc([...(opt.system === 'origin' ? preload : []), join(HERE, 'upstream.mjs'), String(upPort), String(h2Port)], env)
await waitFor(async () => (await get(upPort, '/__stats')).status === 200, 10_000, 'upstream')

const port = opt.system === 'origin' ? upPort : await freePort()
let sys
if (opt.system === 'origin') {
  sys = upstream
} else if (opt.system === 'floor') {
  sys = startProc([...preload, join(HERE, 'node-floor.mjs'), String(port), String(upPort)], env)
} else {
  const cfg = join(TMP, 'gateway.yaml')
  const adminPort = await freePort()
  writeFileSync(cfg, `listen: { host: 127.0.0.1, port: ${port} }
upstreams:
  - { name: bench, url: "http://127.0.0.1:${opt.http2 === undefined ? upPort : h2Port}/"${opt.http2 === undefined ? '' : `, http2: true, http2For: ${opt.http2}`} }
server: { minHeartbeat: 60s, maxHeartbeat: 3540s }
timeouts: { easRequestTimeout: 61m, executionTimeout: 62m, drainGrace: 2s }
admin: { listen: { host: 127.0.0.1, port: ${adminPort} } }
log: { level: info }
limits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: 0 } }
`)
  sys = startProc([...preload, join(ROOT, 'dist', 'bin', 'gateway.js'), 'serve', '-c', cfg, '--workers', '1'], env)
}
const SYNC = '/Microsoft-Server-ActiveSync?Cmd=Sync&User=bench&DeviceId=BENCH0001&DeviceType=iPhone'
const syncHeaders = { authorization: 'Basic ' + Buffer.from('bench:bench').toString('base64'), 'ms-asprotocolversion': '14.1', 'content-type': 'application/vnd.ms-sync.wbxml' }
await waitFor(async () => (await get(port, SYNC, 'POST', syncHeaders, Buffer.alloc(200, 1))).status === 200, 15_000, opt.system)
// Warm-up: code compiled, lazy singletons built, pools exist (as the bench's wrk warm-up does).
for (let i = 0; i < 50; i++) await Promise.all(Array.from({ length: 8 }, () => get(port, SYNC, 'POST', syncHeaders, Buffer.alloc(200, 1))))
await sleep(500)

let snapN = 0
async function snapshot () {
  const i = ++snapN
  process.kill(sys.pid, 'SIGUSR2')
  const file = join(TMP, `snap-${i}.heapsnapshot`)
  await waitFor(() => existsSync(`${file}.done`), 120_000, 'heap snapshot')
  const { rss: rssBytes, spaces } = JSON.parse(readFileSync(`${file}.done`, 'utf8'))
  const rss = rssBytes / 1024
  if (opt['rss-only']) return { by: new Map(), total: Object.values(spaces).reduce((a, s) => a + s.used, 0), rss, spaces }
  const text = readFileSync(file, 'utf8')
  if (opt.keep !== undefined) writeFileSync(join(opt.keep, `${opt.system}-${i}.heapsnapshot`), text)
  const r = heapBySize(JSON.parse(text))
  rmSync(file)
  return { ...r, rss, spaces }
}

// A first snapshot (discarded): the snapshotter's own first-time allocations are not counted.
await snapshot()
log('baseline snapshot')
const base = await snapshot()
const holder = fork(join(HERE, 'hold-client.mjs'), [String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
procs.push(holder)
const opened = opt.from !== undefined ? undefined : await new Promise((resolve) => { holder.once('message', resolve); holder.send({ cmd: 'open', n: N }) })
let held = 0
async function holdAndSnap (n, first) {
  const o = first ?? await new Promise((resolve) => { holder.once('message', resolve); holder.send({ cmd: 'open', n }) })
  await waitFor(async () => { held = JSON.parse((await get(upPort, '/__stats')).body).held; return held >= n }, 30_000, `${n} held at the upstream`)
  await sleep(1000)
  log(`snapshot with ${held} held (opened ${o.opened}, errors ${o.errors})`)
  return { held, snap: await snapshot() }
}
let mid
if (opt.from !== undefined) {
  const n1 = Number(opt.from)
  const o = await new Promise((resolve) => { holder.once('message', resolve); holder.send({ cmd: 'open', n: n1 }) })
  mid = await holdAndSnap(n1, o)
}
const withHeld = (await holdAndSnap(N, mid === undefined ? opened : undefined)).snap

const keys = new Set([...base.by.keys(), ...withHeld.by.keys()])
const rows = []
for (const k of keys) {
  const a = base.by.get(k) ?? { count: 0, size: 0 }
  const b = withHeld.by.get(k) ?? { count: 0, size: 0 }
  rows.push({ key: k, count: (b.count - a.count) / held, bytes: (b.size - a.size) / held })
}
rows.sort((x, y) => y.bytes - x.bytes)
const heapPer = (withHeld.total - base.total) / held
const rssPer = (withHeld.rss - base.rss) * 1024 / held
const out = [`${opt.system}: ${held} held Pings; heap (${opt['rss-only'] ? 'V8 heap spaces used' : 'snapshot self sizes'}) ${(heapPer / 1024).toFixed(2)} KiB per held Ping, RSS ${(rssPer / 1024).toFixed(2)} KiB per held Ping`,
  '| node type / constructor | objects per Ping | bytes per Ping |', '|---|---:|---:|']
for (const r of rows.slice(0, Number(opt.top))) if (Math.abs(r.bytes) >= 1) out.push(`| ${r.key.replace(/\|/g, '\\|')} | ${r.count.toFixed(2)} | ${r.bytes.toFixed(0)} |`)
// RSS beyond the live objects: V8 heap spaces committed but not used (young generation grown by
// the ramp's garbage, partly filled old-space pages) show here, per held Ping.
const spaceRows = Object.keys(withHeld.spaces).map((k) => {
  const a = base.spaces[k] ?? { size: 0, used: 0 }
  const b = withHeld.spaces[k]
  return `${k} committed ${((b.size - a.size) / held / 1024).toFixed(2)} used ${((b.used - a.used) / held / 1024).toFixed(2)}`
})
out.push('', `V8 heap spaces, KiB per held Ping: ${spaceRows.join('; ')}`)
if (mid !== undefined) {
  // The young generation grows during the first ramp (to 2 x --max-semi-space-size at most) and
  // stays grown: a fixed amount per process, not per held Ping; from `mid` on it is in both.
  const d = held - mid.held
  const per = (a, b) => ((a - b) / d / 1024).toFixed(2)
  const young = (s) => s.spaces.new_space?.size ?? 0
  out.push(`Marginal, ${mid.held} -> ${held} held: heap ${per(withHeld.total, mid.snap.total)} KiB, RSS ${per(withHeld.rss * 1024, mid.snap.rss * 1024)} KiB per held Ping (new_space committed ${per(young(withHeld), young(mid.snap))}; from the baseline to ${mid.held}: ${((young(mid.snap) - young(base)) / 1048576).toFixed(1)} MiB)`)
}
process.stdout.write(out.join('\n') + '\n')
if (opt.json !== undefined) writeFileSync(opt.json, JSON.stringify({ system: opt.system, held, heapPer, rssPer, rows }, null, 1))
holder.send({ cmd: 'exit' })
process.exit(0)
