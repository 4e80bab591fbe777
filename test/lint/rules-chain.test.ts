import t from 'tap'
import { colOf, lineOf, lintText } from './lint-helpers.js'

// Rule tables (typescript-eslint style): each invalid case yields exactly one finding of the rule,
// pointing at `needle` on the first line containing `lineNeedle`; each valid case yields none.
interface Invalid { name: string, text: string, code: string, severity: string, lineNeedle: string, needle: string, message?: RegExp, hint?: RegExp }
interface Valid { name: string, text: string, code: string }

const EX30 = 'server:\n  kind: exchange\n  maxHeartbeat: 30m\n'
const hop = (body: string): string => `${EX30}hops:\n  - name: h1\n${body}`

const invalid: Invalid[] = [
  { name: 'L7 timeout equal to the heartbeat', code: 'GW0103', severity: 'error', text: hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 30m }\n'), lineNeedle: 'proxy_read_timeout', needle: '30m }', message: /at or below the max heartbeat 30m \(server\.maxHeartbeat\)/ },
  { name: 'L7 timeout within the margin', code: 'GW0103', severity: 'warning', text: hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 31m }\n'), lineNeedle: 'proxy_read_timeout', needle: '31m', message: /by less than the margin 1m/ },
  { name: 'margin from the topology file', code: 'GW0103', severity: 'warning', text: 'margin: 5m\n' + hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 32m }\n'), lineNeedle: 'proxy_read_timeout', needle: '32m', message: /margin 5m/ },
  { name: 'vendor default, no timeouts key: points at the hop', code: 'GW0103', severity: 'error', text: hop('    kind: nginx\n'), lineNeedle: '- name: h1', needle: 'name', message: /not set: the nginx default, confirmed; source: https:\/\/nginx\.org/ },
  { name: 'vendor default under an existing timeouts key', code: 'GW0103', severity: 'error', text: hop('    kind: nginx\n    timeouts:\n      proxy_connect_timeout: 5s\n'), lineNeedle: 'timeouts:', needle: 'timeouts' },
  { name: 'L4 idle timeout with keepalives not shorter', code: 'GW0103', severity: 'error', text: hop('    kind: azure-lb\n    timeouts: { IdleTimeoutInMinutes: 4 }\n    tcpKeepalive: 5m\n'), lineNeedle: 'IdleTimeoutInMinutes', needle: '4 }', message: /TCP keepalives every 5m are not shorter than it/, hint: /send TCP keepalives through it more often than every 4m/ },
  { name: 'L7 timeout with keepalives: not refreshed', code: 'GW0103', severity: 'error', text: hop('    kind: aws-alb\n    timeouts: { idle_timeout.timeout_seconds: 600 }\n    tcpKeepalive: 30s\n'), lineNeedle: 'idle_timeout', needle: '600', message: /do not refresh it: it is an L7 timer/ },
  { name: 'hard cap below the heartbeat', code: 'GW0104', severity: 'error', text: 'server: { kind: exchange }\nhops:\n  - name: entra\n    kind: entra-app-proxy\n    timeouts: { applicationServerTimeout: Long }\n', lineNeedle: 'applicationServerTimeout', needle: 'Long', message: /caps applicationServerTimeout at 3m/, hint: /to 119s or less/ },
  // regression: #15 — set below its cap, lowering the heartbeat to what the cap allows still fails: both ways out, each with its number
  { name: 'hard cap, hop set below it', code: 'GW0104', severity: 'error', text: 'server: { kind: exchange }\nhops:\n  - name: entra\n    kind: entra-app-proxy\n    timeouts: { applicationServerTimeout: Default }\n', lineNeedle: 'applicationServerTimeout', needle: 'Default', message: /caps applicationServerTimeout at 3m/, hint: /raise applicationServerTimeout on "entra" from 85s to its maximum Long \(3m\) and lower .* to 119s or less; or leave it at 85s and lower the heartbeat to 24s or less/ },
  { name: 'hard cap, hop left at its default', code: 'GW0104', severity: 'error', text: 'server: { kind: exchange }\nhops:\n  - name: entra\n    kind: entra-app-proxy\n', lineNeedle: '- name: entra', needle: 'name', hint: /from 85s to its maximum Long \(3m\) .* 119s or less; or leave it at 85s and lower the heartbeat to 24s or less/ },
  { name: 'hard cap, hop set too low for any heartbeat', code: 'GW0104', severity: 'error', text: 'server: { kind: exchange }\nhops:\n  - name: entra\n    kind: entra-app-proxy\n    timeouts: { applicationServerTimeout: Default }\nmargin: 90s\n', lineNeedle: 'applicationServerTimeout', needle: 'Default', hint: /^Raise applicationServerTimeout on "entra" from 85s to its maximum Long \(3m\) .* to 89s or less; or take "entra"/ },
  { name: 'hard cap within the margin', code: 'GW0104', severity: 'warning', text: 'server: { kind: exchange, maxHeartbeat: 170s }\nhops:\n  - name: entra\n    kind: entra-app-proxy\n    timeouts: { applicationServerTimeout: Long }\n', lineNeedle: 'applicationServerTimeout', needle: 'Long' },
  { name: 'fixed NAT timeout without keepalives', code: 'GW0104', severity: 'error', text: hop('    kind: aws-nat-gateway\n'), lineNeedle: '- name: h1', needle: 'name' },
  { name: 'outer hop shorter than an inner one', code: 'GW0106', severity: 'warning', text: hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 2h }\n    balancing: single\n  - name: h2\n    kind: haproxy\n    timeouts: { timeout client: 3h, timeout server: 3h }\n    balancing: single\n    abortOnClose: true\n'), lineNeedle: 'proxy_read_timeout', needle: '2h', message: /shorter than hop "h2" timeout client 3h/ },
  { name: 'safe default is named with its source', code: 'GW0107', severity: 'info', text: hop('    kind: palo-alto\n'), lineNeedle: '- name: h1', needle: 'name', message: /timeout-tcp is not set: the vendor default 1h was assumed \(confirmed; source: https:\/\/docs\.paloaltonetworks\.com/ },
  { name: 'HAProxy without timeouts', code: 'GW0108', severity: 'warning', text: hop('    kind: haproxy\n    abortOnClose: true\n    balancing: single\n'), lineNeedle: '- name: h1', needle: 'name', message: /timeout client unset, timeout server unset/, hint: /Set timeout client and timeout server on "h1" above 31m/ },
  { name: 'Envoy with every Ping timer switched off', code: 'GW0108', severity: 'warning', text: hop('    kind: envoy\n    balancing: single\n    timeouts:\n      route.timeout: 0s\n      stream_idle_timeout: 0s\n'), lineNeedle: 'timeouts:', needle: 'timeouts', message: /route\.timeout off, stream_idle_timeout off/ },
  { name: 'above the vendor maximum', code: 'GW0114', severity: 'error', text: hop('    kind: aws-alb\n    balancing: single\n    timeouts: { idle_timeout.timeout_seconds: 5000 }\n'), lineNeedle: 'idle_timeout', needle: '5000', message: /5000s is above the vendor maximum 4000s: the device refuses or caps it, so 4000s is assumed/ },
  { name: 'below the vendor minimum', code: 'GW0114', severity: 'error', text: hop('    kind: azure-lb\n    timeouts: { IdleTimeoutInMinutes: 2 }\n    tcpKeepalive: 30s\n'), lineNeedle: 'IdleTimeoutInMinutes', needle: '2 }', message: /below the vendor minimum 4m/ },
  { name: 'keepalives cover an L4 idle timeout', code: 'GW0115', severity: 'info', text: hop('    kind: azure-lb\n    timeouts: { IdleTimeoutInMinutes: 4 }\n    tcpKeepalive: 60s\n'), lineNeedle: 'IdleTimeoutInMinutes', needle: '4 }', message: /TCP keepalives every 1m refresh this L4 idle timer first/ },
  { name: 'carrier NAT has no reliable default', code: 'GW0116', severity: 'info', text: hop('    kind: carrier-nat\n'), lineNeedle: '- name: h1', needle: 'name', message: /RFC 5382 REQ-5 says at least 2 h 4 min \(7440 s\)/ }
]

