// Paired A/B of two built checkouts of the gateway (each with `npm run build` done):
//   node bench/ab.mjs DIR_A DIR_B [rounds=3] [seconds=10] [c=8,64]
// A variant is a checkout directory, `DIR@LEVEL` (that checkout with log.level LEVEL, e.g.
// `.@silent` against `.@info`: the access log's cost), `floor` (bench/node-floor.mjs) or
// `floor+features[@LEVEL]` (the floor with the gateway's request context, metrics and access
// line; at `silent` without the line).
// The small POST of `npm run bench` (a) against each gateway in turn (A,B then B,A, alternating
// per round), gateway pinned to CPU0, bench/upstream.mjs and wrk to CPU1. Per run: the gateway's
// CPU per request (/proc utime+stime), p50/p99 (wrk --latency), its scavenges and GC time (its
// /metrics); then the medians per variant. On a shared machine only pairs say anything.
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
const [A, B, roundsS = '3', secS = '10', cS = '8,64'] = process.argv.slice(2)
const ROUNDS = Number(roundsS); const SEC = Number(secS); const CS = cS.split(',').map(Number)
const HERE = dirname(fileURLToPath(import.meta.url))
const LUA = join(HERE, 'post.lua')
const UP = join(HERE, 'upstream.mjs')
const Q = '/Microsoft-Server-ActiveSync?Cmd=Sync&User=bench&DeviceId=BENCH0001&DeviceType=iPhone'
if (A === undefined || B === undefined) { process.stderr.write('usage: node bench/ab.mjs DIR_A DIR_B [rounds] [seconds] [c,...]\n'); process.exit(2) }
const TMP = mkdtempSync(join(tmpdir(), 'eas-ab-'))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const kids = new Set()
process.on('exit', () => { for (const c of kids) try { process.kill(c.pid, 'SIGKILL') } catch {} rmSync(TMP, { recursive: true, force: true }) })
process.on('SIGINT', () => process.exit(130))
async function freePort () { return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) }) }) }
async function waitPort (port) { for (let i = 0; i < 300; i++) { const ok = await new Promise((resolve) => { const s = connect(port, '127.0.0.1'); s.once('connect', () => { s.destroy(); resolve(true) }); s.once('error', () => resolve(false)) }); if (ok) return; await sleep(50) } throw new Error('port ' + port) }
function run (cpu, cmd, args, out, env) {
  const fd = out ? openSync(out, 'a') : 'ignore'
  const c = spawn('taskset', ['-c', cpu, cmd, ...args], { stdio: ['ignore', fd, fd], ...(env !== undefined ? { env: { ...process.env, ...env } } : {}) })
  if (typeof fd === 'number') closeSync(fd)
  kids.add(c); c.on('exit', () => kids.delete(c)); return c
}
function ticks (pid) { const st = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = st.slice(st.lastIndexOf(')') + 2).split(' '); return Number(f[11]) + Number(f[12]) }
async function gc (admin) {
  const t = await (await fetch(`http://127.0.0.1:${admin}/metrics`)).text()
  const v = (w, k) => Number(new RegExp(`^eas_gateway_nodejs_gc_duration_seconds_${w}\\{kind="${k}"\\} ([0-9.e+-]+)$`, 'm').exec(t)?.[1] ?? 0)
  return { minorN: v('count', 'minor'), minorS: v('sum', 'minor'), majorS: v('sum', 'major') + v('sum', 'incremental') }
}
async function wrk (url, c, s) {
  const p = spawn('taskset', ['-c', '1', 'wrk', '-t1', `-c${c}`, `-d${s}s`, '--latency', '-s', LUA, url]); let out = ''
  p.stdout.on('data', (d) => { out += d }); p.stderr.on('data', (d) => { out += d })
  await new Promise((resolve) => p.on('exit', resolve))
  const m = /WRKJSON (\{.*\})/.exec(out); if (!m) throw new Error(out); return JSON.parse(m[1])
}
const upPort = await freePort()
const up = run('1', process.execPath, [UP, String(upPort)]); await waitPort(upPort)
const res = []
for (let r = 1; r <= ROUNDS; r++) {
  for (const [name, dir] of (r % 2 ? [['A', A], ['B', B]] : [['B', B], ['A', A]])) {
    const port = await freePort(); const admin = await freePort()
    const cfg = join(TMP, `gw-${name}.yaml`)
    writeFileSync(cfg, `listen: { host: 127.0.0.1, port: ${port} }\nupstreams:\n  - { name: bench, url: "http://127.0.0.1:${upPort}/" }\nserver: { minHeartbeat: 60s, maxHeartbeat: 3540s }\ntimeouts: { easRequestTimeout: 61m, executionTimeout: 62m, drainGrace: 2s }\nadmin: { listen: { host: 127.0.0.1, port: ${admin} } }\nlog: { level: ${process.env.LOGLEVEL ?? 'info'} }\nlimits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: 0 } }\n`)
    const log = join(TMP, `access-${name}.log`); rmSync(log, { force: true })
    const [home, level = process.env.LOGLEVEL ?? 'info'] = dir.split('@')
    const floor = home === 'floor' || home === 'floor+features'
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/level: \S+ \}/, `level: ${level} }`))
    const g = floor ? run('0', process.execPath, [join(HERE, 'node-floor.mjs'), String(port), String(upPort)], log, { FLOOR_WITH: home === 'floor' ? '' : 'features', FLOOR_LOG_LEVEL: level }) : run('0', process.execPath, [join(home, 'dist/bin/gateway.js'), 'serve', '-c', cfg, '--workers', '1'], log)
    if (!floor) await waitPort(admin)
    await waitPort(port)
    const url = `http://127.0.0.1:${port}${Q}`
    for (const c of CS) {
      await wrk(url, c, 2)
      const gcs = async () => floor ? { minorN: 0, minorS: 0, majorS: 0 } : gc(admin)
      const t0 = ticks(g.pid); const g0 = await gcs(); const w0 = performance.now()
      const w = await wrk(url, c, SEC)
      const wall = (performance.now() - w0) / 1000
      const t1 = ticks(g.pid); const g1 = await gcs()
      const row = { round: r, v: name, c, rps: Math.round(w.requests / (w.durationUs / 1e6)), usPerReq: +((t1 - t0) * 1e4 / w.requests).toFixed(1), p50ms: w.p50 / 1000, p99ms: w.p99 / 1000, scavPerS: +((g1.minorN - g0.minorN) / wall).toFixed(1), scavPer10k: +(1e4 * (g1.minorN - g0.minorN) / w.requests).toFixed(2), scavMsPerS: +(1000 * (g1.minorS - g0.minorS) / wall).toFixed(1), majorMsPerS: +(1000 * (g1.majorS - g0.majorS) / wall).toFixed(1), gcUsPerReq: +(1e6 * (g1.minorS - g0.minorS + g1.majorS - g0.majorS) / w.requests).toFixed(1), errs: w.errConnect + w.errRead + w.errWrite + w.errStatus + w.errTimeout }
      res.push(row); console.error(JSON.stringify(row))
    }
    g.kill('SIGTERM'); await new Promise((resolve) => g.on('exit', resolve))
  }
}
up.kill('SIGTERM')
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)] }
for (const c of CS) {
  for (const v of ['A', 'B']) {
    const rows = res.filter((x) => x.c === c && x.v === v)
    console.log(`c=${c} ${v}: usPerReq ${rows.map((x) => x.usPerReq).join('/')} (median ${med(rows.map((x) => x.usPerReq))})  p99ms ${rows.map((x) => x.p99ms).join('/')} (median ${med(rows.map((x) => x.p99ms))})  rps med ${med(rows.map((x) => x.rps))}  scav ms/s med ${med(rows.map((x) => x.scavMsPerS))}  gc us/req med ${med(rows.map((x) => x.gcUsPerReq))}  scav/10k req ${rows.map((x) => x.scavPer10k).join('/')}`)
  }
}
