// The primary's admin listener under --workers: the credential applies before any worker is
// asked, and /trace is refused whole (not relayed yet) rather than showing one worker's part.
import t from 'tap'
import { cli } from '../../lib/cli/index.js'
import { startUpstream } from '../helpers/loopback-upstream.js'
import { adminGet } from '../helpers/ping-device.js'
import { ensureBuilt, spawnGateway } from '../helpers/spawn-gateway.js'

const TOKEN = 'workers-admin-token'

t.test('serve --workers 2: /devices needs the token on the primary\'s listener, /trace says why not', async (t) => {
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
  const trace = await adminGet(adminPort, '/trace?deviceId=X', { authorization: `Bearer ${TOKEN}` })
  t.equal(trace.status, 501, '/trace under --workers: 501')
  t.match(trace.body, /gateway trace needs one process.*--workers 1/)
  let err = ''
  const code = await cli(['trace', '--device', 'X', '--admin', `http://127.0.0.1:${adminPort}`, '--token-file', 'admin-token'],
    { stdout: () => {}, stderr: (s) => { err += s }, readFile: async () => `${TOKEN}\n`, cwd: dir, env: {} })
  t.equal(code, 1, 'gateway trace: exit 1')
  t.match(err, /answered 501\n {2}gateway trace needs one process/, 'and says why')
})
