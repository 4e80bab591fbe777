import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { runLint } from '../../lib/cli/lint.js'
import { colOf, lineOf, memoryIo, ROOT } from './lint-helpers.js'

// #15: hops that read their own nginx.conf / haproxy.cfg. Findings point into those files; SARIF
// names them. The files are real configs (test/config/vendor/vendor-syntax.test.ts).
interface Finding { ruleId: string, file: string, line: number, col: number, message: string }
const lint = async (files: Record<string, string>, ...argv: string[]): Promise<{ code: number, out: string }> => {
  const io = memoryIo(files)
  const code = await runLint(argv, io)
  return { code, out: io.out() }
}
const DRIFT = 'examples/nginx-config-drift'
const nginxConf = readFileSync(join(ROOT, DRIFT, 'nginx.conf'), 'utf8')

t.test('a hop timeout from nginx.conf is reported at its line there, and the stale copy in the topology is GW0014', async (t) => {
  const r = await lint({}, `${DRIFT}/topology.yaml`, '--format', 'json')
  const doc = JSON.parse(r.out) as { findings: Finding[] }
  const topo = readFileSync(join(ROOT, DRIFT, 'topology.yaml'), 'utf8')
  const tl = lineOf(topo, 'proxy_read_timeout: 61m')
  const nl = lineOf(nginxConf, 'proxy_read_timeout 300s')
  t.match(doc.findings, [
    { ruleId: 'GW0014', file: `${DRIFT}/topology.yaml`, line: tl, col: colOf(topo, tl, '61m'), message: new RegExp(`which sets 300s \\(${DRIFT}/nginx\\.conf:${nl}:${colOf(nginxConf, nl, '300s')}\\)`) },
    { ruleId: 'GW0103', file: `${DRIFT}/nginx.conf`, line: nl, col: colOf(nginxConf, nl, '300s'), message: /proxy_read_timeout 5m is at or below the max heartbeat 30m/ }
  ])
})

t.test('SARIF locations name the config file', async (t) => {
  const sarif = JSON.parse((await lint({}, `${DRIFT}/topology.yaml`, '--format', 'sarif')).out) as { runs: [{ results: { ruleId: string, locations: [{ physicalLocation: { artifactLocation: { uri: string }, region: { startLine: number } } }] }[] }] }
  const hit = sarif.runs[0].results.find((r) => r.ruleId === 'GW0103')
  t.match(hit?.locations[0].physicalLocation, { artifactLocation: { uri: `${DRIFT}/nginx.conf` }, region: { startLine: lineOf(nginxConf, 'proxy_read_timeout 300s') } })
})

