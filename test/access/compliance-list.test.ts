import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createComplianceList, parseDeviceList, type ComplianceList } from '../../lib/access/index.js'
import { loadAccessPolicy, type PolicyListSource } from '../../lib/config/index.js'
import { compileAccessPolicy, decideAccess, type AccessPolicy } from '../../lib/policy/index.js'
import { until } from '../helpers/until.js'
import { fakeClock } from '../upstream/fixtures/fake-clock.js'

/** A loopback MDM: serves a JSON list with an ETag, answers 304 to a matching If-None-Match, can fail. */
interface Mdm { url: string, port: number, hits: IncomingMessage['headers'][], body: string, etag: string, status: number, close: () => Promise<void> }
async function startMdm (port = 0, init?: Pick<Mdm, 'body' | 'etag'>): Promise<Mdm> {
  const mdm = { hits: [] as IncomingMessage['headers'][], body: init?.body ?? '[]', etag: init?.etag ?? '"v0"', status: 200 } as Mdm
  const server: Server = createServer((req, res) => {
    mdm.hits.push(req.headers)
    if (mdm.status !== 200) { res.statusCode = mdm.status; res.end('down for maintenance'); return }
    if (req.headers['if-none-match'] === mdm.etag) { res.statusCode = 304; res.end(); return }
    res.setHeader('etag', mdm.etag)
    res.setHeader('content-type', 'application/json')
    res.end(mdm.body)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  mdm.port = (server.address() as AddressInfo).port
  mdm.url = `http://127.0.0.1:${mdm.port}/export/devices.json`
  mdm.close = async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => { resolve() })) }
  return mdm
}

const policyYaml = (url: string): string => `
default: block
lists: { mdm: { url: "${url}", interval: 1m, onUnavailable: last-known } }
rules:
  - { name: compliant, match: { list: mdm }, action: allow }
`
function compile (yaml: string): AccessPolicy {
  const p = compileAccessPolicy(loadAccessPolicy(yaml, 'devices.yaml')).policy
  if (p === undefined) throw new Error('policy invalid')
  return p
}

