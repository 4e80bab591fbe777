/**
 * Self-test of the integration helpers: WBXML conversion against the known
 * vectors of shared PROTOCOL.md §6, the XML reader, and the nginx / HAProxy /
 * Prometheus starters (in front of the SOGo fixture), including their teardown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import {
  canConnect,
  durationSeconds,
  easRequest,
  folderSync,
  fromWbxml,
  haproxyOptionsFrom,
  hordeAccessEntries,
  hordeFixture,
  loadGatewayFixture,
  loadTopology,
  metricValue,
  nginxOptionsFrom,
  parseMetrics,
  readmePromql,
  newDeviceId,
  parseXml,
  findAll,
  childText,
  pingXml,
  portsFromListening,
  queryPrometheus,
  requirePeer,
  sogoFixture,
  startHaproxy,
  startNginx,
  startPrometheus,
  toWbxml,
  waitForScrape,
} from './index.js'

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

t.test('toWbxml / fromWbxml match the PROTOCOL.md vectors', async (t) => {
  if (!(await requirePeer(t, 'libwbxml'))) return
  const ping = await toWbxml(
    pingXml({ heartbeat: 480, folders: [{ id: '1', class: 'Email' }, { id: '3', class: 'Calendar' }] })
  )
  t.equal(
    ping.toString('hex'),
    hex(`03 01 6A 00 00 0D 45 48 03 34 38 30 00 01 49 4A 4B 03 31 00 01 4C 03 45 6D 61 69 6C 00 01 01 4A 4B 03
      33 00 01 4C 03 43 61 6C 65 6E 64 61 72 00 01 01 01 01`).toString('hex'),
    'Ping request HB 480 encodes byte-exactly (header 03 01 6A 00, no string table)'
  )
  const fsReq = await toWbxml('<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>')
  t.equal(fsReq.toString('hex'), '03016a00000756520330000101', 'FolderSync SyncKey 0')

  const xml = await fromWbxml(hex('03 01 6A 00 00 0D 45 47 03 32 00 01 49 4A 03 31 00 01 4A 03 33 00 01 01 01'))
  const doc = parseXml(xml)
  t.equal(doc.name, 'Ping', 'root element')
  t.equal(doc.ns, 'Ping:', 'root namespace')
  t.equal(childText(doc, 'Status'), '2', 'Status 2')
  t.same(findAll(doc, 'Folder').map((f) => f.text), ['1', '3'], 'changed folders')
  t.equal(await fromWbxml(Buffer.alloc(0)), '', 'empty body decodes to ""')
  await t.rejects(fromWbxml(Buffer.from('not wbxml')), /wbxml2xml failed/, 'garbage is rejected')
})

t.test('parseXml', async (t) => {
  const doc = parseXml(
    '<?xml version="1.0"?><!DOCTYPE x><a xmlns="A:" xmlns:b="B:"><b:c k=\'v\'>x &amp; y</b:c><d/><![CDATA[<raw>]]></a>'
  )
  t.equal(doc.children[0]?.ns, 'B:', 'prefixed namespace resolved')
  t.equal(doc.children[0]?.text, 'x & y', 'entities decoded')
  t.same(doc.children[0]?.attrs, { k: 'v' }, 'attributes')
  t.equal(doc.children[1]?.name, 'd', 'self-closing element')
  t.equal(doc.text, '<raw>', 'CDATA text')
  t.throws(() => parseXml('<a><b></a>'), /unexpected <\/a>/, 'mismatched tags are rejected')
  t.throws(() => parseXml('<a>'), /not closed/, 'unclosed root is rejected')
})

t.test('portsFromListening understands the common shapes', async (t) => {
  t.same(portsFromListening({ msg: 'listening', port: 1234, adminPort: 1235, upstreams: ['x'] }), { main: 1234, admin: 1235 }, 'port/adminPort (what the gateway logs)')
  t.same(
    portsFromListening({ msg: 'listening', listen: { host: '127.0.0.1', port: 1 }, admin: { host: '127.0.0.1', port: 2 } }),
    { main: 1, admin: 2 },
    'listen.port / admin.port'
  )
  t.same(portsFromListening({ msg: 'listening', url: 'http://127.0.0.1:7/', adminUrl: 'http://127.0.0.1:8' }), { main: 7, admin: 8 }, 'url/adminUrl')
  t.same(portsFromListening({ msg: 'listening', name: 'admin', port: 9 }), { admin: 9 }, 'a line tagged admin')
  t.same(portsFromListening({ msg: 'listening', ports: { listen: 5, admin: 6 }, upstream: { url: 'http://127.0.0.1:18080' } }), {
    main: 5,
    admin: 6,
  }, 'ports.{listen,admin}; upstream URLs are ignored')
})

t.test('nginx in front of SOGo: proxies EAS, keeps the client connection, is gone after stop', async (t) => {
  if (!(await requirePeer(t, ['sogo', 'nginx', 'libwbxml']))) return
  const fx = sogoFixture()
  const nginx = await startNginx(t, { upstream: new URL(fx.directUrl).origin, readTimeoutSec: 120 })
  const base = `${nginx.url}/SOGo/Microsoft-Server-ActiveSync`
  const res = await easRequest({ baseUrl: base, user: fx.alice.user, password: fx.alice.password, timeoutMs: 30_000 })
  t.equal(res.status, 200, 'OPTIONS through nginx is 200')
  t.equal(res.socketClosed, false, 'nginx keeps the client connection open')
  const fs = await folderSync({ baseUrl: base, user: fx.alice.user, password: fx.alice.password, deviceId: newDeviceId('itngx') })
  t.equal(fs.status, '1', 'FolderSync through nginx')
  await nginx.stop()
  t.equal(await canConnect(nginx.port, 500), false, 'port closed after stop')
})

t.test('HAProxy in front of SOGo', async (t) => {
  if (!(await requirePeer(t, ['sogo', 'haproxy', 'libwbxml']))) return
  const fx = sogoFixture()
  const hap = await startHaproxy(t, { upstream: fx.easUrl, timeouts: { server: '120s', client: '120s' } })
  const base = `${hap.url}/Microsoft-Server-ActiveSync`
  const fs = await folderSync({ baseUrl: base, user: fx.alice.user, password: fx.alice.password, deviceId: newDeviceId('ithap') })
  t.equal(fs.response.status, 200, 'HTTP 200 through HAProxy')
  t.ok(fs.folders.some((f) => f.type === 2), 'FolderSync lists the INBOX')
  const bad = await easRequest({ baseUrl: base, user: fx.alice.user, password: 'wrong', timeoutMs: 30_000 })
  t.equal(bad.status, 401, 'wrong password → 401 through HAProxy')
  await hap.stop()
  t.equal(await canConnect(hap.port, 500), false, 'port closed after stop')
})

t.test('Prometheus scrapes a target', async (t) => {
  if (!(await requirePeer(t, 'prometheus'))) return
  // Prometheus scrapes its own /metrics: no other peer needed.
  const prom = await startPrometheus(t, {
    config: ({ port }) =>
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
  })
  await waitForScrape(prom)
  const up = await queryPrometheus(prom, 'up{job="self"}')
  t.equal(up[0]?.value[1], '1', 'up{job="self"} == 1')
})

t.test('parseMetrics / metricValue read the Prometheus text format', async (t) => {
  const samples = parseMetrics(
    [
      '# HELP eas_gateway_requests_total Requests',
      '# TYPE eas_gateway_requests_total counter',
      'eas_gateway_requests_total{command="Ping",outcome="completed"} 3',
      'eas_gateway_requests_total{command="Ping",outcome="device_abort"} 2',
      'eas_gateway_requests_total{command="Sync",outcome="completed"} 5',
      'eas_gateway_request_duration_seconds_bucket{command="Ping",outcome="completed",le="+Inf"} 3',
      'eas_gateway_build_info{version="0.1.0 \\"x\\""} 1',
      'eas_gateway_pings_held 0',
    ].join('\n')
  )
  t.equal(metricValue(samples, 'eas_gateway_requests_total', { command: 'Ping', outcome: 'device_abort' }), 2, 'one labelled sample')
  t.equal(metricValue(samples, 'eas_gateway_requests_total', { command: 'Ping' }), 5, 'a label subset sums')
  t.equal(metricValue(samples, 'eas_gateway_requests_total'), 10, 'no labels: the sum of all')
  t.equal(metricValue(samples, 'eas_gateway_requests_total', { command: 'Ping', outcome: 'upstream_reset' }), 0, 'absent series: 0')
  t.equal(metricValue(samples, 'eas_gateway_pings_held'), 0, 'a sample without labels')
  t.equal(samples.find((x) => x.name === 'eas_gateway_build_info')?.labels.version, '0.1.0 "x"', 'escaped quotes in label values')
  t.equal(samples.find((x) => x.name.endsWith('_bucket'))?.labels.le, '+Inf', 'le="+Inf"')
})

t.test('fixtures: durations, the hop options a topology gives, the README PromQL', async (t) => {
  t.equal(durationSeconds('2s', 's'), 2, '2s')
  t.equal(durationSeconds('1500ms', 's'), 1.5, '1500ms')
  t.equal(durationSeconds('5m', 's'), 300, '5m')
  t.equal(durationSeconds(20, 's'), 20, 'a bare number in seconds (nginx)')
  t.equal(durationSeconds('2000', 'ms'), 2, 'a bare number in milliseconds (HAProxy)')
  t.throws(() => durationSeconds('1h30m', 's'), /durations as/, 'compound durations are not used in the fixtures')

  const nginx = nginxOptionsFrom(loadTopology('topology-nginx-short.yaml'), 'http://127.0.0.1:1')
  t.equal(nginx.readTimeoutSec, 2, 'nginx: proxy_read_timeout from the topology')
  const hap = haproxyOptionsFrom(loadTopology('topology-haproxy-no-abortonclose.yaml'), 'http://127.0.0.1:1')
  t.same(hap.timeouts, { client: '20000ms', server: '20000ms', connect: '5000ms', httpKeepAlive: '120000ms' }, 'HAProxy: its timeouts from the topology')
  t.equal(hap.abortOnClose, false, 'HAProxy: abortOnClose false')
  t.match(hap.extraBackend ?? '', /Connection close if \{ status 401 \}/, 'HAProxy: closeOn401 becomes the 401 rule')
  t.equal(haproxyOptionsFrom(loadTopology('topology-haproxy-ok.yaml'), 'x:1').abortOnClose, true, 'HAProxy: abortOnClose true')

  const expr = readmePromql('Abort rate in PromQL')
  t.match(expr, /rate\(eas_gateway_requests_total/, 'README § Abort rate in PromQL: the expression')
  t.notMatch(expr, /```/, 'without the fence')
  t.throws(() => readmePromql('No such heading'), /no heading/, 'a missing heading throws')
})

t.test('Horde fixture readers: fixture.env under the environment, Apache\'s access log, upstreams by name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eas-it-horde-'))
  const saved = { ...process.env }
  t.teardown(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('HORDE_') && !(k in saved)) delete process.env[k]
    Object.assign(process.env, saved)
    rmSync(dir, { recursive: true, force: true })
  })
  for (const k of Object.keys(process.env)) if (k.startsWith('HORDE_')) delete process.env[k]
  process.env.HORDE_STATE_DIR = dir
  writeFileSync(join(dir, 'fixture.env'), 'HORDE_EAS_URL=http://127.0.0.1:28180/Microsoft-Server-ActiveSync\nHORDE_HB_MIN=7\nHORDE_TEST_USERS=ann:pw bea:pw2\n')
  process.env.HORDE_HB_MIN = '9'
  const f = hordeFixture()
  t.equal(f.easUrl, 'http://127.0.0.1:28180/Microsoft-Server-ActiveSync', 'the URL from fixture.env')
  t.equal(f.hbMin, 9, 'the environment wins over fixture.env')
  t.equal(f.hbMax, 600, 'the script\'s default when neither says')
  t.same([f.alice.user, f.bob.password, f.bob.email], ['ann', 'pw2', 'bea@example.test'], 'the users')

  const gw = loadGatewayFixture('gateway-hops-horde.yaml')
  t.equal(gw.upstreams[0]?.url, 'http://127.0.0.1:28180/', 'an upstream named horde follows HORDE_EAS_URL')

  const log = join(dir, 'access.log')
  process.env.HORDE_ACCESS_LOG = log
  t.equal(await hordeAccessEntries('dev1'), undefined, 'no log: undefined')
  writeFileSync(log, [
    '127.0.0.1 - bob [04/Dec/2026:10:38:42 +0000] "POST /Microsoft-Server-ActiveSync?Cmd=Ping&User=bob&DeviceId=dev1&DeviceType=iPhone HTTP/1.1" 200 13 15633831',
    '127.0.0.1 - bob [04/Dec/2026:10:38:43 +0000] "POST /Microsoft-Server-ActiveSync?Cmd=Ping&User=bob&DeviceId=dev2&DeviceType=iPhone HTTP/1.1" 200 0 5000000',
    '127.0.0.1 - - [04/Dec/2026:10:38:44 +0000] "POST /Microsoft-Server-ActiveSync?Cmd=FolderSync&User=bob&DeviceId=dev1&DeviceType=iPhone HTTP/1.1" 401 - 9021024',
    '',
  ].join('\n'))
  const e = await hordeAccessEntries('dev1')
  t.same(e?.map((x) => [x.status, x.bytes, x.durationMs]), [[200, 13, 15633.831], [401, 0, 9021.024]], 'status, bytes (- is 0) and %D in ms, only dev1\'s')
})
