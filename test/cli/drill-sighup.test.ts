// Fault drill, issue 9 item 9: SIGHUP does not kill the gateway. The real built gateway gets a real
// SIGHUP: a new certificate for new connections while a held Ping on an old one completes, a new
// log level, and an invalid config refused with positioned findings while the gateway keeps serving.
import { X509Certificate } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import t from 'tap'
import { DeviceConnection } from '../helpers/device-connection.js'
import { easRequest } from '../helpers/eas-device.js'
import type { LogLine } from '../helpers/log-sink.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { pingBody, pingRequest } from '../helpers/ping-device.js'
import { ensureBuilt, spawnGateway } from '../helpers/spawn-gateway.js'
import { createTlsMaterial } from '../helpers/tls-material.js'

const config = (upstreamUrl: string, level: string, drainGrace = '1s'): string => `listen: { host: 127.0.0.1, port: 0, tls: { cert: server.crt, key: server.key } }
upstreams:
  - { name: up1, url: "${upstreamUrl}" }
server: { minHeartbeat: 2s, maxHeartbeat: 8s }
timeouts: { easRequestTimeout: 10s, executionTimeout: 11s, heartbeatMargin: 1s, drainGrace: ${drainGrace} }
admin: { listen: { host: 127.0.0.1, port: 0 } }
pool: { healthCheck: { interval: 10m } }
limits: { requestsPerSecond: 0, perDevice: { requestsPerSecond: 0 } }
log: { level: ${level} }
`

const fingerprint = (dev: DeviceConnection): string => (dev.socket as TLSSocket).getPeerCertificate().fingerprint256

t.test('drill: SIGHUP reloads the certificate and the log level, refuses a bad config, kills nothing', async (t) => {
  const skip = await ensureBuilt()
  if (skip !== undefined) { t.comment(`skipped: ${skip}`); t.pass('skipped: the build failed', { skip }); return }
  const a = createTlsMaterial()
  const b = createTlsMaterial()
  if (typeof a === 'string' || typeof b === 'string') { t.comment(`skipped: ${String(a)}`); t.pass('skipped: no openssl', { skip: 'openssl' }); return }
  const ca = a.caCert + b.caCert // the device trusts both, and tells which one it was shown
  const up = await startUpstream((req) => /Cmd=Ping/.test(req.url ?? '') ? { kind: 'hold', ms: 8000, body: 'held' } : { kind: 'echo' })
  t.teardown(up.close)
  const dir = t.testdir({ 'gw.yaml': config(up.url, 'info'), 'server.crt': a.cert, 'server.key': a.key })
  const gw = spawnGateway(t, { cwd: dir, stdout: 'pipe' })
  const listening = await gw.waitLine((l) => l.msg === 'listening', 'listening')
  const port = listening.port as number
  const open = async (): Promise<DeviceConnection> => {
    const dev = await DeviceConnection.open(port, { tls: { ca, servername: a.servername } })
    t.teardown(() => { dev.destroy() })
    return dev
  }
  const reloaded = (): LogLine[] => gw.lines.filter((l) => l.msg === 'reloaded')

  // regression: #9 (SIGHUP: exit 129 at once, held Pings reset)
  await t.test('(a) a new certificate for new connections; a Ping held on an old one completes', async (t) => {
    const old = await open()
    t.equal(fingerprint(old), new X509Certificate(a.cert).fingerprint256, 'certificate A before the reload')
    old.write(DeviceConnection.format(pingRequest({}, { body: pingBody(4) }), port))
    const held = await up.waitForRequest(1)
    writeFileSync(join(dir, 'server.crt'), b.cert)
    writeFileSync(join(dir, 'server.key'), b.key)
    gw.child.kill('SIGHUP')
    t.match(await gw.waitLine((l) => l.msg === 'reloaded', 'reloaded'), { tls: 'reloaded', logLevel: 'info', restartNeeded: [] })
    const fresh = await open()
    t.equal(fingerprint(fresh), new X509Certificate(b.cert).fingerprint256, 'certificate B on a new connection')
    t.equal((await fresh.request(easRequest('', { method: 'OPTIONS' }))).status, 200, 'served over it')
    t.equal(held.closedAt, undefined, 'the held Ping is still held upstream after the reload')
    const res = await old.readResponse(15_000)
    t.same({ status: res.status, body: res.body.toString() }, { status: 200, body: 'held' }, 'the held Ping completed with the mail server\'s answer')
    t.equal(held.aborted, false, 'never cancelled upstream')
    t.equal(gw.child.exitCode, null, 'the gateway is running')
  })

  await t.test('(b) a new log level takes effect', async (t) => {
    const dev = await open()
    t.equal((await dev.request({ method: 'GET', path: '/nope' })).status, 404)
    writeFileSync(join(dir, 'gw.yaml'), config(up.url, 'debug'))
    const n = reloaded().length
    gw.child.kill('SIGHUP')
    t.match(await gw.waitLine((l) => reloaded().indexOf(l) === n, 'second reloaded'), { tls: 'unchanged', logLevel: 'info -> debug' })
    t.equal((await dev.request({ method: 'GET', path: '/nope' })).status, 404)
    t.match(await gw.waitLine((l) => l.msg === 'refused' && l.level === 'debug', 'debug line'), { level: 'debug' })
    t.equal(gw.lines.filter((l) => l.msg === 'refused' && l.level === 'debug').length, 1, 'only the 404 after the reload logged it')
  })

  await t.test('(c) an invalid config: refused with file:line:col, the gateway keeps serving on the old one', async (t) => {
    const bad = config(up.url, 'warn', '1 fortnight')
    const lines = bad.split('\n')
    const row = lines.findIndex((l) => l.includes('1 fortnight'))
    const pos = `${row + 1}:${(lines[row] ?? '').indexOf('1 fortnight') + 1}`
    writeFileSync(join(dir, 'gw.yaml'), bad)
    gw.child.kill('SIGHUP')
    await gw.waitStderr(new RegExp(`^gw\\.yaml:${pos} error GW0005 invalid-duration`, 'm'))
    await gw.waitStderr(/GW_ERR_CONFIG_INVALID: gw\.yaml: reload refused, keeping the running configuration/)
    t.pass(`gw.yaml:${pos} error GW0005 on stderr`)
    t.match(await gw.waitLine((l) => l.msg === 'reload refused: keeping the running configuration', 'reload refused'),
      { level: 'error', code: 'GW_ERR_CONFIG_INVALID', findings: [new RegExp(`^gw\\.yaml:${pos} error GW0005`)] })
    const dev = await open()
    t.equal((await dev.request(easRequest('', { method: 'OPTIONS' }))).status, 200, 'still serving')
    t.equal(fingerprint(dev), new X509Certificate(b.cert).fingerprint256, 'with the certificate of the last good reload')
  })

  const exit = await gw.stop('SIGTERM', 15_000)
  t.same({ code: exit.code, signal: exit.signal, killed: exit.killed }, { code: 0, signal: null, killed: false }, 'SIGTERM still drains and exits 0')
})
