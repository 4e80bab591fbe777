import t from 'tap'
import { colOf, lineOf, lintText } from './lint-helpers.js'

// Rules about the gateway, the server bounds and hop behaviour. Each invalid case yields exactly
// one finding of the rule in `file`, at `needle` on the first line containing `lineNeedle`.
interface Invalid { name: string, text: string, gateway?: string, code: string, severity: string, file: 'topology.yaml' | 'gw.yaml', lineNeedle: string, needle: string, message?: RegExp }
interface Valid { name: string, text: string, gateway?: string, code: string }

const GW = (timeouts = 'easRequestTimeout: 45m, executionTimeout: 50m', server = 'maxHeartbeat: 30m', extra = ''): string =>
  `upstreams: [{ name: ex, url: "https://mail.internal/" }]\nserver: { ${server} }\ntimeouts: { ${timeouts} }\n${extra}`
const withGateway = (hopExtra = '', server = 'server: { kind: exchange, maxHeartbeat: 30m }'): string =>
  `${server}\nhops:\n  - name: gw\n    kind: eas-gateway\n    config: gw.yaml\n${hopExtra}`
const single = (kind: string, extra = ''): string => `server: { kind: exchange, maxHeartbeat: 30m }\nhops:\n  - name: h1\n    kind: ${kind}\n${extra}`

const invalid: Invalid[] = [
  { name: 'executionTimeout below easRequestTimeout, in the referenced config', code: 'GW0101', severity: 'error', file: 'gw.yaml', text: withGateway(), gateway: GW('easRequestTimeout: 45m, executionTimeout: 40m'), lineNeedle: 'timeouts', needle: '40m' },
  { name: 'easRequestTimeout 15m under a 30m heartbeat', code: 'GW0102', severity: 'error', file: 'gw.yaml', text: withGateway(), gateway: GW('easRequestTimeout: 15m, executionTimeout: 50m'), lineNeedle: 'timeouts', needle: '15m', message: /easRequestTimeout \(15m\) must be longer than server\.maxHeartbeat \(30m\)/ },
  { name: 'drainGrace equal to terminationGrace', code: 'GW0105', severity: 'error', file: 'topology.yaml', text: withGateway('    terminationGrace: 30s\n'), gateway: GW(), lineNeedle: 'terminationGrace', needle: '30s', message: /drainGrace 30s \(gw\.yaml\) is not shorter than terminationGrace 30s/ },
  { name: 'SOGo default heartbeat', code: 'GW0109', severity: 'warning', file: 'topology.yaml', text: 'server: { kind: sogo }\nhops: []\n', lineNeedle: 'sogo', needle: 'sogo', message: /10s \(not set: the sogo default SOGoMaximumPingInterval\) is below 180 s/ },
  { name: 'explicit short heartbeat', code: 'GW0109', severity: 'warning', file: 'topology.yaml', text: 'server: { kind: exchange, maxHeartbeat: 90s }\nhops: []\n', lineNeedle: 'server', needle: '90s' },
  { name: 'gateway clamp below 180 s', code: 'GW0109', severity: 'warning', file: 'gw.yaml', text: withGateway(), gateway: GW('easRequestTimeout: 45m, executionTimeout: 50m', 'maxHeartbeat: 120s'), lineNeedle: 'server', needle: '120s' },
  { name: 'server minimum above 180 s', code: 'GW0110', severity: 'warning', file: 'topology.yaml', text: 'server: { kind: exchange, minHeartbeat: 300s }\nhops: []\n', lineNeedle: 'server', needle: '300s', message: /Outlook mobile asks for 180 s/ },
  { name: 'gateway minimum above 180 s', code: 'GW0110', severity: 'warning', file: 'gw.yaml', text: withGateway(), gateway: GW('easRequestTimeout: 45m, executionTimeout: 50m', 'minHeartbeat: 240s, maxHeartbeat: 30m'), lineNeedle: 'server', needle: '240s' },
  { name: 'round-robin by default', code: 'GW0111', severity: 'warning', file: 'topology.yaml', text: single('haproxy', '    abortOnClose: true\n    timeouts: { timeout server: 1h }\n'), lineNeedle: 'kind: haproxy', needle: 'haproxy', message: /the haproxy default; balancing is not set/ },
  { name: 'round-robin set explicitly', code: 'GW0111', severity: 'warning', file: 'topology.yaml', text: single('f5-fastl4', '    balancing: round-robin\n'), lineNeedle: 'balancing', needle: 'round-robin' },
  { name: 'first L7 hop does not close on 401', code: 'GW0112', severity: 'warning', file: 'topology.yaml', text: 'server: { kind: exchange }\nhops:\n  - name: nat\n    kind: carrier-nat\n  - name: ng\n    kind: nginx\n  - name: gw\n    kind: eas-gateway\n    config: gw.yaml\n', gateway: GW(), lineNeedle: '- name: ng', needle: 'name', message: /hop "ng" \(nginx\), the L7 hop nearest the devices/ },
  { name: 'closeOn401 false', code: 'GW0112', severity: 'warning', file: 'topology.yaml', text: single('nginx', '    closeOn401: false\n'), lineNeedle: 'closeOn401', needle: 'false' },
  { name: 'gateway nearest the devices with closeOn401 off', code: 'GW0112', severity: 'warning', file: 'gw.yaml', text: withGateway(), gateway: GW(undefined, undefined, 'proxy: { closeOn401: false }\n'), lineNeedle: 'proxy', needle: 'false' },
  { name: 'HAProxy without abortonclose', code: 'GW0113', severity: 'warning', file: 'topology.yaml', text: single('haproxy', '    timeouts: { timeout server: 1h }\n'), lineNeedle: '- name: h1', needle: 'name' },
  { name: 'HAProxy with abortOnClose false', code: 'GW0113', severity: 'warning', file: 'topology.yaml', text: single('haproxy', '    abortOnClose: false\n'), lineNeedle: 'abortOnClose', needle: 'false' }
]