const valid: Valid[] = [
  { name: 'just above heartbeat + margin', code: 'GW0103', text: hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 31m1s }\n') },
  { name: 'margin 1m allows 32m', code: 'GW0103', text: 'margin: 1m\n' + hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 32m }\n') },
  { name: 'keepalives shorter than an L4 idle timeout', code: 'GW0103', text: hop('    kind: azure-lb\n    timeouts: { IdleTimeoutInMinutes: 4 }\n    tcpKeepalive: 60s\n') },
  { name: 'cap above heartbeat + margin', code: 'GW0104', text: 'server: { kind: exchange, maxHeartbeat: 100s }\nhops:\n  - name: entra\n    kind: entra-app-proxy\n    timeouts: { applicationServerTimeout: Long }\n' },
  { name: 'fixed NAT timeout with keepalives', code: 'GW0104', text: hop('    kind: aws-nat-gateway\n    tcpKeepalive: 5m\n') },
  { name: 'timeouts grow outward', code: 'GW0106', text: hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 3h }\n  - name: h2\n    kind: nginx\n    timeouts: { proxy_read_timeout: 2h }\n') },
  { name: 'eas-gateway hops are left out of the ordering', code: 'GW0106', text: hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 35m }\n  - name: gw\n    kind: eas-gateway\n    config: gw.yaml\n') },
  { name: 'set explicitly', code: 'GW0107', text: hop('    kind: palo-alto\n    timeouts: { timeout-tcp: 3600 }\n') },
  { name: 'one HAProxy timeout is enough', code: 'GW0108', text: hop('    kind: haproxy\n    timeouts: { timeout server: 1h }\n') },
  { name: 'L4 hop without a timer is no dead-Ping holder', code: 'GW0108', text: hop('    kind: f5-snat\n') },
  { name: 'inside the vendor range', code: 'GW0114', text: hop('    kind: aws-alb\n    timeouts: { idle_timeout.timeout_seconds: 4000 }\n') },
  { name: 'no keepalives, no GW0115', code: 'GW0115', text: hop('    kind: azure-lb\n') },
  { name: 'keepalives on an L7 hop never cover', code: 'GW0115', text: hop('    kind: nginx\n    tcpKeepalive: 10s\n') },
  { name: 'measured carrier NAT', code: 'GW0116', text: hop('    kind: carrier-nat\n    timeouts: { tcp-idle-timeout: 2h }\n') }
]