t.test('a real loopback MDM: fetch, 304, a changed list, an outage, a recovery, and a restart on the disk cache', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'eas-list-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  let mdm = await startMdm(0, { body: JSON.stringify({ value: [{ deviceId: 'IPHONE1' }, { deviceId: 'ANDROID1' }] }), etag: '"v1"' })
  t.teardown(async () => { await mdm.close() })
  const source: PolicyListSource = { url: mdm.url, format: 'json', field: 'deviceId', interval: 60_000, timeout: 5_000, onUnavailable: 'last-known' }
  const policy = compile(policyYaml(mdm.url))
  const clock = fakeClock()
  const cacheFile = join(dir, 'lists', 'mdm.json')
  let changes = 0
  const make = (): ComplianceList => createComplianceList({ name: 'mdm', source, cacheFile, timers: clock, now: clock.now, onChange: () => { changes++ } })
  const decide = (l: ComplianceList, deviceId: string): string => decideAccess(policy, { method: 'POST', command: 'Sync', deviceId, protocolVersion: '14.1' }, { now: 0, lists: new Map([['mdm', l.view()]]) }).decision

  /** The next poll: once it is scheduled, move the clock to it. */
  const poll = async (): Promise<void> => {
    await until(() => clock.pending().length === 1, 'the next poll scheduled')
    await clock.advance(60_000)
  }
  const list = make()
  t.teardown(() => { list.stop() })
  await list.start()
  t.match(list.status(), { state: 'fresh', entries: 2 })
  t.equal(decide(list, 'iphone1'), 'allow')
  t.equal(decide(list, 'NEWPHONE'), 'block')
  t.equal(mdm.hits.length, 1)
  t.same(clock.pending(), [60_000], 'the next poll is scheduled one interval out')
  t.match(JSON.parse(await readFile(cacheFile, 'utf8')), { version: 1, etag: '"v1"', entries: ['iphone1', 'android1'] }, 'cached on disk')

  // Poll: unchanged, the MDM answers 304 to the conditional GET.
  await poll()
  await until(() => mdm.hits.length === 2, 'the second poll')
  t.equal(mdm.hits[1]?.['if-none-match'], '"v1"')
  t.match(list.status(), { state: 'fresh', entries: 2 })

  // The MDM adds a device.
  mdm.body = JSON.stringify([{ DeviceID: 'NEWPHONE' }, { deviceId: 'IPHONE1' }])
  mdm.etag = '"v2"'
  await poll()
  await until(() => decide(list, 'NEWPHONE') === 'allow', 'the changed list')
  t.equal(decide(list, 'android1'), 'block', 'removed from the list')

  // It fails with a 503: the last list stays in force (last-known), the list is stale.
  mdm.status = 503
  await poll()
  await until(() => list.status().state === 'stale', 'the outage')
  t.match(list.status(), { state: 'stale', entries: 2, lastError: 'HTTP 503' })
  t.equal(list.view().available, false)
  t.equal(decide(list, 'NEWPHONE'), 'allow', 'last-known keeps the list')

  // It goes away entirely (connection refused), then comes back on the same port with a new list.
  const port = mdm.port
  await mdm.close()
  await poll()
  await until(() => list.status().lastError?.startsWith('fetch failed') === true, 'the refused fetch')
  mdm = await startMdm(port, { body: '["IPHONE1","TABLET9"]', etag: '"v3"' })
  await poll()
  await until(() => list.status().state === 'fresh', 'the recovery')
  t.equal(decide(list, 'tablet9'), 'allow')
  t.equal(decide(list, 'newphone'), 'block')
  t.ok(changes >= 4, `onChange called on each change (${changes})`)
  await until(() => clock.pending().length === 1, 'the next poll scheduled')
  list.stop()
  t.same(clock.pending(), [], 'stop clears the timer')

  // Restart with the MDM down: the disk cache is the list, stale.
  await mdm.close()
  const restarted = make()
  t.teardown(() => { restarted.stop() })
  await restarted.start()
  t.match(restarted.status(), { state: 'stale', entries: 2 })
  t.equal(decide(restarted, 'TABLET9'), 'allow', 'the cached list is in force after a restart')
  t.equal(decide(restarted, 'stranger'), 'block')
  restarted.stop()

  // onUnavailable: block and allow decide at the rule while the list is stale.
  const strict = compile(policyYaml(source.url).replace('last-known', 'block'))
  t.match(decideAccess(strict, { method: 'POST', command: 'Sync', deviceId: 'TABLET9', protocolVersion: '14.1' }, { now: 0, lists: new Map([['mdm', restarted.view()]]) }), { decision: 'block', reason: 'list-unavailable', rule: 'compliant' })
})

t.test('a restart without a cache and the MDM down knows nothing', async (t) => {
  const clock = fakeClock()
  const l = createComplianceList({ name: 'x', source: { url: 'http://127.0.0.1:1/x', format: 'csv', field: 'deviceId', interval: 1000, timeout: 1000, onUnavailable: 'block' }, timers: clock, now: clock.now })
  await l.start()
  t.match(l.status(), { state: 'none', entries: 0 })
  t.equal(l.view().available, false)
  l.stop()
})

t.test('parseDeviceList: JSON and CSV shapes, limits, errors', async (t) => {
  const ok = (r: ReturnType<typeof parseDeviceList>): string[] => 'entries' in r ? [...r.entries] : [`error: ${r.error}`]
  t.same(ok(parseDeviceList('["A1", " b2 ", "", 3]', 'json', 'deviceId')), ['a1', 'b2'])
  t.same(ok(parseDeviceList('[{"deviceid":"A"},{"other":"B"},{"DeviceId":5}]', 'json', 'deviceId')), ['a'])
  t.same(ok(parseDeviceList('{"devices":[{"easDeviceId":"Z"}]}', 'json', 'easDeviceId')), ['z'])
  t.match(ok(parseDeviceList('{"x":1}', 'json', 'deviceId')), [/needs an array/])
  t.match(ok(parseDeviceList('{', 'json', 'deviceId')), [/not JSON/])
  t.match(ok(parseDeviceList('"x"', 'json', 'deviceId')), [/must be an array/])
  t.same(ok(parseDeviceList('\uFEFFname,DeviceId,state\r\n"Smith, J",ABC,ok\r\nx,"D""E",ok\n\n,,\nlast,F', 'csv', 'deviceid')), ['abc', 'd"e', 'f'])
  t.match(ok(parseDeviceList('a,b\n1,2\n', 'csv', 'deviceId')), [/no "deviceId" column/])
})
