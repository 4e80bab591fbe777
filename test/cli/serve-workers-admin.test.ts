// The primary's admin listener under --workers: the credential applies before any worker is
// asked, and /trace relays the subscription to every worker and merges their lines.
import t from 'tap'
import { cli } from '../../lib/cli/index.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { DEVICE_ID, easRequest } from '../helpers/eas-device.js'
import { adminGet } from '../helpers/ping-device.js'
import { ensureBuilt, spawnGateway } from '../helpers/spawn-gateway.js'

const TOKEN = 'workers-admin-token'

t.test('serve --workers 2: /devices needs the token on the primary\'s listener, one gateway trace merges both workers', async (t) => {
  const skip = await ensureBuilt()
  if (skip !== undefined) { t.comment(`skipped: ${skip}`); t.pass('skipped: the build failed', { skip }); return }
  const up = await startUpstream({ kind: 'echo' })
  t.teardown(up.close)
  const dir = t.testdir({
    'gw.yaml': `listen: { host: 127.0.0.1, port: 0 }
upstreams: [{ name: up1, url: "${up.url}" }]
server: { minHeartbeat: 2s, maxHeartbeat: 60s }
timeouts: { easRequestTimeout: 70s, executionTimeout: 75s, heartbeatMargin: 5s, drainGrace: 2s }
admin: { listen: { host: 127.0.0.1, port: 0 }, auth: { tokenFile: admin-token } }
pool: { healthCheck: { interval: 10m } }
`,
    'admin-token': `${TOKEN}\n`
  })
  const gw = spawnGateway(t, { cwd: dir, stdout: 'pipe', workers: 2 })
  const adminPort = (await gw.waitLine((l) => l.msg === 'workers listening', 'workers listening')).adminPort as number
  const none = await adminGet(adminPort, '/devices')
  t.equal(none.status, 401, 'no token: 401')
  t.match(none.headers['www-authenticate'], /^Bearer/)
  t.equal((await adminGet(adminPort, '/devices', { authorization: 'Bearer nope' })).status, 401, 'a wrong token: 401')
  const ok = await adminGet(adminPort, '/devices', { authorization: `Bearer ${TOKEN}` })
  t.equal(ok.status, 200, 'the token: 200, answered by a worker')
  t.match(JSON.parse(ok.body), { devices: [] })
  t.equal((await adminGet(adminPort, '/metrics')).status, 200, '/metrics open')
  t.equal((await adminGet(adminPort, '/trace?deviceId=X')).status, 401, '/trace needs the token too')

  // gateway trace through the primary while the device's requests land on both workers.
  let out = ''
  let traced = 0
  const run = cli(['trace', '--device', DEVICE_ID, '--admin', `http://127.0.0.1:${adminPort}`, '--token-file', 'admin-token', '--for', '4s', '--json'],
    { stdout: (s) => { out += s; traced = out.split('\n').filter((l) => l.includes('"type":"response"')).length }, stderr: () => {}, readFile: async () => `${TOKEN}\n`, cwd: dir, env: {} })
  // Both workers say they follow (another process: polled, bounded).
  const deadline = performance.now() + 10_000
  while (out.split('"type":"worker"').length - 1 < 2 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(out.split('"type":"worker"').length - 1, 2, 'both workers follow the trace')
  const port = (gw.lines.find((l) => l.msg === 'listening')?.port) as number
  for (let i = 0; i < 6; i++) {
    const dev = await DeviceConnection.open(port) // a connection each: the primary spreads them over the workers
    t.equal((await dev.request(easRequest('Sync'))).status, 200)
    dev.destroy()
  }
  t.equal(await run, 0, 'gateway trace: exit 0 at --for')
  const pids = new Set(gw.lines.filter((l) => l.msg === 'request').map((l) => l.pid))
  t.equal(pids.size, 2, 'the requests were served by both workers')
  t.equal(traced, 6, 'every answer in the one merged trace')
  t.equal(out.split('\n').filter((l) => l.includes('"type":"request"')).length, 6, 'every request too')
})
