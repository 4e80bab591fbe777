import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request } from 'undici'
import { startUpstream } from '../../helpers/loopback-upstream.js'

// Edge item 2 (issue #9): running out of file descriptors is logged and counted as EMFILE, never
// a crash or an upstream_reset; start-up warns when the limit is below what the config needs.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const BIN = join(ROOT, 'dist/bin/gateway.js')
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p))

if (!existsSync(BIN) || PRLIMIT === undefined) {
  t.pass('skipped', { skip: PRLIMIT === undefined ? 'prlimit (util-linux) is not installed' : 'dist/ is not built: run npm run build' })
} else {
  t.test('with 4096 descriptors: a warning at start-up (the defaults need 30100); out of descriptors, a request gets 503 + Retry-After counted as EMFILE (never upstream_reset); the gateway keeps serving and exits cleanly', async (t) => {
    const up = await startUpstream({ kind: 'echo' })
    t.teardown(up.close)
    const dir = t.testdir({
      'gw.yaml': `listen: { host: 127.0.0.1, port: 0 }
upstreams: [{ name: up1, url: "${up.url}" }]
server: { minHeartbeat: 1s, maxHeartbeat: 2s }
timeouts: { easRequestTimeout: 4s, executionTimeout: 5s, heartbeatMargin: 1s, drainGrace: 1s }
admin: { listen: { host: 127.0.0.1, port: 0 } }
pool: { healthCheck: { interval: 10m } }
`
    })
    const p = spawn(PRLIMIT, ['--nofile=4096:4096', process.execPath, BIN, 'serve', '-c', join(dir, 'gw.yaml'), '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] })
    t.teardown(() => { p.kill('SIGKILL') })
    let out = ''
    let err = ''
    p.stderr.on('data', (c: Buffer) => { err += c.toString() })
    const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => { resolve(code) }))
    const listening = await new Promise<{ port: number, adminPort: number }>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no listening line: ${out} ${err}`)) }, 20_000)
      p.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        const line = out.split('\n').find((l) => l.includes('"listening"'))
        if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line) as { port: number, adminPort: number }) }
      })
    })
    t.match(err, /warning: the open-files limit is 4096, below the 30100 descriptors/, 'start-up warns')

    // Lower the soft limit of the running gateway to what it uses now plus one: the device
    // connection takes the last descriptor, and its request's upstream connect finds none left.
    const used = readdirSync(`/proc/${p.pid ?? 0}/fd`).length
    execFileSync(PRLIMIT, ['--pid', String(p.pid), `--nofile=${used + 1}:4096`])
    const dev = connect(listening.port, '127.0.0.1')
    let answer = ''
    dev.on('data', (c: Buffer) => { answer += c.toString('latin1') })
    dev.on('error', () => {})
    dev.write('POST /Microsoft-Server-ActiveSync?Cmd=Sync&User=u&DeviceId=D1&DeviceType=t HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi')
    await new Promise<void>((resolve) => { dev.once('close', () => { resolve() }) })
    t.match(answer, /^HTTP\/1\.1 503 /, 'the device gets 503 with Retry-After, not a reset')
    t.match(answer, /\r\nretry-after: \d+\r\n/i)
    execFileSync(PRLIMIT, ['--pid', String(p.pid), '--nofile=4096:4096'])
    const access = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error('no access line')) }, 10_000)
      const look = (): void => {
        const line = out.split('\n').find((l) => l.includes('"msg":"request"'))
        if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line) as Record<string, unknown>) }
      }
      look()
      p.stdout.on('data', look)
    })
    t.match(access, { 'eas.outcome': 'upstream_unreachable', 'eas.reason': 'fd_exhausted', 'error.code': 'GW_ERR_PROXY_FD_EXHAUSTED', 'error.type': /^E[MN]FILE$/ })
    let metrics = ''
    for (let i = 0; i < 50 && metrics === ''; i++) {
      try {
        const res = await request(`http://127.0.0.1:${listening.adminPort}/metrics`)
        metrics = await res.body.text()
      } catch { await new Promise((resolve) => setTimeout(resolve, 100)) }
    }
    t.match(metrics, /eas_gateway_fd_exhausted_total\{side="upstream"\} 1/, 'counted as EMFILE')
    // Every series exists at 0 from start-up (presetCounters): none may have counted.
    t.notMatch(metrics, /outcome="upstream_reset"\} [1-9]/, 'never an upstream_reset')
    t.notMatch(metrics, /eas_gateway_upstream_(ejections|panic)_total\{[^}]*\} [1-9]/, 'the upstream is not blamed')
    t.match(metrics, /eas_gateway_upstream_ejections_total\{[^}]*\} 0/, 'the ejection series is there, at 0')
    const res = await request(`http://127.0.0.1:${listening.port}/Microsoft-Server-ActiveSync?Cmd=Sync&User=u&DeviceId=D1&DeviceType=t`, { method: 'POST', body: 'after' })
    t.equal(res.statusCode, 200, 'descriptors free again: served')
    t.equal(await res.body.text(), 'after')
    p.kill('SIGTERM')
    t.equal(await exited, 0, 'drains and exits 0')
  })
}
