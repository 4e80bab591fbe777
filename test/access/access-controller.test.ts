import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createAccessController, watchPolicyFile } from '../../lib/access/index.js'
import type { AccessRequest } from '../../lib/policy/index.js'
import { until } from '../helpers/until.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

const SYNC: AccessRequest = { method: 'POST', command: 'Sync', user: 'alice@corp.example', deviceId: 'IPHONE1', deviceType: 'iPhone', userAgent: 'Apple-iPhone15C2/2104.81', protocolVersion: '16.1' }
const PING: AccessRequest = { ...SYNC, command: 'Ping' }

async function setup (t: { teardown: (fn: () => unknown) => void }, text: string): Promise<{ dir: string, file: string, write: (s: string) => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'eas-access-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'devices.yaml')
  // Write-then-rename, as editors and config management do.
  const write = async (s: string): Promise<void> => { await writeFile(file + '.tmp', s); await rename(file + '.tmp', file) }
  await write(text)
  return { dir, file, write }
}

t.test('reload: a valid file is in force; an invalid one is refused with positions and the old one stays', async (t) => {
  const { file, write } = await setup(t, 'default: allow\n')
  const clock = fakeClock()
  const c = createAccessController({ policyFile: file, readFile: async (p) => await readFile(p, 'utf8'), timers: clock, now: () => 1_000 + clock.t })
  t.teardown(() => { c.close() })
  let changes = 0
  c.onChange(() => { changes++ })
  t.match(await c.reload(), { ok: true, rules: 0, findings: [] })
  t.match(c.decide(SYNC), { decision: 'allow', rule: 'default' })

  await write('default: allow\nrules:\n  - { name: no-iphones, match: { deviceType: iPhone }, action: block }\n  - { name: bad, match: { userAgent: "/(/" }, action: block }\n')
  const bad = await c.reload()
  t.equal(bad.ok, false)
  t.match(bad.findings, [{ code: 'GW0006', file, line: 4, col: 38, message: /invalid regular expression/ }])
  t.equal(bad.rules, 0, 'the previous policy (no rules) is still in force')
  t.match(c.decide(SYNC), { decision: 'allow', rule: 'default' })
  t.equal(changes, 1, 'a refused reload changes nothing')

  await write('default: allow\nrules:\n  - { name: no-iphones, match: { deviceType: iPhone }, action: block }\n')
  t.match(await c.reload(), { ok: true, rules: 1 })
  t.equal(changes, 2)
  t.match(c.check(PING), { decision: 'block', rule: 'no-iphones', status: 129 }, 'a held Ping re-checked after the change is blocked')

  const warn = await (async () => { await write('default: block\nrules: []\n'); return await c.reload() })()
  t.match(warn, { ok: true, findings: [{ code: 'GW0403', severity: 'warning' }] }, 'warnings do not refuse a file')

  await rm(file)
  t.match(await c.reload(), { ok: false, findings: [{ code: 'GW0010', message: /ENOENT/ }] })
  t.match(c.decide(SYNC), { decision: 'block', rule: 'default' }, 'a deleted file keeps the last policy')
})

t.test('a backtracking regex refuses the file (GW0402 is an error), as gateway lint does', async (t) => {
  const { file } = await setup(t, 'rules:\n  - { name: x, match: { userAgent: "/^(\\\\w+\\\\s?)*$/" }, action: block }\n')
  const clock = fakeClock()
  const c = createAccessController({ policyFile: file, readFile: async (p) => await readFile(p, 'utf8'), timers: clock, now: () => 0 })
  t.match(await c.reload(), { ok: false, findings: [{ code: 'GW0402', line: 2 }] })
  t.match(c.decide(SYNC), { decision: 'allow', rule: 'none', reason: 'no-policy' }, 'no policy ever loaded: everything allowed (serve refuses to start instead)')
})

t.test('maxDevicesPerUser through the controller: slots are recorded, a rule block frees one', async (t) => {
  const { file, write } = await setup(t, 'maxDevicesPerUser: 1\n')
  const clock = fakeClock()
  const c = createAccessController({ policyFile: file, readFile: async (p) => await readFile(p, 'utf8'), timers: clock, now: () => clock.t })
  await c.reload()
  t.match(c.decide(SYNC), { decision: 'allow' })
  clock.t = 10
  t.match(c.decide({ ...SYNC, deviceId: 'ANDROID2' }), { decision: 'block', rule: 'device-limit', status: 177 })
  t.match(c.decide({ ...SYNC, user: 'ALICE@corp.example' }), { decision: 'allow' }, 'the first device keeps its slot; users compare case-insensitively')
  t.match(c.check({ ...SYNC, deviceId: 'THIRD' }), { rule: 'device-limit' })
  t.match(c.decide({ ...SYNC, user: undefined, deviceId: 'X' }), { decision: 'allow' }, 'no user, no limit')
  await write('maxDevicesPerUser: 1\nrules:\n  - { name: no-iphones, match: { deviceType: iPhone }, action: block }\n')
  await c.reload()
  t.match(c.decide(SYNC), { decision: 'block', rule: 'no-iphones' })
  t.match(c.decide({ ...SYNC, deviceId: 'ANDROID2', deviceType: 'Android' }), { decision: 'allow' }, 'the blocked iPhone gave its slot back')
})

