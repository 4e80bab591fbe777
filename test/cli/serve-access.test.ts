import { writeFile } from 'node:fs/promises'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { cli, type CliIo } from '../../lib/cli/index.js'
import { childElements, decodeWbxml, textContent } from '../../lib/eas/index.js'
import { DeviceConnection } from '../helpers/device-connection.js'
import { pingRequest } from '../helpers/ping-device.js'
import { until } from '../helpers/until.js'

/** A port free right now (the serve config needs a fixed one to be reachable from the test). */
async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

const gatewayYaml = (port: number, over = ''): string => `listen: { host: 127.0.0.1, port: ${port} }
upstreams: [{ name: up1, url: "http://127.0.0.1:9/" }]
admin: { listen: { host: 127.0.0.1, port: 0 } }
log: { level: silent }
access: { policy: devices.yaml, watch: false }
${over}`

function io (cwd: string): CliIo & { err: () => string, shutdown: () => void, reload: () => Promise<void> } {
  let err = ''
  let shutdown: (() => void) | undefined
  let reload: (() => Promise<void>) | undefined
  return {
    stdout: () => {},
    stderr: (s) => { err += s },
    readFile: async (p) => await readFile(p, 'utf8'),
    cwd,
    env: {},
    onShutdown: (h) => { shutdown = h },
    onReload: (h) => { reload = h },
    err: () => err,
    shutdown: () => { shutdown?.() },
    reload: async () => { await reload?.() }
  }
}

t.test('gateway serve refuses to start on an invalid policy, with its findings', async (t) => {
  const dir = t.testdir({ 'gw.yaml': gatewayYaml(0), 'devices.yaml': 'rules:\n  - { name: a, match: { userAgent: "/(/" }, action: block }\n' })
  const o = io(dir)
  t.equal(await cli(['serve', '-c', 'gw.yaml'], o), 2)
  t.match(o.err(), /devices\.yaml:2:36 error GW0006 invalid-value/)
  t.equal(o.err().match(/GW0006/g)?.length, 1, 'each finding once')
  t.match(o.err(), /GW_ERR_CONFIG_INVALID: access\.policy devices\.yaml: policy refused, not starting/)
})

t.test('gateway serve enforces the policy and SIGHUP reloads it', async (t) => {
  const port = await freePort()
  const dir = t.testdir({ 'gw.yaml': gatewayYaml(port), 'devices.yaml': 'rules:\n  - { name: lost, match: { deviceId: LOST1 }, action: block }\n' })
  const o = io(dir)
  const exit = cli(['serve', '-c', 'gw.yaml'], o)
  t.teardown(async () => { o.shutdown(); await exit })
  const ask = async (): Promise<{ status: number, body: Buffer }> => {
    const dev = await DeviceConnection.open(port)
    try { return await dev.request({ ...pingRequest({ deviceId: 'LOST1' }, { cmd: 'FolderSync', body: Buffer.from([0x03, 0x01, 0x6a, 0x00]) }) }) } finally { dev.destroy() }
  }
  let first: { status: number, body: Buffer } | undefined
  await until(() => { void ask().then((r) => { first = r }, () => {}); return first !== undefined }, 'the gateway to listen', 10_000)
  t.equal(first?.status, 200)
  const root = decodeWbxml(first?.body ?? Buffer.alloc(0))
  t.equal(textContent(childElements(root, 'Status')[0] ?? root), '129', 'FolderSync Status 129')
  await writeFile(join(dir, 'devices.yaml'), 'default: allow\n')
  await o.reload()
  const after = await ask()
  t.equal(after.status, 503, 'forwarded now (the upstream is unreachable: 503 + Retry-After)')
  o.shutdown()
  t.equal(await exit, 0)
})