const valid: Valid[] = [
  { name: 'the issue\'s gateway values', code: 'GW0101', text: withGateway(), gateway: GW() },
  { name: 'easRequestTimeout above heartbeat + margin', code: 'GW0102', text: withGateway(), gateway: GW('easRequestTimeout: 31m1s, executionTimeout: 32m') },
  { name: 'termination grace longer than the drain', code: 'GW0105', text: withGateway('    terminationGrace: 45s\n'), gateway: GW() },
  { name: 'no termination grace declared', code: 'GW0105', text: withGateway(), gateway: GW() },
  { name: 'Exchange default heartbeat', code: 'GW0109', text: 'server: { kind: exchange }\nhops: []\n' },
  { name: 'minimum of exactly 180 s', code: 'GW0110', text: 'server: { kind: exchange, minHeartbeat: 180s }\nhops: []\n' },
  { name: 'least connections', code: 'GW0111', text: single('nginx', '    balancing: least-connections\n') },
  { name: 'a single backend', code: 'GW0111', text: single('nginx', '    balancing: single\n') },
  { name: 'hash-balancing L4 load balancer', code: 'GW0111', text: single('azure-lb') },
  { name: 'gateway nearest the devices closes by default', code: 'GW0112', text: withGateway() + '  - name: ng\n    kind: nginx\n', gateway: GW() },
  { name: 'closeOn401 true', code: 'GW0112', text: single('haproxy', '    closeOn401: true\n') },
  { name: 'only L4 hops', code: 'GW0112', text: single('azure-lb') },
  { name: 'abortOnClose true', code: 'GW0113', text: single('haproxy', '    abortOnClose: true\n') }
]

for (const c of invalid) {
  t.test(`${c.code} invalid: ${c.name}`, async (t) => {
    const r = await lintText(c.text, c.gateway !== undefined ? { 'gw.yaml': c.gateway } : {})
    const hits = r.findings.filter((d) => d.code === c.code)
    t.equal(hits.length, 1, 'exactly one finding of the rule')
    const src = c.file === 'gw.yaml' ? c.gateway ?? '' : c.text
    const line = lineOf(src, c.lineNeedle)
    t.match(hits[0], { code: c.code, severity: c.severity, file: c.file, line, col: colOf(src, line, c.needle) })
    if (c.message !== undefined) t.match(hits[0]?.message, c.message)
    t.notMatch(hits[0]?.message ?? '', /\{\w+\}/, 'every placeholder filled')
  })
}

for (const c of valid) {
  t.test(`${c.code} valid: ${c.name}`, async (t) => {
    const r = await lintText(c.text, c.gateway !== undefined ? { 'gw.yaml': c.gateway } : {})
    t.same(r.findings.filter((d) => d.severity === 'error' && d.code.startsWith('GW00')), [], 'no structural errors')
    t.same(r.findings.filter((d) => d.code === c.code), [])
  })
}