t.test('reloads are serialized; lists survive a reload unless their definition changed', async (t) => {
  let hits = 0
  const server = createServer((_req, res) => { hits++; res.setHeader('content-type', 'application/json'); res.end('["IPHONE1"]') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list`
  const yaml = (u: string, d = 'block'): string => `default: ${d}\nlists: { mdm: { url: "${u}" } }\nrules:\n  - { name: mdm, match: { list: mdm }, action: allow }\n`
  const { dir, file, write } = await setup(t, yaml(url))
  const clock = fakeClock()
  const c = createAccessController({ policyFile: file, cacheDir: join(dir, 'cache'), readFile: async (p) => await readFile(p, 'utf8'), timers: clock, now: () => clock.t })
  t.teardown(() => { c.close() })
  const [a, b] = await Promise.all([c.reload(), c.reload()])
  t.ok(a.ok && b.ok)
  t.equal(hits, 1, 'two reloads, one list, one fetch')
  t.match(c.decide(SYNC), { decision: 'allow', rule: 'mdm' })
  t.match(c.status(), { rules: 1, lists: [{ name: 'mdm', state: 'fresh', entries: 1 }] })
  await write(yaml(url, 'quarantine'))
  await c.reload()
  t.equal(hits, 1, 'the same list definition keeps its state across a reload')
  await write(yaml(url + '?v=2'))
  await c.reload()
  t.equal(hits, 2, 'a changed URL starts a new list')
  t.equal(clock.pending().length, 1, 'the old list stopped polling, the new one polls')
  t.match(JSON.parse(await readFile(join(dir, 'cache', 'mdm.json'), 'utf8')), { url: url + '?v=2' })
})

t.test('the file watcher: a save reloads once after the debounce', async (t) => {
  const { file, write } = await setup(t, 'default: allow\n')
  const clock = fakeClock()
  const c = createAccessController({ policyFile: file, readFile: async (p) => await readFile(p, 'utf8'), timers: clock, now: () => clock.t })
  await c.reload()
  let reloads = 0
  const stop = watchPolicyFile({ file, timers: clock, debounceMs: 500, onChange: () => { reloads++; void c.reload() } })
  t.teardown(stop)
  await write('default: block\nrules:\n  - { name: ok, action: allow, match: { deviceType: Android } }\n')
  await until(() => clock.pending().length === 1, 'the debounce timer')
  await writeFile(join(file, '..', 'unrelated.txt'), 'x')
  await clock.advance(499)
  t.equal(reloads, 0, 'not before the debounce')
  await clock.advance(1)
  t.equal(reloads, 1)
  await until(() => c.decide(SYNC).decision === 'block', 'the new policy')
  t.match(c.decide({ ...SYNC, deviceType: 'Android' }), { rule: 'ok' })
})

t.test('the watcher: bursts collapse into one call; ConfigMap ..data swaps and unnamed events count; errors are logged', async (t) => {
  const clock = fakeClock()
  let listener: ((e: string, n: string | null) => void) | undefined
  let onError: ((err: Error) => void) | undefined
  let closed = false
  const warnings: string[] = []
  let calls = 0
  const stop = watchPolicyFile({
    file: '/etc/gw/devices.yaml',
    timers: clock,
    onChange: () => { calls++ },
    logger: { warn: (_o: object, m: string) => { warnings.push(m) } } as never,
    watch: (dir, l) => { t.equal(dir, '/etc/gw'); listener = l; return { close: () => { closed = true }, on: (_e: string, f: (err: Error) => void) => { onError = f; return undefined as never } } as never }
  })
  for (const n of ['devices.yaml', 'devices.yaml', '..data', null, 'other.yaml']) listener?.('rename', n)
  await clock.advance(500)
  t.equal(calls, 1)
  listener?.('change', 'other.yaml')
  await clock.advance(1000)
  t.equal(calls, 1, 'another file in the folder is ignored')
  onError?.(new Error('EMFILE'))
  t.match(warnings, [/SIGHUP still reloads/])
  listener?.('change', 'devices.yaml')
  stop()
  await clock.advance(1000)
  t.equal(calls, 1, 'stopped: the pending reload is cancelled')
  t.ok(closed)
})