t.test('a setting the file leaves unset takes the vendor default, reported at the block that lacks it', async (t) => {
  const topo = 'server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n  - name: ng\n    kind: nginx\n    config: test/fixtures/vendor/nginx/inherit.conf\n    closeOn401: true\n'
  const r = await lint({ 't.yaml': topo }, 't.yaml', '--format', 'json')
  const doc = JSON.parse(r.out) as { findings: Finding[] }
  t.same(doc.findings, [], 'read 2h (http), send 90m (server): both outlast 31m; connect is not a Ping timer')
  const unset = 'server: { kind: exchange }\nhops:\n  - name: ng\n    kind: nginx\n    config: test/fixtures/vendor/nginx/unset.conf\n    closeOn401: true\n'
  const s = JSON.parse((await lint({ 's.yaml': unset }, 's.yaml', '--format', 'json')).out) as { findings: Finding[] }
  const conf = readFileSync(join(ROOT, 'test/fixtures/vendor/nginx/unset.conf'), 'utf8')
  const block = { file: 'test/fixtures/vendor/nginx/unset.conf', line: lineOf(conf, 'location'), col: colOf(conf, lineOf(conf, 'location'), 'location') }
  t.match(s.findings.filter((f) => f.ruleId === 'GW0103'), [
    { ...block, message: /proxy_read_timeout 1m \(not set: the nginx default, confirmed/ }
  ], 'one finding, at the location that lacks the directive')
})

t.test('HAProxy: timeouts, balance and option abortonclose come from haproxy.cfg, positioned there', async (t) => {
  const cfg = 'test/fixtures/vendor/haproxy/routing.cfg'
  const text = readFileSync(join(ROOT, cfg), 'utf8')
  const topo = `server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n  - name: hp\n    kind: haproxy\n    config: ${cfg}\n    match: other.example/Microsoft-Server-ActiveSync\n    closeOn401: true\n`
  const doc = JSON.parse((await lint({ 'h.yaml': topo }, 'h.yaml', '--format', 'json')).out) as { findings: Finding[] }
  t.match(doc.findings.map((f) => [f.ruleId, f.file, f.line]), [
    ['GW0103', cfg, lineOf(text, 'timeout server 10s')],
    ['GW0111', cfg, lineOf(text, 'balance roundrobin')]
  ], 'legacy backend: 10s server timeout and round-robin, at their lines; abortonclose inherited, so no GW0113')
  const eas = JSON.parse((await lint({ 'h.yaml': topo.replace('other.example', 'mail.example') }, 'h.yaml', '--format', 'json')).out) as { findings: Finding[] }
  t.match(eas.findings.map((f) => [f.ruleId, f.file, f.line]), [['GW0113', cfg, lineOf(text, 'no option abortonclose')]], 'eas backend: 62m and leastconn are fine; "no option abortonclose" is reported where it is written')
})

t.test('problems in the config file: GW0005 at the value, GW0012, GW0013, GW0010 for the file itself', async (t) => {
  const hop = (cfg: string, extra = ''): string => `server: { kind: exchange }\nhops:\n  - name: ng\n    kind: nginx\n    config: ${cfg}\n${extra}`
  const bad = JSON.parse((await lint({ 'a.yaml': hop('test/fixtures/vendor/nginx/invalid/bad-duration.conf') }, 'a.yaml', '--format', 'json')).out) as { findings: Finding[], heartbeat: unknown }
  t.match(bad.findings, [{ ruleId: 'GW0005', file: 'test/fixtures/vendor/nginx/invalid/bad-duration.conf', line: 7, col: 32 }])
  t.equal(bad.heartbeat, null, 'no chain on a broken path')
  const syntax = JSON.parse((await lint({ 'b.yaml': hop('test/fixtures/vendor/nginx/invalid/unbalanced.conf') }, 'b.yaml', '--format', 'json')).out) as { findings: Finding[] }
  t.match(syntax.findings[0], { ruleId: 'GW0012', file: 'test/fixtures/vendor/nginx/invalid/unbalanced.conf' })
  const nomatch = JSON.parse((await lint({ 'c.yaml': hop('test/fixtures/vendor/nginx/locations.conf', '    match: nothing.example\n') }, 'c.yaml', '--format', 'json')).out) as { findings: Finding[] }
  t.match(nomatch.findings, [{ ruleId: 'GW0013' }])
  const missing = JSON.parse((await lint({ 'd.yaml': hop('nope.conf') }, 'd.yaml', '--format', 'json')).out) as { findings: Finding[] }
  t.match(missing.findings, [{ ruleId: 'GW0010', file: 'd.yaml', line: 5 }])
})

t.test('pragmas work inside the config file too', async (t) => {
  const topo = 'server: { kind: exchange }\nhops:\n  - name: ng\n    kind: nginx\n    config: test/fixtures/vendor/nginx/pragma.conf\n    closeOn401: true\n'
  const doc = JSON.parse((await lint({ 'p.yaml': topo }, 'p.yaml', '--format', 'json')).out) as { findings: Finding[], summary: { suppressed: number } }
  t.same(doc.findings.filter((f) => f.ruleId === 'GW0103').map((f) => f.line), [], 'the read timeout at line 7 is suppressed')
  t.equal(doc.summary.suppressed, 1)
  const strict = JSON.parse((await lint({ 'p.yaml': topo }, 'p.yaml', '--format', 'json', '--disable-ignore-pragma')).out) as { findings: Finding[] }
  t.match(strict.findings.filter((f) => f.ruleId === 'GW0103'), [{ line: 7 }])
})

t.test('HAProxy: a Connection close rule for 401 in haproxy.cfg counts as closeOn401; its absence is reported there', async (t) => {
  const routing = 'server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n  - name: hp\n    kind: haproxy\n    config: test/fixtures/vendor/haproxy/routing.cfg\n    match: mail.example/Microsoft-Server-ActiveSync\n'
  const a = JSON.parse((await lint({ 'a.yaml': routing }, 'a.yaml', '--format', 'json')).out) as { findings: Finding[] }
  t.notOk(a.findings.some((f) => f.ruleId === 'GW0112'), 'http-response set-header Connection close if { status 401 }')
  const listen = 'server: { kind: exchange, maxHeartbeat: 1m }\nhops:\n  - name: hp\n    kind: haproxy\n    config: test/fixtures/vendor/haproxy/listen.cfg\n'
  const b = JSON.parse((await lint({ 'b.yaml': listen }, 'b.yaml', '--format', 'json')).out) as { findings: Finding[] }
  const cfg = readFileSync(join(ROOT, 'test/fixtures/vendor/haproxy/listen.cfg'), 'utf8')
  t.match(b.findings.filter((f) => f.ruleId === 'GW0112'), [{ file: 'test/fixtures/vendor/haproxy/listen.cfg', line: lineOf(cfg, 'listen activesync'), message: /its config file has no rule for it/ }])
})
