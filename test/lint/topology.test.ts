import t from 'tap'
import { parseTimerValue } from '../../lib/config/index.js'
import { colOf, lineOf, lintText } from './lint-helpers.js'

// Bad files are findings with positions (never exceptions): [name, text, files, code, line needle, col needle, message]
const OK = 'server:\n  kind: exchange\nhops:\n  - name: ng\n    kind: nginx\n    timeouts:\n      proxy_read_timeout: 1h2m\n'
const GW = 'upstreams: [{ name: ex, url: "https://mail.internal/" }]\n'
type Case = [string, string, Record<string, string>, string, string, string, RegExp?, number?]
const cases: Case[] = [
  ['yaml syntax', OK + 'margin: @1m\n', {}, 'GW0001', 'margin', '@', /BAD_SCALAR_START/],
  ['duplicate key', OK + 'margin: 1m\nmargin: 2m\n', {}, 'GW0001', 'margin: 2m', 'margin', /DUPLICATE_KEY/],
  ['unknown top-level key', OK.replace('hops:', 'hop:'), {}, 'GW0002', 'hop:', 'hop', /unknown key "hop"/],
  ['unknown keepalive side', OK + '    tcpKeepalive: { deviceside: 30s }\n', {}, 'GW0002', 'tcpKeepalive', 'deviceside', /did you mean "deviceSide"/],
  ['hops not a list', 'server: { kind: exchange }\nhops: { a: 1 }\n', {}, 'GW0003', 'hops', '{ a', /must be a list/],
  ['missing server', 'hops: []\n', {}, 'GW0004', 'hops', 'hops', /missing required key "server"/],
  ['empty file', '', {}, 'GW0004', '', '', /the file is empty/, 1],
  ['hop without kind', 'server: { kind: exchange }\nhops:\n  - name: a\n', {}, 'GW0004', '- name: a', 'name', /"hops\[0\]\.kind"/],
  ['eas-gateway without config', 'server: { kind: exchange }\nhops:\n  - name: gw\n    kind: eas-gateway\n', {}, 'GW0004', '- name: gw', 'name', /needs "config"/],
  ['server kind other needs maxHeartbeat', 'server:\n  kind: other\nhops: []\n', {}, 'GW0004', 'server:', 'server', /server\.maxHeartbeat/],
  ['bare number margin', OK + 'margin: 90\n', {}, 'GW0005', 'margin', '90', /no unit/],
  ['wrong unit in a vendor setting', OK.replace('1h2m', '1 hour'), {}, 'GW0005', 'proxy_read_timeout', '1 hour', /invalid timeout "1 hour"/],
  ['bare number where the vendor has no unit', 'server: { kind: exchange }\nhops:\n  - name: e\n    kind: envoy\n    timeouts: { stream_idle_timeout: 300 }\n', {}, 'GW0005', 'stream_idle_timeout', '300', /300 has no unit/],
  ['Entra takes only its two choices', 'server: { kind: exchange }\nhops:\n  - name: e\n    kind: entra-app-proxy\n    timeouts: { applicationServerTimeout: 10m }\n', {}, 'GW0005', 'applicationServerTimeout', '10m', /not one of Default, Long/],
  ['balancing enum', OK + '    balancing: leastconn\n', {}, 'GW0006', 'balancing', 'leastconn', /must be one of round-robin, least-connections/],
  ['one keepalive interval on a pass-through hop', 'server: { kind: exchange }\nhops:\n  - name: lb\n    kind: azure-lb\n    tcpKeepalive: { deviceSide: 30s }\n', {}, 'GW0006', 'tcpKeepalive', '{ deviceSide', /passes TCP through/],
  ['negative keepalive', OK + '    tcpKeepalive: 0s\n', {}, 'GW0006', 'tcpKeepalive', '0s', /positive interval/],
  ['min heartbeat above max', 'server: { kind: exchange, minHeartbeat: 2h, maxHeartbeat: 1h }\nhops: []\n', {}, 'GW0006', 'server', '2h', /minHeartbeat is above/],
  ['duplicate hop names', OK + '  - name: ng\n    kind: nginx\n', {}, 'GW0007', '', 'ng', /hop name "ng" is used twice/, 8],
  ['a setting under its name and an alias', 'server: { kind: exchange }\nhops:\n  - name: lb\n    kind: azure-lb\n    timeouts:\n      IdleTimeoutInMinutes: 30\n      idle_timeout_in_minutes: 30\n', {}, 'GW0007', 'idle_timeout_in_minutes', 'idle_timeout_in_minutes', /sets IdleTimeoutInMinutes a second time/],
  ['unknown hop kind', OK.replace('kind: nginx', 'kind: ngnix'), {}, 'GW0008', 'ngnix', 'ngnix', /unknown hop kind "ngnix": did you mean "nginx"\?/],
  ['unknown server kind', OK.replace('exchange', 'exchnage'), {}, 'GW0008', 'exchnage', 'exchnage', /did you mean "exchange"\?/],
  ['unknown setting, vendor spelling', OK.replace('proxy_read_timeout', 'proxy-read-timeout'), {}, 'GW0009', 'proxy-read-timeout', 'proxy-read-timeout', /nginx has no setting "proxy-read-timeout": did you mean "proxy_read_timeout"\?/],
  ['abortOnClose outside HAProxy', OK + '    abortOnClose: true\n', {}, 'GW0009', 'abortOnClose', 'abortOnClose', /HAProxy option/],
  ['closeOn401 on an L4 device', 'server: { kind: exchange }\nhops:\n  - name: lb\n    kind: azure-lb\n    closeOn401: true\n', {}, 'GW0009', 'closeOn401', 'closeOn401', /L4 device/],
  ['balancing on a kind that does not balance', 'server: { kind: exchange }\nhops:\n  - name: cf\n    kind: cloudflare\n    balancing: single\n', {}, 'GW0009', 'balancing', 'balancing', /does not balance load/],
  ['timeouts on an eas-gateway hop', 'server: { kind: exchange }\nhops:\n  - name: gw\n    kind: eas-gateway\n    config: gw.yaml\n    timeouts: { easRequestTimeout: 1h }\n', { 'gw.yaml': GW }, 'GW0009', 'easRequestTimeout', 'easRequestTimeout', /read from its config file/],
  ['config on a kind lint cannot read', 'server: { kind: exchange }\nhops:\n  - name: fw\n    kind: palo-alto\n    config: fw.xml\n', {}, 'GW0009', 'config', 'config', /reads the config files of eas-gateway, nginx, haproxy, envoy, ingress-nginx, f5-tcp, f5-fastl4, workspace-one-seg, aws-elb, azure-lb hops only/],
  ['match without config', OK + '    match: /Microsoft-Server-ActiveSync\n', {}, 'GW0009', 'match', 'match', /hop's own config file/],
  ['unreadable gateway config', 'server: { kind: exchange }\nhops:\n  - name: gw\n    kind: eas-gateway\n    config: missing.yaml\n', {}, 'GW0010', 'config', 'missing.yaml', /cannot read missing\.yaml: ENOENT/],
  ['unreadable catalog', 'catalog: mine.yaml\n' + OK, {}, 'GW0010', 'catalog', 'mine.yaml', /cannot read mine\.yaml/]
]

for (const [name, text, files, code, lineNeedle, needle, message, lineNumber] of cases) {
  t.test(`${code} ${name}`, async (t) => {
    const r = await lintText(text, files)
    const hit = r.findings.find((d) => d.code === code)
    t.ok(hit, `a ${code} finding`)
    const line = lineNumber ?? lineOf(text, lineNeedle)
    if (text === '') { t.match(hit, { line: 1, col: 1 }); return }
    t.match(hit, { file: 'topology.yaml', line, severity: 'error', ...(needle !== '' ? { col: colOf(text, line, needle) } : {}) })
    if (message !== undefined) t.match(hit?.message, message)
    t.equal(r.chain, undefined, 'the chain is not analysed on a broken file')
  })
}

t.test('an empty hop is reported where its value would be', async (t) => {
  const r = await lintText('server: { kind: exchange }\nhops:\n  -\n  - name: a\n    kind: nginx\n')
  t.match(r.findings, [{ code: 'GW0004', line: 3, col: 4, message: /hops\[0\] is empty/ }])
})

t.test('every structural problem of a file is reported in one run', async (t) => {
  const text = 'server:\n  kind: exchang\nmargin: 90\nhops:\n  - name: a\n    kind: haproxi\n  - name: b\n    kind: nginx\n    timeouts: { proxy-read-timeout: 1h }\n'
  const r = await lintText(text)
  t.same(r.findings.map((d) => d.code), ['GW0008', 'GW0005', 'GW0008', 'GW0009'])
})

t.test('problems inside a referenced gateway config point into that file', async (t) => {
  const gw = GW + 'timeouts: { drainGrace: 30 }\n'
  const r = await lintText('server: { kind: exchange }\nhops:\n  - name: gw\n    kind: eas-gateway\n    config: gw.yaml\n', { 'gw.yaml': gw })
  t.match(r.findings, [{ code: 'GW0005', file: 'gw.yaml', line: 2, col: colOf(gw, 2, '30 }') }])
})

t.test('a user catalog overrides a shipped entry and adds a kind', async (t) => {
  const mine = 'kinds:\n  cloudflare:\n    settings:\n      proxy_read_timeout: { max: 6000s }\n  my-waf:\n    title: Our WAF\n    layer: l7\n    terminatesTcp: true\n    settings:\n      read-timeout: { default: 90m, max: none, semantics: response, refreshedByKeepalive: false, appliesToPing: true, source: "runbook", confidence: confirmed }\n'
  const text = 'catalog: mine.yaml\nserver: { kind: exchange }\nhops:\n  - name: cf\n    kind: cloudflare\n    timeouts: { proxy_read_timeout: 90m }\n  - name: waf\n    kind: my-waf\n'
  const r = await lintText(text, { 'mine.yaml': mine })
  t.same(r.findings.filter((d) => d.severity !== 'info').map((d) => d.code), ['GW0112'], 'no GW0104 once Enterprise limits are declared')
  t.equal(r.chain?.safe?.ms, 5_339_000, 'largest safe heartbeat: 90m - 1m margin, whole seconds below')
  t.equal(r.chain?.safe?.timer.hop.name, 'cf', 'the first of two equal bounds')
})

// regression: #15 — Cloudflare Enterprise raises the 524 timeout to 6000 s, no further
t.test('a user catalog cannot raise a plan-limited maximum beyond what the vendor sells', async (t) => {
  const text = 'catalog: mine.yaml\nserver: { kind: exchange }\nhops:\n  - name: cf\n    kind: cloudflare\n'
  for (const max of ['6001s', 'none']) {
    const mine = `kinds:\n  cloudflare:\n    settings:\n      proxy_read_timeout: { max: ${max} }\n`
    const r = await lintText(text, { 'mine.yaml': mine })
    t.match(r.findings.filter((d) => d.severity === 'error'), [{ code: 'GW0006', file: 'mine.yaml', line: 4, col: colOf(mine, 4, max), message: /can be raised to: 6000s at most/ }], max)
  }
  const ok = await lintText(text, { 'mine.yaml': 'kinds:\n  cloudflare:\n    settings:\n      proxy_read_timeout: { max: 6000s }\n' })
  t.same(ok.findings.filter((d) => d.code === 'GW0006'), [], '6000s is allowed')
})

t.test('Cloudflare: the 524 timeout defaults to 120 s (connection-limits page), Enterprise up to 6000 s', async (t) => {
  const r = await lintText('server: { kind: exchange }\nhops:\n  - name: cf\n    kind: cloudflare\n')
  const s = r.topology?.hops[0]?.settings.find((x) => x.spec.name === 'proxy_read_timeout')
  t.equal(s?.value, 120_000)
  t.equal(s?.spec.overrideMax, 6_000_000)
  t.match(s?.spec.source, /connection-limits/)
})

t.test('a broken user catalog is reported in its own file', async (t) => {
  const mine = 'kinds:\n  nginx:\n    settings:\n      proxy_read_timeout: { default: 60 }\n'
  const r = await lintText('catalog: mine.yaml\n' + OK, { 'mine.yaml': mine })
  t.match(r.findings.filter((d) => d.severity === 'error'), [{ code: 'GW0005', file: 'mine.yaml', line: 4, col: colOf(mine, 4, '60'), message: /60 has no unit/ }])
})

t.test('vendor values are read the way the vendor reads them', async (t) => {
  t.same(parseTimerValue('60', { unit: 's' }), { value: 60_000 }, 'nginx: bare seconds')
  t.same(parseTimerValue(60000, { unit: 'ms' }), { value: 60_000 }, 'HAProxy: bare milliseconds')
  t.same(parseTimerValue(4, { unit: 'm' }), { value: 240_000 }, 'Azure: bare minutes')
  t.same(parseTimerValue('1:00:00'), { value: 3_600_000 }, 'Cisco ASA: h:mm:ss')
  t.same(parseTimerValue('1193:0:0'), { value: 1193 * 3_600_000 }, 'beyond seven days')
  t.same(parseTimerValue('indefinite', { off: ['indefinite'] }), { value: 'none' }, 'F5 off word')
  t.same(parseTimerValue('long', { choices: { Default: 85_000, Long: 180_000 } }), { value: 180_000 }, 'Entra choice, any case')
  t.same(parseTimerValue('1h30m'), { value: 5_400_000 })
  t.match(parseTimerValue('60'), { error: /no unit/ })
  t.match(parseTimerValue(''), { error: /expected a timeout/ })
  t.match(parseTimerValue(true), { error: /expected a timeout/ })
  t.match(parseTimerValue('99999999999999999h'), { error: /too large/ })
})

// regression: #15 — an alias bomb is one finding, not one per alias past the cap
t.test('150 aliases: one GW0001 finding, at the first alias too many', async (t) => {
  const aliases = Array.from({ length: 150 }, (_, i) => `  - { name: h${i}, kind: *k }`).join('\n')
  const text = `server: { kind: exchange }\nx-kind: &k nginx\nhops:\n${aliases}\n`
  const r = await lintText(text.replace('x-kind: &k nginx\n', '').replace('server: { kind: exchange }', 'server: { kind: &k exchange }'))
  const hits = r.findings.filter((d) => d.code === 'GW0001')
  t.equal(hits.length, 1)
  t.match(hits[0], { line: 3 + 100, message: /more than 100 aliases/ })
})

// regression: #15 — a value below the vendor minimum is in force as the minimum, like one above the maximum
t.test('below the vendor minimum: the minimum is assumed, and GW0114 says so', async (t) => {
  const r = await lintText('server: { kind: exchange, maxHeartbeat: 170s }\nhops:\n  - name: lb\n    kind: azure-lb\n    timeouts: { IdleTimeoutInMinutes: 2 }\n')
  const s = r.topology?.hops[0]?.settings.find((x) => x.spec.name === 'IdleTimeoutInMinutes')
  t.equal(s?.written, 120_000)
  t.equal(s?.value, 240_000, 'the 4-minute minimum is in force')
  t.match(r.findings.find((d) => d.code === 'GW0114')?.message, /below the vendor minimum 4m: the device refuses or raises it, so 4m is assumed/)
  t.same(r.findings.filter((d) => d.code === 'GW0103'), [], '4m outlasts 170s + 1m: no GW0103 from the refused 2m')
})

// regression: #15 — merge keys are read: shared timeouts under an anchor, explicit keys win
t.test('merge keys (<<) are read, explicit keys win, lists of mappings merge', async (t) => {
  const ok = await lintText('server: { kind: exchange }\nhops:\n  - name: a\n    kind: nginx\n    timeouts: &long\n      proxy_read_timeout: 1h2m\n      proxy_send_timeout: 10m\n    balancing: single\n  - name: b\n    kind: nginx\n    balancing: single\n    timeouts:\n      <<: *long\n      proxy_send_timeout: 1h3m\n')
  t.same(ok.findings.filter((d) => d.severity === 'error' && d.code.startsWith('GW00')), [])
  const b = ok.topology?.hops[1]?.settings
  t.equal(b?.find((x) => x.spec.name === 'proxy_read_timeout')?.value, 3_720_000, 'merged from the anchor')
  t.equal(b?.find((x) => x.spec.name === 'proxy_send_timeout')?.value, 3_780_000, 'the explicit key wins')
  const list = await lintText('server: { kind: exchange }\nhops:\n  - &base { name: a, kind: nginx, balancing: single }\n  - <<: [*base]\n    name: b\n')
  t.same(list.topology?.hops.map((h) => `${h.name}:${h.kind.name}`), ['a:nginx', 'b:nginx'], 'a list of merged mappings')
  const bad = await lintText('server: { kind: exchange }\nhops:\n  - name: a\n    kind: nginx\n    timeouts:\n      <<: 5\n')
  t.match(bad.findings, [{ code: 'GW0003', message: /"<<" merges a mapping/ }])
})