const GATEWAY = 'upstreams: [{ name: ex, url: "https://mail.internal/" }]\nserver: { maxHeartbeat: 30m }\ntimeouts: { easRequestTimeout: 45m, executionTimeout: 50m }\n'

for (const c of invalid) {
  t.test(`${c.code} invalid: ${c.name}`, async (t) => {
    const r = await lintText(c.text, { 'gw.yaml': GATEWAY })
    const hits = r.findings.filter((d) => d.code === c.code)
    t.equal(hits.length, 1, 'exactly one finding of the rule')
    const line = lineOf(c.text, c.lineNeedle)
    t.match(hits[0], { code: c.code, severity: c.severity, file: 'topology.yaml', line, col: colOf(c.text, line, c.needle) })
    if (c.message !== undefined) t.match(hits[0]?.message, c.message)
    if (c.hint !== undefined) t.match(hits[0]?.hint, c.hint)
    t.notMatch(hits[0]?.message ?? '', /\{\w+\}/, 'every placeholder filled')
    t.notMatch(hits[0]?.hint ?? '', /\{\w+\}/, 'every hint placeholder filled')
  })
}

for (const c of valid) {
  t.test(`${c.code} valid: ${c.name}`, async (t) => {
    const r = await lintText(c.text, { 'gw.yaml': GATEWAY })
    t.ok(r.topology !== undefined, 'the topology resolved')
    t.same(r.findings.filter((d) => d.code === c.code), [])
  })
}

// regression: #5 — hops on the two sides of an eas-gateway are not compared: when the outer hop cuts
// a Ping, the gateway cancels it inward at once, so the longer inner hop never holds it
t.test('GW0106 valid: a short outer hop and a long hop behind the gateway', async (t) => {
  const text = hop('    kind: nginx\n    timeouts: { proxy_read_timeout: 35m }\n  - name: gw\n    kind: eas-gateway\n    config: gw.yaml\n  - name: inner\n    kind: nginx\n    timeouts: { proxy_read_timeout: 2h }\n')
  const r = await lintText(text, { 'gw.yaml': GATEWAY })
  t.same(r.findings.filter((d) => d.code === 'GW0106'), [])
})

// regression: #5 — the gateway clamps to ping.maxHeartbeat when it is stricter than server.maxHeartbeat,
// so lint must take it as the heartbeat in force (README tells users to set it from lint's answer)
t.test('the gateway\'s ping.maxHeartbeat is the heartbeat in force', async (t) => {
  const gw = 'upstreams: [{ name: ex, url: "https://mail.internal/" }]\nserver: { maxHeartbeat: 600s }\nping: { maxHeartbeat: 10s }\ntimeouts: { easRequestTimeout: 12m, executionTimeout: 13m }\n'
  const text = 'margin: 5s\nserver:\n  kind: sogo\n  maxHeartbeat: 600s\nhops:\n  - name: front\n    kind: nginx\n    timeouts: { proxy_read_timeout: 20s }\n    balancing: single\n  - name: gw\n    kind: eas-gateway\n    config: gw.yaml\n'
  const r = await lintText(text, { 'gw.yaml': gw })
  t.equal(r.chain?.heartbeat.ms, 10_000, 'the clamp of the gateway hop')
  t.same(r.findings.filter((d) => d.code === 'GW0103'), [], 'a 20s hop is safe for a 10s clamp and a 5s margin')
})

// regression: #15 — the largest safe heartbeat the run prints is what the GW0104 hint's second way out says
t.test('GW0104 on a hop below its cap: the hint agrees with the largest safe heartbeat', async (t) => {
  const r = await lintText('server: { kind: exchange }\nhops:\n  - name: entra\n    kind: entra-app-proxy\n    timeouts: { applicationServerTimeout: Default }\n')
  t.equal(r.chain?.safe?.ms, 24_000)
  t.match(r.findings.find((d) => d.code === 'GW0104')?.hint, /lower the heartbeat to 24s or less/)
})
