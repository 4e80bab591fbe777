import { readFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { cli, type CliIo } from '../../lib/cli/index.js'

function memoryIo (cwd: string, env: Record<string, string> = {}): CliIo & { err: () => string, shutdown: () => void } {
  let err = ''
  let handler: (() => void) | undefined
  let asked = false
  return {
    stdout: () => {},
    stderr: (s) => { err += s },
    readFile: async (p) => await readFile(p, 'utf8'),
    cwd,
    env,
    // A shutdown asked for before serve registered its handler (a slow start) runs once it does.
    onShutdown: (h) => { handler = h; if (asked) h() },
    err: () => err,
    shutdown: () => { asked = true; handler?.() }
  }
}

/** A port free right now (the gateway binds it next; healthcheck needs a fixed admin port). */
async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

t.test('gateway healthcheck follows the configured admin port (as the Dockerfile HEALTHCHECK runs it)', async (t) => {
  const admin = await freePort()
  const dir = t.testdir({
    'gw.yaml': `listen: { host: 127.0.0.1, port: 0 }
upstreams: [{ name: up1, url: "http://127.0.0.1:9/" }]
server: { minHeartbeat: 1s, maxHeartbeat: 2s }
timeouts: { easRequestTimeout: 4s, executionTimeout: 5s, heartbeatMargin: 1s, drainGrace: 1s }
admin: { listen: { host: 0.0.0.0, port: ${admin} }, auth: { tokenFile: admin-token } }
`,
    'admin-token': 'healthcheck-test-token\n'
  })
  const env = { EAS_GATEWAY_CONFIG: join(dir, 'gw.yaml') }
  const before = memoryIo(dir, env)
  t.equal(await cli(['healthcheck', '--timeout', '1s'], before), 1, 'nothing listens yet: exit 1')
  t.match(before.err(), new RegExp(`http://127\\.0\\.0\\.1:${admin}/healthz`), 'names the URL it probed (wildcard host on loopback)')

  const serveIo = memoryIo(dir, env)
  const exit = cli(['serve'], serveIo) // the config comes from EAS_GATEWAY_CONFIG, as in the image
  const probe = memoryIo(dir, env)
  // A bounded poll of the real condition (the listener has no event to wait on from here).
  let healthy = await cli(['healthcheck', '-c', 'gw.yaml'], probe)
  // Generous: an in-process serve on a loaded 2-core CI machine took more than 10 s to listen.
  const deadline = performance.now() + 60_000
  while (healthy !== 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    healthy = await cli(['healthcheck', '-c', 'gw.yaml'], probe)
  }
  t.equal(healthy, 0, `the running gateway is healthy: exit 0${healthy === 0 ? '' : ` (${probe.err().slice(-200)})`}`)
  serveIo.shutdown()
  t.equal(await exit, 0)
  t.equal(await cli(['healthcheck'], memoryIo(dir, env)), 1, 'after shutdown: exit 1')
})

t.test('gateway healthcheck: usage errors exit 2', async (t) => {
  const dir = t.testdir({ 'zero.yaml': 'upstreams: [{ name: a, url: "http://127.0.0.1:9/" }]\nadmin: { listen: { port: 0 } }\n' })
  const none = memoryIo(dir)
  t.equal(await cli(['healthcheck'], none), 2)
  t.match(none.err(), /needs -c FILE or EAS_GATEWAY_CONFIG/)
  const zero = memoryIo(dir)
  t.equal(await cli(['healthcheck', '-c', 'zero.yaml'], zero), 2)
  t.match(zero.err(), /admin\.listen\.port is 0/)
})

t.test('the Dockerfile HEALTHCHECK runs gateway healthcheck on the config the image serves', async (t) => {
  const docker = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8')
  t.match(docker, /^HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "dist\/bin\/gateway\.js", "healthcheck"/m)
  t.notMatch(docker, /9464\/healthz/, 'no hard-coded admin port in the check')
  t.match(docker, /^ENV EAS_GATEWAY_CONFIG=\/etc\/eas-gateway\/gateway\.yaml$/m)
  t.match(docker, /^CMD \["serve"\]$/m, 'serve reads the same EAS_GATEWAY_CONFIG')
})
