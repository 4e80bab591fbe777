import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { BIN, ensureBuilt } from '../helpers/spawn-gateway.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import { startUpstream } from '../helpers/loopback-upstream.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

t.test('smoke: node dist/bin/gateway.js serve -c FILE', async (t) => {
  const skip = await ensureBuilt()
  if (skip !== undefined) { t.comment(`skipped: ${skip}`); t.pass('skipped: the build failed', { skip }); return }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    t.test(`listens, proxies, drains and exits 0 on ${signal}`, async (t) => { await smoke(t, signal) })
  }
  t.test('a port already in use: exit 1 with a message, and the process does not linger', async (t) => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    t.teardown(() => { busy.close() })
    const busyPort = (busy.address() as AddressInfo).port
    for (const [what, listen, admin] of [['device', busyPort, 0], ['admin', 0, busyPort]] as const) {
      const dir = t.testdir({
        'gw.yaml': `listen: { host: 127.0.0.1, port: ${listen} }
upstreams:
  - { name: up1, url: "http://127.0.0.1:9/" }
server: { minHeartbeat: 1s, maxHeartbeat: 2s }
timeouts: { easRequestTimeout: 4s, executionTimeout: 5s, heartbeatMargin: 1s, drainGrace: 1s }
admin: { listen: { host: 127.0.0.1, port: ${admin} } }
`
      })
      const child = spawn(process.execPath, [BIN, 'serve', '-c', 'gw.yaml', '--workers', '1'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
      const timer = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
      const exit = await new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => { resolve({ code, signal }) }))
      clearTimeout(timer)
      t.same(exit, { code: 1, signal: null }, `${what} port busy: exits 1 by itself (not killed after 10 s)`)
      t.match(stderr, /cannot listen: .*EADDRINUSE/)
    }
  })
})

/** The test object tap hands a subtest (taken from t.test's callback-only overload). */
type Tap = Parameters<Parameters<typeof t.test>[0]>[0]

async function smoke (t: Tap, signal: NodeJS.Signals): Promise<void> {
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const dir = t.testdir({
    'gw.yaml': `listen: { host: 127.0.0.1, port: 0 }
upstreams:
  - { name: up1, url: "${up.url}" }
server: { minHeartbeat: 1s, maxHeartbeat: 2s }
timeouts: { easRequestTimeout: 4s, executionTimeout: 5s, heartbeatMargin: 1s, drainGrace: 1s }
admin: { listen: { host: 127.0.0.1, port: 0 } }
`
  })
  const child = spawn(process.execPath, [BIN, 'serve', '-c', 'gw.yaml', '--workers', '1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => { resolve({ code, signal }) }))
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  const lines: Record<string, unknown>[] = []
  let onLine: (() => void) | undefined
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
    const parts = stdout.split('\n')
    stdout = parts.pop() ?? ''
    for (const p of parts) if (p.trim() !== '') lines.push(JSON.parse(p) as Record<string, unknown>)
    onLine?.()
  })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })

  const waitLine = async (pred: (l: Record<string, unknown>) => boolean, what: string, ms = 10_000): Promise<Record<string, unknown>> => {
    const deadline = performance.now() + ms
    for (;;) {
      const hit = lines.find(pred)
      if (hit !== undefined) return hit
      if (child.exitCode !== null || performance.now() > deadline) throw new Error(`no ${what} line (exit ${child.exitCode}); stderr: ${stderr}; stdout lines: ${JSON.stringify(lines)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - performance.now())
        onLine = () => { clearTimeout(timer); onLine = undefined; resolve() }
        child.once('exit', () => { clearTimeout(timer); resolve() })
      })
    }
  }

  const listening = await waitLine((l) => l.msg === 'listening', 'JSON "listening"')
  t.match(listening, { level: 'info', port: Number, adminPort: Number, upstreams: ['up1'] })
  const dev = await DeviceConnection.open(listening.port as number)
  t.teardown(() => { dev.destroy() })
  const res = await dev.request(easRequest('Sync', { body: 'smoke' }))
  t.equal(res.status, 200)
  t.equal(res.body.toString(), 'smoke')
  dev.destroy()

  child.kill(signal)
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
  const exit = await exited
  clearTimeout(timer)
  t.equal(exit.signal, null, 'not killed by a signal')
  t.equal(exit.code, 0, `exit code 0 after ${signal}`)
  t.ok(lines.some((l) => l.msg === 'request' && l['eas.outcome'] === 'completed' && l['eas.command'] === 'Sync'), 'the access line was written')
  t.ok(lines.some((l) => l.msg === 'drained'), 'drained before exiting')
  t.notMatch(stderr, /^\s+at /m, 'no stack trace on stderr')
}

/** Runs the built bin with stdin; resolves with its exit code and output (killed after 20 s). */
async function runBin (args: string[], stdin: string, cwd: string): Promise<{ code: number | null, out: string, err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  child.stdin.end(stdin)
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 20_000)
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => { resolve(c) }))
  clearTimeout(timer)
  return { code, out, err }
}

// #15: the bin wires stdin (gateway lint -) and prints its version.
t.test('smoke: gateway --version, and gateway lint - reads the topology from stdin', async (t) => {
  const skip = await ensureBuilt()
  if (skip !== undefined) { t.pass('skipped: the build failed', { skip }); return }
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
  t.same(await runBin(['--version'], '', ROOT), { code: 0, out: `${version}\n`, err: '' })
  const bad = await runBin(['lint', '-', '--stdin-filename', 'piped.yaml', '--format', 'github'], 'server: { kind: exchange }\nhops:\n  - name: ng\n    kind: nginx\n', ROOT)
  t.equal(bad.code, 1)
  t.match(bad.out, /^::error file=piped\.yaml,line=3,col=5,title=GW0103 hop-timeout-not-above-heartbeat::/m)
})
